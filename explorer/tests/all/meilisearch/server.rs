//! A real Meilisearch server for one test: the binary at `CITYTRACE_MEILISEARCH_BIN` (default
//! `../shared/tools/meilisearch/meilisearch` beside the repository), started on a free port
//! with its own data folder and master key, stopped when the test drops it. When the binary is
//! absent the test says so and stops; with `CITYTRACE_REQUIRE_REFERENCE=1` (`.ci/run`) its
//! absence fails the test instead.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MeiliServer {
    child: Child,
    pub url: String,
    pub key: String,
    data: tempfile::TempDir,
}

/// Where the Meilisearch binary is expected: `CITYTRACE_MEILISEARCH_BIN`, else beside the
/// reference files (`$CITYTRACE_REFERENCE_DIR/../tools/meilisearch/meilisearch`), else
/// `../shared/tools/meilisearch/meilisearch` from the repository.
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("CITYTRACE_MEILISEARCH_BIN") {
        return PathBuf::from(bin);
    }
    let shared = match std::env::var_os("CITYTRACE_REFERENCE_DIR") {
        Some(reference) => PathBuf::from(reference).join(".."),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    shared.join("tools/meilisearch/meilisearch")
}

impl MeiliServer {
    /// A running server, or None (after saying so) when the binary is absent.
    pub fn start() -> Option<Self> {
        let binary = binary();
        if !binary.is_file() {
            let required = std::env::var("CITYTRACE_REQUIRE_REFERENCE").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "CITYTRACE_REQUIRE_REFERENCE=1 but there is no Meilisearch server at {}",
                binary.display()
            );
            eprintln!(
                "NOTE: no Meilisearch server at {}, so this test checked nothing; set CITYTRACE_MEILISEARCH_BIN to run it",
                binary.display()
            );
            return None;
        }
        let data = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let key = "citytrace-test-master-key".to_string();
        let log = std::fs::File::create(data.path().join("meilisearch.log")).unwrap();
        let child = Command::new(&binary)
            .arg("--db-path")
            .arg(data.path().join("db"))
            .args(["--http-addr", &format!("127.0.0.1:{port}")])
            .args(["--master-key", &key, "--no-analytics"])
            .args(["--max-indexing-threads", "1"])
            .current_dir(data.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            key,
            data,
        };
        server.wait_until_available(port);
        Some(server)
    }

    /// Until `GET /health` answers `available` (a startup deadline, not a measurement).
    fn wait_until_available(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("Meilisearch exited ({status}): {}", self.log());
            }
            if health(port).is_some_and(|body| body.contains("available")) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "Meilisearch did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data.path().join("meilisearch.log")).unwrap_or_default()
    }
}

/// The body of `GET /health`, if the server answers.
fn health(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

impl Drop for MeiliServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
