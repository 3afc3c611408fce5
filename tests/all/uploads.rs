//! `citytrace party` and `citytrace token` as operators run them: a token is printed once,
//! works against the upload API, is never listed, and stops working when revoked.

use crate::support::{citytrace, text, SHIPMENTS};
use actix_web::http::StatusCode;
use actix_web::test as actix_test;
use citytrace_explorer::{AppState, UploadOptions, Uploads};
use citytrace_schema::testing::TestDatabase;

/// POST the shipments file to the upload API with `token`: the response status.
async fn api_status(db: &TestDatabase, token: &str) -> StatusCode {
    let dir = tempfile::tempdir().unwrap();
    let app = actix_test::init_service(citytrace_explorer::app(
        AppState::new(db.pool(2)),
        Some(Uploads::new(UploadOptions::new(dir.path())).unwrap()),
    ))
    .await;
    let req = actix_test::TestRequest::post()
        .uri("/api/v1/imports?format=shipments&dry_run=true")
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(SHIPMENTS)
        .to_request();
    actix_test::call_service(&app, req).await.status()
}

#[actix_web::test]
async fn a_token_is_printed_once_works_is_never_listed_and_stops_when_revoked() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| citytrace(Some(db.url()), args, dir.path());

    let missing = run(&["token", "create", "--party", "RCW"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains(
            "there is no party RCW: create it first with `citytrace party add RCW --name \"Its name\"`"
        ),
        "{}",
        text(&missing.stderr)
    );

    let added = run(&["party", "add", "RCW", "--name", "Riverside Cement Works"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert_eq!(
        text(&added.stdout),
        "Added supplier RCW (Riverside Cement Works). Give it an API token with `citytrace token create --party RCW`.\n"
    );
    let again = run(&["party", "add", "RCW", "--name", "Other"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("party RCW exists already (Riverside Cement Works, supplier)")
    );

    let created = run(&[
        "token",
        "create",
        "--party",
        "RCW",
        "--label",
        "dispatch office",
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let token = stdout.trim_end_matches('\n');
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the token on stdout: {stdout}"
    );
    assert!(
        token.starts_with("ct_")
            && token.len() == 67
            && token[3..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    assert!(text(&created.stderr).starts_with(
        "Token 1 for RCW (Riverside Cement Works). It is shown this once: only its hash is stored."
    ));
    assert_eq!(api_status(&db, token).await, StatusCode::OK);

    let listed = run(&["token", "list"]);
    assert!(listed.status.success());
    let list = text(&listed.stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with("id  party  label            created           last used"),
        "{list}"
    );
    assert!(
        lines[1].starts_with(" 1  RCW    dispatch office  "),
        "{list}"
    );
    assert!(lines[1].ends_with("  active"), "{list}");
    assert!(
        !lines[1].contains("never"),
        "the API call counts as a use: {list}"
    );
    assert!(
        !list.contains(token) && !list.contains("ct_"),
        "never the token: {list}"
    );
    let none = run(&["token", "list", "--party", "NOPE"]);
    assert_eq!(none.status.code(), Some(1));

    let revoked = run(&["token", "revoke", "1"]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert_eq!(
        text(&revoked.stdout),
        "Revoked token 1 of RCW (dispatch office). It no longer works; 0 signed-in sessions ended.\n"
    );
    assert_eq!(api_status(&db, token).await, StatusCode::UNAUTHORIZED);
    let list = text(&run(&["token", "list", "--party", "RCW"]).stdout);
    assert!(
        list.lines().nth(1).unwrap().contains("  revoked 20"),
        "{list}"
    );
    let twice = run(&["token", "revoke", "1"]);
    assert!(text(&twice.stdout).starts_with("Token 1 of RCW was already revoked on "));
    let unknown = run(&["token", "revoke", "7"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("there is no token 7; `citytrace token list` shows them")
    );
}

#[test]
fn help_teaches_tokens_parties_and_the_upload_options() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| text(&citytrace(None, args, dir.path()).stdout);
    let main = help(&["--help"]);
    for command in ["token", "party"] {
        assert!(main.contains(&format!("\n  {command} ")), "{main}");
    }
    let token = help(&["token", "--help"]);
    for text in [
        "create",
        "list",
        "revoke",
        "Authorization: Bearer",
        "docs/uploads.md",
    ] {
        assert!(token.contains(text), "token --help lacks {text}: {token}");
    }
    let create = help(&["token", "create", "--help"]);
    assert!(
        create.contains("--party <CODE>") && create.contains("citytrace party add"),
        "{create}"
    );
    for command in ["serve", "demo"] {
        // Words only: clap wraps its help to the terminal width wherever it likes.
        let text = help(&[command, "--help"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains("--upload-dir <DIR>")
                && text.contains("CITYTRACE_UPLOAD_DIR")
                && text.contains("--max-upload-mb <MIB>")
                && text.contains("[default: 512]"),
            "{command} --help: {text}"
        );
    }
    let serve = help(&["serve", "--help"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        serve.contains("share two job slots") && serve.contains("addresses of up to 16 KiB"),
        "serve --help: {serve}"
    );
}
