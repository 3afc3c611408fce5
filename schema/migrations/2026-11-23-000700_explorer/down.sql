DROP VIEW search_documents;
DROP INDEX lots_code_trgm, products_name_trgm, products_name_fts, parties_name_trgm, parties_name_fts,
    sites_name_trgm, sites_name_fts, procurement_title_trgm, procurement_title_fts,
    waste_consignment_trgm, treasury_payments_ref_trgm;
DROP VIEW chain_events;
DROP VIEW batch_trust;
