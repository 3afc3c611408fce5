//! Full exports: the whole filtered list, streamed from a server-side cursor (`DECLARE …
//! CURSOR` in a read-only transaction, `FETCH` 1,000 rows at a time) through a bounded channel
//! into the response ([`stream_download`]), so memory stays constant whatever the number of
//! rows and a client that goes away stops the query.

use actix_web::web::Bytes;
use actix_web::HttpResponse;
use citytrace_reads::lists::{ListCursor, ListDef, ListParams};
use serde_json::Value;

use super::stream::{stream_download, Download};
use super::view::value_text;
use crate::error::AppError;
use crate::state::AppState;

/// A CSV cell safe to open in a spreadsheet: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be run as a formula (CSV injection), so it gets a leading `'`.
/// Numbers (JSON numbers, never text) are written as they are, negative ones included.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

/// Stream the whole filtered list as CSV or JSON.
pub async fn export(
    state: &AppState,
    def: &'static ListDef,
    params: ListParams,
) -> Result<HttpResponse, AppError> {
    let format = if params.format == "csv" {
        Format::Csv
    } else {
        Format::Json
    };
    let download = Download::csv_or_json(&params.format, &format!("citytrace-{}", def.name));
    stream_download(state.pool.clone(), def.name, download, move |conn, sink| {
        // A filter value of the wrong type fails as the cursor is declared, before the
        // response starts: 400.
        Ok(ListCursor::read(conn, def, &params, |cursor| {
            sink.ready();
            let mut first = true;
            let header = match format {
                Format::Csv => csv_line(def.columns.iter().map(|c| (c.key.to_string(), false))),
                Format::Json => "[".to_string(),
            };
            if !sink.send(header) {
                return Ok(());
            }
            loop {
                let rows = cursor.fetch()?;
                if rows.is_empty() {
                    break;
                }
                let mut chunk = String::with_capacity(rows.len() * 200);
                for row in &rows {
                    match format {
                        Format::Csv => {
                            let value: Value = serde_json::from_str(row).unwrap_or(Value::Null);
                            chunk.push_str(&csv_line(def.columns.iter().map(|c| {
                                let v = &value[c.key];
                                (value_text(v), v.is_number())
                            })));
                        }
                        Format::Json => {
                            chunk.push_str(if first { "\n" } else { ",\n" });
                            chunk.push_str(row);
                        }
                    }
                    first = false;
                }
                if !sink.send(chunk) {
                    // The client went away.
                    return Ok(());
                }
            }
            if let Format::Json = format {
                sink.send(Bytes::from_static(b"\n]\n"));
            }
            Ok(())
        })?)
    })
    .await
}

/// One CSV record (RFC 4180 quoting, `\n` line ends): each cell with whether it is a number
/// (written as it is) or text (made formula-safe).
pub fn csv_line(cells: impl Iterator<Item = (String, bool)>) -> String {
    let mut line = String::new();
    for (i, (cell, number)) in cells.enumerate() {
        if i > 0 {
            line.push(',');
        }
        let safe = if number {
            cell.as_str().into()
        } else {
            csv_cell(&cell)
        };
        if safe.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&safe.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&safe);
        }
    }
    line.push('\n');
    line
}

/// A CSV written in memory, answered as a download named `file_name`: any character but ASCII
/// letters, digits, `-`, `_` and `.` becomes `_` (names are built from codes and uploaded file
/// names), so no name can break the header or the reader's disk.
pub fn csv_download(
    file_name: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(safe)],
        })
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused_and_quoting_follows_rfc_4180() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("plain"), "plain");
        let cells = [
            ("a,b", false),
            ("say \"hi\"", false),
            ("=1+1", false),
            ("-1.5", true),
        ];
        assert_eq!(
            csv_line(cells.iter().map(|(c, n)| (c.to_string(), *n))),
            "\"a,b\",\"say \"\"hi\"\"\",'=1+1,-1.5\n"
        );
    }
}
