//! The rules that look at one process alone: single bid, short tender period, direct award
//! above the threshold, amendments raising the value, payments exceeding the contract, winning
//! bid close to the estimate.

use bigdecimal::{BigDecimal, RoundingMode, Zero};

use super::facts::{ContractFacts, ProcessFacts};
use super::{FlagSubject, RedFlag, RedFlagRule, RedFlagRules};
use crate::spending::money::{exceeds_by_more_than, percent, plain, Money};
use crate::spending::payments::{total_in, Payment};
use crate::spending::{Figure, FigureReading};

/// Every within-process rule, in [`RedFlagRule`] order.
pub fn evaluate_within(p: &ProcessFacts, rules: &RedFlagRules) -> Vec<RedFlag> {
    let mut flags = Vec::new();
    flags.extend(single_bid(p, rules));
    flags.extend(short_tender_period(p, rules));
    flags.extend(direct_award_above_threshold(p, rules));
    flags.extend(amendments_raise_value(p, rules));
    flags.extend(payments_exceed_contract(p, rules));
    flags.extend(winning_bid_close_to_estimate(p, rules));
    flags
}

fn process_flag(rule: RedFlagRule, figures: Vec<Figure>) -> RedFlag {
    RedFlag {
        rule,
        subject: FlagSubject::Process,
        figures,
    }
}

fn method_figure(method: &str) -> Figure {
    Figure::new("procurement method", method, "tender.procurementMethod")
}

fn category_figure(category: Option<&str>) -> Figure {
    Figure::new(
        "procurement category",
        category.unwrap_or("(not given: goods thresholds)"),
        "tender.mainProcurementCategory",
    )
}

/// Only one tenderer in an open or selective procedure: `tender.numberOfTenderers` = 1, or,
/// when the publisher does not give that number, exactly one bid received in `bids.details`.
fn single_bid(p: &ProcessFacts, rules: &RedFlagRules) -> Option<RedFlag> {
    let method = p.method.as_deref()?;
    if !rules.is_competitive(Some(method)) {
        return None;
    }
    let (tenderers, source) = match p.number_of_tenderers {
        Some(n) => (usize::try_from(n).ok()?, "tender.numberOfTenderers"),
        None if p.bid_count > 0 => (p.bid_count, "bids.details[]"),
        None => return None,
    };
    (tenderers == 1).then(|| {
        process_flag(
            RedFlagRule::SingleBid,
            vec![
                Figure::new("tenderers", tenderers, source),
                method_figure(method),
            ],
        )
    })
}

/// Days between two instants, exact to the second, shown with 2 decimals cut (not rounded), so
/// a period one second short of 15 days shows 14.99, never 15.
fn days_text(seconds: i64) -> String {
    let days = BigDecimal::from(seconds) / BigDecimal::from(86_400);
    plain(&days.with_scale_round(2, RoundingMode::Down))
}

