//! `/sites/{code}`: a site or construction project — the materials delivered to it (a list),
//! where they came from, their embodied carbon, the suppliers and contracts behind them and what
//! was paid under those contracts. JSON twin: `/api/v1/sites/{code}`.

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};
use serde::Serialize;

use citytrace_reads::carbon::{site_embodied_carbon, Subtotal};
use citytrace_schema::models::{Party, Site};

use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::listing::ListView;
use crate::lists::materials::DELIVERIES;
use crate::routes::lots::SiteRef;
use crate::routes::provenance::RowSource;
use crate::state::AppState;

/// Deliveries listed in the JSON twin (the full list is `/api/v1/deliveries?to_site=`).
const JSON_DELIVERIES: usize = 500;

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Site code, supplier code, material class or contract ocid; `None`: none given.
    pub key: Option<String>,
    pub label: String,
    #[serde(skip)]
    pub href: String,
    pub kg_co2e: String,
    pub deliveries: usize,
    pub not_computable: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContractRow {
    pub ocid: Option<String>,
    pub title: String,
    #[serde(skip)]
    pub href: String,
    pub kg_co2e: String,
    pub deliveries: usize,
    pub not_computable: usize,
    /// What was paid under the contract (OCDS transactions), per currency: "12500 EUR".
    pub paid: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    pub lot_code: String,
    pub product: String,
    pub quantity: String,
    pub unit: String,
    pub from_site: String,
    pub shipped_on: String,
    pub kg_co2e: Option<String>,
    pub not_computable: Option<String>,
    pub source: RowSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub gln: Option<String>,
    pub operator: Option<SiteRef>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Embodied carbon of everything delivered here (computable deliveries), kg and tonnes.
    pub kg_co2e: String,
    pub t_co2e: String,
    pub deliveries_count: usize,
    pub not_computable: usize,
    pub origins: Vec<Group>,
    pub suppliers: Vec<Group>,
    pub materials: Vec<Group>,
    pub contracts: Vec<ContractRow>,
    pub deliveries: Vec<DeliveryRow>,
    pub deliveries_list: String,
}

fn kg(value: &BigDecimal) -> String {
    value.normalized().to_plain_string()
}

fn group(s: &Subtotal, href: impl Fn(&str) -> String, none: &str) -> Group {
    Group {
        label: s.key.clone().unwrap_or_else(|| none.to_string()),
        href: s.key.as_deref().map(href).unwrap_or_default(),
        key: s.key.clone(),
        kg_co2e: kg(&s.kg_co2e),
        deliveries: s.deliveries,
        not_computable: s.not_computable,
    }
}

#[derive(QueryableByName)]
struct Paid {
    #[diesel(sql_type = Text)]
    ocid: String,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    paid: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
}

