//! Found in issue 10: an import while PostgreSQL goes away ended with an error that did not say
//! so. The import's own session is terminated from another connection (as a server restart or
//! a network cut would end it): the error says the connection was lost, at which line, that
//! nothing was imported and to run it again — in every format — and running it again imports.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use citytrace_importers::{
    import_file, import_file_with_progress, Format, ImportError, ImportOutcome,
};
use citytrace_schema::testing::TestDatabase;

use super::examples::{example, file, import_prerequisites, options, CSV_FORMATS};

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn backend_pid(conn: &mut PgConnection) -> i32 {
    diesel::select(diesel::dsl::sql::<Integer>("pg_backend_pid()"))
        .get_result(conn)
        .unwrap()
}

/// End session `pid` from another connection, and wait until it is gone.
fn terminate(db: &TestDatabase, pid: i32) {
    let admin = &mut db.conn();
    diesel::sql_query("SELECT pg_terminate_backend($1)")
        .bind::<Integer, _>(pid)
        .execute(admin)
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left: Number =
            diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1")
                .bind::<Integer, _>(pid)
                .get_result(admin)
                .unwrap();
        if left.n == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "session {pid} lingers"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_connection_lost_while_writing_names_its_line_in_every_csv_format() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    for format in CSV_FORMATS {
        import_prerequisites(&db, dir.path(), format);
        let contents = db.contents();
        let path = file(
            dir.path(),
            &format!("{}.csv", format.name()),
            example(format),
        );
        let mut conn = db.conn();
        let pid = backend_pid(&mut conn);
        // Progress is reported on the loading thread after a chunk is written, before the
        // batch is completed and committed.
        let result = import_file_with_progress(&mut conn, format, &path, &options(), &|_| {
            terminate(&db, pid)
        });
        match result {
            Err(e @ ImportError::ConnectionLost { line: Some(2) }) => assert_eq!(
                e.to_string(),
                "the database connection was lost at line 2; nothing was imported; run it again"
            ),
            other => panic!("{}: {other:?}", format.name()),
        }
        assert_eq!(
            db.contents(),
            contents,
            "{}: rows were written",
            format.name()
        );
        let again = import_file(&mut db.conn(), format, &path, &options());
        assert!(
            matches!(again, Ok(ImportOutcome::Imported { .. })),
            "{}: run again: {again:?}",
            format.name()
        );
    }
}

#[test]
fn a_connection_lost_before_an_import_is_named_in_every_format() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "any.csv", example(Format::Budget));
    for &format in Format::ALL {
        let mut conn = db.conn();
        terminate(&db, backend_pid(&mut conn));
        match import_file(&mut conn, format, &path, &options()) {
            Err(ImportError::ConnectionLost { line: None }) => {}
            other => panic!("{}: {other:?}", format.name()),
        }
    }
}
