//! The waste cases the story plants, listed in the manifest: which consignment shows a
//! declared-vs-received or planned-vs-performed mismatch, waste parked under R13, a refused
//! load, hazardous waste, and the custody chains of onward movements.

use super::out::Case;
use super::waste::{kind, Consignment, Kind, CYCLE};

pub(super) fn plant_cases(
    first: &[Consignment],
    fines: &[Consignment],
    asbestos: &[Consignment],
    cases: &mut Vec<Case>,
) {
    let mut add = |kind: &'static str, c: &Consignment, detail: String| {
        cases.push(Case {
            kind,
            reference: c.id.clone(),
            detail,
        })
    };
    for (i, c) in first.iter().enumerate() {
        match kind(i) {
            (Kind::ShortConcrete, true) => add(
                "declared_vs_received_mismatch",
                c,
                format!("declared {} kg, received {} kg", c.kg, c.receipt.kg),
            ),
            (Kind::BackfillMixed, true) => add(
                "planned_vs_performed_mismatch",
                c,
                format!("planned {}, performed {}", c.planned, c.receipt.operation),
            ),
            (Kind::ParkedConcrete, true) => add(
                "parked_under_r13",
                c,
                "received under R13, no onward movement".into(),
            ),
            (Kind::Tar, true) => add("refused_load", c, c.receipt.reason.into()),
            (Kind::Soil, _) if i < CYCLE.len() => add(
                "hazardous_waste",
                c,
                format!("{} {}", c.code, c.description),
            ),
            _ => {}
        }
    }
    if let Some(c) = asbestos.first() {
        add(
            "custody_chain",
            c,
            format!(
                "hazardous: site → transfer station ({}) → treatment",
                c.previous.as_deref().unwrap_or("")
            ),
        );
    }
    if let Some(c) = fines.first() {
        add(
            "custody_chain",
            c,
            format!(
                "site → recycling yard ({}) → landfill",
                c.previous.as_deref().unwrap_or("")
            ),
        );
    }
}
