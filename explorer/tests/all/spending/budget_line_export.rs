//! A budget line's money trail as data (issue 12): `?format=csv` gives one record per payment
//! under the line's contracts — the spending city's contract `c1` (950 000 EUR) was paid
//! 400 000 EUR by OCDS transaction `t1` on 1 April 2025 and 250 000 EUR by a ledger payment on
//! 1 May 2025 (tx 0x7777…) — and `?format=json` the JSON twin.

use super::*;

#[actix_web::test]
async fn the_budget_line_downloads_its_payments_as_csv_and_json() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);
    let page = format!("/spending/budget/2025/{LINE}");
    let (status, body, _) = get!(app, &page);
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("href=\"?format=csv\">CSV</a>"), "no CSV link");

    let (status, csv, content_type) = get!(app, &format!("{page}?format=csv"));
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "ocid,process_title,contract_id,contract_title,contract_value,contract_currency,payment_kind,paid_on,payee,amount,currency,ledger_tx,ocds_transaction"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    let t1 = lines.iter().find(|l| l.ends_with(",t1")).expect(&csv);
    assert!(
        t1.starts_with(&format!(
            "{OCID},North bridge deck,c1,Bridge deck works,950000,EUR,OCDS transaction,2025-04-01,"
        )),
        "{t1}"
    );
    assert!(t1.ends_with(",400000,EUR,,t1"), "{t1}");
    let ledger = lines
        .iter()
        .find(|l| l.contains(",ledger payment,"))
        .expect(&csv);
    assert!(ledger.contains(",ledger payment,2025-05-01,"), "{ledger}");
    assert!(ledger.contains(",250000,EUR,0x7777"), "{ledger}");

    let (status, body, _) = get!(app, &format!("{page}?format=json"));
    assert_eq!(status, StatusCode::OK);
    let (_, twin, _) = get!(app, &format!("/api/v1/spending/budget/2025/{LINE}"));
    assert_eq!(json(&body), json(&twin));

    let (status, _, _) = get!(app, &format!("{page}?format=xml"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
