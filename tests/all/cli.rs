//! The `citytrace` binary as users run it: help, import errors with line/column/reason and
//! nothing written, receipts, JSON output, and the embedded PostgreSQL default.

use crate::support::{citytrace, text, SHIPMENTS};
use citytrace_schema::diesel::prelude::*;
use citytrace_schema::schema::{import_batches, lots, shipment_lines};
use citytrace_schema::testing::TestDatabase;

fn counts(db: &TestDatabase) -> (i64, i64, i64) {
    let c = &mut db.conn();
    (
        import_batches::table.count().get_result(c).unwrap(),
        shipment_lines::table.count().get_result(c).unwrap(),
        lots::table.count().get_result(c).unwrap(),
    )
}

#[test]
fn help_lists_every_command_and_teaches_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&citytrace(None, &["--help"], dir.path()).stdout);
    for command in ["demo", "serve", "index", "import", "db"] {
        assert!(
            help.contains(&format!("\n  {command} ")),
            "--help lacks {command}:\n{help}"
        );
    }
    assert!(help.contains("DATABASE_URL"));
    let import = text(&citytrace(None, &["import", "--help"], dir.path()).stdout);
    assert!(
        import.contains("docs/formats/<format>.md")
            && import.contains("--dry-run")
            && import.contains("shipments"),
        "{import}"
    );
    for command in ["demo", "serve", "index", "db"] {
        let out = citytrace(None, &[command, "--help"], dir.path());
        assert!(out.status.success(), "{command} --help");
    }
}

#[test]
fn bad_files_exit_1_with_line_column_and_reason_and_write_nothing() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "empty.csv",
            String::new(),
            "   1  -       -      the file is empty",
        ),
        (
            "missing.csv",
            SHIPMENTS.replacen(",unit", "", 1),
            "   1  unit    -      required column is missing from the header line",
        ),
        (
            "number.csv",
            SHIPMENTS.replace(",25.5,", ",25.5.5,"),
            "   2  quantity  \"25.5.5\"  not a number",
        ),
        (
            "date.csv",
            SHIPMENTS.replace(
                "2026-04-12T07:30:00+02:00,2026-04-12T09",
                "12.04.2026 07:30,2026-04-12T09",
            ),
            "   2  shipped_at  \"12.04.2026 07:30\"  not an ISO 8601 date-time",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = citytrace(
            Some(db.url()),
            &["import", "shipments", path.to_str().unwrap()],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("has problems; nothing was imported."),
            "{name}: {stderr}"
        );
        assert!(
            stderr.contains("line  column"),
            "{name}: a table with a header: {stderr}"
        );
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in\n{stderr}"
        );
    }
    assert_eq!(counts(&db), (0, 0, 0));
}

#[test]
fn a_good_file_prints_a_receipt_and_a_second_import_is_a_no_op() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.csv");
    std::fs::write(&path, SHIPMENTS).unwrap();
    let file = path.to_str().unwrap();

    let dry = citytrace(
        Some(db.url()),
        &["import", "shipments", file, "--dry-run"],
        dir.path(),
    );
    assert!(text(&dry.stdout).starts_with("Valid: 2 rows. Nothing was written (--dry-run)."));
    assert_eq!(counts(&db), (0, 0, 0));

    let first = citytrace(Some(db.url()), &["import", "shipments", file], dir.path());
    assert!(first.status.success());
    let receipt = text(&first.stdout);
    assert!(receipt.contains("Merkle root  0x"));
    // "Imported batch N: …" (a dry run's rolled-back batch may have used a sequence number).
    let id: i64 = receipt
        .strip_prefix("Imported batch ")
        .and_then(|r| r.split(':').next())
        .unwrap()
        .parse()
        .unwrap();
    let second = citytrace(
        Some(db.url()),
        &["import", "shipments", file, "--format", "json"],
        dir.path(),
    );
    assert!(second.status.success());
    let json: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(json["outcome"], "already_imported");
    assert_eq!(json["batch"]["id"], id);
    assert_eq!(counts(&db), (1, 2, 2));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, SHIPMENTS.replace("TNE", "TONS")).unwrap();
    let out = citytrace(
        Some(db.url()),
        &[
            "import",
            "shipments",
            bad.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["outcome"].as_str(), json["problems"].as_u64()),
        (Some("invalid"), Some(2))
    );
    assert_eq!(json["errors"][0]["column"], "unit");
}

