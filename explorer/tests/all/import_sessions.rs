//! Signing in to the upload page against a real PostgreSQL: good, bad and revoked tokens, the
//! session cookie, signing out, and CSRF protection of every form.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::upload_support::{call, sign_in, Harness, SHIPMENTS};
use citytrace_importers::Format;
use citytrace_schema::models::{ApiToken, Upload};

#[actix_web::test]
async fn a_good_token_signs_in_and_bad_or_revoked_tokens_do_not() {
    let h = Harness::new(1 << 20);
    let (_, token, token_id) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);

    let form = call(&app, TestRequest::get().uri("/import").to_request()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<h1>Sign in to upload files</h1>"));
    assert!(form
        .body
        .contains(r#"<label for="token">API token</label>"#));
    let (_, sign_in_cookie) = form.cookie("citytrace_sign_in").unwrap();
    assert!(
        sign_in_cookie.ends_with("; Path=/import; Max-Age=3600; HttpOnly; SameSite=Strict"),
        "{sign_in_cookie}"
    );

    // A good token: a session cookie and the upload page.
    let session = sign_in(&app, &token)
        .await
        .unwrap_or_else(|r| panic!("{}", r.body));
    let page = call(&app, session.get("/import")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("Signed in as <strong>Riverside Cement Works</strong> (RCW)."));
    for format in Format::ALL {
        assert!(
            page.body
                .contains(&format!(r#"<option value="{}""#, format.name())),
            "{} is offered",
            format.name()
        );
    }
    let stored = ApiToken::find(&mut h.pool.get().unwrap(), token_id)
        .unwrap()
        .unwrap()
        .0;
    assert!(stored.last_used_at.is_some(), "signing in counts as a use");
    assert_ne!(stored.token_hash, token.as_bytes(), "only a hash is stored");

    // The cookie's attributes, over http and over https (behind a proxy).
    let form = call(&app, TestRequest::get().uri("/import").to_request()).await;
    let (pre, _) = form.cookie("citytrace_sign_in").unwrap();
    let reply = call(
        &app,
        TestRequest::post()
            .uri("/import/sign-in")
            .insert_header(("cookie", format!("citytrace_sign_in={pre}")))
            .insert_header(("x-forwarded-proto", "https"))
            .set_form([("csrf", form.csrf().as_str()), ("token", token.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some("/import"));
    let (id, cookie) = reply.cookie("citytrace_session").unwrap();
    assert_eq!(id.len(), 64);
    assert_eq!(
        cookie,
        format!("citytrace_session={id}; Path=/import; Max-Age=43200; HttpOnly; SameSite=Strict; Secure")
    );

    // A bad token: the form again, 401, no session.
    let reply = sign_in(&app, "ct_0123").await.err().expect("refused");
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply
        .body
        .contains("That token is not valid: it is unknown or has been revoked."));

    // Revoked: the signed-in browser is signed out and the token no longer signs in.
    ApiToken::revoke(&mut h.pool.get().unwrap(), token_id).unwrap();
    let page = call(&app, session.get("/import")).await;
    assert!(page.body.contains("<h1>Sign in to upload files</h1>"));
    let reply = sign_in(&app, &token).await.err().expect("refused");
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn signing_out_ends_the_session() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let session = sign_in(&app, &token).await.ok().unwrap();
    let reply = call(&app, session.post("/import/sign-out", Some(&session.csrf))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let (value, cookie) = reply.cookie("citytrace_session").unwrap();
    assert_eq!(value, "");
    assert!(cookie.contains("Max-Age=0"));
    let page = call(&app, session.get("/import")).await;
    assert!(page.body.contains("<h1>Sign in to upload files</h1>"));
    let upload = call(&app, session.get("/import/uploads/1")).await;
    assert_eq!(
        upload.status,
        StatusCode::SEE_OTHER,
        "back to the sign-in page"
    );
    assert_eq!(upload.header("location"), Some("/import"));
}

#[actix_web::test]
async fn posts_without_or_with_a_wrong_csrf_token_are_refused_with_403() {
    let h = Harness::new(1 << 20);
    let (rcw, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);

    // The sign-in form: without its cookie, or with a field that does not match it.
    let form = call(&app, TestRequest::get().uri("/import").to_request()).await;
    let (pre, _) = form.cookie("citytrace_sign_in").unwrap();
    for (cookie, csrf) in [
        (None, Some(form.csrf())),
        (Some(pre.clone()), None),
        (Some(pre.clone()), Some("0".repeat(64))),
    ] {
        let mut req = TestRequest::post().uri("/import/sign-in");
        if let Some(cookie) = &cookie {
            req = req.insert_header(("cookie", format!("citytrace_sign_in={cookie}")));
        }
        let mut fields = vec![("token", token.clone())];
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf));
        }
        let reply = call(&app, req.set_form(fields).to_request()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{cookie:?}");
        assert!(reply.body.contains("<h1>Not allowed</h1>"));
        assert!(reply.cookie("citytrace_session").is_none());
    }

    let session = sign_in(&app, &token).await.ok().unwrap();
    let wrong = "f".repeat(64);
    for csrf in [None, Some(wrong.as_str())] {
        let reply = call(
            &app,
            session.upload(csrf, "shipments", "s.csv", SHIPMENTS.as_bytes()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "upload, csrf {csrf:?}");
        assert!(reply
            .body
            .contains("This form did not come with a valid security token"));
        for uri in [
            "/import/sign-out",
            "/import/uploads/1/import",
            "/import/uploads/1/discard",
            "/import/uploads/1/check",
        ] {
            let reply = call(&app, session.post(uri, csrf)).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}, csrf {csrf:?}");
        }
    }
    assert_eq!(h.stored_files(), 0, "nothing was stored");
    let uploads = Upload::of_party(&mut h.pool.get().unwrap(), rcw.id, 10).unwrap();
    assert!(uploads.is_empty());
    // The session still works: a forged post does not sign anyone out.
    let page = call(&app, session.get("/import")).await;
    assert!(page.body.contains("Signed in as"));
}