/// A tender period (`tender.tenderPeriod` start to end) shorter than the minimum: `min_days`,
/// or at or above the EU threshold of the category and currency the Directive's minimum for
/// the method when larger. Exactly the minimum is not a flag.
fn short_tender_period(p: &ProcessFacts, rules: &RedFlagRules) -> Option<RedFlag> {
    let (start, end) = (p.tender_period_start?, p.tender_period_end?);
    if rules.is_non_competitive(p.method.as_deref()) {
        return None;
    }
    let t = &rules.tender_period;
    let mut min_days = t.min_days;
    let mut figures = Vec::new();
    if let Some((value, source)) = p.procedure_value() {
        let threshold = t
            .eu_thresholds
            .threshold(p.category.as_deref(), value.currency.as_deref());
        if let Some(threshold) = threshold.filter(|th| value.amount >= **th) {
            let method_minimum = p
                .method
                .as_deref()
                .and_then(|m| t.min_days_at_or_above_eu_threshold.get(m));
            if let Some(&m) = method_minimum {
                min_days = min_days.max(m);
            }
            figures.push(Figure::amount("procedure value", &value.amount, source));
            figures.push(Figure::amount(
                "EU threshold",
                threshold,
                format!(
                    "settings: tender_period.eu_thresholds.{}.{}",
                    super::CategoryThresholds::category_key(p.category.as_deref()),
                    value.currency.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
    let seconds = (end - start).num_seconds();
    if seconds >= i64::from(min_days) * 86_400 {
        return None;
    }
    let mut all = vec![
        Figure::time("start", start, "tender.tenderPeriod.startDate"),
        Figure::time("end", end, "tender.tenderPeriod.endDate"),
        Figure::new("days", days_text(seconds), "tender.tenderPeriod"),
        Figure::new("minimum days", min_days, "settings: tender_period"),
    ];
    if let Some(m) = &p.method {
        all.push(method_figure(m));
    }
    all.extend(figures);
    Some(process_flag(RedFlagRule::ShortTenderPeriod, all))
}

/// A limited or direct procedure whose value (what was awarded, else the estimate) is at or
/// above the competition threshold of its category and currency.
fn direct_award_above_threshold(p: &ProcessFacts, rules: &RedFlagRules) -> Option<RedFlag> {
    let method = p.method.as_deref()?;
    if !rules.is_non_competitive(Some(method)) {
        return None;
    }
    let (value, source) = match p.awarded() {
        Some(v) => (v, "awards[].value.amount"),
        None => (p.tender_value.clone()?, "tender.value.amount"),
    };
    let threshold = rules
        .competition_thresholds
        .threshold(p.category.as_deref(), value.currency.as_deref())?;
    (value.amount >= *threshold).then(|| {
        process_flag(
            RedFlagRule::DirectAwardAboveThreshold,
            vec![
                method_figure(method),
                Figure::money("value", &value, source),
                Figure::amount(
                    "threshold",
                    threshold,
                    format!(
                        "settings: competition_thresholds.{}.{}",
                        super::CategoryThresholds::category_key(p.category.as_deref()),
                        value.currency.as_deref().unwrap_or_default()
                    ),
                ),
                category_figure(p.category.as_deref()),
            ],
        )
    })
}

/// The contract's initial value and where it came from: its award's value (the first a release
/// gave, else the current one), else the value before its first amendment (in the contract's
/// currency when the amendment states none), else its value in the first release that gave
/// one.
fn initial_value(p: &ProcessFacts, c: &ContractFacts) -> Option<(Money, String)> {
    let award = match &c.award_id {
        Some(id) => p.awards.iter().find(|a| &a.award_id == id),
        None if p.awards.len() == 1 => p.awards.first(),
        None => None,
    };
    if let Some(a) = award {
        if let Some((value, release)) = &a.first_release_value {
            let source = format!("awards[id={}].value.amount (release {release})", a.award_id);
            return Some((value.clone(), source));
        }
        if let Some(value) = &a.value {
            return Some((
                value.clone(),
                format!("awards[id={}].value.amount", a.award_id),
            ));
        }
    }
    if let Some(value) = &c.first_amendment_value {
        // A former value stated without a currency is in the contract's.
        let currency = value
            .currency
            .clone()
            .or_else(|| c.value.as_ref().and_then(|v| v.currency.clone()));
        let source = format!("contracts[id={}].amendments[] value before", c.contract_id);
        return Some((Money::new(value.amount.clone(), currency), source));
    }
    c.first_release_value.as_ref().map(|(value, release)| {
        let source = format!(
            "contracts[id={}].value.amount (release {release})",
            c.contract_id
        );
        (value.clone(), source)
    })
}

/// A contract whose current value exceeds its initial value by more than the limit of its
/// category (works 15 %, goods and services 10 %). Exactly the limit is not a flag.
fn amendments_raise_value(p: &ProcessFacts, rules: &RedFlagRules) -> Vec<RedFlag> {
    let limit = rules.amendments.limit_percent(p.category.as_deref());
    let mut flags = Vec::new();
    for c in &p.contracts {
        let Some(current) = &c.value else { continue };
        let Some((initial, source)) = initial_value(p, c) else {
            continue;
        };
        if !initial.same_currency(current) || initial.amount <= BigDecimal::zero() {
            continue;
        }
        if !exceeds_by_more_than(&current.amount, &initial.amount, limit) {
            continue;
        }
        let increase = &current.amount - &initial.amount;
        let increase_percent = percent(&increase, &initial.amount).unwrap_or_default();
        flags.push(RedFlag {
            rule: RedFlagRule::AmendmentsRaiseValue,
            subject: FlagSubject::Contract(c.contract_id.clone()),
            figures: vec![
                Figure::money("initial value", &initial, source),
                Figure::money(
                    "current value",
                    current,
                    format!("contracts[id={}].value.amount", c.contract_id),
                ),
                Figure::amount(
                    "increase %",
                    &increase_percent,
                    "(current − initial) / initial",
                ),
                Figure::amount("limit %", limit, "settings: amendments"),
                category_figure(p.category.as_deref()),
            ],
        });
    }
    flags
}

fn payment_figures(payments: &[&Payment], currency: Option<&str>, figures: &mut Vec<Figure>) {
    let (ocds, ledger): (Vec<&Payment>, Vec<&Payment>) =
        payments.iter().copied().partition(|p| !p.is_ledger());
    let (ocds_total, ocds_n) = total_in(&ocds, currency);
    let (ledger_total, ledger_n) = total_in(&ledger, currency);
    let in_currency = |amount| Money::new(amount, currency.map(str::to_owned));
    figures.push(Figure::payments(
        "OCDS transactions",
        in_currency(ocds_total),
        ocds_n,
        "contracts[].implementation.transactions[].value.amount",
    ));
    figures.push(Figure::payments(
        LEDGER_ONLY_PAYMENTS,
        in_currency(ledger_total),
        ledger_n,
        "treasury_payments.amount_minor (contractRef = ocid)",
    ));
}

/// The name of the figure counting ledger payments that evidence no OCDS transaction (one that
/// does is counted once, with the OCDS transactions).
pub const LEDGER_ONLY_PAYMENTS: &str = "ledger payments without an OCDS counterpart";

/// Payments under a contract (OCDS transactions and ledger payments, in the contract's
/// currency) above its value × (1 + tolerance). Ledger payments that name a process with
/// several contracts are compared with the sum of its contracts' values.
fn payments_exceed_contract(p: &ProcessFacts, rules: &RedFlagRules) -> Vec<RedFlag> {
    let tolerance = &rules.payments_tolerance_percent;
    let mut flags = Vec::new();
    let tolerance_figure = || {
        Figure::amount(
            "tolerance %",
            tolerance,
            "settings: payments_tolerance_percent",
        )
    };
    for c in &p.contracts {
        let Some(value) = &c.value else { continue };
        let payments: Vec<&Payment> = c.payments.iter().collect();
        let (paid, n) = total_in(&payments, value.currency.as_deref());
        if n == 0 || !exceeds_by_more_than(&paid, &value.amount, tolerance) {
            continue;
        }
        let mut figures = vec![
            Figure::money(
                "contract value",
                value,
                format!("contracts[id={}].value.amount", c.contract_id),
            ),
            Figure::amount("paid", &paid, "payments in the contract's currency").with(
                FigureReading::Money(Money::new(paid.clone(), value.currency.clone())),
            ),
        ];
        payment_figures(&payments, value.currency.as_deref(), &mut figures);
        figures.push(tolerance_figure());
        flags.push(RedFlag {
            rule: RedFlagRule::PaymentsExceedContract,
            subject: FlagSubject::Contract(c.contract_id.clone()),
            figures,
        });
    }
    if p.process_payments.is_empty() || p.contracts.is_empty() {
        return flags;
    }
    // The process as a whole: all contracts' values against all payments, in one currency.
    let mut total: Option<Money> = None;
    for value in p.contracts.iter().filter_map(|c| c.value.as_ref()) {
        match &mut total {
            None => total = Some(value.clone()),
            Some(t) if t.same_currency(value) => t.amount += &value.amount,
            Some(_) => return flags,
        }
    }
    let Some(total) = total else { return flags };
    let payments: Vec<&Payment> = p
        .contracts
        .iter()
        .flat_map(|c| c.payments.iter())
        .chain(p.process_payments.iter())
        .collect();
    let (paid, _) = total_in(&payments, total.currency.as_deref());
    if exceeds_by_more_than(&paid, &total.amount, tolerance) {
        let mut figures = vec![
            Figure::money("contracts' value", &total, "contracts[].value.amount"),
            Figure::amount("paid", &paid, "payments in the contracts' currency").with(
                FigureReading::Money(Money::new(paid.clone(), total.currency.clone())),
            ),
        ];
        payment_figures(&payments, total.currency.as_deref(), &mut figures);
        figures.push(tolerance_figure());
        flags.push(process_flag(RedFlagRule::PaymentsExceedContract, figures));
    }
    flags
}

/// What was awarded differs from the estimate (`tender.value`) by less than the proximity
/// threshold: |awarded − estimate| / estimate < p %. Exactly p % is not a flag. Not for
/// non-competitive procedures, where the price is negotiated.
fn winning_bid_close_to_estimate(p: &ProcessFacts, rules: &RedFlagRules) -> Option<RedFlag> {
    if rules.is_non_competitive(p.method.as_deref()) {
        return None;
    }
    let estimate = p.tender_value.as_ref()?;
    let awarded = p.awarded()?;
    if !estimate.same_currency(&awarded) || estimate.amount <= BigDecimal::zero() {
        return None;
    }
    let difference = (&awarded.amount - &estimate.amount).abs();
    let threshold = &rules.estimate_proximity_percent;
    if difference.clone() * BigDecimal::from(100) >= &estimate.amount * threshold {
        return None;
    }
    Some(process_flag(
        RedFlagRule::WinningBidCloseToEstimate,
        vec![
            Figure::money("estimate", estimate, "tender.value.amount"),
            Figure::money("awarded", &awarded, "awards[].value.amount"),
            Figure::amount(
                "difference %",
                &percent(&difference, &estimate.amount).unwrap_or_default(),
                "|awarded − estimate| / estimate",
            ),
            Figure::amount(
                "threshold %",
                threshold,
                "settings: estimate_proximity_percent",
            ),
        ],
    ))
}

#[cfg(test)]
mod tests;
