-- Data-quality notes: the harmless deviations from a standard that an import tolerated
-- (docs/formats/ocds.md, "Tolerated deviations") instead of refusing the file. One row per
-- deviation: the batch and the row's line, where in the row (a JSON path such as
-- `releases[3].awards[0].date`), what kind of deviation, and the value as published (JSON
-- text, cut at 200 characters). The row itself is stored as citytrace read it; the notes
-- say how that differs from what was published.
CREATE TABLE data_quality_notes (
    id        BIGSERIAL PRIMARY KEY,
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id),
    line      INTEGER NOT NULL CHECK (line > 0),
    path      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN (
                  'empty_string', 'object_as_list', 'string_as_list', 'number_as_text',
                  'currency_case')),
    original  TEXT NOT NULL
);
CREATE INDEX data_quality_notes_batch_line_idx ON data_quality_notes (batch_id, line);

-- An OCDS import rebuilds the state of every contracting process its file touches, ocid by
-- ocid, after the file's releases are written: it walks the batch's ocids in order, a page at
-- a time (importers/src/ocds/store.rs), which this index serves.
CREATE INDEX ocds_releases_batch_ocid_idx ON ocds_releases (batch_id, ocid);
