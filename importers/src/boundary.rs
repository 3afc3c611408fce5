//! The importers' public boundary. Whatever happens inside an import — a bug that panics, on
//! any thread, in any format; the database connection going away — comes out of
//! [`crate::import_file_with_progress`] and [`crate::import_reader`] as an [`ImportError`], with
//! the transaction rolled back: never a panic crossing into the caller (the CLI, the upload
//! jobs, the upload API), never a half-written batch.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::pg::PgConnection;
use diesel::result::Error as DieselError;

use crate::error::{DbFailure, ImportError};

/// Run one import, turning a panic into [`ImportError::Internal`] (after rolling back any
/// transaction it left open) and a lost connection into [`ImportError::ConnectionLost`].
pub(crate) fn guard<T>(
    conn: &mut PgConnection,
    import: impl FnOnce(&mut PgConnection) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    match catch_unwind(AssertUnwindSafe(|| import(&mut *conn))) {
        Ok(Err(ImportError::Db(e))) if connection_lost(&e) => {
            Err(ImportError::ConnectionLost { line: None })
        }
        Ok(result) => result,
        Err(panic) => {
            roll_back_open_transactions(conn);
            Err(ImportError::Internal {
                line: None,
                message: panic_message(&*panic),
            })
        }
    }
}

/// The text a panic was raised with (`panic!("…")` gives a `&str` or a `String`). Pass the
/// payload itself (`&*panic`), not the `Box` holding it.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Whether `error` means the connection to PostgreSQL is gone (server restarted or shut down,
/// session terminated, network cut): see [`DbFailure::of`].
pub(crate) fn connection_lost(error: &DieselError) -> bool {
    DbFailure::of(error) == DbFailure::ConnectionLost
}

/// Roll back what a panic left open, innermost first, so the connection goes back to its pool
/// clean. When the transaction manager itself is broken the pool discards the connection, and
/// PostgreSQL rolls back when it closes.
fn roll_back_open_transactions(conn: &mut PgConnection) {
    while let Ok(Some(_)) =
        AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth()
    {
        if AnsiTransactionManager::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Bool;
    use diesel::{Connection, QueryableByName, RunQueryDsl};

    use citytrace_schema::testing::TestDatabase;

    use super::*;

    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }

    #[test]
    fn a_panic_inside_a_transaction_is_an_internal_error_and_is_rolled_back() {
        let db = TestDatabase::new();
        let conn = &mut db.conn();
        let result: Result<(), ImportError> = guard(conn, |conn| {
            conn.transaction::<(), ImportError, _>(|conn| {
                diesel::sql_query("CREATE TABLE written_before_the_panic (x int)").execute(conn)?;
                panic!("a bug");
            })
        });
        match result {
            Err(ImportError::Internal {
                line: None,
                message,
            }) => assert_eq!(message, "a bug"),
            other => panic!("{other:?}"),
        }
        let depth = AnsiTransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()
            .unwrap();
        assert_eq!(depth, None, "no transaction is left open");
        let table: Exists = diesel::sql_query(
            "SELECT to_regclass('written_before_the_panic') IS NOT NULL AS exists",
        )
        .get_result(conn)
        .unwrap();
        assert!(!table.exists, "the transaction was rolled back");
    }
}
