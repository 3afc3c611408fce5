use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::budget_lines;

/// One amount of a budget: a budget line in one fiscal year and phase (Fiscal Data Package
/// style), classified by department, program, COFOG function and economic class.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = budget_lines)]
pub struct BudgetLine {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub fiscal_year: i32,
    pub budget_line_id: String,
    /// `proposed`, `approved`, `adjusted` or `executed`.
    pub phase: String,
    /// `expenditure` or `revenue`.
    pub direction: String,
    pub department: String,
    pub department_id: i64,
    pub program: Option<String>,
    /// COFOG division (`05`) or group (`05.1`).
    pub cofog: String,
    pub economic_class: Option<String>,
    pub description: Option<String>,
    pub amount: BigDecimal,
    /// ISO 4217 code.
    pub currency: String,
}

/// For binary COPY: every column given explicitly.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = budget_lines, treat_none_as_default_value = false)]
pub struct NewBudgetLine {
    pub batch_id: i64,
    pub line: i32,
    pub submitter: String,
    pub fiscal_year: i32,
    pub budget_line_id: String,
    pub phase: String,
    pub direction: String,
    pub department: String,
    pub department_id: i64,
    pub program: Option<String>,
    pub cofog: String,
    pub economic_class: Option<String>,
    pub description: Option<String>,
    pub amount: BigDecimal,
    pub currency: String,
}

impl BudgetLine {
    /// Binary COPY of `rows` into budget_lines.
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewBudgetLine]) -> QueryResult<usize> {
        diesel::copy_from(budget_lines::table)
            .from_insertable(rows)
            .execute(conn)
    }

    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<BudgetLine>> {
        budget_lines::table
            .filter(budget_lines::batch_id.eq(batch_id))
            .order(budget_lines::line)
            .select(BudgetLine::as_select())
            .load(conn)
    }
}
