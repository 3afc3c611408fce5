//! `/waste/consignments/{id}`: one consignment's custody chain, its transfer note and
//! receipt, and its flags ([`load_consignment`]).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Serialize;

use std::collections::HashMap;

use citytrace_reads::waste::{
    load_consignment, ConsignmentData, ConsignmentFlags, TrustedStep, WasteRules,
};

use super::{codes, flag_texts, kg};
use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::routes::evidence::{local_time, parse_offset, SourceRow, Trust};
use crate::state::AppState;

/// `17 01 01*`.
pub fn ewc_display(code: &str, hazardous: bool) -> String {
    let pairs = (code.len() == 6 && code.is_ascii())
        .then(|| Some((code.get(..2)?, code.get(2..4)?, code.get(4..)?)))
        .flatten();
    let spaced = match pairs {
        Some((chapter, section, entry)) => format!("{chapter} {section} {entry}"),
        None => code.to_string(),
    };
    if hazardous {
        format!("{spaced}*")
    } else {
        spaced
    }
}

fn operation_text(code: &str) -> String {
    format!("{code} — {}", super::codes::class_text(code))
}

/// A site by name (its code in small type beside it), linked to its facility page.
#[derive(Serialize)]
pub struct SiteLink {
    pub code: String,
    pub name: String,
    pub href: String,
}

impl SiteLink {
    fn new(code: &str, names: &HashMap<String, String>) -> Self {
        Self {
            code: code.to_string(),
            name: names.get(code).cloned().unwrap_or_else(|| code.to_string()),
            href: format!("/waste/facilities/{}", fmt::path_segment(code)),
        }
    }
}

