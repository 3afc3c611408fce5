//! The two lists computed in Rust — procurement with its red flags, shipments in breach —
//! walked in chunks and streamed: on cities with more rows than one chunk, their pages, JSON
//! API and CSV/JSON exports give every row, in order, with the flags the in-memory evaluation
//! gives, filters honoured, and the exports are streamed bodies (no length known up front).

use crate::support::{import_as, json};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use serde_json::{json, Value};

use citytrace_importers::Format;
use citytrace_reads::spending::{
    list_flagged_processes, ProcessFlagQuery, RedFlagRule, RedFlagRules, PROCESSES_PER_CHUNK,
};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

/// More processes than one chunk of the walk.
const PROCESSES: usize = PROCESSES_PER_CHUNK + 140;

/// `PROCESSES` awards of goods, pseudo-random but fixed: two buyers, three suppliers, direct,
/// limited or open, amounts that raise direct-award, repeated-award and split-purchase flags,
/// dates over three years with many on the same day (the ocid tie-break).
fn procurement_city(pool: &PgPool) {
    let mut seed: u64 = 0xc17e;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let releases: Vec<Value> = (1..=PROCESSES)
        .map(|n| {
            let day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
                + chrono::Days::new(next(1_100) / 3 * 3);
            let date = format!("{day}T00:00:00Z");
            let (buyer, buyer_name) = [("WORKS", "Public Works"), ("ENV", "Environment")]
                [usize::from(next(4) == 0)];
            let s = ["S1", "S2", "S3"][next(3) as usize];
            let method = ["direct", "limited", "open"][next(3) as usize];
            let amount = [120_000, 5_000, 250_000, 110_500][next(4) as usize];
            json!({
                "ocid": format!("ocds-ctstrm-{n:04}"), "id": format!("r{n}"), "date": date,
                "tag": ["award"], "initiationType": "tender",
                "buyer": {"id": buyer, "name": buyer_name},
                "parties": [
                    {"id": buyer, "name": buyer_name, "identifier": {"scheme": "XI-CT", "id": buyer}, "roles": ["buyer"]},
                    {"id": s, "name": format!("Supplier {s}"), "identifier": {"scheme": "XI-CT", "id": s}, "roles": ["supplier"]}
                ],
                "tender": {"id": "t", "title": format!("Purchase {n}"), "status": "complete",
                           "procurementMethod": method, "mainProcurementCategory": "goods"},
                "awards": [{"id": "a1", "status": "active", "date": date,
                            "value": {"amount": amount, "currency": "EUR"},
                            "suppliers": [{"id": s, "name": format!("Supplier {s}")}]}]
            })
        })
        .collect();
    let package = json!({"uri": "https://city.example/ocds.json", "publishedDate": "2026-12-31T00:00:00Z",
                         "version": "1.1", "releases": releases});
    import_as(
        pool,
        Format::Ocds,
        "FIN",
        "releases.json",
        &package.to_string(),
    );
}

/// (ocid, flag ids) of every process the in-memory evaluation lists, newest first.
fn in_memory(pool: &PgPool, flag: Option<RedFlagRule>) -> Vec<(String, Vec<String>)> {
    let page = list_flagged_processes(
        &mut pool.get().unwrap(),
        &RedFlagRules::default(),
        &ProcessFlagQuery {
            flag,
            limit: usize::MAX,
            ..Default::default()
        },
    )
    .unwrap();
    page.processes
        .into_iter()
        .map(|p| (p.ocid, p.flags.iter().map(|f| f.id().to_string()).collect()))
        .collect()
}

