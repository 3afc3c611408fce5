//! What the audit gathers and concludes batch by batch: the database's batches, indexed
//! anchors and leaf records; what the node says was anchored; every batch re-proved; each
//! batch judged, its changed lines named.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};

use citytrace_importers::audit::changes::changed_lines;
use citytrace_importers::audit::{record, AnchoredRoot, BatchToProve, Reproof, ReproveOptions};
use citytrace_indexer::verify::audit::NodeAnchor;
use citytrace_schema::models::{ContractRow, ImportBatch};
use citytrace_schema::schema::import_batches;
use citytrace_schema::PgPool;

use super::findings::{self, BatchFacts, IndexedAnchor, Mismatch, OnLedger};
use super::ledger::{self, AnchorNode, NodeArgs};
use super::progress::Progress;
use super::steps::Steps;
use super::AuditSettings;

/// Changed lines named per batch; the rest are counted.
const NAMED_LINES: usize = 100;

/// What the database holds, as the audit reads it first.
pub struct Stored {
    pub batches: Vec<ImportBatch>,
    pub indexed: Vec<IndexedAnchor>,
    pub registered: Vec<ContractRow>,
    pub records: HashMap<i64, record::LeafRecord>,
}

impl Stored {
    pub fn load(conn: &mut PgConnection) -> anyhow::Result<Self> {
        Ok(Self {
            batches: import_batches::table
                .order(import_batches::id)
                .select(ImportBatch::as_select())
                .load(conn)?,
            indexed: indexed_anchors(conn)?,
            registered: ContractRow::of_kind(conn, "batch_anchor")?,
            records: record::records(conn)?,
        })
    }
}

/// What the node said: where the anchors are, and the `BatchAnchored` events (by batch id);
/// Err: why it could not be asked.
pub struct LedgerView {
    pub node: Result<AnchorNode, String>,
    pub anchors: Result<Vec<NodeAnchor>, String>,
}

impl LedgerView {
    pub fn ask(
        runtime: &tokio::runtime::Runtime,
        settings: &AuditSettings,
        registered: &[ContractRow],
    ) -> Self {
        let args = NodeArgs {
            rpc: settings.rpc.as_deref(),
            contract: settings.contract.as_deref(),
        };
        let node = runtime.block_on(ledger::anchor_node(
            &args,
            settings.config.as_ref(),
            registered,
        ));
        let anchors = match &node {
            Ok(node) => runtime.block_on(node.anchors()),
            Err(reason) => Err(reason.clone()),
        };
        Self { node, anchors }
    }

    /// The node's events by batch id (the earliest when a batch id has several); None when
    /// the node was not asked.
    fn by_batch(&self) -> Option<HashMap<u64, &NodeAnchor>> {
        let anchors = self.anchors.as_ref().ok()?;
        Some(anchors.iter().rev().map(|a| (a.batch_id, a)).collect())
    }

    fn anchored(&self, batch: &ImportBatch) -> Option<AnchoredRoot> {
        let anchors = self.anchors.as_ref().ok()?;
        anchors
            .iter()
            .find(|a| a.batch_id == batch.id as u64)
            .map(|a| AnchoredRoot {
                root: a.root,
                rows: a.row_count,
            })
    }
}

/// Every batch re-proved, recording the leaves of anchored batches without a record of that
/// root.
pub fn reprove_all(
    pool: &PgPool,
    conn: &mut PgConnection,
    stored: &Stored,
    ledger: &LedgerView,
    settings: &AuditSettings,
) -> anyhow::Result<Vec<Reproof>> {
    let plan: Vec<BatchToProve> = stored
        .batches
        .iter()
        .map(|batch| {
            let anchored = ledger.anchored(batch);
            let recorded = stored.records.get(&batch.id).is_some_and(|r| {
                anchored.is_some_and(|a| r.root == a.root && r.rows as u64 == a.rows)
            });
            BatchToProve {
                batch: batch.clone(),
                record_against: anchored.filter(|_| settings.record && !recorded),
            }
        })
        .collect();
    let total: u64 = stored
        .batches
        .iter()
        .map(|b| b.row_count.max(0) as u64)
        .sum();
    let progress = Progress::new("rows re-proved", total, settings.progress);
    let mut recorder = if settings.record {
        Some(pool.get()?)
    } else {
        None
    };
    let reproofs = citytrace_importers::audit::reprove(
        conn,
        recorder.as_deref_mut(),
        &plan,
        ReproveOptions::default(),
        &|n| progress.add(n),
    )?;
    progress.finish();
    Ok(reproofs)
}

