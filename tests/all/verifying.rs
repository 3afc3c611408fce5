//! What the `citytrace verify` tests share: running the real binary without blocking the
//! runtime (the indexer and the explorer run in the same test process), importing through the
//! CLI, and a configuration file for a test ledger.

use std::path::{Path, PathBuf};

use citytrace_indexer::testing::TestLedger;
use serde_json::Value;

/// The binary's exit status and output.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Run the real `citytrace` binary in `cwd`, with `DATABASE_URL` when given and none of the
/// environment that would change where it looks.
pub async fn citytrace(database_url: Option<&str>, args: &[&str], cwd: &Path) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_citytrace"));
    cmd.args(args)
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("CITYTRACE_DATA_DIR")
        .env_remove("CITYTRACE_RPC")
        .env_remove("CITYTRACE_CONFIG");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().await.expect("run citytrace");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Import a shipments file with the CLI; the new batch's id.
pub async fn import(database_url: &str, dir: &Path, name: &str, csv: &str) -> i64 {
    let path = dir.join(name);
    std::fs::write(&path, csv).unwrap();
    let run = citytrace(
        Some(database_url),
        &[
            "import",
            "shipments",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["outcome"], "imported", "{json}");
    json["batch"]["id"].as_i64().unwrap()
}

/// A configuration file for `ledger`: the chain, every contract, and anchoring. Named
/// `ledger.toml`, so that only the runs given `--config` read it (not ./citytrace.toml).
pub fn write_config(ledger: &TestLedger, dir: &Path) -> PathBuf {
    let mut toml = format!(
        "[[chain]]\nid = 31337\nname = \"City ledger\"\nkind = \"ledger\"\nrpc = [\"{}\"]\nstart_block = {}\n",
        ledger.url(),
        ledger.contracts.block
    );
    for c in &ledger.config().contracts {
        toml.push_str(&format!(
            "\n[[contract]]\nchain = 31337\nkind = \"{}\"\naddress = \"{}\"\nstart_block = {}\n",
            c.kind, c.address, c.start_block
        ));
    }
    toml.push_str(&format!(
        "\n[anchoring]\nchain = 31337\ncontract = \"{}\"\n",
        citytrace_schema::hex0x(&ledger.contracts.batch_anchor)
    ));
    let path = dir.join("ledger.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

pub fn hex(bytes: &[u8]) -> String {
    citytrace_schema::hex0x(bytes)
}

/// The row the tests verify: line 2 of the file, its first row.
pub const LINE: &str = "2";

/// `verify --row BATCH:2 --format json`: the proof the CLI built from the database.
pub async fn proof_from_cli(db: &str, dir: &Path, config: &Path, batch: i64) -> Value {
    let run = citytrace(
        Some(db),
        &[
            "verify",
            "--row",
            &format!("{batch}:{LINE}"),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir,
    )
    .await;
    let json: Value = serde_json::from_str(&run.stdout).expect(&run.stderr);
    json["proof"].clone()
}

/// Write `proof` to a file and verify it with the given extra arguments.
pub async fn verify_file(dir: &Path, proof: &Value, name: &str, extra: &[&str]) -> Run {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(proof).unwrap()).unwrap();
    let mut args = vec!["verify", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    citytrace(None, &args, dir).await
}

pub fn lines(run: &Run) -> Vec<&str> {
    run.stdout.lines().collect()
}

/// The commands the explorer's proof page prints for a row (the text of its
/// `<pre class="command">`, HTML entities read back).
pub async fn proof_page_commands(explorer: &str, batch: i64, line: &str) -> String {
    let url = format!("{explorer}/batches/{batch}/rows/{line}/proof");
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200, "{url}");
    let body = page.text().await.unwrap();
    let start = body
        .find("<pre class=\"command\"><code>")
        .unwrap_or_else(|| panic!("no command on {url}: {body}"))
        + "<pre class=\"command\"><code>".len();
    let end = start + body[start..].find("</code></pre>").unwrap();
    body[start..end]
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
}

/// Run `script` with `sh` in `cwd`, as a reader who installed citytrace would: the binary on
/// the PATH, `LEDGER_RPC` set to the node, nothing else of citytrace's environment.
pub async fn run_as_printed(script: &str, ledger_rpc: &str, cwd: &Path) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_citytrace")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = tokio::process::Command::new("sh")
        .args(["-e", "-c", script])
        .current_dir(cwd)
        .env("PATH", path)
        .env("LEDGER_RPC", ledger_rpc)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("CITYTRACE_DATA_DIR")
        .env_remove("CITYTRACE_RPC")
        .env_remove("CITYTRACE_CONFIG")
        .output()
        .await
        .expect("run sh");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
