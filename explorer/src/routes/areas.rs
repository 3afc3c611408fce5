use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_schema::models::{Lot, Product};

use super::home::LotLink;
use crate::error::AppError;
use crate::fmt;
use crate::layout::{Layout, AREAS};
use crate::AppState;

#[derive(Template)]
#[template(path = "materials.html")]
pub struct MaterialsPage {
    pub layout: Layout,
    pub lots: Vec<LotLink>,
}

/// `GET /materials`: the latest lots. Trace graphs and site pages come with the explorer issue.
pub async fn materials(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let page = state
        .db(|conn| {
            let lots = Lot::latest(conn, 100)?
                .into_iter()
                .map(|l| {
                    let product = Product::find(conn, l.product_id)?.name;
                    Ok(LotLink {
                        href: format!("/lots/{}", fmt::path_segment(&l.code)),
                        code: l.code,
                        product,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(MaterialsPage {
                layout: Layout::new("Materials", "/materials"),
                lots,
            })
        })
        .await?;
    super::html(&page)
}

#[derive(Template)]
#[template(path = "not_built.html")]
pub struct NotBuiltPage {
    pub layout: Layout,
    pub area: String,
    pub what: &'static str,
}

/// An area whose pages are not built yet says so plainly.
pub async fn not_built(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let href = format!("/{slug}");
    let (_, label) = AREAS
        .iter()
        .find(|(p, _)| *p == href)
        .ok_or_else(|| AppError::NotFound(format!("No area {slug}.")))?;
    let what = match slug.as_str() {
        "emissions" => "emissions by scope and department, embodied carbon of materials, and carbon credits retired",
        _ => "budgets, procurement and payments, with red flags",
    };
    super::html(&NotBuiltPage {
        layout: Layout::new(
            label,
            AREAS
                .iter()
                .find(|(p, _)| *p == href)
                .map_or("", |(p, _)| p),
        ),
        area: label.to_string(),
        what,
    })
}
