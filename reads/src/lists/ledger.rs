//! Lists of the ledger area: what the indexer read from each chain.

use super::ColumnKind::{Count, Hash, Time, Trust};
use super::FilterKind::{Choice, Hash as HexValue, Number, Text};
use super::{ListColumn as C, ListDef, ListFilter as F};

const FINALITY: &[(&str, &str)] = &[("pending", "pending"), ("safe", "safe"), ("final", "final")];

pub static EVENTS: ListDef = ListDef {
    name: "ledger-events",
    path: "/ledger/events",
    area: "/ledger",
    title: "Ledger events",
    description: "Every event citytrace indexed from the city ledger and the public chains, decoded, with its block, transaction and finality.",
    from: "chain_events e",
    condition: "",
    columns: &[
        C::new("chain_id", "Chain", "e.chain_id").sortable().link("/ledger/chains/{chain_id}"),
        C::new("block_number", "Block", "e.block_number").kind(Count).sortable().link("/ledger/chains/{chain_id}/blocks/{block_number}"),
        C::new("block_time", "Time", "e.block_time").kind(Time).sortable(),
        C::new("event", "Event", "e.event").sortable().link("{href}"),
        C::new("summary", "What", "e.summary"),
        C::new("tx_hash", "Transaction", "'0x' || encode(e.tx_hash, 'hex')").kind(Hash).link("/ledger/chains/{chain_id}/tx/{tx_hash}"),
        C::new("log_index", "Log", "e.log_index").kind(Count),
        C::new("contract", "Contract", "'0x' || encode(e.contract, 'hex')").hidden(),
        C::new("block_hash", "Block hash", "'0x' || encode(e.block_hash, 'hex')").hidden(),
        C::new("href", "Page", "e.href").hidden(),
        C::new("finality", "Finality", "e.finality").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("chain", "Chain id", "e.chain_id = ?::bigint", Number),
        F::new("event", "Event", "e.event ILIKE ? || '%'", Text),
        F::new("tx", "Transaction hash", "e.tx_hash = decode(regexp_replace(lower(?), '^0x', ''), 'hex')", HexValue),
        F::new("finality", "Finality", "e.finality = ?", Choice(FINALITY)),
        F::new("contract", "Contract address", "e.contract = decode(regexp_replace(lower(?), '^0x', ''), 'hex')", HexValue),
    ],
    default_sort: ("block_number", true),
    tie_break: "e.chain_id, e.block_number, e.log_index",
};

pub static BLOCKS: ListDef = ListDef {
    name: "blocks",
    path: "/ledger/blocks",
    area: "/ledger",
    title: "Blocks",
    description: "Recent canonical blocks of each chain as the indexer saw them (the reorg window), with their hashes.",
    from: "blocks b",
    condition: "",
    columns: &[
        C::new("chain_id", "Chain", "b.chain_id").sortable().link("/ledger/chains/{chain_id}"),
        C::new("number", "Block", "b.number").kind(Count).sortable().link("/ledger/chains/{chain_id}/blocks/{number}"),
        C::new("hash", "Hash", "'0x' || encode(b.hash, 'hex')").kind(Hash).link("/ledger/chains/{chain_id}/blocks/{number}"),
        C::new("parent_hash", "Parent", "'0x' || encode(b.parent_hash, 'hex')").kind(Hash),
        C::new("timestamp", "Time", "b.timestamp").kind(Time).sortable(),
    ],
    filters: &[F::new("chain", "Chain id", "b.chain_id = ?::bigint", Number)],
    default_sort: ("number", true),
    tie_break: "b.chain_id, b.number",
};

pub static ANCHORS: ListDef = ListDef {
    name: "anchors",
    path: "/ledger/anchors",
    area: "/ledger",
    title: "Anchored batches",
    description: "Each BatchAnchored event: an import batch's Merkle root written on the ledger, so anyone can check its rows did not change.",
    from: "batch_anchors a JOIN import_batches b ON b.id = a.batch_id",
    condition: "",
    columns: &[
        C::new("batch_id", "Batch", "a.batch_id").kind(Count).sortable().link("/batches/{batch_id}"),
        C::new("kind", "Format", "b.kind").sortable(),
        C::new("submitter", "Submitted by", "coalesce((SELECT p.name FROM parties p WHERE p.code = b.submitter), b.submitter)").sortable().link("/parties/{submitter_code}").detail("submitter_code"),
        C::new("submitter_code", "Submitter code", "b.submitter").hidden(),
        C::new("rows", "Rows", "a.row_count").kind(Count),
        C::new("merkle_root", "Merkle root", "'0x' || encode(a.merkle_root, 'hex')").kind(Hash).link("/batches/{batch_id}"),
        C::new("chain_id", "Chain", "a.chain_id").link("/ledger/chains/{chain_id}"),
        C::new("block_number", "Block", "a.block_number").kind(Count).sortable().link("/ledger/chains/{chain_id}/blocks/{block_number}"),
        C::new("tx_hash", "Transaction", "'0x' || encode(a.tx_hash, 'hex')").kind(Hash).link("/ledger/chains/{chain_id}/tx/{tx_hash}"),
        C::new("block_time", "Anchored", "a.block_time").kind(Time).sortable(),
        C::new("finality", "Finality", "a.finality").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("submitter", "Submitted by", "b.submitter = ?", Text),
        F::new("finality", "Finality", "a.finality = ?", Choice(FINALITY)),
    ],
    default_sort: ("block_number", true),
    tie_break: "a.id",
};

pub static REORGS: ListDef = ListDef {
    name: "reorgs",
    path: "/ledger/reorgs",
    area: "/ledger",
    title: "Reorganisations",
    description: "Each time a chain replaced blocks the indexer had already read: how deep, back to which common ancestor. Rows above the ancestor were rewritten.",
    from: "reorgs r",
    condition: "",
    columns: &[
        C::new("chain_id", "Chain", "r.chain_id").sortable().link("/ledger/chains/{chain_id}"),
        C::new("detected_at", "Detected", "r.detected_at").kind(Time).sortable(),
        C::new("depth", "Depth", "r.depth").kind(Count).sortable(),
        C::new("ancestor_number", "Common ancestor", "r.ancestor_number").kind(Count),
        C::new("old_number", "Replaced block", "r.old_number").kind(Count),
        C::new("old_hash", "Replaced hash", "'0x' || encode(r.old_hash, 'hex')").kind(Hash),
        C::new("new_hash", "New hash", "'0x' || encode(r.new_hash, 'hex')").kind(Hash),
    ],
    filters: &[F::new("chain", "Chain id", "r.chain_id = ?::bigint", Number)],
    default_sort: ("detected_at", true),
    tie_break: "r.id",
};
