//! A small HTTP proxy in front of anvil that produces the RPC faults a real node cannot be made
//! to produce on demand: `-32005 query returned more than 10000 results` with a suggested range,
//! HTTP 429, a response cut off mid-body, a node that refuses connections, and one that refuses
//! JSON-RPC batches.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct Faults {
    /// eth_getLogs spanning more blocks than this get -32005 with a suggested range this long.
    pub max_log_range: AtomicU64,
    /// Answer this many of the next eth_getLogs requests with HTTP 429.
    pub rate_limit_next: AtomicUsize,
    /// Cut every n-th eth_getLogs response in half (0: never).
    pub cut_every: AtomicUsize,
    /// Refuse every request (close the connection at once).
    pub down: AtomicBool,
    /// Answer JSON-RPC batches with a single "not supported" error, as some nodes do.
    pub refuse_batches: AtomicBool,
    /// Answer this many of the next batches with HTTP 429.
    pub rate_limit_batches_next: AtomicUsize,
    /// Cut every n-th batch response in half (0: never).
    pub cut_batches_every: AtomicUsize,
    /// Batches seen, and refused.
    pub batches: AtomicUsize,
    pub batches_refused: AtomicUsize,
    /// Requests seen, by kind.
    pub get_logs: AtomicUsize,
    pub too_large_sent: AtomicUsize,
    pub rate_limited_sent: AtomicUsize,
    pub cut_sent: AtomicUsize,
}

pub struct FaultProxy {
    pub url: String,
    pub faults: Arc<Faults>,
}

impl FaultProxy {
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let faults = Arc::new(Faults {
            max_log_range: AtomicU64::new(u64::MAX),
            ..Default::default()
        });
        let f = faults.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(handle(stream, upstream.clone(), f.clone()));
            }
        });
        Self { url, faults }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            let mut body = buf[end + 4..].to_vec();
            while body.len() < length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            return Some((head, body));
        }
    }
}

fn response(status: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

async fn handle(mut stream: TcpStream, upstream: String, faults: Arc<Faults>) {
    if faults.down.load(Ordering::SeqCst) {
        return; // drop the connection: "connection closed before message completed"
    }
    let Some((_, body)) = read_request(&mut stream).await else {
        return;
    };
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if request.is_array() {
        let seen = faults.batches.fetch_add(1, Ordering::SeqCst) + 1;
        if faults.refuse_batches.load(Ordering::SeqCst) {
            faults.batches_refused.fetch_add(1, Ordering::SeqCst);
            let body = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"the method batch does not exist/is not available"}}"#;
            let _ = stream.write_all(&response("200 OK", body)).await;
            return;
        }
        if faults.rate_limit_batches_next.load(Ordering::SeqCst) > 0 {
            faults
                .rate_limit_batches_next
                .fetch_sub(1, Ordering::SeqCst);
            faults.rate_limited_sent.fetch_add(1, Ordering::SeqCst);
            let _ = stream
                .write_all(&response("429 Too Many Requests", "rate limited"))
                .await;
            return;
        }
        let every = faults.cut_batches_every.load(Ordering::SeqCst);
        if every > 0 && seen.is_multiple_of(every) {
            cut_mid_body(&mut stream, &upstream, &body, &faults).await;
            return;
        }
    }
    if request.get("method").and_then(|m| m.as_str()) == Some("eth_getLogs") {
        let seen = faults.get_logs.fetch_add(1, Ordering::SeqCst) + 1;
        let id = request["id"].clone();
        let filter = &request["params"][0];
        let block = |k: &str| {
            filter[k]
                .as_str()
                .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        };
        if let (Some(from), Some(to)) = (block("fromBlock"), block("toBlock")) {
            let max = faults.max_log_range.load(Ordering::SeqCst);
            if to - from + 1 > max {
                faults.too_large_sent.fetch_add(1, Ordering::SeqCst);
                let message = format!("query returned more than 10000 results. Try with this block range [0x{from:x}, 0x{:x}].", from + max - 1);
                let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32005, "message": message}}).to_string();
                let _ = stream.write_all(&response("200 OK", &body)).await;
                return;
            }
        }
        if faults.rate_limit_next.load(Ordering::SeqCst) > 0 {
            faults.rate_limit_next.fetch_sub(1, Ordering::SeqCst);
            faults.rate_limited_sent.fetch_add(1, Ordering::SeqCst);
            let _ = stream
                .write_all(&response(
                    "429 Too Many Requests",
                    "{\"error\":\"rate limited\"}",
                ))
                .await;
            return;
        }
        let every = faults.cut_every.load(Ordering::SeqCst);
        if every > 0 && seen.is_multiple_of(every) {
            cut_mid_body(&mut stream, &upstream, &body, &faults).await;
            return;
        }
    }
    let upstream_body = forward(&upstream, &body).await;
    let _ = stream.write_all(&response("200 OK", &upstream_body)).await;
}

/// Forward the request, then send back only the first half of the node's answer and close.
async fn cut_mid_body(stream: &mut TcpStream, upstream: &str, body: &[u8], faults: &Faults) {
    let upstream_body = forward(upstream, body).await;
    faults.cut_sent.fetch_add(1, Ordering::SeqCst);
    let full = response("200 OK", &upstream_body);
    let _ = stream
        .write_all(&full[..full.len() - upstream_body.len() / 2 - 1])
        .await;
}

/// Send the JSON-RPC body to the node and return its response body.
async fn forward(upstream: &str, body: &[u8]) -> String {
    let Ok(mut up) = TcpStream::connect(upstream).await else {
        return String::new();
    };
    let head = format!("POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    if up.write_all(head.as_bytes()).await.is_err() || up.write_all(body).await.is_err() {
        return String::new();
    }
    let mut raw = Vec::new();
    let _ = up.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).to_string();
    let Some((headers, rest)) = text.split_once("\r\n\r\n") else {
        return String::new();
    };
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(tail.get(..n).unwrap_or(tail));
        rest = tail.get(n + 2..).unwrap_or("");
    }
    out
}
