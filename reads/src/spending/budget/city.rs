//! The city's figures of a fiscal year: its departments' rows summed, per currency.

use bigdecimal::BigDecimal;
use serde::Serialize;

use super::{BudgetScope, BudgetVsActual};

/// Every department of one fiscal year in one currency, summed: what the city was allowed to
/// spend, what its departments report as executed, what it committed in published contracts
/// and what published payments evidence, with the gap between the last two kinds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityTotals {
    pub fiscal_year: i32,
    pub currency: String,
    /// How many departments have a row in this currency.
    pub departments: usize,
    /// Sums of the departments' figures; an optional figure is None when no department has it.
    pub approved: Option<BigDecimal>,
    pub adjusted: Option<BigDecimal>,
    pub budget: Option<BigDecimal>,
    pub executed_reported: Option<BigDecimal>,
    pub committed: BigDecimal,
    pub paid: BigDecimal,
    pub paid_ocds: BigDecimal,
    pub paid_ocds_evidenced_on_ledger: BigDecimal,
    pub paid_ledger: BigDecimal,
    /// `executed_reported − paid` over the departments that report an executed amount (a
    /// department without one adds nothing to either side); None when none does.
    pub executed_not_evidenced: Option<BigDecimal>,
    /// The part of `paid` made by departments that report an executed amount (the paid side
    /// of the gap).
    pub paid_where_executed_reported: BigDecimal,
}

fn add(total: &mut Option<BigDecimal>, amount: Option<&BigDecimal>) {
    if let Some(a) = amount {
        *total = Some(total.take().unwrap_or_default() + a);
    }
}

/// The city's totals of the department rows among `rows`, by year and currency, the currency
/// with the largest budget first within a year.
pub fn city_totals(rows: &[BudgetVsActual]) -> Vec<CityTotals> {
    let mut totals: Vec<CityTotals> = Vec::new();
    for r in rows.iter().filter(|r| r.scope == BudgetScope::Department) {
        let i = match totals
            .iter()
            .position(|t| t.fiscal_year == r.fiscal_year && t.currency == r.currency)
        {
            Some(i) => i,
            None => {
                totals.push(CityTotals::new(r.fiscal_year, &r.currency));
                totals.len() - 1
            }
        };
        totals[i].add(r);
    }
    totals.sort_by(|a, b| {
        a.fiscal_year
            .cmp(&b.fiscal_year)
            .then_with(|| b.budget.cmp(&a.budget))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    totals
}

impl CityTotals {
    fn new(fiscal_year: i32, currency: &str) -> Self {
        Self {
            fiscal_year,
            currency: currency.to_owned(),
            departments: 0,
            approved: None,
            adjusted: None,
            budget: None,
            executed_reported: None,
            committed: BigDecimal::from(0),
            paid: BigDecimal::from(0),
            paid_ocds: BigDecimal::from(0),
            paid_ocds_evidenced_on_ledger: BigDecimal::from(0),
            paid_ledger: BigDecimal::from(0),
            executed_not_evidenced: None,
            paid_where_executed_reported: BigDecimal::from(0),
        }
    }

    fn add(&mut self, r: &BudgetVsActual) {
        self.departments += 1;
        add(&mut self.approved, r.approved.as_ref());
        add(&mut self.budget, r.budget.as_ref());
        add(&mut self.executed_reported, r.executed_reported.as_ref());
        add(
            &mut self.executed_not_evidenced,
            r.executed_not_evidenced.as_ref(),
        );
        // A department nobody adjusted counts with its budget (its approved figure).
        if r.adjusted.is_some() || self.adjusted.is_some() {
            self.adjusted.clone_from(&self.budget);
        }
        if r.executed_reported.is_some() {
            self.paid_where_executed_reported += &r.paid;
        }
        self.committed += &r.committed;
        self.paid += &r.paid;
        self.paid_ocds += &r.paid_ocds;
        self.paid_ocds_evidenced_on_ledger += &r.paid_ocds_evidenced_on_ledger;
        self.paid_ledger += &r.paid_ledger;
    }
}
