use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer};

use super::import_batch::ImportBatch;
use crate::schema::{import_batches, uploads};

/// Where an upload is. The `*_queued` states are the job queue the explorer's job runner
/// claims from; `checking` and `importing` are held by a running job (see [`Upload::lock_job`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStatus {
    CheckQueued,
    Checking,
    /// The file has problems (`problems`); nothing was imported.
    Invalid,
    /// The dry run passed (`row_count`, `merkle_root`); waiting for the supplier to import.
    Valid,
    ImportQueued,
    Importing,
    /// Imported as `batch_id`.
    Imported,
    /// This party had imported the same file before, as `batch_id`.
    AlreadyImported,
    /// A job failed (`message`); the supplier may check the file again.
    Failed,
    Discarded,
}

impl UploadStatus {
    pub const ALL: [UploadStatus; 10] = [
        Self::CheckQueued,
        Self::Checking,
        Self::Invalid,
        Self::Valid,
        Self::ImportQueued,
        Self::Importing,
        Self::Imported,
        Self::AlreadyImported,
        Self::Failed,
        Self::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CheckQueued => "check_queued",
            Self::Checking => "checking",
            Self::Invalid => "invalid",
            Self::Valid => "valid",
            Self::ImportQueued => "import_queued",
            Self::Importing => "importing",
            Self::Imported => "imported",
            Self::AlreadyImported => "already_imported",
            Self::Failed => "failed",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Waiting for a job or held by one: pages keep polling.
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            Self::CheckQueued | Self::Checking | Self::ImportQueued | Self::Importing
        )
    }
}

/// A file a party uploaded on the upload page.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = uploads)]
pub struct Upload {
    pub id: i64,
    pub party_id: i64,
    pub format: String,
    pub file_name: String,
    pub stored_as: Option<String>,
    pub size_bytes: i64,
    pub sha256: Vec<u8>,
    pub status: String,
    pub attempts: i32,
    pub progress_bytes: i64,
    pub progress_rows: i64,
    pub row_count: Option<i32>,
    pub merkle_root: Option<Vec<u8>>,
    pub problem_count: Option<i32>,
    pub problems: Option<serde_json::Value>,
    pub batch_id: Option<i64>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = uploads)]
pub struct NewUpload<'a> {
    pub party_id: i64,
    pub format: &'a str,
    pub file_name: &'a str,
    pub stored_as: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a [u8],
    pub status: &'a str,
}

/// The first key of the advisory locks jobs hold on uploads ("ctup").
const JOB_LOCK_CLASS: i32 = 0x6374_7570;

/// A job that was interrupted this many times is given up.
pub const MAX_ATTEMPTS: i32 = 3;

fn job_lock_key(id: i64) -> i32 {
    (id & 0x7fff_ffff) as i32
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = Bool)]
    held: bool,
}

impl Upload {
    pub fn status(&self) -> UploadStatus {
        UploadStatus::parse(&self.status).unwrap_or(UploadStatus::Failed)
    }

    pub fn insert(conn: &mut PgConnection, new: &NewUpload<'_>) -> QueryResult<Upload> {
        diesel::insert_into(uploads::table)
            .values(new)
            .returning(Upload::as_returning())
            .get_result(conn)
    }

    /// The upload if it belongs to this party.
    pub fn find_of_party(
        conn: &mut PgConnection,
        id: i64,
        party_id: i64,
    ) -> QueryResult<Option<Upload>> {
        uploads::table
            .filter(uploads::id.eq(id))
            .filter(uploads::party_id.eq(party_id))
            .select(Upload::as_select())
            .first(conn)
            .optional()
    }

    pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Upload> {
        uploads::table
            .find(id)
            .select(Upload::as_select())
            .first(conn)
    }

