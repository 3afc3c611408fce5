//! The embedded PostgreSQL: initialised on first start, reused, stopped, restarted on the
//! same port — a real cluster in a temporary folder.

use citytrace_schema::database::{connect, create_database_if_missing, database_exists};
use citytrace_schema::local_pg::{ClusterStatus, LocalCluster};
use citytrace_schema::testing::THROWAWAY_SETTINGS;
use diesel::RunQueryDsl;

#[test]
fn cluster_initialises_is_reused_restarts_on_its_port_and_stops() {
    let dir = tempfile::Builder::new()
        .prefix("ct-pg")
        .tempdir_in("/tmp")
        .unwrap();
    let cluster = LocalCluster::open(dir.path(), THROWAWAY_SETTINGS).unwrap();
    assert_eq!(cluster.status(), ClusterStatus::Absent);

    let (first, started) = cluster.start().unwrap();
    assert!(started, "the first start starts the server");
    assert_eq!(cluster.status(), ClusterStatus::Running(first.clone()));
    assert!(
        first
            .socket_dir
            .join(format!(".s.PGSQL.{}", first.port))
            .exists(),
        "unix socket in the run folder"
    );

    let (again, started_again) = cluster.start().unwrap();
    assert!(
        !started_again,
        "a running server is reused, not started twice"
    );
    assert_eq!(again, first);

    create_database_if_missing(&first, "citytrace").unwrap();
    create_database_if_missing(&first, "citytrace").unwrap();
    let mut conn = connect(&first.url("postgres")).unwrap();
    assert!(database_exists(&mut conn, "citytrace").unwrap());
    drop(conn);
    // The socket URL reaches the same server.
    let mut via_socket = connect(&first.socket_url("citytrace")).unwrap();
    diesel::sql_query("SELECT 1")
        .execute(&mut via_socket)
        .unwrap();
    drop(via_socket);

    assert!(cluster.stop().unwrap());
    assert_eq!(cluster.status(), ClusterStatus::Stopped);
    assert!(
        !cluster.stop().unwrap(),
        "stopping a stopped server says it was not running"
    );

    let (restarted, started) = cluster.start().unwrap();
    assert!(started);
    assert_eq!(
        restarted.port, first.port,
        "the recorded port is reused while it is free"
    );
    let mut conn = connect(&restarted.url("citytrace")).unwrap();
    diesel::sql_query("SELECT 1").execute(&mut conn).unwrap();
    drop(conn);
    cluster.stop().unwrap();
}

#[test]
fn a_taken_port_moves_the_server_to_a_free_one() {
    let dir = tempfile::Builder::new()
        .prefix("ct-pg")
        .tempdir_in("/tmp")
        .unwrap();
    let cluster = LocalCluster::open(dir.path(), THROWAWAY_SETTINGS).unwrap();
    let (first, _) = cluster.start().unwrap();
    cluster.stop().unwrap();
    let squatter = std::net::TcpListener::bind(("127.0.0.1", first.port)).unwrap();
    let (second, _) = cluster.start().unwrap();
    assert_ne!(second.port, first.port);
    drop(squatter);
    cluster.stop().unwrap();
}
