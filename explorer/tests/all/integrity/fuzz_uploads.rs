//! The upload form and the upload API, fuzzed through the real app, importers and database:
//! random field names and order, file names in any Unicode, sizes around the limit, formats,
//! CSRF tokens present, wrong or late, broken multipart bodies; bearer headers in any case,
//! random tokens, query strings, and bodies made from a valid file by flipping bytes,
//! inserting NULs and multi-byte characters, cutting and changing line ends. Never a 5xx; what
//! is refused leaves the database and the upload folder as they were.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use diesel::RunQueryDsl;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use citytrace_explorer::uploads::safe_file_name;
use citytrace_schema::models::Upload;

use super::fuzz::{assert_answered, cases, generator, text};
use crate::upload_support::{call, sign_in, Harness, SHIPMENTS};

const LIMIT: u64 = 4096;
const FORMATS: &[&str] = &["shipments", "products", "budget", "ocds", "epcis"];

/// Rows of what uploads and imports write.
fn written(h: &Harness) -> (i64, i64, i64, i64) {
    #[derive(diesel::QueryableByName)]
    struct Counts {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        uploads: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        batches: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        lines: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        lots: i64,
    }
    let c: Counts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM uploads) AS uploads, \
                (SELECT count(*) FROM import_batches) AS batches, \
                (SELECT count(*) FROM shipment_lines) AS lines, \
                (SELECT count(*) FROM lots) AS lots",
    )
    .get_result(&mut h.pool.get().unwrap())
    .unwrap();
    (c.uploads, c.batches, c.lines, c.lots)
}

/// A valid file changed in random ways (or random bytes), about `size` bytes when given.
fn body(rng: &mut SmallRng, size: Option<usize>) -> Vec<u8> {
    let mut bytes = SHIPMENTS.as_bytes().to_vec();
    for _ in 0..rng.random_range(0..4) {
        let at = rng.random_range(0..bytes.len().max(1));
        match rng.random_range(0..7) {
            0 => {
                if let Some(byte) = bytes.get_mut(at) {
                    *byte = rng.random();
                }
            }
            1 => bytes.insert(at, 0),
            2 => {
                let c = super::fuzz::character(rng).to_string();
                bytes.splice(at..at, c.into_bytes());
            }
            3 => bytes.truncate(at),
            4 => bytes
                .iter_mut()
                .filter(|b| **b == b'\n')
                .for_each(|b| *b = b'\r'),
            5 => {
                bytes = (0..rng.random_range(0..300))
                    .map(|_| rng.random())
                    .collect()
            }
            _ => {
                let copy = bytes.clone();
                bytes.extend_from_slice(&copy);
            }
        }
    }
    if let Some(size) = size {
        bytes.resize(size, b'x');
    }
    bytes
}

/// One multipart part.
fn part(boundary: &str, name: &str, file_name: Option<&str>, content: &[u8]) -> Vec<u8> {
    let mut out = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"");
    if let Some(file_name) = file_name {
        out.push_str(&format!(
            "; filename=\"{file_name}\"\r\nContent-Type: text/csv"
        ));
    }
    out.push_str("\r\n\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
    out
}

