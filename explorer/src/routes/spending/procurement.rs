//! `GET /spending/procurement` and `/api/v1/spending/procurement`: every contracting process
//! with its red-flag badges, filtered by buyer, flag, procurement method and year (all in the
//! URL), paged, and exported whole as CSV or JSON (`?format=csv|json`).
//!
//! The flags are computed in Rust (docs/methods/spending.md), so this list is not a SQL
//! `ListDef`; it is walked a chunk of processes at a time (`citytrace_reads::spending::processes`: keyset
//! order, each chunk's flags computed from the chunk's facts and its buyers' neighbouring
//! awards), so a page holds one page of rows and an export streams each chunk to the response
//! as it is computed: memory stays bounded whatever the number of processes.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use askama::Template;

use bigdecimal::BigDecimal;

use citytrace_reads::spending::process_money::ProcessMoney;
use citytrace_reads::spending::processes::{
    each_process_chunk, load_buyers, load_process_list, load_release_years, walk_of, PartyName,
    ProcessFilter,
};
use citytrace_reads::spending::{
    ProcessFlagSummary, RedFlagRule, RedFlagRules, PROCESSES_PER_CHUNK,
};

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::listing::{query::encode, stream_download, Download, RowChunks};
use crate::state::AppState;

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
    pub(crate) fn parse(q: &crate::query::QueryParams) -> Result<Self, AppError> {
        let get = |k: &str| q.get(k).unwrap_or_default().to_string();
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
    /// Who won: the suppliers of its awards, by name.
    pub suppliers: Vec<super::PartyLink>,
    pub procurement_method: Option<String>,
    pub last_release_date: chrono::DateTime<chrono::Utc>,
    /// Awarded and paid so far (each payment once), per currency, exact.
    pub money: Vec<AwardedAndPaid>,
    /// Red-flag keys; `flag_names` the same in words.
    pub flags: Vec<&'static str>,
    pub flag_names: Vec<&'static str>,
    pub href: String,
    #[serde(skip)]
    pub buyer_href: String,
}

/// What a process awarded and has paid so far in one currency.
#[derive(serde::Serialize)]
pub struct AwardedAndPaid {
    pub currency: String,
    pub awarded: Option<BigDecimal>,
    pub paid: BigDecimal,
}

impl AwardedAndPaid {
    fn of(money: Option<&ProcessMoney>) -> Vec<Self> {
        let Some(m) = money else {
            return Vec::new();
        };
        let currencies: std::collections::BTreeSet<&String> =
            m.awarded.keys().chain(m.paid.keys()).collect();
        currencies
            .into_iter()
            .map(|c| Self {
                currency: c.clone(),
                awarded: m.awarded.get(c).cloned(),
                paid: m.paid.get(c).cloned().unwrap_or_default(),
            })
            .collect()
    }
}

impl ProcessRow {
    /// "950 000.00 EUR" per currency; "not reported" when nothing was awarded with a value.
    pub fn awarded_text(&self) -> String {
        join_money(self.money.iter().map(|m| (m.awarded.as_ref(), &m.currency)))
    }

    pub fn paid_text(&self) -> String {
        join_money(self.money.iter().map(|m| (Some(&m.paid), &m.currency)))
    }
}

fn join_money<'a>(parts: impl Iterator<Item = (Option<&'a BigDecimal>, &'a String)>) -> String {
    let texts: Vec<String> = parts
        .filter_map(|(v, c)| v.map(|v| crate::fmt::money(Some(v), Some(c))))
        .collect();
    if texts.is_empty() {
        crate::fmt::money(None, None)
    } else {
        texts.join(" + ")
    }
}

impl Filters {
    /// What the read selects.
    fn selection(&self) -> ProcessFilter {
        ProcessFilter {
            buyer: (!self.buyer.is_empty()).then(|| self.buyer.clone()),
            method: (!self.method.is_empty()).then(|| self.method.clone()),
            year: self.year,
            flag: self.flag,
        }
    }
}

