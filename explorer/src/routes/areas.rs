use actix_web::{web, HttpResponse};
use askama::Template;

use crate::error::AppError;
use crate::layout::{Layout, AREAS};

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
