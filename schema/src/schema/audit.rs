//! The audit's leaf records (schema/migrations/2026-11-25-000900_audit_leaves).

diesel::table! {
    audit_leaf_records (batch_id) {
        batch_id -> Int8,
        merkle_root -> Bytea,
        row_count -> Int8,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    audit_leaf_chunks (batch_id, chunk) {
        batch_id -> Int8,
        chunk -> Int4,
        lines -> Bytea,
        leaves -> Bytea,
    }
}
