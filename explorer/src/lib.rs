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
pub mod layout;
pub mod listing;
pub mod lists;
pub mod openapi;
pub mod query;
mod routes;
pub mod search;
mod server;
pub mod session;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod uploads;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;

use citytrace_reads::MethodSettings;
use citytrace_schema::PgPool;

pub use app::{app, panic_message, POST_ONLY};
pub use error::AppError;
pub use uploads::{UploadOptions, Uploads};

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// The search backend: Postgres unless Meilisearch is configured.
    pub search: std::sync::Arc<dyn search::SearchIndex>,
    /// The derived computations' settings (`[methods]` of `citytrace.toml`, docs/methods.md);
    /// the documented defaults unless configured.
    pub methods: std::sync::Arc<MethodSettings>,
    /// The home page's headline figures, recomputed when the data changes (docs/explorer.md).
    pub(crate) headline: std::sync::Arc<routes::home::figures::HeadlineCache>,
}

impl AppState {
    /// With the default search backend (Postgres) and the default method settings.
    pub fn new(pool: PgPool) -> Self {
        Self {
            search: std::sync::Arc::new(search::PostgresSearch::new(pool.clone())),
            methods: std::sync::Arc::new(MethodSettings::default()),
            headline: Default::default(),
            pool,
        }
    }

    /// The same state computing with `methods` instead.
    pub fn with_methods(mut self, methods: MethodSettings) -> Self {
        self.methods = std::sync::Arc::new(methods);
        // Figures computed with other settings are not these settings' figures.
        self.headline = Default::default();
        self
    }

    /// Run blocking database work on the blocking pool with a pooled connection. A panic in
    /// `f` is an internal error (500) with the panic's message in the log; the connection it
    /// held is discarded, not returned to the pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut diesel::PgConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        });
        match work.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => Err(AppError::Internal(format!(
                "database work panicked: {}",
                panic_message(e.into_panic().as_ref())
            ))),
            Err(e) => Err(AppError::Internal(format!(
                "database work was cancelled: {e}"
            ))),
        }
    }
}

/// Security headers on every response: scripts only from this origin (no inline script), no
/// framing, no MIME sniffing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The headers every response carries unless its handler set them (see [`default_headers`]);
/// also on the answers the server gives before a request reaches the app (`server.rs`).
pub const DEFAULT_HEADERS: [(&str, &str); 5] = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cache-Control", "no-cache"),
    ("X-Frame-Options", "DENY"),
];

/// How to run the explorer.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Where suppliers' uploads go and how large they may be.
    pub uploads: UploadOptions,
    /// The derived computations' settings (`[methods]` of `citytrace.toml`).
    pub methods: MethodSettings,
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

/// The headers every response carries unless its handler set them: security headers, and
/// `Cache-Control: no-cache` for pages and API answers (static files set a year).
pub fn default_headers() -> DefaultHeaders {
    DEFAULT_HEADERS
        .iter()
        .fold(DefaultHeaders::new(), |headers, header| {
            headers.add(*header)
        })
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
    let mut state = AppState::new(pool.clone()).with_methods(options.methods);
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
