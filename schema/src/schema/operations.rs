//! Operations: production runs and their inputs, waste transfers and receipts, emissions,
//! budget lines (schema/migrations/2026-11-23-000500_formats).

diesel::table! {
    production_runs (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        production_code -> Text,
        output_lot_code -> Text,
        output_lot_id -> Int8,
        output_gtin -> Nullable<Text>,
        output_product -> Text,
        output_quantity -> Numeric,
        output_unit -> Text,
        site -> Text,
        site_id -> Int8,
        produced_at -> Timestamptz,
        produced_offset -> Text,
        epd_reference -> Nullable<Text>,
        gwp_factor -> Nullable<Numeric>,
        declared_unit -> Nullable<Text>,
    }
}

diesel::table! {
    production_inputs (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        run_id -> Int8,
        input_line -> Int4,
        input_lot_code -> Text,
        input_lot_id -> Int8,
        input_product -> Nullable<Text>,
        quantity -> Numeric,
        unit -> Text,
    }
}

diesel::table! {
    waste_transfers (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        consignment_id -> Text,
        ewc_code -> Text,
        hazardous -> Bool,
        description -> Nullable<Text>,
        mass_kg -> Numeric,
        mass_basis -> Text,
        producer -> Text,
        producer_id -> Int8,
        from_site -> Text,
        from_site_id -> Int8,
        carrier -> Text,
        carrier_id -> Int8,
        carrier_licence -> Text,
        to_site -> Text,
        to_site_id -> Int8,
        transferred_at -> Timestamptz,
        transferred_offset -> Text,
        planned_operation -> Text,
        previous_consignment_id -> Nullable<Text>,
    }
}

diesel::table! {
    waste_receipts (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        consignment_id -> Text,
        transfer_id -> Int8,
        status -> Text,
        mass_received_kg -> Nullable<Numeric>,
        operation -> Nullable<Text>,
        refusal_reason -> Nullable<Text>,
        received_at -> Timestamptz,
        received_offset -> Text,
    }
}

diesel::table! {
    emission_reports (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        party -> Text,
        party_id -> Int8,
        scope -> Int2,
        category -> Nullable<Text>,
        activity -> Nullable<Text>,
        period_start -> Date,
        period_end -> Date,
        kg_co2e -> Numeric,
        method -> Text,
        source_document -> Text,
    }
}

diesel::table! {
    budget_lines (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        fiscal_year -> Int4,
        budget_line_id -> Text,
        phase -> Text,
        direction -> Text,
        department -> Text,
        department_id -> Int8,
        program -> Nullable<Text>,
        cofog -> Text,
        economic_class -> Nullable<Text>,
        description -> Nullable<Text>,
        amount -> Numeric,
        currency -> Text,
    }
}
