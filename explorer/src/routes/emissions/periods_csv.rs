//! `/emissions?year=Y&format=csv`: the page's periods table (each quarter of the year, then
//! each year with data) as CSV. A period without reports has an empty emitted and net cell, a
//! `not_reported` status and the reason — never 0 (docs/methods/carbon.md).

use actix_web::HttpResponse;
use bigdecimal::BigDecimal;

use citytrace_reads::carbon::NetPosition;

use crate::listing::csv_line;

const HEADER: [&str; 7] = [
    "period",
    "status",
    "emitted_t_co2e",
    "retired_for_the_city_t_co2e",
    "net_t_co2e",
    "reports_set_aside",
    "not_reported_reason",
];

/// kg as tonnes, exact, without trailing zeros.
fn tonnes(kg: &BigDecimal) -> String {
    (kg / BigDecimal::from(1000)).normalized().to_plain_string()
}

fn record(p: &NetPosition) -> String {
    let known = |kg: &BigDecimal| {
        if p.reported {
            tonnes(kg)
        } else {
            String::new()
        }
    };
    csv_line(
        [
            (p.period.label(), false),
            (
                if p.reported {
                    "reported"
                } else {
                    "not_reported"
                }
                .to_string(),
                false,
            ),
            (known(&p.emissions_kg_co2e), true),
            (tonnes(&p.retired_kg_co2e), true),
            (known(&p.net_kg_co2e), true),
            (p.emissions.set_aside.len().to_string(), true),
            (p.not_reported_reason.clone().unwrap_or_default(), false),
        ]
        .into_iter(),
    )
}

/// The quarters, then the years, as a CSV attachment named for the year.
pub fn periods_csv(year: i32, quarters: &[NetPosition], years: &[NetPosition]) -> HttpResponse {
    let mut body = csv_line(HEADER.iter().map(|h| (h.to_string(), false)));
    for p in quarters.iter().chain(years) {
        body.push_str(&record(p));
    }
    crate::listing::csv_download(&format!("emissions-{year}-periods.csv"), body)
}
