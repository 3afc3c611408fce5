//! Import batches and the rows imported under them; supply-chain events.

diesel::table! {
    import_batches (id) {
        id -> Int8,
        kind -> Text,
        file_name -> Text,
        sha256 -> Bytea,
        submitter -> Text,
        row_count -> Int4,
        merkle_root -> Bytea,
        imported_at -> Timestamptz,
    }
}

diesel::table! {
    shipment_lines (batch_id, line) {
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        shipment_code -> Text,
        line_no -> Int4,
        lot_code -> Text,
        lot_id -> Int8,
        gtin -> Nullable<Text>,
        product_name -> Text,
        quantity -> Numeric,
        unit -> Text,
        from_site -> Text,
        from_site_id -> Int8,
        to_site -> Text,
        to_site_id -> Int8,
        shipped_at -> Timestamptz,
        received_at -> Nullable<Timestamptz>,
        shipped_offset -> Text,
        received_offset -> Nullable<Text>,
        carrier -> Nullable<Text>,
        purchase_order -> Nullable<Text>,
        contract_ocid -> Nullable<Text>,
        certificates -> Array<Text>,
    }
}

diesel::table! {
    supply_events (id) {
        id -> Int8,
        event_type -> Text,
        action -> Nullable<Text>,
        biz_step -> Nullable<Text>,
        disposition -> Nullable<Text>,
        event_time -> Timestamptz,
        event_tz_offset -> Text,
        biz_location_id -> Nullable<Int8>,
        source_site_id -> Nullable<Int8>,
        destination_site_id -> Nullable<Int8>,
        shipment_code -> Nullable<Text>,
        batch_id -> Nullable<Int8>,
        line -> Nullable<Int4>,
        chain_id -> Nullable<Int8>,
        block_number -> Nullable<Int8>,
        block_hash -> Nullable<Bytea>,
        tx_hash -> Nullable<Bytea>,
        log_index -> Nullable<Int4>,
        finality -> Nullable<Text>,
    }
}

diesel::table! {
    supply_event_lots (event_id, lot_id, role) {
        event_id -> Int8,
        lot_id -> Int8,
        role -> Text,
        quantity -> Nullable<Numeric>,
        unit -> Nullable<Text>,
    }
}

diesel::table! {
    product_versions (batch_id, line) {
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        code -> Text,
        gtin -> Nullable<Text>,
        name -> Text,
        material_class -> Nullable<Text>,
        unit -> Text,
        epd_ref -> Nullable<Text>,
        gwp_per_unit -> Nullable<Numeric>,
        min_temp_c -> Nullable<Numeric>,
        max_temp_c -> Nullable<Numeric>,
        max_excursion_minutes -> Nullable<Int4>,
        max_single_excursion_minutes -> Nullable<Int4>,
        logging_interval_minutes -> Nullable<Int4>,
    }
}

diesel::table! {
    sensor_readings (batch_id, line) {
        batch_id -> Int8,
        line -> Int4,
        submitter -> Text,
        device_id -> Text,
        shipment_code -> Nullable<Text>,
        lot_id -> Nullable<Int8>,
        recorded_at -> Timestamptz,
        recorded_offset -> Text,
        temperature_c -> Numeric,
        humidity_pct -> Nullable<Numeric>,
    }
}
