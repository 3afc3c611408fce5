//! What every request shares: the pool, the search backend, the method settings and the home
//! page's cached figures; and the one way handlers run database work.

use citytrace_reads::MethodSettings;
use citytrace_schema::PgPool;

use crate::app::panic_message;
use crate::error::AppError;
use crate::routes::home::figures::HeadlineCache;
use crate::search::{PostgresSearch, SearchIndex};

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// The search backend: Postgres unless Meilisearch is configured.
    pub search: std::sync::Arc<dyn SearchIndex>,
    /// The derived computations' settings (`[methods]` of `citytrace.toml`, docs/methods.md);
    /// the documented defaults unless configured.
    pub methods: std::sync::Arc<MethodSettings>,
    /// The home page's headline figures, recomputed when the data changes (docs/explorer.md).
    pub(crate) headline: std::sync::Arc<HeadlineCache>,
}

impl AppState {
    /// With the default search backend (Postgres) and the default method settings.
    pub fn new(pool: PgPool) -> Self {
        Self {
            search: std::sync::Arc::new(PostgresSearch::new(pool.clone())),
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
