//! Core Business Vocabulary values. EPCIS lets a standard value be written three ways — the
//! bare word of JSON-LD (`shipping`), the URN (`urn:epcglobal:cbv:bizstep:shipping`) or the web
//! URI (`https://ref.gs1.org/cbv/BizStep-shipping`, also as the CURIE `cbv:BizStep-shipping`).
//! citytrace stores the bare word; a value that is not a CBV term (a company's own URI) is kept
//! as written. The event hash uses the web URI.

/// A CBV vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vocabulary {
    BizStep,
    Disposition,
    BizTransactionType,
    SourceDestinationType,
    ErrorReason,
}

impl Vocabulary {
    fn urn_prefix(self) -> &'static str {
        match self {
            Self::BizStep => "urn:epcglobal:cbv:bizstep:",
            Self::Disposition => "urn:epcglobal:cbv:disp:",
            Self::BizTransactionType => "urn:epcglobal:cbv:btt:",
            Self::SourceDestinationType => "urn:epcglobal:cbv:sdt:",
            Self::ErrorReason => "urn:epcglobal:cbv:er:",
        }
    }

    /// The term prefix of the web URI, after `https://ref.gs1.org/cbv/`.
    fn term_prefix(self) -> &'static str {
        match self {
            Self::BizStep => "BizStep-",
            Self::Disposition => "Disp-",
            Self::BizTransactionType => "BTT-",
            Self::SourceDestinationType => "SDT-",
            Self::ErrorReason => "ER-",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::BizStep => "business step",
            Self::Disposition => "disposition",
            Self::BizTransactionType => "business transaction type",
            Self::SourceDestinationType => "source/destination type",
            Self::ErrorReason => "error reason",
        }
    }

    pub fn words(self) -> &'static [&'static str] {
        match self {
            Self::BizStep => BIZ_STEPS,
            Self::Disposition => DISPOSITIONS,
            Self::BizTransactionType => BIZ_TRANSACTION_TYPES,
            Self::SourceDestinationType => SOURCE_DESTINATION_TYPES,
            Self::ErrorReason => ERROR_REASONS,
        }
    }
}

/// CBV 2.0 business steps (cbv-context-bizstep.jsonld).
pub(crate) const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
];

/// CBV 2.0 dispositions (cbv-context-disposition.jsonld).
pub(crate) const DISPOSITIONS: &[&str] = &[
    "active",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
];

pub(crate) const BIZ_TRANSACTION_TYPES: &[&str] = &[
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
];

pub(crate) const SOURCE_DESTINATION_TYPES: &[&str] =
    &["owning_party", "possessing_party", "location"];

pub(crate) const ERROR_REASONS: &[&str] = &["did_not_occur", "incorrect_data"];

const WEB: &str = "https://ref.gs1.org/cbv/";

/// The stored form of a value of `vocabulary`: the bare word for a CBV term in any of its
/// spellings, the value as written for anything else that is a URI; an error for a bare word
/// (or a CBV URN/URI) that is not a term of the vocabulary.
pub(crate) fn stored_form(vocabulary: Vocabulary, text: &str) -> Result<String, String> {
    let text = text.trim();
    let term = text.strip_prefix(vocabulary.urn_prefix()).or_else(|| {
        [
            WEB,
            "http://ref.gs1.org/cbv/",
            "https://gs1.org/voc/",
            "cbv:",
        ]
        .iter()
        .find_map(|p| text.strip_prefix(p)?.strip_prefix(vocabulary.term_prefix()))
    });
    let claimed_cbv = term.is_some() || !text.contains(':');
    let word = term.unwrap_or(text);
    if vocabulary.words().contains(&word) {
        Ok(word.to_string())
    } else if claimed_cbv {
        Err(format!(
            "not a CBV 2.0 {}; use one of its terms (e.g. {}) or a full URI of your own",
            vocabulary.name(),
            vocabulary.words()[..3.min(vocabulary.words().len())].join(", ")
        ))
    } else {
        Ok(text.to_string())
    }
}

