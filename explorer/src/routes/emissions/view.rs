//! The emissions page as the template shows it: figures as text (exact, rounded for display),
//! charts as inline SVG with the same figures in tables.

use std::collections::BTreeMap;

use askama::Template;
use bigdecimal::BigDecimal;

use citytrace_reads::carbon::{NetPosition, SetAsideReason};

use super::Loaded;
use crate::layout::Layout;
use crate::routes::spending::bar_chart::{grouped_bars, Group, Series};
use crate::routes::spending::evidence::{approx, decimal, tonnes, Provenance, TxLink};

pub const NET_METHOD: &str = "Net position = emissions reported by the city's parties (every department, plus configured city parties) for the configured scopes, Scope 2 by one method only, each report counted once (a report counts only when its whole period lies inside the period; overlapping reports count once, widest first) − carbon credits retired on chain for the city (beneficiary address or name configured as the city's, at least the configured finality; 1 token = 1 t CO2e). Credits never reduce the reported inventory: the net position is a separate figure beside it (GHG Protocol).";

/// At most this many retirements are listed on the page; the list `/emissions/credits` and
/// the JSON twin have them all.
pub const RETIREMENTS_SHOWN: usize = 100;

pub struct ScopeRow {
    pub scope: i16,
    pub tonnes: String,
}

pub struct PartyRow {
    pub name: String,
    pub href: String,
    pub scopes: [String; 3],
    pub total: String,
}

pub struct PeriodRow {
    pub label: String,
    pub emitted: String,
    pub retired: String,
    pub net: String,
    pub set_aside: usize,
    /// Why the period is not reported (its emitted cell's tooltip).
    pub not_reported_reason: Option<String>,
}

pub struct FigureRow {
    pub party: String,
    pub href: String,
    pub scope: i16,
    pub category: String,
    pub kg: String,
    pub in_totals: bool,
    pub sources: Vec<Provenance>,
}

pub struct SetAsideRow {
    pub party: String,
    pub scope: i16,
    pub period: String,
    pub kg: String,
    pub reason: String,
    pub source: Option<Provenance>,
}

pub struct SubtotalRow {
    pub key: String,
    pub href: String,
    pub tonnes: String,
    pub deliveries: usize,
    pub not_computable: usize,
}

/// A department's procurement as Scope 3 category 1 (purchased goods and services) and
/// category 2 (capital goods).
pub struct Scope3Row {
    pub name: String,
    pub href: String,
    pub purchased: String,
    pub capital: String,
    pub not_computable: usize,
}

pub struct RetirementRow {
    pub date: String,
    pub tonnes: String,
    pub beneficiary: String,
    pub token: String,
    pub tx: TxLink,
    pub finality: String,
    pub for_city: bool,
    pub counted: bool,
}

#[derive(Template)]
#[template(path = "emissions/show.html")]
pub struct EmissionsPage {
    pub layout: Layout,
    pub year: i32,
    pub years: Vec<(i32, bool)>,
    pub emitted: String,
    pub retired: String,
    pub net: String,
    pub scope2_method: &'static str,
    pub by_scope: Vec<ScopeRow>,
    pub scope_chart: String,
    pub parties: Vec<PartyRow>,
    pub party_chart: String,
    pub quarters: Vec<PeriodRow>,
    pub quarter_chart: String,
    pub history: Vec<PeriodRow>,
    pub figures: Vec<FigureRow>,
    pub set_aside: Vec<SetAsideRow>,
    pub procurement_total: String,
    pub procurement_not_computable: usize,
    pub by_contract: Vec<SubtotalRow>,
    pub by_supplier: Vec<SubtotalRow>,
    pub scope3: Vec<Scope3Row>,
    pub retirements: Vec<RetirementRow>,
    pub retired_all: String,
    /// How many retirements the year has (the page lists at most [`RETIREMENTS_SHOWN`]).
    pub retirements_total: usize,
    /// Whether any beneficiary is configured as the city's (else nothing can count).
    pub city_beneficiaries: bool,
    pub method: &'static str,
}

/// What a period's emitted cell says when no report counts in it.
pub const NOT_REPORTED: &str = "not reported";
/// A period without reports has no net position: its cell shows this.
pub const NO_NET_POSITION: &str = "–";

