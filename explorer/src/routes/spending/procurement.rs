//! `GET /spending/procurement` and `/api/v1/spending/procurement`: every contracting process
//! with its red-flag badges, filtered by buyer, flag, procurement method and year (all in the
//! URL), paged, and exported whole as CSV or JSON (`?format=csv|json`).
//!
//! The flags are computed by `list_flagged_processes` (docs/methods/spending.md), which
//! evaluates the processes in memory; this list is therefore not a SQL `ListDef`: its
//! exports are written from the computed rows.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_schema::derived::spending::{
    list_flagged_processes, ProcessFlagQuery, ProcessFlagSummary, RedFlagRule, RedFlagRules,
};
use citytrace_schema::models::Party;

use super::PartyLink;
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::{csv_cell, query::encode};
use crate::AppState;

const PER_PAGE: usize = 50;
pub const METHODS: [&str; 4] = ["open", "selective", "limited", "direct"];

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub buyer: String,
    pub flag: Option<RedFlagRule>,
    pub method: String,
    pub year: Option<i32>,
    pub page: usize,
    pub format: String,
}

impl Filters {
    fn parse(q: &HashMap<String, String>) -> Result<Self, AppError> {
        let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let flag = match get("flag").as_str() {
            "" => None,
            id => Some(RedFlagRule::from_id(id).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "flag must be one of the red-flag rule ids, not {id:?}"
                ))
            })?),
        };
        let method = get("method");
        if !method.is_empty() && !METHODS.contains(&method.as_str()) {
            return Err(AppError::BadRequest(format!(
                "method must be open, selective, limited or direct, not {method:?}"
            )));
        }
        let page = match get("page").as_str() {
            "" => 1,
            p => p
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!("page must be a whole number from 1, not {p:?}"))
                })?,
        };
        let format = match get("format").to_ascii_lowercase().as_str() {
            "" | "html" => "html".to_string(),
            f @ ("csv" | "json") => f.to_string(),
            f => {
                return Err(AppError::BadRequest(format!(
                    "format must be html, json or csv, not {f:?}"
                )))
            }
        };
        Ok(Self {
            buyer: get("buyer"),
            flag,
            method,
            year: super::year_param(q)?,
            page,
            format,
        })
    }

    /// The query string with `changes` applied.
    fn query(&self, changes: &[(&str, Option<String>)]) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.buyer.is_empty() {
            pairs.push(("buyer", self.buyer.clone()));
        }
        if let Some(f) = self.flag {
            pairs.push(("flag", f.id().to_string()));
        }
        if !self.method.is_empty() {
            pairs.push(("method", self.method.clone()));
        }
        if let Some(y) = self.year {
            pairs.push(("year", y.to_string()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        for (k, v) in changes {
            pairs.retain(|(key, _)| key != k);
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if pairs.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("?{}", parts.join("&"))
    }
}

/// One row of the list, as the API and the exports carry it.
#[derive(serde::Serialize)]
pub struct ProcessRow {
    pub ocid: String,
    pub title: Option<String>,
    pub buyer: Option<String>,
    pub buyer_name: Option<String>,
    pub procurement_method: Option<String>,
    pub last_release_date: chrono::DateTime<chrono::Utc>,
    pub flags: Vec<&'static str>,
    pub href: String,
    #[serde(skip)]
    pub buyer_href: String,
}

/// Every process the filters select (unpaged), newest release first.
pub fn select(
    conn: &mut diesel::PgConnection,
    rules: &RedFlagRules,
    f: &Filters,
) -> Result<Vec<ProcessRow>, AppError> {
    let buyer_id = if f.buyer.is_empty() {
        None
    } else {
        match Party::find_by_code(conn, &f.buyer)? {
            Some(p) => Some(p.id),
            None => return Ok(Vec::new()),
        }
    };
    let found = list_flagged_processes(
        conn,
        rules,
        &ProcessFlagQuery {
            flag: f.flag,
            buyer_id,
            flagged_only: false,
            limit: usize::MAX,
            offset: 0,
        },
    )?;
    let kept: Vec<ProcessFlagSummary> = found
        .processes
        .into_iter()
        .filter(|p| {
            f.method.is_empty() || p.procurement_method.as_deref() == Some(f.method.as_str())
        })
        .filter(|p| {
            f.year
                .is_none_or(|y| chrono::Datelike::year(&p.last_release_date) == y)
        })
        .collect();
    let buyers: HashMap<i64, PartyLink> =
        super::party_links(conn, kept.iter().filter_map(|p| p.buyer_id))?;
    Ok(kept
        .into_iter()
        .map(|p| {
            let buyer = p.buyer_id.and_then(|id| buyers.get(&id));
            ProcessRow {
                href: super::contract_href(&p.ocid),
                buyer_href: buyer.map(|b| b.href.clone()).unwrap_or_default(),
                ocid: p.ocid,
                title: p.title,
                buyer: buyer.map(|b| b.code.clone()),
                buyer_name: buyer.map(|b| b.name.clone()),
                procurement_method: p.procurement_method,
                last_release_date: p.last_release_date,
                flags: p.flags.iter().map(|r| r.id()).collect(),
            }
        })
        .collect())
}

/// (code, name) of every party that is the buyer of a process, by name.
fn buyers(conn: &mut diesel::PgConnection) -> Result<Vec<(String, String)>, AppError> {
    use citytrace_schema::schema::{parties, procurement_processes};
    use diesel::prelude::*;
    Ok(parties::table
        .filter(
            parties::id.eq_any(
                procurement_processes::table
                    .select(procurement_processes::buyer_id.assume_not_null())
                    .filter(procurement_processes::buyer_id.is_not_null()),
            ),
        )
        .order((parties::name, parties::code))
        .select((parties::code, parties::name))
        .load(conn)?)
}

#[derive(Template)]
#[template(path = "spending/procurement.html")]
pub struct ProcurementPage {
    pub layout: Layout,
    /// Every buyer of a process: (code, name, selected).
    pub buyers: Vec<(String, String, bool)>,
    pub flag_choices: Vec<(&'static str, &'static str, bool)>,
    pub method_choices: Vec<(&'static str, bool)>,
    pub year: String,
    pub table: ProcurementTable,
}

/// The table, pager and downloads: the htmx fragment (`HX-Target: procurement-list`), also
/// part of the page.
#[derive(Template)]
#[template(path = "spending/_procurement_table.html")]
pub struct ProcurementTable {
    pub rows: Vec<ProcessRow>,
    pub summary: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub csv_href: String,
    pub json_href: String,
    pub api_href: String,
}

fn export(rows: &[ProcessRow], format: &str) -> HttpResponse {
    if format == "json" {
        return HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"procurement.json\"",
            ))
            .json(rows);
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "ocid",
        "title",
        "buyer",
        "buyer_name",
        "procurement_method",
        "last_release_date",
        "flags",
    ];
    let mut written = out.write_record(header);
    for r in rows {
        let cells = [
            r.ocid.clone(),
            r.title.clone().unwrap_or_default(),
            r.buyer.clone().unwrap_or_default(),
            r.buyer_name.clone().unwrap_or_default(),
            r.procurement_method.clone().unwrap_or_default(),
            r.last_release_date.to_rfc3339(),
            r.flags.join(" "),
        ];
        written =
            written.and_then(|_| out.write_record(cells.iter().map(|c| csv_cell(c).into_owned())));
    }
    let body = match written.and_then(|_| out.into_inner().map_err(|e| e.into_error().into())) {
        Ok(bytes) => bytes,
        Err(e) => return AppError::Internal(format!("csv: {e}")).json_response(),
    };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"procurement.csv\"",
        ))
        .body(body)
}

pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, AppError> {
    let f = Filters::parse(&query)?;
    let filters = f.clone();
    let methods = state.methods.clone();
    let (mut rows, buyers) = state
        .db(move |conn| {
            Ok((
                select(conn, &methods.spending.red_flags, &filters)?,
                buyers(conn)?,
            ))
        })
        .await?;
    if f.format != "html" {
        return Ok(export(&rows, &f.format));
    }
    let total = rows.len();
    let start = (f.page - 1) * PER_PAGE;
    let shown: Vec<ProcessRow> = rows.drain(start.min(total)..).take(PER_PAGE).collect();
    let summary = if total == 0 {
        "No contracting processes match.".to_string()
    } else if shown.is_empty() {
        format!("No rows on page {}; {total} processes match.", f.page)
    } else {
        format!("{}–{} of {total} processes", start + 1, start + shown.len())
    };
    let table = ProcurementTable {
        prev_href: (f.page > 1).then(|| {
            format!(
                "/spending/procurement{}",
                f.query(&[("page", Some((f.page - 1).to_string()))])
            )
        }),
        next_href: (start + shown.len() < total).then(|| {
            format!(
                "/spending/procurement{}",
                f.query(&[("page", Some((f.page + 1).to_string()))])
            )
        }),
        csv_href: format!(
            "/spending/procurement{}",
            f.query(&[("page", None), ("format", Some("csv".into()))])
        ),
        json_href: format!(
            "/spending/procurement{}",
            f.query(&[("page", None), ("format", Some("json".into()))])
        ),
        api_href: format!("/api/v1/spending/procurement{}", f.query(&[])),
        rows: shown,
        summary,
    };
    let fragment = req
        .headers()
        .get("HX-Target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t == "procurement-list");
    let response = if fragment {
        crate::routes::html(&table)?
    } else {
        crate::routes::html(&ProcurementPage {
            layout: Layout::new("Procurement", "/spending"),
            buyers: buyers
                .into_iter()
                .map(|(code, name)| {
                    let selected = code == f.buyer;
                    (code, name, selected)
                })
                .collect(),
            flag_choices: RedFlagRule::ALL
                .iter()
                .map(|r| (r.id(), r.name(), f.flag == Some(*r)))
                .collect(),
            method_choices: METHODS.iter().map(|m| (*m, f.method == *m)).collect(),
            year: f.year.map(|y| y.to_string()).unwrap_or_default(),
            table,
        })?
    };
    Ok(crate::routes::with_vary_hx(response))
}

pub async fn api(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let f = Filters::parse(&query)?;
    let filters = f.clone();
    let methods = state.methods.clone();
    let mut rows = state
        .db(move |conn| select(conn, &methods.spending.red_flags, &filters))
        .await?;
    if f.format != "html" {
        return Ok(export(&rows, &f.format));
    }
    let total = rows.len();
    let start = (f.page - 1) * PER_PAGE;
    let items: Vec<ProcessRow> = rows.drain(start.min(total)..).take(PER_PAGE).collect();
    let next = (start + items.len() < total).then(|| {
        format!(
            "/api/v1/spending/procurement{}",
            f.query(&[("page", Some((f.page + 1).to_string()))])
        )
    });
    Ok(super::json(&serde_json::json!({
        "list": "procurement",
        "page": f.page,
        "per_page": PER_PAGE,
        "total": total,
        "next": next,
        "items": items,
    })))
}
