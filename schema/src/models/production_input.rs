use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use super::ProductionRun;
use crate::schema::{production_inputs, production_runs};

/// One input line of a production run: a quantity of one lot consumed.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = production_inputs)]
pub struct ProductionInput {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub run_id: i64,
    pub input_line: i32,
    pub input_lot_code: String,
    pub input_lot_id: i64,
    pub input_product: Option<String>,
    pub quantity: BigDecimal,
    pub unit: String,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = production_inputs, treat_none_as_default_value = false)]
pub struct NewProductionInput {
    pub batch_id: i64,
    pub line: i32,
    pub run_id: i64,
    pub input_line: i32,
    pub input_lot_code: String,
    pub input_lot_id: i64,
    pub input_product: Option<String>,
    pub quantity: BigDecimal,
    pub unit: String,
}

impl ProductionInput {
    /// Binary COPY of `rows` into production_inputs.
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewProductionInput]) -> QueryResult<usize> {
        diesel::copy_from(production_inputs::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// A batch's input rows in line order, each with its run (the file row as imported).
    pub fn of_batch(
        conn: &mut PgConnection,
        batch_id: i64,
    ) -> QueryResult<Vec<(ProductionInput, ProductionRun)>> {
        production_inputs::table
            .inner_join(production_runs::table)
            .filter(production_inputs::batch_id.eq(batch_id))
            .order(production_inputs::line)
            .select((ProductionInput::as_select(), ProductionRun::as_select()))
            .load(conn)
    }
}
