//! Giving the memory of a finished job back to the operating system.
//!
//! An import reads its file in chunks, in a few threads; glibc's allocator keeps what those
//! threads freed in per-thread arenas for reuse rather than returning it, so a server that
//! imported a large file once would stay at its peak size. Three things bring it back down
//! (measured in docs/benchmarks.md, "Uploads: memory"): the job's database connection is closed
//! ([`retire`]); after every job, glibc is asked to release the free memory of every arena
//! (`malloc_trim(0)`, [`return_freed_memory`]); and the server caps glibc's arenas at one per
//! core ([`limit_arenas`]) — with its default of eight per core, the jobs' threads spread their
//! allocations over many arenas whose leftovers no trim can give back. Elsewhere (musl, other
//! systems) the last two do nothing.

/// Close the connection a job used instead of giving it back to the pool. libpq keeps its
/// buffers at the largest size they reached for as long as a connection lives — for an
/// import's COPY, megabytes per connection — so a pool that kept the connections of finished
/// jobs would keep their memory. The pool closes a connection it gets back inside a
/// transaction (it could not hand it out again), which is how it is told to.
pub fn retire(
    mut conn: diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<diesel::PgConnection>>,
) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let Err(e) = AnsiTransactionManager::begin_transaction(&mut *conn) {
        tracing::debug!(error = %e, "retiring a job's connection: it was broken already");
    }
    drop(conn);
}

/// Cap glibc's malloc arenas at one per core (at least two), unless the operator chose a
/// number with `MALLOC_ARENA_MAX`. Called once when the server starts, before its threads
/// allocate. Returns the cap set, if any.
pub fn limit_arenas() -> Option<usize> {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if glibc::call(glibc::Call::ArenaMax(cores)) {
        return Some(cores);
    }
    None
}

/// Return the memory freed by finished jobs to the operating system (glibc only).
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::call(glibc::Call::Trim);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::os::raw::c_int;

    extern "C" {
        fn malloc_trim(pad: usize) -> c_int;
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }

    /// `M_ARENA_MAX` of glibc's malloc.h.
    const M_ARENA_MAX: c_int = -8;

    pub(super) enum Call {
        /// Release the free memory of every arena (man 3 malloc_trim; every arena since 2.8).
        Trim,
        /// Create at most this many arenas from now on (man 3 mallopt, `M_ARENA_MAX`).
        ArenaMax(usize),
    }

    /// The one place the workspace allows `unsafe`: calls to two glibc functions that take
    /// numbers and return a number, with no pointers and no preconditions. True when glibc
    /// reports success (`malloc_trim`: memory was released).
    #[allow(unsafe_code)]
    pub(super) fn call(call: Call) -> bool {
        match call {
            // SAFETY: malloc_trim has no preconditions; 0 keeps no padding at the top of the heap.
            Call::Trim => unsafe { malloc_trim(0) == 1 },
            Call::ArenaMax(arenas) => {
                let arenas = c_int::try_from(arenas).unwrap_or(c_int::MAX);
                // SAFETY: mallopt has no preconditions; it may be called at any time, and an
                // arena limit only applies to arenas created afterwards.
                unsafe { mallopt(M_ARENA_MAX, arenas) == 1 }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::retire;
    use citytrace_schema::testing::TestDatabase;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }

    fn backend(conn: &mut diesel::PgConnection) -> i32 {
        diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Backend>(conn)
            .unwrap()
            .pid
    }

    #[test]
    fn a_retired_connection_is_closed_not_handed_out_again() {
        let db = TestDatabase::new();
        let pool = db.pool(1);
        let mut conn = pool.get().unwrap();
        let first = backend(&mut conn);
        drop(conn);
        // Given back as usual, the same connection (the same server process) comes out again.
        let mut conn = pool.get().unwrap();
        assert_eq!(backend(&mut conn), first);
        retire(conn);
        let mut conn = pool.get().unwrap();
        let second = backend(&mut conn);
        assert_ne!(second, first, "a new connection after retire");
        drop(conn);
        // The pool goes on as usual with the new one.
        assert_eq!(backend(&mut pool.get().unwrap()), second);
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_an_arena_cap_of_one_per_core_unless_the_operator_set_one() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let expected = std::env::var_os("MALLOC_ARENA_MAX")
            .is_none()
            .then_some(cores);
        assert_eq!(super::limit_arenas(), expected);
    }
}
