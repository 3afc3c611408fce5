//! What every request shares: the pool, the search backend, the method settings and the home
//! page's cached figures; and the one way handlers run database work.

use citytrace_reads::MethodSettings;
use citytrace_schema::PgPool;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::app::panic_message;
use crate::error::AppError;
use crate::fmt::{zone, CityZone};
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
    /// The city's time zone: pages show times in it and name it once, in the footer
    /// (`[explorer] time_zone`, `citytrace serve --time-zone`; UTC unless set).
    pub zone: CityZone,
}

impl AppState {
    /// With the default search backend (Postgres) and the default method settings.
    pub fn new(pool: PgPool) -> Self {
        Self {
            search: std::sync::Arc::new(PostgresSearch::new(pool.clone())),
            methods: std::sync::Arc::new(MethodSettings::default()),
            headline: Default::default(),
            zone: CityZone::UTC,
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

    /// The same state showing times in `zone`.
    pub fn with_zone(mut self, zone: CityZone) -> Self {
        self.zone = zone;
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
        // The request's way of showing times goes with its work to the blocking thread.
        let times = zone::RequestTimes {
            zone: self.zone,
            each_names_zone: zone::each_time_names_zone(),
        };
        let work = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            zone::in_zone_blocking(times, || f(&mut conn))
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

/// Middleware: the request is answered in its app's time zone ([`crate::fmt::zone`]), so every
/// time a page shows is in the zone its footer names; an API answer (`/api/…`) has no footer,
/// so each of its times names the zone.
pub(crate) async fn in_city_zone(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let city_zone = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.zone)
        .unwrap_or_default();
    let times = zone::RequestTimes {
        zone: city_zone,
        each_names_zone: req.path().starts_with("/api/"),
    };
    zone::in_zone(times, next.call(req)).await
}