/// The web URI the event hash uses for a stored value: `https://ref.gs1.org/cbv/BizStep-…`
/// for a CBV term, the value itself otherwise.
pub(crate) fn web_uri(vocabulary: Vocabulary, stored: &str) -> String {
    if vocabulary.words().contains(&stored) {
        format!("{WEB}{}{stored}", vocabulary.term_prefix())
    } else {
        stored.to_string()
    }
}

/// GS1 web vocabulary terms of sensor reports (measurement types, sensor alert types): stored
/// as the bare term (`Temperature`, `ALARM_CONDITION`) whether written bare, as `gs1:…` or as a
/// GS1 web vocabulary URI; other CURIEs and URIs are kept as written.
pub(crate) fn gs1_term(text: &str) -> String {
    let text = text.trim();
    [
        "gs1:",
        "https://gs1.org/voc/",
        "https://ref.gs1.org/voc/",
        "http://gs1.org/voc/",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
    .unwrap_or(text)
    .to_string()
}

/// The URI the event hash uses for a stored GS1 web vocabulary term.
pub(crate) fn gs1_term_uri(stored: &str) -> String {
    if stored.contains(':') {
        stored.to_string()
    } else {
        format!("https://ref.gs1.org/voc/{stored}")
    }
}

/// Sensor report components (`x`, `latitude`, …): bare, `cbv:Comp-…` or the web URI.
pub(crate) fn component(text: &str) -> String {
    let text = text.trim();
    [WEB, "cbv:"]
        .iter()
        .find_map(|p| text.strip_prefix(p)?.strip_prefix("Comp-"))
        .unwrap_or(text)
        .to_string()
}

pub(crate) fn component_uri(stored: &str) -> String {
    if stored.contains(':') {
        stored.to_string()
    } else {
        format!("{WEB}Comp-{stored}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_spellings_store_one_bare_word() {
        for spelling in [
            "shipping",
            "urn:epcglobal:cbv:bizstep:shipping",
            "https://ref.gs1.org/cbv/BizStep-shipping",
            "cbv:BizStep-shipping",
        ] {
            assert_eq!(
                stored_form(Vocabulary::BizStep, spelling).unwrap(),
                "shipping"
            );
        }
        assert_eq!(
            stored_form(Vocabulary::Disposition, "urn:epcglobal:cbv:disp:in_transit").unwrap(),
            "in_transit"
        );
        assert_eq!(
            stored_form(
                Vocabulary::BizStep,
                "http://epcis.example.org/hc/bizstep/summarising_discharge"
            )
            .unwrap(),
            "http://epcis.example.org/hc/bizstep/summarising_discharge"
        );
        assert_eq!(
            stored_form(Vocabulary::BizStep, "recycling").unwrap_err(),
            "not a CBV 2.0 business step; use one of its terms (e.g. accepting, arriving, assembling) or a full URI of your own"
        );
        assert!(stored_form(Vocabulary::BizStep, "urn:epcglobal:cbv:bizstep:recycling").is_err());
        assert_eq!(
            web_uri(Vocabulary::BizTransactionType, "po"),
            "https://ref.gs1.org/cbv/BTT-po"
        );
        assert_eq!(web_uri(Vocabulary::BizStep, "urn:x:y"), "urn:x:y");
        assert_eq!(gs1_term("gs1:Temperature"), "Temperature");
        assert_eq!(
            gs1_term_uri("Temperature"),
            "https://ref.gs1.org/voc/Temperature"
        );
        assert_eq!(
            gs1_term_uri("example:someSensorProperty"),
            "example:someSensorProperty"
        );
        assert_eq!(
            component_uri(&component("cbv:Comp-x")),
            "https://ref.gs1.org/cbv/Comp-x"
        );
    }
}