/// A lot the consignment became (recycled aggregate), linked.
#[derive(Serialize)]
pub struct BecameView {
    pub lot_code: String,
    pub product: String,
    pub production_code: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct ReceiptView {
    /// `accepted` or `refused`.
    pub status: String,
    pub received_kg: Option<String>,
    pub operation: Option<String>,
    pub operation_text: Option<String>,
    /// The operation in words, for its tooltip.
    pub operation_title: Option<String>,
    pub refusal_reason: Option<String>,
    pub received_at: String,
    pub submitter: String,
    pub source: SourceRow,
    pub trust: Trust,
}

#[derive(Serialize)]
pub struct StepView {
    /// −1 the consignment it came from, 0 this one, 1 the ones that moved it on, …
    pub depth: i32,
    pub consignment_id: String,
    pub href: String,
    pub current: bool,
    pub ewc_code: String,
    pub hazardous: bool,
    pub description: Option<String>,
    pub producer: String,
    pub from_site: SiteLink,
    pub carrier: String,
    pub carrier_licence: String,
    pub facility: SiteLink,
    pub declared_kg: String,
    pub mass_basis: String,
    pub mass_basis_title: String,
    pub transferred_at: String,
    pub planned_operation: String,
    pub planned_text: String,
    pub planned_title: String,
    pub previous_consignment_id: Option<String>,
    pub source: SourceRow,
    pub trust: Trust,
    pub receipt: Option<ReceiptView>,
    /// received − declared, when a mass was received.
    pub difference_kg: Option<String>,
}

#[derive(Serialize)]
pub struct ConsignmentView {
    pub consignment_id: String,
    pub api_href: String,
    /// The custody chain, by depth then by when each left.
    pub chain: Vec<StepView>,
    /// The lots it became (recycled aggregate), linked forward.
    pub became: Vec<BecameView>,
    pub flags: Vec<String>,
    pub flag_figures: Option<ConsignmentFlags>,
    pub mass_tolerance_percent: String,
}

impl ConsignmentView {
    pub fn this(&self) -> Option<&StepView> {
        self.chain.iter().find(|s| s.current)
    }
}

fn step_view(trusted: &TrustedStep, names: &HashMap<String, String>) -> StepView {
    let step = &trusted.step;
    let t = &step.consignment.transfer;
    // A receipt's trust is loaded with it: both or neither.
    let receipt = step
        .consignment
        .receipt
        .as_ref()
        .zip(trusted.receipt_trust.as_ref())
        .map(|(r, trust)| ReceiptView {
            status: r.status.clone(),
            received_kg: r.mass_received_kg.as_ref().map(kg),
            operation_text: r.operation.as_deref().map(operation_text),
            operation_title: r.operation.as_deref().map(codes::operation_title),
            operation: r.operation.clone(),
            refusal_reason: r.refusal_reason.clone(),
            received_at: format!(
                "{} ({})",
                local_time(r.received_at, &parse_offset(&r.received_offset)),
                r.received_offset
            ),
            submitter: r.submitter.clone(),
            source: SourceRow::new(r.batch_id, r.line),
            trust: Trust::of(trust),
        });
    let difference_kg = step
        .consignment
        .receipt
        .as_ref()
        .and_then(|r| r.mass_received_kg.as_ref())
        .map(|received| kg(&(received - &t.mass_kg)));
    StepView {
        depth: step.depth,
        href: format!(
            "/waste/consignments/{}",
            fmt::path_segment(&t.consignment_id)
        ),
        consignment_id: t.consignment_id.clone(),
        current: step.depth == 0,
        ewc_code: ewc_display(&t.ewc_code, t.hazardous),
        hazardous: t.hazardous,
        description: t.description.clone(),
        producer: t.producer.clone(),
        from_site: SiteLink::new(&t.from_site, names),
        carrier: t.carrier.clone(),
        carrier_licence: t.carrier_licence.clone(),
        facility: SiteLink::new(&t.to_site, names),
        declared_kg: kg(&t.mass_kg),
        mass_basis: t.mass_basis.clone(),
        mass_basis_title: codes::mass_basis_title(&t.mass_basis),
        transferred_at: format!(
            "{} ({})",
            local_time(t.transferred_at, &parse_offset(&t.transferred_offset)),
            t.transferred_offset
        ),
        planned_text: operation_text(&t.planned_operation),
        planned_title: codes::operation_title(&t.planned_operation),
        planned_operation: t.planned_operation.clone(),
        previous_consignment_id: t.previous_consignment_id.clone(),
        source: SourceRow::new(t.batch_id, t.line),
        trust: Trust::of(&trusted.transfer_trust),
        receipt,
        difference_kg,
    }
}

impl ConsignmentView {
    fn new(rules: &WasteRules, id: &str, data: ConsignmentData) -> Self {
        let flags = data.flags;
        Self {
            consignment_id: id.to_string(),
            api_href: format!("/api/v1/waste/consignments/{}", fmt::path_segment(id)),
            chain: data
                .chain
                .iter()
                .map(|s| step_view(s, &data.site_names))
                .collect(),
            became: data
                .became
                .iter()
                .map(|b| BecameView {
                    href: crate::routes::provenance::lot_href(&b.lot_code),
                    lot_code: b.lot_code.clone(),
                    product: b.product.clone(),
                    production_code: b.production_code.clone(),
                })
                .collect(),
            flags: flags.as_ref().map(flag_texts).unwrap_or_default(),
            flag_figures: flags,
            mass_tolerance_percent: rules.mass_tolerance_percent.to_plain_string(),
        }
    }
}

/// The consignment `id` as its page shows it; 404 when no consignment has that id.
async fn consignment_view(state: &AppState, id: String) -> Result<ConsignmentView, AppError> {
    let methods = state.methods.clone();
    state
        .db(move |conn| {
            let rules = &methods.waste;
            let data = load_consignment(conn, rules, &id, Utc::now())?
                .ok_or_else(|| AppError::NotFound(format!("No consignment {id} is known.")))?;
            Ok(ConsignmentView::new(rules, &id, data))
        })
        .await
}

#[derive(Template)]
#[template(path = "waste/consignment.html")]
pub struct ConsignmentPage {
    pub layout: Layout,
    pub c: ConsignmentView,
    /// The R/D codes and mass bases in words.
    pub legend: Vec<(String, String)>,
}

/// `GET /waste/consignments/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let c = consignment_view(&state, path.into_inner()).await?;
    super::super::html(&ConsignmentPage {
        layout: Layout::new(&format!("Consignment {}", c.consignment_id), "/waste"),
        c,
        legend: codes::legend(),
    })
}

/// `GET /api/v1/waste/consignments/{id}`.
pub async fn show_api(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = consignment_view(&state, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(c))
}

#[cfg(test)]
mod tests {
    use super::ewc_display;

    #[test]
    fn ewc_codes_are_spaced_and_other_text_is_shown_whole() {
        assert_eq!(ewc_display("170101", false), "17 01 01");
        assert_eq!(ewc_display("170503", true), "17 05 03*");
        // Six bytes that are not six ASCII characters: never cut inside a character.
        assert_eq!(ewc_display("1é701", false), "1é701");
        assert_eq!(ewc_display("ééé", true), "ééé*");
        assert_eq!(ewc_display("17 01 01", false), "17 01 01");
    }
}
