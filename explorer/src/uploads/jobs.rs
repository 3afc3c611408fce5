//! The jobs that check and import uploads, run on the blocking pool. A runner claims the
//! oldest queued upload (`FOR UPDATE SKIP LOCKED`), takes its advisory job lock in the same
//! transaction, marks it `checking`/`importing`, commits, does the work, records the outcome
//! and only then releases the lock. So a `checking`/`importing` upload whose lock nobody holds
//! was interrupted (its process ended), and is queued again.
//!
//! A job that panics is caught here: the upload ends `failed` with the panic's message,
//! recorded on a fresh connection while the job still holds its lock (the job's own connection
//! may be inside the import's transaction; it is discarded, which rolls that back), so no status
//! poll ever finds it interrupted and runs it again.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection};

use citytrace_importers::{Format, ImportError, ImportOptions, ImportOutcome, Progress};
use citytrace_schema::models::{ImportBatch, Party, Upload, UploadStatus};
use citytrace_schema::PgPool;

use super::failure::JobFailure;
use super::{storage, Importer};

/// How often a running job records its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    Upload(String),
    #[error("{}", .0.message())]
    Failed(JobFailure),
}

/// Claim the oldest queued upload and run its job; whether there was one.
pub(super) fn run_next(pool: &PgPool, dir: &Path, importer: &Importer) -> bool {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(error = %e, "upload jobs: no database connection");
            return false;
        }
    };
    let upload = match claim(&mut conn) {
        Ok(Some(upload)) => upload,
        Ok(None) => return false,
        Err(e) => {
            tracing::error!(error = %e, "upload jobs: claiming the next upload");
            return false;
        }
    };
    let job = Job {
        pool,
        dir,
        importer,
        upload: &upload,
    };
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| job.run(&mut conn)));
    match ran {
        Ok(()) => {
            if let Err(e) = Upload::unlock_job(&mut conn, upload.id) {
                tracing::error!(error = %e, upload = upload.id, "releasing an upload job lock");
            }
        }
        Err(panic) => {
            let message = crate::app::panic_message(panic.as_ref());
            tracing::error!(upload = upload.id, %message, "an upload job panicked");
            job.record_failure(JobFailure::of_panic(&message, job.step()));
            // Now that the failure is recorded, the lock goes. The job's connection may be
            // inside the import's transaction, where the unlock fails: the pool then discards
            // the connection (it never hands out one in a transaction), which rolls the
            // import back and releases the lock all the same.
            let _ = Upload::unlock_job(&mut conn, upload.id);
        }
    }
    // Closed, not given back to the pool: its buffers are as large as the job made them.
    super::memory::retire(conn);
    true
}

/// The oldest queued upload, now `checking`/`importing` under this connection's job lock.
fn claim(conn: &mut PgConnection) -> diesel::QueryResult<Option<Upload>> {
    conn.transaction(|conn| {
        let Some(upload) = Upload::next_queued_for_update(conn)? else {
            return Ok(None);
        };
        Upload::lock_job(conn, upload.id)?;
        let running = match upload.status() {
            UploadStatus::ImportQueued => UploadStatus::Importing,
            _ => UploadStatus::Checking,
        };
        Upload::start_job(conn, upload.id, running)?;
        Upload::find(conn, upload.id).map(Some)
    })
}

/// One claimed upload's job.
struct Job<'a> {
    pool: &'a PgPool,
    dir: &'a Path,
    importer: &'a Importer,
    upload: &'a Upload,
}

