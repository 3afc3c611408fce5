//! Where a shipment went and what it was bought under, named: the sites it left and reached
//! (with their operators) and the contracting process its lines name, with its title — so the
//! cold-chain pages say "East Side Clinic", not a GLN.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};

/// A site by its code and name, with the party that operates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSite {
    pub code: String,
    pub name: String,
    pub operator: Option<String>,
}

/// A contracting process by its ocid, with its title when one was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedContract {
    pub ocid: String,
    pub title: Option<String>,
}

/// A shipment's route, from its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRoute {
    pub from: NamedSite,
    pub to: NamedSite,
    pub contract: Option<NamedContract>,
    pub shipped_at: DateTime<Utc>,
    /// The offset the shipped time was written with (`+02:00`).
    pub shipped_offset: String,
    pub received_at: Option<DateTime<Utc>>,
    pub received_offset: Option<String>,
}

#[derive(QueryableByName)]
struct RouteRow {
    #[diesel(sql_type = Text)]
    from_code: String,
    #[diesel(sql_type = Text)]
    from_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    from_operator: Option<String>,
    #[diesel(sql_type = Text)]
    to_code: String,
    #[diesel(sql_type = Text)]
    to_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    to_operator: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    contract_ocid: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    contract_title: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    shipped_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    shipped_offset: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    received_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    received_offset: Option<String>,
}

/// The route of shipment `code`; `None` when it has no lines.
pub fn shipment_route(conn: &mut PgConnection, code: &str) -> QueryResult<Option<ShipmentRoute>> {
    let row: Option<RouteRow> = diesel::sql_query(include_str!("route.sql"))
        .bind::<Text, _>(code)
        .get_result(conn)
        .optional()?;
    Ok(row.map(|r| ShipmentRoute {
        from: NamedSite {
            code: r.from_code,
            name: r.from_name,
            operator: r.from_operator,
        },
        to: NamedSite {
            code: r.to_code,
            name: r.to_name,
            operator: r.to_operator,
        },
        contract: r.contract_ocid.map(|ocid| NamedContract {
            ocid,
            title: r.contract_title.filter(|t| !t.trim().is_empty()),
        }),
        shipped_at: r.shipped_at,
        shipped_offset: r.shipped_offset,
        received_at: r.received_at,
        received_offset: r.received_offset,
    }))
}

/// The names of the sites with these codes (codes not registered are absent).
pub fn site_names(
    conn: &mut PgConnection,
    codes: &[&str],
) -> QueryResult<std::collections::HashMap<String, String>> {
    use citytrace_schema::schema::sites;
    let rows: Vec<(String, String)> = sites::table
        .filter(sites::code.eq_any(codes))
        .select((sites::code, sites::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
