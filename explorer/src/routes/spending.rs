//! The spending area: budget vs actual per department and COFOG function, procurement with
//! red flags, a contracting process's page, a budget line's money trail and a party's page.
//! Every page has a JSON twin under `/api/v1`. The figures come from
//! `citytrace_reads::spending` (docs/methods/spending.md); these files only show them.

pub(crate) mod bar_chart;
mod budget_line;
mod contract;
pub(crate) mod evidence;
mod overview;
mod party;
pub(crate) mod procurement;

use std::collections::HashMap;

use actix_web::{web, HttpResponse};

use citytrace_reads::spending::processes::PartyName;

use crate::error::AppError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/spending", web::get().to(overview::page))
        .route("/api/v1/spending", web::get().to(overview::api))
        .route("/spending/procurement", web::get().to(procurement::page))
        .route(
            "/api/v1/spending/procurement",
            web::get().to(procurement::api),
        )
        .route(
            "/spending/contracts/{ocid:.+}",
            web::get().to(contract::page),
        )
        .route(
            "/api/v1/spending/contracts/{ocid:.+}",
            web::get().to(contract::api),
        )
        .route(
            "/spending/budget/{year}/{line:.+}",
            web::get().to(budget_line::page),
        )
        .route(
            "/api/v1/spending/budget/{year}/{line:.+}",
            web::get().to(budget_line::api),
        )
        .route("/parties/{code:.+}", web::get().to(party::page))
        .route("/api/v1/parties/{code:.+}", web::get().to(party::api));
}

/// COFOG divisions (UN Classification of the Functions of Government).
pub fn cofog_name(code: &str) -> &'static str {
    match code.get(..2).unwrap_or("") {
        "01" => "General public services",
        "02" => "Defence",
        "03" => "Public order and safety",
        "04" => "Economic affairs",
        "05" => "Environmental protection",
        "06" => "Housing and community amenities",
        "07" => "Health",
        "08" => "Recreation, culture and religion",
        "09" => "Education",
        "10" => "Social protection",
        _ => "Unknown function",
    }
}

/// A party as pages link to it.
#[derive(Clone, serde::Serialize)]
pub struct PartyLink {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub href: String,
}

/// Links to the parties a read named, by id.
pub fn party_links(names: &HashMap<i64, PartyName>) -> HashMap<i64, PartyLink> {
    names
        .iter()
        .map(|(&id, p)| {
            let link = PartyLink {
                id,
                href: party_href(&p.code),
                code: p.code.clone(),
                name: p.name.clone(),
            };
            (id, link)
        })
        .collect()
}

pub fn party_href(code: &str) -> String {
    format!("/parties/{}", crate::fmt::path_segment(code))
}

pub fn contract_href(ocid: &str) -> String {
    format!("/spending/contracts/{}", crate::fmt::path_segment(ocid))
}

pub fn budget_line_href(year: i32, line: &str) -> String {
    format!("/spending/budget/{year}/{}", crate::fmt::path_segment(line))
}

/// A JSON body (the twins of the pages).
pub fn json<T: serde::Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok().json(value)
}

/// `?year=` of a page: a fiscal year, or none.
pub fn year_param(query: &crate::query::QueryParams) -> Result<Option<i32>, AppError> {
    match query.get("year") {
        None => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "year must be a year such as 2026, not {}",
                    crate::query::quoted(v)
                ))
            }),
    }
}
