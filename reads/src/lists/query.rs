//! From a list's declaration and parameters to bound SQL, and its rows: a page of them
//! ([`PageOfRows`]) or all of them through a server-side cursor ([`ListCursor`]).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text};

use super::{ListDef, ListError, ListParams};

/// Totals are counted up to this many rows; beyond it a list says "more than …".
pub const COUNT_CAP: i64 = 100_000;

/// Rows per `FETCH` of a [`ListCursor`].
const FETCH_ROWS: usize = 1_000;

/// The SQL of a list for given parameters, with its bind values in order.
pub struct ListQuery {
    /// `SELECT json_build_object(…)::text AS row FROM … WHERE … ORDER BY …` (no LIMIT).
    pub select: String,
    /// `SELECT count(*) … LIMIT cap` over the same rows.
    pub count: String,
    pub binds: Vec<String>,
}

impl ListQuery {
    pub fn new(def: &ListDef, params: &ListParams) -> Self {
        let mut binds = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        if !def.condition.is_empty() {
            conditions.push(format!("({})", def.condition));
        }
        for filter in def.filters {
            if let Some(value) = params.filters.get(filter.key) {
                let mut predicate = String::new();
                for (i, part) in filter.sql.split('?').enumerate() {
                    if i > 0 {
                        binds.push(value.clone());
                        predicate.push_str(&format!("${}", binds.len()));
                    }
                    predicate.push_str(part);
                }
                conditions.push(format!("({predicate})"));
            }
        }
        let condition = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let fields: Vec<String> = def
            .columns
            .iter()
            .map(|c| format!("'{}', {}", c.key, c.sql))
            .collect();
        let sort = def
            .column(params.sort)
            .map_or(def.tie_break, |c| c.sql)
            .to_string();
        let direction = if params.descending {
            "DESC NULLS LAST"
        } else {
            "ASC NULLS LAST"
        };
        let select = format!(
            "SELECT json_build_object({})::text AS row FROM {}{condition} ORDER BY {sort} {direction}, {}",
            fields.join(", "),
            def.from,
            def.tie_break
        );
        let count = format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM {}{condition} LIMIT {}) capped",
            def.from,
            COUNT_CAP + 1
        );
        Self {
            select,
            count,
            binds,
        }
    }

    /// `sql` with this query's values bound.
    pub fn bound(&self, sql: String) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(sql).into_boxed();
        for value in &self.binds {
            query = query.bind::<Text, _>(value.clone());
        }
        query
    }
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page of a list: its rows as JSON objects (text), and the total (capped).
pub struct PageOfRows {
    pub rows: Vec<String>,
    /// Rows matching, up to [`COUNT_CAP`] + 1 (more means "more than COUNT_CAP").
    pub total: i64,
}

impl PageOfRows {
    /// The page `params` asks for, and how many rows match (up to the cap).
    pub fn load(
        conn: &mut PgConnection,
        def: &ListDef,
        params: &ListParams,
    ) -> Result<Self, ListError> {
        let query = ListQuery::new(def, params);
        let offset = i64::from(params.page - 1) * i64::from(params.per_page);
        let rows: Vec<JsonRow> = query
            .bound(format!(
                "{} LIMIT {} OFFSET {offset}",
                query.select, params.per_page
            ))
            .load(conn)
            .map_err(|e| ListError::of_filter(def, e))?;
        let total = query
            .bound(query.count.clone())
            .get_result::<Count>(conn)
            .map_err(|e| ListError::of_filter(def, e))?
            .n;
        Ok(Self {
            rows: rows.into_iter().map(|r| r.row).collect(),
            total,
        })
    }
}

/// The whole filtered list, read from a server-side cursor (`DECLARE … NO SCROLL CURSOR` in a
/// read-only transaction, `FETCH` 1,000 rows at a time), so memory holds one chunk whatever
/// the number of rows.
pub struct ListCursor<'c> {
    conn: &'c mut PgConnection,
}

impl ListCursor<'_> {
    /// Declare the cursor and hand it to `read`, inside one read-only transaction. A filter
    /// value of the wrong type fails here, before `read` runs ([`ListError::FilterValue`]).
    pub fn read<T>(
        conn: &mut PgConnection,
        def: &ListDef,
        params: &ListParams,
        read: impl FnOnce(&mut ListCursor<'_>) -> Result<T, ListError>,
    ) -> Result<T, ListError> {
        let query = ListQuery::new(def, params);
        conn.build_transaction().read_only().run(|conn| {
            query
                .bound(format!(
                    "DECLARE citytrace_export NO SCROLL CURSOR FOR {}",
                    query.select
                ))
                .execute(conn)
                .map_err(|e| ListError::of_filter(def, e))?;
            read(&mut ListCursor { conn })
        })
    }

    /// The next rows (JSON objects as text), in the list's order; none at the end.
    pub fn fetch(&mut self) -> QueryResult<Vec<String>> {
        let rows: Vec<JsonRow> =
            diesel::sql_query(format!("FETCH {FETCH_ROWS} FROM citytrace_export"))
                .load(self.conn)?;
        Ok(rows.into_iter().map(|r| r.row).collect())
    }
}
