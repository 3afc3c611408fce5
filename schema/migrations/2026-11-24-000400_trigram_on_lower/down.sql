DROP INDEX waste_consignment_trgm;
CREATE INDEX waste_consignment_trgm ON waste_transfers USING gin (consignment_id gin_trgm_ops);
DROP INDEX products_name_trgm;
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);
DROP INDEX lots_code_trgm;
CREATE INDEX lots_code_trgm ON lots USING gin (code gin_trgm_ops);
