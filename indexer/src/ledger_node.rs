//! The embedded default ledger: a local anvil node standing in for the city's PoA ledger.
//!
//! anvil comes from the npm registry (`@foundry-rs/anvil-linux-amd64`, pinned in
//! `contracts/package.json` and its lock file) and is installed with `npm ci` into
//! `contracts/node_modules` (ignored by git) the first time it is needed; a stamp file
//! remembers which lock file was installed, so a changed pin reinstalls. `CITYTRACE_ANVIL`
//! points at another anvil binary instead.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

use crate::error::IndexerError;
use crate::evm::EvmSource;
use crate::source::ChainSource;

/// The chain id of the local ledger.
pub const LEDGER_CHAIN_ID: u64 = 31337;
/// anvil's first development account's private key (public knowledge: local use only).
pub const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const ANVIL_IN_PACKAGE: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
const STAMP: &str = "node_modules/.citytrace-lock";

#[derive(Debug, Clone)]
pub struct LedgerNodeOptions {
    pub chain_id: u64,
    /// Seal a block every this many seconds; None mines one block per transaction.
    pub block_time: Option<u64>,
    /// None: a free port.
    pub port: Option<u16>,
    /// Where anvil's output goes (None: discarded).
    pub log_file: Option<PathBuf>,
    /// Keep the chain in this file across restarts (anvil `--state`: loaded at start, saved on
    /// exit).
    pub state_file: Option<PathBuf>,
}

impl Default for LedgerNodeOptions {
    fn default() -> Self {
        Self {
            chain_id: LEDGER_CHAIN_ID,
            block_time: Some(1),
            port: None,
            log_file: None,
            state_file: None,
        }
    }
}

/// A running anvil; stopped by [`LedgerNode::stop`] or, failing that, when dropped.
pub struct LedgerNode {
    child: Child,
    port: u16,
    options: LedgerNodeOptions,
    /// anvil's home folder. anvil spills the states of past blocks to `~/.foundry/anvil/tmp`
    /// and removes them only when it exits cleanly; a killed node (every test's, on drop) left
    /// them behind — gigabytes per benchmark run. Its own home, removed with the node (after
    /// the child, declared above it, is killed), keeps the spill from outliving it.
    home: tempfile::TempDir,
}

impl LedgerNode {
    pub async fn start(options: &LedgerNodeOptions) -> Result<Self, IndexerError> {
        let port = match options.port {
            Some(p) => p,
            None => free_port()?,
        };
        let options = LedgerNodeOptions {
            port: Some(port),
            ..options.clone()
        };
        let home = tempfile::Builder::new()
            .prefix("citytrace-anvil-")
            .tempdir()
            .map_err(|e| IndexerError::LedgerNode(format!("no folder for anvil: {e}")))?;
        let child = spawn(&options, home.path())?;
        let mut node = Self {
            child,
            port,
            options,
            home,
        };
        node.wait_ready(Duration::from_secs(30)).await?;
        tracing::info!(url = %node.url(), chain_id = node.chain_id(), "local ledger node (anvil) started");
        Ok(node)
    }

    /// Stop the node, wait `pause`, and start it again on the same port (with a state file,
    /// the same chain). Transactions waiting in its pool are lost, as on a real restart.
    pub async fn restart_after(&mut self, pause: Duration) -> Result<(), IndexerError> {
        self.terminate().await;
        tokio::time::sleep(pause).await;
        self.child = spawn(&self.options, self.home.path())?;
        self.wait_ready(Duration::from_secs(30)).await
    }

