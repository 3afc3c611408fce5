//! Sites and contracts as the cold-chain pages name them: a site by its name, linked, with its
//! code (often a GLN) in small type beside it; a contract by its title, linked, else by its
//! ocid; times in the zone they were written in, the zone named ("2026-04-12 07:30
//! (UTC+02:00)").

use chrono::{DateTime, Utc};
use serde::Serialize;

use citytrace_reads::cold_chain::{NamedContract, NamedSite, ShipmentRoute};

use crate::routes::evidence::{local_rfc3339, local_time, parse_offset};

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub code: String,
    pub name: String,
    pub operator: Option<String>,
    pub href: String,
}

impl SiteView {
    pub fn new(site: &NamedSite) -> Self {
        Self {
            href: site_href(&site.code),
            code: site.code.clone(),
            name: site.name.clone(),
            operator: site.operator.clone(),
        }
    }
}

pub use crate::routes::provenance::site_href;

#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    pub ocid: String,
    pub title: Option<String>,
    /// The title, else the ocid: the link's text.
    pub text: String,
    pub href: String,
}

impl ContractView {
    pub fn new(contract: &NamedContract) -> Self {
        Self {
            href: crate::routes::spending::contract_href(&contract.ocid),
            text: contract
                .title
                .clone()
                .unwrap_or_else(|| contract.ocid.clone()),
            ocid: contract.ocid.clone(),
            title: contract.title.clone(),
        }
    }
}

/// A time in the offset it was written with, the zone named: `2026-04-12 07:30 (UTC+02:00)`.
pub fn zoned_time(t: DateTime<Utc>, offset: &str) -> String {
    let offset = parse_offset(offset);
    format!("{} ({})", local_time(t, &offset), zone_name(&offset))
}

/// `UTC+02:00`.
pub fn zone_name(offset: &chrono::FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("UTC{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteView {
    pub from: SiteView,
    pub to: SiteView,
    pub contract: Option<ContractView>,
    /// Shipped, in the zone it was written in, the zone named.
    pub shipped: String,
    pub shipped_at: String,
    pub received: Option<String>,
}

impl RouteView {
    pub fn new(route: &ShipmentRoute) -> Self {
        let received_offset = route.received_offset.as_deref().unwrap_or("+00:00");
        Self {
            from: SiteView::new(&route.from),
            to: SiteView::new(&route.to),
            contract: route.contract.as_ref().map(ContractView::new),
            shipped: zoned_time(route.shipped_at, &route.shipped_offset),
            shipped_at: local_rfc3339(route.shipped_at, &parse_offset(&route.shipped_offset)),
            received: route.received_at.map(|t| zoned_time(t, received_offset)),
        }
    }
}