#[actix_web::test]
async fn the_upload_form_answers_any_form_and_keeps_nothing_it_refuses() {
    let h = Harness::new(LIMIT);
    let (party, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let mut rng = generator("upload form");
    let boundary = "----fuzz-boundary";
    for case in 0..cases(48) {
        let csrf = match rng.random_range(0..8) {
            0 => None,
            1 => Some(text(&mut rng, 64)),
            _ => Some(session.csrf.clone()),
        };
        let format = match rng.random_range(0..5) {
            0 => text(&mut rng, 12),
            _ => FORMATS
                .choose(&mut rng)
                .copied()
                .unwrap_or("shipments")
                .to_string(),
        };
        let name = text(&mut rng, 40);
        let size = [
            0,
            1,
            LIMIT - 1,
            LIMIT,
            LIMIT + 1,
            rng.random_range(0..LIMIT * 2),
        ]
        .choose(&mut rng)
        .copied()
        .map(|s| s as usize);
        let file = body(&mut rng, size);
        let mut parts = vec![
            part(
                boundary,
                "csrf",
                None,
                csrf.clone().unwrap_or_default().as_bytes(),
            ),
            part(boundary, "format", None, format.as_bytes()),
            part(boundary, "file", Some(&name), &file),
        ];
        if csrf.is_none() {
            parts.remove(0);
        }
        let plain = rng.random_range(0..3) > 0;
        if !plain {
            let field = text(&mut rng, 12);
            let value = text(&mut rng, 1500);
            let extra = part(boundary, &field, None, value.as_bytes());
            let at = rng.random_range(0..=parts.len());
            parts.insert(at, extra);
            if rng.random() {
                let from = rng.random_range(0..parts.len());
                let moved = parts.remove(from);
                parts.push(moved);
            }
        }
        let mut payload: Vec<u8> = parts.concat();
        payload.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        if !plain && rng.random() {
            payload.truncate(rng.random_range(0..payload.len()));
        }
        let before = written(&h);
        let reply = call(
            &app,
            TestRequest::post()
                .uri("/import/uploads")
                .insert_header(("cookie", format!("citytrace_session={}", session.cookie)))
                .insert_header((
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                ))
                .set_payload(payload)
                .to_request(),
        )
        .await;
        let what = format!(
            "case {case}: csrf {csrf:?}, format {format:?}, name {name:?}, {} bytes, plain {plain}",
            file.len()
        );
        assert_answered(&what, "/import/uploads", &reply);
        let after = written(&h);
        // A name a header's quoted string carries as it is (no quote, no backslash — which
        // escapes the next character — and no control character).
        let valid_name = !name
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control());
        if reply.status == StatusCode::SEE_OTHER {
            assert_eq!(after.0, before.0 + 1, "{what}");
            let id = crate::upload_support::upload_id(&reply);
            let upload = Upload::find(&mut h.pool.get().unwrap(), id).unwrap();
            assert!(upload.size_bytes as u64 <= LIMIT, "{what}");
            if plain && valid_name {
                assert_eq!(upload.file_name, safe_file_name(&name), "{what}");
            }
        } else {
            assert_eq!(after, before, "{what}: refused, yet something was written");
        }
        // What the outcome must be when the form is well-formed: the parts are read in order
        // (CSRF token, format, file), and the first that fails answers.
        if plain && valid_name {
            let known = FORMATS.contains(&format.trim());
            let expected = if csrf.as_ref().is_some_and(|c| *c != session.csrf) {
                StatusCode::FORBIDDEN
            } else if !known {
                StatusCode::BAD_REQUEST
            } else if csrf.is_none() {
                StatusCode::FORBIDDEN
            } else if file.len() as u64 > LIMIT {
                StatusCode::PAYLOAD_TOO_LARGE
            } else if name.is_empty() && file.is_empty() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::SEE_OTHER
            };
            assert_eq!(reply.status, expected, "{what}: {}", reply.body);
        }
    }
    // Every job ends, and every file left is an upload's that still needs it.
    let ids: Vec<i64> = Upload::of_party(&mut h.pool.get().unwrap(), party.id, 1000)
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    for id in ids {
        h.settled(id).await;
    }
    let kept = Upload::of_party(&mut h.pool.get().unwrap(), party.id, 1000)
        .unwrap()
        .iter()
        .filter(|u| u.stored_as.is_some())
        .count();
    let began = std::time::Instant::now();
    while h.stored_files() != kept && began.elapsed() < std::time::Duration::from_secs(10) {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(h.stored_files(), kept, "files left in the upload folder");
}

#[actix_web::test]
async fn the_upload_api_answers_any_request_and_writes_nothing_it_refuses() {
    let h = Harness::new(LIMIT);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let mut rng = generator("upload API");
    for case in 0..cases(64) {
        let authorization = match rng.random_range(0..8) {
            0 => None,
            1 => Some(format!("Bearer {}", text(&mut rng, 70))),
            2 => Some(format!("Basic {token}")),
            _ => {
                let scheme: String = "bearer"
                    .chars()
                    .map(|c| {
                        if rng.random() {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                Some(format!(
                    "{scheme}{}{token}",
                    " ".repeat(rng.random_range(1..3))
                ))
            }
        };
        let format = match rng.random_range(0..6) {
            0 => text(&mut rng, 10),
            _ => "shipments".to_string(),
        };
        let dry_run = ["true", "false", "1", "yes", "maybe", ""]
            .choose(&mut rng)
            .copied()
            .unwrap_or("");
        let file_name = text(&mut rng, 30);
        let query = format!(
            "format={}&dry_run={dry_run}&file_name={}",
            citytrace_explorer::listing::query::encode(&format),
            citytrace_explorer::listing::query::encode(&file_name)
        );
        let size = (rng.random_range(0..10) == 0).then(|| rng.random_range(0..LIMIT as usize * 2));
        let payload = body(&mut rng, size);
        let mut request = TestRequest::post().uri(&format!("/api/v1/imports?{query}"));
        if let Some(value) = authorization
            .as_deref()
            .and_then(|a| actix_web::http::header::HeaderValue::from_str(a).ok())
        {
            request = request.insert_header(("authorization", value));
        }
        let before = written(&h);
        let reply = call(&app, request.set_payload(payload.clone()).to_request()).await;
        let what = format!(
            "case {case}: {authorization:?} {query} {:?}",
            String::from_utf8_lossy(&payload)
        );
        assert_answered(&what, "/api/v1/imports", &reply);
        let after = written(&h);
        let outcome = serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|b| b["outcome"].as_str().map(str::to_string));
        if outcome.as_deref() == Some("imported") {
            assert_eq!(after.1, before.1 + 1, "{what}");
        } else {
            assert_eq!(after, before, "{what}: {} {}", reply.status, reply.body);
        }
        let token_ok = authorization.as_deref().is_some_and(|a| {
            a.split_once(' ')
                .is_some_and(|(s, t)| s.eq_ignore_ascii_case("bearer") && t.trim() == token)
        });
        if file_name.contains('\0') || format.contains('\0') {
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{what}: a NUL in the query"
            );
        } else if !token_ok {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
        } else if format != "shipments" || dry_run == "maybe" {
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}");
        } else if payload.len() as u64 > LIMIT {
            assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{what}");
        } else {
            assert!(
                [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY].contains(&reply.status),
                "{what}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
}
