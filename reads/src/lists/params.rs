//! What a request asks of a list, checked against its declaration before any SQL runs.

use std::collections::BTreeMap;

use super::{FilterKind, ListDef, ListError, ListFilter};

/// Rows per page unless `per_page` says otherwise, and the most a page may have.
pub const PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;

/// What the URL asks of a list: `page`, `per_page`, `sort`, `dir`, `format` and the list's
/// own filters. Unknown sort keys and bad numbers are errors ([`ListError::Parameter`], a
/// 400), not silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub page: u32,
    pub per_page: u32,
    pub sort: &'static str,
    pub descending: bool,
    /// Filter key → value, only non-empty values of the list's filters.
    pub filters: BTreeMap<&'static str, String>,
    /// `html` (default), `json` or `csv`: the output the caller serves (the reads ignore it).
    pub format: String,
}

impl ListParams {
    /// From the query's `(key, value)` pairs, as decoded from the URL.
    pub fn parse(def: &ListDef, query: &[(String, String)]) -> Result<Self, ListError> {
        let get = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let number = |key: &str, default: u32, max: u32| -> Result<u32, ListError> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        ListError::Parameter(format!(
                            "{key} must be a whole number from 1 to {max}, not {v:?}"
                        ))
                    }),
            }
        };
        refuse_unknown_keys(def, query)?;
        let sort = sort_key(def, get("sort"))?;
        let descending = match get("dir") {
            None => {
                let (default_key, default_desc) = def.default_sort;
                sort == default_key && default_desc
            }
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ListError::Parameter(format!(
                    "dir must be asc or desc, not {other:?}"
                )))
            }
        };
        let format = get("format").unwrap_or("html").to_ascii_lowercase();
        if !["html", "json", "csv"].contains(&format.as_str()) {
            return Err(ListError::Parameter(format!(
                "format must be html, json or csv, not {format:?}"
            )));
        }
        let mut filters = BTreeMap::new();
        for filter in def.filters {
            if let Some(value) = get(filter.key) {
                if value.len() > 200 {
                    return Err(ListError::Parameter(format!(
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
}

/// What every list reads besides its filters.
const PARAMETERS: [&str; 5] = ["page", "per_page", "sort", "dir", "format"];

/// Parameters a browser may add that mean nothing to a list: htmx's cache buster
/// (`htmx.config.getCacheBusterParam`).
const IGNORED: [&str; 1] = ["org.htmx.cache-buster"];

/// A key that is neither a filter of the list nor one of its parameters is refused, never
/// ignored: `/materials/lots?material=concrete` would otherwise show every lot as if they were
/// concrete.
fn refuse_unknown_keys(def: &ListDef, query: &[(String, String)]) -> Result<(), ListError> {
    let known = |key: &str| {
        PARAMETERS.contains(&key)
            || IGNORED.contains(&key)
            || def.filters.iter().any(|f| f.key == key)
    };
    let Some((key, _)) = query.iter().find(|(key, _)| !known(key)) else {
        return Ok(());
    };
    let filters: Vec<&str> = def.filters.iter().map(|f| f.key).collect();
    let which = if key.is_empty() {
        "a parameter without a name".to_string()
    } else {
        format!("filter {}", quoted(key))
    };
    let has = if filters.is_empty() {
        "it has no filters".to_string()
    } else {
        format!("its filters are {}", filters.join(", "))
    };
    Err(ListError::Parameter(format!(
        "{} has no {which}; {has} (and {})",
        def.name,
        PARAMETERS.join(", ")
    )))
}

/// `text` in quotes as error messages show it: escaped, cut after 60 characters.
fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(60).collect();
    let cut = if shown.len() < text.len() { "…" } else { "" };
    format!("{shown:?}{cut}")
}

/// The column to sort by: the list's default, or a sortable column's key.
fn sort_key(def: &ListDef, asked: Option<&str>) -> Result<&'static str, ListError> {
    let Some(key) = asked else {
        return Ok(def.default_sort.0);
    };
    def.columns
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
            ListError::Parameter(format!(
                "cannot sort {} by {key:?}; sortable: {}",
                def.name,
                keys.join(", ")
            ))
        })
}

/// Values are checked before the query runs: the database only meets them when a row is there
/// to compare, so an empty table would let a bad value pass.
fn check_filter_value(filter: &ListFilter, value: &str) -> Result<(), ListError> {
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
        Err(ListError::Parameter(format!(
            "{} must be {expected}, not {value:?}",
            filter.key
        )))
    }
}
