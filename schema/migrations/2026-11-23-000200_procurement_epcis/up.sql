-- Procurement (OCDS 1.1) and EPCIS 2.0 capture documents, as imported by
-- `citytrace import ocds|epcis` (docs/formats/ocds.md, docs/formats/epcis.md).
--
-- Provenance rule as everywhere: every imported row carries (batch_id, line). For these JSON
-- formats "line" is the 1-based position of the release, record or event within its file.

-- OCDS releases and records as received: one row per release of a release package (or a bare
-- release) and per record of a record package (or a bare record). `data` is the release — or
-- the record's compiled release — reduced to what citytrace keeps and normalised (amounts as
-- decimal strings, dates in UTC); the batch's Merkle leaf for the row is computed from it.
-- A release is identified by (kind, ocid, release_id). Imported again, from any file, it is
-- stored again as that file's row, and the process state uses its latest import (the same
-- content again changes nothing; a publisher's correction replaces the earlier version).
CREATE TABLE ocds_releases (
    id            BIGSERIAL PRIMARY KEY,
    batch_id      BIGINT NOT NULL REFERENCES import_batches (id),
    line          INTEGER NOT NULL CHECK (line > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('release', 'record')),
    ocid          TEXT NOT NULL CHECK (ocid <> ''),
    release_id    TEXT NOT NULL CHECK (release_id <> ''),
    release_date  TIMESTAMPTZ NOT NULL,
    tags          TEXT[] NOT NULL,
    data          JSONB NOT NULL,
    UNIQUE (batch_id, line)
);
CREATE INDEX ocds_releases_identity_idx ON ocds_releases (ocid, kind, release_id);

-- The state of each contracting process: every stored release of its ocid merged by the OCDS
-- rules (sorted by date, latest value wins, arrays of objects merged by id, null deletes).
-- Rebuilt for an ocid whenever one of its releases is imported; (batch_id, line) name the
-- release that last touched the row.
CREATE TABLE procurement_processes (
    ocid                        TEXT PRIMARY KEY CHECK (ocid <> ''),
    tender_id                   TEXT,
    title                       TEXT,
    buyer_id                    BIGINT REFERENCES parties (id),
    procuring_entity_id         BIGINT REFERENCES parties (id),
    procurement_method          TEXT,
    procurement_method_details  TEXT,
    main_procurement_category   TEXT,
    tender_status               TEXT,
    tender_value                NUMERIC,
    tender_currency             TEXT,
    tender_period_start         TIMESTAMPTZ,
    tender_period_end           TIMESTAMPTZ,
    number_of_tenderers         INTEGER CHECK (number_of_tenderers >= 0),
    budget_amount               NUMERIC,
    budget_currency             TEXT,
    release_count               INTEGER NOT NULL CHECK (release_count > 0),
    last_release_date           TIMESTAMPTZ NOT NULL,
    batch_id                    BIGINT NOT NULL REFERENCES import_batches (id),
    line                        INTEGER NOT NULL CHECK (line > 0)
);
CREATE INDEX procurement_processes_buyer_idx ON procurement_processes (buyer_id);

-- The organisations a process names, with their roles in it (buyer, procuringEntity, supplier,
-- tenderer, payer, payee, ...), linked to `parties` by the code rule of docs/formats/ocds.md.
-- Contact points (names of people, e-mails, telephones) are never stored.
CREATE TABLE procurement_parties (
    ocid      TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    party_id  BIGINT NOT NULL REFERENCES parties (id),
    ocds_id   TEXT,
    name      TEXT NOT NULL,
    roles     TEXT[] NOT NULL,
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id),
    line      INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, party_id)
);
CREATE INDEX procurement_parties_party_idx ON procurement_parties (party_id);

CREATE TABLE procurement_awards (
    ocid        TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    award_id    TEXT NOT NULL,
    title       TEXT,
    status      TEXT,
    award_date  TIMESTAMPTZ,
    value       NUMERIC,
    currency    TEXT,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    line        INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, award_id)
);

