use actix_web::{web, HttpResponse};
use askama::Template;

use citytrace_reads::home::{load_home, HomeData};
use citytrace_reads::MethodSettings;

pub(crate) mod figures;

use figures::HeadlineFigures;

use super::ledger::ChainRow;
use super::provenance::Hash;
use super::trust::TrustBadge;
use crate::error::{ApiError, AppError};
use crate::fmt;
use crate::layout::Layout;
use crate::state::AppState;

pub struct BatchRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub rows: String,
    pub imported_at: String,
    pub trust: TrustBadge,
}

pub struct LotLink {
    pub href: String,
    pub code: String,
    pub product: String,
}

/// A recent event on a followed chain.
pub struct LedgerEventRow {
    pub event: String,
    pub summary: String,
    pub href: String,
    pub tx: Hash,
    pub tx_href: String,
    pub block: String,
    pub finality: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub figures: Vec<figures::Figure>,
    /// When the figures were computed, and whether newer ones are being computed.
    pub figures_computed_at: String,
    pub figures_updating: bool,
    pub ledger_events: Vec<LedgerEventRow>,
    pub chains: Vec<ChainRow>,
    /// Batches imported, anchored; lots (for the JSON twin).
    pub counts: (i64, i64, i64),
    pub batches_imported: String,
    pub batches_anchored: String,
    pub lots: String,
    pub latest_batches: Vec<BatchRow>,
    pub latest_lots: Vec<LotLink>,
}

/// Everything the home page shows: the headline figures (cached, `figures`) and one read.
fn load(
    conn: &mut diesel::PgConnection,
    methods: &MethodSettings,
    cache: &figures::HeadlineCache,
) -> Result<(HeadlineFigures, HomeData), AppError> {
    let headline = cache.figures(conn, methods)?;
    Ok((headline, load_home(conn)?))
}

fn page(headline: HeadlineFigures, data: HomeData) -> HomePage {
    let ledger_events = data
        .ledger_events
        .into_iter()
        .map(|e| LedgerEventRow {
            href: super::provenance::tx_href(e.chain_id, &e.tx_hash),
            tx_href: super::provenance::tx_href(e.chain_id, &e.tx_hash),
            tx: Hash::new(&e.tx_hash),
            block: format!("/ledger/chains/{}/blocks/{}", e.chain_id, e.block_number),
            event: e.event,
            summary: e.summary.unwrap_or_default(),
            finality: e.finality.unwrap_or_else(|| "pending".into()),
        })
        .collect();
    let latest_batches = data
        .latest_batches
        .iter()
        .map(|(b, trust)| BatchRow {
            id: b.id,
            kind: b.kind.clone(),
            file_name: b.file_name.clone(),
            rows: fmt::count(b.row_count.into()),
            imported_at: fmt::city_time(&b.imported_at),
            trust: TrustBadge::new(trust),
        })
        .collect();
    let latest_lots = data
        .latest_lots
        .into_iter()
        .map(|(l, product)| LotLink {
            href: crate::routes::provenance::lot_href(&l.code),
            code: l.code,
            product,
        })
        .collect();
    let (imported, anchored, lots) = (data.batches_imported, data.batches_anchored, data.lots);
    HomePage {
        layout: Layout::new("A city's supply chains, carbon and spending, traceable", ""),
        figures: headline.headline.figures.clone(),
        figures_computed_at: fmt::city_time(&headline.headline.computed_at),
        figures_updating: headline.updating,
        ledger_events,
        chains: data
            .chains
            .into_iter()
            .map(super::ledger::chain_row)
            .collect(),
        counts: (imported, anchored, lots),
        batches_imported: fmt::count(imported),
        batches_anchored: fmt::count(anchored),
        lots: fmt::count(lots),
        latest_batches,
        latest_lots,
    }
}

pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let methods = state.methods.clone();
    let cache = state.headline.clone();
    let (headline, data) = state.db(move |conn| load(conn, &methods, &cache)).await?;
    super::html(&page(headline, data))
}

/// `GET /api/v1/home`: the home page's figures and lists as JSON.
pub async fn api(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let methods = state.methods.clone();
    let cache = state.headline.clone();
    let (headline, data) = state.db(move |conn| load(conn, &methods, &cache)).await?;
    let page = page(headline, data);
    let (imported, anchored, lots) = page.counts;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "figures": page.figures,
        "figures_computed_at": page.figures_computed_at,
        "figures_updating": page.figures_updating,
        "batches_imported": imported,
        "batches_anchored": anchored,
        "lots": lots,
        "chains": page.chains,
        "latest_batches": page.latest_batches.iter().map(|b| serde_json::json!({
            "id": b.id, "kind": b.kind, "file_name": b.file_name, "trust": b.trust.label,
        })).collect::<Vec<_>>(),
        "latest_lots": page.latest_lots.iter().map(|l| serde_json::json!({
            "code": l.code, "product": l.product,
        })).collect::<Vec<_>>(),
        "ledger_events": page.ledger_events.iter().map(|e| serde_json::json!({
            "event": e.event, "summary": e.summary, "tx_hash": e.tx.full, "finality": e.finality,
        })).collect::<Vec<_>>(),
    })))
}
