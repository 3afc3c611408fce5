//! Records that hold only linked releases (`url`, `date`, `tag`): refused with that reason,
//! unless the releases they link are imported already, in which case they are compiled from
//! those releases.

use std::path::Path;

use citytrace_importers::Format;
use citytrace_schema::models::{OcdsRelease, ProcurementAward, ProcurementProcess};
use citytrace_schema::testing::reference_dir;
use serde_json::{json, Value};

use super::support::Fixture;

const FICTIONAL: &str = "ocds-213czf-000-00001";
const STAGES: [&str; 6] = [
    "01-planning",
    "02-tender",
    "03-tenderAmendment",
    "04-award",
    "05-contract",
    "06-implementation",
];

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The published record package of the fictional example with its compiledRelease (and
/// versionedRelease) taken out: a record of linked releases only.
fn linked_only(reference: &Path) -> Vec<u8> {
    let mut package =
        read(&reference.join(format!("ocds/examples/fictional-1.1/{FICTIONAL}.json")));
    let record = package["records"][0].as_object_mut().unwrap();
    record.remove("compiledRelease");
    record.remove("versionedRelease");
    assert!(record["releases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get("url").is_some()));
    serde_json::to_vec_pretty(&package).unwrap()
}

#[test]
fn a_record_of_linked_releases_not_imported_is_refused_with_that_reason() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    let before = f.snapshot();
    let problems = f.invalid(Format::Ocds, "linked.json", &linked_only(&reference));
    assert_eq!(
        problems,
        vec![(
            1,
            Some("records[0].releases".into()),
            None,
            "this record holds only linked releases (url, date, tag) and the releases they link are not imported: import those releases first, or include the compiledRelease or the releases themselves".into()
        )]
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_record_of_linked_releases_already_imported_is_compiled_from_them() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let published = Fixture::new();
    published.imported(
        Format::Ocds,
        "record.json",
        &std::fs::read(reference.join(format!("ocds/examples/fictional-1.1/{FICTIONAL}.json")))
            .unwrap(),
    );
    let f = Fixture::new();
    for stage in STAGES {
        let path = reference.join(format!(
            "ocds/examples/fictional-1.1/{FICTIONAL}-{stage}.json"
        ));
        f.imported(
            Format::Ocds,
            &format!("{stage}.json"),
            &std::fs::read(path).unwrap(),
        );
    }
    let batch = f.imported(Format::Ocds, "linked.json", &linked_only(&reference));
    let c = &mut f.db.conn();
    let rows = OcdsRelease::of_batch(c, batch).unwrap();
    assert_eq!(rows.len(), 1);
    let record = &rows[0];
    assert_eq!(
        (
            record.kind.as_str(),
            record.release_id.as_str(),
            record.line
        ),
        (
            "record",
            "ocds-213czf-000-00001-2011-01-10T09:30:00.000000Z",
            1
        )
    );
    // The compiled record says what the published compiledRelease says.
    let published_award =
        &ProcurementAward::of_process(&mut published.db.conn(), FICTIONAL).unwrap()[0];
    assert_eq!(
        record.data["awards"][0]["id"],
        json!(published_award.award_id)
    );
    assert_eq!(
        record.data["tender"]["title"],
        json!("Planned cycle lane improvements")
    );
    assert_eq!(record.data["tag"], json!(["compiled"]));
    let p = ProcurementProcess::find(c, FICTIONAL).unwrap().unwrap();
    let q = ProcurementProcess::find(&mut published.db.conn(), FICTIONAL)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            p.title,
            p.tender_value,
            p.number_of_tenderers,
            p.budget_amount
        ),
        (
            q.title,
            q.tender_value,
            q.number_of_tenderers,
            q.budget_amount
        )
    );
}

#[test]
fn a_record_linking_a_release_that_is_not_imported_is_refused_naming_it() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let f = Fixture::new();
    for stage in &STAGES[..5] {
        let path = reference.join(format!(
            "ocds/examples/fictional-1.1/{FICTIONAL}-{stage}.json"
        ));
        f.imported(
            Format::Ocds,
            &format!("{stage}.json"),
            &std::fs::read(path).unwrap(),
        );
    }
    let before = f.snapshot();
    let problems = f.invalid(Format::Ocds, "linked.json", &linked_only(&reference));
    assert_eq!(
        problems,
        vec![(
            1,
            Some("records[0].releases[5]".into()),
            Some("ocds-213czf-000-00001-06-implementation".into()),
            "this linked release is not imported: import it first, or include the compiledRelease or the releases themselves".into()
        )]
    );
    assert_eq!(f.snapshot(), before);
}
