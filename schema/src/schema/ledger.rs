//! Chain state and rows indexed from ledgers.

diesel::table! {
    chains (chain_id) {
        chain_id -> Int8,
        name -> Text,
        kind -> Text,
        head_number -> Nullable<Int8>,
        head_seen_at -> Nullable<Timestamptz>,
        finalized_number -> Nullable<Int8>,
        safe_number -> Nullable<Int8>,
        stalled_since -> Nullable<Timestamptz>,
        stall_reason -> Nullable<Text>,
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
        batch_id -> Numeric,
        merkle_root -> Bytea,
        row_count -> Int8,
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

diesel::table! {
    ledger_events (chain_id, block_number, block_hash, log_index) {
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        event_name -> Text,
        signature -> Text,
        params -> Jsonb,
        finality -> Text,
    }
}

diesel::table! {
    quarantined_logs (chain_id, block_number, block_hash, log_index) {
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        topics -> Array<Bytea>,
        data -> Bytea,
        event_name -> Nullable<Text>,
        signature -> Nullable<Text>,
        params -> Nullable<Jsonb>,
        reason -> Text,
        problem -> Text,
        finality -> Text,
    }
}

diesel::table! {
    token_transfers (chain_id, block_number, block_hash, log_index) {
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        token -> Bytea,
        from_address -> Bytea,
        to_address -> Bytea,
        amount -> Numeric,
        finality -> Text,
    }
}

diesel::table! {
    carbon_retirements (id) {
        id -> Int8,
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        source -> Text,
        token -> Bytea,
        retiring_address -> Bytea,
        beneficiary -> Bytea,
        beneficiary_name -> Nullable<Text>,
        retiring_entity -> Nullable<Text>,
        message -> Nullable<Text>,
        amount -> Numeric,
        tonnes -> Numeric,
        finality -> Text,
    }
}

diesel::table! {
    treasury_allocations (id) {
        id -> Int8,
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        allocation_id -> Bytea,
        fiscal_year -> Int4,
        department -> Text,
        program -> Text,
        cofog -> Text,
        amount_minor -> Numeric,
        currency -> Text,
        finality -> Text,
    }
}

diesel::table! {
    treasury_payments (id) {
        id -> Int8,
        chain_id -> Int8,
        block_number -> Int8,
        block_hash -> Bytea,
        block_time -> Timestamptz,
        tx_hash -> Bytea,
        log_index -> Int4,
        contract -> Bytea,
        payment_id -> Bytea,
        payee -> Bytea,
        payee_name -> Text,
        department -> Text,
        amount_minor -> Numeric,
        currency -> Text,
        contract_ref -> Text,
        finality -> Text,
        budget_line_id -> Nullable<Text>,
    }
}

diesel::table! {
    reorgs (id) {
        id -> Int8,
        chain_id -> Int8,
        detected_at -> Timestamptz,
        depth -> Int8,
        ancestor_number -> Int8,
        ancestor_hash -> Nullable<Bytea>,
        old_number -> Int8,
        old_hash -> Bytea,
        new_hash -> Nullable<Bytea>,
    }
}
