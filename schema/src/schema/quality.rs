//! Data-quality notes: deviations from a standard that an import tolerated.

diesel::table! {
    data_quality_notes (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        path -> Text,
        kind -> Text,
        original -> Text,
    }
}
