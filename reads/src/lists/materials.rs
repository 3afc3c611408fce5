//! Lists of the materials area: lots and the import batches that brought them.

use super::ColumnKind::{Count, Number, Time, Trust};
use super::FilterKind::{Choice, Date, Text};
use super::{ListColumn, ListColumn as C, ListDef, ListFilter, ListFilter as F};
use crate::cold_chain::goods::cold_chain_product_sql;

/// Who supplied lot `l`, as the lot page says (`citytrace_reads::lots::LotData::supplier`): the
/// lot's own supplier, else who submitted the production run that made it, else who submitted
/// its first shipment. A party's code; in the columns' SQL only, so counting rows never runs it.
macro_rules! lot_supplier_code {
    () => {
        "coalesce((SELECT sp.code FROM parties sp WHERE sp.id = l.supplier_id), \
         (SELECT r.submitter FROM production_runs r WHERE r.output_lot_id = l.id ORDER BY r.id LIMIT 1), \
         (SELECT d.submitter FROM shipment_lines d WHERE d.lot_id = l.id ORDER BY d.shipped_at, d.batch_id, d.line LIMIT 1))"
    };
}

/// The columns of a list of lots: the materials' and the cold chain's
/// ([`super::cold_chain::LOTS`]).
pub(crate) const LOT_COLUMNS: &[ListColumn] = &[
    C::new("lot_code", "Lot", "l.code")
        .sortable()
        .link("/lots/{lot_code}"),
    C::new("product", "Product", "p.name").sortable(),
    C::new("gtin", "GTIN", "p.gtin"),
    C::new("material_class", "Material", "p.material_class").sortable(),
    C::new("origin_site", "Origin site", "s.code").link("/sites/{origin_site}"),
    C::new(
        "supplier",
        "Supplier",
        concat!(
            "(SELECT coalesce(n.name, c.code) FROM (SELECT ",
            lot_supplier_code!(),
            " AS code) c LEFT JOIN parties n ON n.code = c.code)"
        ),
    )
    .link("/parties/{supplier_code}")
    .detail("supplier_code"),
    C::new("supplier_code", "Supplier code", lot_supplier_code!()).hidden(),
    C::new("registered_at", "Registered", "l.created_at")
        .kind(Time)
        .sortable(),
];

/// The filters of a list of lots.
pub(crate) const LOT_FILTERS: &[ListFilter] = &[
    F::new(
        "q",
        "Lot or product contains",
        "(lower(l.code) ILIKE '%' || ? || '%' OR lower(p.name) ILIKE '%' || ? || '%')",
        Text,
    ),
    F::new("gtin", "GTIN", "p.gtin = ?", Text),
    F::new("origin_site", "Origin site code", "s.code = ?", Text),
    F::new("product", "Product code", "p.code = ?", Text),
];

/// A list of lots joins their product `p` and origin site `s`.
pub(crate) const LOTS_FROM: &str = "lots l JOIN products p ON p.id = l.product_id \
           LEFT JOIN sites s ON s.id = l.origin_site_id";

/// The lots of building materials: every lot but food and medicine, which are the cold
/// chain's ([`crate::cold_chain::is_cold_chain_goods`]).
pub static LOTS: ListDef = ListDef {
    name: "lots",
    path: "/materials/lots",
    area: "/materials",
    title: "Lots",
    description: "Every lot, batch or serialised item of building material citytrace knows, with its product, supplier and where it came from. Food and medicine are under Cold chain.",
    from: LOTS_FROM,
    condition: concat!("NOT ", cold_chain_product_sql!()),
    columns: LOT_COLUMNS,
    filters: LOT_FILTERS,
    default_sort: ("registered_at", true),
    tie_break: "l.id",
};

