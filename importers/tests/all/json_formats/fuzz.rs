//! The database side of the JSON formats' property tests (the parsers' own, without a
//! database, run in the crate: `ocds::fuzz`, `epcis::fuzz`): real examples mutated row by
//! row, many rows to a file, imported into a real PostgreSQL. Each row is first checked on
//! its own without a database; then a file of the valid rows must import whole, and a file
//! mixing in the invalid ones must be refused — at exactly the lines the check refused — and
//! leave every table as it was. A database error (a value the checks let through but a column
//! refuses) fails the test. `CITYTRACE_FUZZ_CASES` mutated rows per format (10,000 by
//! default), 1,000 to a file.

use citytrace_importers::{epcis, ocds, Format, ImportError, ImportOutcome};
use citytrace_schema::testing::{fuzz_cases, reference_dir};
use serde_json::{json, Value};

use super::support::Fixture;

const ROWS_PER_FILE: usize = 1_000;

/// A small deterministic generator (xorshift64*): the same rows on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values a field may be given instead of the right one.
fn odd_value(rng: &mut Rng) -> Value {
    let palette = [
        Value::Null,
        json!(true),
        json!(""),
        json!(" "),
        json!(0),
        json!(-1),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e308),
        json!(5e-324),
        json!(123_456_789_012_345.67),
        json!("é".repeat(13)),
        json!("2020-01-01T00:00:00Z"),
        json!("0000-01-01T00:00:00Z"),
        json!("9999-12-31T23:59:59.999999+14:00"),
        json!("2020-01-0é 00:00:00Z"),
        json!("eur"),
        json!("urn:epc:id:sgtin:4012345.011111.9é"),
        json!("https://id.gs1.org/01/04012345111118/10/L1"),
        json!("urn:epcglobal:cbv:bizstep:shipping"),
        json!([]),
        json!({}),
        json!([{"id": "x"}]),
        json!({"id": 1, "amount": "1"}),
        json!("𝄞\u{202e}\u{feff}"),
    ];
    let i = rng.below(palette.len());
    palette[i].clone()
}

/// The JSON pointers of every node of `value` below the root.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    let mut child = |key: &str, v: &Value| {
        let p = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        out.push(p.clone());
        pointers(v, &p, out);
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| child(&i.to_string(), v)),
        Value::Object(map) => map.iter().for_each(|(k, v)| child(k, v)),
        _ => {}
    }
}

/// One or two nodes of `row` replaced by odd values or removed.
fn mutated(rng: &mut Rng, mut row: Value) -> Value {
    for _ in 0..1 + rng.below(2) {
        let mut all = Vec::new();
        pointers(&row, "", &mut all);
        if all.is_empty() {
            break;
        }
        let at = all[rng.below(all.len())].clone();
        if rng.below(4) > 0 {
            let with = odd_value(rng);
            if let Some(node) = row.pointer_mut(&at) {
                *node = with;
            }
            continue;
        }
        let Some((parent, key)) = at.rsplit_once('/') else {
            continue;
        };
        let key = key.replace("~1", "/").replace("~0", "~");
        match row.pointer_mut(parent) {
            Some(Value::Array(items)) => {
                if let Ok(i) = key.parse::<usize>() {
                    items.remove(i);
                }
            }
            Some(Value::Object(map)) => {
                map.remove(&key);
            }
            _ => {}
        }
    }
    row
}

/// Import `file`; None when imported, else the problems (line, reason).
fn import(f: &Fixture, format: Format, name: &str, file: &Value) -> Option<Vec<(u64, String)>> {
    let path = f.write(name, &serde_json::to_vec_pretty(file).unwrap());
    match f.import(format, &path) {
        Ok(ImportOutcome::Imported { .. }) => None,
        Err(ImportError::Invalid(errors)) => Some(
            errors
                .errors
                .into_iter()
                .map(|e| (e.line, e.reason))
                .collect(),
        ),
        other => panic!("{name}: neither imported nor refused: {other:?}"),
    }
}

/// Rows valid on their own (by the check without a database), and all rows in order.
fn classify(rows: &[Value], check: impl Fn(&Value) -> bool) -> (Vec<Value>, Vec<bool>) {
    let valid: Vec<bool> = rows.iter().map(&check).collect();
    let kept = rows
        .iter()
        .zip(&valid)
        .filter(|(_, ok)| **ok)
        .map(|(r, _)| r.clone())
        .collect();
    (kept, valid)
}