fn load(conn: &mut PgConnection, code: &str) -> Result<SiteView, AppError> {
    let site = Site::find_by_code(conn, code)?
        .ok_or_else(|| AppError::NotFound(format!("No site {code} is known.")))?;
    let operator = site
        .party_id
        .map(|id| Party::find(conn, id))
        .transpose()?
        .map(|p| SiteRef {
            href: format!("/parties/{}", fmt::path_segment(&p.code)),
            code: p.code,
            name: p.name,
        });
    let carbon = site_embodied_carbon(conn, site.id, None)?;
    let site_href = |c: &str| format!("/sites/{}", fmt::path_segment(c));
    // Origins: the sites the deliveries left from, in the order they first appear.
    let mut by_origin: Vec<(String, BigDecimal, usize, usize)> = Vec::new();
    for d in &carbon.deliveries {
        let from = &d.delivery.from_site;
        let i = match by_origin.iter().position(|(code, ..)| code == from) {
            Some(i) => i,
            None => {
                by_origin.push((from.clone(), BigDecimal::from(0), 0, 0));
                by_origin.len() - 1
            }
        };
        let (_, total, deliveries, not_computable) = &mut by_origin[i];
        *deliveries += 1;
        match &d.carbon {
            Ok(c) => *total += &c.kg_co2e,
            Err(_) => *not_computable += 1,
        }
    }
    let origins: Vec<Group> = by_origin
        .into_iter()
        .map(|(code, total, deliveries, not_computable)| Group {
            href: site_href(&code),
            label: code.clone(),
            key: Some(code),
            kg_co2e: kg(&total),
            deliveries,
            not_computable,
        })
        .collect();
    let ocids: Vec<String> = carbon
        .by_contract
        .iter()
        .filter_map(|s| s.key.clone())
        .collect();
    let paid: Vec<Paid> = diesel::sql_query(
        "SELECT p.ocid, p.title, sum(t.value)::text AS paid, t.currency \
           FROM procurement_processes p \
           LEFT JOIN procurement_transactions t ON t.ocid = p.ocid \
          WHERE p.ocid = ANY ($1) \
          GROUP BY p.ocid, p.title, t.currency ORDER BY p.ocid, t.currency",
    )
    .bind::<Array<Text>, _>(&ocids)
    .load(conn)?;
    let contracts = carbon
        .by_contract
        .iter()
        .map(|s| {
            let known: Vec<&Paid> = paid
                .iter()
                .filter(|p| Some(&p.ocid) == s.key.as_ref())
                .collect();
            ContractRow {
                title: known
                    .iter()
                    .find_map(|p| p.title.clone())
                    .or_else(|| s.key.clone())
                    .unwrap_or_else(|| "no contract named".into()),
                href: s
                    .key
                    .as_deref()
                    .map(|o| format!("/spending/contracts/{}", fmt::path_segment(o)))
                    .unwrap_or_default(),
                ocid: s.key.clone(),
                kg_co2e: kg(&s.kg_co2e),
                deliveries: s.deliveries,
                not_computable: s.not_computable,
                paid: known
                    .iter()
                    .filter_map(|p| {
                        p.paid
                            .as_ref()
                            .map(|a| format!("{a} {}", p.currency.clone().unwrap_or_default()))
                    })
                    .collect(),
            }
        })
        .collect();
    let deliveries = carbon
        .deliveries
        .iter()
        .take(JSON_DELIVERIES)
        .map(|d| DeliveryRow {
            lot_code: d.delivery.lot_code.clone(),
            product: d.delivery.product_name.clone(),
            quantity: kg(&d.delivery.quantity),
            unit: d.delivery.unit.clone(),
            from_site: d.delivery.from_site.clone(),
            shipped_on: d.delivery.shipped_on.to_string(),
            kg_co2e: d.carbon.as_ref().ok().map(|c| kg(&c.kg_co2e)),
            not_computable: d.carbon.as_ref().err().map(|e| e.to_string()),
            source: RowSource::new(d.delivery.batch_id, d.delivery.line),
        })
        .collect();
    let party_href = |c: &str| format!("/parties/{}", fmt::path_segment(c));
    Ok(SiteView {
        t_co2e: kg(&(&carbon.kg_co2e / BigDecimal::from(1000))),
        kg_co2e: kg(&carbon.kg_co2e),
        deliveries_count: carbon.deliveries.len(),
        not_computable: carbon.not_computable,
        origins,
        suppliers: carbon
            .by_supplier
            .iter()
            .map(|s| group(s, party_href, "unknown"))
            .collect(),
        materials: carbon
            .by_material
            .iter()
            .map(|s| group(s, |_| String::new(), "not classified"))
            .collect(),
        contracts,
        deliveries,
        deliveries_list: format!(
            "/api/v1/deliveries?to_site={}",
            fmt::path_segment(&site.code)
        ),
        code: site.code,
        name: site.name,
        kind: site.kind.replace('_', " "),
        gln: site.gln,
        operator,
        latitude: site.latitude,
        longitude: site.longitude,
    })
}

#[derive(Template)]
#[template(path = "materials/site.html")]
pub struct SitePage {
    pub layout: Layout,
    pub site: SiteView,
    pub list: ListView,
    pub list_href: String,
    pub api_href: String,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let page = state
        .db(move |conn| {
            let site = load(conn, &code)?;
            let list = super::embedded_list(conn, &DELIVERIES, &[("to_site", &site.code)], 20)?;
            Ok(SitePage {
                layout: Layout::new(&format!("Site {}", site.name), "/materials"),
                list_href: super::deliveries_href("to_site", &site.code),
                api_href: format!("/api/v1/sites/{}", fmt::path_segment(&site.code)),
                site,
                list,
            })
        })
        .await?;
    super::super::html(&page)
}

pub async fn api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let site = state.db(move |conn| load(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(site))
}