fn from_json(items: &Value) -> Vec<(String, Vec<String>)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let flags = p["flags"].as_array().unwrap();
            (
                p["ocid"].as_str().unwrap().to_string(),
                flags
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// GET `uri`: status, whether the body is a stream (no length up front), body.
macro_rules! get_streamed {
    ($app:expr, $uri:expr) => {{
        let response = actix_web::test::call_service(
            &$app,
            actix_web::test::TestRequest::get().uri($uri).to_request(),
        )
        .await;
        let status = response.status();
        let streamed = matches!(response.response().body().size(), BodySize::Stream);
        let body = actix_web::test::read_body(response).await;
        (status, streamed, String::from_utf8(body.to_vec()).unwrap())
    }};
}

#[actix_web::test]
async fn procurement_pages_and_exports_over_many_chunks_match_the_in_memory_listing() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    procurement_city(&pool);
    let app = app!(pool);
    let everything = in_memory(&pool, None);
    assert_eq!(everything.len(), PROCESSES);
    let split = in_memory(&pool, Some(RedFlagRule::SplitPurchases));
    let repeated = in_memory(&pool, Some(RedFlagRule::RepeatedNonCompetitiveAwards));
    assert!(split.len() > 5 && repeated.len() > 5 && repeated.len() < PROCESSES - 100);

    // The JSON export: every process, in order, with its flags; streamed.
    let (status, streamed, body) = get_streamed!(app, "/spending/procurement?format=json");
    assert_eq!(status, StatusCode::OK);
    assert!(streamed);
    assert_eq!(from_json(&json(&body)), everything);
    // The CSV export: the same, one line each after the header.
    let (status, streamed, body) = get_streamed!(app, "/api/v1/spending/procurement?format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(streamed);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), PROCESSES + 1);
    let csv: Vec<(String, Vec<String>)> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let flags = cells[6].split(' ').filter(|f| !f.is_empty());
            (cells[0].to_string(), flags.map(str::to_string).collect())
        })
        .collect();
    assert_eq!(csv, everything);

    // A flag filter: exports and pages give the in-memory rows raising it.
    let (_, _, body) = get_streamed!(
        app,
        "/spending/procurement?flag=split_purchases&format=json"
    );
    assert_eq!(from_json(&json(&body)), split);
    let (_, body) = get!(
        app,
        "/api/v1/spending/procurement?flag=repeated_non_competitive_awards&page=2"
    );
    let v = json(&body);
    assert_eq!(v["total"], repeated.len());
    assert_eq!(
        from_json(&v["items"]),
        repeated[50..100.min(repeated.len())]
    );
    // Without one, a page from the middle of the second chunk, and its total.
    let page = PROCESSES_PER_CHUNK / 50 + 2;
    let (_, body) = get!(app, &format!("/api/v1/spending/procurement?page={page}"));
    let v = json(&body);
    assert_eq!(v["total"], PROCESSES);
    let from = (page - 1) * 50;
    assert_eq!(from_json(&v["items"]), everything[from..from + 50]);
    let (_, body) = get!(app, &format!("/spending/procurement?page={page}"));
    assert!(body.contains(&format!(
        "{}–{} of {PROCESSES} processes",
        from + 1,
        from + 50
    )));
    // Method and year filters with the export.
    let (_, _, body) = get_streamed!(
        app,
        "/spending/procurement?method=open&year=2024&format=json"
    );
    let open_2024 = from_json(&json(&body));
    let summaries = list_flagged_processes(
        &mut pool.get().unwrap(),
        &RedFlagRules::default(),
        &ProcessFlagQuery {
            limit: usize::MAX,
            ..Default::default()
        },
    )
    .unwrap()
    .processes;
    let expected: Vec<(String, Vec<String>)> = summaries
        .into_iter()
        .filter(|p| {
            p.procurement_method.as_deref() == Some("open")
                && chrono::Datelike::year(&p.last_release_date) == 2024
        })
        .map(|p| (p.ocid, p.flags.iter().map(|f| f.id().to_string()).collect()))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(open_2024, expected);
    // A buyer that bought nothing: an empty export, still well formed.
    let (_, _, body) = get_streamed!(app, "/spending/procurement?buyer=XI-CT-S1&format=json");
    assert_eq!(json(&body), json!([]));
    let (_, _, body) = get_streamed!(app, "/spending/procurement?buyer=XI-CT-S1&format=csv");
    assert_eq!(body.lines().count(), 1);
}

