-- Importers: shipment lines keep the UTC offsets they were written with, and their EPCIS
-- events are a view over them (derived, not stored twice).

ALTER TABLE shipment_lines
    ADD COLUMN shipped_offset TEXT NOT NULL DEFAULT '+00:00' CHECK (shipped_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    ADD COLUMN received_offset TEXT CHECK (received_offset ~ '^[+-][0-9]{2}:[0-9]{2}$');
ALTER TABLE shipment_lines ALTER COLUMN shipped_offset DROP DEFAULT;

-- What else a supplier says about a delivery: carrier, the buyer's purchase order, the public
-- contract (OCDS ocid: links deliveries to spending) and certificate/test-report references.
ALTER TABLE shipment_lines
    ADD COLUMN carrier TEXT,
    ADD COLUMN purchase_order TEXT,
    ADD COLUMN contract_ocid TEXT CHECK (contract_ocid ~ '^ocds-[a-z0-9]{6}-.+$'),
    ADD COLUMN certificates TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX shipment_lines_contract_idx ON shipment_lines (contract_ocid) WHERE contract_ocid IS NOT NULL;

-- The ObjectEvents a shipment line stands for: shipping at the origin, and receiving at the
-- destination once received.
CREATE VIEW shipment_events AS
SELECT 'ObjectEvent'::text AS event_type, 'OBSERVE'::text AS action, 'shipping'::text AS biz_step,
       'in_transit'::text AS disposition, l.shipped_at AS event_time, l.shipped_offset AS event_tz_offset,
       l.from_site_id AS biz_location_id, l.from_site_id AS source_site_id, l.to_site_id AS destination_site_id,
       l.shipment_code, l.batch_id, l.line, l.lot_id, l.quantity, l.unit
  FROM shipment_lines l
UNION ALL
SELECT 'ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', l.received_at, l.received_offset,
       l.to_site_id, l.from_site_id, l.to_site_id, l.shipment_code, l.batch_id, l.line, l.lot_id, l.quantity, l.unit
  FROM shipment_lines l
 WHERE l.received_at IS NOT NULL;

-- Every event naming a lot, stored or derived, with its provenance: the lot timeline.
CREATE VIEW lot_events AS
SELECT el.lot_id, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.event_tz_offset,
       e.biz_location_id, el.role, el.quantity, el.unit, e.batch_id, e.line,
       e.chain_id, e.block_number, e.tx_hash, e.log_index
  FROM supply_events e JOIN supply_event_lots el ON el.event_id = e.id
UNION ALL
SELECT s.lot_id, s.event_type, s.action, s.biz_step, s.disposition, s.event_time, s.event_tz_offset,
       s.biz_location_id, 'object', s.quantity, s.unit, s.batch_id, s.line,
       NULL::bigint, NULL::bigint, NULL::bytea, NULL::integer
  FROM shipment_events s;

-- Product master data (the `products` format): each imported row is kept as a version (what
-- the batch's Merkle root commits to); the products table holds the latest values.
ALTER TABLE products
    ADD COLUMN epd_ref TEXT,
    ADD COLUMN gwp_per_unit NUMERIC CHECK (gwp_per_unit >= 0),
    ADD COLUMN min_temp_c NUMERIC(5, 2),
    ADD COLUMN max_temp_c NUMERIC(5, 2),
    ADD COLUMN max_excursion_minutes INTEGER CHECK (max_excursion_minutes >= 0),
    ADD COLUMN max_single_excursion_minutes INTEGER CHECK (max_single_excursion_minutes >= 0),
    ADD COLUMN logging_interval_minutes INTEGER CHECK (logging_interval_minutes > 0),
    ADD COLUMN version_batch_id BIGINT REFERENCES import_batches (id),
    ADD COLUMN version_line INTEGER,
    ADD CONSTRAINT products_temperature_range CHECK (min_temp_c IS NULL OR max_temp_c IS NULL OR min_temp_c <= max_temp_c);

CREATE TABLE product_versions (
    batch_id                      BIGINT NOT NULL REFERENCES import_batches (id),
    line                          INTEGER NOT NULL CHECK (line > 0),
    submitter                     TEXT NOT NULL,
    code                          TEXT NOT NULL,
    gtin                          TEXT CHECK (gtin ~ '^[0-9]{14}$'),
    name                          TEXT NOT NULL,
    material_class                TEXT,
    unit                          TEXT NOT NULL,
    epd_ref                       TEXT,
    gwp_per_unit                  NUMERIC,
    min_temp_c                    NUMERIC(5, 2),
    max_temp_c                    NUMERIC(5, 2),
    max_excursion_minutes         INTEGER,
    max_single_excursion_minutes  INTEGER,
    logging_interval_minutes      INTEGER,
    PRIMARY KEY (batch_id, line),
    UNIQUE (batch_id, code)
);

-- Cold-chain sensor readings: high volume. The natural key is (submitter, device, time); no
-- surrogate id, and no foreign keys (a bulk table, like shipment_lines: the importer registers
-- the batch and lots in the same transaction before the COPY).
CREATE TABLE sensor_readings (
    batch_id        BIGINT NOT NULL,
    line            INTEGER NOT NULL CHECK (line > 0),
    submitter       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    shipment_code   TEXT,
    lot_id          BIGINT,
    recorded_at     TIMESTAMPTZ NOT NULL,
    recorded_offset TEXT NOT NULL CHECK (recorded_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    temperature_c   NUMERIC(5, 2) NOT NULL,
    humidity_pct    NUMERIC(4, 1) CHECK (humidity_pct BETWEEN 0 AND 100),
    PRIMARY KEY (batch_id, line),
    UNIQUE (submitter, device_id, recorded_at),
    CHECK (shipment_code IS NOT NULL OR lot_id IS NOT NULL)
);
CREATE INDEX sensor_readings_shipment_idx ON sensor_readings (shipment_code, recorded_at) WHERE shipment_code IS NOT NULL;
CREATE INDEX sensor_readings_lot_idx ON sensor_readings (lot_id, recorded_at) WHERE lot_id IS NOT NULL;
