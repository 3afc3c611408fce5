//! Static files, compiled into the binary so the explorer is one self-contained executable.
//! URLs carry a content hash (`/static/app.css?v=1a2b3c4d`), so responses can be cached for a
//! year and a new build is still picked up at once.

use std::sync::OnceLock;

use actix_web::http::header::{CacheControl, CacheDirective, ContentType};
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// The vendored htmx release (see static/vendor/README.md).
pub const HTMX: &str = "vendor/htmx-2.0.11.min.js";

struct Asset {
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/app.css"),
    },
    Asset {
        name: "favicon.svg",
        mime: "image/svg+xml",
        bytes: include_bytes!("../../static/favicon.svg"),
    },
    Asset {
        name: HTMX,
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/vendor/htmx-2.0.11.min.js"),
    },
    Asset {
        name: "vendor/htmx-LICENSE.txt",
        mime: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../static/vendor/htmx-LICENSE.txt"),
    },
];

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// `/static/<name>?v=<first 8 hex of its sha256>`.
pub fn url(name: &str) -> String {
    static HASHES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| (a.name, hex::encode(&Sha256::digest(a.bytes)[..4])))
            .collect()
    });
    match hashes.iter().find(|(n, _)| *n == name) {
        Some((_, h)) => format!("/static/{name}?v={h}"),
        None => format!("/static/{name}"),
    }
}

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = find(&path).ok_or_else(|| AppError::NotFound(format!("no static file {path}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(ContentType(
            asset
                .mime
                .parse()
                .map_err(|_| AppError::Internal("mime".into()))?,
        ))
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ]))
        .body(asset.bytes))
}
