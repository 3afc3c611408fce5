//! Procurement: OCDS releases as received and the state of each contracting process.

diesel::table! {
    ocds_releases (id) {
        id -> Int8,
        batch_id -> Int8,
        line -> Int4,
        kind -> Text,
        ocid -> Text,
        release_id -> Text,
        release_date -> Timestamptz,
        tags -> Array<Text>,
        data -> Jsonb,
    }
}

diesel::table! {
    procurement_processes (ocid) {
        ocid -> Text,
        tender_id -> Nullable<Text>,
        title -> Nullable<Text>,
        buyer_id -> Nullable<Int8>,
        procuring_entity_id -> Nullable<Int8>,
        procurement_method -> Nullable<Text>,
        procurement_method_details -> Nullable<Text>,
        main_procurement_category -> Nullable<Text>,
        tender_status -> Nullable<Text>,
        tender_value -> Nullable<Numeric>,
        tender_currency -> Nullable<Text>,
        tender_period_start -> Nullable<Timestamptz>,
        tender_period_end -> Nullable<Timestamptz>,
        number_of_tenderers -> Nullable<Int4>,
        budget_amount -> Nullable<Numeric>,
        budget_currency -> Nullable<Text>,
        release_count -> Int4,
        last_release_date -> Timestamptz,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_parties (ocid, party_id) {
        ocid -> Text,
        party_id -> Int8,
        ocds_id -> Nullable<Text>,
        name -> Text,
        roles -> Array<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_awards (ocid, award_id) {
        ocid -> Text,
        award_id -> Text,
        title -> Nullable<Text>,
        status -> Nullable<Text>,
        award_date -> Nullable<Timestamptz>,
        value -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_award_suppliers (ocid, award_id, party_id) {
        ocid -> Text,
        award_id -> Text,
        party_id -> Int8,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_contracts (ocid, contract_id) {
        ocid -> Text,
        contract_id -> Text,
        award_id -> Nullable<Text>,
        title -> Nullable<Text>,
        status -> Nullable<Text>,
        value -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        date_signed -> Nullable<Timestamptz>,
        period_start -> Nullable<Timestamptz>,
        period_end -> Nullable<Timestamptz>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_amendments (ocid, scope, scope_id, position) {
        ocid -> Text,
        scope -> Text,
        scope_id -> Text,
        position -> Int4,
        amendment_id -> Nullable<Text>,
        amendment_date -> Nullable<Timestamptz>,
        description -> Nullable<Text>,
        amends_release_id -> Nullable<Text>,
        release_id -> Nullable<Text>,
        value_before -> Nullable<Numeric>,
        value_after -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_transactions (ocid, contract_id, transaction_id) {
        ocid -> Text,
        contract_id -> Text,
        transaction_id -> Text,
        transaction_date -> Nullable<Timestamptz>,
        value -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        payer_id -> Nullable<Int8>,
        payee_id -> Nullable<Int8>,
        source -> Nullable<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_budget_links (ocid, budget_line_id) {
        ocid -> Text,
        budget_line_id -> Text,
        source -> Text,
        amount -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        period_start -> Nullable<Timestamptz>,
        period_end -> Nullable<Timestamptz>,
        source_party -> Nullable<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_bids (ocid, bid_id) {
        ocid -> Text,
        bid_id -> Text,
        bid_date -> Nullable<Timestamptz>,
        status -> Nullable<Text>,
        value -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        batch_id -> Int8,
        line -> Int4,
    }
}

diesel::table! {
    procurement_bid_tenderers (ocid, bid_id, party_id) {
        ocid -> Text,
        bid_id -> Text,
        party_id -> Int8,
        batch_id -> Int8,
        line -> Int4,
    }
}