pub static BATCHES: ListDef = ListDef {
    name: "batches",
    path: "/batches",
    area: "/ledger",
    title: "Import batches",
    description: "Every file imported into citytrace: who submitted it, how many rows, its Merkle root and whether that root is anchored on the city ledger.",
    from: "import_batches b JOIN batch_trust t ON t.batch_id = b.id \
           LEFT JOIN parties sp ON sp.code = b.submitter",
    condition: "",
    columns: &[
        C::new("id", "Batch", "b.id").kind(Count).sortable().link("/batches/{id}"),
        C::new("kind", "Format", "b.kind").sortable(),
        C::new("file_name", "File", "b.file_name"),
        C::new("submitter_name", "Submitted by", "coalesce(sp.name, b.submitter)").sortable().link("/parties/{submitter}").detail("submitter"),
        C::new("submitter", "Submitted by (code)", "b.submitter").sortable().hidden(),
        C::new("rows", "Rows", "b.row_count").kind(Count).sortable(),
        C::new("sha256", "File sha256", "encode(b.sha256, 'hex')").hidden(),
        C::new("merkle_root", "Merkle root", "'0x' || encode(b.merkle_root, 'hex')").kind(super::ColumnKind::Hash),
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

pub static DELIVERIES: ListDef = ListDef {
    name: "deliveries",
    path: "/materials/deliveries",
    area: "/materials",
    title: "Deliveries",
    description: "Every shipment line: which lot went from which site to which, when, under which contract, with the imported row it comes from.",
    from: "shipment_lines d JOIN sites f ON f.id = d.from_site_id JOIN sites t ON t.id = d.to_site_id \
           JOIN batch_trust bt ON bt.batch_id = d.batch_id \
           LEFT JOIN parties sp ON sp.code = d.submitter",
    condition: "",
    columns: &[
        C::new("lot_code", "Lot", "d.lot_code").sortable().link("/lots/{lot_code}"),
        C::new("product", "Product", "d.product_name").sortable(),
        C::new("quantity", "Quantity", "d.quantity::text").kind(Number),
        C::new("unit", "Unit", "d.unit"),
        C::new("from_site_name", "From", "f.name").sortable().link("/sites/{from_site}").detail("from_site"),
        C::new("from_site", "From (code)", "f.code").sortable().hidden(),
        C::new("to_site_name", "To", "t.name").sortable().link("/sites/{to_site}").detail("to_site"),
        C::new("to_site", "To (code)", "t.code").sortable().hidden(),
        C::new("shipped_at", "Shipped", "d.shipped_at").kind(Time).sortable(),
        C::new("supplier_name", "Supplier", "coalesce(sp.name, d.submitter)").sortable().link("/parties/{supplier}").detail("supplier"),
        C::new("supplier", "Supplier (code)", "d.submitter").sortable().hidden(),
        C::new("contract_ocid", "Contract", "d.contract_ocid").link("/spending/contracts/{contract_ocid}"),
        C::new("batch_id", "Batch", "d.batch_id").kind(Count).link("/batches/{batch_id}#line-{line}"),
        C::new("line", "Line", "d.line").kind(Count).link("/batches/{batch_id}/rows/{line}/proof"),
        C::new("trust", "Trust", "bt.trust").kind(Trust),
    ],
    filters: &[
        F::new("to_site", "Delivered to (site code)", "t.code = ?", Text),
        F::new("from_site", "From (site code)", "f.code = ?", Text),
        F::new("lot", "Lot", "d.lot_code = ?", Text),
        F::new("contract", "Contract ocid", "d.contract_ocid = ?", Text),
        F::new("supplier", "Supplier", "d.submitter = ?", Text),
        F::new("from", "Shipped from", "d.shipped_at >= ?::date", Date),
        F::new("to", "Shipped until", "d.shipped_at < ?::date + 1", Date),
    ],
    default_sort: ("shipped_at", true),
    tie_break: "d.batch_id, d.line",
};

pub static PRODUCTS: ListDef = ListDef {
    name: "products",
    path: "/materials/products",
    area: "/materials",
    title: "Products",
    description: "Every building material citytrace knows as a product: its GTIN, material, unit and the EPD carbon factor it carries. Food and medicine are under Cold chain.",
    from: "products p",
    condition: concat!("NOT ", cold_chain_product_sql!()),
    columns: &[
        C::new("code", "Code", "p.code").sortable().link("/products/{code}"),
        C::new("name", "Product", "p.name").sortable(),
        C::new("gtin", "GTIN", "p.gtin"),
        C::new("material_class", "Material", "p.material_class").sortable(),
        C::new("unit", "Unit", "p.unit"),
        C::new("gwp_per_unit", "kg CO2e per unit", "p.gwp_per_unit::text").kind(Number),
        C::new("epd_ref", "EPD", "p.epd_ref"),
        C::new("lots", "Lots", "(SELECT count(*) FROM lots l WHERE l.product_id = p.id)").kind(Count),
        C::new("registered_at", "Registered", "p.created_at").kind(Time).sortable(),
    ],
    filters: &[
        F::new("q", "Name or code contains", "(p.code ILIKE '%' || ? || '%' OR lower(p.name) ILIKE '%' || ? || '%')", Text),
        F::new("material_class", "Material", "p.material_class = ?", Text),
    ],
    default_sort: ("registered_at", true),
    tie_break: "p.id",
};

pub static SITES: ListDef = ListDef {
    name: "sites",
    path: "/materials/sites",
    area: "/materials",
    title: "Sites",
    description: "Quarries, plants, warehouses and construction sites named by imports.",
    from: "sites s LEFT JOIN parties o ON o.id = s.party_id",
    condition: "",
    columns: &[
        C::new("code", "Code", "s.code")
            .sortable()
            .link("/sites/{code}"),
        C::new("name", "Site", "s.name").sortable(),
        C::new("kind", "Kind", "s.kind").sortable(),
        C::new("gln", "GLN", "s.gln"),
        C::new("operator", "Operator", "o.code").link("/parties/{operator}"),
        C::new("registered_at", "Registered", "s.created_at")
            .kind(Time)
            .sortable(),
    ],
    filters: &[
        F::new(
            "q",
            "Name or code contains",
            "(s.code ILIKE '%' || ? || '%' OR s.name ILIKE '%' || ? || '%')",
            Text,
        ),
        F::new("kind", "Kind", "s.kind = ?", Text),
    ],
    default_sort: ("registered_at", true),
    tie_break: "s.id",
};
