//! Lists of the waste area: consignments (transfer notes with the facility's receipt).

use super::ColumnKind::{Badges, Number, Time, Trust};
use super::FilterKind::{Choice, Date, Text};
use super::{ListColumn as C, ListDef, ListFilter as F};

pub static CONSIGNMENTS: ListDef = ListDef {
    name: "waste-consignments",
    path: "/waste/consignments",
    area: "/waste",
    title: "Waste consignments",
    description: "Every transfer note: the waste (EWC code, * hazardous), who produced and carried it, where it went, the mass declared and received, the operation planned and performed, and the facility's receipt.",
    from: "waste_transfers w LEFT JOIN waste_receipts r ON r.transfer_id = w.id \
           JOIN batch_trust t ON t.batch_id = w.batch_id",
    condition: "",
    columns: &[
        C::new("consignment_id", "Consignment", "w.consignment_id").sortable().link("/waste/consignments/{consignment_id}"),
        C::new("ewc_code", "EWC code", "substr(w.ewc_code, 1, 2) || ' ' || substr(w.ewc_code, 3, 2) || ' ' || substr(w.ewc_code, 5, 2) || CASE WHEN w.hazardous THEN '*' ELSE '' END").sortable(),
        C::new("hazardous", "Hazardous", "CASE WHEN w.hazardous THEN 'hazardous' ELSE '' END").kind(Badges).hidden(),
        C::new("description", "Waste", "w.description").hidden(),
        C::new("producer", "Producer", "w.producer").sortable(),
        C::new("carrier", "Carrier", "w.carrier").sortable(),
        C::new("facility", "Facility", "w.to_site").sortable().link("/waste/facilities/{facility}"),
        C::new("declared_kg", "Declared kg", "w.mass_kg").kind(Number).sortable(),
        C::new("received_kg", "Received kg", "r.mass_received_kg").kind(Number).sortable(),
        C::new("planned", "Planned", "w.planned_operation").sortable(),
        C::new("performed", "Performed", "r.operation").sortable(),
        C::new("status", "Status", "coalesce(r.status, 'not received')").sortable(),
        C::new("transferred_at", "Left", "w.transferred_at").kind(Time).sortable(),
        C::new("batch_id", "Batch", "w.batch_id").hidden(),
        C::new("line", "Line", "w.line").hidden(),
        C::new("source", "Source", "'batch ' || w.batch_id || ', line ' || w.line").link("/batches/{batch_id}#line-{line}"),
        C::new("trust", "Trust", "t.trust").kind(Trust).sortable(),
    ],
    filters: &[
        F::new("q", "Consignment contains", "lower(w.consignment_id) ILIKE '%' || ? || '%'", Text),
        F::new("ewc", "EWC code starts with", "w.ewc_code LIKE replace(replace(?, ' ', ''), '*', '') || '%'", Text),
        F::new("hazardous", "Hazardous", "w.hazardous = (? = 'yes')", Choice(&[("yes", "hazardous"), ("no", "not hazardous")])),
        F::new("producer", "Producer", "w.producer = ?", Text),
        F::new("carrier", "Carrier", "w.carrier = ?", Text),
        F::new("facility", "Facility (site code)", "(w.to_site = ? OR w.from_site = ?)", Text),
        F::new("status", "Status", "coalesce(r.status, 'not received') = ?", Choice(&[("accepted", "accepted"), ("refused", "refused"), ("not received", "not received")])),
        F::new("from", "Left from", "w.transferred_at >= ?::date", Date),
        F::new("to", "Left until", "w.transferred_at < ?::date + 1", Date),
    ],
    default_sort: ("transferred_at", true),
    tie_break: "w.id",
};
