//! Found 5 (the web side): a NUL character in a path or query, and malformed query parameters,
//! answer the error page (pages) or the JSON error body (API) with a 4xx that says what is
//! wrong — never a 500, never actix's plain-text "Query deserialize error".

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};

use citytrace_explorer::AppState;
use citytrace_schema::testing::TestDatabase;

use crate::upload_support::{call, Reply};

fn get(uri: &str) -> actix_http::Request {
    TestRequest::get().uri(uri).to_request()
}

/// The answer is the error page (or, under /api, the JSON error body) with `status`, and its
/// message contains `says`.
pub fn assert_error(uri: &str, reply: &Reply, status: StatusCode, says: &str) {
    assert_eq!(reply.status, status, "{uri}: {}", reply.body);
    let content_type = reply.header("content-type").unwrap_or_default();
    if uri.starts_with("/api/") {
        assert!(
            content_type.starts_with("application/json"),
            "{uri}: {content_type}"
        );
        let body = crate::support::json(&reply.body);
        assert_eq!(body["status"], status.as_u16(), "{uri}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{uri}: {message}");
    } else {
        assert!(
            content_type.starts_with("text/html"),
            "{uri}: {content_type}"
        );
        assert!(
            reply.body.contains(&format!("Error {}", status.as_u16())),
            "{uri}: the error page: {}",
            reply.body
        );
        let escaped = says.replace('"', "&#34;");
        assert!(
            reply.body.contains(&escaped),
            "{uri} should say {says}: {}",
            reply.body
        );
    }
    assert!(reply.header("content-security-policy").is_some(), "{uri}");
}

#[actix_web::test]
async fn nul_in_a_path_or_query_answers_400_naming_where_it_is() {
    let db = TestDatabase::new();
    let app = test::init_service(citytrace_explorer::app(AppState::new(db.pool(2)), None)).await;
    for uri in [
        "/lots/%00",
        "/api/v1/lots/LOT%00-1",
        "/batches/%00",
        "/parties/A%00B",
    ] {
        let reply = call(&app, get(uri)).await;
        assert_error(
            uri,
            &reply,
            StatusCode::BAD_REQUEST,
            "NUL character (%00) in its path",
        );
    }
    for (uri, parameter) in [
        ("/search?q=%00", "q"),
        ("/api/v1/search?q=%00", "q"),
        ("/spending/procurement?buyer=%00", "buyer"),
        ("/api/v1/spending/procurement?buyer=x%00y", "buyer"),
        ("/cold-chain/breaches?after=%00", "after"),
        ("/materials/lots?q=%00", "q"),
        ("/api/v1/lots?sort=%00", "sort"),
        ("/?x=%00", "x"),
    ] {
        let reply = call(&app, get(uri)).await;
        assert_error(
            uri,
            &reply,
            StatusCode::BAD_REQUEST,
            &format!("The query parameter \"{parameter}\" contains a NUL character (%00)"),
        );
    }
}

#[actix_web::test]
async fn malformed_query_parameters_answer_400_naming_the_parameter() {
    let db = TestDatabase::new();
    let app = test::init_service(citytrace_explorer::app(AppState::new(db.pool(2)), None)).await;
    for (uri, says) in [
        (
            "/search?q=cement&limit=abc",
            "limit must be a whole number from 1 to 100, not \"abc\"",
        ),
        (
            "/api/v1/search?q=cement&limit=abc",
            "limit must be a whole number from 1 to 100, not \"abc\"",
        ),
        (
            "/api/v1/search?q=cement&limit=-1",
            "limit must be a whole number from 1 to 100, not \"-1\"",
        ),
        (
            "/api/v1/search?q=cement&limit=99999999999999999999",
            "limit must be a whole number",
        ),
        ("/search?q=x&area=moon", "no area \"moon\""),
        (
            "/lots/LOT-1?depth=abc",
            "depth must be a whole number from 1 to",
        ),
        (
            "/api/v1/lots/LOT-1?depth=0",
            "depth must be a whole number from 1 to",
        ),
        ("/lots/LOT-1?level=x", "level must be a whole number"),
        (
            "/spending?year=abc",
            "year must be a year such as 2026, not \"abc\"",
        ),
        (
            "/api/v1/emissions?year=-5",
            "year must be a year such as 2026, not \"-5\"",
        ),
        (
            "/spending/procurement?page=-1",
            "page must be a whole number from 1",
        ),
        (
            "/waste?period=fortnight",
            "period must be month, quarter or year, not \"fortnight\"",
        ),
        (
            "/cold-chain/breaches?format=xml",
            "format must be html, json or csv, not \"xml\"",
        ),
        (
            "/materials/lots?page=abc",
            "page must be a whole number from 1 to 1000000, not \"abc\"",
        ),
        (
            "/api/v1/lots?per_page=0",
            "per_page must be a whole number from 1 to 500, not \"0\"",
        ),
    ] {
        let reply = call(&app, get(uri)).await;
        assert_error(uri, &reply, StatusCode::BAD_REQUEST, says);
    }
}

#[actix_web::test]
async fn a_form_that_cannot_be_read_answers_the_error_page() {
    let h = crate::upload_support::Harness::new(1024);
    let app = upload_app!(h);
    let reply = call(
        &app,
        TestRequest::post()
            .uri("/import/sign-in")
            .insert_header(("content-type", "application/json"))
            .set_payload("{}")
            .to_request(),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.body
    );
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(reply.body.contains("Error 415"), "{}", reply.body);
    assert!(
        reply.body.contains("The form cannot be read"),
        "{}",
        reply.body
    );
    let reply = call(
        &app,
        TestRequest::post()
            .uri("/import/sign-in")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("token=%FF%00&csrf=1&csrf=2")
            .to_request(),
    )
    .await;
    assert!(
        reply.status.is_client_error(),
        "{}: {}",
        reply.status,
        reply.body
    );
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
}

/// Every route of the table, with `%00` in each path segment in turn and in each query
/// parameter the API document names: a 400 saying where the NUL is, as a page or as JSON.
#[actix_web::test]
async fn every_route_answers_nul_in_any_segment_or_query_parameter_with_400() {
    use crate::integrity::route_table::{query_parameters, routes};
    let h = crate::upload_support::Harness::new(1024);
    let app = upload_app!(h);
    let openapi = call(&app, get("/api/v1/openapi.json")).await;
    assert_eq!(openapi.status, StatusCode::OK);
    let parameters = query_parameters(&crate::support::json(&openapi.body));
    let mut requests = 0;
    for route in routes() {
        let request = |uri: &str| {
            let builder = if route.post {
                TestRequest::post()
            } else {
                TestRequest::get()
            };
            builder.uri(uri).to_request()
        };
        let segments = route.segments();
        for i in 1..segments.len() {
            let mut broken = segments.clone();
            broken[i] = format!("{}%00", broken[i]);
            let uri = broken.join("/");
            let reply = call(&app, request(&uri)).await;
            assert_error(&uri, &reply, StatusCode::BAD_REQUEST, "in its path");
            requests += 1;
        }
        for parameter in &parameters {
            let uri = format!("{}?{parameter}=a%00b", route.example());
            let reply = call(&app, request(&uri)).await;
            let says = format!("The query parameter \"{parameter}\" contains a NUL character");
            assert_error(&uri, &reply, StatusCode::BAD_REQUEST, &says);
            requests += 1;
        }
    }
    assert!(requests > 1000, "{requests} requests");
}
