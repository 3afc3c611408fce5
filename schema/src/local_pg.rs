//! The embedded default database: a private PostgreSQL cluster in the project data folder.
//!
//! With no `DATABASE_URL`, citytrace runs its own cluster with the system's PostgreSQL
//! binaries (`initdb`, `pg_ctl`, found on `PATH` or under `/usr/lib/postgresql/*/bin`):
//!
//! ```text
//! <data dir>/postgres/       the cluster (initdb), owned by the server's OS user, mode 0700
//! <data dir>/postgres-run/   its unix socket and postgres.log
//! ```
//!
//! The server listens on that socket and on a free 127.0.0.1 port chosen at first start and
//! kept while it stays free. It keeps running between commands and is reused by the next one
//! (`citytrace db status|stop|url`). PostgreSQL refuses to run as root, so when citytrace runs
//! as root the server runs as an unprivileged account (`postgres` if it exists, else a
//! `citytrace` system account created on first use; `CITYTRACE_PG_USER` chooses another). If
//! that account cannot reach the data folder (a clone under `/root`, say) or the socket path
//! would be too long for a unix socket, the cluster lives under `/var/tmp/citytrace-<hash>`
//! instead, keyed by the data folder's path; `citytrace db status` says where.

mod os_user;
mod pid_file;

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::LocalPgError;
pub use os_user::OsUser;
use pid_file::PostmasterPid;

/// The longest socket directory we accept: a unix socket path is limited to 107 bytes and
/// PostgreSQL appends `/.s.PGSQL.<port>` (up to 17 bytes) plus a `.lock` file.
const MAX_SOCKET_DIR_LEN: usize = 85;
/// The superuser created by initdb; local connections are trusted (socket and 127.0.0.1 only).
pub const SUPERUSER: &str = "postgres";

/// A private PostgreSQL cluster under a data folder.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    data_dir: PathBuf,
    cluster_dir: PathBuf,
    run_dir: PathBuf,
    bin_dir: PathBuf,
    owner: Option<OsUser>,
    settings: Vec<(String, String)>,
}

/// What `status` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterStatus {
    /// No cluster has been initialised here yet.
    Absent,
    /// Initialised, not running.
    Stopped,
    /// Running and accepting connections.
    Running(RunningCluster),
}

/// A running server: where to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningCluster {
    pub pid: i32,
    pub port: u16,
    pub socket_dir: PathBuf,
}

impl RunningCluster {
    /// A TCP URL for `database` (`postgres://postgres@127.0.0.1:<port>/<database>`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// A unix-socket URL for `database`.
    pub fn socket_url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@/{database}?host={}&port={}",
            self.socket_dir.display(),
            self.port
        )
    }
}

