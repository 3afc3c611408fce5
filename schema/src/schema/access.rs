//! Supplier access: API tokens, upload-page sessions, uploaded files.

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        party_id -> Int8,
        token_hash -> Bytea,
        label -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    upload_sessions (id) {
        id -> Int8,
        session_hash -> Bytea,
        token_id -> Int8,
        csrf_token -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    uploads (id) {
        id -> Int8,
        party_id -> Int8,
        format -> Text,
        file_name -> Text,
        stored_as -> Nullable<Text>,
        size_bytes -> Int8,
        sha256 -> Bytea,
        status -> Text,
        attempts -> Int4,
        progress_bytes -> Int8,
        progress_rows -> Int8,
        row_count -> Nullable<Int4>,
        merkle_root -> Nullable<Bytea>,
        problem_count -> Nullable<Int4>,
        problems -> Nullable<Jsonb>,
        batch_id -> Nullable<Int8>,
        message -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
