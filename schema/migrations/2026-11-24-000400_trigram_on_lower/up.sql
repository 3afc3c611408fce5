-- The trigram indexes on single columns (lot codes, product names, consignment ids) become
-- indexes on lower(column). pg_trgm's GIN operator class also answers `=`, so on a table whose
-- statistics are not yet gathered (a first import, and the next one right after it) the planner
-- chose the trigram index for `consignment_id = ANY($1)` — a recheck of every id sharing a
-- trigram — and a 611-row waste import took 3.7 s instead of 0.02 s. An index on lower(column)
-- cannot answer an equality on the column, so equality lookups always take the B-tree; the
-- search and list filters match on lower(column), which is the same for ILIKE and trigram
-- similarity (both case-insensitive).
DROP INDEX lots_code_trgm;
CREATE INDEX lots_code_trgm ON lots USING gin (lower(code) gin_trgm_ops);
DROP INDEX products_name_trgm;
CREATE INDEX products_name_trgm ON products USING gin (lower(name) gin_trgm_ops);
DROP INDEX waste_consignment_trgm;
CREATE INDEX waste_consignment_trgm ON waste_transfers USING gin (lower(consignment_id) gin_trgm_ops);
