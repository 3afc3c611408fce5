//! Lists of the emissions area: carbon credits retired on chain.

use super::ColumnKind::{Count, Hash, Number, Time, Trust};
use super::FilterKind::{Choice, Date, Hash as HexValue, Number as NumberValue, Text};
use super::{ListColumn as C, ListDef, ListFilter as F};

pub static RETIREMENTS: ListDef = ListDef {
    name: "carbon-retirements",
    path: "/emissions/credits",
    area: "/emissions",
    title: "Carbon credits retired",
    description: "Every Toucan TCO2 Retired and KlimaDAO CarbonRetired event the indexer read: tonnes of CO2e retired (1 token = 1 t), for whom, which token, and the transaction.",
    from: "carbon_retirements r",
    condition: "",
    columns: &[
        C::new("block_time", "Retired", "r.block_time").kind(Time).sortable(),
        C::new("tonnes", "t CO2e", "r.tonnes::text").kind(Number).sortable(),
        C::new("beneficiary_name", "Beneficiary", "r.beneficiary_name").sortable(),
        C::new("beneficiary", "Beneficiary address", "'0x' || encode(r.beneficiary, 'hex')").kind(Hash),
        C::new("retiring_entity", "Retired by", "r.retiring_entity"),
        C::new("token", "Token", "'0x' || encode(r.token, 'hex')").kind(Hash),
        C::new("source", "Event", "r.source").sortable(),
        C::new("chain_id", "Chain", "r.chain_id").sortable().link("/ledger/chains/{chain_id}"),
        C::new("block_number", "Block", "r.block_number").kind(Count).sortable().link("/ledger/chains/{chain_id}/blocks/{block_number}"),
        C::new("tx_hash", "Transaction", "'0x' || encode(r.tx_hash, 'hex')").kind(Hash).link("/ledger/chains/{chain_id}/tx/{tx_hash}"),
        C::new("log_index", "Log", "r.log_index").kind(Count),
        C::new("finality", "Finality", "r.finality").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("beneficiary", "Beneficiary name contains", "r.beneficiary_name ILIKE '%' || ? || '%'", Text),
        F::new("address", "Beneficiary address", "r.beneficiary = decode(regexp_replace(lower(?), '^0x', ''), 'hex')", HexValue),
        F::new("chain", "Chain id", "r.chain_id = ?::bigint", NumberValue),
        F::new("finality", "Finality", "r.finality = ?", Choice(&[("pending", "pending"), ("safe", "safe"), ("final", "final")])),
        F::new("from", "Retired from", "r.block_time >= ?::date", Date),
        F::new("to", "Retired until", "r.block_time < ?::date + 1", Date),
    ],
    default_sort: ("block_time", true),
    tie_break: "r.chain_id, r.block_number, r.log_index",
};
