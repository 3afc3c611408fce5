//! `--config FILE` (`CITYTRACE_CONFIG`): the one `citytrace.toml` that `citytrace index` reads
//! its chains, contracts and anchoring from and `citytrace serve` its `[methods]` settings and
//! its `[explorer]` table (the city's time zone).

use std::path::{Path, PathBuf};

use anyhow::Context;
use citytrace_explorer::CityZone;
use citytrace_reads::MethodSettings;

/// The file's name when neither `--config` nor `CITYTRACE_CONFIG` gives one.
pub const DEFAULT_CONFIG: &str = "citytrace.toml";

#[derive(clap::Args)]
pub struct ConfigArg {
    /// Configuration (TOML); see docs/citytrace.example.toml, docs/indexing.md and docs/methods.md [default: citytrace.toml].
    #[arg(long, short, env = "CITYTRACE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

impl ConfigArg {
    /// The file given, or `citytrace.toml` in the working folder.
    pub fn path(&self) -> &Path {
        self.config
            .as_deref()
            .unwrap_or_else(|| Path::new(DEFAULT_CONFIG))
    }

    /// Whether a file was named (`--config` or `CITYTRACE_CONFIG`).
    pub fn given(&self) -> bool {
        self.config.is_some()
    }

    /// The `[methods]` settings: from the file named, which must exist; without one, from
    /// `citytrace.toml` when there is one; otherwise the documented defaults. Also says where
    /// they came from.
    pub fn method_settings(&self) -> anyhow::Result<(MethodSettings, String)> {
        let path = self.path();
        if !self.given() && !path.exists() {
            return Ok((
                MethodSettings::default(),
                "method settings: defaults (no citytrace.toml)".to_string(),
            ));
        }
        let settings = MethodSettings::from_file(path)
            .context("reading the [methods] settings (docs/methods.md, \"Settings\")")?;
        Ok((
            settings,
            format!("method settings: [methods] of {}", path.display()),
        ))
    }
}

/// The part of the file the explorer reads besides `[methods]`.
#[derive(serde::Deserialize)]
struct ExplorerPart {
    #[serde(default)]
    explorer: ExplorerTable,
}

/// `[explorer]`: `time_zone = "Europe/Amsterdam"` (docs/citytrace.example.toml).
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ExplorerTable {
    time_zone: Option<toml::Spanned<String>>,
}

impl ConfigArg {
    /// The city's time zone: `flag` (`--time-zone`) when given, else `[explorer] time_zone` of
    /// the file (read as [`Self::method_settings`] reads it), else UTC; and where it came from.
    /// A zone the IANA database does not know stops with the file, line and key.
    pub fn city_zone(&self, flag: Option<CityZone>) -> anyhow::Result<(CityZone, String)> {
        if let Some(zone) = flag {
            return Ok((zone, format!("times in {zone} (--time-zone)")));
        }
        let path = self.path();
        if !self.given() && !path.exists() {
            return Ok((CityZone::UTC, "times in UTC (the default)".to_string()));
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let at = |span: Option<std::ops::Range<usize>>| {
            let line = span
                .and_then(|span| text.get(..span.start))
                .map(|before| before.matches('\n').count() + 1);
            match line {
                Some(line) => format!("{}, line {line}", path.display()),
                None => path.display().to_string(),
            }
        };
        let part: ExplorerPart = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: [explorer]: {}", at(e.span()), e.message().trim()))?;
        let Some(name) = part.explorer.time_zone else {
            return Ok((CityZone::UTC, "times in UTC (the default)".to_string()));
        };
        let zone = CityZone::parse(name.get_ref())
            .map_err(|e| anyhow::anyhow!("{}: [explorer] time_zone: {e}", at(Some(name.span()))))?;
        Ok((
            zone,
            format!(
                "times in {zone} ([explorer] time_zone of {})",
                path.display()
            ),
        ))
    }
}
