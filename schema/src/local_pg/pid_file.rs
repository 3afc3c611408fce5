//! Reading `postmaster.pid`, which says whether the server runs and where it listens.
//!
//! Format (PostgreSQL 10+): line 1 pid, 2 data dir, 3 start time, 4 port, 5 first socket
//! directory, 6 first listen address, 7 shared memory key, 8 status ("ready" once accepting).

use std::path::{Path, PathBuf};

use nix::sys::signal::kill;
use nix::unistd::Pid;

pub(super) struct PostmasterPid {
    pub pid: i32,
    pub port: u16,
    pub socket_dir: PathBuf,
    pub ready: bool,
}

impl PostmasterPid {
    pub fn read(cluster_dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(cluster_dir.join("postmaster.pid")).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        Some(Self {
            pid: lines.first()?.trim().parse().ok()?,
            port: lines.get(3)?.trim().parse().ok()?,
            socket_dir: PathBuf::from(lines.get(4)?.trim()),
            ready: lines.get(7).is_some_and(|s| s.trim() == "ready"),
        })
    }

    /// The pid file survives a crash; the process must also still exist.
    pub fn is_alive(&self) -> bool {
        kill(Pid::from_raw(self.pid), None).is_ok()
    }
}
