//! Running diesel (blocking) work from async tasks.

use diesel::pg::PgConnection;

use citytrace_schema::PgPool;

use crate::error::IndexerError;

/// Run `f` with a pooled connection on the blocking thread pool.
pub async fn with_conn<T, F>(pool: &PgPool, f: F) -> Result<T, IndexerError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, IndexerError> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await
    .map_err(|e| IndexerError::Join(e.to_string()))?
}
