-- citytrace foundation schema.
--
-- Provenance rule: every imported row carries (batch_id, line) — the import batch and the
-- 1-based physical line of the source file it came from; every indexed row carries
-- (chain_id, block_number, block_hash, tx_hash, log_index) and its finality. Hashes and
-- addresses are stored as raw bytes (bytea) and shown as 0x-hex.

-- Who: departments, suppliers, carriers, recyclers, labs.
CREATE TABLE parties (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code <> ''),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'supplier'
                CHECK (kind IN ('department', 'supplier', 'carrier', 'recycler', 'lab', 'other')),
    gln         TEXT UNIQUE CHECK (gln ~ '^[0-9]{13}$'),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Where: quarries, plants, warehouses, construction sites, transfer stations, facilities.
CREATE TABLE sites (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code <> ''),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'other'
                CHECK (kind IN ('quarry', 'plant', 'mill', 'warehouse', 'construction_site',
                                'transfer_station', 'treatment_facility', 'office', 'other')),
    gln         TEXT CHECK (gln ~ '^[0-9]{13}$'),
    party_id    BIGINT REFERENCES parties (id),
    latitude    DOUBLE PRECISION,
    longitude   DOUBLE PRECISION,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What kind of thing: GTIN when known, else a product code.
CREATE TABLE products (
    id              BIGSERIAL PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (code <> ''),
    gtin            TEXT UNIQUE CHECK (gtin ~ '^[0-9]{14}$'),
    name            TEXT NOT NULL,
    material_class  TEXT,
    unit            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Which physical thing: a lot/batch (LGTIN), a serialised item (SGTIN) or the supplier's own id.
CREATE TABLE lots (
    id              BIGSERIAL PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (code <> ''),
    product_id      BIGINT NOT NULL REFERENCES products (id),
    supplier_id     BIGINT REFERENCES parties (id),
    origin_site_id  BIGINT REFERENCES sites (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lots_product_idx ON lots (product_id);

-- One imported file. (submitter, sha256) is unique: the same file from the same submitter is
-- a no-op that names this batch. merkle_root is over the canonical encodings of its rows
-- (docs/verification.md).
CREATE TABLE import_batches (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    sha256       BYTEA NOT NULL CHECK (length(sha256) = 32),
    submitter    TEXT NOT NULL,
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    merkle_root  BYTEA NOT NULL CHECK (length(merkle_root) = 32),
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (submitter, sha256)
);

-- Shipment lines as suppliers hand them over (docs/formats/shipments.md): every column as
-- given (normalised), which is what the batch's Merkle root commits to, plus the resolved
-- lot and site ids for joins. Natural key: (submitter, shipment_code, line_no).
--
-- A bulk table (millions of rows): no surrogate id, and no foreign keys — a foreign key is a
-- trigger that runs per row and would cost more than everything else the import does. Its
-- integrity holds by construction instead: the importer is its only writer, and registers the
-- batch, lots and sites it names in the same transaction before the COPY
-- (docs/architecture.md, "Bulk tables").
CREATE TABLE shipment_lines (
    batch_id       BIGINT NOT NULL,
    line           INTEGER NOT NULL CHECK (line > 0),
    submitter      TEXT NOT NULL,
    shipment_code  TEXT NOT NULL,
    line_no        INTEGER NOT NULL CHECK (line_no > 0),
    lot_code       TEXT NOT NULL,
    lot_id         BIGINT NOT NULL,
    gtin           TEXT CHECK (gtin ~ '^[0-9]{14}$'),
    product_name   TEXT NOT NULL,
    quantity       NUMERIC NOT NULL CHECK (quantity > 0),
    unit           TEXT NOT NULL,
    from_site      TEXT NOT NULL,
    from_site_id   BIGINT NOT NULL,
    to_site        TEXT NOT NULL,
    to_site_id     BIGINT NOT NULL,
    shipped_at     TIMESTAMPTZ NOT NULL,
    received_at    TIMESTAMPTZ CHECK (received_at >= shipped_at),
    PRIMARY KEY (batch_id, line),
    UNIQUE (submitter, shipment_code, line_no)
);
CREATE INDEX shipment_lines_lot_idx ON shipment_lines (lot_id);

-- Supply-chain events in EPCIS 2.0 terms (what, when, where, why). An event is either
-- imported (batch_id, line) or indexed from a ledger (chain_id ... log_index), never both.
CREATE TABLE supply_events (
    id                   BIGSERIAL PRIMARY KEY,
    event_type           TEXT NOT NULL CHECK (event_type IN ('ObjectEvent', 'AggregationEvent',
                             'TransactionEvent', 'TransformationEvent', 'AssociationEvent')),
    action               TEXT CHECK (action IN ('ADD', 'OBSERVE', 'DELETE')),
    biz_step             TEXT,
    disposition          TEXT,
    event_time           TIMESTAMPTZ NOT NULL,
    event_tz_offset      TEXT NOT NULL CHECK (event_tz_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    biz_location_id      BIGINT REFERENCES sites (id),
    source_site_id       BIGINT REFERENCES sites (id),
    destination_site_id  BIGINT REFERENCES sites (id),
    shipment_code        TEXT,
    batch_id             BIGINT REFERENCES import_batches (id),
    line                 INTEGER,
    chain_id             BIGINT,
    block_number         BIGINT,
    block_hash           BYTEA,
    tx_hash              BYTEA,
    log_index            INTEGER,
    CHECK ((batch_id IS NOT NULL AND line IS NOT NULL AND chain_id IS NULL)
        OR (batch_id IS NULL AND line IS NULL AND chain_id IS NOT NULL AND block_number IS NOT NULL
            AND block_hash IS NOT NULL AND tx_hash IS NOT NULL AND log_index IS NOT NULL))
);
CREATE INDEX supply_events_batch_idx ON supply_events (batch_id, line);
CREATE UNIQUE INDEX supply_events_log_key ON supply_events (chain_id, block_hash, log_index)
    WHERE chain_id IS NOT NULL;

-- Which lots an event names, and in what role.
CREATE TABLE supply_event_lots (
    event_id  BIGINT NOT NULL REFERENCES supply_events (id) ON DELETE CASCADE,
    lot_id    BIGINT NOT NULL REFERENCES lots (id),
    role      TEXT NOT NULL CHECK (role IN ('object', 'input', 'output', 'parent', 'child')),
    quantity  NUMERIC,
    unit      TEXT,
    PRIMARY KEY (event_id, lot_id, role)
);
CREATE INDEX supply_event_lots_lot_idx ON supply_event_lots (lot_id);

-- Chains the indexer follows: the city ledger (kind 'ledger') and public EVM chains.
CREATE TABLE chains (
    chain_id          BIGINT PRIMARY KEY,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('ledger', 'public')),
    head_number       BIGINT,
    head_seen_at      TIMESTAMPTZ,
    finalized_number  BIGINT
);

-- Contracts the indexer decodes, by chain.
CREATE TABLE contracts (
    chain_id     BIGINT NOT NULL REFERENCES chains (chain_id),
    address      BYTEA NOT NULL CHECK (length(address) = 20),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    start_block  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (chain_id, address)
);

-- Recent canonical blocks (the reorg window): the parent-hash chain the indexer trusts.
CREATE TABLE blocks (
    chain_id     BIGINT NOT NULL REFERENCES chains (chain_id),
    number       BIGINT NOT NULL,
    hash         BYTEA NOT NULL CHECK (length(hash) = 32),
    parent_hash  BYTEA NOT NULL CHECK (length(parent_hash) = 32),
    timestamp    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chain_id, number)
);

-- Progress per chain and stream: the last block fully written, as a (number, hash) pointer.
CREATE TABLE checkpoints (
    chain_id      BIGINT NOT NULL REFERENCES chains (chain_id),
    stream        TEXT NOT NULL,
    block_number  BIGINT NOT NULL,
    block_hash    BYTEA NOT NULL CHECK (length(block_hash) = 32),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, stream)
);

-- BatchAnchored events seen on the ledger. A batch is anchored when a row here carries its
-- id and its Merkle root; it is final when that row's block is final.
CREATE TABLE batch_anchors (
    id            BIGSERIAL PRIMARY KEY,
    chain_id      BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number  BIGINT NOT NULL,
    block_hash    BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time    TIMESTAMPTZ NOT NULL,
    tx_hash       BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index     INTEGER NOT NULL,
    contract      BYTEA NOT NULL CHECK (length(contract) = 20),
    finality      TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    batch_id      BIGINT NOT NULL,
    merkle_root   BYTEA NOT NULL CHECK (length(merkle_root) = 32),
    row_count     INTEGER NOT NULL,
    uri           TEXT NOT NULL,
    UNIQUE (chain_id, block_hash, log_index)
);
CREATE INDEX batch_anchors_batch_idx ON batch_anchors (batch_id, merkle_root);

-- The anchoring queue: every batch without a matching batch_anchors row is waiting to be
-- anchored; this table remembers what the anchorer already sent for it.
CREATE TABLE anchor_submissions (
    batch_id      BIGINT PRIMARY KEY REFERENCES import_batches (id),
    chain_id      BIGINT NOT NULL,
    tx_hash       BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    nonce         BIGINT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 1,
    submitted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error    TEXT
);
