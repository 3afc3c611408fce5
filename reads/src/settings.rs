//! Every computation's settings in one place: the `[methods]` table of `citytrace.toml`
//! (docs/methods.md, "Settings"). Each area keeps its own struct and defaults; this module
//! gathers them and reads them from the file, refusing unknown keys and wrong types with the
//! file, the line and the key.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;

use super::carbon::CarbonSettings;
use super::cold_chain::ColdChainSettings;
use super::spending::{BudgetRules, MoneyTrailLimits, RedFlagRules};
use super::waste::WasteRules;
use crate::error::SettingsError;

/// `[methods]`: one table per area; a missing table or key keeps its documented default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MethodSettings {
    /// `[methods.cold_chain]` (docs/methods/cold-chain.md).
    pub cold_chain: ColdChainSettings,
    /// `[methods.waste]` (docs/methods/waste.md).
    pub waste: WasteRules,
    /// `[methods.carbon]` (docs/methods/carbon.md).
    pub carbon: CarbonSettings,
    /// `[methods.spending]` (docs/methods/spending.md).
    pub spending: SpendingSettings,
}

/// `[methods.spending]`: the red-flag thresholds, the budget rules and how far the money trail
/// goes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpendingSettings {
    /// `[methods.spending.red_flags]`.
    pub red_flags: RedFlagRules,
    /// `[methods.spending.budget]`.
    pub budget: BudgetRules,
    /// `[methods.spending.follow_the_money]`.
    pub follow_the_money: MoneyTrailLimits,
}

/// The part of `citytrace.toml` read here; the other tables (`[[chain]]`, `[anchoring]`, …)
/// belong to the indexer and are left alone.
#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    methods: MethodSettings,
}

impl MethodSettings {
    /// The `[methods]` table of the TOML file at `path` (defaults when it has none).
    pub fn from_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError::Read {
            file: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&text, path)
    }

    /// The `[methods]` table of a TOML document; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, SettingsError> {
        let settings = toml::from_str::<ConfigFile>(text)
            .map_err(|e| {
                let (line, key) = match e.span() {
                    Some(span) => locate(text, span),
                    None => (None, "methods".to_string()),
                };
                SettingsError::Invalid {
                    file: file.to_path_buf(),
                    line,
                    key,
                    reason: e.message().trim().to_string(),
                }
            })?
            .methods;
        settings.validate(file)?;
        Ok(settings)
    }

    /// What the types cannot check: beneficiary addresses that could never match a retirement.
    fn validate(&self, file: &Path) -> Result<(), SettingsError> {
        let invalid = self.carbon.invalid_beneficiary_addresses();
        if !invalid.is_empty() {
            return Err(SettingsError::Invalid {
                file: file.to_path_buf(),
                line: None,
                key: "methods.carbon.city_beneficiary_addresses".into(),
                reason: format!(
                    "not an address (0x + 40 hex digits): {}",
                    invalid.join(", ")
                ),
            });
        }
        Ok(())
    }
}

