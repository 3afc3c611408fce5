//! Diesel table definitions, mirroring `schema/migrations/` exactly (held to the migrated
//! database by `schema/tests/all/table_definitions.rs`), one file per domain
//! under `schema/`. Kept apart from the hand-written models (one file per entity under
//! `models/`). Every table is re-exported here, so `crate::schema::lots` works everywhere.

mod access;
mod audit;
mod core;
mod epcis;
mod imports;
mod ledger;
mod operations;
mod procurement;
mod quality;

pub use self::access::*;
pub use self::audit::*;
pub use self::core::*;
pub use self::epcis::*;
pub use self::imports::*;
pub use self::ledger::*;
pub use self::operations::*;
pub use self::procurement::*;
pub use self::quality::*;

diesel::joinable!(sites -> parties (party_id));
diesel::joinable!(lots -> products (product_id));
diesel::joinable!(shipment_lines -> import_batches (batch_id));
diesel::joinable!(shipment_lines -> lots (lot_id));
diesel::joinable!(product_versions -> import_batches (batch_id));
diesel::joinable!(sensor_readings -> import_batches (batch_id));
diesel::joinable!(sensor_readings -> lots (lot_id));
diesel::joinable!(supply_event_lots -> supply_events (event_id));
diesel::joinable!(supply_event_lots -> lots (lot_id));
diesel::joinable!(contracts -> chains (chain_id));
diesel::joinable!(blocks -> chains (chain_id));
diesel::joinable!(checkpoints -> chains (chain_id));
diesel::joinable!(batch_anchors -> chains (chain_id));
diesel::joinable!(anchor_submissions -> import_batches (batch_id));
diesel::joinable!(ledger_events -> chains (chain_id));
diesel::joinable!(token_transfers -> chains (chain_id));
diesel::joinable!(quarantined_logs -> chains (chain_id));
diesel::joinable!(carbon_retirements -> chains (chain_id));
diesel::joinable!(treasury_allocations -> chains (chain_id));
diesel::joinable!(treasury_payments -> chains (chain_id));
diesel::joinable!(reorgs -> chains (chain_id));
diesel::joinable!(ocds_releases -> import_batches (batch_id));
diesel::joinable!(data_quality_notes -> import_batches (batch_id));
diesel::joinable!(procurement_processes -> parties (buyer_id));
diesel::joinable!(procurement_parties -> procurement_processes (ocid));
diesel::joinable!(procurement_parties -> parties (party_id));
diesel::joinable!(procurement_awards -> procurement_processes (ocid));
diesel::joinable!(procurement_award_suppliers -> parties (party_id));
diesel::joinable!(procurement_contracts -> procurement_processes (ocid));
diesel::joinable!(procurement_bids -> procurement_processes (ocid));
diesel::joinable!(procurement_budget_links -> procurement_processes (ocid));
diesel::joinable!(procurement_bid_tenderers -> parties (party_id));
diesel::joinable!(epcis_events -> supply_events (event_id));
diesel::joinable!(epcis_epcs -> supply_events (event_id));
diesel::joinable!(epcis_epcs -> lots (lot_id));
diesel::joinable!(epcis_biz_transactions -> supply_events (event_id));
diesel::joinable!(epcis_source_destinations -> supply_events (event_id));
diesel::joinable!(epcis_sensor_reports -> supply_events (event_id));
diesel::joinable!(api_tokens -> parties (party_id));
diesel::joinable!(upload_sessions -> api_tokens (token_id));
diesel::joinable!(uploads -> parties (party_id));
diesel::joinable!(uploads -> import_batches (batch_id));
diesel::joinable!(production_runs -> import_batches (batch_id));
diesel::joinable!(production_runs -> sites (site_id));
diesel::joinable!(production_inputs -> production_runs (run_id));
diesel::joinable!(production_inputs -> lots (input_lot_id));
diesel::joinable!(waste_transfers -> import_batches (batch_id));
diesel::joinable!(waste_receipts -> waste_transfers (transfer_id));
diesel::joinable!(emission_reports -> parties (party_id));
diesel::joinable!(budget_lines -> parties (department_id));

diesel::allow_tables_to_appear_in_same_query!(
    parties,
    sites,
    products,
    lots,
    import_batches,
    shipment_lines,
    product_versions,
    sensor_readings,
    supply_events,
    supply_event_lots,
    chains,
    contracts,
    blocks,
    checkpoints,
    batch_anchors,
    anchor_submissions,
    ledger_events,
    quarantined_logs,
    token_transfers,
    carbon_retirements,
    treasury_allocations,
    treasury_payments,
    reorgs,
    ocds_releases,
    data_quality_notes,
    procurement_processes,
    procurement_parties,
    procurement_awards,
    procurement_award_suppliers,
    procurement_contracts,
    procurement_amendments,
    procurement_transactions,
    procurement_budget_links,
    procurement_bids,
    procurement_bid_tenderers,
    epcis_events,
    epcis_epcs,
    epcis_biz_transactions,
    epcis_source_destinations,
    epcis_sensor_reports,
    api_tokens,
    upload_sessions,
    uploads,
    production_runs,
    production_inputs,
    waste_transfers,
    waste_receipts,
    emission_reports,
    budget_lines,
);
