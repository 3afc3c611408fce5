//! EPCIS events: what `supply_events` has no column for.

diesel::table! {
    epcis_events (event_id) {
        event_id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        event_uri -> Nullable<Text>,
        event_hash -> Text,
        record_time -> Nullable<Timestamptz>,
        read_point -> Nullable<Text>,
        read_point_site_id -> Nullable<Int8>,
        biz_location -> Nullable<Text>,
        transformation_id -> Nullable<Text>,
        persistent_disposition_set -> Array<Text>,
        persistent_disposition_unset -> Array<Text>,
        ilmd -> Nullable<Jsonb>,
        extensions -> Nullable<Jsonb>,
        error_declared_at -> Nullable<Timestamptz>,
        error_reason -> Nullable<Text>,
        corrective_event_ids -> Array<Text>,
    }
}

diesel::table! {
    epcis_epcs (event_id, role, kind, position) {
        event_id -> Int8,
        role -> Text,
        kind -> Text,
        position -> Int4,
        epc -> Text,
        quantity -> Nullable<Numeric>,
        uom -> Nullable<Text>,
        lot_id -> Nullable<Int8>,
    }
}

diesel::table! {
    epcis_biz_transactions (event_id, position) {
        event_id -> Int8,
        position -> Int4,
        #[sql_name = "type"]
        type_ -> Nullable<Text>,
        biz_transaction -> Text,
    }
}

diesel::table! {
    epcis_source_destinations (event_id, direction, position) {
        event_id -> Int8,
        direction -> Text,
        position -> Int4,
        #[sql_name = "type"]
        type_ -> Nullable<Text>,
        value -> Text,
        site_id -> Nullable<Int8>,
    }
}

diesel::table! {
    epcis_sensor_reports (event_id, element, position) {
        event_id -> Int8,
        element -> Int4,
        position -> Int4,
        report_type -> Nullable<Text>,
        device_id -> Nullable<Text>,
        device_metadata -> Nullable<Text>,
        raw_data -> Nullable<Text>,
        data_processing_method -> Nullable<Text>,
        biz_rules -> Nullable<Text>,
        report_time -> Nullable<Timestamptz>,
        start_time -> Nullable<Timestamptz>,
        end_time -> Nullable<Timestamptz>,
        value -> Nullable<Numeric>,
        min_value -> Nullable<Numeric>,
        max_value -> Nullable<Numeric>,
        mean_value -> Nullable<Numeric>,
        sdev -> Nullable<Numeric>,
        perc_rank -> Nullable<Numeric>,
        perc_value -> Nullable<Numeric>,
        uom -> Nullable<Text>,
        string_value -> Nullable<Text>,
        boolean_value -> Nullable<Bool>,
        hex_binary_value -> Nullable<Text>,
        uri_value -> Nullable<Text>,
        exception -> Nullable<Text>,
        component -> Nullable<Text>,
        chemical_substance -> Nullable<Text>,
        microorganism -> Nullable<Text>,
        coordinate_reference_system -> Nullable<Text>,
    }
}
