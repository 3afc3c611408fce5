//! Every route of the route table, through the real app and a database with data in it: random
//! path segments (any Unicode, NUL, `..`, encoded slashes, numbers past i64, 400-character
//! codes), random query strings (every parameter the API document names and random ones, with
//! hostile values, repeated), as GET or HEAD, with or without htmx's headers. Never a 5xx;
//! a refusal is the error page, or under /api the JSON error body.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use rand::seq::IndexedRandom;
use rand::Rng;

use citytrace_importers::Format;
use citytrace_schema::models::{Chain, ChainKind, Finality};

use super::fuzz::{assert_answered, cases, encoded, generator, query, value};
use super::route_table::{query_parameters, routes};
use crate::upload_support::{call, Harness, SHIPMENTS};

const BUDGET: &str = "budget_line_id,fiscal_year,phase,direction,department,program,cofog,economic_class,description,amount,currency\n\
    2026-PW-0412,2026,approved,expenditure,DEPT-WORKS,Bridge renewal,04.5,31,North bridge deck,1250000.00,EUR\n";

/// A database with lots, a budget line, a chain with an anchored batch.
fn seeded() -> Harness {
    let h = Harness::new(1 << 20);
    let batch = crate::support::import_as(&h.pool, Format::Shipments, "HSM", "s.csv", SHIPMENTS);
    crate::support::import_as(&h.pool, Format::Budget, "DEPT-FINANCE", "b.csv", BUDGET);
    let conn = &mut h.pool.get().unwrap();
    Chain::upsert(conn, 31337, "city ledger", ChainKind::Ledger).unwrap();
    Chain::record_head(conn, 31337, 9, 9, 9).unwrap();
    crate::support::anchor_batch(conn, batch, 7, 0x07, 0, Finality::Final);
    h
}

#[actix_web::test]
async fn every_route_answers_random_paths_and_queries_without_a_broken_answer() {
    let h = seeded();
    let app = upload_app!(h);
    let openapi = call(
        &app,
        TestRequest::get().uri("/api/v1/openapi.json").to_request(),
    )
    .await;
    let keys: Vec<String> = query_parameters(&crate::support::json(&openapi.body))
        .into_iter()
        .collect();
    let mut rng = generator("routes");
    let per_route = cases(12);
    let mut answered = 0;
    for route in routes() {
        for _ in 0..per_route {
            let path: Vec<String> = route
                .segments()
                .iter()
                .zip(route.pattern.split('/'))
                .map(|(example, pattern)| {
                    if pattern.starts_with('{') && rng.random_range(0..4) > 0 {
                        let v = value(&mut rng);
                        encoded(&mut rng, &v)
                    } else {
                        example.clone()
                    }
                })
                .collect();
            let path = path.join("/");
            let query = query(&mut rng, &keys);
            let uri = if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            };
            let method = if route.post {
                Method::POST
            } else {
                [Method::GET, Method::GET, Method::HEAD]
                    .choose(&mut rng)
                    .cloned()
                    .unwrap_or(Method::GET)
            };
            let mut request = TestRequest::default().method(method.clone()).uri(&uri);
            if rng.random() {
                request = request.insert_header(("HX-Request", "true"));
            }
            if rng.random() {
                let target = format!("list-{}", value(&mut rng));
                if let Ok(header) = actix_web::http::header::HeaderValue::from_str(&target) {
                    request = request.insert_header(("HX-Target", header));
                }
            }
            if route.post {
                request = request
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(query.clone());
            }
            let reply = call(&app, request.to_request()).await;
            assert_answered(&format!("{method} {uri}"), &path, &reply);
            answered += 1;
        }
    }
    assert!(answered >= 60 * per_route as usize, "{answered} requests");
}
