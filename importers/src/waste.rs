//! Waste: transfer notes (`waste-transfers`, docs/formats/waste-transfers.md) and the
//! receiving facilities' receipts (`waste-receipts`, docs/formats/waste-receipts.md), with
//! the codes both use.

pub mod codes;
pub mod list;
pub mod receipts;
pub mod transfers;
