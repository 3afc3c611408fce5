use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use citytrace_schema::models::{BatchAnchor, Chain, ImportBatch, Lot, Product, Reorg, TrustState};
use citytrace_schema::schema::checkpoints;

use super::trust::TrustBadge;
use crate::error::AppError;
use crate::fmt;
use crate::layout::Layout;
use crate::AppState;

pub struct ChainRow {
    pub chain_id: i64,
    pub name: String,
    pub kind: String,
    pub head: String,
    pub indexed: String,
    pub lag: String,
    pub seen: String,
    pub finalized: String,
    /// "following", or why the watchdog says the chain is stalled.
    pub status: String,
    pub stalled: bool,
    pub last_reorg: String,
}

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

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub chains: Vec<ChainRow>,
    pub batches_imported: String,
    pub batches_anchored: String,
    pub lots: String,
    pub latest_batches: Vec<BatchRow>,
    pub latest_lots: Vec<LotLink>,
}

pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let page = state
        .db(|conn| {
            let checkpoints: Vec<(i64, i64)> = checkpoints::table
                .select((checkpoints::chain_id, checkpoints::block_number))
                .load(conn)?;
            let reorgs: Vec<Reorg> = Chain::all(conn)?
                .iter()
                .filter_map(|c| Reorg::latest(conn, c.chain_id).transpose())
                .collect::<Result<_, _>>()?;
            let chains = Chain::all(conn)?
                .into_iter()
                .map(|c| {
                    let indexed = checkpoints
                        .iter()
                        .filter(|(id, _)| *id == c.chain_id)
                        .map(|(_, n)| *n)
                        .max();
                    ChainRow {
                        chain_id: c.chain_id,
                        name: c.name,
                        kind: c.kind,
                        head: c.head_number.map(fmt::count).unwrap_or_else(|| "–".into()),
                        indexed: indexed.map(fmt::count).unwrap_or_else(|| "–".into()),
                        lag: match (c.head_number, indexed) {
                            (Some(h), Some(i)) => format!("{} blocks", fmt::count((h - i).max(0))),
                            _ => "–".into(),
                        },
                        seen: c
                            .head_seen_at
                            .as_ref()
                            .map(fmt::time)
                            .unwrap_or_else(|| "never".into()),
                        finalized: c
                            .finalized_number
                            .map(fmt::count)
                            .unwrap_or_else(|| "–".into()),
                        stalled: c.stall_reason.is_some(),
                        status: match (&c.stall_reason, &c.stalled_since) {
                            (Some(reason), Some(since)) => {
                                format!("stalled since {}: {reason}", fmt::time(since))
                            }
                            (Some(reason), None) => format!("stalled: {reason}"),
                            _ => "following".into(),
                        },
                        last_reorg: reorgs
                            .iter()
                            .find(|r| r.chain_id == c.chain_id)
                            .map(|r| {
                                format!("{} blocks deep, {}", r.depth, fmt::time(&r.detected_at))
                            })
                            .unwrap_or_else(|| "none".into()),
                    }
                })
                .collect();
            let (imported, anchored) = ImportBatch::counts(conn)?;
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
                chains,
                batches_imported: fmt::count(imported),
                batches_anchored: fmt::count(anchored),
                lots: fmt::count(Lot::count(conn)?),
                latest_batches,
                latest_lots,
            })
        })
        .await?;
    super::html(&page)
}
