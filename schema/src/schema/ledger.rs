//! Chain state and rows indexed from ledgers.

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