    /// A party's uploads, newest first.
    pub fn of_party(
        conn: &mut PgConnection,
        party_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<Upload>> {
        uploads::table
            .filter(uploads::party_id.eq(party_id))
            .order(uploads::id.desc())
            .limit(limit)
            .select(Upload::as_select())
            .load(conn)
    }

    /// The oldest queued upload, row-locked (`FOR UPDATE SKIP LOCKED`): call inside a
    /// transaction, then [`Upload::lock_job`] and [`Upload::start_job`] before committing.
    pub fn next_queued_for_update(conn: &mut PgConnection) -> QueryResult<Option<Upload>> {
        uploads::table
            .filter(uploads::status.eq_any([
                UploadStatus::CheckQueued.as_str(),
                UploadStatus::ImportQueued.as_str(),
            ]))
            .order(uploads::id)
            .select(Upload::as_select())
            .for_update()
            .skip_locked()
            .first(conn)
            .optional()
    }

    /// Take the session-level advisory lock that marks a running job on this upload. It is
    /// released by [`Upload::unlock_job`] or when the connection closes (a crashed process).
    pub fn lock_job(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        diesel::sql_query("SELECT pg_advisory_lock($1, $2)")
            .bind::<Integer, _>(JOB_LOCK_CLASS)
            .bind::<Integer, _>(job_lock_key(id))
            .execute(conn)?;
        Ok(())
    }

    pub fn unlock_job(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        diesel::sql_query("SELECT pg_advisory_unlock($1, $2)")
            .bind::<Integer, _>(JOB_LOCK_CLASS)
            .bind::<Integer, _>(job_lock_key(id))
            .execute(conn)?;
        Ok(())
    }

    /// Whether some connection holds this upload's job lock (a job is running).
    pub fn job_running(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
        let row: Held = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_locks \
               WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                 AND classid::int8 = $1 AND objid::int8 = $2 AND objsubid = 2) AS held",
        )
        .bind::<BigInt, _>(i64::from(JOB_LOCK_CLASS))
        .bind::<BigInt, _>(i64::from(job_lock_key(id)))
        .get_result(conn)?;
        Ok(row.held)
    }

    /// Move a claimed upload from `*_queued` to `checking`/`importing`, counting the attempt.
    pub fn start_job(conn: &mut PgConnection, id: i64, running: UploadStatus) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::status.eq(running.as_str()),
                uploads::attempts.eq(uploads::attempts + 1),
                uploads::progress_bytes.eq(0),
                uploads::progress_rows.eq(0),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// How far the running job has got (bytes of the file read, rows seen).
    pub fn record_progress(
        conn: &mut PgConnection,
        id: i64,
        bytes: i64,
        rows: i64,
    ) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::progress_bytes.eq(bytes),
                uploads::progress_rows.eq(rows),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// A job in `checking`/`importing` whose lock nobody holds was interrupted (the process
    /// ended): queue it again, or give up after [`MAX_ATTEMPTS`]. Call only after
    /// [`Upload::job_running`] said no. Whether the upload changed.
    pub fn requeue_interrupted(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
        let in_job = uploads::table.find(id).filter(uploads::status.eq_any([
            UploadStatus::Checking.as_str(),
            UploadStatus::Importing.as_str(),
        ]));
        let gave_up = diesel::update(in_job.filter(uploads::attempts.ge(MAX_ATTEMPTS)))
            .set((
                uploads::status.eq(UploadStatus::Failed.as_str()),
                uploads::message.eq("The job was interrupted several times."),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        let mut requeued = 0;
        for (running, queued) in [
            (UploadStatus::Checking, UploadStatus::CheckQueued),
            (UploadStatus::Importing, UploadStatus::ImportQueued),
        ] {
            requeued += diesel::update(
                uploads::table
                    .find(id)
                    .filter(uploads::status.eq(running.as_str())),
            )
            .set((
                uploads::status.eq(queued.as_str()),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        }
        Ok(gave_up + requeued > 0)
    }

    pub fn mark_valid(
        conn: &mut PgConnection,
        id: i64,
        rows: i32,
        merkle_root: &[u8],
    ) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::status.eq(UploadStatus::Valid.as_str()),
                uploads::row_count.eq(rows),
                uploads::merkle_root.eq(merkle_root),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// `problems`: `{"errors": […], "total": n}` as the importers report them.
    pub fn mark_invalid(
        conn: &mut PgConnection,
        id: i64,
        problem_count: i32,
        problems: &serde_json::Value,
    ) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::status.eq(UploadStatus::Invalid.as_str()),
                uploads::problem_count.eq(problem_count),
                uploads::problems.eq(problems),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// `Imported` or `AlreadyImported` as `batch`.
    pub fn mark_batch(
        conn: &mut PgConnection,
        id: i64,
        status: UploadStatus,
        batch: &ImportBatch,
    ) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::status.eq(status.as_str()),
                uploads::batch_id.eq(batch.id),
                uploads::row_count.eq(batch.row_count),
                uploads::merkle_root.eq(&batch.merkle_root),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn mark_failed(conn: &mut PgConnection, id: i64, message: &str) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set((
                uploads::status.eq(UploadStatus::Failed.as_str()),
                uploads::message.eq(message),
                uploads::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// The stored file has been removed.
    pub fn forget_file(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        diesel::update(uploads::table.find(id))
            .set(uploads::stored_as.eq(None::<String>))
            .execute(conn)?;
        Ok(())
    }

    /// `valid` → `import_queued`, if the upload is this party's and valid. Whether it was.
    pub fn queue_import(conn: &mut PgConnection, id: i64, party_id: i64) -> QueryResult<bool> {
        Self::transition(
            conn,
            id,
            party_id,
            &[UploadStatus::Valid],
            UploadStatus::ImportQueued,
        )
    }

    /// `failed` → `check_queued` (the file is still stored). Whether it was.
    pub fn queue_check_again(conn: &mut PgConnection, id: i64, party_id: i64) -> QueryResult<bool> {
        let n = diesel::update(
            uploads::table
                .find(id)
                .filter(uploads::party_id.eq(party_id))
                .filter(uploads::status.eq(UploadStatus::Failed.as_str()))
                .filter(uploads::stored_as.is_not_null()),
        )
        .set((
            uploads::status.eq(UploadStatus::CheckQueued.as_str()),
            uploads::attempts.eq(0),
            uploads::message.eq(None::<String>),
            uploads::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
        Ok(n > 0)
    }

    /// `valid` or `failed` → `discarded`. The upload as it is now, if it changed.
    pub fn discard(conn: &mut PgConnection, id: i64, party_id: i64) -> QueryResult<Option<Upload>> {
        diesel::update(
            uploads::table
                .find(id)
                .filter(uploads::party_id.eq(party_id))
                .filter(
                    uploads::status
                        .eq_any([UploadStatus::Valid.as_str(), UploadStatus::Failed.as_str()]),
                ),
        )
        .set((
            uploads::status.eq(UploadStatus::Discarded.as_str()),
            uploads::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Upload::as_returning())
        .get_result(conn)
        .optional()
    }

    fn transition(
        conn: &mut PgConnection,
        id: i64,
        party_id: i64,
        from: &[UploadStatus],
        to: UploadStatus,
    ) -> QueryResult<bool> {
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let n = diesel::update(
            uploads::table
                .find(id)
                .filter(uploads::party_id.eq(party_id))
                .filter(uploads::status.eq_any(from)),
        )
        .set((
            uploads::status.eq(to.as_str()),
            uploads::attempts.eq(0),
            uploads::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
        Ok(n > 0)
    }
}

/// The batches a submitter (a party code) imported, by any route (page, API, CLI), newest
/// first: what the upload page lists as the party's own.
pub fn batches_submitted_by(
    conn: &mut PgConnection,
    submitter: &str,
    limit: i64,
) -> QueryResult<Vec<ImportBatch>> {
    import_batches::table
        .filter(import_batches::submitter.eq(submitter))
        .order(import_batches::id.desc())
        .limit(limit)
        .select(ImportBatch::as_select())
        .load(conn)
}
