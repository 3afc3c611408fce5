-- The audit's leaf records (docs/verification.md, "citytrace audit"). When `citytrace audit`
-- finds that a batch's stored rows give exactly the root and row count the ledger's
-- BatchAnchored event carries, it keeps the batch's leaves — the hash of each row's canonical
-- encoding, with the row's line — so that a later audit finding the rows changed can name the
-- lines. A record proves itself: its leaves must fold to the root anchored on the ledger, or
-- the audit does not use it. Written only by the audit; nothing else reads it.
CREATE TABLE audit_leaf_records (
    batch_id     BIGINT PRIMARY KEY REFERENCES import_batches (id),
    -- The anchored root and row count the leaves were proved against.
    merkle_root  BYTEA NOT NULL CHECK (length(merkle_root) = 32),
    row_count    BIGINT NOT NULL CHECK (row_count >= 0),
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The leaves in line order, in chunks: `lines` holds each row's line as 4 bytes (big-endian,
-- signed), `leaves` its 32-byte leaf, in the same order.
CREATE TABLE audit_leaf_chunks (
    batch_id  BIGINT NOT NULL REFERENCES audit_leaf_records (batch_id) ON DELETE CASCADE,
    chunk     INTEGER NOT NULL CHECK (chunk >= 0),
    lines     BYTEA NOT NULL,
    leaves    BYTEA NOT NULL CHECK (length(leaves) = 8 * length(lines)),
    PRIMARY KEY (batch_id, chunk)
);
-- Leaves are hashes: nothing to compress, so none is tried.
ALTER TABLE audit_leaf_chunks ALTER COLUMN leaves SET STORAGE EXTERNAL;
