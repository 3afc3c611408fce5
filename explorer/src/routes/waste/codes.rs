//! The codes the waste pages show, in words: R/D operations (Waste Framework Directive
//! 2008/98/EC, Annexes I and II) with the class each counts as in the city's rates, and the mass
//! bases of a transfer note. Shown on hover (`<abbr title>`) and in each page's legend.

use citytrace_reads::waste::{treatment_class, TreatmentClass};

/// Every R and D code with its description (Annex II: recovery, Annex I: disposal).
pub const OPERATIONS: &[(&str, &str)] = &[
    (
        "R1",
        "Use principally as a fuel or other means to generate energy",
    ),
    ("R2", "Solvent reclamation/regeneration"),
    (
        "R3",
        "Recycling/reclamation of organic substances not used as solvents",
    ),
    ("R4", "Recycling/reclamation of metals and metal compounds"),
    ("R5", "Recycling/reclamation of other inorganic materials"),
    ("R6", "Regeneration of acids or bases"),
    ("R7", "Recovery of components used for pollution abatement"),
    ("R8", "Recovery of components from catalysts"),
    ("R9", "Oil re-refining or other reuses of oil"),
    (
        "R10",
        "Land treatment resulting in benefit to agriculture or ecological improvement",
    ),
    (
        "R11",
        "Use of waste obtained from any of the operations R1 to R10",
    ),
    (
        "R12",
        "Exchange of waste for any of the operations R1 to R11",
    ),
    (
        "R13",
        "Storage of waste pending any of the operations R1 to R12",
    ),
    ("D1", "Deposit into or onto land (landfill)"),
    ("D2", "Land treatment"),
    ("D3", "Deep injection"),
    ("D4", "Surface impoundment"),
    ("D5", "Specially engineered landfill"),
    ("D6", "Release into a water body except seas/oceans"),
    ("D7", "Release to seas/oceans including sea-bed insertion"),
    (
        "D8",
        "Biological treatment whose final compounds are discarded by D1 to D12",
    ),
    (
        "D9",
        "Physico-chemical treatment whose final compounds are discarded by D1 to D12",
    ),
    ("D10", "Incineration on land"),
    ("D11", "Incineration at sea"),
    ("D12", "Permanent storage"),
    (
        "D13",
        "Blending or mixing prior to any of the operations D1 to D12",
    ),
    (
        "D14",
        "Repackaging prior to any of the operations D1 to D13",
    ),
    ("D15", "Storage pending any of the operations D1 to D14"),
];

/// How a transfer note's mass was found.
pub const MASS_BASES: &[(&str, &str)] = &[
    ("REAL", "weighed on a weighbridge"),
    ("ESTIMATED", "estimated by the producer, not weighed"),
];

/// What an operation counts as in the city's rates.
pub fn class_text(code: &str) -> &'static str {
    match treatment_class(code) {
        Some(TreatmentClass::Recycling) => "recycling",
        Some(TreatmentClass::EnergyRecovery) => "energy recovery",
        Some(TreatmentClass::Landfill) => "landfill",
        Some(TreatmentClass::Incineration) => "incineration",
        Some(TreatmentClass::OtherDisposal) => "other disposal",
        Some(TreatmentClass::Interim) => {
            "interim (storage or pre-treatment before another operation)"
        }
        None => "not an R/D code",
    }
}

/// `R5 — Recycling/reclamation of other inorganic materials (recycling)`: an operation's
/// tooltip.
pub fn operation_title(code: &str) -> String {
    match OPERATIONS.iter().find(|(c, _)| *c == code) {
        Some((_, description)) => format!("{code} — {description} ({})", class_text(code)),
        None => format!("{code} — {}", class_text(code)),
    }
}

/// A mass basis's tooltip; the basis itself when it is not one of [`MASS_BASES`].
pub fn mass_basis_title(basis: &str) -> String {
    MASS_BASES
        .iter()
        .find(|(b, _)| b.eq_ignore_ascii_case(basis))
        .map_or_else(|| basis.to_string(), |(_, text)| (*text).to_string())
}

/// The legend's rows: (code, words), the operations then the mass bases.
pub fn legend() -> Vec<(String, String)> {
    OPERATIONS
        .iter()
        .map(|(code, _)| (code.to_string(), operation_title(code)))
        .chain(
            MASS_BASES
                .iter()
                .map(|(b, text)| (b.to_string(), (*text).to_string())),
        )
        .collect()
}
