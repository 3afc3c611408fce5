//! The city's procurement processes: what it buys, from whom, for how much, and what it has
//! paid. The OCDS releases, the shipments' `contract_ocid`, the budget's executed amounts
//! and the ledger's payments are all read from here, so they agree.
//!
//! Besides the ordinary open tenders, the story plants the cases the red flags look for: a
//! single-bid tender, a short tender period, a direct award above the threshold, an
//! amendment raising a contract's value by more than 15 %, payments above a contract's
//! value, and split purchases just under the threshold.

use chrono::{DateTime, Datelike, Duration, Utc};

use super::budget::{program_line, project_line};
use super::time::utc;
use super::world::{
    Company, Department, World, BFC, CANAL, CCB, DHC, EDU, ENV, ESR, FRIGO, GSC, HEALTH, HSM, LST,
    MHS, MRM, PPL, PRC, WORKS, WPC,
};
use super::Rng;

/// The value above which a direct award needs a competitive procedure: the EU threshold
/// for supplies and services of sub-central authorities (EUR 221,000 in 2024–2025).
pub const DIRECT_AWARD_THRESHOLD_CENTS: i64 = 221_000 * 100;

/// The OCDS ocid prefix the city publishes under.
pub const OCID_PREFIX: &str = "ocds-ctdemo";

/// What a process buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Concrete(usize),
    Rebar(usize),
    Pharma,
    Food,
    Recycling,
    Haulage,
    EmergencyRepair,
    Refrigerator(usize),
}

pub struct Bid {
    pub company: &'static Company,
    pub cents: i64,
    pub date: DateTime<Utc>,
}

pub struct Payment {
    pub id: String,
    pub date: DateTime<Utc>,
    pub cents: i64,
}

pub struct Process {
    pub ocid: String,
    pub purpose: Purpose,
    pub title: String,
    pub buyer: &'static Department,
    /// OCDS procurementMethod: open or direct.
    pub method: &'static str,
    pub method_details: &'static str,
    /// OCDS mainProcurementCategory: goods, works or services.
    pub category: &'static str,
    pub supplier: &'static Company,
    /// Every bid, the winner's first (none for a direct award).
    pub bids: Vec<Bid>,
    pub estimate_cents: i64,
    pub award_cents: i64,
    /// The contract's value after its amendment, when it was amended.
    pub amended_cents: Option<i64>,
    pub amendment_date: Option<DateTime<Utc>>,
    /// (start, end) of the tender period (none for a direct award).
    pub tender_period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub award_date: DateTime<Utc>,
    pub signed: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub payments: Vec<Payment>,
    /// The budget line the payments are charged to.
    pub budget_line: String,
}

impl Process {
    pub fn contract_cents(&self) -> i64 {
        self.amended_cents.unwrap_or(self.award_cents)
    }

    pub fn paid_cents(&self) -> i64 {
        self.payments.iter().map(|p| p.cents).sum()
    }

    pub fn award_id(&self) -> String {
        format!("{}-award", self.ocid)
    }

    pub fn contract_id(&self) -> String {
        format!("{}-contract", self.ocid)
    }
}