    async fn wait_ready(&mut self, timeout: Duration) -> Result<(), IndexerError> {
        let source = EvmSource::new(&self.url())?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(IndexerError::LedgerNode(format!(
                    "anvil exited at start ({status}); is port {} free?",
                    self.port
                )));
            }
            match source.chain_id().await {
                Ok(id) if id == self.options.chain_id => return Ok(()),
                Ok(id) => {
                    return Err(IndexerError::LedgerNode(format!(
                        "port {} answers with chain id {id}",
                        self.port
                    )))
                }
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(e) => {
                    return Err(IndexerError::LedgerNode(format!(
                        "anvil did not answer within {timeout:?}: {e}"
                    )))
                }
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn chain_id(&self) -> u64 {
        self.options.chain_id
    }

    /// anvil's home folder (removed with the node).
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// anvil's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stop anvil (SIGTERM, then SIGKILL after 5 s).
    pub async fn stop(mut self) {
        self.terminate().await;
    }

    async fn terminate(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGTERM);
        }
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// Start anvil with `options` (whose port is set) and `home` as its home folder.
fn spawn(options: &LedgerNodeOptions, home: &std::path::Path) -> Result<Child, IndexerError> {
    let anvil = anvil_binary()?;
    let port = options.port.unwrap_or_default();
    let mut cmd = Command::new(&anvil);
    cmd.env("HOME", home);
    cmd.args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--chain-id",
        &options.chain_id.to_string(),
    ]);
    if let Some(state) = &options.state_file {
        cmd.arg("--state").arg(state);
    }
    if let Some(seconds) = options.block_time {
        cmd.args(["--block-time", &seconds.to_string()]);
    }
    match &options.log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    IndexerError::LedgerNode(format!("could not open {}: {e}", path.display()))
                })?;
            let err = file
                .try_clone()
                .map_err(|e| IndexerError::LedgerNode(e.to_string()))?;
            cmd.stdout(file).stderr(err);
        }
        None => {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
    }
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    cmd.spawn()
        .map_err(|e| IndexerError::LedgerNode(format!("could not start {}: {e}", anvil.display())))
}

fn free_port() -> Result<u16, IndexerError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| IndexerError::LedgerNode(format!("no free port: {e}")))?;
    Ok(listener
        .local_addr()
        .map_err(|e| IndexerError::LedgerNode(e.to_string()))?
        .port())
}

/// The folder holding `contracts/package.json`: `CITYTRACE_HOME`, else the nearest ancestor of
/// the working directory that has one, else the source tree this binary was built from.
pub fn project_root() -> PathBuf {
    if let Some(home) = std::env::var_os("CITYTRACE_HOME") {
        return PathBuf::from(home);
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(found) = cwd
            .ancestors()
            .find(|d| d.join("contracts/package.json").is_file())
        {
            return found.to_path_buf();
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The anvil binary, installing it with `npm ci` when missing or when the pin changed.
pub fn anvil_binary() -> Result<PathBuf, IndexerError> {
    if let Some(path) = std::env::var_os("CITYTRACE_ANVIL") {
        return Ok(PathBuf::from(path));
    }
    let contracts = project_root().join("contracts");
    let binary = contracts.join(ANVIL_IN_PACKAGE);
    let lock = std::fs::read(contracts.join("package-lock.json")).map_err(|e| {
        IndexerError::LedgerNode(format!(
            "{} not found ({e}); run citytrace from its source folder, or set CITYTRACE_HOME or CITYTRACE_ANVIL",
            contracts.join("package-lock.json").display()
        ))
    })?;
    let installed = std::fs::read(contracts.join(STAMP)).ok();
    if binary.is_file() && installed.as_deref() == Some(lock.as_slice()) {
        return Ok(binary);
    }
    eprintln!(
        "Installing the local ledger node (anvil) from the npm registry into {} …",
        contracts.join("node_modules").display()
    );
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&contracts)
        .status()
        .map_err(|e| {
            IndexerError::LedgerNode(format!(
                "could not run npm ({e}): install Node.js and npm (apt-get install nodejs npm), or set CITYTRACE_ANVIL to an anvil binary"
            ))
        })?;
    if !status.success() {
        return Err(IndexerError::LedgerNode(format!(
            "npm ci in {} failed ({status})",
            contracts.display()
        )));
    }
    std::fs::write(contracts.join(STAMP), &lock)
        .map_err(|e| IndexerError::LedgerNode(e.to_string()))?;
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(IndexerError::LedgerNode(format!(
            "npm ci did not install {}",
            binary.display()
        )))
    }
}
