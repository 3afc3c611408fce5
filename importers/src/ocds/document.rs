//! The shapes an OCDS file comes in, and the rows each yields: a release package (one row per
//! release), a record package (one row per record), a bare release or a bare record (one row).
//! A record's row is its compiledRelease, or — when it has none — its releases compiled by the
//! merge rules.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::clean::{CleanRelease, Cleaner};
use super::json::{field, item, type_name};
use super::merge;
use super::{ReleaseKind, ReleaseRow};
use crate::error::RowError;

/// The valid rows of a parsed document, and every problem found in it.
pub(crate) fn rows(document: &Value) -> (Vec<ReleaseRow>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let Some(top) = document.as_object() else {
        errors.push(RowError::new(
            1,
            Some("(document)"),
            None,
            format!(
                "expected an OCDS release package, record package, release or record (an object), found {}",
                type_name(document)
            ),
        ));
        return (rows, errors);
    };
    let is_record = top.contains_key("compiledRelease")
        || (top.contains_key("releases") && top.contains_key("ocid"));
    if let Some(records) = top.get("records") {
        for_each_item(
            records,
            "records",
            &mut errors,
            |line, path, value, errors| {
                if let Some(row) = record(value, &path, line, errors) {
                    rows.push(row);
                }
            },
        );
    } else if is_record {
        if let Some(row) = record(document, "", 1, &mut errors) {
            rows.push(row);
        }
    } else if let Some(releases) = top.get("releases") {
        for_each_item(
            releases,
            "releases",
            &mut errors,
            |line, path, value, errors| {
                if let Some(row) = release(value, &path, line, errors) {
                    rows.push(row);
                }
            },
        );
    } else if top.contains_key("ocid") {
        if let Some(row) = release(document, "", 1, &mut errors) {
            rows.push(row);
        }
    } else {
        errors.push(RowError::new(
            1,
            Some("(document)"),
            None,
            "not OCDS: expected a `releases` or `records` array (a package), or a release or record with an `ocid`",
        ));
    }
    if errors.is_empty() && rows.is_empty() {
        errors.push(RowError::file("the package has no releases or records"));
    }
    (rows, errors)
}

/// Call `each(line, path, item)` for the items of the array at `key`; line = 1-based position.
fn for_each_item(
    value: &Value,
    key: &str,
    errors: &mut Vec<RowError>,
    mut each: impl FnMut(u64, String, &Value, &mut Vec<RowError>),
) {
    match value.as_array() {
        Some(items) => {
            for (i, v) in items.iter().enumerate() {
                each(i as u64 + 1, item(key, i), v, errors);
            }
        }
        None => errors.push(RowError::new(
            1,
            Some(key),
            None,
            format!("expected an array, found {}", type_name(value)),
        )),
    }
}

fn release(value: &Value, path: &str, line: u64, errors: &mut Vec<RowError>) -> Option<ReleaseRow> {
    let clean = Cleaner::new(line, errors).release(value, path, true)?;
    let id = clean.id.clone()?;
    Some(row(line, path, ReleaseKind::Release, id, clean))
}

fn record(value: &Value, path: &str, line: u64, errors: &mut Vec<RowError>) -> Option<ReleaseRow> {
    let mut cleaner = Cleaner::new(line, errors);
    let Some(object) = value.as_object() else {
        cleaner.fail(
            path,
            None,
            format!("expected a record (an object), found {}", type_name(value)),
        );
        return None;
    };
    let record_ocid = object.get("ocid").and_then(Value::as_str).map(str::trim);
    let compiled = match object.get("compiledRelease").filter(|v| !v.is_null()) {
        Some(compiled) => cleaner.release(compiled, &field(path, "compiledRelease"), false)?,
        None => compile_releases(object, path, &mut cleaner)?,
    };
    if let Some(ocid) = record_ocid.filter(|o| *o != compiled.ocid) {
        cleaner.fail(
            &field(path, "ocid"),
            Some(&Value::String(ocid.to_string())),
            format!(
                "the record's ocid differs from its releases' ({})",
                compiled.ocid
            ),
        );
        return None;
    }
    let id = compiled
        .id
        .clone()
        .unwrap_or_else(|| format!("{}-{}", compiled.ocid, compiled.date));
    Some(row(line, path, ReleaseKind::Record, id, compiled))
}

/// A record without compiledRelease: its releases, cleaned, sorted by date and merged.
fn compile_releases(
    record: &Map<String, Value>,
    path: &str,
    cleaner: &mut Cleaner<'_>,
) -> Option<CleanRelease> {
    let releases_path = field(path, "releases");
    let Some(releases) = record
        .get("releases")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
    else {
        cleaner.fail(
            path,
            None,
            "a record needs a compiledRelease or a non-empty `releases` array",
        );
        return None;
    };
    let mut clean = Vec::with_capacity(releases.len());
    let mut ok = true;
    for (i, r) in releases.iter().enumerate() {
        let p = item(&releases_path, i);
        if r.get("ocid").is_none() && r.get("url").is_some() {
            cleaner.fail(
                &p,
                None,
                "a linked release (url, date, tag) cannot be compiled here: include the compiledRelease or the releases themselves",
            );
            ok = false;
            continue;
        }
        match cleaner.release(r, &p, true) {
            Some(c) => clean.push((p, c)),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let ocid = clean[0].1.ocid.clone();
    for (p, c) in &clean[1..] {
        if c.ocid != ocid {
            cleaner.fail(
                &field(p, "ocid"),
                Some(&Value::String(c.ocid.clone())),
                format!("a record's releases share one ocid; the first has {ocid}"),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    // Canonical dates sort as instants; the sort is stable, so equal dates keep file order.
    clean.sort_by(|a, b| a.1.date.cmp(&b.1.date));
    let date = clean.last()?.1.date.clone();
    let mut data = merge::compile(clean.iter().map(|(_, c)| &c.data));
    data.insert("ocid".into(), Value::String(ocid.clone()));
    data.insert("date".into(), Value::String(date.clone()));
    data.insert(
        "tag".into(),
        Value::Array(vec![Value::String("compiled".into())]),
    );
    Some(CleanRelease {
        ocid,
        id: None,
        date,
        tags: vec!["compiled".into()],
        data,
    })
}

fn row(line: u64, path: &str, kind: ReleaseKind, id: String, clean: CleanRelease) -> ReleaseRow {
    let mut data = clean.data;
    data.insert("id".into(), Value::String(id.clone()));
    let date = DateTime::parse_from_rfc3339(&clean.date)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default();
    ReleaseRow {
        line,
        path: path.to_string(),
        kind,
        ocid: clean.ocid,
        release_id: id,
        date,
        tags: clean.tags,
        data: Value::Object(data),
    }
}
