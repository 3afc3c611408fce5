//! The server itself, over real TCP connections: answers given before a request reaches the
//! app — a URL or headers over the limits, a request line that is not HTTP — carry the
//! security headers too; HEAD sends the headers of GET and no body; a connection goes on
//! after a refused request only when the refusal did not end it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use citytrace_explorer::{ServeOptions, UploadOptions};
use citytrace_reads::MethodSettings;
use citytrace_schema::testing::TestDatabase;

/// A raw answer: status, headers (lower-case names), body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn assert_security_headers(&self, what: &str) {
        let csp = self.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{what}: {self:?}");
        assert_eq!(
            self.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(self.header("x-frame-options"), Some("DENY"), "{what}");
    }
}

/// Send `request` as bytes on a new connection and read everything until the server closes it
/// (requests here say `Connection: close`, or are refused, which closes).
fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // The server may answer and close before reading all of a refused request.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Answer {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete answer: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// The explorer as `citytrace serve` runs it, on a free port.
fn start(
    db: &TestDatabase,
    uploads: &std::path::Path,
) -> (SocketAddr, actix_web::dev::ServerHandle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = citytrace_explorer::serve(
        listener,
        db.pool(2),
        ServeOptions {
            workers: 1,
            uploads: UploadOptions::new(uploads),
            methods: MethodSettings::default(),
            time_zone: Default::default(),
        },
    )
    .unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (addr, handle)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.unwrap()
}

#[actix_web::test]
async fn answers_given_before_the_app_carry_the_security_headers() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let (addr, handle) = start(&db, dir.path());
    let long_url = format!(
        "GET /search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n",
        "b".repeat(65_000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    for (what, request, statuses) in [
        ("a 100 kB URL", long_url, &[414, 400, 431][..]),
        ("a 65 kB header", big_header, &[431, 400][..]),
        ("200 headers", many_headers, &[431, 400][..]),
        (
            "a request line that is not HTTP",
            "HELLO\r\n\r\n".to_string(),
            &[400][..],
        ),
        (
            "a header without a colon",
            "GET / HTTP/1.1\r\nHost x\r\n\r\n".to_string(),
            &[400][..],
        ),
    ] {
        let answer = blocking(move || exchange(addr, request.as_bytes())).await;
        assert!(statuses.contains(&answer.status), "{what}: {answer:?}");
        answer.assert_security_headers(what);
        assert_eq!(answer.header("connection"), Some("close"), "{what}");
        let body = String::from_utf8_lossy(&answer.body);
        assert!(
            body.contains(&format!("Error {}", answer.status)),
            "{what}: {body}"
        );
    }
    handle.stop(true).await;
}

#[actix_web::test]
async fn head_sends_the_headers_of_get_and_no_body_over_tcp() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let (addr, handle) = start(&db, dir.path());
    for path in [
        "/healthz",
        "/",
        "/materials/lots",
        "/api/v1/lots",
        "/no/such/page",
    ] {
        let get = blocking(move || {
            exchange(
                addr,
                format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
            )
        })
        .await;
        let head = blocking(move || {
            exchange(
                addr,
                format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
            )
        })
        .await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(head.body.is_empty(), "{path}: HEAD sent a body");
        assert!(!get.body.is_empty(), "{path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{path}: the length GET sends"
        );
        head.assert_security_headers(path);
    }
    handle.stop(true).await;
}

/// All answers of a connection, in order (each `content-length` long).
fn answers(raw: &[u8]) -> Vec<Answer> {
    let mut out = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let mut answer = parse(rest);
        let head_len = rest.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let length: usize = answer
            .header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(answer.body.len());
        answer.body.truncate(length);
        rest = &rest[head_len + length..];
        out.push(answer);
    }
    out
}

/// One kept-alive connection: a chunked upload (its body followed chunk by chunk), a request
/// with a length, then a head over the limit: the first two are answered by the app, the
/// third refused with the security headers, and the connection closed.
#[actix_web::test]
async fn heads_after_bodies_on_a_kept_alive_connection_are_checked_too() {
    use citytrace_schema::models::{ApiToken, NewApiToken, NewParty, Party};
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let token = {
        let conn = &mut db.pool(1).get().unwrap();
        let party = Party::ensure(
            conn,
            &NewParty {
                code: "RCW",
                name: "Riverside Cement Works",
                kind: "supplier",
                gln: None,
            },
        )
        .unwrap();
        let (token, hash) = citytrace_explorer::credentials::new_api_token();
        ApiToken::insert(
            conn,
            &NewApiToken {
                party_id: party.id,
                token_hash: &hash,
                label: "test",
            },
        )
        .unwrap();
        token
    };
    let (addr, handle) = start(&db, dir.path());
    let file = crate::upload_support::SHIPMENTS.as_bytes();
    let (first, second) = file.split_at(100);
    let mut request = format!(
        "POST /api/v1/imports?format=shipments&dry_run=true HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in [first, second] {
        request.extend_from_slice(format!("{:x};note=1\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
        .extend_from_slice(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    request.extend_from_slice(
        format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(20_000)).as_bytes(),
    );
    let raw = blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(&request).unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        raw
    })
    .await;
    let answers = answers(&raw);
    assert_eq!(answers.len(), 3, "{:?}", String::from_utf8_lossy(&raw));
    assert_eq!(
        answers[0].status,
        200,
        "{:?}",
        String::from_utf8_lossy(&answers[0].body)
    );
    assert!(String::from_utf8_lossy(&answers[0].body).contains("\"validated\""));
    assert_eq!(answers[1].status, 404, "POST to a GET route");
    assert_eq!(answers[2].status, 414);
    answers[2].assert_security_headers("the refused third request");
    handle.stop(true).await;
}

/// A first request that never completes is answered 408 by the guard (whose limit is shorter
/// than actix-http's), with the security headers.
#[actix_web::test]
async fn a_request_that_never_completes_is_answered_408_with_the_headers() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let (addr, handle) = start(&db, dir.path());
    let answer = blocking(move || exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n")).await;
    assert_eq!(answer.status, 408, "{answer:?}");
    answer.assert_security_headers("408");
    handle.stop(true).await;
}