/// Import the valid rows (must succeed), then every file of mixed rows (must be refused at
/// the rows the check refused, or at rows met twice, with the database unchanged).
fn run(
    f: &Fixture,
    format: Format,
    batches: Vec<Vec<Value>>,
    wrap: impl Fn(Vec<Value>) -> Value,
    check: impl Fn(&Value) -> bool,
) {
    for (b, rows) in batches.into_iter().enumerate() {
        let (valid_rows, valid) = classify(&rows, &check);
        if !valid_rows.is_empty() {
            let lines = import(f, format, &format!("valid-{b}.json"), &wrap(valid_rows));
            assert_eq!(lines, None, "batch {b}: the valid rows were refused");
        }
        let before = f.snapshot();
        match import(f, format, &format!("mixed-{b}.json"), &wrap(rows)) {
            None => assert!(
                valid.iter().all(|ok| *ok),
                "batch {b}: invalid rows imported"
            ),
            Some(problems) => {
                let refused: Vec<u64> = (1..)
                    .zip(&valid)
                    .filter(|(_, ok)| !**ok)
                    .map(|(l, _)| l)
                    .collect();
                // Beyond 1,000 problems the rest are counted, not listed.
                let listed = problems.last().map_or(0, |(l, _)| *l);
                for line in refused.iter().filter(|l| **l < listed) {
                    assert!(
                        problems.iter().any(|(l, _)| l == line),
                        "batch {b}: line {line} not refused: {problems:?}"
                    );
                }
                assert_eq!(
                    f.snapshot(),
                    before,
                    "batch {b}: a refused file changed the database"
                );
            }
        }
    }
}

#[test]
fn mutated_ocds_releases_import_when_valid_and_leave_nothing_when_not() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let mut bases = Vec::new();
    for stage in [
        "01-planning",
        "02-tender",
        "03-tenderAmendment",
        "04-award",
        "05-contract",
        "06-implementation",
    ] {
        let path = reference.join(format!(
            "ocds/examples/fictional-1.1/ocds-213czf-000-00001-{stage}.json"
        ));
        let package: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        bases.push(package["releases"][0].clone());
    }
    for n in 0..10 {
        let path = reference.join(format!("ocds/examples/australia-new-south-wales/{n}.json"));
        let package: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        bases.extend(package["releases"].as_array().unwrap().iter().cloned());
    }
    let mut rng = Rng(0x5EED_0CD5);
    let total = fuzz_cases(10_000) as usize;
    let rows: Vec<Value> = (0..total)
        .map(|n| {
            let mut row = bases[rng.below(bases.len())].clone();
            row["ocid"] = json!(format!("ocds-fuzz-{}", n % 97));
            let mut row = mutated(&mut rng, row);
            // A release id of its own (the mutations of ids are the crate's property tests').
            row["id"] = json!(format!("fuzz-{n}"));
            row
        })
        .collect();
    let f = Fixture::new();
    run(
        &f,
        Format::Ocds,
        rows.chunks(ROWS_PER_FILE).map(<[Value]>::to_vec).collect(),
        |rows| json!({"releases": rows}),
        |row| {
            ocds::check(
                serde_json::to_vec(&json!({"releases": [row]}))
                    .unwrap()
                    .as_slice(),
            )
            .is_ok()
        },
    );
}

#[test]
fn mutated_epcis_events_import_when_valid_and_leave_nothing_when_not() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let mut bases = Vec::new();
    for name in [
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.3-AggregationEvent.jsonld",
        "Example_9.6.4-TransformationEvent.jsonld",
        "WithSensorData/SensorDataExample1.jsonld",
        "Example-Type-sourceOrDestination,measurement,bizTransaction.jsonld",
    ] {
        let doc: Value = serde_json::from_slice(
            &std::fs::read(reference.join("epcis/examples").join(name)).unwrap(),
        )
        .unwrap();
        bases.extend(
            doc["epcisBody"]["eventList"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
    }
    let mut rng = Rng(0xE9C1_5EED);
    let total = fuzz_cases(10_000) as usize;
    let rows: Vec<Value> = (0..total)
        .map(|n| {
            let base = bases[rng.below(bases.len())].clone();
            let mut row = mutated(&mut rng, base);
            // An extension of its own: no two events have one hash id.
            row["fuzzRow"] = json!(n);
            row
        })
        .collect();
    let f = Fixture::new();
    let wrap = |rows: Vec<Value>| {
        json!({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"example": "https://ns.example.com/epcis/"}],
               "type": "EPCISDocument", "epcisBody": {"eventList": rows}})
    };
    run(
        &f,
        Format::Epcis,
        rows.chunks(ROWS_PER_FILE).map(<[Value]>::to_vec).collect(),
        wrap,
        |row| {
            epcis::check(
                serde_json::to_vec(&wrap(vec![row.clone()]))
                    .unwrap()
                    .as_slice(),
            )
            .is_ok()
        },
    );
}