CREATE TABLE procurement_award_suppliers (
    ocid      TEXT NOT NULL,
    award_id  TEXT NOT NULL,
    party_id  BIGINT NOT NULL REFERENCES parties (id),
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id),
    line      INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, award_id, party_id),
    FOREIGN KEY (ocid, award_id) REFERENCES procurement_awards (ocid, award_id) ON DELETE CASCADE
);
CREATE INDEX procurement_award_suppliers_party_idx ON procurement_award_suppliers (party_id);

CREATE TABLE procurement_contracts (
    ocid          TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    contract_id   TEXT NOT NULL,
    award_id      TEXT,
    title         TEXT,
    status        TEXT,
    value         NUMERIC,
    currency      TEXT,
    date_signed   TIMESTAMPTZ,
    period_start  TIMESTAMPTZ,
    period_end    TIMESTAMPTZ,
    batch_id      BIGINT NOT NULL REFERENCES import_batches (id),
    line          INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, contract_id)
);

-- Amendments of the tender (scope_id ''), of an award or of a contract, in their order in the
-- merged process. value_before / value_after are filled only where the data says: a `changes`
-- entry for `value`, or the amended object's value in the releases named by amendsReleaseID /
-- releaseID when those releases are stored.
CREATE TABLE procurement_amendments (
    ocid               TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    scope              TEXT NOT NULL CHECK (scope IN ('tender', 'award', 'contract')),
    scope_id           TEXT NOT NULL,
    position           INTEGER NOT NULL CHECK (position > 0),
    amendment_id       TEXT,
    amendment_date     TIMESTAMPTZ,
    description        TEXT,
    amends_release_id  TEXT,
    release_id         TEXT,
    value_before       NUMERIC,
    value_after        NUMERIC,
    currency           TEXT,
    batch_id           BIGINT NOT NULL REFERENCES import_batches (id),
    line               INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, scope, scope_id, position)
);

-- Implementation transactions: the payments made under a contract.
CREATE TABLE procurement_transactions (
    ocid              TEXT NOT NULL,
    contract_id       TEXT NOT NULL,
    transaction_id    TEXT NOT NULL,
    transaction_date  TIMESTAMPTZ,
    value             NUMERIC,
    currency          TEXT,
    payer_id          BIGINT REFERENCES parties (id),
    payee_id          BIGINT REFERENCES parties (id),
    source            TEXT,
    batch_id          BIGINT NOT NULL REFERENCES import_batches (id),
    line              INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, contract_id, transaction_id),
    FOREIGN KEY (ocid, contract_id) REFERENCES procurement_contracts (ocid, contract_id) ON DELETE CASCADE
);
CREATE INDEX procurement_transactions_payee_idx ON procurement_transactions (payee_id);

-- Bids (OCDS bid extension, bids.details), where published.
CREATE TABLE procurement_bids (
    ocid      TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    bid_id    TEXT NOT NULL,
    bid_date  TIMESTAMPTZ,
    status    TEXT,
    value     NUMERIC,
    currency  TEXT,
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id),
    line      INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, bid_id)
);

CREATE TABLE procurement_bid_tenderers (
    ocid      TEXT NOT NULL,
    bid_id    TEXT NOT NULL,
    party_id  BIGINT NOT NULL REFERENCES parties (id),
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id),
    line      INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, bid_id, party_id),
    FOREIGN KEY (ocid, bid_id) REFERENCES procurement_bids (ocid, bid_id) ON DELETE CASCADE
);

