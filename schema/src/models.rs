//! One file per entity: the row struct, its insert struct and its queries.

pub mod api_token;
pub mod batch_anchor;
pub mod budget_line;
pub mod carbon_retirement;
pub mod chain;
pub mod emission_report;
pub mod epcis_biz_transaction;
pub mod epcis_epc;
pub mod epcis_event;
pub mod epcis_sensor_report;
pub mod epcis_source_destination;
pub mod import_batch;
pub mod ledger_event;
pub mod lot;
pub mod ocds_release;
pub mod party;
pub mod procurement_amendment;
pub mod procurement_award;
pub mod procurement_bid;
pub mod procurement_contract;
pub mod procurement_party;
pub mod procurement_process;
pub mod procurement_transaction;
pub mod product;
pub mod production_input;
pub mod production_run;
pub mod reorg;
pub mod shipment_line;
pub mod site;
pub mod supply_event;
pub mod token_transfer;
pub mod treasury;
pub mod upload;
pub mod upload_session;
pub mod waste_receipt;
pub mod waste_transfer;

pub use api_token::{ApiToken, NewApiToken};
pub use batch_anchor::{AnchorSubmission, BatchAnchor, Finality, NewBatchAnchor};
pub use budget_line::{BudgetLine, NewBudgetLine};
pub use carbon_retirement::{CarbonRetirement, NewCarbonRetirement};
pub use chain::{Block, Chain, ChainKind, Checkpoint, ContractRow};
pub use emission_report::{EmissionReport, NewEmissionReport};
pub use epcis_biz_transaction::{EpcisBizTransaction, NewEpcisBizTransaction};
pub use epcis_epc::{EpcisEpc, NewEpcisEpc};
pub use epcis_event::{EpcisEvent, ErrorMark, NewEpcisEvent, StoredEventHash};
pub use epcis_sensor_report::EpcisSensorReport;
pub use epcis_source_destination::{EpcisSourceDestination, NewEpcisSourceDestination};
pub use import_batch::{ImportBatch, NewImportBatch, TrustState};
pub use ledger_event::{LedgerEvent, NewLedgerEvent};
pub use lot::{Lot, NewLot};
pub use ocds_release::{NewOcdsRelease, OcdsRelease};
pub use party::{NewParty, Party};
pub use procurement_amendment::{NewProcurementAmendment, ProcurementAmendment};
pub use procurement_award::{NewProcurementAward, NewProcurementAwardSupplier, ProcurementAward};
pub use procurement_bid::{NewProcurementBid, NewProcurementBidTenderer, ProcurementBid};
pub use procurement_contract::{NewProcurementContract, ProcurementContract};
pub use procurement_party::{NewProcurementParty, ProcurementParty};
pub use procurement_process::{NewProcurementProcess, ProcurementProcess};
pub use procurement_transaction::{NewProcurementTransaction, ProcurementTransaction};
pub use product::{NewProduct, Product};
pub use production_input::{NewProductionInput, ProductionInput};
pub use production_run::{NewProductionRun, ProductionRun};
pub use reorg::{NewReorg, Reorg};
pub use shipment_line::{NewShipmentLine, ShipmentLine, ShipmentLineView};
pub use site::{NewSite, Site};
pub use supply_event::{
    LotEvent, NewLedgerSupplyEvent, NewSupplyEvent, NewSupplyEventLot, SupplyEvent,
};
pub use token_transfer::{NewTokenTransfer, TokenTransfer};
pub use treasury::{
    NewTreasuryAllocation, NewTreasuryPayment, TreasuryAllocation, TreasuryPayment,
};
pub use upload::{NewUpload, Upload, UploadStatus};
pub use upload_session::{NewUploadSession, UploadSession};
pub use waste_receipt::{NewWasteReceipt, WasteReceipt};
pub use waste_transfer::{NewWasteTransfer, WasteTransfer};
