//! Records of linked releases, compiled by the loader from the stored releases they link: a
//! linked release (`url`, `date`, `tag`) names a release by the id in its URL's fragment
//! (`…/package.json#ocds-213czf-000-00001-01-planning`, as OCDS recommends) or last path
//! segment (`…/releases/{id}.json`), else by its date when one stored release of the process
//! has it. When every linked release is found, the record is its embedded and linked
//! releases compiled by the merge rules; else it is refused, naming what is missing.

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::QueryResult;

use citytrace_schema::models::OcdsRelease;

use super::document::{self, LinkedRecord, LinkedRelease, OcdsItem};
use super::json::field;
use super::{ReleaseKind, ReleaseRow};
use crate::error::RowError;
use crate::merkle::leaf_hash;

/// The rows of a chunk with their leaves, in line order: records of linked releases compiled
/// from the stored releases they link, or problems when those are not all stored.
pub(crate) fn resolve_linked(
    conn: &mut PgConnection,
    items: Vec<OcdsItem>,
    errors: &mut Vec<RowError>,
) -> QueryResult<Vec<(ReleaseRow, [u8; 32])>> {
    let mut ocids: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            OcdsItem::Linked(record) => Some(record.ocid.as_str()),
            OcdsItem::Row { .. } => None,
        })
        .collect();
    ocids.sort_unstable();
    ocids.dedup();
    let mut stored: HashMap<String, Vec<OcdsRelease>> = HashMap::new();
    if !ocids.is_empty() {
        for release in OcdsRelease::of_processes(conn, &ocids)? {
            if release.kind == ReleaseKind::Release.as_str() {
                stored
                    .entry(release.ocid.clone())
                    .or_default()
                    .push(release);
            }
        }
    }
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        match item {
            OcdsItem::Row { row, leaf } => rows.push((row, leaf)),
            OcdsItem::Linked(record) => {
                let releases = stored.get(&record.ocid).map_or(&[][..], Vec::as_slice);
                if let Some(row) = compile(record, releases, errors) {
                    let leaf = leaf_hash(&row.canonical());
                    rows.push((row, leaf));
                }
            }
        }
    }
    Ok(rows)
}

/// The record compiled from its releases and the stored releases it links, or None with the
/// problems recorded.
fn compile(
    record: LinkedRecord,
    stored: &[OcdsRelease],
    errors: &mut Vec<RowError>,
) -> Option<ReleaseRow> {
    let found: Vec<Option<&OcdsRelease>> =
        record.links.iter().map(|link| find(link, stored)).collect();
    if found.iter().all(Option::is_none) && record.releases.is_empty() {
        errors.push(RowError::new(
            record.line,
            Some(&field(&record.path, "releases")),
            None,
            "this record holds only linked releases (url, date, tag) and the releases they link are not imported: import those releases first, or include the compiledRelease or the releases themselves",
        ));
        return None;
    }
    let mut missing = false;
    for (link, found) in record.links.iter().zip(&found) {
        if found.is_none() {
            missing = true;
            errors.push(RowError::new(
                record.line,
                Some(&link.path),
                link.named_id().or(link.url.as_deref()),
                "this linked release is not imported: import it first, or include the compiledRelease or the releases themselves",
            ));
        }
    }
    if missing {
        return None;
    }
    let mut linked: Vec<&OcdsRelease> = found.into_iter().flatten().collect();
    linked.sort_by_key(|r| r.id);
    linked.dedup_by_key(|r| r.id);
    let linked: Vec<_> = linked
        .into_iter()
        .filter_map(document::stored_release)
        .collect();
    let compiled = document::compile(&record.ocid, record.releases.iter().chain(&linked))?;
    let id = format!("{}-{}", compiled.ocid, compiled.date);
    Some(document::row(
        record.line,
        &record.path,
        ReleaseKind::Record,
        id,
        compiled,
    ))
}

/// The stored release a linked release names (its latest import), if it is stored.
fn find<'a>(link: &LinkedRelease, stored: &'a [OcdsRelease]) -> Option<&'a OcdsRelease> {
    let latest = |id: &str| {
        stored
            .iter()
            .filter(|s| s.release_id == id)
            .max_by_key(|s| (s.batch_id, s.line))
    };
    if let Some(found) = link.url_ids().into_iter().find_map(latest) {
        return Some(found);
    }
    let date = link.date?;
    let mut on_that_date = stored.iter().filter(|s| s.release_date == date);
    let first = on_that_date.next()?;
    // Several releases of that instant: the date names one only if they are one release.
    if on_that_date.all(|s| s.release_id == first.release_id) {
        latest(&first.release_id)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;

    fn stored(id: i64, release_id: &str, date: chrono::DateTime<Utc>) -> OcdsRelease {
        OcdsRelease {
            id,
            batch_id: id,
            line: 1,
            kind: "release".into(),
            ocid: "ocds-x-1".into(),
            release_id: release_id.into(),
            release_date: date,
            tags: vec![],
            data: json!({"ocid": "ocds-x-1", "id": release_id}),
        }
    }

    fn link(url: Option<&str>, date: Option<chrono::DateTime<Utc>>) -> LinkedRelease {
        LinkedRelease {
            path: "records[0].releases[0]".into(),
            url: url.map(str::to_string),
            date,
        }
    }

    #[test]
    fn linked_releases_are_found_by_fragment_file_name_or_a_date_of_their_own() {
        let d1 = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
        let d2 = Utc.with_ymd_and_hms(2020, 2, 1, 0, 0, 0).unwrap();
        let releases = [
            stored(1, "r1", d1),
            stored(2, "r2", d2),
            stored(3, "r3", d2),
            stored(4, "r1", d1),
        ];
        let id = |l: &LinkedRelease| find(l, &releases).map(|r| r.id);
        assert_eq!(
            id(&link(Some("https://x.example/p.json#r2"), None)),
            Some(2)
        );
        assert_eq!(
            id(&link(Some("https://x.example/releases/r3.json?v=1"), None)),
            Some(3)
        );
        assert_eq!(
            id(&link(Some("https://x.example/p.json#r1"), None)),
            Some(4),
            "the latest import"
        );
        assert_eq!(
            id(&link(Some("https://x.example/other"), Some(d1))),
            Some(4)
        );
        assert_eq!(id(&link(None, Some(d2))), None, "two releases of that date");
        assert_eq!(id(&link(Some("https://x.example/é#"), None)), None);
    }
}
