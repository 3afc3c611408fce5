//! Executed as reported beside paid as evidenced on `/spending` and its JSON twin (issue 12).
//! The spending city (`spending_city/fixture.rs`), fiscal year 2025, Public Works, EUR, plus a
//! treasury payment of 400 000.00 on 2 April that evidences OCDS transaction `t1`:
//!
//! approved 1 000 000, adjusted 1 100 000, executed as reported 800 000, committed 950 000,
//! paid as evidenced 400 000 (OCDS `t1`, evidenced on the ledger: counted once) + 250 000
//! (ledger payment without an OCDS counterpart) = 650 000; gap 800 000 − 650 000 = 150 000.
//! The city is this one department: the same figures.

use super::*;
use citytrace_schema::diesel::RunQueryDsl;

fn seed(db: &TestDatabase) {
    fixture::seed(db);
    citytrace_schema::diesel::sql_query(
        "INSERT INTO treasury_payments (chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract, payment_id, payee, payee_name, department, amount_minor, currency, contract_ref, finality) \
         VALUES (31337, 11, decode(repeat('11', 32), 'hex'), '2025-04-02T10:00:00Z', decode(repeat('88', 32), 'hex'), 0, decode(repeat('c7', 20), 'hex'), decode(repeat('02', 32), 'hex'), decode(repeat('0b', 20), 'hex'), 'Alpha Works', $1, 40000000, 'EUR', $2, 'final')",
    )
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(BUYER)
    .bind::<citytrace_schema::diesel::sql_types::Text, _>(OCID)
    .execute(&mut db.conn())
    .unwrap();
}

fn eur(figure: &str) -> String {
    format!("{} EUR", money(figure))
}

/// The table of the section `id="executed-vs-paid"`.
fn section(body: &str) -> &str {
    let start = body
        .find(r#"id="executed-vs-paid""#)
        .expect("no executed vs paid section");
    let rest = &body[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[actix_web::test]
async fn spending_shows_executed_as_reported_beside_paid_as_evidenced_with_the_gap() {
    let db = TestDatabase::new();
    seed(&db);
    let app = app!(db);
    let (status, body, _) = get!(app, "/spending");
    assert_eq!(status, StatusCode::OK);
    let table = section(&body);
    for heading in [
        "Approved budget",
        "Adjusted budget",
        "Executed as reported",
        "Committed in contracts",
        "Paid as evidenced",
        "Gap: executed − paid",
    ] {
        assert!(table.contains(heading), "{heading} missing: {table}");
    }
    // Each figure links to its evidence: the budget rows (the department's row in the budget
    // table, listing its lines), the contracts, the payments.
    let department = body
        .find(r#"class="group-row" id="department-"#)
        .map(|i| &body[i + r#"class="group-row" id=""#.len()..])
        .and_then(|rest| rest.split('"').next())
        .expect("the department row has an anchor");
    let budget_link = format!("<a href=\"#{department}\">");
    for figure in ["1 000 000.00", "1 100 000.00", "800 000.00", "150 000.00"] {
        assert!(
            table.contains(&format!("{budget_link}{}</a>", money(figure))),
            "{figure}: {table}"
        );
    }
    assert!(
        table.contains(&format!(
            "<a href=\"/spending/procurement?buyer={BUYER}&#38;year=2025\">{}</a>",
            money("950 000.00")
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "<a href=\"/parties/{BUYER}#payments-h\">{}</a>",
            money("650 000.00")
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "{} in OCDS transactions (of which {} evidenced on the ledger, counted once) + {} in ledger payments without an OCDS counterpart",
            eur("400 000.00"),
            eur("400 000.00"),
            eur("250 000.00")
        )),
        "{table}"
    );
    // The city's row: the one department's figures, its paid and committed linked to the
    // year's contracts.
    let city = &table[table.find("The city").expect("a city row")..];
    assert!(city.contains(&money("800 000.00")), "{city}");
    assert!(
        city.contains(&format!(
            "<a href=\"/spending/procurement?year=2025\">{}</a>",
            money("650 000.00")
        )),
        "{city}"
    );
    assert!(city.contains(&money("150 000.00")), "{city}");

    let (_, body, _) = get!(app, "/api/v1/spending");
    let v = json(&body);
    let totals = &v["city_totals"][0];
    assert_eq!(totals["currency"], "EUR");
    assert_eq!(number(&totals["executed_reported"]), 800000.0);
    assert_eq!(number(&totals["paid"]), 650000.0);
    assert_eq!(number(&totals["paid_ocds_evidenced_on_ledger"]), 400000.0);
    assert_eq!(number(&totals["executed_not_evidenced"]), 150000.0);
    let department = v["budget_vs_actual"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"]["kind"] == "department")
        .unwrap();
    assert_eq!(number(&department["executed_reported"]), 800000.0);
    assert_eq!(number(&department["executed_not_evidenced"]), 150000.0);
}

#[actix_web::test]
async fn the_overview_answers_its_tables_as_csv_and_json() {
    let db = TestDatabase::new();
    seed(&db);
    let app = app!(db);
    let (status, body, content_type) = get!(app, "/spending?year=2025&format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "fiscal_year,scope,department,department_name,program,cofog,cofog_name,budget_line_ids,currency,\
         approved,adjusted,budget,executed_reported,committed,paid,paid_ocds,paid_ocds_evidenced_on_ledger,\
         paid_ledger,executed_minus_paid,not_attributable_to_a_line,flags,flag_names"
    );
    // Paid 650 000 < 85 % of 1 100 000 after the year: unspent, by key and in words.
    let unspent = "unspent,Budget left largely unspent after the year ended";
    let figures = "EUR,1000000,1100000,1100000,800000,950000,650000,400000,400000,250000,150000";
    assert_eq!(
        lines[1],
        format!("2025,department,{BUYER},Public Works,,,,,{figures},,{unspent}")
    );
    assert_eq!(
        lines[2],
        format!(
            "2025,line,{BUYER},Public Works,Bridge renewal,04.5,Economic affairs,{LINE},{figures},,{unspent}"
        )
    );
    assert_eq!(lines[3], format!("2025,city,,The city,,,,,{figures},,,"));
    assert_eq!(lines.len(), 4);

    let (status, body, content_type) = get!(app, "/spending?format=json");
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    let (_, twin, _) = get!(app, "/api/v1/spending");
    assert_eq!(json(&body), json(&twin));
    assert_eq!(json(&body)["fiscal_year"], 2025);

    let (status, _, _) = get!(app, "/spending?format=xml");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
