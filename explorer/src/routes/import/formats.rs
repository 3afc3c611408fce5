//! `/import/formats`: what a supplier can upload — each format's documentation
//! (`docs/formats/<format>.md`, built into the binary), and for the CSV formats a template (the
//! header line) and an example file to download (`/import/formats/<format>/template.csv`,
//! `…/example.csv`). Public: a supplier reads them before signing in.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::views::format_label;
use crate::error::AppError;
use crate::layout::Layout;

/// A format's documentation, and its template and example when it is a CSV format.
pub struct FormatDoc {
    pub name: &'static str,
    pub doc: &'static str,
    pub template: Option<&'static str>,
    pub example: Option<&'static str>,
}

macro_rules! csv_format {
    ($name:literal) => {
        FormatDoc {
            name: $name,
            doc: include_str!(concat!("../../../../docs/formats/", $name, ".md")),
            template: Some(include_str!(concat!(
                "../../../../docs/formats/",
                $name,
                "-template.csv"
            ))),
            example: Some(include_str!(concat!(
                "../../../../docs/formats/",
                $name,
                "-example.csv"
            ))),
        }
    };
}

/// Every format `citytrace import` knows, in the upload form's order.
pub const FORMAT_DOCS: &[FormatDoc] = &[
    csv_format!("shipments"),
    csv_format!("products"),
    csv_format!("sensor-readings"),
    FormatDoc {
        name: "ocds",
        doc: include_str!("../../../../docs/formats/ocds.md"),
        template: None,
        example: None,
    },
    FormatDoc {
        name: "epcis",
        doc: include_str!("../../../../docs/formats/epcis.md"),
        template: None,
        example: None,
    },
    csv_format!("production"),
    csv_format!("waste-transfers"),
    csv_format!("waste-receipts"),
    csv_format!("emissions"),
    csv_format!("budget"),
];

/// The links of a format: its page, template and example.
pub struct FormatLinks {
    pub name: &'static str,
    pub label: String,
    pub doc_href: String,
    pub template_href: Option<String>,
    pub example_href: Option<String>,
}

pub fn links(name: &str) -> Option<FormatLinks> {
    let doc = FORMAT_DOCS.iter().find(|d| d.name == name)?;
    Some(FormatLinks {
        name: doc.name,
        label: format_label(doc.name),
        doc_href: format!("/import/formats/{}", doc.name),
        template_href: doc
            .template
            .map(|_| format!("/import/formats/{}/template.csv", doc.name)),
        example_href: doc
            .example
            .map(|_| format!("/import/formats/{}/example.csv", doc.name)),
    })
}

#[derive(Template)]
#[template(path = "import/formats.html")]
pub struct FormatsPage {
    pub layout: Layout,
    pub formats: Vec<FormatLinks>,
}

#[derive(Template)]
#[template(path = "import/format.html")]
pub struct FormatPage {
    pub layout: Layout,
    pub format: FormatLinks,
    pub doc: &'static str,
}

pub async fn index() -> Result<HttpResponse, AppError> {
    let formats = FORMAT_DOCS.iter().filter_map(|d| links(d.name)).collect();
    crate::routes::html(&FormatsPage {
        layout: Layout::new("File formats", ""),
        formats,
    })
}

fn doc_of(name: &str) -> Result<&'static FormatDoc, AppError> {
    FORMAT_DOCS.iter().find(|d| d.name == name).ok_or_else(|| {
        let known: Vec<&str> = FORMAT_DOCS.iter().map(|d| d.name).collect();
        AppError::NotFound(format!(
            "There is no format {name:?}. The formats are: {}.",
            known.join(", ")
        ))
    })
}

pub async fn show(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let doc = doc_of(&path)?;
    let format = links(doc.name).ok_or_else(|| AppError::NotFound("no such format".into()))?;
    crate::routes::html(&FormatPage {
        layout: Layout::new(&format!("{} — file format", format.label), ""),
        format,
        doc: doc.doc,
    })
}

pub async fn template(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let doc = doc_of(&path)?;
    csv_file(doc, doc.template, "template")
}

pub async fn example(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let doc = doc_of(&path)?;
    csv_file(doc, doc.example, "example")
}

fn csv_file(
    doc: &FormatDoc,
    text: Option<&'static str>,
    what: &str,
) -> Result<HttpResponse, AppError> {
    let text = text.ok_or_else(|| {
        AppError::NotFound(format!(
            "The {} format is JSON: it has no CSV {what}. Its documentation, /import/formats/{}, shows examples.",
            doc.name, doc.name
        ))
    })?;
    Ok(crate::listing::csv_download(
        &format!("{}-{what}.csv", doc.name),
        text,
    ))
}