/// The processes of `world`, in ocid order.
pub fn build(world: &World, rng: &mut Rng) -> Vec<Process> {
    let mut b = Builder {
        rng,
        processes: Vec::new(),
    };
    for (p, project) in world.projects.iter().enumerate() {
        let start = utc(2025, 11, 3, 9, 0) + Duration::days(2 * p as i64);
        let concrete = b.rng.range(600_000, 1_400_000) * 100;
        b.tender(Tender {
            purpose: Purpose::Concrete(p),
            title: format!("Supply of ready-mix concrete for {}", project.name),
            buyer: project.department,
            category: "goods",
            bidders: &[&MRM, &WPC],
            award_cents: concrete,
            start,
            days: 35,
            budget_line: project_line(world, p),
        });
        let rebar = b.rng.range(250_000, 600_000) * 100;
        let single_bid = p == 2;
        b.tender(Tender {
            purpose: Purpose::Rebar(p),
            title: format!("Supply of reinforcing steel for {}", project.name),
            buyer: project.department,
            category: "goods",
            bidders: if single_bid { &[&HSM] } else { &[&HSM, &LST] },
            award_cents: rebar,
            start: start + Duration::days(1),
            days: 32,
            budget_line: project_line(world, p),
        });
    }
    let pharma = b.rng.range(850_000, 1_200_000) * 100;
    b.tender(Tender {
        purpose: Purpose::Pharma,
        title: "Vaccines and insulin for the city's clinics, 2026".into(),
        buyer: &HEALTH,
        category: "goods",
        bidders: &[&PPL, &MHS],
        award_cents: pharma,
        start: utc(2025, 10, 6, 8, 0),
        days: 40,
        budget_line: program_line(2026, "vaccination"),
    });
    let food = b.rng.range(700_000, 900_000) * 100;
    b.tender(Tender {
        purpose: Purpose::Food,
        title: "Chilled and frozen ingredients for school meals, 2026".into(),
        buyer: &EDU,
        category: "goods",
        bidders: &[&GSC, &BFC],
        award_cents: food,
        start: utc(2025, 10, 13, 8, 0),
        // Short: under the 15 days the red flag looks for.
        days: 9,
        budget_line: program_line(2026, "school-meals"),
    });
    let recycling = b.rng.range(300_000, 450_000) * 100;
    b.tender(Tender {
        purpose: Purpose::Recycling,
        title: "Recycling of construction and demolition waste, 2026".into(),
        buyer: &ENV,
        category: "services",
        bidders: &[&ESR, &PRC],
        award_cents: recycling,
        start: utc(2025, 12, 1, 8, 0),
        days: 30,
        budget_line: program_line(2026, "waste-treatment"),
    });
    let haulage = b.rng.range(160_000, 200_000) * 100;
    b.tender(Tender {
        purpose: Purpose::Haulage,
        title: "Haulage of construction and demolition waste, 2026".into(),
        buyer: &ENV,
        category: "services",
        bidders: &[&CANAL, &DHC],
        award_cents: haulage,
        start: utc(2025, 12, 2, 8, 0),
        days: 30,
        budget_line: program_line(2026, "waste-treatment"),
    });
    b.direct(Direct {
        purpose: Purpose::EmergencyRepair,
        // Services: the EU threshold for works (EUR 5,538,000) is far above this award.
        title: "Emergency inspection and temporary propping of the North Bridge bearings".into(),
        buyer: &WORKS,
        category: "services",
        details: "Negotiated procedure without prior publication (extreme urgency)",
        supplier: &CCB,
        cents: 486_500 * 100,
        date: utc(2026, 5, 11, 9, 0),
        budget_line: program_line(2026, "roads"),
    });
    // Split purchases: three direct awards to one supplier within four weeks, each just
    // under the threshold.
    for (n, (cents, day)) in [(216_400 * 100, 3), (218_950 * 100, 17), (219_780 * 100, 30)]
        .into_iter()
        .enumerate()
    {
        let clinic = world
            .clinics
            .get(n % world.clinics.len().max(1))
            .map(|c| world.site_name(c).to_string())
            .unwrap_or_default();
        b.direct(Direct {
            purpose: Purpose::Refrigerator(n),
            title: format!("Vaccine refrigerators for {clinic}"),
            buyer: &HEALTH,
            category: "goods",
            details: "Direct award below the threshold",
            supplier: &FRIGO,
            cents,
            date: utc(2026, 3, day, 9, 0),
            budget_line: program_line(2026, "clinic-equipment"),
        });
    }
    b.processes
}

struct Tender {
    purpose: Purpose,
    title: String,
    buyer: &'static Department,
    category: &'static str,
    bidders: &'static [&'static Company],
    award_cents: i64,
    start: DateTime<Utc>,
    days: i64,
    budget_line: String,
}

struct Direct {
    purpose: Purpose,
    title: String,
    buyer: &'static Department,
    category: &'static str,
    details: &'static str,
    supplier: &'static Company,
    cents: i64,
    date: DateTime<Utc>,
    budget_line: String,
}

struct Builder<'r> {
    rng: &'r mut Rng,
    processes: Vec<Process>,
}

