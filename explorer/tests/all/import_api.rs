//! The upload API (`POST /api/v1/imports`) against a real PostgreSQL: bearer tokens, the
//! importer's JSON outcome, 422 with the problems, the size limit.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::Value;

use crate::upload_support::{broken_shipments, call, Harness, SHIPMENTS};
use citytrace_schema::models::ApiToken;

fn post(uri: &str, token: Option<&str>, body: &str) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", "text/csv"))
        .set_payload(body.to_string());
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    req
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[actix_web::test]
async fn without_a_valid_token_the_api_answers_401() {
    let h = Harness::new(1 << 20);
    let (_, token, token_id) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let uri = "/api/v1/imports?format=shipments";
    ApiToken::revoke(&mut h.pool.get().unwrap(), token_id).unwrap();
    for token in [None, Some("ct_nonsense"), Some(token.as_str())] {
        let reply = call(&app, post(uri, token, SHIPMENTS).to_request()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer realm=\"citytrace\"")
        );
        assert_eq!(
            json(&reply.body)["error"],
            "send a valid API token: Authorization: Bearer <token> (citytrace token create)"
        );
    }
    assert_eq!(h.stored_files(), 0);
}

#[actix_web::test]
async fn the_api_imports_as_the_tokens_party_and_reports_the_outcome() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let token = Some(token.as_str());

    let reply = call(
        &app,
        post(
            "/api/v1/imports?format=shipments",
            token,
            &broken_shipments(),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(&reply.body);
    assert_eq!(body["outcome"], "invalid");
    assert_eq!(body["problems"], 2);
    assert_eq!(body["errors"][0]["line"], 2);
    assert_eq!(body["errors"][0]["column"], "unit");
    assert_eq!(body["errors"][0]["value"], "=HYPERLINK(\"x\")");
    assert_eq!(body["errors"][1]["column"], "quantity");

    let reply = call(
        &app,
        post(
            "/api/v1/imports?format=shipments&dry_run=true",
            token,
            SHIPMENTS,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let validated = json(&reply.body);
    assert_eq!(validated["outcome"], "validated");
    assert_eq!(validated["rows"], 2);

    let uri = "/api/v1/imports?format=shipments&file_name=deliveries.csv";
    let reply = call(&app, post(uri, token, SHIPMENTS).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let imported = json(&reply.body);
    assert_eq!(imported["outcome"], "imported");
    assert_eq!(imported["batch"]["submitter"], "RCW");
    assert_eq!(imported["batch"]["file_name"], "deliveries.csv");
    assert_eq!(imported["batch"]["rows"], 2);
    assert_eq!(imported["batch"]["merkle_root"], validated["merkle_root"]);

    let reply = call(&app, post(uri, token, SHIPMENTS).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let again = json(&reply.body);
    assert_eq!(again["outcome"], "already_imported");
    assert_eq!(again["batch"]["id"], imported["batch"]["id"]);
    assert_eq!(h.stored_files(), 0, "API uploads are not kept");

    let reply = call(
        &app,
        post("/api/v1/imports?format=cheese", token, SHIPMENTS).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(json(&reply.body)["error"]
        .as_str()
        .unwrap()
        .starts_with("name the file's format: ?format=shipments|"));
}

#[actix_web::test]
async fn the_api_refuses_files_over_the_limit_with_413() {
    let h = Harness::new(1024);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let big = "x".repeat(1025);
    let reply = call(
        &app,
        post("/api/v1/imports?format=shipments", Some(&token), &big).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        json(&reply.body)["error"],
        "the file is larger than the upload limit of 1 KiB"
    );
    assert_eq!(h.stored_files(), 0);
}
