//! What the upload-page tests share: a database with a party and its token, the explorer as an
//! actix test service with an upload folder, signing in, multipart bodies, waiting for jobs.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test;

use citytrace_explorer::credentials::new_api_token;
use citytrace_explorer::{UploadOptions, Uploads};
use citytrace_schema::models::{ApiToken, NewApiToken, NewParty, Party, Upload};
use citytrace_schema::testing::TestDatabase;
use citytrace_schema::PgPool;

pub type Request = actix_http::Request;

pub const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at,received_at\n\
    376123450000000016,1,LOT-RC-0412,04012345111118,Portland cement CEM I,25.5,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,2026-04-12T09:05:00+02:00\n\
    376123450000000016,2,LOT-AG-0412,,Crushed granite 4/20,18,TNE,4012345000115,SITE-NORTH-BRIDGE,2026-04-12T07:30:00+02:00,\n";

/// The same file with a formula as a unit on line 2 and a tag as a quantity on line 3.
pub fn broken_shipments() -> String {
    SHIPMENTS
        .replace(",25.5,TNE,", ",25.5,=HYPERLINK(\"x\"),")
        .replace(",18,TNE,", ",<b>18</b>,TNE,")
}

pub struct Harness {
    pub db: TestDatabase,
    pub pool: PgPool,
    pub uploads: Uploads,
    pub dir: tempfile::TempDir,
}

impl Harness {
    /// A fresh database and upload folder; uploads up to `max_bytes`.
    pub fn new(max_bytes: u64) -> Self {
        let db = TestDatabase::new();
        let pool = db.pool(6);
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(UploadOptions {
            dir: dir.path().join("uploads"),
            max_bytes,
        })
        .unwrap();
        Self {
            db,
            pool,
            uploads,
            dir,
        }
    }

    /// A supplier and a token for it: (party, token, token id).
    pub fn supplier(&self, code: &str, name: &str) -> (Party, String, i64) {
        let conn = &mut self.pool.get().unwrap();
        let party = Party::ensure(
            conn,
            &NewParty {
                code,
                name,
                kind: "supplier",
                gln: None,
            },
        )
        .unwrap();
        let (token, hash) = new_api_token();
        let row = ApiToken::insert(
            conn,
            &NewApiToken {
                party_id: party.id,
                token_hash: &hash,
                label: "test",
            },
        )
        .unwrap();
        (party, token, row.id)
    }

    /// Files left in the upload folder.
    pub fn stored_files(&self) -> usize {
        walk(&self.uploads.options().dir)
    }

    /// Wait until the upload's job is done (jobs run in the background).
    pub async fn settled(&self, id: i64) -> Upload {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let upload = Upload::find(&mut self.pool.get().unwrap(), id).unwrap();
            if !upload.status().in_progress() {
                return upload;
            }
            assert!(
                Instant::now() < deadline,
                "upload {id} still {}",
                upload.status
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() {
                        walk(&path)
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The explorer with the harness's upload folder, as `citytrace serve` builds it.
macro_rules! upload_app {
    ($h:expr) => {
        actix_web::test::init_service(citytrace_explorer::app(
            citytrace_explorer::AppState::new($h.pool.clone()),
            Some($h.uploads.clone()),
        ))
        .await
    };
}

/// A response, read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value a `Set-Cookie` header gives cookie `name`, and the whole header.
    pub fn cookie(&self, name: &str) -> Option<(String, String)> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| {
                let value = v[name.len() + 1..].split(';').next().unwrap().to_string();
                (value, v.to_string())
            })
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let start = self
            .body
            .find(r#"name="csrf" value=""#)
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body))
            + r#"name="csrf" value=""#.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

/// Send `req` and read the answer — also one the app gives as an error carrying its response
/// (the panic guard's 500), as the server would send it.
pub async fn call<S, B>(app: &S, req: Request) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (status, headers, body) = match test::try_call_service(app, req).await {
        Ok(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            (status, headers, test::read_body(response).await)
        }
        Err(error) => {
            let response = error.error_response();
            let status = response.status();
            let headers = response.headers().clone();
            let body = actix_web::body::to_bytes(response.into_body())
                .await
                .unwrap_or_default();
            (status, headers, body)
        }
    };
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A signed-in browser: its session cookie and its CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    pub fn get(&self, uri: &str) -> Request {
        test::TestRequest::get()
            .uri(uri)
            .insert_header(("cookie", format!("citytrace_session={}", self.cookie)))
            .to_request()
    }

    /// A form POST with this session's cookie and `csrf` as the CSRF field (if any).
    pub fn post(&self, uri: &str, csrf: Option<&str>) -> Request {
        let body = csrf.map(|c| format!("csrf={c}")).unwrap_or_default();
        test::TestRequest::post()
            .uri(uri)
            .insert_header(("cookie", format!("citytrace_session={}", self.cookie)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body)
            .to_request()
    }

    /// The upload form: `csrf`, `format`, then the file.
    pub fn upload(&self, csrf: Option<&str>, format: &str, name: &str, bytes: &[u8]) -> Request {
        let mut fields = vec![("format", format)];
        if let Some(csrf) = csrf {
            fields.insert(0, ("csrf", csrf));
        }
        let (content_type, body) = multipart(&fields, Some((name, bytes)));
        test::TestRequest::post()
            .uri("/import/uploads")
            .insert_header(("cookie", format!("citytrace_session={}", self.cookie)))
            .insert_header(("content-type", content_type))
            .set_payload(body)
            .to_request()
    }
}

/// Sign in as a browser does: fetch the form (and its cookie), post the token.
pub async fn sign_in<S, B>(app: &S, token: &str) -> Result<Session, Reply>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let form = call(app, test::TestRequest::get().uri("/import").to_request()).await;
    let (pre, _) = form.cookie("citytrace_sign_in").expect("sign-in cookie");
    let reply = call(
        app,
        test::TestRequest::post()
            .uri("/import/sign-in")
            .insert_header(("cookie", format!("citytrace_sign_in={pre}")))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(format!("csrf={}&token={token}", form.csrf()))
            .to_request(),
    )
    .await;
    let Some((cookie, _)) = reply.cookie("citytrace_session") else {
        return Err(reply);
    };
    let page = call(
        app,
        test::TestRequest::get()
            .uri("/import")
            .insert_header(("cookie", format!("citytrace_session={cookie}")))
            .to_request(),
    )
    .await;
    Ok(Session {
        cookie,
        csrf: page.csrf(),
    })
}

/// A multipart/form-data body: (content type, body).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----citytrace-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The upload id a successful upload redirects to.
pub fn upload_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply
        .header("location")
        .and_then(|l| l.strip_prefix("/import/uploads/"))
        .and_then(|id| id.parse().ok())
        .expect("redirect to the upload")
}