impl Builder<'_> {
    fn next_ocid(&self) -> String {
        format!("{OCID_PREFIX}-2026-{:04}", self.processes.len() + 1)
    }

    fn tender(&mut self, t: Tender) {
        let ocid = self.next_ocid();
        let end = t.start + Duration::days(t.days);
        let estimate = t.award_cents / 100 * self.rng.range(103, 112);
        let mut bids = Vec::new();
        for (i, company) in t.bidders.iter().enumerate() {
            let cents = if i == 0 {
                t.award_cents
            } else {
                t.award_cents / 100 * self.rng.range(103, 120)
            };
            let date = end - Duration::hours(self.rng.range(2, 24 * (t.days.min(5))));
            bids.push(Bid {
                company,
                cents,
                date,
            });
        }
        let award_date = end + Duration::days(14);
        let signed = award_date + Duration::days(10);
        // The first project's concrete contract grows by more than 15 % after a redesign.
        let amended = (t.purpose == Purpose::Concrete(0)).then(|| t.award_cents / 1000 * 1235);
        let amendment_date = amended.map(|_| utc(2026, 7, 14, 10, 0));
        let final_cents = amended.unwrap_or(t.award_cents);
        // Haulage is paid 12 % beyond its contract value; the rest 55–90 % so far.
        let paid = if t.purpose == Purpose::Haulage {
            final_cents / 100 * 112
        } else {
            final_cents / 100 * self.rng.range(55, 90)
        };
        let payments = self.monthly_payments(&ocid, signed, paid);
        self.processes.push(Process {
            ocid,
            purpose: t.purpose,
            title: t.title,
            buyer: t.buyer,
            method: "open",
            method_details: "Open procedure",
            category: t.category,
            supplier: t.bidders[0],
            bids,
            estimate_cents: estimate,
            award_cents: t.award_cents,
            amended_cents: amended,
            amendment_date,
            tender_period: Some((t.start, end)),
            award_date,
            signed,
            end: utc(2026, 12, 31, 22, 0),
            payments,
            budget_line: t.budget_line,
        });
    }

    fn direct(&mut self, d: Direct) {
        let ocid = self.next_ocid();
        let signed = d.date + Duration::days(1);
        let payments = match d.purpose {
            Purpose::EmergencyRepair => vec![
                payment(&ocid, 1, utc(2026, 6, 25, 10, 0), d.cents / 100 * 40),
                payment(
                    &ocid,
                    2,
                    utc(2026, 8, 25, 10, 0),
                    d.cents - d.cents / 100 * 40,
                ),
            ],
            _ => vec![payment(&ocid, 1, d.date + Duration::days(28), d.cents)],
        };
        self.processes.push(Process {
            ocid,
            purpose: d.purpose,
            title: d.title,
            buyer: d.buyer,
            method: "direct",
            method_details: d.details,
            category: d.category,
            supplier: d.supplier,
            bids: Vec::new(),
            estimate_cents: d.cents,
            award_cents: d.cents,
            amended_cents: None,
            amendment_date: None,
            tender_period: None,
            award_date: d.date,
            signed,
            end: signed + Duration::days(120),
            payments,
            budget_line: d.budget_line,
        });
    }

    /// Payments on the 25th of each month from the month after signing to October 2026,
    /// adding up to `total`.
    fn monthly_payments(&mut self, ocid: &str, signed: DateTime<Utc>, total: i64) -> Vec<Payment> {
        let mut months = Vec::new();
        let (mut year, mut month) = match signed.month() {
            12 => (signed.year() + 1, 1),
            m => (signed.year(), m + 1),
        };
        while (year, month) <= (2026, 10) {
            months.push(utc(year, month, 25, 10, 0));
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
        let n = months.len().max(1) as i64;
        let mut left = total;
        let mut payments = Vec::new();
        for (k, date) in months.iter().enumerate() {
            let cents = if k as i64 == n - 1 {
                left
            } else {
                (total / n) / 100 * self.rng.range(88, 104)
            };
            left -= cents;
            payments.push(payment(ocid, k + 1, *date, cents));
        }
        payments
    }
}

fn payment(ocid: &str, n: usize, date: DateTime<Utc>, cents: i64) -> Payment {
    Payment {
        id: format!("{ocid}-T{n:02}"),
        date,
        cents,
    }
}

/// The process a purpose names.
pub fn find(world: &World, purpose: Purpose) -> Option<&Process> {
    world.processes.iter().find(|p| p.purpose == purpose)
}
