//! Carbon credits retired on chain in a period, and the city's net position: the emissions its
//! parties reported minus the credits retired for it.
//!
//! A retirement is the city's when its beneficiary address or beneficiary name is one of the
//! settings' (`city_beneficiary_addresses`, `city_beneficiary_names`); it counts in the net
//! position once its finality reaches `min_retirement_finality`. Its period is the UTC date of
//! its block. The city's parties are every party of kind `department` and the settings'
//! `city_parties`.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::emissions::{party_emissions_in_period, EmissionsSummary, SetAsideReason};
use super::period::ReportingPeriod;
use super::{CarbonSettings, RetirementFinality};
use citytrace_schema::models::CarbonRetirement;
use citytrace_schema::schema::{carbon_retirements, parties};

/// One retirement with how it was read for the city.
#[derive(Debug, Clone, Serialize)]
pub struct RetiredCredit {
    pub id: i64,
    pub chain_id: i64,
    pub block_number: i64,
    pub block_time: DateTime<Utc>,
    /// `0x` hex.
    pub tx_hash: String,
    pub log_index: i32,
    pub source: String,
    pub token: String,
    pub beneficiary: String,
    pub beneficiary_name: Option<String>,
    pub retiring_entity: Option<String>,
    pub tonnes: BigDecimal,
    pub finality: String,
    /// The beneficiary is the city's (by address or name).
    pub for_city: bool,
    /// For the city and final enough: in the net position.
    pub counted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetiredCredits {
    pub period: ReportingPeriod,
    pub retirements: Vec<RetiredCredit>,
    /// Every retirement in the period, whoever it was for.
    pub tonnes: BigDecimal,
    /// The city's retirements that count.
    pub city_tonnes: BigDecimal,
}

/// Read `retirements` for the city by `settings`.
pub fn read_retirements(
    retirements: Vec<CarbonRetirement>,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> RetiredCredits {
    let addresses: Vec<String> = settings
        .city_beneficiary_addresses
        .iter()
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    let names: Vec<String> = settings
        .city_beneficiary_names
        .iter()
        .map(|n| n.trim().to_lowercase())
        .collect();
    let mut tonnes = BigDecimal::from(0);
    let mut city_tonnes = BigDecimal::from(0);
    let credits: Vec<RetiredCredit> = retirements
        .into_iter()
        .map(|r| {
            let beneficiary = citytrace_schema::hex0x(&r.beneficiary);
            let by_name = r
                .beneficiary_name
                .as_ref()
                .is_some_and(|n| names.contains(&n.trim().to_lowercase()));
            let for_city = addresses.contains(&beneficiary) || by_name;
            let final_enough = RetirementFinality::parse(&r.finality)
                .is_some_and(|f| f >= settings.min_retirement_finality);
            let counted = for_city && final_enough;
            tonnes += &r.tonnes;
            if counted {
                city_tonnes += &r.tonnes;
            }
            RetiredCredit {
                id: r.id,
                chain_id: r.chain_id,
                block_number: r.block_number,
                block_time: r.block_time,
                tx_hash: citytrace_schema::hex0x(&r.tx_hash),
                log_index: r.log_index,
                source: r.source,
                token: citytrace_schema::hex0x(&r.token),
                beneficiary,
                beneficiary_name: r.beneficiary_name,
                retiring_entity: r.retiring_entity,
                tonnes: r.tonnes,
                finality: r.finality,
                for_city,
                counted,
            }
        })
        .collect();
    RetiredCredits {
        period,
        retirements: credits,
        tonnes: tonnes.normalized(),
        city_tonnes: city_tonnes.normalized(),
    }
}

/// The retirements whose block time (UTC) falls in `period`, in chain order.
pub fn retired_credits(
    conn: &mut PgConnection,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<RetiredCredits> {
    let from = period.start.and_time(NaiveTime::MIN).and_utc();
    let mut query = carbon_retirements::table
        .filter(carbon_retirements::block_time.ge(from))
        .into_boxed();
    if let Some(until) = period.end_exclusive() {
        query = query
            .filter(carbon_retirements::block_time.lt(until.and_time(NaiveTime::MIN).and_utc()));
    }
    let rows = query
        .order((
            carbon_retirements::block_time,
            carbon_retirements::chain_id,
            carbon_retirements::block_number,
            carbon_retirements::log_index,
        ))
        .select(CarbonRetirement::as_select())
        .load(conn)?;
    Ok(read_retirements(rows, period, settings))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityParty {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The city's reported emissions, its retired credits and the difference, for one period.
///
/// A period without a report counted in the net position's scopes is **not reported**
/// (`reported` false): its emissions are unknown, not 0, and it has no net position. Its
/// JSON says so: `status: "not_reported"`, `emissions_kg_co2e`, `net_kg_co2e` and
/// `net_tonnes` null, and `not_reported_reason` (the numbers below stay 0 for code that adds
/// periods up; pages and exports read `reported` first).
#[derive(Debug, Clone)]
pub struct NetPosition {
    pub period: ReportingPeriod,
    pub city_parties: Vec<CityParty>,
    /// The city's parties' reports (all scopes listed; totals per the settings).
    pub emissions: EmissionsSummary,
    /// At least one report of the city's parties counts in the period for a scope of
    /// `net_position_scopes`.
    pub reported: bool,
    /// Why the period is not reported (`None` when it is).
    pub not_reported_reason: Option<String>,
    /// The emissions counted: the scopes of `net_position_scopes`, in kg CO2e.
    pub emissions_kg_co2e: BigDecimal,
    pub credits: RetiredCredits,
    /// The city's counted retirements in kg CO2e (tonnes × 1000).
    pub retired_kg_co2e: BigDecimal,
    /// emissions − retired, in kg CO2e and in tonnes.
    pub net_kg_co2e: BigDecimal,
    pub net_tonnes: BigDecimal,
}

impl Serialize for NetPosition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            period: &'a ReportingPeriod,
            status: &'static str,
            not_reported_reason: Option<&'a str>,
            city_parties: &'a [CityParty],
            emissions: &'a EmissionsSummary,
            emissions_kg_co2e: Option<&'a BigDecimal>,
            credits: &'a RetiredCredits,
            retired_kg_co2e: &'a BigDecimal,
            net_kg_co2e: Option<&'a BigDecimal>,
            net_tonnes: Option<&'a BigDecimal>,
        }
        let reported = |v| self.reported.then_some(v);
        Json {
            period: &self.period,
            status: if self.reported {
                "reported"
            } else {
                "not_reported"
            },
            not_reported_reason: self.not_reported_reason.as_deref(),
            city_parties: &self.city_parties,
            emissions: &self.emissions,
            emissions_kg_co2e: reported(&self.emissions_kg_co2e),
            credits: &self.credits,
            retired_kg_co2e: &self.retired_kg_co2e,
            net_kg_co2e: reported(&self.net_kg_co2e),
            net_tonnes: reported(&self.net_tonnes),
        }
        .serialize(serializer)
    }
}

/// Whether `emissions` has a report counted for one of `scopes`, and if not, why.
pub fn reported_in(emissions: &EmissionsSummary, scopes: &[i16]) -> (bool, Option<String>) {
    let reported = emissions
        .figures
        .iter()
        .any(|f| f.in_totals && scopes.contains(&f.scope));
    if reported {
        return (true, None);
    }
    let longer = emissions
        .set_aside
        .iter()
        .filter(|s| matches!(s.reason, SetAsideReason::ExtendsBeyondPeriod))
        .count();
    let mut reason = "no emission report of the city's parties lies within this period".to_string();
    match longer {
        0 => {}
        1 => reason.push_str("; 1 report covers a longer period and counts only there"),
        n => reason.push_str(&format!(
            "; {n} reports cover a longer period and count only there"
        )),
    }
    (false, Some(reason))
}

/// Emissions − retirements: the counted scopes' kg CO2e minus the city's counted tonnes × 1000.
pub fn net_of(
    emissions: &EmissionsSummary,
    credits: &RetiredCredits,
    scopes: &[i16],
) -> (BigDecimal, BigDecimal, BigDecimal) {
    let emitted = emissions
        .by_scope
        .iter()
        .filter(|s| scopes.contains(&s.scope))
        .fold(BigDecimal::from(0), |sum, s| sum + &s.kg_co2e);
    let retired = &credits.city_tonnes * BigDecimal::from(1000);
    let net = &emitted - &retired;
    (emitted.normalized(), retired.normalized(), net.normalized())
}

/// The city's net position in `period`.
pub fn city_net_position(
    conn: &mut PgConnection,
    period: ReportingPeriod,
    settings: &CarbonSettings,
) -> QueryResult<NetPosition> {
    let city_parties: Vec<CityParty> = parties::table
        .filter(
            parties::kind
                .eq("department")
                .or(parties::code.eq_any(&settings.city_parties)),
        )
        .order(parties::code)
        .select((parties::id, parties::code, parties::name))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, name)| CityParty { id, code, name })
        .collect();
    let ids: Vec<i64> = city_parties.iter().map(|p| p.id).collect();
    let emissions = party_emissions_in_period(conn, &ids, period, settings)?;
    let credits = retired_credits(conn, period, settings)?;
    let (emissions_kg_co2e, retired_kg_co2e, net_kg_co2e) =
        net_of(&emissions, &credits, &settings.net_position_scopes);
    let (digits, scale) = net_kg_co2e.as_bigint_and_exponent();
    let net_tonnes = BigDecimal::new(digits, scale + 3).normalized();
    let (reported, not_reported_reason) = reported_in(&emissions, &settings.net_position_scopes);
    Ok(NetPosition {
        period,
        city_parties,
        reported,
        not_reported_reason,
        emissions,
        emissions_kg_co2e,
        credits,
        retired_kg_co2e,
        net_kg_co2e,
        net_tonnes,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::TimeZone;

    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn retirement(
        id: i64,
        beneficiary: u8,
        name: Option<&str>,
        tonnes: &str,
        finality: &str,
    ) -> CarbonRetirement {
        let mut address = vec![0u8; 20];
        address[19] = beneficiary;
        CarbonRetirement {
            id,
            chain_id: 137,
            block_number: 100 + id,
            block_hash: vec![1; 32],
            block_time: Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap(),
            tx_hash: vec![id as u8; 32],
            log_index: 0,
            contract: vec![2; 20],
            source: "toucan_tco2".into(),
            token: vec![3; 20],
            retiring_address: vec![4; 20],
            beneficiary: address,
            beneficiary_name: name.map(Into::into),
            retiring_entity: None,
            message: None,
            amount: dec("0"),
            tonnes: dec(tonnes),
            finality: finality.into(),
        }
    }

    #[test]
    fn retirements_count_for_the_city_by_address_or_name_once_final() {
        let settings = CarbonSettings {
            city_beneficiary_addresses: vec!["0x00000000000000000000000000000000000000AA".into()],
            city_beneficiary_names: vec!["City of Example".into()],
            ..Default::default()
        };
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        let credits = read_retirements(
            vec![
                retirement(1, 0xaa, None, "12.5", "final"),
                retirement(2, 0xbb, Some(" city of example "), "2.25", "final"),
                retirement(3, 0xaa, None, "4", "pending"),
                retirement(4, 0xcc, Some("Someone else"), "100", "final"),
            ],
            q1,
            &settings,
        );
        // All: 12.5 + 2.25 + 4 + 100 = 118.75 t; the city's final ones 12.5 + 2.25 = 14.75 t.
        assert_eq!(credits.tonnes, dec("118.75"));
        assert_eq!(credits.city_tonnes, dec("14.75"));
        let flags: Vec<_> = credits
            .retirements
            .iter()
            .map(|r| (r.for_city, r.counted))
            .collect();
        assert_eq!(
            flags,
            vec![(true, true), (true, true), (true, false), (false, false)]
        );
        assert_eq!(
            credits.retirements[0].beneficiary,
            "0x00000000000000000000000000000000000000aa"
        );
        // Counting pending retirements too: 14.75 + 4 = 18.75 t.
        let pending = CarbonSettings {
            min_retirement_finality: RetirementFinality::Pending,
            ..settings
        };
        let credits = read_retirements(
            vec![retirement(3, 0xaa, None, "4", "pending")],
            q1,
            &pending,
        );
        assert_eq!(credits.city_tonnes, dec("4"));
    }

    #[test]
    fn no_beneficiary_configured_means_nothing_is_the_citys() {
        let q1 = ReportingPeriod::quarter(2026, 1).unwrap();
        let credits = read_retirements(
            vec![retirement(1, 0xaa, Some("City"), "3", "final")],
            q1,
            &CarbonSettings::default(),
        );
        assert_eq!((credits.tonnes, credits.city_tonnes), (dec("3"), dec("0")));
    }
}
