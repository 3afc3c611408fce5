//! One file per entity: the row struct, its insert struct and its queries.

pub mod batch_anchor;
pub mod chain;
pub mod import_batch;
pub mod lot;
pub mod party;
pub mod product;
pub mod shipment_line;
pub mod site;
pub mod supply_event;

pub use batch_anchor::{AnchorSubmission, BatchAnchor, Finality, NewBatchAnchor};
pub use chain::{Block, Chain, ChainKind, Checkpoint, ContractRow};
pub use import_batch::{ImportBatch, NewImportBatch, TrustState};
pub use lot::{Lot, NewLot};
pub use party::{NewParty, Party};
pub use product::{NewProduct, Product};
pub use shipment_line::{NewShipmentLine, ShipmentLine, ShipmentLineView};
pub use site::{NewSite, Site};
pub use supply_event::{NewSupplyEvent, NewSupplyEventLot, SupplyEvent};
