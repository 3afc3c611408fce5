use diesel::prelude::*;
use serde::Serialize;

use crate::schema::epcis_biz_transactions;

/// A business transaction an EPCIS event refers to (purchase order, despatch advice, ...).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = epcis_biz_transactions)]
pub struct EpcisBizTransaction {
    pub event_id: i64,
    pub position: i32,
    /// The CBV type as a bare word (`po`, `desadv`, ...) or the type URI as given.
    #[diesel(column_name = type_)]
    pub kind: Option<String>,
    pub biz_transaction: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = epcis_biz_transactions, treat_none_as_default_value = false)]
pub struct NewEpcisBizTransaction {
    pub event_id: i64,
    pub position: i32,
    #[diesel(column_name = type_)]
    pub kind: Option<String>,
    pub biz_transaction: String,
}

impl EpcisBizTransaction {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewEpcisBizTransaction]) -> QueryResult<usize> {
        diesel::copy_from(epcis_biz_transactions::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_events(
        conn: &mut PgConnection,
        event_ids: &[i64],
    ) -> QueryResult<Vec<EpcisBizTransaction>> {
        epcis_biz_transactions::table
            .filter(epcis_biz_transactions::event_id.eq_any(event_ids))
            .order((
                epcis_biz_transactions::event_id,
                epcis_biz_transactions::position,
            ))
            .select(EpcisBizTransaction::as_select())
            .load(conn)
    }
}