const PRODUCTS: &str = "gtin,product,unit,min_temp_c,max_temp_c,max_excursion_minutes,max_single_excursion_minutes,logging_interval_minutes
05412345003014,Insulin glargine 100 U/ml,H87,2,8,60,30,5
";

/// Shipments in breach: more than one chunk of the export (100).
const BREACHES: usize = 130;

/// `BREACHES` shipments with 40 minutes above 8 °C (a single excursion over 30: breach), and
/// 20 that stayed in range.
fn cold_chain_city(pool: &PgPool) {
    import_as(pool, Format::Products, "COLDCO", "products.csv", PRODUCTS);
    let mut shipments = String::from(
        "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at\n",
    );
    let mut readings =
        String::from("device_id,shipment_id,lot_id,recorded_at,temperature_c,humidity_pct\n");
    for n in 0..BREACHES + 20 {
        shipments.push_str(&format!(
            "SHP-{n:04},1,INS-{n:04},05412345003014,Insulin glargine 100 U/ml,10,H87,DEPOT,CLINIC,2026-04-12T07:30:00+02:00\n"
        ));
        let hot = n < BREACHES;
        for i in 0..11 {
            let t = if hot && (1..=9).contains(&i) {
                "9"
            } else {
                "5"
            };
            let minute = 8 * 60 + 5 * i;
            readings.push_str(&format!(
                "TL-{n},SHP-{n:04},,2026-04-12T{:02}:{:02}:00+02:00,{t},\n",
                minute / 60,
                minute % 60
            ));
        }
    }
    import_as(
        pool,
        Format::Shipments,
        "COLDCO",
        "shipments.csv",
        &shipments,
    );
    import_as(
        pool,
        Format::SensorReadings,
        "COLDCO",
        "readings.csv",
        &readings,
    );
}

#[actix_web::test]
async fn shipments_in_breach_export_every_row_streamed_as_the_pages_list_them() {
    let db = TestDatabase::new();
    let pool = db.pool(2);
    cold_chain_city(&pool);
    let app = app!(pool);
    // Every page, through the `after` cursor.
    let mut paged: Vec<Value> = Vec::new();
    let mut next = Some("/api/v1/cold-chain/breaches".to_string());
    while let Some(uri) = next {
        let (status, body) = get!(app, &uri);
        assert_eq!(status, StatusCode::OK);
        let v = json(&body);
        paged.extend(v["items"].as_array().unwrap().iter().cloned());
        next = v["next"].as_str().map(str::to_string);
    }
    assert_eq!(paged.len(), BREACHES);
    let codes: Vec<String> = (0..BREACHES).map(|n| format!("SHP-{n:04}")).collect();
    let paged_codes: Vec<&str> = paged
        .iter()
        .map(|r| r["shipment_code"].as_str().unwrap())
        .collect();
    assert_eq!(paged_codes, codes);

    for uri in [
        "/cold-chain/breaches?format=json",
        "/api/v1/cold-chain/breaches?format=json",
    ] {
        let (status, streamed, body) = get_streamed!(app, uri);
        assert_eq!(status, StatusCode::OK);
        assert!(streamed, "{uri}");
        assert_eq!(json(&body), Value::Array(paged.clone()), "{uri}");
    }
    let (status, streamed, body) = get_streamed!(app, "/cold-chain/breaches?format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(streamed);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), BREACHES + 1);
    assert!(lines[0].starts_with("shipment_code,products,devices,reasons,excursions"));
    for (line, code) in lines[1..].iter().zip(&codes) {
        assert!(
            line.starts_with(&format!("{code},Insulin glargine 100 U/ml,")),
            "{line}"
        );
        assert!(
            line.contains(",a single excursion over budget,1,45,45,"),
            "{line}"
        );
    }
    let (status, _) = get!(app, "/api/v1/cold-chain/breaches?format=xml");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
