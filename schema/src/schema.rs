//! Diesel table definitions, mirroring `schema/migrations/` exactly. Kept apart from the
//! hand-written models (one file per entity under `models/`).

diesel::table! {
    parties (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        kind -> Text,
        gln -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sites (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        kind -> Text,
        gln -> Nullable<Text>,
        party_id -> Nullable<Int8>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Int8,
        code -> Text,
        gtin -> Nullable<Text>,
        name -> Text,
        material_class -> Nullable<Text>,
        unit -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    lots (id) {
        id -> Int8,
        code -> Text,
        product_id -> Int8,
        supplier_id -> Nullable<Int8>,
        origin_site_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

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
    shipment_lines (id) {
        id -> Int8,
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
    chains (chain_id) {
        chain_id -> Int8,
        name -> Text,
        kind -> Text,
        head_number -> Nullable<Int8>,
        head_seen_at -> Nullable<Timestamptz>,
        finalized_number -> Nullable<Int8>,
    }
}

diesel::table! {
    contracts (chain_id, address) {
        chain_id -> Int8,
        address -> Bytea,
        kind -> Text,
        name -> Text,
        start_block -> Int8,
    }
}

diesel::table! {
    blocks (chain_id, number) {
        chain_id -> Int8,
        number -> Int8,
        hash -> Bytea,
        parent_hash -> Bytea,
        timestamp -> Timestamptz,
    }
}

diesel::table! {
    checkpoints (chain_id, stream) {
        chain_id -> Int8,
        stream -> Text,
        block_number -> Int8,
        block_hash -> Bytea,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    batch_anchors (id) {
        id -> Int8,
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        finality -> Text,
        batch_id -> Int8,
        merkle_root -> Bytea,
        row_count -> Int4,
        uri -> Text,
    }
}

diesel::table! {
    anchor_submissions (batch_id) {
        batch_id -> Int8,
        chain_id -> Int8,
        tx_hash -> Bytea,
        nonce -> Int8,
        attempts -> Int4,
        submitted_at -> Timestamptz,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(sites -> parties (party_id));
diesel::joinable!(lots -> products (product_id));
diesel::joinable!(shipment_lines -> import_batches (batch_id));
diesel::joinable!(shipment_lines -> lots (lot_id));
diesel::joinable!(supply_event_lots -> supply_events (event_id));
diesel::joinable!(supply_event_lots -> lots (lot_id));
diesel::joinable!(contracts -> chains (chain_id));
diesel::joinable!(blocks -> chains (chain_id));
diesel::joinable!(checkpoints -> chains (chain_id));
diesel::joinable!(batch_anchors -> chains (chain_id));
diesel::joinable!(anchor_submissions -> import_batches (batch_id));

diesel::allow_tables_to_appear_in_same_query!(
    parties,
    sites,
    products,
    lots,
    import_batches,
    shipment_lines,
    supply_events,
    supply_event_lots,
    chains,
    contracts,
    blocks,
    checkpoints,
    batch_anchors,
    anchor_submissions,
);
