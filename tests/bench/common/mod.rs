//! What the benchmarks share: a process's memory from /proc, and the explorer started as a
//! separate process.

#![allow(dead_code)] // each benchmark uses a part

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use citytrace_schema::testing::TestDatabase;

/// A `/proc/<pid>/status` field in kB (`VmRSS:`, `VmHWM:`).
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start_explorer(db: &TestDatabase, port: u16, uploads: &std::path::Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_citytrace"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--upload-dir")
        .arg(uploads)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let began = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "the explorer did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}
