//! The procurement list says who won, what was awarded and what has been paid so far, and
//! picks a year from a list (issue 12). The spending city (`spending_city/fixture.rs`):
//!
//! - `ocds-ctexpl-0001`: award `a1` of 950 000 EUR to Alpha Works (`XI-CT-S1`, its name carries
//!   a `<script>`); paid 400 000 (OCDS `t1`) + 250 000 (ledger, no OCDS counterpart) = 650 000;
//! - `ocds-ctexpl-0002`: award of 20 000 EUR to Bravo Office (`XI-CT-S2`), nothing paid: 0.
//!
//! Both processes' latest releases are in 2025: the year list offers 2025 only.

use super::*;
use fixture::SUPPLIER_NAME;

fn row<'a>(body: &'a str, ocid: &str) -> &'a str {
    let start = body
        .find(&format!(">{ocid}</a></th>"))
        .unwrap_or_else(|| panic!("no row {ocid}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[actix_web::test]
async fn the_procurement_list_names_the_winner_what_was_awarded_and_paid_so_far() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);
    let (status, body, _) = get!(app, "/spending/procurement");
    assert_eq!(status, StatusCode::OK);
    escaped_only(&body);
    for heading in ["Supplier", "Awarded", "Paid so far"] {
        assert!(body.contains(&format!(">{heading}</th>")), "{heading}");
    }
    let works = row(&body, OCID);
    assert!(
        works.contains(&format!(
            "<a href=\"/parties/{SUPPLIER}\" title=\"{SUPPLIER}\">Alpha &#60;script&#62;alert(1)&#60;/script&#62; Works</a>"
        )),
        "{works}"
    );
    assert!(
        works.contains(&format!(
            "<td class=\"num\">{} EUR</td>",
            money("950 000.00")
        )),
        "{works}"
    );
    assert!(
        works.contains(&format!(
            "<td class=\"num\">{} EUR</td>",
            money("650 000.00")
        )),
        "{works}"
    );
    let direct = row(&body, OCID_DIRECT);
    assert!(direct.contains(">Bravo Office</a>"), "{direct}");
    assert!(
        direct.contains(&format!(
            "<td class=\"num\">{} EUR</td>",
            money("20 000.00")
        )),
        "{direct}"
    );
    assert!(
        direct.contains("<td class=\"num\">0.00 EUR</td>"),
        "{direct}"
    );

    // The year is chosen from the years that have processes.
    let select = &body[body.find("<select id=\"f-year\"").expect("a year list")..];
    let select = &select[..select.find("</select>").unwrap()];
    assert!(
        select.contains("<option value=\"2025\">2025</option>"),
        "{select}"
    );
    assert_eq!(select.matches("<option").count(), 2, "any, 2025: {select}");
    let (_, body, _) = get!(app, "/spending/procurement?year=2025");
    assert!(body.contains("<option value=\"2025\" selected>2025</option>"));

    // The CSV and JSON carry the same, amounts exact.
    let (_, body, _) = get!(app, "/spending/procurement?format=csv");
    let works = body.lines().find(|l| l.starts_with(OCID)).unwrap();
    assert!(
        works.starts_with(&format!(
            "{OCID},North bridge deck,{BUYER},Public Works,open,2025-03-05T00:00:00+00:00,"
        )),
        "{works}"
    );
    assert!(
        works.ends_with(&format!(
            ",{SUPPLIER_NAME},{SUPPLIER},950000,EUR,650000,EUR"
        )),
        "{works}"
    );
    let direct = body.lines().find(|l| l.starts_with(OCID_DIRECT)).unwrap();
    assert!(
        direct.ends_with(",Bravo Office,XI-CT-S2,20000,EUR,0,EUR"),
        "{direct}"
    );
    let (_, body, _) = get!(app, "/api/v1/spending/procurement");
    let v = json(&body);
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ocid"] == OCID)
        .unwrap();
    assert_eq!(item["suppliers"][0]["name"], SUPPLIER_NAME);
    assert_eq!(item["suppliers"][0]["code"], SUPPLIER);
    assert_eq!(item["money"][0]["currency"], "EUR");
    assert_eq!(number(&item["money"][0]["awarded"]), 950000.0);
    assert_eq!(number(&item["money"][0]["paid"]), 650000.0);
    assert_eq!(
        item["flag_names"],
        serde_json::json!([
            "Only one bid in a competitive procedure",
            "Tender period shorter than the minimum"
        ])
    );
}
