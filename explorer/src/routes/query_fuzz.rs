//! Property tests of every parser of a query string or header the explorer reads, without a
//! database: each gets `fuzz_cases(10_000)` random inputs (any Unicode, NUL, boundary and huge
//! numbers, negative numbers, repeated keys, bad dates and cursors, raw bytes) and must answer
//! without a panic; what it accepts satisfies its rules, what it refuses is a 400 that names a
//! parameter it was given; and (the lists) every valid query is accepted as it was written.
//! The same parsers through the real app and database: explorer/tests/all/integrity/fuzz_routes.rs.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

mod inputs;

use inputs::{generated, raw_query, text, valid_list_query, ValidListQuery};

use crate::error::AppError;
use crate::listing::{ListDef, ListParams, ListUrl};
use crate::query::QueryParams;
use crate::testing::fuzz_cases;

/// Raw query strings with these keys among others.
fn query_of(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    generated(move |rng| raw_query(rng, keys))
}

fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config {
        cases: fuzz_cases(10_000),
        failure_persistence: None,
        // Fast in a debug build; the inputs are drawn from their own small generator anyway.
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

/// A refusal is a 400 naming one of the keys the query gave (NUL and unreadable text
/// included: they name theirs).
fn refusal_names_a_key(raw: &str, error: &AppError) -> Result<(), TestCaseError> {
    let AppError::BadRequest(message) = error else {
        return Err(TestCaseError::fail(format!("not a 400: {error:?}")));
    };
    let pairs = actix_web::web::Query::<Vec<(String, String)>>::from_query(raw)
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let named = pairs
        .iter()
        .any(|(k, _)| mentions(message, k) || k.is_empty() && message.contains("without a name"));
    prop_assert!(named, "{message:?} names none of {pairs:?}");
    Ok(())
}

/// Whether `message` names `key`: as it is, or as an error message quotes it (escaped, NUL as
/// `%00`, cut after 60 characters).
fn mentions(message: &str, key: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    let quoted = crate::query::quoted(&key.replace('\0', "%00"));
    let inner = quoted.trim_end_matches('…').trim_matches('"');
    message.contains(key) || message.contains(inner)
}

/// Parse `raw` as every page does, then with `parse`.
fn parsed<T>(
    raw: &str,
    parse: impl Fn(&QueryParams) -> Result<T, AppError>,
) -> Result<T, AppError> {
    parse(&QueryParams::parse(raw)?)
}

#[test]
fn query_params_never_panic_and_refuse_exactly_the_nul() {
    run("QueryParams", query_of(&["q", "page", "limit"]), |raw| {
        let decoded = actix_web::web::Query::<Vec<(String, String)>>::from_query(&raw)
            .map(|q| q.into_inner())
            .unwrap_or_default();
        let has_nul = decoded
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'));
        match QueryParams::parse(&raw) {
            Ok(query) => {
                prop_assert!(!has_nul);
                prop_assert_eq!(query.pairs(), decoded.as_slice());
                for key in ["q", "page", "limit"] {
                    let _ = query.whole_number::<u32>(key, 1..=100);
                    let _ = query.flag(key);
                    let _ = query.one_of(key, &["a", "b"]);
                    prop_assert!(query
                        .get(key)
                        .is_none_or(|v| !v.is_empty() && v.trim() == v));
                }
            }
            Err(e) => {
                prop_assert!(has_nul, "refused without a NUL: {e}");
                refusal_names_a_key(&raw, &e)?;
            }
        }
        Ok(())
    });
}

/// Every list: random query strings, and valid ones (which must be read back exactly).
#[test]
fn every_lists_query_is_parsed_without_panic_and_valid_ones_are_accepted() {
    for def in crate::lists::all() {
        let mut keys: Vec<&'static str> = vec!["page", "per_page", "sort", "dir", "format"];
        keys.extend(def.filters.iter().map(|f| f.key));
        keys.extend(def.columns.iter().map(|c| c.key));
        let cases = generated(move |rng| (raw_query(rng, &keys), valid_list_query(rng, def)));
        run(def.name, cases, |(raw, valid)| {
            check_list_query(def, &raw)?;
            check_valid_list_query(def, valid)
        });
    }
}

fn check_list_query(def: &'static ListDef, raw: &str) -> Result<(), TestCaseError> {
    match ListParams::from_query(def, raw) {
        Ok(params) => {
            prop_assert!((1..=1_000_000).contains(&params.page));
            prop_assert!((1..=500).contains(&params.per_page));
            prop_assert!(def.column(params.sort).is_some_and(|c| c.sortable));
            prop_assert!(["html", "json", "csv"].contains(&params.format.as_str()));
            for (key, value) in &params.filters {
                let filter = def.filters.iter().find(|f| f.key == *key);
                prop_assert!(filter.is_some(), "{key} is not a filter of {}", def.name);
                prop_assert!(!value.is_empty() && value.len() <= 200 && !value.contains('\0'));
            }
            // What the page links to reads back the same.
            let again = params.query_string(def, &[("format", Some(params.format.as_str()))]);
            let read = ListParams::from_query(def, again.trim_start_matches('?'));
            prop_assert_eq!(read.ok(), Some(params));
        }
        Err(e) => refusal_names_a_key(raw, &e)?,
    }
    Ok(())
}

fn check_valid_list_query(
    def: &'static ListDef,
    valid: ValidListQuery,
) -> Result<(), TestCaseError> {
    let params = ListParams::from_query(def, &valid.raw)
        .map_err(|e| TestCaseError::fail(format!("{}: refused {:?}: {e}", def.name, valid.raw)))?;
    prop_assert_eq!(
        (params.page, params.per_page, params.sort),
        (valid.page, valid.per_page, valid.sort)
    );
    prop_assert_eq!(params.descending, valid.descending);
    prop_assert_eq!(params.format.as_str(), valid.format);
    for (key, value) in &valid.filters {
        prop_assert_eq!(params.filters.get(key), Some(value));
    }
    prop_assert_eq!(params.filters.len(), valid.filters.len());
    Ok(())
}

#[test]
fn the_other_pages_query_parsers_never_panic_and_name_what_they_refuse() {
    use super::lots::LotQuery;
    use super::search::{request, SearchQuery};
    run("search", query_of(&["q", "area", "limit"]), |raw| {
        match parsed(&raw, SearchQuery::parse).and_then(|q| request(&q, 20)) {
            Ok(Some(request)) => {
                prop_assert!((1..=100).contains(&request.limit));
                prop_assert!(!request.text.is_empty() && request.text.chars().count() <= 200);
            }
            Ok(None) => {}
            Err(e) => refused_or_too_long(&raw, &e)?,
        }
        Ok(())
    });
    run(
        "lot",
        query_of(&["depth", "trace", "level", "root"]),
        |raw| {
            match parsed(&raw, LotQuery::parse).and_then(|q| q.depth()) {
                Ok(depth) => prop_assert!((1..=super::lots::MAX_DEPTH).contains(&depth)),
                Err(e) => refused_or_too_long(&raw, &e)?,
            }
            Ok(())
        },
    );
    run("waste period", query_of(&["period"]), |raw| {
        use citytrace_reads::waste::PeriodKind;
        if let Err(e) = parsed(&raw, |q| super::waste::period_of(q, PeriodKind::Year)) {
            refusal_names_a_key(&raw, &e)?;
        }
        Ok(())
    });
    run("breaches", query_of(&["after", "format"]), |raw| {
        match parsed(&raw, super::cold_chain::BreachQuery::parse) {
            Ok(q) => prop_assert!(["html", "csv", "json"].contains(&q.format)),
            Err(e) => refused_or_too_long(&raw, &e)?,
        }
        Ok(())
    });
    run(
        "procurement",
        query_of(&["buyer", "flag", "method", "year", "page", "format"]),
        |raw| {
            match parsed(&raw, super::spending::procurement::Filters::parse) {
                Ok(f) => {
                    prop_assert!(f.page >= 1 && f.year.is_none_or(|y| (1900..=2200).contains(&y)));
                    prop_assert!(["html", "csv", "json"].contains(&f.format.as_str()));
                }
                Err(e) => refusal_names_a_key(&raw, &e)?,
            }
            Ok(())
        },
    );
    run("year", query_of(&["year"]), |raw| {
        if let Err(e) = parsed(&raw, super::spending::year_param) {
            refusal_names_a_key(&raw, &e)?;
        }
        Ok(())
    });
}

/// Too long a text is refused by what it is ("the search text", a key's name).
fn refused_or_too_long(raw: &str, error: &AppError) -> Result<(), TestCaseError> {
    if error.to_string().contains("too long") {
        return Ok(());
    }
    refusal_names_a_key(raw, error)
}

#[test]
fn the_upload_apis_query_and_header_parsers_never_panic() {
    use super::import::api::{bearer_token, ImportQuery};
    run(
        "import API query",
        query_of(&["format", "dry_run", "file_name"]),
        |raw| {
            match ImportQuery::parse(&raw) {
                Ok(q) => prop_assert!(q.file_name.is_none_or(|n| n.chars().count() <= 300)),
                Err(message) => prop_assert!(!message.is_empty()),
            }
            Ok(())
        },
    );
    let header = generated(|rng| {
        use rand::Rng;
        let scheme: String = "bearer"
            .chars()
            .map(|c| {
                if rng.random() {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        let spaces = " ".repeat(rng.random_range(0..3));
        match rng.random_range(0..3) {
            0 => text(rng, 40),
            _ => format!("{scheme}{spaces}{}", text(rng, 40)),
        }
    });
    run("Authorization", header, |header| {
        if let Some(token) = bearer_token(&header) {
            prop_assert!(!token.is_empty() && token.trim() == token);
            prop_assert!(header
                .to_ascii_lowercase()
                .trim_start()
                .starts_with("bearer "));
        }
        Ok(())
    });
}

#[test]
fn upload_file_names_are_made_safe_whatever_the_browser_sends() {
    use crate::uploads::storage::{safe_file_name, stored_path};
    run("file names", generated(|rng| text(rng, 120)), |name| {
        let safe = safe_file_name(&name);
        prop_assert!(!safe.is_empty() && safe.chars().count() <= 100);
        prop_assert!(!safe.starts_with('.') && !safe.contains(['/', '\\', '\0']));
        prop_assert!(safe
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ')));
        let root = std::path::Path::new("/srv/uploads");
        let stored = stored_path(root, &format!("abc/{safe}"));
        prop_assert_eq!(stored, Some(root.join("abc").join(&safe)));
        // Whatever is stored as a relative path never leaves the folder.
        if let Some(path) = stored_path(root, &name) {
            prop_assert!(path.starts_with(root));
            prop_assert!(!path
                .components()
                .any(|c| c == std::path::Component::ParentDir));
        }
        Ok(())
    });
}
