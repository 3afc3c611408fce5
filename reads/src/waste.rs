//! Waste: custody chains, declared vs received mass, treatment mismatches, parked waste, facility mass balance, city rates (docs/methods/waste.md).
//!
//! Every computation works on [`Consignment`]s: a transfer note (`waste_transfers`) with the
//! receiving facility's receipt (`waste_receipts`), if any. The queries here load them; the
//! computations are plain functions over the loaded rows, so they are tested with hand-computed
//! values. Masses are exact (`BigDecimal`, kg); percentages are rounded half-up to 2 decimals
//! for display, while every threshold is checked on the exact values.
//!
//! The pages' loaders: [`load_waste_overview`] (the city's rates and the flagged
//! consignments), [`load_consignment`] (a custody chain with its flags) and [`load_facility`]
//! (a facility's mass balance).
//!
//! Dates: a period (month, quarter, year) holds the movements whose *local* date, as written
//! with its UTC offset on the transfer note or receipt, falls in it — the date the producer,
//! carrier and facility see on their papers. Ages (how long waste has been parked) are exact
//! durations between instants.

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use citytrace_schema::models::{WasteReceipt, WasteTransfer};
use citytrace_schema::schema::{waste_receipts, waste_transfers};

mod consignment;
mod custody;
mod facility;
mod flags;
mod mass_balance;
mod operation;
mod overview;
mod period;
mod rates;

pub use consignment::{load_consignment, ConsignmentData, MadeFrom, TrustedStep};
pub use custody::{custody_chain, CustodyStep};
pub use facility::{load_facility, FacilityData};
pub use flags::{
    consignment_flags, flag_consignment, flag_consignments, flagged_consignments, ConsignmentFlags,
    HazardousInNonHazardousOut, MassDifference, OperationMismatch, ParkedWaste, Refusal,
};
pub use mass_balance::{
    facility_mass_balance, facility_mass_balances, mass_balance, mass_balances_in, MassBalance,
};
pub use operation::{is_interim, treatment_class, Operation, TreatmentClass};
pub use overview::{load_waste_overview, FlaggedConsignment, WasteOverview};
pub use period::{Period, PeriodKind};
pub use rates::{
    city_rates, rates_by_chapter, ChapterRates, CityRates, TreatmentRates, TreatmentTotals,
};

/// The waste thresholds the standards leave to the city: read from `[methods.waste]` in
/// `citytrace.toml`; missing keys take the defaults below (all citytrace defaults, see
/// docs/methods/waste.md, "Settings").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WasteRules {
    /// Declared vs received mass: a consignment is flagged when |received − declared| is more
    /// than this percentage of the declared mass. Default 5.
    #[serde(deserialize_with = "decimal_setting")]
    pub mass_tolerance_percent: BigDecimal,
    /// Waste accepted under an interim operation (R12, R13, D13, D14, D15) and not moved on is
    /// flagged as parked once it has been there for more than this many days. Default 180.
    pub parked_after_days: u32,
    /// A facility's mass balance is flagged when |unexplained| is more than this percentage of
    /// the mass it had to account for (received in the period + stock at its start). Default 5.
    #[serde(deserialize_with = "decimal_setting")]
    pub mass_balance_tolerance_percent: BigDecimal,
}

impl Default for WasteRules {
    fn default() -> Self {
        Self {
            mass_tolerance_percent: BigDecimal::from(5),
            parked_after_days: 180,
            mass_balance_tolerance_percent: BigDecimal::from(5),
        }
    }
}

/// A percentage from the configuration: `5`, `2.5` or `"2.5"`. A TOML float becomes the decimal
/// it is written as (`0.1` is 0.1, not the nearest binary fraction), so "exactly on the
/// tolerance" means what the configuration says.
fn decimal_setting<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BigDecimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Integer(i64),
        Float(f64),
        Text(String),
    }
    let text = match Written::deserialize(deserializer)? {
        Written::Integer(i) => return Ok(BigDecimal::from(i)),
        Written::Float(f) => f.to_string(),
        Written::Text(s) => s.trim().to_string(),
    };
    text.parse::<BigDecimal>()
        .map_err(|e| serde::de::Error::custom(format!("not a decimal number: {text:?} ({e})")))
}

/// One consignment: its transfer note and, once the facility has recorded it, its receipt.
#[derive(Debug, Clone, Serialize)]
pub struct Consignment {
    pub transfer: WasteTransfer,
    pub receipt: Option<WasteReceipt>,
}

impl Consignment {
    pub fn consignment_id(&self) -> &str {
        &self.transfer.consignment_id
    }