/// The line of `span` (1-based) and the dotted key it is on: the nearest `[table]` header above
/// it, the keys of the inline tables the span is inside (`tender_period = { min_days = … }`) and
/// the key itself — the span covers the key when the key is unknown, its value when the value is
/// wrong. A header line names its table.
fn locate(text: &str, span: Range<usize>) -> (Option<usize>, String) {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    // Spans fall on character boundaries; a span that did not would read as empty text.
    let part = |from: usize, to: usize| text.get(from..to).unwrap_or("");
    let line_start = part(0, start).rfind('\n').map_or(0, |i| i + 1);
    let line_no = part(0, line_start).matches('\n').count() + 1;
    let header = |l: &str| {
        let l = l.trim();
        l.starts_with('[').then(|| {
            l.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
    };
    let line = part(line_start, text.len()).lines().next().unwrap_or("");
    if let Some(table) = header(line).filter(|t| !t.is_empty()) {
        return (Some(line_no), table);
    }
    let bare = |k: &str| {
        let k = k.rsplit(',').next().unwrap_or(k);
        k.trim().trim_matches('"').to_string()
    };
    let mut path: Vec<String> = part(0, line_start)
        .lines()
        .rev()
        .find_map(header)
        .into_iter()
        .collect();
    path.extend(
        part(line_start, start)
            .split('{')
            .filter_map(|part| part.rsplit_once('=').map(|(k, _)| bare(k))),
    );
    if part(end, text.len()).trim_start().starts_with('=') {
        path.push(bare(part(start, end)));
    }
    // A syntax error can span nothing (`= 1`): an empty part names no key.
    path.retain(|part| !part.is_empty());
    let key = if path.is_empty() {
        "methods".to_string()
    } else {
        path.join(".")
    };
    (Some(line_no), key)
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<MethodSettings, SettingsError> {
        MethodSettings::from_toml(text, Path::new("citytrace.toml"))
    }

    /// docs/citytrace.example.toml writes every key with its default: loading it gives exactly
    /// `MethodSettings::default()`, and the indexer's tables beside `[methods]` do not disturb it.
    #[test]
    fn the_documented_example_holds_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/citytrace.example.toml");
        let example = MethodSettings::from_file(&path).unwrap();
        assert_eq!(example, MethodSettings::default());
        let text = std::fs::read_to_string(&path).unwrap();
        for table in [
            "[methods.cold_chain]",
            "[methods.waste]",
            "[methods.carbon]",
            "[methods.carbon.scope3]",
            "[methods.spending.red_flags]",
            "[methods.spending.budget]",
            "[methods.spending.follow_the_money]",
        ] {
            assert!(text.contains(table), "{table} missing from the example");
        }
    }

    /// The one key the example leaves commented out (it has no value by default) loads too.
    #[test]
    fn the_commented_out_logging_interval_loads_when_set() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/citytrace.example.toml");
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "# default_logging_interval_minutes",
            "default_logging_interval_minutes",
        );
        let s = MethodSettings::from_toml(&text, &path).unwrap();
        assert_eq!(s.cold_chain.default_logging_interval_minutes, Some(15));
    }

    #[test]
    fn a_file_without_methods_gives_the_defaults() {
        let s = load("[anchoring]\nchain = 1\n").unwrap();
        assert_eq!(s, MethodSettings::default());
    }

    #[test]
    fn keys_given_replace_their_default_and_the_rest_stay() {
        let s = load(
            "[methods.carbon]\ncity_beneficiary_addresses = [\"0x00000000000000000000000000000000000000aa\"]\n\
             [methods.spending.follow_the_money]\nmax_lots = 7\n\
             [methods.waste]\nmass_tolerance_percent = 2.5\n",
        )
        .unwrap();
        assert_eq!(
            s.carbon.city_beneficiary_addresses,
            vec!["0x00000000000000000000000000000000000000aa"]
        );
        assert_eq!(s.spending.follow_the_money.max_lots, 7);
        assert_eq!(s.spending.follow_the_money.max_processes, 50);
        assert_eq!(s.waste.mass_tolerance_percent.to_string(), "2.5");
        assert_eq!(s.cold_chain, ColdChainSettings::default());
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_file_line_and_key() {
        let e =
            load("[methods.carbon]\nnet_position_scopes = [1]\ncity_beneficiary_adresses = []\n")
                .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("citytrace.toml, line 3: `methods.carbon.city_beneficiary_adresses`:"),
            "{text}"
        );
        assert!(text.contains("unknown field"), "{text}");
    }

    #[test]
    fn a_wrong_type_inside_an_inline_table_names_the_inner_key() {
        let e = load("[methods.spending.red_flags]\ntender_period = { min_days = \"ten\" }\n")
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("`methods.spending.red_flags.tender_period.min_days`"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_table_is_an_error() {
        let e = load("[methods.cold_chian]\ngap_tolerance_factor = 2.0\n").unwrap_err();
        assert!(e.to_string().contains("cold_chian"), "{e}");
    }

    #[test]
    fn a_wrong_type_is_an_error_naming_the_key() {
        let e = load("[methods.spending.budget]\nunspent_grace_days = \"ten\"\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(
                "citytrace.toml, line 2: `methods.spending.budget.unspent_grace_days`:"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_malformed_beneficiary_address_is_refused() {
        let e = load("[methods.carbon]\ncity_beneficiary_addresses = [\"0xabc\"]\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("methods.carbon.city_beneficiary_addresses"),
            "{text}"
        );
        assert!(text.contains("0xabc"), "{text}");
    }

    #[test]
    fn a_missing_file_says_which() {
        let e = MethodSettings::from_file(Path::new("/nonexistent/citytrace.toml")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/citytrace.toml"), "{e}");
    }
}
