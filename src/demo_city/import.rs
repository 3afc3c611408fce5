//! Importing the generated city: its parties and sites registered with their names (the
//! importers only know codes), then every file in the manifest's order through the real
//! importers — the code path of `citytrace import` — as its submitter, with the importers'
//! progress shown for large files.

use std::cell::Cell;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use diesel::PgConnection;

use citytrace_importers::{CsvOptions, ImportError, ImportOptions, ImportOutcome, Progress};
use citytrace_schema::models::{NewParty, NewSite, Party, Site};

use super::out::Manifest;
use super::world::{World, COMPANIES, DEPARTMENTS};

/// Register the city's parties and sites with their names, kinds, owners and positions.
pub fn register(conn: &mut PgConnection, world: &World) -> diesel::QueryResult<()> {
    let departments = DEPARTMENTS.iter().map(|d| (d.code, d.name, "department"));
    let companies = COMPANIES.iter().map(|c| (c.code, c.name, c.kind));
    for (code, name, kind) in departments.chain(companies) {
        Party::ensure(
            conn,
            &NewParty {
                code,
                name,
                kind,
                gln: None,
            },
        )?;
    }
    let mut owners = Vec::with_capacity(world.sites.len());
    for s in &world.sites {
        owners.push(Party::find_by_code(conn, s.owner)?.map(|p| p.id));
    }
    let sites: Vec<NewSite> = world
        .sites
        .iter()
        .zip(owners)
        .map(|(s, owner)| NewSite {
            code: &s.code,
            name: &s.name,
            kind: s.kind,
            gln: (s.code.len() == 13 && s.code.bytes().all(|b| b.is_ascii_digit()))
                .then_some(s.code.as_str()),
            party_id: owner,
            latitude: Some(s.position.0),
            longitude: Some(s.position.1),
        })
        .collect();
    Site::ensure_all(conn, &sites)?;
    Ok(())
}

/// A file's batch.
pub struct ImportedFile {
    pub batch: i64,
    pub rows: i32,
}

/// Import every file of `manifest` from `dir`, in order; any problem stops with the file's
/// problem table.
pub fn import_city(
    conn: &mut PgConnection,
    dir: &Path,
    manifest: &Manifest,
    world: &World,
) -> anyhow::Result<Vec<ImportedFile>> {
    register(conn, world).context("registering the demo city's parties and sites")?;
    let mut imported = Vec::new();
    for file in &manifest.files {
        let path = dir.join(&file.name);
        let options = ImportOptions {
            submitter: file.submitter.clone(),
            dry_run: false,
            skip_invalid: false,
            csv: CsvOptions::default(),
        };
        let started = Instant::now();
        let bar = progress_bar(file.bytes);
        // Without a terminal, large files say how far they are every tenth of the way.
        let tenths = Cell::new(0);
        let report = |p: Progress| match &bar {
            Some(bar) => {
                bar.set_length(p.size);
                bar.set_position(p.bytes);
                bar.set_message(format!("{} rows", p.rows));
            }
            None if p.size > 4 << 20 => {
                let done = p.bytes * 10 / p.size.max(1);
                if done > tenths.get() && done < 10 {
                    tenths.set(done);
                    eprintln!(
                        "      {}: {}0 %, {} rows, {:.0} s",
                        file.name,
                        done,
                        p.rows,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            None => {}
        };
        let outcome = citytrace_importers::import_file_with_progress(
            conn,
            file.format(),
            &path,
            &options,
            &report,
        );
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let batch = match outcome {
            Ok(
                ImportOutcome::Imported { batch, .. } | ImportOutcome::AlreadyImported { batch },
            ) => batch,
            Ok(ImportOutcome::Validated { .. }) => continue,
            Err(ImportError::Invalid(errors)) => anyhow::bail!(
                "{} has problems; nothing of it was imported:\n{}",
                file.name,
                errors.table()
            ),
            Err(e) => return Err(e).with_context(|| format!("importing {}", file.name)),
        };
        if batch.rows as u64 != file.rows {
            anyhow::bail!(
                "{}: the importer took {} rows, the generator wrote {}",
                file.name,
                batch.rows,
                file.rows
            );
        }
        eprintln!(
            "      batch {:>3}: {:>9} {} from {} ({}, {:.1} s)",
            batch.id,
            batch.rows,
            batch.kind,
            file.name,
            file.submitter,
            started.elapsed().as_secs_f64()
        );
        imported.push(ImportedFile {
            batch: batch.id,
            rows: batch.rows,
        });
    }
    Ok(imported)
}

/// The importers' progress as a bar with rows, bytes/s and ETA — on a terminal, for files
/// big enough to take a while.
fn progress_bar(bytes: u64) -> Option<indicatif::ProgressBar> {
    if !(std::io::stderr().is_terminal() && bytes > 4 << 20) {
        return None;
    }
    let style = indicatif::ProgressStyle::with_template(
        "      {spinner} [{bar:30}] {bytes}/{total_bytes} · {msg} · {bytes_per_sec} · ETA {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    Some(indicatif::ProgressBar::new(bytes).with_style(style))
}