    /// The receipt, if it was recorded at or before `as_of`.
    pub fn receipt_as_of(&self, as_of: DateTime<Utc>) -> Option<&WasteReceipt> {
        self.receipt.as_ref().filter(|r| r.received_at <= as_of)
    }

    /// The receipt if the facility accepted the consignment.
    pub fn accepted(&self) -> Option<&WasteReceipt> {
        self.receipt.as_ref().filter(|r| r.status == "accepted")
    }

    /// Whether the facility refused the consignment.
    pub fn refused(&self) -> bool {
        self.receipt.as_ref().is_some_and(|r| r.status == "refused")
    }

    /// The mass the facility accepted and the operation it performed.
    pub fn accepted_mass_and_operation(&self) -> Option<(&BigDecimal, &str)> {
        let receipt = self.accepted()?;
        Some((
            receipt.mass_received_kg.as_ref()?,
            receipt.operation.as_deref()?,
        ))
    }

    /// The date the waste left, as written on the transfer note (its own UTC offset).
    pub fn transferred_on(&self) -> NaiveDate {
        local_date(
            self.transfer.transferred_at,
            &self.transfer.transferred_offset,
        )
    }

    /// The date the facility received it, as written on the receipt.
    pub fn received_on(&self) -> Option<NaiveDate> {
        self.receipt
            .as_ref()
            .map(|r| local_date(r.received_at, &r.received_offset))
    }

    /// Consignments with these ids (unknown ids are left out).
    pub fn by_ids(conn: &mut PgConnection, ids: &[&str]) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(waste_transfers::consignment_id.eq_any(ids))
                .into_boxed(),
        )
    }

    /// Consignments whose transfer notes are these `waste_transfers` rows.
    pub fn by_transfer_ids(
        conn: &mut PgConnection,
        transfer_ids: &[i64],
    ) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(waste_transfers::id.eq_any(transfer_ids))
                .into_boxed(),
        )
    }

    /// Consignments that moved waste on from the consignment `id` (whose
    /// `previous_consignment_id` is `id`).
    pub fn onward_of(conn: &mut PgConnection, id: &str) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(waste_transfers::previous_consignment_id.eq(id))
                .into_boxed(),
        )
    }

    /// Every consignment that left at or before `as_of`, with its receipt.
    pub fn transferred_by(
        conn: &mut PgConnection,
        as_of: DateTime<Utc>,
    ) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(waste_transfers::transferred_at.le(as_of))
                .into_boxed(),
        )
    }

    /// Consignments that went to or left the site `site_id` before `until`.
    pub fn at_site_before(
        conn: &mut PgConnection,
        site_id: i64,
        until: DateTime<Utc>,
    ) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(
                    waste_transfers::to_site_id
                        .eq(site_id)
                        .or(waste_transfers::from_site_id.eq(site_id)),
                )
                .filter(waste_transfers::transferred_at.lt(until))
                .into_boxed(),
        )
    }

    /// Consignments received (accepted or refused) at or after `from` and before `until`.
    pub fn received_between(
        conn: &mut PgConnection,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> QueryResult<Vec<Consignment>> {
        load(
            conn,
            waste_transfers::table
                .left_join(waste_receipts::table)
                .filter(waste_receipts::received_at.ge(from))
                .filter(waste_receipts::received_at.lt(until))
                .into_boxed(),
        )
    }
}

type ConsignmentQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::LeftJoin<waste_transfers::table, waste_receipts::table>,
    diesel::pg::Pg,
>;