impl Job<'_> {
    /// What the job does, as its failure message says it.
    fn step(&self) -> &'static str {
        match self.upload.status() {
            UploadStatus::Importing => "importing",
            _ => "checking",
        }
    }

    fn run(&self, conn: &mut PgConnection) {
        let progress = ProgressReporter::new(self.pool, self.upload.id);
        let (dir, upload) = (self.dir, self.upload);
        let result = match upload.status() {
            UploadStatus::Importing => import(conn, self.importer, &progress, dir, upload),
            _ => check(conn, self.importer, &progress, dir, upload),
        };
        if let Err(e) = result {
            let failure = match e {
                JobError::Upload(message) => JobFailure::Internal(message),
                JobError::Failed(failure) => failure,
                JobError::Db(e) => JobFailure::of_import(ImportError::Db(e), None),
                JobError::Import(e) => JobFailure::of_import(e, None),
            };
            self.record_failure_on(conn, failure);
        }
    }

    /// Record a failure on a connection of its own (after a panic the job's is not usable).
    fn record_failure(&self, failure: JobFailure) {
        match self.pool.get() {
            Ok(mut conn) => self.record_failure_on(&mut conn, failure),
            Err(e) => tracing::error!(
                error = %e,
                upload = self.upload.id,
                "recording a failed upload job: no database connection"
            ),
        }
    }

    fn record_failure_on(&self, conn: &mut PgConnection, failure: JobFailure) {
        let id = self.upload.id;
        tracing::error!(upload = id, failure = %failure.message(), "upload job failed");
        let recorded = match failure {
            JobFailure::Rows(errors) => serde_json::to_value(&errors)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
                .and_then(|problems| {
                    storage::remove_stored(conn, self.dir, self.upload)?;
                    let count = i32::try_from(errors.total).unwrap_or(i32::MAX);
                    Upload::mark_invalid(conn, id, count, &problems)
                }),
            other => Upload::mark_failed(conn, id, &other.message()),
        };
        if let Err(e) = recorded {
            tracing::error!(error = %e, upload = id, "recording a failed upload job");
        }
    }
}

/// The dry run: the preview the supplier sees before importing.
fn check(
    conn: &mut PgConnection,
    importer: &Importer,
    progress: &ProgressReporter,
    dir: &Path,
    upload: &Upload,
) -> Result<(), JobError> {
    let (format, path, party) = job_input(conn, dir, upload)?;
    if let Some(batch) = ImportBatch::find_by_file(conn, &party.code, &upload.sha256)? {
        storage::remove_stored(conn, dir, upload)?;
        Upload::mark_batch(conn, upload.id, UploadStatus::AlreadyImported, &batch)?;
        return Ok(());
    }
    let options = import_options(&party, true);
    match importer(conn, format, &path, &options, &|p| progress.report(p)) {
        Ok(ImportOutcome::Validated {
            rows, merkle_root, ..
        }) => {
            let root = citytrace_schema::parse_hex(&merkle_root, 32).ok_or_else(|| {
                JobError::Upload(format!(
                    "the importer returned a malformed root {merkle_root}"
                ))
            })?;
            let rows = i32::try_from(rows)
                .map_err(|_| JobError::Upload("the file has too many rows".into()))?;
            Upload::mark_valid(conn, upload.id, rows, &root)?;
            Ok(())
        }
        other => record_outcome(conn, dir, upload, other),
    }
}

fn import(
    conn: &mut PgConnection,
    importer: &Importer,
    progress: &ProgressReporter,
    dir: &Path,
    upload: &Upload,
) -> Result<(), JobError> {
    let (format, path, party) = job_input(conn, dir, upload)?;
    let options = import_options(&party, false);
    let outcome = importer(conn, format, &path, &options, &|p| progress.report(p));
    record_outcome(conn, dir, upload, outcome)
}

