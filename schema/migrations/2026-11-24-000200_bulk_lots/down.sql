ALTER TABLE lots
    ADD CONSTRAINT lots_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id),
    ADD CONSTRAINT lots_supplier_id_fkey FOREIGN KEY (supplier_id) REFERENCES parties (id),
    ADD CONSTRAINT lots_origin_site_id_fkey FOREIGN KEY (origin_site_id) REFERENCES sites (id);