/// Each batch's mismatches (its changed lines named), the anchored batches the database does
/// not have, and the batches left unanchored.
pub fn judge(
    conn: &mut PgConnection,
    stored: &Stored,
    reproofs: &[Reproof],
    ledger: &LedgerView,
    settings: &AuditSettings,
) -> anyhow::Result<Steps> {
    let mut steps = Steps::default();
    let on_ledger = ledger.by_batch();
    for (batch, reproof) in stored.batches.iter().zip(reproofs) {
        let facts = BatchFacts {
            batch,
            reproof,
            ledger: match &on_ledger {
                None => OnLedger::NotAsked,
                Some(m) => m
                    .get(&(batch.id as u64))
                    .map_or(OnLedger::NotAnchored, |a| OnLedger::Anchored(a)),
            },
            indexed: stored
                .indexed
                .iter()
                .filter(|a| a.batch_id == batch.id.to_string())
                .collect(),
        };
        let (mut found, to_name) = findings::batch_mismatches(&facts);
        if let Some(anchored) = to_name {
            name_lines(conn, batch, anchored, &mut found);
        }
        steps.batch(found, &facts.ledger);
    }
    let Some(m) = &on_ledger else {
        return Ok(steps);
    };
    let known: std::collections::HashSet<u64> =
        stored.batches.iter().map(|b| b.id as u64).collect();
    for event in m.values().filter(|a| !known.contains(&a.batch_id)) {
        steps.anchor_mismatches.push(findings::missing_batch(event));
    }
    let now = Utc::now();
    for batch in stored
        .batches
        .iter()
        .filter(|b| !m.contains_key(&(b.id as u64)))
    {
        match findings::unanchored(batch, now, settings.unanchored_after) {
            Some(mismatch) => steps.waiting_mismatches.push(mismatch),
            None => steps.waiting += 1,
        }
    }
    Ok(steps)
}

/// Name the lines of `batch` that changed since it was anchored with `anchored`: one mismatch
/// each after the batch's, or the reason they cannot be named in the batch's.
fn name_lines(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    anchored: AnchoredRoot,
    found: &mut Vec<Mismatch>,
) {
    let (named, reason) = match changed_lines(conn, batch, anchored, 20_000, NAMED_LINES) {
        Ok(naming) => (
            findings::named_lines(batch, &naming, anchored),
            findings::unnamed_reason(&naming),
        ),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "no line can be named: the stored rows could not be read back one by one ({e})"
            )),
        ),
    };
    if let Some(rows) = found.iter_mut().find(|m| m.check == "rows") {
        rows.found = match reason {
            Some(reason) => format!("{}; {reason}", rows.found),
            None => format!("{} (the lines that changed follow)", rows.found),
        };
    }
    found.extend(named);
}

/// The indexed anchors, numbers as text (whatever their column types).
fn indexed_anchors(conn: &mut PgConnection) -> QueryResult<Vec<IndexedAnchor>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        batch_id: String,
        #[diesel(sql_type = Bytea)]
        merkle_root: Vec<u8>,
        #[diesel(sql_type = Text)]
        row_count: String,
        #[diesel(sql_type = Bytea)]
        tx_hash: Vec<u8>,
        #[diesel(sql_type = Text)]
        block_number: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT batch_id::text AS batch_id, merkle_root, row_count::text AS row_count, tx_hash, \
         block_number::text AS block_number FROM batch_anchors ORDER BY block_number, log_index",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| IndexedAnchor {
            batch_id: r.batch_id,
            root: r.merkle_root,
            row_count: r.row_count,
            tx_hash: r.tx_hash,
            block_number: r.block_number,
        })
        .collect())
}