fn load(conn: &mut PgConnection, query: ConsignmentQuery<'_>) -> QueryResult<Vec<Consignment>> {
    let rows: Vec<(WasteTransfer, Option<WasteReceipt>)> = query
        .order((
            waste_transfers::transferred_at,
            waste_transfers::consignment_id,
        ))
        .select((
            WasteTransfer::as_select(),
            Option::<WasteReceipt>::as_select(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(transfer, receipt)| Consignment { transfer, receipt })
        .collect())
}

/// The calendar date of `at` at the UTC offset it was written with (`+02:00`); UTC if the
/// offset cannot be read (the importers only store well-formed ones).
pub fn local_date(at: DateTime<Utc>, offset: &str) -> NaiveDate {
    match parse_offset(offset) {
        Some(offset) => at.with_timezone(&offset).date_naive(),
        None => at.date_naive(),
    }
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = if let Some(rest) = text.strip_prefix('+') {
        (1, rest)
    } else {
        (-1, text.strip_prefix('-')?)
    };
    let (hours, minutes) = rest.split_once(':')?;
    let seconds = hours.parse::<i32>().ok()? * 3600 + minutes.parse::<i32>().ok()? * 60;
    FixedOffset::east_opt(sign * seconds)
}

/// `part` as a percentage of `whole`, rounded half-up to 2 decimals; `None` when `whole` is 0.
pub(crate) fn percent_of(part: &BigDecimal, whole: &BigDecimal) -> Option<BigDecimal> {
    if whole.is_zero() {
        return None;
    }
    Some((part * BigDecimal::from(100) / whole).with_scale_round(2, RoundingMode::HalfUp))
}

/// Whether |`value`| is more than `tolerance_percent` % of `base` (exact: |value| × 100 >
/// tolerance × base, so a value exactly on the tolerance is within it).
pub(crate) fn exceeds_percent(
    value: &BigDecimal,
    base: &BigDecimal,
    tolerance_percent: &BigDecimal,
) -> bool {
    value.abs() * BigDecimal::from(100) > tolerance_percent * base
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap()
    }

    #[test]
    fn default_rules_are_the_documented_ones() {
        let rules = WasteRules::default();
        assert_eq!(rules.mass_tolerance_percent, dec("5"));
        assert_eq!(rules.parked_after_days, 180);
        assert_eq!(rules.mass_balance_tolerance_percent, dec("5"));
    }

    #[test]
    fn rules_read_integers_floats_and_strings_and_default_missing_keys() {
        let rules: WasteRules = serde_json::from_str(
            r#"{"mass_tolerance_percent": 0.1, "mass_balance_tolerance_percent": "2.5"}"#,
        )
        .unwrap();
        // 0.1 as written, not 0.1000000000000000055511151231257827 (the f64 nearest 0.1).
        assert_eq!(rules.mass_tolerance_percent, dec("0.1"));
        assert_eq!(rules.mass_balance_tolerance_percent, dec("2.5"));
        assert_eq!(rules.parked_after_days, 180);
        let rules: WasteRules =
            serde_json::from_str(r#"{"mass_tolerance_percent": 7, "parked_after_days": 90}"#)
                .unwrap();
        assert_eq!(
            (rules.mass_tolerance_percent, rules.parked_after_days),
            (dec("7"), 90)
        );
        assert!(serde_json::from_str::<WasteRules>(r#"{"mass_tolerance_percent": "x"}"#).is_err());
    }

    #[test]
    fn local_date_uses_the_offset_as_written() {
        // 2026-05-31T23:30Z is 1 June at +02:00 and still 31 May at -05:00.
        let at = DateTime::parse_from_rfc3339("2026-05-31T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            local_date(at, "+02:00"),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
        assert_eq!(
            local_date(at, "-05:00"),
            NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()
        );
        assert_eq!(
            local_date(at, "+05:30"),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
        assert_eq!(
            local_date(at, "garbage"),
            NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()
        );
    }

    #[test]
    fn percentages_round_half_up_and_thresholds_are_exact() {
        // 1 / 3 = 33.333…% → 33.33; 2 / 3 = 66.666…% → 66.67; 1 / 8 = 12.5% exactly.
        assert_eq!(percent_of(&dec("1"), &dec("3")), Some(dec("33.33")));
        assert_eq!(percent_of(&dec("2"), &dec("3")), Some(dec("66.67")));
        assert_eq!(percent_of(&dec("1"), &dec("8")), Some(dec("12.50")));
        // 0.00125 of 1 = 0.125% → 0.13 (half-up), and -0.125% → -0.13 (away from zero).
        assert_eq!(percent_of(&dec("0.00125"), &dec("1")), Some(dec("0.13")));
        assert_eq!(percent_of(&dec("-0.00125"), &dec("1")), Some(dec("-0.13")));
        assert_eq!(percent_of(&dec("5"), &dec("0")), None);
        // 5% of 200 is 10: 10 is on the tolerance, 10.000001 above it, -10.000001 too.
        assert!(!exceeds_percent(&dec("10"), &dec("200"), &dec("5")));
        assert!(!exceeds_percent(&dec("-10"), &dec("200"), &dec("5")));
        assert!(exceeds_percent(&dec("10.000001"), &dec("200"), &dec("5")));
        assert!(exceeds_percent(&dec("-10.000001"), &dec("200"), &dec("5")));
        // Anything but 0 exceeds a tolerance of a base of 0.
        assert!(exceeds_percent(&dec("0.1"), &dec("0"), &dec("5")));
        assert!(!exceeds_percent(&dec("0"), &dec("0"), &dec("5")));
    }
}
