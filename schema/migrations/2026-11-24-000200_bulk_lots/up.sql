-- Lots are a bulk table too (docs/architecture.md, "Bulk tables"): a supplier of serialised
-- items registers a lot per shipment line, millions of them. Their foreign keys to products,
-- parties and sites were checked by a trigger per row, which cost more than the rest of
-- registering a lot (measured: 250,000 lots by COPY, 3.2 s with them, 0.9 s without them and
-- the trigram index). Integrity holds by construction: the only writers (schema/src/models/lot.rs)
-- insert a lot with the product and site ids they have just resolved or registered in the same
-- transaction, and nothing deletes products, parties or sites.
ALTER TABLE lots
    DROP CONSTRAINT lots_product_id_fkey,
    DROP CONSTRAINT lots_supplier_id_fkey,
    DROP CONSTRAINT lots_origin_site_id_fkey;
