//! Reported emissions by party, scope, category and period, without counting a figure twice.
//!
//! For a requested period, a report counts when its whole period lies inside it (a report
//! extending beyond is set aside, not pro-rated). Reports of one party, scope, category and
//! activity are taken widest period first (then the latest import first); one whose period
//! overlaps a report already taken is set aside, naming the report that covers it — so a year
//! and its quarters count once, as the year. Scope 2 figures of both methods are listed; the
//! totals add only the settings' method.

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Numeric, SmallInt, Text};
use serde::Serialize;

use super::period::ReportingPeriod;
use super::CarbonSettings;

/// One `emission_reports` row with its party's code and name.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
pub struct ReportedEmission {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub batch_id: i64,
    #[diesel(sql_type = Integer)]
    pub line: i32,
    #[diesel(sql_type = Text)]
    pub submitter: String,
    #[diesel(sql_type = BigInt)]
    pub party_id: i64,
    #[diesel(sql_type = Text)]
    pub party_code: String,
    #[diesel(sql_type = Text)]
    pub party_name: String,
    #[diesel(sql_type = SmallInt)]
    pub scope: i16,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub activity: Option<String>,
    #[diesel(sql_type = Date)]
    pub period_start: NaiveDate,
    #[diesel(sql_type = Date)]
    pub period_end: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub kg_co2e: BigDecimal,
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Text)]
    pub source_document: String,
}

impl ReportedEmission {
    fn period(&self) -> ReportingPeriod {
        ReportingPeriod {
            start: self.period_start,
            end: self.period_end,
        }
    }
}

