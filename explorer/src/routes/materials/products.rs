//! `/products/{code}`: a product's master data — every imported version, its EPD carbon factor
//! and cold-chain range — and its lots (a list). JSON twin: `/api/v1/products/{code}`.

use actix_web::{web, HttpResponse};
use askama::Template;
use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use citytrace_schema::models::Product;
use citytrace_schema::schema::{product_versions, products};

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

type VersionTuple = (
    i64,
    i32,
    String,
    String,
    String,
    Option<String>,
    Option<BigDecimal>,
    Option<BigDecimal>,
    Option<BigDecimal>,
);

fn load(conn: &mut PgConnection, code: &str) -> Result<ProductView, AppError> {
    let product: Product = products::table
        .filter(products::code.eq(code))
        .select(Product::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("No product {code} is known.")))?;
    let (version_batch, version_line): (Option<i64>, Option<i32>) = products::table
        .find(product.id)
        .select((products::version_batch_id, products::version_line))
        .first(conn)?;
    let versions: Vec<VersionTuple> = product_versions::table
        .filter(product_versions::code.eq(&product.code))
        .order((product_versions::batch_id, product_versions::line))
        .select((
            product_versions::batch_id,
            product_versions::line,
            product_versions::submitter,
            product_versions::name,
            product_versions::unit,
            product_versions::epd_ref,
            product_versions::gwp_per_unit,
            product_versions::min_temp_c,
            product_versions::max_temp_c,
        ))
        .load(conn)?;
    let lots: i64 = citytrace_schema::schema::lots::table
        .filter(citytrace_schema::schema::lots::product_id.eq(product.id))
        .count()
        .get_result(conn)?;
    Ok(ProductView {
        versions: versions
            .into_iter()
            .map(
                |(batch_id, line, submitter, name, unit, epd_ref, gwp, min, max)| VersionRow {
                    current: Some(batch_id) == version_batch && Some(line) == version_line,
                    submitter,
                    name,
                    unit,
                    epd_ref,
                    gwp_per_unit: decimal(&gwp),
                    cold_chain: range(&min, &max),
                    source: RowSource::new(batch_id, line),
                },
            )
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
    })
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
            let product = load(conn, &code)?;
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
    let product = state.db(move |conn| load(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(product))
}