fn period_row(p: &NetPosition) -> PeriodRow {
    PeriodRow {
        label: p.period.label(),
        emitted: emitted(p),
        retired: tonnes(&p.retired_kg_co2e),
        net: net(p),
        set_aside: p.emissions.set_aside.len(),
        not_reported_reason: p.not_reported_reason.clone(),
    }
}

/// The emissions in tonnes, or "not reported".
fn emitted(p: &NetPosition) -> String {
    if p.reported {
        tonnes(&p.emissions_kg_co2e)
    } else {
        NOT_REPORTED.into()
    }
}

/// The net position in tonnes, or "–" for a period without reports.
fn net(p: &NetPosition) -> String {
    if p.reported {
        tonnes(&p.net_kg_co2e)
    } else {
        NO_NET_POSITION.into()
    }
}

impl EmissionsPage {
    pub fn new(d: Loaded) -> Self {
        let pos = &d.year_position;
        let by_scope: Vec<ScopeRow> = pos
            .emissions
            .by_scope
            .iter()
            .map(|s| ScopeRow {
                scope: s.scope,
                tonnes: tonnes(&s.kg_co2e),
            })
            .collect();
        let scope_chart = grouped_bars(
            &format!("Emissions by scope in {}, t CO2e", d.year),
            &[Series {
                label: "t CO2e",
                class: "bar-1",
            }],
            &pos.emissions
                .by_scope
                .iter()
                .map(|s| Group {
                    label: format!("Scope {}", s.scope),
                    values: vec![Some(approx(&s.kg_co2e) / 1000.0)],
                })
                .collect::<Vec<_>>(),
        );
        // Per party: the figures that count in the totals, per scope.
        let mut per_party: BTreeMap<String, (String, [BigDecimal; 3])> = BTreeMap::new();
        for f in pos.emissions.figures.iter().filter(|f| f.in_totals) {
            let e = per_party
                .entry(f.party_name.clone())
                .or_insert_with(|| (f.party_code.clone(), Default::default()));
            if let Some(slot) = e.1.get_mut((f.scope - 1) as usize) {
                *slot += &f.kg_co2e;
            }
        }
        let parties: Vec<PartyRow> = per_party
            .iter()
            .map(|(name, (code, s))| PartyRow {
                name: name.clone(),
                href: crate::routes::spending::party_href(code),
                scopes: [tonnes(&s[0]), tonnes(&s[1]), tonnes(&s[2])],
                total: tonnes(&(&s[0] + &s[1] + &s[2])),
            })
            .collect();
        let scope_series = [
            Series {
                label: "Scope 1",
                class: "bar-1",
            },
            Series {
                label: "Scope 2",
                class: "bar-2",
            },
            Series {
                label: "Scope 3",
                class: "bar-3",
            },
        ];
        let party_chart = grouped_bars(
            &format!("Emissions per department and scope in {}, t CO2e", d.year),
            &scope_series,
            &per_party
                .iter()
                .map(|(name, (_, s))| Group {
                    label: name.clone(),
                    values: s.iter().map(|v| Some(approx(v) / 1000.0)).collect(),
                })
                .collect::<Vec<_>>(),
        );
        let quarter_chart = grouped_bars(
            &format!(
                "Emissions and credits retired per quarter of {}, t CO2e",
                d.year
            ),
            &[
                Series {
                    label: "Emitted",
                    class: "bar-1",
                },
                Series {
                    label: "Retired",
                    class: "bar-3",
                },
            ],
            &d.quarters
                .iter()
                .map(|q| Group {
                    // A quarter without reports gets no "Emitted" bar, and says why.
                    label: if q.reported {
                        q.period.label()
                    } else {
                        format!("{} ({NOT_REPORTED})", q.period.label())
                    },
                    values: vec![
                        q.reported.then(|| approx(&q.emissions_kg_co2e) / 1000.0),
                        Some(approx(&q.retired_kg_co2e) / 1000.0),
                    ],
                })
                .collect::<Vec<_>>(),
        );
        let figures = pos
            .emissions
            .figures
            .iter()
            .map(|f| FigureRow {
                party: f.party_name.clone(),
                href: crate::routes::spending::party_href(&f.party_code),
                scope: f.scope,
                category: f.category.clone().unwrap_or_default(),
                kg: decimal(&f.kg_co2e, 1),
                in_totals: f.in_totals,
                sources: f
                    .reports
                    .iter()
                    .filter_map(|r| d.sources.get(&(r.batch_id, r.line)).cloned())
                    .collect(),
            })
            .collect();
        let set_aside = pos
            .emissions
            .set_aside
            .iter()
            .map(|s| SetAsideRow {
                party: s.report.party_name.clone(),
                scope: s.report.scope,
                period: format!("{} – {}", s.report.period_start, s.report.period_end),
                kg: decimal(&s.report.kg_co2e, 1),
                reason: match &s.reason {
                    SetAsideReason::ExtendsBeyondPeriod => {
                        "its period extends beyond the year".into()
                    }
                    SetAsideReason::CoveredBy { batch_id, line } => {
                        format!("covered by the report in batch {batch_id}, line {line}")
                    }
                },
                source: d.sources.get(&(s.report.batch_id, s.report.line)).cloned(),
            })
            .collect();
        let subtotal =
            |s: &citytrace_reads::carbon::Subtotal, link: fn(&str) -> String| SubtotalRow {
                key: s.key.clone().unwrap_or_else(|| "none named".into()),
                href: s.key.as_deref().map(link).unwrap_or_default(),
                tonnes: tonnes(&s.kg_co2e),
                deliveries: s.deliveries,
                not_computable: s.not_computable,
            };
        let retirements = pos
            .credits
            .retirements
            .iter()
            .take(RETIREMENTS_SHOWN)
            .map(|r| RetirementRow {
                date: r.block_time.format("%Y-%m-%d").to_string(),
                tonnes: decimal(&r.tonnes, 3),
                beneficiary: r
                    .beneficiary_name
                    .clone()
                    .unwrap_or_else(|| r.beneficiary.clone()),
                token: r.token.clone(),
                tx: TxLink::new(r.chain_id, &r.tx_hash),
                finality: r.finality.clone(),
                for_city: r.for_city,
                counted: r.counted,
            })
            .collect();
        Self {
            layout: Layout::new("Emissions", "/emissions"),
            year: d.year,
            years: d.years.iter().map(|y| (*y, *y == d.year)).collect(),
            emitted: emitted(pos),
            retired: tonnes(&pos.retired_kg_co2e),
            net: net(pos),
            scope2_method: d.settings.scope2_method.as_str(),
            by_scope,
            scope_chart,
            party_chart: if parties.is_empty() {
                String::new()
            } else {
                party_chart
            },
            parties,
            quarters: d.quarters.iter().map(period_row).collect(),
            quarter_chart,
            history: d.history.iter().map(period_row).collect(),
            figures,
            set_aside,
            procurement_total: tonnes(&d.procurement.kg_co2e),
            procurement_not_computable: d.procurement.not_computable,
            by_contract: d
                .procurement
                .by_contract
                .iter()
                .map(|s| subtotal(s, crate::routes::spending::contract_href))
                .collect(),
            by_supplier: d
                .procurement
                .by_supplier
                .iter()
                .map(|s| subtotal(s, crate::routes::spending::party_href))
                .collect(),
            scope3: d
                .scope3
                .iter()
                .map(|p| Scope3Row {
                    name: p.department_name.clone(),
                    href: crate::routes::spending::party_href(&p.department_code),
                    purchased: tonnes(&p.purchased_goods.kg_co2e),
                    capital: tonnes(&p.capital_goods.kg_co2e),
                    not_computable: p.purchased_goods.not_computable
                        + p.capital_goods.not_computable,
                })
                .collect(),
            retirements,
            retired_all: decimal(&pos.credits.tonnes, 3),
            retirements_total: pos.credits.retirements.len(),
            city_beneficiaries: !(d.settings.city_beneficiary_addresses.is_empty()
                && d.settings.city_beneficiary_names.is_empty()),
            method: NET_METHOD,
        }
    }
}
