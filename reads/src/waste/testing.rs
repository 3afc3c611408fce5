//! Consignments built by hand for the unit tests of the waste computations.

use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};

use super::Consignment;
use citytrace_schema::models::{WasteReceipt, WasteTransfer};

static NEXT_ID: AtomicI64 = AtomicI64::new(1);

pub(crate) fn dec(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap()
}

/// `2026-05-04T08:15:00+02:00` as stored: the instant in UTC and the offset as written.
pub(crate) fn instant(text: &str) -> (DateTime<Utc>, String) {
    let at = DateTime::parse_from_rfc3339(text).unwrap();
    (at.with_timezone(&Utc), at.offset().to_string())
}

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    instant(text).0
}

/// A weighed (REAL) non-hazardous 17 01 01 consignment from site `from` to site `to`, not
/// received yet.
pub(crate) fn consignment(
    id: &str,
    from: i64,
    to: i64,
    mass_kg: &str,
    planned: &str,
    transferred_at: &str,
) -> Consignment {
    let (transferred_at, transferred_offset) = instant(transferred_at);
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    Consignment {
        transfer: WasteTransfer {
            id: n,
            batch_id: 1,
            line: n as i32 + 1,
            submitter: "DEPT-WORKS".into(),
            consignment_id: id.into(),
            ewc_code: "170101".into(),
            hazardous: false,
            description: None,
            mass_kg: dec(mass_kg),
            mass_basis: "REAL".into(),
            producer: "DEPT-WORKS".into(),
            producer_id: 1,
            from_site: format!("SITE-{from}"),
            from_site_id: from,
            carrier: "HAUL-CO".into(),
            carrier_id: 2,
            carrier_licence: "CBDU112233".into(),
            to_site: format!("SITE-{to}"),
            to_site_id: to,
            transferred_at,
            transferred_offset,
            planned_operation: planned.into(),
            previous_consignment_id: None,
        },
        receipt: None,
    }
}

impl Consignment {
    pub(crate) fn coded(mut self, ewc_code: &str, hazardous: bool) -> Self {
        self.transfer.ewc_code = ewc_code.into();
        self.transfer.hazardous = hazardous;
        self
    }

    pub(crate) fn estimated(mut self) -> Self {
        self.transfer.mass_basis = "ESTIMATED".into();
        self
    }

    pub(crate) fn after(mut self, previous: &str) -> Self {
        self.transfer.previous_consignment_id = Some(previous.into());
        self
    }

    pub(crate) fn accept(self, mass_kg: &str, operation: &str, received_at: &str) -> Self {
        self.receive(
            "accepted",
            Some(mass_kg),
            Some(operation),
            None,
            received_at,
        )
    }

    pub(crate) fn refuse(self, reason: &str, mass_kg: Option<&str>, received_at: &str) -> Self {
        self.receive("refused", mass_kg, None, Some(reason), received_at)
    }

    fn receive(
        mut self,
        status: &str,
        mass_kg: Option<&str>,
        operation: Option<&str>,
        reason: Option<&str>,
        received_at: &str,
    ) -> Self {
        let (received_at, received_offset) = instant(received_at);
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.receipt = Some(WasteReceipt {
            id: n,
            batch_id: 2,
            line: n as i32 + 1,
            submitter: "RECYCLE-CO".into(),
            consignment_id: self.transfer.consignment_id.clone(),
            transfer_id: self.transfer.id,
            status: status.into(),
            mass_received_kg: mass_kg.map(dec),
            operation: operation.map(Into::into),
            refusal_reason: reason.map(Into::into),
            received_at,
            received_offset,
        });
        self
    }
}
