//! One file per entity: the row struct, its insert struct and its queries.

pub mod batch_anchor;
pub mod carbon_retirement;
pub mod chain;
pub mod import_batch;
pub mod ledger_event;
pub mod lot;
pub mod party;
pub mod product;
pub mod reorg;
pub mod shipment_line;
pub mod site;
pub mod supply_event;
pub mod token_transfer;
pub mod treasury;

pub use batch_anchor::{AnchorSubmission, BatchAnchor, Finality, NewBatchAnchor};
pub use carbon_retirement::{CarbonRetirement, NewCarbonRetirement};
pub use chain::{Block, Chain, ChainKind, Checkpoint, ContractRow};
pub use import_batch::{ImportBatch, NewImportBatch, TrustState};
pub use ledger_event::{LedgerEvent, NewLedgerEvent};
pub use lot::{Lot, NewLot};
pub use party::{NewParty, Party};
pub use product::{NewProduct, Product};
pub use reorg::{NewReorg, Reorg};
pub use shipment_line::{NewShipmentLine, ShipmentLine, ShipmentLineView};
pub use site::{NewSite, Site};
pub use supply_event::{NewLedgerSupplyEvent, NewSupplyEvent, NewSupplyEventLot, SupplyEvent};
pub use token_transfer::{NewTokenTransfer, TokenTransfer};
pub use treasury::{
    NewTreasuryAllocation, NewTreasuryPayment, TreasuryAllocation, TreasuryPayment,
};
