//! The headline figures computed once per change of the data, not per request.
//!
//! Each request reads the data version (`citytrace_reads::home`: one cheap query). When it matches
//! the cached figures' version they are served as they are. When it does not, one request
//! recomputes them — in one REPEATABLE READ snapshot that also reads the version they belong
//! to — while the requests arriving meanwhile are served the previous figures marked as being
//! updated (with when they were computed); only when there are none yet do they wait for it.
//! Figures that failed are shown as unavailable but not cached, so the next request tries
//! again.

use std::sync::{Arc, Mutex, TryLockError};

use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;

use citytrace_reads::home::headline::load_headline;
use citytrace_reads::home::load_data_version;
use citytrace_reads::MethodSettings;

use super::Figure;

/// The figures of one version of the data.
#[derive(Debug)]
pub struct Headline {
    pub version: String,
    pub figures: Vec<Figure>,
    pub computed_at: DateTime<Utc>,
}

/// The figures a request shows.
#[derive(Debug, Clone)]
pub struct HeadlineFigures {
    pub headline: Arc<Headline>,
    /// The data changed since they were computed and another request is recomputing them.
    pub updating: bool,
}

/// The explorer's one copy of the figures (`AppState::headline`).
#[derive(Debug, Default)]
pub struct HeadlineCache {
    current: Mutex<Option<Arc<Headline>>>,
    /// Held by the request recomputing the figures.
    computing: Mutex<()>,
}

/// The version of the data the figures are computed from (`citytrace_reads::home`).
pub fn data_version(conn: &mut PgConnection) -> QueryResult<String> {
    load_data_version(conn)
}

impl HeadlineCache {
    fn current(&self) -> Option<Arc<Headline>> {
        match self.current.lock() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn current_of(&self, version: &str) -> Option<Arc<Headline>> {
        self.current().filter(|h| h.version == version)
    }

    /// The figures for the data as it is now (see the module's documentation).
    pub fn figures(
        &self,
        conn: &mut PgConnection,
        methods: &MethodSettings,
    ) -> QueryResult<HeadlineFigures> {
        let version = data_version(conn)?;
        let fresh = |headline| HeadlineFigures {
            headline,
            updating: false,
        };
        if let Some(h) = self.current_of(&version) {
            return Ok(fresh(h));
        }
        let _computing = match self.computing.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => match self.current() {
                Some(previous) => {
                    return Ok(HeadlineFigures {
                        headline: previous,
                        updating: true,
                    })
                }
                None => self
                    .computing
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            },
        };
        // Computed while this request waited?
        if let Some(h) = self.current_of(&version) {
            return Ok(fresh(h));
        }
        let (headline, complete) = compute(conn, methods)?;
        let headline = Arc::new(headline);
        if complete {
            let mut current = self
                .current
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *current = Some(headline.clone());
        }
        Ok(fresh(headline))
    }
}

/// The figures and the version of the data they come from, in one snapshot
/// (`citytrace_reads::home::headline`); whether every figure could be computed.
fn compute(conn: &mut PgConnection, methods: &MethodSettings) -> QueryResult<(Headline, bool)> {
    let computed_at = Utc::now();
    let read = load_headline(conn, methods, computed_at.year(), computed_at)?;
    let (figures, complete) = super::headline(&read);
    Ok((
        Headline {
            version: read.version,
            figures,
            computed_at,
        },
        complete,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use citytrace_schema::testing::TestDatabase;

    fn add_party(conn: &mut PgConnection, code: &str) {
        diesel::sql_query("INSERT INTO parties (code, name) VALUES ($1, $1)")
            .bind::<diesel::sql_types::Text, _>(code)
            .execute(conn)
            .unwrap();
    }

    #[test]
    fn figures_are_kept_until_the_data_changes_and_recomputed_by_one_request() {
        let db = TestDatabase::new();
        let conn = &mut db.conn();
        let methods = MethodSettings::default();
        let cache = HeadlineCache::default();

        let first = cache.figures(conn, &methods).unwrap();
        assert!(!first.updating);
        assert_eq!(first.headline.figures.len(), 5);
        // Nothing changed: the same figures, not recomputed.
        let again = cache.figures(conn, &methods).unwrap();
        assert!(Arc::ptr_eq(&first.headline, &again.headline));

        // The data changes while another request is recomputing: the previous figures,
        // marked as being updated.
        add_party(conn, "XI-NEW-1");
        {
            let _other_request = cache.computing.lock().unwrap();
            let meanwhile = cache.figures(conn, &methods).unwrap();
            assert!(meanwhile.updating);
            assert!(Arc::ptr_eq(&first.headline, &meanwhile.headline));
        }
        // Then the next request recomputes them, for the new version.
        let fresh = cache.figures(conn, &methods).unwrap();
        assert!(!fresh.updating);
        assert!(!Arc::ptr_eq(&first.headline, &fresh.headline));
        assert_ne!(first.headline.version, fresh.headline.version);
        assert_eq!(fresh.headline.version, data_version(conn).unwrap());
        let kept = cache.figures(conn, &methods).unwrap();
        assert!(Arc::ptr_eq(&fresh.headline, &kept.headline));
    }

    #[test]
    fn with_no_figures_yet_a_request_waits_for_the_one_computing_them() {
        let db = TestDatabase::new();
        let pool = db.pool(2);
        let cache = Arc::new(HeadlineCache::default());
        let methods = MethodSettings::default();
        let guard = cache.computing.lock().unwrap();
        let waiting = {
            let (cache, pool, methods) = (cache.clone(), pool.clone(), methods.clone());
            std::thread::spawn(move || cache.figures(&mut pool.get().unwrap(), &methods).unwrap())
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !waiting.is_finished(),
            "it waits rather than showing nothing"
        );
        drop(guard);
        let figures = waiting.join().unwrap();
        assert!(!figures.updating);
        assert_eq!(figures.headline.figures.len(), 5);
    }
}
