//! The site page's read (`/sites/{code}` and its JSON twin): the site and its operator, the
//! embodied carbon of what was delivered to it ([`site_embodied_carbon`]) grouped by where it
//! came from, and what was paid under the contracts the deliveries name.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};

use citytrace_schema::models::{Party, Site};
use citytrace_schema::schema::{parties, sites};

use crate::carbon::{site_embodied_carbon, DeliveredCarbon};

/// Everything the site page shows (but its list of deliveries).
#[derive(Debug, Clone)]
pub struct SiteData {
    pub site: Site,
    pub operator: Option<Party>,
    pub carbon: DeliveredCarbon,
    /// The sites the deliveries left from, in the order they first appear.
    pub origins: Vec<Origin>,
    /// What was paid under the contracts of `carbon.by_contract`.
    pub paid: Vec<ContractPaid>,
    /// The names of the origin sites and of the suppliers, by code (those registered).
    pub site_names: HashMap<String, String>,
    pub party_names: HashMap<String, String>,
}

/// The deliveries from one site: their embodied carbon (computable ones), how many there are
/// and how many could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub site_code: String,
    pub kg_co2e: BigDecimal,
    pub deliveries: usize,
    pub not_computable: usize,
}

/// A contract with what was paid under it in one currency (`paid` and `currency` are `None`
/// without transactions).
#[derive(Debug, Clone, QueryableByName)]
pub struct ContractPaid {
    #[diesel(sql_type = Text)]
    pub ocid: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    /// The sum, as PostgreSQL writes the exact decimal.
    #[diesel(sql_type = Nullable<Text>)]
    pub paid: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
}

/// The site `code` with everything its page shows; `None` when no site has that code.
pub fn load_site(conn: &mut PgConnection, code: &str) -> QueryResult<Option<SiteData>> {
    let Some(site) = Site::find_by_code(conn, code)? else {
        return Ok(None);
    };
    let operator = site.party_id.map(|id| Party::find(conn, id)).transpose()?;
    let carbon = site_embodied_carbon(conn, site.id, None)?;
    let ocids: Vec<String> = carbon
        .by_contract
        .iter()
        .filter_map(|s| s.key.clone())
        .collect();
    let paid: Vec<ContractPaid> = diesel::sql_query(include_str!("contracts_paid.sql"))
        .bind::<Array<Text>, _>(&ocids)
        .load(conn)?;
    let origins = origins(&carbon);
    let origin_codes: Vec<&str> = origins.iter().map(|o| o.site_code.as_str()).collect();
    let site_names = sites::table
        .filter(sites::code.eq_any(&origin_codes))
        .select((sites::code, sites::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let supplier_codes: Vec<&str> = carbon
        .by_supplier
        .iter()
        .filter_map(|s| s.key.as_deref())
        .collect();
    let party_names = parties::table
        .filter(parties::code.eq_any(&supplier_codes))
        .select((parties::code, parties::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Some(SiteData {
        site,
        operator,
        origins,
        carbon,
        paid,
        site_names,
        party_names,
    }))
}

/// The deliveries grouped by the site they left from, in the order the sites first appear.
fn origins(carbon: &DeliveredCarbon) -> Vec<Origin> {
    let mut by_origin: Vec<Origin> = Vec::new();
    for d in &carbon.deliveries {
        let from = &d.delivery.from_site;
        let i = match by_origin.iter().position(|o| &o.site_code == from) {
            Some(i) => i,
            None => {
                by_origin.push(Origin {
                    site_code: from.clone(),
                    kg_co2e: BigDecimal::from(0),
                    deliveries: 0,
                    not_computable: 0,
                });
                by_origin.len() - 1
            }
        };
        let origin = &mut by_origin[i];
        origin.deliveries += 1;
        match &d.carbon {
            Ok(c) => origin.kg_co2e += &c.kg_co2e,
            Err(_) => origin.not_computable += 1,
        }
    }
    by_origin
}
