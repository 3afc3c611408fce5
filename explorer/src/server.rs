//! The HTTP server around the app: actix-server accepting connections, each read through a
//! [`GuardedStream`] before actix-http's HTTP/1 dispatcher. actix-http answers a request it
//! cannot read (a URL over 64 KiB, a head over 128 KiB, a malformed line, a slow first
//! request) itself, before any middleware, with a bare status and none of the security
//! headers; the guard checks every head first, with lower limits ([`request_head`]), and
//! answers those with the explorer's error page and headers instead (docs/explorer.md).

mod guarded_stream;
mod request_head;

use std::io::{self, Write as _};
use std::net::TcpListener;
use std::rc::Rc;
use std::time::Duration;

use actix_http::{HttpService, Protocol};
use actix_service::{fn_factory, fn_service, map_config, Service, ServiceFactory};
use actix_web::dev::{AppConfig, Server};
use actix_web::rt::net::TcpStream;

use crate::error::AppError;
use crate::state::AppState;
use crate::uploads::Uploads;

pub use guarded_stream::GuardedStream;
pub use request_head::Refusal;

/// Idle time after which a kept-alive connection is closed.
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Run the explorer on `listener` with `workers` threads (0: one per core).
pub fn run(
    listener: TcpListener,
    workers: usize,
    state: AppState,
    uploads: Uploads,
) -> io::Result<Server> {
    let addr = listener.local_addr()?;
    // Before the workers and the jobs' threads allocate (crate::uploads::memory).
    if let Some(arenas) = crate::uploads::memory::limit_arenas() {
        tracing::debug!(arenas, "malloc arenas capped at one per core");
    }
    let factory = move || {
        let app = crate::app(state.clone(), Some(uploads.clone()));
        let http = HttpService::<GuardedStream<TcpStream>, _, _, _, _>::build()
            .keep_alive(KEEP_ALIVE)
            // Longer than the guard's own limit, which answers first.
            .client_request_timeout(guarded_stream::HEAD_TIMEOUT * 2)
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .finish(map_config(app, |_| AppConfig::default()));
        let http = Rc::new(http);
        fn_factory(move || {
            let http = http.clone();
            async move {
                let service = Rc::new(http.new_service(()).await?);
                Ok::<_, ()>(fn_service(move |stream: TcpStream| {
                    let service = service.clone();
                    async move {
                        let peer = stream.peer_addr().ok();
                        let guarded = GuardedStream::new(stream, answer);
                        service.call((guarded, Protocol::Http1, peer)).await
                    }
                }))
            }
        })
    };
    let mut builder =
        Server::build()
            .shutdown_timeout(5)
            .listen("citytrace-explorer", listener, factory)?;
    if workers > 0 {
        builder = builder.workers(workers);
    }
    Ok(builder.run())
}

/// The answer to a refused head: the error page (or the JSON error body for an `/api` path)
/// with the security headers, and the end of the connection.
fn answer(refusal: &Refusal) -> Vec<u8> {
    let error = AppError::Refused(refusal.status, refusal.message.clone());
    let (content_type, body) = error.body_for(refusal.path.as_deref().unwrap_or("/"));
    let mut out = Vec::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
        refusal.status.as_u16(),
        refusal.status.canonical_reason().unwrap_or("Refused"),
        body.len()
    );
    for (name, value) in crate::headers::DEFAULT_HEADERS {
        let _ = write!(out, "{}: {value}\r\n", name.to_ascii_lowercase());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}
