//! A small city for the search tests (both backends): the demo city's names that people misspell
//! (Canal Haulage, Polar Pharma Logistics, Harbour Steel Mill, Riverside Cement Works) with their
//! demo codes (`NL-KVK-…`: a long code is what made the old `code || name` match miss), lots and
//! products with GTINs, a site with a GLN, a contract, twelve ledger payments to one carrier
//! (enough to flood a list), an anchored batch, a ledger contract.

use citytrace_importers::Format;
use citytrace_schema::diesel::sql_types::{BigInt, Text};
use citytrace_schema::diesel::{self, RunQueryDsl};
use citytrace_schema::models::{Chain, ChainKind, Finality};
use citytrace_schema::PgPool;

use crate::support::{anchor_batch, import_as};

pub const SHIPMENTS: &str = "shipment_id,line,lot_id,gtin,product,quantity,unit,from_site,to_site,shipped_at\n\
    SHP-1,1,HSM-B500-260902-01,05412345003014,Reinforcing steel B500B,4.2,TNE,HARBOUR-MILL,SITE-ELM-SCHOOL,2026-05-01T08:00:00+02:00\n\
    SHP-1,2,RCW-CEM-260412-01,,Portland cement CEM I,1.5,TNE,RIVERSIDE-PLANT,SITE-ELM-SCHOOL,2026-05-01T08:00:00+02:00\n\
    SHP-1,3,LOT-<b>bold</b>,,Portland cement CEM I,1.5,TNE,RIVERSIDE-PLANT,SITE-NORTH-BRIDGE,2026-05-01T08:00:00+02:00\n";

pub const OCID: &str = "ocds-b5fd17-2026-0017";
/// The GLN of the Polar Pharma distribution centre.
pub const GLN: &str = "5412345000013";
/// Payments to Canal Haulage on the ledger: more than a group shows.
pub const PAYMENTS: i64 = 12;
/// The city ledger's chain id and the block the batch was anchored in.
pub const CHAIN: i64 = 31337;
pub const ANCHOR_BLOCK: i64 = 124;
/// The BatchAnchor contract's address (20 bytes of 0x11, as `anchor_batch` records it).
pub fn anchor_contract() -> String {
    format!("0x{}", "11".repeat(20))
}
/// The transaction that anchored the batch (`anchor_batch`'s 0xabab…).
pub fn anchor_tx() -> String {
    format!("0x{}", "ab".repeat(32))
}
/// The first payment's transaction hash (0x0101… ; payment n has n repeated).
pub fn payment_tx(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

/// Fill the database; the id of the imported batch.
pub fn fill(pool: &PgPool) -> i64 {
    let batch_id = import_as(pool, Format::Shipments, "HSM", "s.csv", SHIPMENTS);
    let conn = &mut pool.get().unwrap();
    diesel::sql_query(
        "INSERT INTO parties (code, name, kind) VALUES ('NL-KVK-31266490', 'Harbour Steel Mill', 'supplier'), \
         ('NL-KVK-36794013', 'Canal Haulage', 'carrier'), ('NL-KVK-38016642', 'Polar Pharma Logistics', 'supplier'), \
         ('NL-KVK-30587214', 'Riverside Cement Works', 'supplier'), ('PW', 'City Public Works Department', 'department')",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query("INSERT INTO sites (code, name, kind, gln) VALUES ('PPL-DC', 'Polar Pharma distribution centre', 'warehouse', $1)")
        .bind::<Text, _>(GLN)
        .execute(conn)
        .unwrap();
    diesel::sql_query(
        "INSERT INTO procurement_processes (ocid, title, procurement_method, release_count, last_release_date, batch_id, line) \
         VALUES ($1, 'Elm Street school extension: structural works', 'open', 1, now(), $2, 1)",
    )
    .bind::<Text, _>(OCID)
    .bind::<BigInt, _>(batch_id)
    .execute(conn)
    .unwrap();
    Chain::upsert(conn, CHAIN, "city ledger", ChainKind::Ledger).unwrap();
    diesel::sql_query(
        "INSERT INTO contracts (chain_id, address, kind, name, start_block) \
         VALUES (31337, decode(repeat('11', 20), 'hex'), 'batch_anchor', 'BatchAnchor', 1)",
    )
    .execute(conn)
    .unwrap();
    for n in 1..=PAYMENTS {
        diesel::sql_query(
            "INSERT INTO treasury_payments (chain_id, block_number, block_hash, block_time, tx_hash, log_index, contract, payment_id, payee, payee_name, department, amount_minor, currency, contract_ref, finality) \
             VALUES (31337, 200 + $1, decode(repeat('e' || to_hex($1::int % 16), 32), 'hex'), '2026-05-01T10:00:00Z', decode(repeat(lpad(to_hex($1::int), 2, '0'), 32), 'hex'), 0, decode(repeat('c7', 20), 'hex'), \
                     decode(repeat(lpad(to_hex($1::int), 2, '0'), 32), 'hex'), decode(repeat('0b', 20), 'hex'), 'Canal Haulage', 'PW', 150000, 'EUR', 'CH-2026-' || $1, 'final')",
        )
        .bind::<BigInt, _>(n)
        .execute(conn)
        .unwrap();
    }
    anchor_batch(conn, batch_id, ANCHOR_BLOCK, 0x24, 0, Finality::Final);
    batch_id
}

/// The Merkle root of batch `batch_id` as people copy it: `0x` and hex.
pub fn merkle_root(pool: &PgPool, batch_id: i64) -> String {
    let batch =
        citytrace_schema::models::ImportBatch::find(&mut pool.get().unwrap(), batch_id).unwrap();
    format!("0x{}", hex::encode(batch.merkle_root))
}