#[test]
fn index_without_a_configuration_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = citytrace(Some("postgres://nowhere"), &["index"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("copy docs/citytrace.example.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_database_url_the_binary_runs_and_reuses_its_own_postgres() {
    let dir = tempfile::Builder::new()
        .prefix("ct-cli")
        .tempdir_in("/tmp")
        .unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let file = dir.path().join("ok.csv");
    std::fs::write(&file, SHIPMENTS).unwrap();

    let status =
        text(&citytrace(None, &["--data-dir", data_arg, "db", "status"], dir.path()).stdout);
    assert!(status.contains("not initialised yet"), "{status}");
    let import = citytrace(
        None,
        &[
            "--data-dir",
            data_arg,
            "import",
            "shipments",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(import.status.success(), "{}", text(&import.stderr));
    let status =
        text(&citytrace(None, &["--data-dir", data_arg, "db", "status"], dir.path()).stdout);
    assert!(
        status.contains("Status: running"),
        "the server keeps running for the next command: {status}"
    );
    let url = text(&citytrace(None, &["--data-dir", data_arg, "db", "url"], dir.path()).stdout);
    let url = url.trim();
    assert!(
        url.starts_with("postgres://postgres@127.0.0.1:") && url.ends_with("/citytrace"),
        "{url}"
    );
    let again = citytrace(
        None,
        &[
            "--data-dir",
            data_arg,
            "import",
            "shipments",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        text(&again.stdout).starts_with("Already imported as batch 1"),
        "the same cluster and database were reused"
    );
    let stop = text(&citytrace(None, &["--data-dir", data_arg, "db", "stop"], dir.path()).stdout);
    assert!(
        stop.starts_with("Stopped the embedded PostgreSQL"),
        "{stop}"
    );
    let status =
        text(&citytrace(None, &["--data-dir", data_arg, "db", "status"], dir.path()).stdout);
    assert!(status.contains("Status: stopped"), "{status}");
}

#[test]
fn serve_reads_methods_from_its_configuration_and_refuses_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&citytrace(None, &["serve", "--help"], dir.path()).stdout);
    assert!(
        help.contains("--config <FILE>") && help.contains("CITYTRACE_CONFIG"),
        "{help}"
    );
    assert!(help.contains("[methods]"), "{help}");

    let config = dir.path().join("city.toml");
    std::fs::write(
        &config,
        "[anchoring]\nchain = 1\n\n[methods.carbon]\nnet_position_scopes = [1, 2]\ncity_beneficiary_adresses = []\n",
    )
    .unwrap();
    let out = citytrace(
        Some("postgres://nowhere"),
        &["serve", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}, line 6: `methods.carbon.city_beneficiary_adresses`: unknown field",
            config.display()
        )),
        "{stderr}"
    );

    let out = citytrace(
        Some("postgres://nowhere"),
        &["serve", "--config", "missing.toml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("could not read missing.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_refuses_a_time_zone_it_does_not_know_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&citytrace(None, &["serve", "--help"], dir.path()).stdout);
    assert!(
        help.contains("--time-zone <ZONE>") && help.contains("[explorer] time_zone"),
        "{help}"
    );

    let out = citytrace(
        Some("postgres://nowhere"),
        &["serve", "--time-zone", "Amsterdam"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--time-zone <ZONE>")
            && stderr.contains("unknown time zone \"Amsterdam\"")
            && stderr.contains("Europe/Amsterdam"),
        "{stderr}"
    );

    let config = dir.path().join("city.toml");
    std::fs::write(
        &config,
        "[methods.carbon]\nnet_position_scopes = [1, 2]\n\n[explorer]\ntime_zone = \"Europe/Amsterdm\"\n",
    )
    .unwrap();
    let out = citytrace(
        Some("postgres://nowhere"),
        &["serve", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}, line 5: [explorer] time_zone: unknown time zone \"Europe/Amsterdm\"",
            config.display()
        )) && stderr.contains("Europe/Amsterdam, Europe/Lisbon"),
        "{stderr}"
    );
}

const CONTRACT: &str = r#"{"releases": [{"ocid": "ocds-b5fd17-2026-0017", "id": "bridge-1", "date": "2026-01-05T00:00:00Z",
  "tag": ["contract"], "initiationType": "tender",
  "parties": [{"id": "WORKS", "name": "Public works department", "identifier": {"scheme": "XX-CITY", "id": "WORKS"}, "roles": ["buyer", "payer"]},
              {"id": "PLANT", "name": "Concrete plant", "identifier": {"scheme": "XX-REG", "id": "PLANT"}, "roles": ["supplier", "tenderer"]}],
  "buyer": {"id": "WORKS", "name": "Public works department"},
  "tender": {"id": "bridge-t", "title": "North bridge deck concrete", "mainProcurementCategory": "works"}}]}"#;

