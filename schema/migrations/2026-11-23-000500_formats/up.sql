-- Operational formats: production (material transformations), waste transfers and receipts,
-- emissions and budgets (docs/formats/<format>.md).
--
-- Provenance rule as everywhere: every imported row carries (batch_id, line), and each row's
-- columns as given (normalised) are what the batch's Merkle root commits to; resolved ids sit
-- beside them for joins. Natural keys are UNIQUE constraints, so a row can be imported once.

-- A production run: one output lot made at a site at a time, from the input lots in
-- production_inputs. One row per (submitter, production_code), created by the first file row
-- that names it; (batch_id, line) are that row's. The EPD factor belongs to the run's output:
-- embodied carbon sums over runs (one per output lot), never over input rows.
CREATE TABLE production_runs (
    id                BIGSERIAL PRIMARY KEY,
    batch_id          BIGINT NOT NULL REFERENCES import_batches (id),
    line              INTEGER NOT NULL CHECK (line > 0),
    submitter         TEXT NOT NULL,
    production_code   TEXT NOT NULL CHECK (production_code <> ''),
    output_lot_code   TEXT NOT NULL,
    output_lot_id     BIGINT NOT NULL UNIQUE REFERENCES lots (id),
    output_gtin       TEXT CHECK (output_gtin ~ '^[0-9]{14}$'),
    output_product    TEXT NOT NULL,
    output_quantity   NUMERIC NOT NULL CHECK (output_quantity > 0),
    output_unit       TEXT NOT NULL,
    site              TEXT NOT NULL,
    site_id           BIGINT NOT NULL REFERENCES sites (id),
    produced_at       TIMESTAMPTZ NOT NULL,
    produced_offset   TEXT NOT NULL CHECK (produced_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    epd_reference     TEXT,
    gwp_factor        NUMERIC,
    declared_unit     TEXT,
    CHECK ((epd_reference IS NULL) = (gwp_factor IS NULL) AND (gwp_factor IS NULL) = (declared_unit IS NULL)),
    UNIQUE (submitter, production_code)
);
CREATE INDEX production_runs_batch_idx ON production_runs (batch_id);

-- One input line of a run: which lot, how much. Natural key (run, input_line), i.e.
-- (submitter, production_code, input_line). input_lot -> run.output_lot is the
-- transformation edge that trace back / forward follow.
CREATE TABLE production_inputs (
    id              BIGSERIAL PRIMARY KEY,
    batch_id        BIGINT NOT NULL REFERENCES import_batches (id),
    line            INTEGER NOT NULL CHECK (line > 0),
    run_id          BIGINT NOT NULL REFERENCES production_runs (id),
    input_line      INTEGER NOT NULL CHECK (input_line > 0),
    input_lot_code  TEXT NOT NULL,
    input_lot_id    BIGINT NOT NULL REFERENCES lots (id),
    input_product   TEXT,
    quantity        NUMERIC NOT NULL CHECK (quantity > 0),
    unit            TEXT NOT NULL,
    UNIQUE (batch_id, line),
    UNIQUE (run_id, input_line)
);
CREATE INDEX production_inputs_lot_idx ON production_inputs (input_lot_id);

-- The lot graph: one edge per input line, from the input lot to the lot made from it.
-- Trace back from lot X: WITH RECURSIVE up AS (SELECT X UNION SELECT e.input_lot_id FROM
-- lot_transformations e JOIN up ON e.output_lot_id = up.lot_id) ...; forward is the mirror.
CREATE VIEW lot_transformations AS
SELECT i.input_lot_id, r.output_lot_id, i.quantity AS input_quantity, i.unit AS input_unit,
       r.output_quantity, r.output_unit, r.id AS run_id, r.submitter, r.production_code,
       r.produced_at, r.site_id, i.batch_id, i.line
  FROM production_inputs i JOIN production_runs r ON r.id = i.run_id;

-- The EPCIS TransformationEvent each run stands for, one row per lot it names: its inputs
-- (role 'input', provenance the input row) and its output (role 'output', provenance the
-- run's first row). transformation_id is the submitter's production code.
CREATE VIEW production_events AS
SELECT 'TransformationEvent'::text AS event_type, NULL::text AS action, 'commissioning'::text AS biz_step,
       'active'::text AS disposition, r.produced_at AS event_time, r.produced_offset AS event_tz_offset,
       r.site_id AS biz_location_id, r.production_code AS transformation_id, r.submitter, r.id AS run_id,
       'input'::text AS role, i.input_lot_id AS lot_id, i.quantity, i.unit, i.batch_id, i.line
  FROM production_inputs i JOIN production_runs r ON r.id = i.run_id
UNION ALL
SELECT 'TransformationEvent', NULL, 'commissioning', 'active', r.produced_at, r.produced_offset,
       r.site_id, r.production_code, r.submitter, r.id,
       'output', r.output_lot_id, r.output_quantity, r.output_unit, r.batch_id, r.line
  FROM production_runs r;

-- The lot timeline, as in 2026-11-23-000400_importers, with the transformations added.
DROP VIEW lot_events;
CREATE VIEW lot_events AS
SELECT el.lot_id, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.event_tz_offset,
       e.biz_location_id, el.role, el.quantity, el.unit, e.batch_id, e.line,
       e.chain_id, e.block_number, e.tx_hash, e.log_index
  FROM supply_events e JOIN supply_event_lots el ON el.event_id = e.id
UNION ALL
SELECT s.lot_id, s.event_type, s.action, s.biz_step, s.disposition, s.event_time, s.event_tz_offset,
       s.biz_location_id, 'object', s.quantity, s.unit, s.batch_id, s.line,
       NULL::bigint, NULL::bigint, NULL::bytea, NULL::integer
  FROM shipment_events s
UNION ALL
SELECT p.lot_id, p.event_type, p.action, p.biz_step, p.disposition, p.event_time, p.event_tz_offset,
       p.biz_location_id, p.role, p.quantity, p.unit, p.batch_id, p.line,
       NULL::bigint, NULL::bigint, NULL::bytea, NULL::integer
  FROM production_events p;

-- A waste consignment leaving its producer (transfer note). consignment_id is unique
-- city-wide: receipts name it. ewc_code is the European List of Waste code without spaces,
-- hazardous its asterisk. previous_consignment_id: for an onward movement from an interim
-- facility, the consignment the waste arrived under (the custody chain).
CREATE TABLE waste_transfers (
    id                       BIGSERIAL PRIMARY KEY,
    batch_id                 BIGINT NOT NULL REFERENCES import_batches (id),
    line                     INTEGER NOT NULL CHECK (line > 0),
    submitter                TEXT NOT NULL,
    consignment_id           TEXT NOT NULL UNIQUE CHECK (consignment_id <> ''),
    ewc_code                 CHAR(6) NOT NULL CHECK (ewc_code ~ '^(0[1-9]|1[0-9]|20)(0[1-9]|[1-9][0-9])(0[1-9]|[1-9][0-9])$'),
    hazardous                BOOLEAN NOT NULL,
    description              TEXT,
    mass_kg                  NUMERIC NOT NULL CHECK (mass_kg > 0),
    mass_basis               TEXT NOT NULL CHECK (mass_basis IN ('REAL', 'ESTIMATED')),
    producer                 TEXT NOT NULL,
    producer_id              BIGINT NOT NULL REFERENCES parties (id),
    from_site                TEXT NOT NULL,
    from_site_id             BIGINT NOT NULL REFERENCES sites (id),
    carrier                  TEXT NOT NULL,
    carrier_id               BIGINT NOT NULL REFERENCES parties (id),
    carrier_licence          TEXT NOT NULL CHECK (carrier_licence <> ''),
    to_site                  TEXT NOT NULL,
    to_site_id               BIGINT NOT NULL REFERENCES sites (id),
    transferred_at           TIMESTAMPTZ NOT NULL,
    transferred_offset       TEXT NOT NULL CHECK (transferred_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    planned_operation        TEXT NOT NULL CHECK (planned_operation ~ '^(R([1-9]|1[0-3])|D([1-9]|1[0-5]))$'),
    previous_consignment_id  TEXT REFERENCES waste_transfers (consignment_id),
    CHECK (from_site_id <> to_site_id),
    UNIQUE (batch_id, line)
);
CREATE INDEX waste_transfers_to_site_idx ON waste_transfers (to_site_id, transferred_at);
CREATE INDEX waste_transfers_from_site_idx ON waste_transfers (from_site_id, transferred_at);
CREATE INDEX waste_transfers_previous_idx ON waste_transfers (previous_consignment_id)
    WHERE previous_consignment_id IS NOT NULL;

-- The receiving facility's record of a consignment: one per consignment. Accepted: the mass
-- received and the R/D operation performed. Refused: the reason (the mass, if weighed).
CREATE TABLE waste_receipts (
    id                BIGSERIAL PRIMARY KEY,
    batch_id          BIGINT NOT NULL REFERENCES import_batches (id),
    line              INTEGER NOT NULL CHECK (line > 0),
    submitter         TEXT NOT NULL,
    consignment_id    TEXT NOT NULL UNIQUE REFERENCES waste_transfers (consignment_id),
    transfer_id       BIGINT NOT NULL UNIQUE REFERENCES waste_transfers (id),
    status            TEXT NOT NULL CHECK (status IN ('accepted', 'refused')),
    mass_received_kg  NUMERIC CHECK (mass_received_kg > 0),
    operation         TEXT CHECK (operation ~ '^(R([1-9]|1[0-3])|D([1-9]|1[0-5]))$'),
    refusal_reason    TEXT,
    received_at       TIMESTAMPTZ NOT NULL,
    received_offset   TEXT NOT NULL CHECK (received_offset ~ '^[+-][0-9]{2}:[0-9]{2}$'),
    CHECK ((status = 'accepted' AND mass_received_kg IS NOT NULL AND operation IS NOT NULL AND refusal_reason IS NULL)
        OR (status = 'refused' AND operation IS NULL AND refusal_reason IS NOT NULL)),
    UNIQUE (batch_id, line)
);

-- Greenhouse-gas emissions a party reports, in kg CO2e, for a period (inclusive dates).
-- category: scope 1 an optional source type; scope 2 the accounting method (location_based /
-- market_based); scope 3 the GHG Protocol category number '1'..'15'.
CREATE TABLE emission_reports (
    id               BIGSERIAL PRIMARY KEY,
    batch_id         BIGINT NOT NULL REFERENCES import_batches (id),
    line             INTEGER NOT NULL CHECK (line > 0),
    submitter        TEXT NOT NULL,
    party            TEXT NOT NULL,
    party_id         BIGINT NOT NULL REFERENCES parties (id),
    scope            SMALLINT NOT NULL CHECK (scope BETWEEN 1 AND 3),
    category         TEXT,
    activity         TEXT,
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    kg_co2e          NUMERIC NOT NULL CHECK (kg_co2e >= 0),
    method           TEXT NOT NULL CHECK (method <> ''),
    source_document  TEXT NOT NULL CHECK (source_document <> ''),
    CHECK (period_end >= period_start),
    CHECK ((scope = 1 AND (category IS NULL OR category IN ('stationary_combustion', 'mobile_combustion', 'process', 'fugitive')))
        OR (scope = 2 AND category IN ('location_based', 'market_based'))
        OR (scope = 3 AND category ~ '^([1-9]|1[0-5])$')),
    UNIQUE (batch_id, line),
    UNIQUE NULLS NOT DISTINCT (submitter, party, scope, category, activity, period_start, period_end)
);
CREATE INDEX emission_reports_party_idx ON emission_reports (party_id, period_start);

-- Budget lines, Fiscal Data Package style: one amount per (line, fiscal year, phase).
-- cofog is a COFOG division ('05') or group ('05.1').
CREATE TABLE budget_lines (
    id              BIGSERIAL PRIMARY KEY,
    batch_id        BIGINT NOT NULL REFERENCES import_batches (id),
    line            INTEGER NOT NULL CHECK (line > 0),
    submitter       TEXT NOT NULL,
    fiscal_year     INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1900 AND 2200),
    budget_line_id  TEXT NOT NULL CHECK (budget_line_id <> ''),
    phase           TEXT NOT NULL CHECK (phase IN ('proposed', 'approved', 'adjusted', 'executed')),
    direction       TEXT NOT NULL CHECK (direction IN ('expenditure', 'revenue')),
    department      TEXT NOT NULL,
    department_id   BIGINT NOT NULL REFERENCES parties (id),
    program         TEXT,
    cofog           TEXT NOT NULL CHECK (cofog ~ '^(0[1-9]|10)(\.[1-9])?$'),
    economic_class  TEXT,
    description     TEXT,
    amount          NUMERIC NOT NULL,
    currency        CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    UNIQUE (batch_id, line),
    UNIQUE (submitter, fiscal_year, budget_line_id, phase)
);
CREATE INDEX budget_lines_classification_idx ON budget_lines (fiscal_year, department_id, cofog);
