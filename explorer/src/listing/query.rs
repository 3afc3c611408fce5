//! From a request's query string to bound SQL.

use std::collections::BTreeMap;

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Text};

use super::ListDef;
use crate::error::AppError;

/// Rows per page unless `per_page` says otherwise, and the most a page may have.
pub const PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;
/// Totals are counted up to this many rows; beyond it a list says "more than …".
pub const COUNT_CAP: i64 = 100_000;

/// What the URL asks of a list: `page`, `per_page`, `sort`, `dir`, `format` and the list's
/// own filters. Unknown sort keys and bad numbers are errors (400), not silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub page: u32,
    pub per_page: u32,
    pub sort: &'static str,
    pub descending: bool,
    /// Filter key → value, only non-empty values of the list's filters.
    pub filters: BTreeMap<&'static str, String>,
    /// `html` (default), `json` or `csv`.
    pub format: String,
}

impl ListParams {
    /// From a raw query string (what follows `?`), read as every page reads one
    /// ([`crate::query::QueryParams`]).
    pub fn from_query(def: &ListDef, raw: &str) -> Result<Self, AppError> {
        Self::parse(def, crate::query::QueryParams::parse(raw)?.pairs())
    }

    pub fn parse(def: &ListDef, query: &[(String, String)]) -> Result<Self, AppError> {
        let get = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let number = |key: &str, default: u32, max: u32| -> Result<u32, AppError> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "{key} must be a whole number from 1 to {max}, not {v:?}"
                        ))
                    }),
            }
        };
        let (default_key, default_desc) = def.default_sort;
        let sort = match get("sort") {
            None => default_key,
            Some(key) => def
                .columns
                .iter()
                .find(|c| c.key == key && c.sortable)
                .map(|c| c.key)
                .ok_or_else(|| {
                    let keys: Vec<&str> = def
                        .columns
                        .iter()
                        .filter(|c| c.sortable)
                        .map(|c| c.key)
                        .collect();
                    AppError::BadRequest(format!(
                        "cannot sort {} by {key:?}; sortable: {}",
                        def.name,
                        keys.join(", ")
                    ))
                })?,
        };
        let descending = match get("dir") {
            None => {
                if sort == default_key {
                    default_desc
                } else {
                    false
                }
            }
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "dir must be asc or desc, not {other:?}"
                )))
            }
        };
        let format = get("format").unwrap_or("html").to_ascii_lowercase();
        if !["html", "json", "csv"].contains(&format.as_str()) {
            return Err(AppError::BadRequest(format!(
                "format must be html, json or csv, not {format:?}"
            )));
        }
        let mut filters = BTreeMap::new();
        for filter in def.filters {
            if let Some(value) = get(filter.key) {
                if value.len() > 200 {
                    return Err(AppError::BadRequest(format!(
                        "the {} filter is too long",
                        filter.key
                    )));
                }
                check_filter_value(filter, value)?;
                filters.insert(filter.key, value.to_string());
            }
        }
        Ok(Self {
            page: number("page", 1, 1_000_000)?,
            per_page: number("per_page", PER_PAGE, MAX_PER_PAGE)?,
            sort,
            descending,
            filters,
            format,
        })
    }

    /// The query string of this view with some parameters replaced (for links: pages, sort
    /// headers, exports). Values are percent-encoded.
    pub fn query_string(&self, def: &ListDef, changes: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (key, value) in &self.filters {
            pairs.push((key.to_string(), value.clone()));
        }
        let (default_key, default_desc) = def.default_sort;
        if self.sort != default_key || self.descending != default_desc {
            pairs.push(("sort".into(), self.sort.into()));
            pairs.push((
                "dir".into(),
                if self.descending { "desc" } else { "asc" }.into(),
            ));
        }
        if self.per_page != PER_PAGE {
            pairs.push(("per_page".into(), self.per_page.to_string()));
        }
        if self.page != 1 {
            pairs.push(("page".into(), self.page.to_string()));
        }
        for (key, value) in changes {
            pairs.retain(|(k, _)| k != key);
            if let Some(v) = value {
                pairs.push((key.to_string(), v.to_string()));
            }
        }
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if encoded.is_empty() {
            String::new()
        } else {
            format!("?{}", encoded.join("&"))
        }
    }
}

/// Values are checked before the query runs: the database only meets them when a row is there
/// to compare, so an empty table would let a bad value pass.
fn check_filter_value(filter: &super::ListFilter, value: &str) -> Result<(), AppError> {
    use super::FilterKind;
    let (ok, expected) = match filter.kind {
        FilterKind::Text => (true, ""),
        FilterKind::Choice(options) => (
            options.iter().any(|(v, _)| *v == value),
            "one of the listed values",
        ),
        FilterKind::Date => (
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
            "a date such as 2026-03-31",
        ),
        FilterKind::Number => (value.parse::<f64>().is_ok_and(f64::is_finite), "a number"),
        FilterKind::Hash => {
            let digits = value.strip_prefix("0x").unwrap_or(value);
            (
                !digits.is_empty()
                    && digits.len().is_multiple_of(2)
                    && digits.bytes().all(|b| b.is_ascii_hexdigit()),
                "a 0x-prefixed hex value",
            )
        }
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "{} must be {expected}, not {value:?}",
            filter.key
        )))
    }
}

/// Percent-encode a query-string component.
pub fn encode(text: &str) -> String {
    crate::fmt::path_segment(text)
}

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
    pub fn bound(
        &self,
        sql: String,
    ) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        let mut query = diesel::sql_query(sql).into_boxed();
        for value in &self.binds {
            query = query.bind::<Text, _>(value.clone());
        }
        query
    }
}

#[derive(QueryableByName)]
pub struct JsonRow {
    #[diesel(sql_type = Text)]
    pub row: String,
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
    pub fn load(
        conn: &mut PgConnection,
        def: &ListDef,
        params: &ListParams,
    ) -> Result<Self, AppError> {
        let query = ListQuery::new(def, params);
        let offset = i64::from(params.page - 1) * i64::from(params.per_page);
        let rows: Vec<JsonRow> = query
            .bound(format!(
                "{} LIMIT {} OFFSET {offset}",
                query.select, params.per_page
            ))
            .load(conn)
            .map_err(|e| bad_filter(def, e))?;
        let total = query
            .bound(query.count.clone())
            .get_result::<Count>(conn)
            .map_err(|e| bad_filter(def, e))?
            .n;
        Ok(Self {
            rows: rows.into_iter().map(|r| r.row).collect(),
            total,
        })
    }
}

/// A filter value PostgreSQL cannot cast (a date that is not one) is the request's fault.
pub fn bad_filter(def: &ListDef, e: diesel::result::Error) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &e {
        Error::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message().starts_with("invalid") || info.message().contains("out of range") =>
        {
            AppError::BadRequest(format!(
                "a filter of {} has a value of the wrong type: {}",
                def.name,
                info.message()
            ))
        }
        _ => e.into(),
    }
}
