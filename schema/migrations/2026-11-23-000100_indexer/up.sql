-- Indexer: decoded ledger events, carbon credits, the city treasury, reorg history.
--
-- Every table here has the indexed-row provenance (chain_id, block_number, block_hash,
-- block_time, tx_hash, log_index), a finality state (pending / safe / final) advanced as the
-- chain moves, the natural key (chain_id, block_hash, log_index) that makes replays no-ops, and
-- an index on (chain_id, block_number) for reorg deletes and range rewrites. The high-volume
-- tables (ledger_events, token_transfers) have the natural key as their primary key and no
-- surrogate id: one index fewer to maintain per row.

ALTER TABLE chains
    ADD COLUMN safe_number BIGINT,
    ADD COLUMN stalled_since TIMESTAMPTZ,
    ADD COLUMN stall_reason TEXT;

ALTER TABLE supply_events
    ADD COLUMN finality TEXT CHECK (finality IN ('pending', 'safe', 'final'));
CREATE INDEX supply_events_chain_block_idx ON supply_events (chain_id, block_number) WHERE chain_id IS NOT NULL;
CREATE INDEX batch_anchors_chain_block_idx ON batch_anchors (chain_id, block_number);

-- Every decoded event of every configured contract (built-in decoders and configured ABIs):
-- the explorer's raw ledger view. params: the event's named parameters as JSON (addresses and
-- bytes as 0x-hex, integers as decimal strings).
CREATE TABLE ledger_events (
    chain_id      BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number  BIGINT NOT NULL,
    block_hash    BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time    TIMESTAMPTZ NOT NULL,
    tx_hash       BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index     INTEGER NOT NULL,
    contract      BYTEA NOT NULL CHECK (length(contract) = 20),
    event_name    TEXT NOT NULL,
    signature     TEXT NOT NULL,
    params        JSONB NOT NULL,
    finality      TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    PRIMARY KEY (chain_id, block_hash, log_index)
);
CREATE INDEX ledger_events_chain_block_idx ON ledger_events (chain_id, block_number);
CREATE INDEX ledger_events_contract_idx ON ledger_events (contract, block_number);

-- ERC-20 Transfer events of configured tokens (raw amounts; the token's decimals apply).
CREATE TABLE token_transfers (
    chain_id      BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number  BIGINT NOT NULL,
    block_hash    BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time    TIMESTAMPTZ NOT NULL,
    tx_hash       BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index     INTEGER NOT NULL,
    token         BYTEA NOT NULL CHECK (length(token) = 20),
    from_address  BYTEA NOT NULL CHECK (length(from_address) = 20),
    to_address    BYTEA NOT NULL CHECK (length(to_address) = 20),
    amount        NUMERIC(78, 0) NOT NULL,
    finality      TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    PRIMARY KEY (chain_id, block_hash, log_index)
);
CREATE INDEX token_transfers_chain_block_idx ON token_transfers (chain_id, block_number);
-- No (token, block_number) index: it cost about a tenth of backfill throughput
-- (docs/benchmarks.md); add one with the first page that lists transfers by token.

-- Carbon credits retired on chain: Toucan TCO2 Retired (current and 2021 signatures) and
-- KlimaDAO CarbonRetired. tonnes = amount / 10^18 (TCO2 and the pool tokens have 18 decimals).
CREATE TABLE carbon_retirements (
    id               BIGSERIAL PRIMARY KEY,
    chain_id         BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number     BIGINT NOT NULL,
    block_hash       BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time       TIMESTAMPTZ NOT NULL,
    tx_hash          BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index        INTEGER NOT NULL,
    contract         BYTEA NOT NULL CHECK (length(contract) = 20),
    source           TEXT NOT NULL CHECK (source IN ('toucan_tco2', 'toucan_tco2_2021', 'klima')),
    token            BYTEA NOT NULL CHECK (length(token) = 20),
    retiring_address BYTEA NOT NULL CHECK (length(retiring_address) = 20),
    beneficiary      BYTEA NOT NULL CHECK (length(beneficiary) = 20),
    beneficiary_name TEXT,
    retiring_entity  TEXT,
    message          TEXT,
    amount           NUMERIC(78, 0) NOT NULL,
    tonnes           NUMERIC NOT NULL,
    finality         TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    UNIQUE (chain_id, block_hash, log_index)
);
CREATE INDEX carbon_retirements_chain_block_idx ON carbon_retirements (chain_id, block_number);

-- CityTreasury: budget allocations and payments recorded on the city ledger. Amounts in minor
-- units of the currency (cents).
CREATE TABLE treasury_allocations (
    id             BIGSERIAL PRIMARY KEY,
    chain_id       BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number   BIGINT NOT NULL,
    block_hash     BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time     TIMESTAMPTZ NOT NULL,
    tx_hash        BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index      INTEGER NOT NULL,
    contract       BYTEA NOT NULL CHECK (length(contract) = 20),
    allocation_id  BYTEA NOT NULL CHECK (length(allocation_id) = 32),
    fiscal_year    INTEGER NOT NULL,
    department     TEXT NOT NULL,
    program        TEXT NOT NULL,
    cofog          TEXT NOT NULL,
    amount_minor   NUMERIC(78, 0) NOT NULL,
    currency       TEXT NOT NULL,
    finality       TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    UNIQUE (chain_id, block_hash, log_index)
);
CREATE INDEX treasury_allocations_chain_block_idx ON treasury_allocations (chain_id, block_number);

CREATE TABLE treasury_payments (
    id             BIGSERIAL PRIMARY KEY,
    chain_id       BIGINT NOT NULL REFERENCES chains (chain_id),
    block_number   BIGINT NOT NULL,
    block_hash     BYTEA NOT NULL CHECK (length(block_hash) = 32),
    block_time     TIMESTAMPTZ NOT NULL,
    tx_hash        BYTEA NOT NULL CHECK (length(tx_hash) = 32),
    log_index      INTEGER NOT NULL,
    contract       BYTEA NOT NULL CHECK (length(contract) = 20),
    payment_id     BYTEA NOT NULL CHECK (length(payment_id) = 32),
    payee          BYTEA NOT NULL CHECK (length(payee) = 20),
    payee_name     TEXT NOT NULL,
    department     TEXT NOT NULL,
    amount_minor   NUMERIC(78, 0) NOT NULL,
    currency       TEXT NOT NULL,
    contract_ref   TEXT NOT NULL,
    finality       TEXT NOT NULL CHECK (finality IN ('pending', 'safe', 'final')),
    UNIQUE (chain_id, block_hash, log_index)
);
CREATE INDEX treasury_payments_chain_block_idx ON treasury_payments (chain_id, block_number);

-- Reorganisations the indexer saw and undid.
CREATE TABLE reorgs (
    id               BIGSERIAL PRIMARY KEY,
    chain_id         BIGINT NOT NULL REFERENCES chains (chain_id),
    detected_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    depth            BIGINT NOT NULL,
    ancestor_number  BIGINT NOT NULL,
    ancestor_hash    BYTEA,
    old_number       BIGINT NOT NULL,
    old_hash         BYTEA NOT NULL,
    new_hash         BYTEA
);
CREATE INDEX reorgs_chain_idx ON reorgs (chain_id, detected_at);
