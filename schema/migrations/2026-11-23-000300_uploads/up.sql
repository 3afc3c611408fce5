-- Supplier access to the upload page and API: API tokens (only their sha256 is stored), web
-- sessions signed in with a token, and the files uploaded through the page with their checks.

CREATE TABLE api_tokens (
    id            BIGSERIAL PRIMARY KEY,
    party_id      BIGINT NOT NULL REFERENCES parties (id),
    token_hash    BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_tokens_party_idx ON api_tokens (party_id);

-- A browser signed in with a token. The cookie holds a random id; only its sha256 is stored.
CREATE TABLE upload_sessions (
    id            BIGSERIAL PRIMARY KEY,
    session_hash  BYTEA NOT NULL UNIQUE CHECK (length(session_hash) = 32),
    token_id      BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL CHECK (length(csrf_token) >= 32),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX upload_sessions_token_idx ON upload_sessions (token_id);
CREATE INDEX upload_sessions_expires_idx ON upload_sessions (expires_at);

-- A file uploaded on /import: stored on disk until it is imported, found invalid or discarded.
-- The status is also the job queue: *_queued rows are claimed by the explorer's job runner.
CREATE TABLE uploads (
    id             BIGSERIAL PRIMARY KEY,
    party_id       BIGINT NOT NULL REFERENCES parties (id),
    format         TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    -- Where the file is, relative to the upload folder; NULL once it has been removed.
    stored_as      TEXT,
    size_bytes     BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256         BYTEA NOT NULL CHECK (length(sha256) = 32),
    status         TEXT NOT NULL CHECK (status IN (
                       'check_queued', 'checking', 'invalid', 'valid', 'import_queued',
                       'importing', 'imported', 'already_imported', 'failed', 'discarded')),
    -- Times a job was started for the current step; an interrupted job is retried a few times.
    attempts       INTEGER NOT NULL DEFAULT 0,
    -- How far the running job has read the file, for the progress bar.
    progress_bytes BIGINT NOT NULL DEFAULT 0,
    progress_rows  BIGINT NOT NULL DEFAULT 0,
    row_count      INTEGER,
    merkle_root    BYTEA CHECK (length(merkle_root) = 32),
    problem_count  INTEGER,
    -- {"errors": [{"line", "column", "value", "reason"}…], "total": n}, the first 1000 kept.
    problems       JSONB,
    batch_id       BIGINT REFERENCES import_batches (id) ON DELETE SET NULL,
    message        TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX uploads_party_idx ON uploads (party_id, id DESC);
CREATE INDEX uploads_queue_idx ON uploads (id) WHERE status IN ('check_queued', 'import_queued');
