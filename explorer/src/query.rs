//! A request's query string, read once, the same way by every page and API endpoint: the
//! pairs in order (percent-decoded; bytes that are not UTF-8 become U+FFFD), a NUL character
//! refused, and typed reads whose errors name the parameter, the value and what was expected.
//! A key given more than once counts with its first value. Errors are 400s: the error page
//! for pages, the JSON error body for `/api` (docs/explorer.md).

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::{web, FromRequest, HttpRequest};

use crate::error::AppError;

/// The longest value read: longer ones are refused rather than searched for.
pub const MAX_VALUE_CHARS: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Read a raw query string (what follows `?`).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let pairs = web::Query::<Vec<(String, String)>>::from_query(raw)
            .map_err(|e| AppError::BadRequest(format!("The query string cannot be read: {e}.")))?
            .into_inner();
        if let Some((key, _)) = pairs
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(nul_in_parameter(key));
        }
        Ok(Self { pairs })
    }

    pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
        Self::parse(req.query_string())
    }

    /// Every pair, in the order given.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `key`, trimmed; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The first value of `key` as text of at most `max_chars` characters.
    pub fn text(&self, key: &str, max_chars: usize) -> Result<Option<&str>, AppError> {
        match self.get(key) {
            Some(v) if v.chars().count() > max_chars => Err(AppError::BadRequest(format!(
                "{key} is too long ({} characters at most).",
                max_chars
            ))),
            other => Ok(other),
        }
    }

    /// The first value of `key` as a whole number within `range`.
    pub fn whole_number<T>(
        &self,
        key: &str,
        range: RangeInclusive<T>,
    ) -> Result<Option<T>, AppError>
    where
        T: FromStr + PartialOrd + Display,
    {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        value
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{key} must be a whole number from {} to {}, not {}.",
                    range.start(),
                    range.end(),
                    quoted(value)
                ))
            })
    }

    /// The first value of `key`, which must be one of `choices`.
    pub fn one_of(
        &self,
        key: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>, AppError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        choices
            .iter()
            .find(|c| **c == value)
            .copied()
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{key} must be {}, not {}.",
                    alternatives(choices),
                    quoted(value)
                ))
            })
    }

    /// The first value of `key` as `true` or `false` (also `1`/`0`, `yes`/`no`).
    pub fn flag(&self, key: &str) -> Result<Option<bool>, AppError> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("true" | "1" | "yes") => Ok(Some(true)),
            Some("false" | "0" | "no") => Ok(Some(false)),
            Some(_) => Err(AppError::BadRequest(format!(
                "{key} must be true or false, not {}.",
                quoted(self.get(key).unwrap_or_default())
            ))),
        }
    }
}

/// As a handler argument: a query string that cannot be read answers the error page, or the
/// JSON error body under `/api`.
impl FromRequest for QueryParams {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::of(req).map_err(|e| {
            let response = e.response_for(req.path());
            InternalError::from_response(e, response).into()
        }))
    }
}

/// The 400 for a NUL character in a query parameter (PostgreSQL can store no such text).
pub fn nul_in_parameter(key: &str) -> AppError {
    let which = if key.is_empty() {
        "A query parameter without a name".to_string()
    } else {
        format!("The query parameter {}", quoted(&key.replace('\0', "%00")))
    };
    AppError::BadRequest(format!(
        "{which} contains a NUL character (%00), which no value of citytrace has. Remove it from the address."
    ))
}

/// A value as an error message shows it: quoted, control characters escaped, cut after 60
/// characters.
pub fn quoted(value: &str) -> String {
    let shown: String = value.chars().take(60).collect();
    let cut = if shown.len() < value.len() { "…" } else { "" };
    format!("{:?}{cut}", shown)
}

/// `a, b or c`.
fn alternatives(choices: &[&str]) -> String {
    match choices {
        [] => "empty".into(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: AppError) -> String {
        assert!(matches!(e, AppError::BadRequest(_)), "{e:?}");
        e.to_string()
    }

    #[test]
    fn typed_reads_name_the_parameter_the_value_and_what_was_expected() {
        let q = QueryParams::parse("limit=abc&dir=up&dry_run=maybe&page=0&q=%20x%20").unwrap();
        assert_eq!(
            message(q.whole_number::<u32>("limit", 1..=100).unwrap_err()),
            "limit must be a whole number from 1 to 100, not \"abc\"."
        );
        assert_eq!(
            message(q.whole_number::<u32>("page", 1..=9).unwrap_err()),
            "page must be a whole number from 1 to 9, not \"0\"."
        );
        assert_eq!(
            message(q.one_of("dir", &["asc", "desc"]).unwrap_err()),
            "dir must be asc or desc, not \"up\"."
        );
        assert_eq!(
            message(q.flag("dry_run").unwrap_err()),
            "dry_run must be true or false, not \"maybe\"."
        );
        assert_eq!(q.get("q"), Some("x"));
        assert_eq!(q.whole_number::<u32>("absent", 1..=2).unwrap(), None);
    }

    #[test]
    fn the_first_of_repeated_keys_counts_and_empty_values_are_absent() {
        let q = QueryParams::parse("a=1&a=2&b=&c=%E2%82%AC").unwrap();
        assert_eq!(q.get("a"), Some("1"));
        assert_eq!(q.get("b"), None);
        assert_eq!(q.get("c"), Some("€"));
        assert_eq!(q.pairs().len(), 4);
    }

    #[test]
    fn nul_anywhere_is_refused_with_the_parameter_named() {
        for raw in ["q=%00", "q=a%00b", "%00=1", "x=1&buyer=%00"] {
            let e = message(QueryParams::parse(raw).unwrap_err());
            assert!(e.contains("NUL character (%00)"), "{raw}: {e}");
        }
        assert!(message(QueryParams::parse("x=1&buyer=%00").unwrap_err())
            .starts_with("The query parameter \"buyer\" contains"));
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters() {
        let q = QueryParams::parse("q=%FF%FE").unwrap();
        assert_eq!(q.get("q"), Some("\u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn quoted_values_are_cut_by_characters_not_bytes() {
        let long = "é".repeat(100);
        let shown = quoted(&long);
        assert_eq!(shown, format!("{:?}…", "é".repeat(60)));
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }
}