-- EPCIS events: what supply_events has no column for. One row per imported event, keyed by
-- its supply_events id. event_hash is the CBV 2.0 event hash id; an event is imported once
-- (by hash), and once more as an error declaration of it. Such a declaration marks every event
-- with that hash (or eventID) as declared in error.
CREATE TABLE epcis_events (
    event_id                      BIGINT PRIMARY KEY REFERENCES supply_events (id) ON DELETE CASCADE,
    batch_id                      BIGINT NOT NULL REFERENCES import_batches (id),
    line                          INTEGER NOT NULL CHECK (line > 0),
    event_uri                     TEXT,
    event_hash                    TEXT NOT NULL
                                  CHECK (event_hash ~ '^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$'),
    record_time                   TIMESTAMPTZ,
    read_point                    TEXT,
    read_point_site_id            BIGINT REFERENCES sites (id),
    biz_location                  TEXT,
    transformation_id             TEXT,
    persistent_disposition_set    TEXT[] NOT NULL,
    persistent_disposition_unset  TEXT[] NOT NULL,
    ilmd                          JSONB,
    extensions                    JSONB,
    error_declared_at             TIMESTAMPTZ,
    error_reason                  TEXT,
    corrective_event_ids          TEXT[] NOT NULL,
    UNIQUE (batch_id, line)
);
CREATE UNIQUE INDEX epcis_events_hash_key ON epcis_events (event_hash, (error_declared_at IS NOT NULL));
CREATE INDEX epcis_events_uri_idx ON epcis_events (event_uri) WHERE event_uri IS NOT NULL;

-- The identifiers an event names, by role: epc (epcList / quantityList), parent (parentID),
-- child, input, output; kind instance (an EPC) or class (a quantity element). GS1 keys are
-- stored as canonical GS1 Digital Link URIs; lot_id links SGTINs and LGTINs to `lots`.
CREATE TABLE epcis_epcs (
    event_id  BIGINT NOT NULL REFERENCES supply_events (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('epc', 'parent', 'child', 'input', 'output')),
    kind      TEXT NOT NULL CHECK (kind IN ('instance', 'class')),
    position  INTEGER NOT NULL CHECK (position > 0),
    epc       TEXT NOT NULL CHECK (epc <> ''),
    quantity  NUMERIC,
    uom       TEXT,
    lot_id    BIGINT REFERENCES lots (id),
    PRIMARY KEY (event_id, role, kind, position)
);
CREATE INDEX epcis_epcs_epc_idx ON epcis_epcs (epc);

CREATE TABLE epcis_biz_transactions (
    event_id         BIGINT NOT NULL REFERENCES supply_events (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position > 0),
    type             TEXT,
    biz_transaction  TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX epcis_biz_transactions_value_idx ON epcis_biz_transactions (biz_transaction);

CREATE TABLE epcis_source_destinations (
    event_id   BIGINT NOT NULL REFERENCES supply_events (id) ON DELETE CASCADE,
    direction  TEXT NOT NULL CHECK (direction IN ('source', 'destination')),
    position   INTEGER NOT NULL CHECK (position > 0),
    type       TEXT,
    value      TEXT NOT NULL,
    site_id    BIGINT REFERENCES sites (id),
    PRIMARY KEY (event_id, direction, position)
);

-- One row per sensor report; the sensor element's metadata (time, device, ...) is carried on
-- each of its reports, a report's own value taking precedence.
CREATE TABLE epcis_sensor_reports (
    event_id                     BIGINT NOT NULL REFERENCES supply_events (id) ON DELETE CASCADE,
    element                      INTEGER NOT NULL CHECK (element > 0),
    position                     INTEGER NOT NULL CHECK (position > 0),
    report_type                  TEXT,
    device_id                    TEXT,
    device_metadata              TEXT,
    raw_data                     TEXT,
    data_processing_method       TEXT,
    biz_rules                    TEXT,
    report_time                  TIMESTAMPTZ,
    start_time                   TIMESTAMPTZ,
    end_time                     TIMESTAMPTZ,
    value                        NUMERIC,
    min_value                    NUMERIC,
    max_value                    NUMERIC,
    mean_value                   NUMERIC,
    sdev                         NUMERIC,
    perc_rank                    NUMERIC,
    perc_value                   NUMERIC,
    uom                          TEXT,
    string_value                 TEXT,
    boolean_value                BOOLEAN,
    hex_binary_value             TEXT,
    uri_value                    TEXT,
    exception                    TEXT,
    component                    TEXT,
    chemical_substance           TEXT,
    microorganism                TEXT,
    coordinate_reference_system  TEXT,
    PRIMARY KEY (event_id, element, position)
);
