//! Found 9 (the web side): HEAD and OPTIONS answered on every route, the `Bearer` scheme in any
//! case; and the answers the server gives before the app sees a request (a URL or headers over
//! the limits) carry the security headers too, over a real TCP connection.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;

use crate::integrity::route_table::routes;
use crate::upload_support::{call, Harness, SHIPMENTS};

fn request(method: Method, uri: &str) -> actix_http::Request {
    TestRequest::default().method(method).uri(uri).to_request()
}

#[actix_web::test]
async fn head_answers_like_get_on_every_get_route_and_computes_no_export() {
    let h = Harness::new(1024);
    crate::support::import_as(
        &h.pool,
        citytrace_importers::Format::Shipments,
        "HSM",
        "s.csv",
        SHIPMENTS,
    );
    let app = upload_app!(h);
    let mut ok = 0;
    for route in routes().into_iter().filter(|r| !r.post) {
        let uri = route.example();
        let get = call(&app, request(Method::GET, &uri)).await;
        let head = call(&app, request(Method::HEAD, &uri)).await;
        assert_eq!(head.status, get.status, "HEAD {uri}: {}", head.body);
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {uri}"
        );
        assert!(
            head.header("content-security-policy").is_some(),
            "HEAD {uri}"
        );
        ok += usize::from(get.status == StatusCode::OK);
    }
    assert!(ok > 30, "only {ok} routes answered 200");
    let head = call(&app, request(Method::HEAD, "/healthz")).await;
    assert_eq!(head.status, StatusCode::OK);
    // An export is a stream: HEAD answers its headers without computing it.
    let head = call(&app, request(Method::HEAD, "/materials/lots?format=csv")).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(head.body, "");
    let get = call(&app, request(Method::GET, "/materials/lots?format=csv")).await;
    assert!(get.body.contains("LOT-RC-0412"), "{}", get.body);
}

#[actix_web::test]
async fn options_answers_204_with_the_methods_of_every_route() {
    let h = Harness::new(1024);
    let app = upload_app!(h);
    for route in routes() {
        let uri = route.example();
        let reply = call(&app, request(Method::OPTIONS, &uri)).await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "OPTIONS {uri}: {}",
            reply.body
        );
        let allowed = if route.post {
            "POST, OPTIONS"
        } else {
            "GET, HEAD, OPTIONS"
        };
        assert_eq!(reply.header("allow"), Some(allowed), "OPTIONS {uri}");
        assert!(
            reply.header("x-content-type-options").is_some(),
            "OPTIONS {uri}"
        );
    }
    let reply = call(&app, request(Method::OPTIONS, "/no/such/page")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = call(&app, request(Method::OPTIONS, "/api/v1/no/such")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(crate::support::json(&reply.body)["error"], "not_found");
}

#[actix_web::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let post = |authorization: String| {
        TestRequest::post()
            .uri("/api/v1/imports?format=shipments&dry_run=true")
            .insert_header(("authorization", authorization))
            .set_payload(SHIPMENTS)
            .to_request()
    };
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let reply = call(&app, post(format!("{scheme} {token}"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{scheme}: {}", reply.body);
        assert_eq!(crate::support::json(&reply.body)["outcome"], "validated");
    }
    for authorization in [
        format!("Basic {token}"),
        format!("Bearer{token}"),
        "Bearer ".into(),
    ] {
        let reply = call(&app, post(authorization.clone())).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{authorization}");
    }
}
