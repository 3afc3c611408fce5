//! What a supplier finds before uploading: `/import` linked from every page's header and
//! footer, each format's documentation, template and example served from the binary (the
//! files of `docs/formats/`) and linked from the sign-in page and the upload form.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::upload_support::{call, sign_in, Harness};
use citytrace_importers::Format;

fn doc_file(name: &str) -> String {
    let path = format!("{}/../docs/formats/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[actix_web::test]
async fn every_page_links_the_upload_page_from_its_header_and_footer() {
    let h = Harness::new(1 << 20);
    let app = upload_app!(h);
    let home = call(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(home.status, StatusCode::OK);
    let header = crate::support::between(&home.body, "<header class=\"site-header\">", "</header>");
    assert!(
        header.contains("<a class=\"header-link\" href=\"/import\">Upload data</a>"),
        "{header}"
    );
    let footer = crate::support::between(&home.body, "<footer", "</footer>");
    assert!(
        footer.contains("<a href=\"/import\">upload your files</a>"),
        "{footer}"
    );
    assert!(footer.contains("<a href=\"/import/formats\">"), "{footer}");
}

#[actix_web::test]
async fn each_csv_format_serves_its_template_and_example_as_written_in_docs_formats() {
    let h = Harness::new(1 << 20);
    let app = upload_app!(h);
    for format in Format::ALL.iter().map(|f| f.name()) {
        if format == "ocds" || format == "epcis" {
            continue;
        }
        for what in ["template", "example"] {
            let uri = format!("/import/formats/{format}/{what}.csv");
            let reply = call(&app, TestRequest::get().uri(&uri).to_request()).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            assert_eq!(
                reply.header("content-type"),
                Some("text/csv; charset=utf-8")
            );
            assert_eq!(
                reply.header("content-disposition"),
                Some(format!("attachment; filename=\"{format}-{what}.csv\"").as_str())
            );
            assert_eq!(
                reply.body,
                doc_file(&format!("{format}-{what}.csv")),
                "{uri}"
            );
        }
    }
}

#[actix_web::test]
async fn each_format_has_its_documentation_page_and_json_formats_say_they_have_no_csv() {
    let h = Harness::new(1 << 20);
    let app = upload_app!(h);
    for format in Format::ALL.iter().map(|f| f.name()) {
        let uri = format!("/import/formats/{format}");
        let reply = call(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let first_line = doc_file(&format!("{format}.md"))
            .lines()
            .next()
            .unwrap()
            .replace('\'', "&#39;")
            .replace('"', "&#34;")
            .replace('<', "&#60;")
            .replace('>', "&#62;");
        assert!(reply.body.contains(&first_line), "{uri}: {first_line}");
    }
    let shipments = call(
        &app,
        TestRequest::get()
            .uri("/import/formats/shipments")
            .to_request(),
    )
    .await;
    assert!(shipments
        .body
        .contains("href=\"/import/formats/shipments/template.csv\""));

    let ocds = call(
        &app,
        TestRequest::get()
            .uri("/import/formats/ocds/template.csv")
            .to_request(),
    )
    .await;
    assert_eq!(ocds.status, StatusCode::NOT_FOUND);
    assert!(
        ocds.body
            .contains("The ocds format is JSON: it has no CSV template."),
        "{}",
        ocds.body
    );
    let unknown = call(
        &app,
        TestRequest::get()
            .uri("/import/formats/invoices")
            .to_request(),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("There is no format &#34;invoices&#34;. The formats are: shipments, products, sensor-readings, ocds, epcis,"), "{}", unknown.body);
}

#[actix_web::test]
async fn the_sign_in_page_and_the_upload_form_link_each_format_s_doc_template_and_example() {
    let h = Harness::new(1 << 20);
    let (_, token, _) = h.supplier("RCW", "Riverside Cement Works");
    let app = upload_app!(h);
    let form = call(&app, TestRequest::get().uri("/import").to_request()).await;
    assert!(
        form.body
            .contains("<a href=\"/import/formats\">what you can upload</a>"),
        "{}",
        form.body
    );

    let session = sign_in(&app, &token).await.ok().unwrap();
    let page = call(&app, session.get("/import")).await;
    assert_eq!(page.status, StatusCode::OK);
    let links = crate::support::between(&page.body, "class=\"help format-links\"", "</details>");
    assert!(
        links.contains("<li>Shipments (CSV): <a href=\"/import/formats/shipments\">documentation</a> · <a href=\"/import/formats/shipments/template.csv\" download>template</a> · <a href=\"/import/formats/shipments/example.csv\" download>example</a></li>"),
        "{links}"
    );
    assert!(
        links.contains("<li>OCDS release or record package (JSON): <a href=\"/import/formats/ocds\">documentation</a></li>"),
        "{links}"
    );
    assert_eq!(links.matches("<li>").count(), Format::ALL.len());
}