/// Record an import's outcome on the upload. A file no longer needed (imported, or invalid)
/// is removed first, so an upload in a final state never still has its file.
fn record_outcome(
    conn: &mut PgConnection,
    dir: &Path,
    upload: &Upload,
    outcome: Result<ImportOutcome, ImportError>,
) -> Result<(), JobError> {
    match outcome {
        Ok(ImportOutcome::Imported { batch, .. }) => {
            let batch = ImportBatch::find(conn, batch.id)?;
            storage::remove_stored(conn, dir, upload)?;
            Upload::mark_batch(conn, upload.id, UploadStatus::Imported, &batch)?;
        }
        Ok(ImportOutcome::AlreadyImported { batch }) => {
            let batch = ImportBatch::find(conn, batch.id)?;
            storage::remove_stored(conn, dir, upload)?;
            Upload::mark_batch(conn, upload.id, UploadStatus::AlreadyImported, &batch)?;
        }
        Ok(ImportOutcome::Validated { .. }) => {
            return Err(JobError::Upload(
                "the importer validated the file instead of importing it".into(),
            ))
        }
        Err(ImportError::Invalid(errors)) => {
            let problems = serde_json::to_value(&errors)
                .map_err(|e| JobError::Upload(format!("could not record the problems: {e}")))?;
            let count = i32::try_from(errors.total).unwrap_or(i32::MAX);
            storage::remove_stored(conn, dir, upload)?;
            Upload::mark_invalid(conn, upload.id, count, &problems)?;
        }
        Err(e) => {
            // A database error may be the file's fault (a NUL the database cannot store):
            // found in the file, it is a row error like any other.
            let stored = upload
                .stored_as
                .as_deref()
                .and_then(|relative| storage::stored_path(dir, relative));
            return match JobFailure::of_import(e, stored.as_deref()) {
                JobFailure::Rows(errors) => {
                    record_outcome(conn, dir, upload, Err(ImportError::Invalid(errors)))
                }
                other => Err(JobError::Failed(other)),
            };
        }
    }
    Ok(())
}

fn job_input(
    conn: &mut PgConnection,
    dir: &Path,
    upload: &Upload,
) -> Result<(Format, std::path::PathBuf, Party), JobError> {
    let format = format_named(&upload.format)
        .ok_or_else(|| JobError::Upload(format!("unknown format {:?}", upload.format)))?;
    let path = upload
        .stored_as
        .as_deref()
        .and_then(|relative| storage::stored_path(dir, relative))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            JobError::Upload(
                "The uploaded file is no longer on the server; upload it again.".into(),
            )
        })?;
    let party = Party::find(conn, upload.party_id)?;
    Ok((format, path, party))
}

fn import_options(party: &Party, dry_run: bool) -> ImportOptions {
    ImportOptions {
        submitter: party.code.clone(),
        dry_run,
        ..ImportOptions::default()
    }
}

/// Records a job's progress on the upload, at most every [`PROGRESS_EVERY`], on a connection
/// of its own (the job's connection is inside the import's transaction).
struct ProgressReporter<'a> {
    pool: &'a PgPool,
    id: i64,
    last: RefCell<Option<Instant>>,
}

impl<'a> ProgressReporter<'a> {
    fn new(pool: &'a PgPool, id: i64) -> Self {
        Self {
            pool,
            id,
            last: RefCell::new(None),
        }
    }

    fn report(&self, progress: Progress) {
        let now = Instant::now();
        let mut last = self.last.borrow_mut();
        if last.is_some_and(|t| now.duration_since(t) < PROGRESS_EVERY) {
            return;
        }
        *last = Some(now);
        let bytes = i64::try_from(progress.bytes).unwrap_or(i64::MAX);
        let rows = i64::try_from(progress.rows).unwrap_or(i64::MAX);
        let recorded = self
            .pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                Upload::record_progress(&mut c, self.id, bytes, rows).map_err(|e| e.to_string())
            });
        if let Err(e) = recorded {
            tracing::warn!(error = %e, upload = self.id, "recording upload progress");
        }
    }
}

/// The format with this name (`Format::name`).
pub fn format_named(name: &str) -> Option<Format> {
    Format::ALL.iter().copied().find(|f| f.name() == name)
}

/// See [`super::Uploads::recover_interrupted`].
pub(super) fn recover_interrupted(
    conn: &mut PgConnection,
    upload: &Upload,
) -> diesel::QueryResult<bool> {
    if !matches!(
        upload.status(),
        UploadStatus::Checking | UploadStatus::Importing
    ) || Upload::job_running(conn, upload.id)?
    {
        return Ok(false);
    }
    tracing::warn!(
        upload = upload.id,
        "an upload job was interrupted; queueing it again"
    );
    Upload::requeue_interrupted(conn, upload.id)
}