impl LocalCluster {
    /// Describe the cluster that belongs to `data_dir` (created if missing). Nothing is
    /// started; `settings` are extra `postgresql.conf` lines (e.g. `fsync = off` for tests).
    pub fn open(data_dir: &Path, settings: &[(&str, &str)]) -> Result<Self, LocalPgError> {
        fs::create_dir_all(data_dir)
            .map_err(|e| LocalPgError::io("create the data folder", data_dir, e))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|e| LocalPgError::io("resolve the data folder", data_dir, e))?;
        let bin_dir = find_bin_dir()?;
        let owner = if nix::unistd::geteuid().is_root() {
            Some(OsUser::unprivileged()?)
        } else {
            None
        };
        let (cluster_dir, run_dir) = Self::placement(&data_dir, owner.as_ref());
        Ok(Self {
            data_dir,
            cluster_dir,
            run_dir,
            bin_dir,
            owner,
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    }

    /// The cluster and run folders: inside the data folder when the server's account can
    /// reach it and the socket path fits, else under /var/tmp keyed by the data folder.
    fn placement(data_dir: &Path, owner: Option<&OsUser>) -> (PathBuf, PathBuf) {
        let inside = (data_dir.join("postgres"), data_dir.join("postgres-run"));
        let reachable = owner.is_none_or(|u| u.can_traverse_to(data_dir));
        if reachable && inside.1.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
            return inside;
        }
        let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
        let base = PathBuf::from(format!("/var/tmp/citytrace-{}", hex::encode(&digest[..8])));
        (base.join("postgres"), base.join("run"))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    pub fn log_file(&self) -> PathBuf {
        self.run_dir.join("postgres.log")
    }

    /// The OS account the server runs as, when it is not the invoking user.
    pub fn owner(&self) -> Option<&OsUser> {
        self.owner.as_ref()
    }

    pub fn status(&self) -> ClusterStatus {
        if !self.cluster_dir.join("PG_VERSION").exists() {
            return ClusterStatus::Absent;
        }
        match PostmasterPid::read(&self.cluster_dir) {
            Some(pid) if pid.is_alive() && pid.ready => ClusterStatus::Running(RunningCluster {
                pid: pid.pid,
                port: pid.port,
                socket_dir: pid.socket_dir,
            }),
            _ => ClusterStatus::Stopped,
        }
    }

    /// Initialise (first time) and start the server unless it already runs. Returns where it
    /// is and whether this call started it. Safe to call from several processes at once.
    pub fn start(&self) -> Result<(RunningCluster, bool), LocalPgError> {
        let _lock = self.lock()?;
        if let ClusterStatus::Running(running) = self.status() {
            return Ok((running, false));
        }
        if !self.cluster_dir.join("PG_VERSION").exists() {
            self.init()?;
        }
        let port = self.choose_port()?;
        self.write_config(port)?;
        let log = self.log_file();
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(&self.cluster_dir);
        cmd.arg("-l").arg(&log);
        cmd.args(["-w", "-t", "120", "start"]);
        self.run(cmd, "pg_ctl start")?;
        match self.status() {
            ClusterStatus::Running(running) => {
                tracing::info!(port = running.port, dir = %self.cluster_dir.display(), "local PostgreSQL started");
                Ok((running, true))
            }
            _ => Err(LocalPgError::NotReady { log }),
        }
    }

    /// Stop the server (fast shutdown: open transactions roll back, nothing acknowledged is
    /// lost). Returns false when it was not running.
    pub fn stop(&self) -> Result<bool, LocalPgError> {
        let _lock = self.lock()?;
        if !matches!(self.status(), ClusterStatus::Running(_)) {
            return Ok(false);
        }
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(&self.cluster_dir);
        cmd.args(["-m", "fast", "-w", "-t", "120", "stop"]);
        self.run(cmd, "pg_ctl stop")?;
        Ok(true)
    }

    fn init(&self) -> Result<(), LocalPgError> {
        self.make_owned_dir(&self.cluster_dir, 0o700)?;
        let mut cmd = self.command("initdb");
        cmd.arg("-D").arg(&self.cluster_dir);
        cmd.args([
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        ]);
        self.run(cmd, "initdb")?;
        let conf = self.cluster_dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).map_err(|e| LocalPgError::io("read", &conf, e))?;
        text.push_str("\n# Added by citytrace: settings it manages live in citytrace.conf.\ninclude_if_exists = 'citytrace.conf'\n");
        fs::write(&conf, text).map_err(|e| LocalPgError::io("write", &conf, e))?;
        tracing::info!(dir = %self.cluster_dir.display(), "initialised a local PostgreSQL cluster");
        Ok(())
    }

