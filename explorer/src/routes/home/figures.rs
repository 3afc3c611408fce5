//! The home page's headline figures, each from the derived computations
//! (`citytrace_reads::home::headline`, docs/methods/*.md) over one bounded period (this year),
//! each linking to its area. A figure with nothing behind it says "no data yet"; one that fails
//! is logged and shown as unavailable, without taking the page down. They are computed once per
//! change of the data, not per request ([`HeadlineCache`]).

mod cache;

pub use cache::{HeadlineCache, HeadlineFigures};

use bigdecimal::{BigDecimal, RoundingMode};
use serde::Serialize;

use citytrace_reads::home::headline::{
    CarbonHeadline, ColdChainHeadline, CreditsHeadline, Headline, RecyclingHeadline,
    SpendingHeadline,
};

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub label: String,
    /// The figure; `None`: no data yet (or unavailable, see `detail`).
    pub value: Option<String>,
    pub detail: String,
    pub href: &'static str,
}

fn round(d: &BigDecimal, places: i64) -> String {
    d.with_scale_round(places, RoundingMode::HalfUp)
        .normalized()
        .to_plain_string()
}

/// The figure, and whether it could be computed.
fn figure<T, E: std::fmt::Display>(
    key: &'static str,
    label: String,
    href: &'static str,
    result: &Result<Option<T>, E>,
    show: impl FnOnce(&T) -> (String, String),
    empty: &str,
) -> (Figure, bool) {
    let (value, detail) = match result {
        Ok(Some(t)) => {
            let (v, d) = show(t);
            (Some(v), d)
        }
        Ok(None) => (None, empty.to_string()),
        Err(e) => {
            tracing::warn!(figure = key, error = %e, "home figure failed");
            (None, "not available right now".to_string())
        }
    };
    (
        Figure {
            key,
            label,
            value,
            detail,
            href,
        },
        result.is_ok(),
    )
}

/// The city's budget this fiscal year beside what its departments report as executed and what
/// published payments evidence (OCDS transactions and ledger payments, counted once), with the
/// gap between the two: never one "spent" figure a reader would take for the city's spending.
fn spending(s: &SpendingHeadline) -> (String, String) {
    let currency = &s.currency;
    let whole = |d: &BigDecimal| format!("{} {currency}", crate::fmt::decimal(d, 0));
    let share = |d: &BigDecimal| {
        s.budget
            .as_ref()
            .filter(|b| b.sign() == bigdecimal::num_bigint::Sign::Plus)
            .map(|b| format!("{} %", round(&(d * BigDecimal::from(100) / b), 1)))
    };
    let paid = format!("{} paid as evidenced by published payments", whole(&s.paid));
    let budget = match &s.budget {
        Some(b) => format!("of a {} budget", whole(b)),
        None => "with no budget".to_string(),
    };
    match (&s.executed_reported, &s.executed_not_evidenced) {
        (Some(executed), Some(gap)) => (
            match (share(executed), share(&s.paid)) {
                (Some(e), Some(p)) => format!("{e} executed as reported, {p} paid as evidenced"),
                _ => format!("{} executed as reported", whole(executed)),
            },
            format!(
                "{} executed as the departments report it {budget}; {paid}; {} reported as executed without a published payment",
                whole(executed),
                whole(gap),
            ),
        ),
        _ => (
            match share(&s.paid) {
                Some(p) => format!("{p} paid as evidenced"),
                None => whole(&s.paid),
            },
            format!("{paid} {budget}; no department reports what it executed"),
        ),
    }
}

/// Embodied carbon of the materials delivered this year under a city department's contract.
fn carbon(c: &CarbonHeadline) -> (String, String) {
    let tonnes = &c.kg_co2e / BigDecimal::from(1000);
    let left_out = if c.not_computable > 0 {
        format!(", {} not computable", c.not_computable)
    } else {
        String::new()
    };
    (
        format!("{} t CO2e", round(&tonnes, 1)),
        format!(
            "embodied in {} to city contracts{left_out}",
            match c.deliveries {
                1 => "1 delivery".to_string(),
                n => format!("{} deliveries", crate::fmt::count(n as i64)),
            }
        ),
    )
}

fn recycling(r: &RecyclingHeadline) -> (String, String) {
    (
        format!("{} %", round(&r.recycling_percent, 1)),
        format!(
            "of {} t of waste treated",
            round(&(&r.treated_kg / BigDecimal::from(1000)), 1)
        ),
    )
}

fn cold_chain(c: &ColdChainHeadline) -> (String, String) {
    (
        format!("{} %", round(&c.compliance_rate_pct, 1)),
        format!(
            "of {} shipments within their range or budget; {} in breach",
            c.shipments_assessed, c.breach
        ),
    )
}

/// Credits retired this year: the city's (those counted in its net position) when a beneficiary
/// is configured as the city's (`[methods.carbon]`), otherwise every retirement on the chains
/// followed, saying so.
fn credits(r: &CreditsHeadline) -> (String, String) {
    if !r.city_configured {
        return (
            format!("{} t CO2e", round(&r.tonnes, 3)),
            format!("in {} retirements on chain", r.retirements),
        );
    }
    (
        format!("{} t CO2e", round(&r.city_tonnes, 3)),
        format!(
            "for the city, in {} of {} retirements on chain ({} t in all)",
            r.counted,
            r.retirements,
            round(&r.tonnes, 3)
        ),
    )
}

/// Every headline figure, and whether all could be computed.
pub fn headline(h: &Headline) -> (Vec<Figure>, bool) {
    let year = h.year;
    let figures = vec![
        figure(
            "spending",
            format!("City budget {year}: executed and paid"),
            "/spending#executed-vs-paid",
            &h.spending,
            spending,
            "no budget or payments yet",
        ),
        figure(
            "embodied_carbon",
            format!("Embodied carbon in city projects, {year}"),
            "/emissions",
            &h.carbon,
            carbon,
            "no deliveries under city contracts yet",
        ),
        figure(
            "recycling_rate",
            format!("Waste recycled, {year}"),
            "/waste",
            &h.recycling,
            recycling,
            "no waste treated yet",
        ),
        figure(
            "cold_chain_compliance",
            "Cold-chain compliance".into(),
            "/cold-chain",
            &h.cold_chain,
            cold_chain,
            "no shipments with readings yet",
        ),
        figure(
            "credits_retired",
            format!("Carbon credits retired, {year}"),
            "/emissions",
            &h.credits,
            credits,
            "no retirements yet",
        ),
    ];
    let complete = figures.iter().all(|(_, ok)| *ok);
    (figures.into_iter().map(|(f, _)| f).collect(), complete)
}
