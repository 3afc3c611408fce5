//! `/sites/{code}`: a site or construction project — the materials delivered to it (a list),
//! where they came from, their embodied carbon, the suppliers and contracts behind them and what
//! was paid under those contracts. JSON twin: `/api/v1/sites/{code}`.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use serde::Serialize;

use citytrace_reads::carbon::Subtotal;
use citytrace_reads::materials::{load_site, ContractPaid, SiteData};

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
    /// The site's or supplier's name (its code when none is registered).
    pub label: String,
    /// The code in small type after the name, when they differ.
    #[serde(skip)]
    pub code_shown: Option<String>,
    #[serde(skip)]
    pub href: String,
    pub kg_co2e: String,
    /// "2.12 t CO2e".
    #[serde(skip)]
    pub co2e_shown: String,
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
    #[serde(skip)]
    pub co2e_shown: String,
    pub deliveries: usize,
    pub not_computable: usize,
    /// What was paid under the contract (OCDS transactions), per currency: "12 500.00 EUR".
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
    /// The same as people read it: "2.12 t CO2e".
    #[serde(skip)]
    pub co2e_shown: String,
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

/// `code` by its registered name, and the code to show after it when they differ.
fn named(code: &str, names: &HashMap<String, String>) -> (String, Option<String>) {
    match names.get(code) {
        Some(name) if name != code => (name.clone(), Some(code.to_string())),
        _ => (code.to_string(), None),
    }
}

fn group(
    s: &Subtotal,
    href: impl Fn(&str) -> String,
    names: &HashMap<String, String>,
    none: &str,
) -> Group {
    let (label, code_shown) = match s.key.as_deref() {
        Some(code) => named(code, names),
        None => (none.to_string(), None),
    };
    Group {
        label,
        code_shown,
        href: s.key.as_deref().map(href).unwrap_or_default(),
        key: s.key.clone(),
        kg_co2e: kg(&s.kg_co2e),
        co2e_shown: fmt::co2e(&s.kg_co2e),
        deliveries: s.deliveries,
        not_computable: s.not_computable,
    }
}

fn contract_row(s: &Subtotal, paid: &[ContractPaid]) -> ContractRow {
    let known: Vec<&ContractPaid> = paid
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
        co2e_shown: fmt::co2e(&s.kg_co2e),
        deliveries: s.deliveries,
        not_computable: s.not_computable,
        paid: known
            .iter()
            .filter_map(|p| {
                let amount = p.paid.as_deref()?.parse::<BigDecimal>().ok()?;
                Some(fmt::money(Some(&amount), p.currency.as_deref()))
            })
            .collect(),
    }
}

impl SiteView {
    fn new(data: SiteData) -> Self {
        let SiteData {
            site,
            operator,
            carbon,
            origins,
            paid,
            site_names,
            party_names,
        } = data;
        let operator = operator.map(|p| SiteRef {
            href: format!("/parties/{}", fmt::path_segment(&p.code)),
            code: p.code,
            name: p.name,
        });
        let site_href = |c: &str| crate::routes::provenance::site_href(c);
        let origins: Vec<Group> = origins
            .into_iter()
            .map(|o| {
                let (label, code_shown) = named(&o.site_code, &site_names);
                Group {
                    href: site_href(&o.site_code),
                    label,
                    code_shown,
                    key: Some(o.site_code),
                    kg_co2e: kg(&o.kg_co2e),
                    co2e_shown: fmt::co2e(&o.kg_co2e),
                    deliveries: o.deliveries,
                    not_computable: o.not_computable,
                }
            })
            .collect();
        let contracts = carbon
            .by_contract
            .iter()
            .map(|s| contract_row(s, &paid))
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
        Self {
            t_co2e: kg(&(&carbon.kg_co2e / BigDecimal::from(1000))),
            co2e_shown: fmt::co2e(&carbon.kg_co2e),
            kg_co2e: kg(&carbon.kg_co2e),
            deliveries_count: carbon.deliveries.len(),
            not_computable: carbon.not_computable,
            origins,
            suppliers: carbon
                .by_supplier
                .iter()
                .map(|s| group(s, party_href, &party_names, "unknown"))
                .collect(),
            materials: carbon
                .by_material
                .iter()
                .map(|s| group(s, |_| String::new(), &HashMap::new(), "not classified"))
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
        }
    }
}

/// The site `code` as its page shows it; 404 when no site has that code.
fn site_view(data: Option<SiteData>, code: &str) -> Result<SiteView, AppError> {
    data.map(SiteView::new)
        .ok_or_else(|| AppError::NotFound(format!("No site {code} is known.")))
}

#[derive(Template)]
#[template(path = "materials/site.html")]
pub struct SitePage {
    pub layout: Layout,
    pub site: SiteView,
    pub list: ListView,
    pub list_href: String,
    pub api_href: String,
    pub map: crate::map::MapView,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let page = state
        .db(move |conn| {
            let site = site_view(load_site(conn, &code)?, &code)?;
            let list = super::embedded_list(conn, &DELIVERIES, &[("to_site", &site.code)], 20)?;
            let map = citytrace_reads::map::load_site_map_by_code(conn, &site.code)?;
            let map = crate::map::MapView::new(
                &map.unwrap_or_default(),
                "site-map",
                &format!("Where the deliveries to {} came from", site.name),
            );
            Ok(SitePage {
                layout: Layout::new(&format!("Site {}", site.name), "/materials"),
                list_href: super::deliveries_href("to_site", &site.code),
                api_href: format!("/api/v1/sites/{}", fmt::path_segment(&site.code)),
                site,
                list,
                map,
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
    let site = state
        .db(move |conn| site_view(load_site(conn, &code)?, &code))
        .await?;
    Ok(HttpResponse::Ok().json(site))
}