    /// The port recorded at the last start if it is still free, else a fresh free one.
    fn choose_port(&self) -> Result<u16, LocalPgError> {
        let previous = fs::read_to_string(self.cluster_dir.join("citytrace.conf"))
            .ok()
            .and_then(|text| {
                text.lines().find_map(|l| {
                    l.strip_prefix("port = ")
                        .and_then(|p| p.trim().parse::<u16>().ok())
                })
            });
        if let Some(port) = previous {
            if TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return Ok(port);
            }
        }
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| LocalPgError::io("find a free port", Path::new("127.0.0.1"), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| LocalPgError::io("find a free port", Path::new("127.0.0.1"), e))?
            .port();
        Ok(port)
    }

    fn write_config(&self, port: u16) -> Result<(), LocalPgError> {
        self.make_owned_dir(&self.run_dir, 0o755)?;
        let mut conf = format!(
            "# Managed by citytrace; rewritten at every start.\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n",
            self.run_dir.display().to_string().replace('\'', "''")
        );
        for (key, value) in &self.settings {
            conf.push_str(&format!("{key} = {value}\n"));
        }
        let path = self.cluster_dir.join("citytrace.conf");
        fs::write(&path, conf).map_err(|e| LocalPgError::io("write", &path, e))?;
        self.give_to_owner(&path)
    }

    /// A folder owned by the server's account (when that is not us), with `mode`.
    fn make_owned_dir(&self, dir: &Path, mode: u32) -> Result<(), LocalPgError> {
        fs::create_dir_all(dir).map_err(|e| LocalPgError::io("create", dir, e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(mode))
            .map_err(|e| LocalPgError::io("set permissions on", dir, e))?;
        self.give_to_owner(dir)
    }

    fn give_to_owner(&self, path: &Path) -> Result<(), LocalPgError> {
        if let Some(owner) = &self.owner {
            nix::unistd::chown(path, Some(owner.uid), Some(owner.gid))
                .map_err(|e| LocalPgError::io("change the owner of", path, e.into()))?;
        }
        Ok(())
    }

    /// A command for one of the PostgreSQL binaries, run as the server's account.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        // The server's account may not be able to read our working directory.
        cmd.current_dir(self.cluster_dir.parent().unwrap_or(Path::new("/")));
        cmd.env_remove("PGDATA").env("LC_ALL", "C.UTF-8");
        if let Some(owner) = &self.owner {
            cmd.uid(owner.uid.as_raw()).gid(owner.gid.as_raw());
            cmd.env("HOME", &owner.home);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    fn run(&self, mut cmd: Command, what: &'static str) -> Result<(), LocalPgError> {
        let out = cmd.output().map_err(|e| {
            LocalPgError::io(
                "run",
                &self.bin_dir.join(what.split(' ').next().unwrap_or(what)),
                e,
            )
        })?;
        if out.status.success() {
            return Ok(());
        }
        let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if detail.is_empty() {
            detail = String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        if let Ok(log) = fs::read_to_string(self.log_file()) {
            let tail: Vec<&str> = log.lines().rev().take(8).collect();
            detail.push_str("\n--- last lines of the server log ---\n");
            detail.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        Err(LocalPgError::Command {
            what,
            status: out.status.to_string(),
            detail,
        })
    }

    /// An exclusive lock on the data folder while starting or stopping, so that concurrent
    /// citytrace processes (or test binaries) never race to initdb or pick two ports.
    fn lock(&self) -> Result<fs::File, LocalPgError> {
        let path = self.data_dir.join("postgres.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LocalPgError::io("open", &path, e))?;
        file.lock()
            .map_err(|e| LocalPgError::io("lock", &path, e))?;
        Ok(file)
    }
}

/// Wait until `url` accepts connections (a freshly started server may still be recovering).
pub fn wait_for_connection(url: &str, timeout: Duration) -> Result<(), LocalPgError> {
    use diesel::Connection;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match diesel::PgConnection::establish(url) {
            Ok(_) => return Ok(()),
            Err(e) if std::time::Instant::now() >= deadline => {
                return Err(LocalPgError::Connect {
                    url: url.to_string(),
                    reason: e.to_string(),
                })
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The folder holding `initdb` and `pg_ctl`: `CITYTRACE_PG_BIN`, then `PATH`, then the newest
/// `/usr/lib/postgresql/<version>/bin`.
fn find_bin_dir() -> Result<PathBuf, LocalPgError> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("CITYTRACE_PG_BIN").map(PathBuf::from) {
        return if has_tools(&dir) {
            Ok(dir)
        } else {
            Err(LocalPgError::NoBinaries)
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                // Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin).
                let real = dir
                    .join("initdb")
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf));
                return Ok(real.filter(|d| has_tools(d)).unwrap_or(dir));
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, dir)| dir)
        .ok_or(LocalPgError::NoBinaries)
}
