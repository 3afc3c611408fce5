//! The facility page's read (`/waste/facilities/{code}` and its JSON twin): the site and its
//! mass balance over the latest periods ([`facility_mass_balances`]).

use bigdecimal::ToPrimitive;
use chrono::{DateTime, Utc};
use diesel::dsl::{max, min};
use diesel::prelude::*;

use citytrace_schema::models::Site;
use citytrace_schema::schema::{sites, waste_receipts, waste_transfers};

use super::overview::latest_periods;
use super::{facility_mass_balances, MassBalance, PeriodKind, WasteRules};

/// A facility and its mass balance per period.
#[derive(Debug, Clone)]
pub struct FacilityData {
    pub site: Site,
    /// In period order, without the empty periods before the first movement and after the
    /// last.
    pub balances: Vec<MassBalance>,
}

/// The site with code (or GLN) `code` and its mass balance over the latest `max_periods`
/// periods of `kind` with movements; `None` when no site has that code or GLN.
pub fn load_facility(
    conn: &mut PgConnection,
    rules: &WasteRules,
    code: &str,
    kind: PeriodKind,
    max_periods: usize,
) -> QueryResult<Option<FacilityData>> {
    let site = match Site::find_by_code(conn, code)? {
        Some(site) => site,
        None => match sites::table
            .filter(sites::gln.eq(code))
            .select(Site::as_select())
            .first(conn)
            .optional()?
        {
            Some(site) => site,
            None => return Ok(None),
        },
    };
    let at_site = waste_transfers::to_site_id
        .eq(site.id)
        .or(waste_transfers::from_site_id.eq(site.id));
    let (first, last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = waste_transfers::table
        .filter(at_site)
        .select((
            min(waste_transfers::transferred_at),
            max(waste_transfers::transferred_at),
        ))
        .first(conn)?;
    let last_receipt: Option<DateTime<Utc>> = waste_receipts::table
        .inner_join(waste_transfers::table)
        .filter(waste_transfers::to_site_id.eq(site.id))
        .select(max(waste_receipts::received_at))
        .first(conn)?;
    let mut balances = match (first, last.max(last_receipt)) {
        (Some(first), Some(last)) => {
            let (first, last) = latest_periods(kind, first, last, max_periods);
            facility_mass_balances(conn, site.id, kind, first, last, rules)?
        }
        _ => Vec::new(),
    };
    trim_empty_periods(&mut balances);
    Ok(Some(FacilityData { site, balances }))
}

/// Leading and trailing periods without any figure are only the day of slack either side of
/// the movements: dropped.
fn trim_empty_periods(balances: &mut Vec<MassBalance>) {
    let zero = |b: &MassBalance| {
        [
            &b.received_kg,
            &b.sent_kg,
            &b.stock_start_kg,
            &b.stock_end_kg,
            &b.unexplained_kg,
        ]
        .iter()
        .all(|v| v.to_f64() == Some(0.0))
    };
    let start = balances
        .iter()
        .position(|b| !zero(b))
        .unwrap_or(balances.len());
    let end = balances
        .iter()
        .rposition(|b| !zero(b))
        .map_or(start, |i| i + 1);
    balances.truncate(end.max(start));
    balances.drain(..start);
}