/// The kg CO2e of one party, scope and category in the period, and the reports behind it.
#[derive(Debug, Clone, Serialize)]
pub struct EmissionFigure {
    pub party_id: i64,
    pub party_code: String,
    pub party_name: String,
    pub scope: i16,
    pub category: Option<String>,
    pub kg_co2e: BigDecimal,
    /// Whether the figure is in the totals (scope 2 of the other method is not).
    pub in_totals: bool,
    pub reports: Vec<ReportedEmission>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetAsideReason {
    /// The report's period extends beyond the requested one.
    ExtendsBeyondPeriod,
    /// Another report of the same party, scope, category and activity covers (part of) its
    /// period: its `emission_reports` row (batch_id, line).
    CoveredBy { batch_id: i64, line: i32 },
}

#[derive(Debug, Clone, Serialize)]
pub struct SetAside {
    pub report: ReportedEmission,
    pub reason: SetAsideReason,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeTotal {
    pub scope: i16,
    pub kg_co2e: BigDecimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmissionsSummary {
    pub period: ReportingPeriod,
    /// By party code, scope, category.
    pub figures: Vec<EmissionFigure>,
    /// Scopes 1, 2 (the settings' method), 3; then their sum.
    pub by_scope: Vec<ScopeTotal>,
    pub kg_co2e: BigDecimal,
    pub set_aside: Vec<SetAside>,
}

/// The summary of `reports` (any that touch `period`) for `period`.
pub fn summarize_emissions(
    reports: Vec<ReportedEmission>,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> EmissionsSummary {
    let mut set_aside = Vec::new();
    type Key = (i64, i16, Option<String>, Option<String>);
    let mut candidates: BTreeMap<Key, Vec<ReportedEmission>> = BTreeMap::new();
    for r in reports {
        if period.contains(&r.period()) {
            let key = (r.party_id, r.scope, r.category.clone(), r.activity.clone());
            candidates.entry(key).or_default().push(r);
        } else {
            set_aside.push(SetAside {
                report: r,
                reason: SetAsideReason::ExtendsBeyondPeriod,
            });
        }
    }
    let mut figures: BTreeMap<(String, i16, Option<String>), EmissionFigure> = BTreeMap::new();
    for (_, mut group) in candidates {
        // Widest period first, then the latest import.
        group.sort_by(|a, b| {
            (b.period().days(), b.batch_id, b.line).cmp(&(a.period().days(), a.batch_id, a.line))
        });
        let mut taken: Vec<ReportedEmission> = Vec::new();
        for r in group {
            if let Some(cover) = taken.iter().find(|t| t.period().overlaps(&r.period())) {
                let reason = SetAsideReason::CoveredBy {
                    batch_id: cover.batch_id,
                    line: cover.line,
                };
                set_aside.push(SetAside { report: r, reason });
            } else {
                taken.push(r);
            }
        }
        for r in taken {
            let in_totals =
                r.scope != 2 || r.category.as_deref() == Some(settings.scope2_method.as_str());
            let figure = figures
                .entry((r.party_code.clone(), r.scope, r.category.clone()))
                .or_insert_with(|| EmissionFigure {
                    party_id: r.party_id,
                    party_code: r.party_code.clone(),
                    party_name: r.party_name.clone(),
                    scope: r.scope,
                    category: r.category.clone(),
                    kg_co2e: BigDecimal::from(0),
                    in_totals,
                    reports: Vec::new(),
                });
            figure.kg_co2e += &r.kg_co2e;
            figure.reports.push(r);
        }
    }
    let mut figures: Vec<EmissionFigure> = figures.into_values().collect();
    for f in &mut figures {
        f.kg_co2e = f.kg_co2e.normalized();
        f.reports
            .sort_by_key(|r| (r.period_start, r.batch_id, r.line));
    }
    let by_scope: Vec<ScopeTotal> = (1..=3)
        .map(|scope| ScopeTotal {
            scope,
            kg_co2e: figures
                .iter()
                .filter(|f| f.scope == scope && f.in_totals)
                .fold(BigDecimal::from(0), |sum, f| sum + &f.kg_co2e)
                .normalized(),
        })
        .collect();
    let kg_co2e = by_scope
        .iter()
        .fold(BigDecimal::from(0), |sum, s| sum + &s.kg_co2e)
        .normalized();
    set_aside.sort_by_key(|s| (s.report.batch_id, s.report.line));
    EmissionsSummary {
        period,
        figures,
        by_scope,
        kg_co2e,
        set_aside,
    }
}

/// Reports touching `period` of the parties `party_ids` (all when `None`).
fn load_reports(
    conn: &mut PgConnection,
    period: ReportingPeriod,
    party_ids: Option<&[i64]>,
) -> QueryResult<Vec<ReportedEmission>> {
    diesel::sql_query(
        "SELECT e.id, e.batch_id, e.line, e.submitter, e.party_id, p.code AS party_code, \
                p.name AS party_name, e.scope, e.category, e.activity, e.period_start, e.period_end, \
                e.kg_co2e, e.method, e.source_document \
           FROM emission_reports e JOIN parties p ON p.id = e.party_id \
          WHERE e.period_start <= $2 AND e.period_end >= $1 \
            AND ($3::bigint[] IS NULL OR e.party_id = ANY($3)) \
          ORDER BY e.batch_id, e.line",
    )
    .bind::<Date, _>(period.start)
    .bind::<Date, _>(period.end)
    .bind::<Nullable<Array<BigInt>>, _>(party_ids)
    .load(conn)
}

/// Every party's emissions in `period`.
pub fn emissions_in_period(
    conn: &mut PgConnection,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<EmissionsSummary> {
    Ok(summarize_emissions(
        load_reports(conn, period, None)?,
        period,
        settings,
    ))
}

/// The emissions of the parties `party_ids` in `period`.
pub fn party_emissions_in_period(
    conn: &mut PgConnection,
    party_ids: &[i64],
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<EmissionsSummary> {
    let reports = load_reports(conn, period, Some(party_ids))?;
    Ok(summarize_emissions(reports, period, settings))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::carbon::Scope2Method;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::from_str(text).unwrap()
    }

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn report(
        line: i32,
        party: i64,
        scope: i16,
        category: Option<&str>,
        from: &str,
        to: &str,
        kg: &str,
    ) -> ReportedEmission {
        ReportedEmission {
            id: line as i64,
            batch_id: 1,
            line,
            submitter: "CLIMATE".into(),
            party_id: party,
            party_code: format!("DEPT-{party}"),
            party_name: format!("Department {party}"),
            scope,
            category: category.map(Into::into),
            activity: None,
            period_start: d(from),
            period_end: d(to),
            kg_co2e: dec(kg),
            method: "m".into(),
            source_document: "doc".into(),
        }
    }

    fn year() -> ReportingPeriod {
        ReportingPeriod::year(2026).unwrap()
    }

    #[test]
    fn no_reports_sum_to_zero() {
        let s = summarize_emissions(vec![], year(), &CarbonSettings::default());
        assert_eq!(s.kg_co2e, dec("0"));
        assert!(s.figures.is_empty() && s.set_aside.is_empty());
        assert_eq!(
            s.by_scope.iter().map(|t| t.scope).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn quarters_add_up_to_the_year_and_a_year_figure_replaces_its_quarters() {
        // Q1 100 + Q2 200.5 = 300.5 for the year when only quarters are reported.
        let quarters = vec![
            report(2, 1, 1, None, "2026-01-01", "2026-03-31", "100"),
            report(3, 1, 1, None, "2026-04-01", "2026-06-30", "200.5"),
        ];
        let s = summarize_emissions(quarters.clone(), year(), &CarbonSettings::default());
        assert_eq!(s.kg_co2e, dec("300.5"));
        assert_eq!(s.figures[0].reports.len(), 2);
        // With the annual statement 1 000 as well: the year counts alone, the quarters it
        // covers are set aside (not 1 300.5).
        let mut with_year = quarters;
        with_year.push(report(4, 1, 1, None, "2026-01-01", "2026-12-31", "1000"));
        let s = summarize_emissions(with_year.clone(), year(), &CarbonSettings::default());
        assert_eq!(s.kg_co2e, dec("1000"));
        assert_eq!(
            s.set_aside
                .iter()
                .map(|a| (a.report.line, a.reason.clone()))
                .collect::<Vec<_>>(),
            vec![
                (
                    2,
                    SetAsideReason::CoveredBy {
                        batch_id: 1,
                        line: 4
                    }
                ),
                (
                    3,
                    SetAsideReason::CoveredBy {
                        batch_id: 1,
                        line: 4
                    }
                ),
            ]
        );
        // Asking for Q1: the quarter's 100; the year extends beyond Q1 and is set aside.
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        let s = summarize_emissions(with_year, q1, &CarbonSettings::default());
        assert_eq!(s.kg_co2e, dec("100"));
        assert_eq!(s.set_aside.len(), 2);
        assert!(s
            .set_aside
            .iter()
            .all(|a| a.reason == SetAsideReason::ExtendsBeyondPeriod));
    }

    #[test]
    fn a_period_ending_exactly_on_the_boundary_counts_and_one_day_past_does_not() {
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        let s = summarize_emissions(
            vec![
                report(2, 1, 1, None, "2026-03-31", "2026-03-31", "7"),
                report(3, 2, 1, None, "2026-03-31", "2026-04-01", "9"),
            ],
            q1,
            &CarbonSettings::default(),
        );
        assert_eq!(s.kg_co2e, dec("7"));
        assert_eq!(s.set_aside[0].report.line, 3);
    }

    #[test]
    fn scope_2_totals_take_one_method_and_figures_keep_both() {
        // Location-based 54 750, market-based 0, scope 1 412 500.25, scope 3 cat 1 184 250.5.
        let reports = vec![
            report(
                2,
                1,
                1,
                Some("mobile_combustion"),
                "2026-01-01",
                "2026-03-31",
                "412500.25",
            ),
            report(
                3,
                1,
                2,
                Some("location_based"),
                "2026-01-01",
                "2026-03-31",
                "54750",
            ),
            report(
                4,
                1,
                2,
                Some("market_based"),
                "2026-01-01",
                "2026-03-31",
                "0",
            ),
            report(5, 2, 3, Some("1"), "2026-01-01", "2026-06-30", "184250.5"),
        ];
        let location = summarize_emissions(reports.clone(), year(), &CarbonSettings::default());
        // 412 500.25 + 54 750 + 184 250.5 = 651 500.75.
        assert_eq!(location.kg_co2e, dec("651500.75"));
        assert_eq!(location.by_scope[1].kg_co2e, dec("54750"));
        assert_eq!(location.figures.len(), 4);
        let market = CarbonSettings {
            scope2_method: Scope2Method::MarketBased,
            ..Default::default()
        };
        // 412 500.25 + 0 + 184 250.5 = 596 750.75.
        assert_eq!(
            summarize_emissions(reports, year(), &market).kg_co2e,
            dec("596750.75")
        );
    }

    #[test]
    fn partial_overlaps_keep_the_wider_report_and_the_same_period_the_latest_import() {
        // H1 (181 days) 500 and Apr–Sep (183 days) 600 overlap: Apr–Sep is wider and counts;
        // Q4 80 does not overlap it and counts too: 600 + 80 = 680.
        let mut restated = report(5, 1, 1, None, "2026-10-01", "2026-12-31", "80");
        restated.batch_id = 2;
        let reports = vec![
            report(2, 1, 1, None, "2026-01-01", "2026-06-30", "500"),
            report(3, 1, 1, None, "2026-04-01", "2026-09-30", "600"),
            report(4, 1, 1, None, "2026-10-01", "2026-12-31", "75"),
            restated,
        ];
        let s = summarize_emissions(reports, year(), &CarbonSettings::default());
        assert_eq!(s.kg_co2e, dec("680"));
        // The Q4 figure of batch 1 line 4 was re-stated by batch 2 line 5: that one counts.
        let lines: Vec<_> = s
            .set_aside
            .iter()
            .map(|a| (a.report.line, a.reason.clone()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (
                    2,
                    SetAsideReason::CoveredBy {
                        batch_id: 1,
                        line: 3
                    }
                ),
                (
                    4,
                    SetAsideReason::CoveredBy {
                        batch_id: 2,
                        line: 5
                    }
                ),
            ]
        );
    }
}
