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
