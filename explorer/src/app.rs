//! The explorer as one actix [`App`]: every route behind the production middleware. The
//! server (`citytrace serve`, the demo) and every test build it here, so tests pass through
//! the same headers, compression, error pages and guards as visitors do.
//!
//! From the outside in: the panic guard (a panicking request answers the 500 page, the worker
//! goes on); the access log; the security headers ([`crate::headers::default_headers`]); compression;
//! the request checks (a NUL character in the address is a 400, HEAD is answered as GET without
//! a body, OPTIONS with `Allow`); then the routes, whose extractors answer malformed paths,
//! queries and forms with the error page or the JSON error body.

mod catch_panic;
mod extractors;
mod request_checks;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress, Logger};
use actix_web::{web, App};

use crate::state::AppState;
use crate::uploads::Uploads;

pub use catch_panic::panic_message;
pub use request_checks::POST_ONLY;

/// The explorer over `state`; with `uploads`, the supplier upload pages and API too (without,
/// those answer 404).
pub fn app(
    state: AppState,
    uploads: Option<Uploads>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let with_uploads = uploads.is_some();
    let mut app = App::new().app_data(web::Data::new(state));
    if let Some(uploads) = uploads {
        app = app.app_data(web::Data::new(uploads));
    }
    app.app_data(extractors::query())
        .app_data(extractors::path())
        .app_data(extractors::form())
        .app_data(extractors::json())
        .configure(|cfg| crate::routes::configure(cfg, with_uploads))
        .wrap(from_fn(crate::state::in_city_zone))
        .wrap(from_fn(request_checks::check))
        .wrap(Compress::default())
        .wrap(crate::headers::default_headers())
        .wrap(Logger::new("%r %s %Dms").log_target("citytrace::http"))
        .wrap(from_fn(catch_panic::catch_panic))
}
