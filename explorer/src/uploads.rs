//! Files suppliers upload on `/import` and through the API: where they are kept, how large
//! they may be, and the jobs that check and import them.
//!
//! An upload is streamed to `<upload folder>/<random>/<file name>` while its sha256 is computed
//! (never held in memory), recorded as an `uploads` row in `check_queued`, and checked by a job
//! (a dry run); once the supplier presses Import it is `import_queued` and imported by a job.
//! The `uploads` table is the queue: jobs claim rows with `FOR UPDATE SKIP LOCKED` and hold an
//! advisory lock while they run, so an interrupted job (the process ended) is noticed and run
//! again. A job that fails — a panic included — ends `failed` with its message and is never
//! queued again by itself.
//!
//! Every import of an explorer process, from the upload page or from the API, runs in one of
//! [`JOBS`] job slots on the blocking thread pool: API requests wait for a slot in the order
//! they came, page jobs take a free slot one job at a time. So at most [`JOBS`] files are read
//! at once, whoever sends them, and the memory a job used goes back to the operating system
//! when it ends ([`memory`]).

pub(crate) mod failure;
mod jobs;
pub mod memory;
pub(crate) mod storage;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::PgConnection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use citytrace_importers::{Format, ImportError, ImportOptions, ImportOutcome, Progress};
use citytrace_schema::models::Upload;
use citytrace_schema::PgPool;

pub use jobs::format_named;
pub use storage::safe_file_name;

/// Imports that may run at once in one explorer process (upload page and API together).
pub const JOBS: usize = 2;

/// What a job calls to check or import a file: `citytrace_importers::import_file_with_progress`
/// (tests may put another in its place: `Uploads::with_importer`, feature `testing`).
pub type Importer = Arc<
    dyn Fn(
            &mut PgConnection,
            Format,
            &Path,
            &ImportOptions,
            &dyn Fn(Progress),
        ) -> Result<ImportOutcome, ImportError>
        + Send
        + Sync,
>;

/// Where uploads go and how large they may be.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

impl UploadOptions {
    pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

    /// Uploads in `dir`, up to 512 MiB each.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }

    /// The limit as people read it: "512 MiB", "1 KiB", "300 bytes".
    pub fn limit_text(&self) -> String {
        const MIB: u64 = 1024 * 1024;
        match self.max_bytes {
            n if n >= MIB && n % MIB == 0 => format!("{} MiB", n / MIB),
            n if n >= 1024 && n % 1024 == 0 => format!("{} KiB", n / 1024),
            n => format!("{n} bytes"),
        }
    }
}

/// The upload folder, the limit, the job slots and the importer; shared by every worker of a
/// server.
#[derive(Clone)]
pub struct Uploads {
    options: UploadOptions,
    slots: Arc<Semaphore>,
    importer: Importer,
}

impl Uploads {
    /// Creates the upload folder if it does not exist.
    pub fn new(options: UploadOptions) -> std::io::Result<Self> {
        std::fs::create_dir_all(&options.dir)?;
        Ok(Self {
            options,
            slots: Arc::new(Semaphore::new(JOBS)),
            importer: Arc::new(citytrace_importers::import_file_with_progress),
        })
    }

    /// The same uploads with `importer` in place of the real one (tests: an importer that
    /// panics, or that waits to show how many jobs run at once).
    #[cfg(feature = "testing")]
    pub fn with_importer(mut self, importer: Importer) -> Self {
        self.importer = importer;
        self
    }

    pub fn options(&self) -> &UploadOptions {
        &self.options
    }

    pub(crate) fn importer(&self) -> Importer {
        self.importer.clone()
    }

    /// A job slot for an API import: waits, in the order requests came, until one is free.
    pub(crate) async fn job_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }

    /// Make sure queued uploads get processed: if a job slot is free, start a runner that
    /// works through the queue one job per slot (between jobs the slot is given back, so API
    /// imports waiting for one get their turn; busy runners pick up new work when they finish
    /// a job). When the queue is done, the search index is brought up to date (a no-op for the
    /// Postgres backend, which searches the tables themselves).
    pub fn run_queued(&self, pool: &PgPool, search: &Arc<dyn crate::search::SearchIndex>) {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return;
        };
        let pool = pool.clone();
        let uploads = self.clone();
        let search = search.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let mut slot = Some(slot);
            while let Some(held) = slot.take() {
                let worked = jobs::run_next(&pool, &uploads.options.dir, &uploads.importer);
                drop(held);
                memory::return_freed_memory();
                if !worked {
                    break;
                }
                slot = uploads.slots.clone().try_acquire_owned().ok();
            }
            runtime.spawn(async move {
                if let Err(e) = search.sync().await {
                    tracing::warn!(backend = search.name(), error = %e, "search sync after an upload failed; the periodic sync will retry");
                }
            });
        });
    }

    /// If `upload` is in a job that no longer runs (its process ended), queue it again;
    /// whether it changed. Pages call this when they show an upload in progress.
    pub fn recover_interrupted(
        conn: &mut diesel::PgConnection,
        upload: &Upload,
    ) -> diesel::QueryResult<bool> {
        jobs::recover_interrupted(conn, upload)
    }

    /// Remove an upload's stored file (and its folder), if it still has one.
    pub fn remove_file(
        &self,
        conn: &mut diesel::PgConnection,
        upload: &Upload,
    ) -> diesel::QueryResult<()> {
        storage::remove_stored(conn, &self.options.dir, upload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_people_write_them() {
        let mut options = UploadOptions::new("/tmp/x");
        assert_eq!(options.limit_text(), "512 MiB");
        options.max_bytes = 1024;
        assert_eq!(options.limit_text(), "1 KiB");
        options.max_bytes = 300;
        assert_eq!(options.limit_text(), "300 bytes");
    }
}
