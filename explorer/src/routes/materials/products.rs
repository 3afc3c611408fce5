//! `/products/{code}`: a product's master data — every imported version, its EPD carbon factor
//! and cold-chain range — and its lots (a list). JSON twin: `/api/v1/products/{code}`.

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use serde::Serialize;

use citytrace_reads::materials::{load_product, ProductData, ProductVersion};

use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::listing::ListView;
use crate::lists::materials::LOTS;
use crate::routes::provenance::RowSource;
use crate::state::AppState;

/// One imported row of the product's master data.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    pub submitter: String,
    pub name: String,
    pub unit: String,
    pub epd_ref: Option<String>,
    pub gwp_per_unit: Option<String>,
    pub cold_chain: Option<String>,
    pub source: RowSource,
    /// The version whose values the product holds now.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    pub code: String,
    pub name: String,
    pub gtin: Option<String>,
    pub material_class: Option<String>,
    pub unit: String,
    pub epd_ref: Option<String>,
    /// kg CO2e (EN 15804 A1–A3) per one `unit`.
    pub gwp_per_unit: Option<String>,
    /// The version that set the current values.
    pub source: Option<RowSource>,
    /// "2 to 8 °C", when the product has a temperature range.
    pub cold_chain: Option<String>,
    pub max_excursion_minutes: Option<i32>,
    pub max_single_excursion_minutes: Option<i32>,
    pub logging_interval_minutes: Option<i32>,
    pub lots: i64,
    pub versions: Vec<VersionRow>,
    pub lots_list: String,
}

fn decimal(d: &Option<BigDecimal>) -> Option<String> {
    d.as_ref().map(|d| d.normalized().to_plain_string())
}

fn range(min: &Option<BigDecimal>, max: &Option<BigDecimal>) -> Option<String> {
    match (decimal(min), decimal(max)) {
        (Some(a), Some(b)) => Some(format!("{a} to {b} °C")),
        (Some(a), None) => Some(format!("at least {a} °C")),
        (None, Some(b)) => Some(format!("at most {b} °C")),
        (None, None) => None,
    }
}

impl VersionRow {
    fn new(v: ProductVersion, (batch, line): (Option<i64>, Option<i32>)) -> Self {
        Self {
            current: Some(v.batch_id) == batch && Some(v.line) == line,
            submitter: v.submitter,
            name: v.name,
            unit: v.unit,
            epd_ref: v.epd_ref,
            gwp_per_unit: decimal(&v.gwp_per_unit),
            cold_chain: range(&v.min_temp_c, &v.max_temp_c),
            source: RowSource::new(v.batch_id, v.line),
        }
    }
}

impl ProductView {
    fn new(data: ProductData) -> Self {
        let ProductData {
            product,
            current_version,
            versions,
            lots,
        } = data;
        let (version_batch, version_line) = current_version;
        Self {
            versions: versions
                .into_iter()
                .map(|v| VersionRow::new(v, current_version))
                .collect(),
            source: version_batch
                .zip(version_line)
                .map(|(b, l)| RowSource::new(b, l)),
            cold_chain: range(&product.min_temp_c, &product.max_temp_c),
            gwp_per_unit: decimal(&product.gwp_per_unit),
            lots_list: format!("/api/v1/lots?product={}", fmt::path_segment(&product.code)),
            lots,
            code: product.code,
            name: product.name,
            gtin: product.gtin,
            material_class: product.material_class,
            unit: product.unit,
            epd_ref: product.epd_ref,
            max_excursion_minutes: product.max_excursion_minutes,
            max_single_excursion_minutes: product.max_single_excursion_minutes,
            logging_interval_minutes: product.logging_interval_minutes,
        }
    }
}

/// The product `code` as its page shows it; 404 when no product has that code.
fn product_view(data: Option<ProductData>, code: &str) -> Result<ProductView, AppError> {
    data.map(ProductView::new)
        .ok_or_else(|| AppError::NotFound(format!("No product {code} is known.")))
}

#[derive(Template)]
#[template(path = "materials/product.html")]
pub struct ProductPage {
    pub layout: Layout,
    pub product: ProductView,
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
            let product = product_view(load_product(conn, &code)?, &code)?;
            let list = super::embedded_list(conn, &LOTS, &[("product", &product.code)], 20)?;
            let segment = fmt::path_segment(&product.code);
            Ok(ProductPage {
                layout: Layout::new(&format!("Product {}", product.name), "/materials"),
                list_href: format!("{}?product={segment}", LOTS.path),
                api_href: format!("/api/v1/products/{segment}"),
                product,
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
    let product = state
        .db(move |conn| product_view(load_product(conn, &code)?, &code))
        .await?;
    Ok(HttpResponse::Ok().json(product))
}