#[test]
fn party_list_shows_names_identifiers_roles_and_tokens_as_text_csv_and_json() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = citytrace(Some(db.url()), args, dir.path());
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(
        run(&["party", "list"]),
        "No parties. Add one with `citytrace party add CODE --name NAME`.\n"
    );
    run(&[
        "party",
        "add",
        "RCW",
        "--name",
        "Riverside Cement Works",
        "--gln",
        "4012345000115",
    ]);
    run(&[
        "party",
        "add",
        "FIN",
        "--name",
        "Finance, budget office",
        "--kind",
        "department",
    ]);
    run(&["token", "create", "--party", "RCW"]);
    run(&["token", "create", "--party", "RCW"]);
    run(&["token", "revoke", "1"]);
    std::fs::write(dir.path().join("c.json"), CONTRACT).unwrap();
    run(&["import", "ocds", "c.json", "--party", "FIN"]);

    let json: serde_json::Value =
        serde_json::from_str(&run(&["party", "list", "--format", "json"])).unwrap();
    let by_name = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {json}"))
            .clone()
    };
    let rcw = by_name("Riverside Cement Works");
    assert_eq!(
        rcw,
        serde_json::json!({"code": "RCW", "name": "Riverside Cement Works", "kind": "supplier",
            "gln": "4012345000115", "roles": [], "tokens": {"active": 1, "revoked": 1}})
    );
    let plant = by_name("Concrete plant");
    assert_eq!(plant["roles"], serde_json::json!(["supplier", "tenderer"]));
    assert_eq!(
        plant["tokens"],
        serde_json::json!({"active": 0, "revoked": 0})
    );
    let works = by_name("Public works department");
    assert_eq!(works["roles"], serde_json::json!(["buyer", "payer"]));
    let plant_code = plant["code"].as_str().unwrap();

    let csv = run(&["party", "list", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("code,name,kind,gln,roles,active_tokens,revoked_tokens")
    );
    assert!(
        csv.contains("\nFIN,\"Finance, budget office\",department,,,0,0\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nRCW,Riverside Cement Works,supplier,4012345000115,,1,1\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("\n{plant_code},Concrete plant,")),
        "{csv}"
    );

    let table = run(&["party", "list"]);
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("code") && header.contains("name") && header.ends_with("tokens"),
        "{table}"
    );
    let rcw_line = table.lines().find(|l| l.starts_with("RCW ")).unwrap();
    assert!(
        rcw_line.contains("Riverside Cement Works") && rcw_line.ends_with("1 active, 1 revoked"),
        "{table}"
    );
    let works_line = table
        .lines()
        .find(|l| l.contains("Public works department"))
        .unwrap();
    assert!(
        works_line.contains("buyer, payer") && works_line.ends_with("none"),
        "{table}"
    );

    let help = run(&["party", "list", "--help"]);
    assert!(
        help.contains("--format") && help.contains("citytrace party list --format csv"),
        "{help}"
    );
    let party_help = run(&["party", "--help"]);
    assert!(party_help.contains("\n  list "), "{party_help}");
}
