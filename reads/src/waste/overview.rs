//! The waste page's read (`/waste` and its JSON twin): the city's treatment rates over the
//! latest periods, and the consignments flagged now with their transfer note's row and trust.

use std::collections::HashMap;

use bigdecimal::Zero;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::dsl::{max, min};
use diesel::prelude::*;

use citytrace_schema::models::TrustState;
use citytrace_schema::schema::{waste_receipts, waste_transfers};

use super::{
    city_rates, flagged_consignments, CityRates, ConsignmentFlags, Period, PeriodKind, WasteRules,
};
use crate::trust::TrustOfBatches;

/// Everything the waste page shows (but its list).
#[derive(Debug, Clone)]
pub struct WasteOverview {
    /// The latest periods first; periods with nothing treated and nothing in interim storage
    /// are left out.
    pub rates: Vec<CityRates>,
    pub flagged: Vec<FlaggedConsignment>,
}

/// A consignment flagged now, with the row of its transfer note.
#[derive(Debug, Clone)]
pub struct FlaggedConsignment {
    pub flags: ConsignmentFlags,
    /// The transfer note's imported row: (batch id, line).
    pub source: Option<(i64, i32)>,
    /// How far that row's batch can be trusted.
    pub trust: Option<TrustState>,
}

/// The dates to compute the latest `max_periods` periods of `kind` for, when movements span
/// `first` to `last`: a day either side, since the local date decides which period a
/// movement is in.
pub(super) fn latest_periods(
    kind: PeriodKind,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    max_periods: usize,
) -> (NaiveDate, NaiveDate) {
    let (first, last) = (
        first.date_naive() - Duration::days(1),
        last.date_naive() + Duration::days(1),
    );
    let periods = Period::covering(kind, first, last);
    let first = periods
        .len()
        .checked_sub(max_periods)
        .and_then(|skip| periods.get(skip))
        .map_or(first, |p| p.start);
    (first, last)
}

/// The city's rates for the latest `max_periods` periods of `kind` and the consignments
/// flagged as of `now`, from one snapshot (a read-only, repeatable-read transaction).
pub fn load_waste_overview(
    conn: &mut PgConnection,
    rules: &WasteRules,
    kind: PeriodKind,
    max_periods: usize,
    now: DateTime<Utc>,
) -> QueryResult<WasteOverview> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            let (first, last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
                waste_receipts::table
                    .select((
                        min(waste_receipts::received_at),
                        max(waste_receipts::received_at),
                    ))
                    .first(conn)?;
            let mut rates = Vec::new();
            if let (Some(first), Some(last)) = (first, last) {
                let (first, last) = latest_periods(kind, first, last, max_periods);
                rates = city_rates(conn, kind, first, last)?
                    .into_iter()
                    .rev()
                    .filter(|p| !(p.totals.treated_kg.is_zero() && p.totals.interim_kg.is_zero()))
                    .collect();
            }
            Ok(WasteOverview {
                rates,
                flagged: load_flagged(conn, rules, now)?,
            })
        })
}

/// The consignments flagged as of `now`, with their transfer note's row and its trust.
fn load_flagged(
    conn: &mut PgConnection,
    rules: &WasteRules,
    now: DateTime<Utc>,
) -> QueryResult<Vec<FlaggedConsignment>> {
    let flags = flagged_consignments(conn, rules, now)?;
    let ids: Vec<i64> = flags.iter().map(|f| f.transfer_id).collect();
    let rows: HashMap<i64, (i64, i32)> = waste_transfers::table
        .filter(waste_transfers::id.eq_any(&ids))
        .select((
            waste_transfers::id,
            waste_transfers::batch_id,
            waste_transfers::line,
        ))
        .load::<(i64, i64, i32)>(conn)?
        .into_iter()
        .map(|(id, batch, line)| (id, (batch, line)))
        .collect();
    let mut trust = TrustOfBatches::default();
    flags
        .into_iter()
        .map(|flags| {
            let source = rows.get(&flags.transfer_id).copied();
            let trust = source.map(|(batch, _)| trust.of(conn, batch)).transpose()?;
            Ok(FlaggedConsignment {
                flags,
                source,
                trust,
            })
        })
        .collect()
}
