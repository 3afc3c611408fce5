//! A list's parameters in a URL: read from a request's query string, written into the links
//! of a page (pages, sort headers, exports). What they mean, and the SQL they make, is
//! `citytrace_reads::lists`.

use citytrace_reads::lists::{ListDef, ListError, ListParams};
pub use citytrace_reads::lists::{COUNT_CAP, MAX_PER_PAGE, PER_PAGE};

use crate::error::AppError;

/// [`ListParams`] to and from a URL's query string.
pub trait ListUrl: Sized {
    /// From a raw query string (what follows `?`), read as every page reads one
    /// ([`crate::query::QueryParams`]).
    fn from_query(def: &ListDef, raw: &str) -> Result<Self, AppError>;

    /// The query string of this view with some parameters replaced (for links: pages, sort
    /// headers, exports). Values are percent-encoded.
    fn query_string(&self, def: &ListDef, changes: &[(&str, Option<&str>)]) -> String;
}

impl ListUrl for ListParams {
    fn from_query(def: &ListDef, raw: &str) -> Result<Self, AppError> {
        Ok(Self::parse(
            def,
            crate::query::QueryParams::parse(raw)?.pairs(),
        )?)
    }

    fn query_string(&self, def: &ListDef, changes: &[(&str, Option<&str>)]) -> String {
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

/// Percent-encode a query-string component.
pub fn encode(text: &str) -> String {
    crate::fmt::path_segment(text)
}

/// A parameter or filter value the list cannot take is the request's fault (400); the
/// database's own failures are classified as every other read's.
impl From<ListError> for AppError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Database(e) => e.into(),
            ListError::Parameter(_) | ListError::FilterValue { .. } => {
                AppError::BadRequest(e.to_string())
            }
        }
    }
}
