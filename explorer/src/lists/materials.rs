//! Lists of the materials area: lots and the import batches that brought them.

use crate::listing::ColumnKind::{Count, Time, Trust};
use crate::listing::FilterKind::{Choice, Date, Text};
use crate::listing::{ListColumn as C, ListDef, ListFilter as F};

pub static LOTS: ListDef = ListDef {
    name: "lots",
    path: "/materials/lots",
    area: "/materials",
    title: "Lots",
    description: "Every lot, batch or serialised item citytrace knows, with its product, supplier and where it came from.",
    from: "lots l JOIN products p ON p.id = l.product_id \
           LEFT JOIN sites s ON s.id = l.origin_site_id \
           LEFT JOIN parties sp ON sp.id = l.supplier_id",
    condition: "",
    columns: &[
        C::new("lot_code", "Lot", "l.code").sortable().link("/lots/{lot_code}"),
        C::new("product", "Product", "p.name").sortable(),
        C::new("gtin", "GTIN", "p.gtin"),
        C::new("material_class", "Material", "p.material_class").sortable(),
        C::new("origin_site", "Origin site", "s.code").link("/sites/{origin_site}"),
        C::new("supplier", "Supplier", "sp.code").link("/parties/{supplier}"),
        C::new("registered_at", "Registered", "l.created_at").kind(Time).sortable(),
    ],
    filters: &[
        F::new("q", "Lot or product contains", "(l.code ILIKE '%' || ? || '%' OR p.name ILIKE '%' || ? || '%')", Text),
        F::new("gtin", "GTIN", "p.gtin = ?", Text),
        F::new("origin_site", "Origin site code", "s.code = ?", Text),
    ],
    default_sort: ("registered_at", true),
    tie_break: "l.id",
};

pub static BATCHES: ListDef = ListDef {
    name: "batches",
    path: "/batches",
    area: "/ledger",
    title: "Import batches",
    description: "Every file imported into citytrace: who submitted it, how many rows, its Merkle root and whether that root is anchored on the city ledger.",
    from: "import_batches b JOIN batch_trust t ON t.batch_id = b.id",
    condition: "",
    columns: &[
        C::new("id", "Batch", "b.id").kind(Count).sortable().link("/batches/{id}"),
        C::new("kind", "Format", "b.kind").sortable(),
        C::new("file_name", "File", "b.file_name"),
        C::new("submitter", "Submitted by", "b.submitter").sortable().link("/parties/{submitter}"),
        C::new("rows", "Rows", "b.row_count").kind(Count).sortable(),
        C::new("sha256", "File sha256", "encode(b.sha256, 'hex')").hidden(),
        C::new("merkle_root", "Merkle root", "'0x' || encode(b.merkle_root, 'hex')").kind(crate::listing::ColumnKind::Hash),
        C::new("imported_at", "Imported", "b.imported_at").kind(Time).sortable(),
        C::new("trust", "Trust", "t.trust").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("kind", "Format", "b.kind = ?", Choice(&[
            ("shipments", "shipments"), ("products", "products"), ("production", "production"),
            ("sensor-readings", "sensor readings"), ("waste-transfers", "waste transfers"),
            ("waste-receipts", "waste receipts"), ("emissions", "emissions"), ("budget", "budget"),
            ("ocds", "OCDS"), ("epcis", "EPCIS"),
        ])),
        F::new("submitter", "Submitted by", "b.submitter = ?", Text),
        F::new("trust", "Trust", "t.trust = ?", Choice(&[("imported", "imported"), ("anchored", "anchored"), ("final", "final")])),
        F::new("from", "Imported from", "b.imported_at >= ?::date", Date),
        F::new("to", "Imported until", "b.imported_at < ?::date + 1", Date),
    ],
    default_sort: ("imported_at", true),
    tie_break: "b.id",
};
