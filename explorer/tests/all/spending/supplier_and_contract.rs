//! Who won, in names, on the contract page, and a supplier's page with its totals, buyers and
//! a download (issue 12). The spending city (`spending_city/fixture.rs`): Alpha Works
//! (`XI-CT-S1`, its name carries a `<script>`) won award `a1` of 950 000 EUR from Public Works
//! and has been paid 400 000 (OCDS `t1`) + 250 000 (ledger) = 650 000 so far; 2.5 t of cement
//! were delivered under the contract.

use super::*;
use fixture::SUPPLIER_NAME;

const ALPHA_ESCAPED: &str = "Alpha &#60;script&#62;alert(1)&#60;/script&#62; Works";

#[actix_web::test]
async fn the_contract_page_names_who_won_and_speaks_in_words() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);
    let (status, body, _) = get!(app, &format!("/spending/contracts/{OCID}"));
    assert_eq!(status, StatusCode::OK);
    escaped_only(&body);
    assert!(
        body.contains(&format!(
            "<dt>Won by</dt><dd><a href=\"/parties/{SUPPLIER}\">{ALPHA_ESCAPED}</a> <span class=\"muted small\">{SUPPLIER}</span></dd>"
        )),
        "no winner in the header"
    );
    // The timeline names the supplier, its code only in the link's title.
    assert!(
        body.contains(&format!(
            "Award a1 to <a href=\"/parties/{SUPPLIER}\" title=\"{SUPPLIER}\">{ALPHA_ESCAPED}</a> (active)"
        )),
        "{body}"
    );
    assert!(!body.contains(&format!("to {SUPPLIER}")));
    // Red flags in words, the key in small type.
    assert!(
        body.contains("<span class=\"badge flag\">Only one bid in a competitive procedure</span>")
    );
    assert!(!body.contains("<span class=\"badge flag\">single_bid</span>"));
    // Delivered quantities as people write them, and who delivered by name.
    assert!(body.contains("<td class=\"num\">2.5 t</td>"), "no 2.5 t");
    assert!(body.contains(&format!(
        "<td><a href=\"/parties/{SUPPLIER}\" title=\"{SUPPLIER}\">{ALPHA_ESCAPED}</a></td>"
    )));

    let (_, body, _) = get!(app, &format!("/api/v1/spending/contracts/{OCID}"));
    let v = json(&body);
    assert_eq!(v["won_by"][0]["name"], SUPPLIER_NAME);
    assert_eq!(v["won_by"][0]["code"], SUPPLIER);
    let award = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "award")
        .unwrap();
    assert_eq!(
        award["what"],
        format!("Award a1 to {SUPPLIER_NAME} (active)")
    );
}

#[actix_web::test]
async fn a_supplier_page_totals_what_it_was_awarded_and_paid_per_buyer_with_a_download() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);
    let (status, body, _) = get!(app, &format!("/parties/{SUPPLIER}"));
    assert_eq!(status, StatusCode::OK);
    escaped_only(&body);
    let supplied = &body[body
        .find("id=\"supplied-h\"")
        .expect("an 'As a supplier' section")..];
    let supplied = &supplied[..supplied.find("</section>").unwrap()];
    let eur = |figure: &str| format!("{} EUR", money(figure));
    assert!(
        supplied.contains(&format!("<dt>Awarded</dt><dd>{}</dd>", eur("950 000.00"))),
        "{supplied}"
    );
    assert!(
        supplied.contains(&format!(
            "<dt>Paid so far</dt><dd>{}</dd>",
            eur("650 000.00")
        )),
        "{supplied}"
    );
    assert!(
        supplied.contains(&format!(
            "<a href=\"/parties/{BUYER}\" title=\"{BUYER}\">Public Works</a></th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            eur("950 000.00"),
            eur("650 000.00")
        )),
        "{supplied}"
    );
    assert!(body.contains(&format!("href=\"/parties/{SUPPLIER}?format=csv\"")));

    let (status, body, content_type) = get!(app, &format!("/parties/{SUPPLIER}?format=csv"));
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "ocid,title,role,flags,flag_names,href");
    assert_eq!(
        lines[1],
        format!(
            "{OCID},North bridge deck,supplier,single_bid short_tender_period,\
             Only one bid in a competitive procedure; Tender period shorter than the minimum,\
             /spending/contracts/{OCID}"
        )
    );
    assert_eq!(lines.len(), 2);

    let (_, body, _) = get!(app, &format!("/api/v1/parties/{SUPPLIER}"));
    let v = json(&body);
    assert_eq!(v["supplied"][0]["buyer"]["name"], "Public Works");
    assert_eq!(number(&v["supplied"][0]["awarded"]), 950000.0);
    assert_eq!(number(&v["supplied"][0]["paid"]), 650000.0);

    // A department supplied nothing: no such section.
    let (_, body, _) = get!(app, &format!("/parties/{BUYER}"));
    assert!(!body.contains("id=\"supplied-h\""));
    let (status, _, _) = get!(app, &format!("/parties/{BUYER}?format=pdf"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