/// The list's rows for `processes`, with their buyers' codes and names, their suppliers and
/// money.
fn rows_of(
    processes: Vec<ProcessFlagSummary>,
    buyers: &HashMap<i64, PartyName>,
    money: &HashMap<String, ProcessMoney>,
) -> Vec<ProcessRow> {
    processes
        .into_iter()
        .map(|p| {
            let buyer = p.buyer_id.and_then(|id| buyers.get(&id));
            let m = money.get(&p.ocid);
            ProcessRow {
                suppliers: m
                    .map(|m| {
                        m.suppliers
                            .iter()
                            .map(|s| super::PartyLink {
                                id: s.id,
                                href: super::party_href(&s.code),
                                code: s.code.clone(),
                                name: s.name.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                money: AwardedAndPaid::of(m),
                flag_names: p.flags.iter().map(|r| r.name()).collect(),
                href: super::contract_href(&p.ocid),
                buyer_href: buyer
                    .map(|b| super::party_href(&b.code))
                    .unwrap_or_default(),
                ocid: p.ocid,
                title: p.title,
                buyer: buyer.map(|b| b.code.clone()),
                buyer_name: buyer.map(|b| b.name.clone()),
                procurement_method: p.procurement_method,
                last_release_date: p.last_release_date,
                flags: p.flags.iter().map(|r| r.id()).collect(),
            }
        })
        .collect()
}

/// The page `f.page` of the processes the filters select, newest release first, and how many
/// match in all (from one snapshot).
pub fn select_page(
    conn: &mut diesel::PgConnection,
    rules: &RedFlagRules,
    f: &Filters,
) -> Result<(usize, Vec<ProcessRow>), AppError> {
    let page = load_process_list(
        conn,
        rules,
        &f.selection(),
        (f.page - 1) * PER_PAGE,
        PER_PAGE,
    )?;
    Ok((
        page.total,
        rows_of(page.processes, &page.buyers, &page.money),
    ))
}

#[derive(Template)]
#[template(path = "spending/procurement.html")]
pub struct ProcurementPage {
    pub layout: Layout,
    /// Every buyer of a process: (code, name, selected).
    pub buyers: Vec<(String, String, bool)>,
    pub flag_choices: Vec<(&'static str, &'static str, bool)>,
    pub method_choices: Vec<(&'static str, bool)>,
    /// The years of the processes' latest releases: (year, selected).
    pub year_choices: Vec<(i32, bool)>,
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

const CSV_HEADER: [&str; 14] = [
    "ocid",
    "title",
    "buyer",
    "buyer_name",
    "procurement_method",
    "last_release_date",
    "flags",
    "flag_names",
    "suppliers",
    "supplier_codes",
    "awarded",
    "awarded_currency",
    "paid",
    "paid_currency",
];

/// Every process the filters select, as CSV or JSON (`f.format`), newest release first: walked
/// a chunk at a time in one snapshot, each chunk written to the response as it is computed.
async fn export(state: &AppState, f: Filters) -> Result<HttpResponse, AppError> {
    let methods = state.methods.clone();
    let download = Download::csv_or_json(&f.format, "procurement");
    stream_download(
        state.pool.clone(),
        "procurement",
        download,
        move |conn, sink| {
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(|conn| {
                    let walk = walk_of(conn, &f.selection())?;
                    let Some(mut out) = RowChunks::start(&f.format, &CSV_HEADER, csv_cells, sink)?
                    else {
                        return Ok(());
                    };
                    let mut more = true;
                    if let Some(walk) = walk {
                        each_process_chunk(
                            conn,
                            &methods.spending.red_flags,
                            &walk,
                            PROCESSES_PER_CHUNK,
                            |processes, buyers, money| {
                                more = out.send(sink, &rows_of(processes, &buyers, &money))?;
                                Ok::<bool, AppError>(more)
                            },
                        )?;
                    }
                    if more {
                        out.finish(sink);
                    }
                    Ok(())
                })
        },
    )
    .await
}

/// A row's CSV cells: the columns of before issue 12 first, in their order, then who won and
/// the money. Amounts are exact; a process paid in several currencies has one amount
/// per currency, space-separated, in the order of its currency column.
fn csv_cells(r: &ProcessRow) -> Vec<String> {
    let joined =
        |f: &dyn Fn(&AwardedAndPaid) -> String| r.money.iter().map(f).collect::<Vec<_>>().join(" ");
    let awarded: Vec<&AwardedAndPaid> = r.money.iter().filter(|m| m.awarded.is_some()).collect();
    vec![
        r.ocid.clone(),
        r.title.clone().unwrap_or_default(),
        r.buyer.clone().unwrap_or_default(),
        r.buyer_name.clone().unwrap_or_default(),
        r.procurement_method.clone().unwrap_or_default(),
        r.last_release_date.to_rfc3339(),
        r.flags.join(" "),
        r.flag_names.join("; "),
        r.suppliers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        r.suppliers
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        awarded
            .iter()
            .filter_map(|m| m.awarded.as_ref().map(exact))
            .collect::<Vec<_>>()
            .join(" "),
        awarded
            .iter()
            .map(|m| m.currency.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        joined(&|m| exact(&m.paid)),
        joined(&|m| m.currency.clone()),
    ]
}

fn exact(v: &BigDecimal) -> String {
    v.normalized().to_plain_string()
}

pub async fn page(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, AppError> {
    let f = Filters::parse(&query)?;
    if f.format != "html" {
        return export(&state, f).await;
    }
    let filters = f.clone();
    let methods = state.methods.clone();
    let ((total, shown), buyers, years) = state
        .db(move |conn| {
            Ok((
                select_page(conn, &methods.spending.red_flags, &filters)?,
                load_buyers(conn)?,
                load_release_years(conn)?,
            ))
        })
        .await?;
    let start = (f.page - 1) * PER_PAGE;
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
            year_choices: years.into_iter().map(|y| (y, f.year == Some(y))).collect(),
            table,
        })?
    };
    Ok(crate::routes::with_vary_hx(response))
}

pub async fn api(
    state: web::Data<AppState>,
    query: crate::query::QueryParams,
) -> Result<HttpResponse, ApiError> {
    let f = Filters::parse(&query)?;
    if f.format != "html" {
        return Ok(export(&state, f).await?);
    }
    let filters = f.clone();
    let methods = state.methods.clone();
    let (total, items) = state
        .db(move |conn| select_page(conn, &methods.spending.red_flags, &filters))
        .await?;
    let start = (f.page - 1) * PER_PAGE;
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
