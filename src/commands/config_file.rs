//! `--config FILE` (`CITYTRACE_CONFIG`): the one `citytrace.toml` that `citytrace index` reads
//! its chains, contracts and anchoring from and `citytrace serve` its `[methods]` settings.

use std::path::{Path, PathBuf};

use anyhow::Context;
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
