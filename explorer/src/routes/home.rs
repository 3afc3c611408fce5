use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use citytrace_reads::MethodSettings;
use citytrace_schema::models::{BatchAnchor, ImportBatch, Lot, Product, TrustState};

pub(crate) mod figures;

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

#[derive(QueryableByName)]
struct RecentEvent {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    chain_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    block_number: i64,
    #[diesel(sql_type = diesel::sql_types::Bytea)]
    tx_hash: Vec<u8>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    event: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    summary: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    finality: Option<String>,
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

/// Everything the home page shows (one bounded query per part).
fn load(
    conn: &mut diesel::PgConnection,
    methods: &MethodSettings,
    cache: &figures::HeadlineCache,
) -> Result<HomePage, AppError> {
    let chains = super::ledger::chain_rows(conn, None)?;
    let headline = cache.figures(conn, methods)?;
    let recent: Vec<RecentEvent> = diesel::sql_query(
        "SELECT chain_id, block_number, tx_hash, event, summary, finality \
           FROM chain_events ORDER BY block_number DESC, log_index DESC LIMIT 8",
    )
    .load(conn)?;
    let ledger_events = recent
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
    let (imported, anchored) = ImportBatch::counts(conn)?;
    let lots = Lot::count(conn)?;
    let batches = ImportBatch::latest(conn, 10)?;
    let anchors = BatchAnchor::for_batches(conn, &batches)?;
    let latest_batches = batches
        .iter()
        .map(|b| BatchRow {
            id: b.id,
            kind: b.kind.clone(),
            file_name: b.file_name.clone(),
            rows: fmt::count(b.row_count.into()),
            imported_at: fmt::time(&b.imported_at),
            trust: TrustBadge::new(&TrustState::from_anchor(
                anchors.iter().find(|a| a.batch_id == b.id),
            )),
        })
        .collect();
    let latest_lots = Lot::latest(conn, 10)?
        .into_iter()
        .map(|l| {
            let product = Product::find(conn, l.product_id)?.name;
            Ok(LotLink {
                href: format!("/lots/{}", fmt::path_segment(&l.code)),
                code: l.code,
                product,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HomePage {
        layout: Layout::new("A city's supply chains, carbon and spending, traceable", ""),
        figures: headline.headline.figures.clone(),
        figures_computed_at: fmt::time(&headline.headline.computed_at),
        figures_updating: headline.updating,
        ledger_events,
        chains,
        counts: (imported, anchored, lots),
        batches_imported: fmt::count(imported),
        batches_anchored: fmt::count(anchored),
        lots: fmt::count(lots),
        latest_batches,
        latest_lots,
    })
}

pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let methods = state.methods.clone();
    let cache = state.headline.clone();
    let page = state.db(move |conn| load(conn, &methods, &cache)).await?;
    super::html(&page)
}

/// `GET /api/v1/home`: the home page's figures and lists as JSON.
pub async fn api(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let methods = state.methods.clone();
    let cache = state.headline.clone();
    let page = state.db(move |conn| load(conn, &methods, &cache)).await?;
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
