//! Red-flag figures as people read them (issue 12): the spending city's contract (`OCID`) has
//! a tender period from 1 to 11 February 2025, 10 days against a minimum of 15. The page writes
//! the dates as dates; the JSON twin keeps them exact (RFC 3339).

use super::*;

#[actix_web::test]
async fn flag_figures_show_dates_as_dates_and_the_json_keeps_them_exact() {
    let db = TestDatabase::new();
    fixture::seed(&db);
    let app = app!(db);
    let (status, body, _) = get!(app, &format!("/spending/contracts/{OCID}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            "<th scope=\"row\">start</th><td class=\"num\">2025-02-01</td><td><code>tender.tenderPeriod.startDate</code>"
        ),
        "{body}"
    );
    assert!(body.contains("<th scope=\"row\">end</th><td class=\"num\">2025-02-11</td>"));
    assert!(!body.contains("T00:00:00"), "a raw timestamp on the page");

    let (_, body, _) = get!(app, &format!("/api/v1/spending/contracts/{OCID}"));
    let v = json(&body);
    let figures = v["red_flags"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["figures"].as_array().unwrap().iter())
        .collect::<Vec<_>>();
    let start = figures.iter().find(|f| f["name"] == "start").unwrap();
    assert_eq!(start["value"], "2025-02-01T00:00:00+00:00");
}
