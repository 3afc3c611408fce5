//! Who, where and what: parties, sites, products, lots.

diesel::table! {
    parties (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        kind -> Text,
        gln -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sites (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        kind -> Text,
        gln -> Nullable<Text>,
        party_id -> Nullable<Int8>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Int8,
        code -> Text,
        gtin -> Nullable<Text>,
        name -> Text,
        material_class -> Nullable<Text>,
        unit -> Text,
        created_at -> Timestamptz,
        epd_ref -> Nullable<Text>,
        gwp_per_unit -> Nullable<Numeric>,
        min_temp_c -> Nullable<Numeric>,
        max_temp_c -> Nullable<Numeric>,
        max_excursion_minutes -> Nullable<Int4>,
        max_single_excursion_minutes -> Nullable<Int4>,
        logging_interval_minutes -> Nullable<Int4>,
        version_batch_id -> Nullable<Int8>,
        version_line -> Nullable<Int4>,
    }
}

diesel::table! {
    lots (id) {
        id -> Int8,
        code -> Text,
        product_id -> Int8,
        supplier_id -> Nullable<Int8>,
        origin_site_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}
