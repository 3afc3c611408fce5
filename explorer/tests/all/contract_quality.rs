//! A contracting process's page shows the data-quality notes of its releases: "as published,
//! with N data-quality notes", where each deviation is, what kind, and the value as published
//! (escaped), with its evidence; its JSON twin lists them too.

use actix_web::http::StatusCode;
use citytrace_importers::Format;
use citytrace_schema::testing::TestDatabase;

use crate::support::{between, import_as, json};

const SLIPS: &str = r#"{"releases": [
  {"ocid": "ocds-dq-1", "id": "r1", "date": "2025-01-10T00:00:00Z", "tag": "tender",
   "tender": {"id": "T1", "title": "Bridge <script>alert(1)</script>", "value": {"amount": 100, "currency": "eur"}}},
  {"ocid": "ocds-dq-1", "id": "r2", "date": "2025-02-10T00:00:00Z", "tag": ["award"],
   "awards": [{"id": "A1", "date": "", "value": {"amount": 90, "currency": "EUR"}}]},
  {"ocid": "ocds-dq-2", "id": "r3", "date": "2025-02-10T00:00:00Z", "tag": ["tender"],
   "tender": {"id": "T2", "title": "Clean"}}
]}"#;

#[actix_web::test]
async fn the_process_page_shows_its_data_quality_notes_as_published() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    let batch = import_as(&pool, Format::Ocds, "CITY", "slips.json", SLIPS);
    let app = app!(pool);

    let (status, body) = get!(app, "/spending/contracts/ocds-dq-1");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("as published, with 3 data-quality notes"),
        "{body}"
    );
    let section = between(&body, "id=\"quality-h\"", "</section>");
    for (path, kind, original) in [
        ("releases[0].tag", "string_as_list", "&quot;tender&quot;"),
        (
            "releases[0].tender.value.currency",
            "currency_case",
            "&quot;eur&quot;",
        ),
        ("releases[1].awards[0].date", "empty_string", "&quot;&quot;"),
    ] {
        let row = between(section, &format!("<code>{path}</code>"), "</tr>");
        assert!(row.contains(kind), "{row}");
        assert!(
            row.contains(&format!("<code>{original}</code>"))
                || row.contains(&format!(
                    "<code>{}</code>",
                    original.replace("&quot;", "&#34;")
                )),
            "{row}"
        );
        assert!(row.contains(&format!("batch {batch}, line")), "{row}");
    }
    assert!(section.contains("read as absent"));
    assert!(!body.contains("<script>alert(1)</script>"), "escaped");

    let (status, body) = get!(app, "/api/v1/spending/contracts/ocds-dq-1");
    assert_eq!(status, StatusCode::OK);
    let notes = &json(&body)["data_quality_notes"];
    assert_eq!(notes["total"], 3);
    let paths: Vec<&str> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "releases[0].tag",
            "releases[0].tender.value.currency",
            "releases[1].awards[0].date"
        ]
    );
    assert_eq!(notes["notes"][2]["kind"], "empty_string");
    assert_eq!(notes["notes"][2]["source"]["line"], 2);

    let (_, body) = get!(app, "/spending/contracts/ocds-dq-2");
    assert!(body.contains("as published, without data-quality notes"));
    assert!(!body.contains("id=\"quality-h\""));
}
