//! citytrace's public explorer: server-rendered pages (askama), htmx as a progressive
//! enhancement, every figure linked to its evidence.
//!
//! [`serve`] binds nothing itself: it takes a listener, so tests bind port 0. [`app`] is the
//! one place the actix `App` is assembled, for the server and every test alike.

mod app;
pub mod assets;
pub mod credentials;
pub mod error;
mod fmt;
pub mod headers;
pub mod layout;
pub mod listing;
pub mod lists;
mod map;
pub mod openapi;
pub mod query;
mod routes;
pub mod search;
mod server;
pub mod session;
pub mod state;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod uploads;

use std::net::TcpListener;

use actix_web::dev::Server;

use citytrace_reads::MethodSettings;
use citytrace_schema::PgPool;

pub use app::{app, panic_message, POST_ONLY};
pub use error::AppError;
pub use fmt::zone::UnknownZone;
pub use fmt::{local_time, CityZone};
pub use headers::{default_headers, CONTENT_SECURITY_POLICY, DEFAULT_HEADERS};
pub use state::AppState;
pub use uploads::{UploadOptions, Uploads};

/// How to run the explorer.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Where suppliers' uploads go and how large they may be.
    pub uploads: UploadOptions,
    /// The derived computations' settings (`[methods]` of `citytrace.toml`).
    pub methods: MethodSettings,
    /// The city's time zone, the pages' times are in (`[explorer] time_zone`).
    pub time_zone: CityZone,
}

/// Where Meilisearch runs (docs/search.md).
#[derive(Debug, Clone)]
pub struct MeiliOptions {
    pub url: String,
    pub api_key: Option<String>,
    pub index: String,
    /// How often the index is brought up to date (it is also at start).
    pub sync_every: std::time::Duration,
}

/// Keep a search index in sync: now, then every `every`.
pub async fn sync_search(
    search: std::sync::Arc<dyn search::SearchIndex>,
    every: std::time::Duration,
) {
    loop {
        match search.sync().await {
            Ok(n) => tracing::info!(
                backend = search.name(),
                documents = n,
                "search index synced"
            ),
            Err(e) => {
                tracing::warn!(backend = search.name(), error = %e, "search sync failed; retrying later")
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// Start the explorer on `listener` (creating the upload folder if needed), with Postgres
/// search.
pub fn serve(
    listener: TcpListener,
    pool: PgPool,
    options: ServeOptions,
) -> std::io::Result<Server> {
    serve_with_search(listener, pool, options, None)
}

/// Start the explorer; with `meilisearch`, search goes to Meilisearch, whose index is synced
/// now and then periodically (needs a Tokio runtime).
pub fn serve_with_search(
    listener: TcpListener,
    pool: PgPool,
    options: ServeOptions,
    meilisearch: Option<MeiliOptions>,
) -> std::io::Result<Server> {
    let mut state = AppState::new(pool.clone())
        .with_methods(options.methods)
        .with_zone(options.time_zone);
    if let Some(meili) = &meilisearch {
        let backend: std::sync::Arc<dyn search::SearchIndex> = std::sync::Arc::new(
            search::MeiliSearch::new(&meili.url, meili.api_key.as_deref(), &meili.index, pool)
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        );
        tokio::spawn(sync_search(backend.clone(), meili.sync_every));
        state.search = backend;
    }
    let uploads = Uploads::new(options.uploads)?;
    server::run(listener, options.workers, state, uploads)
}
