//! `GET /import/uploads/{id}/errors.csv`: an upload's problems as a spreadsheet. Values come
//! from the supplier's file, so any cell a spreadsheet would run as a formula (starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a single quote.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use citytrace_schema::models::Upload;

use super::views::{problems, Problem};
use super::{path_id, signed_in, UploadError};
use crate::state::AppState;

pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let signed_in = signed_in(&req, &state).await?;
    let id = path_id(&path, "upload")?;
    let party_id = signed_in.party.id;
    let upload = state
        .db(move |conn| Ok(Upload::find_of_party(conn, id, party_id)?))
        .await?
        .ok_or_else(|| UploadError::not_found(&format!("There is no upload {id}.")))?;
    let csv = error_csv(&problems(&upload)).map_err(UploadError::internal)?;
    let stem = upload
        .file_name
        .rsplit_once('.')
        .map_or(upload.file_name.as_str(), |(stem, _)| stem);
    let mut reply = crate::listing::csv_download(&format!("{stem}-problems.csv"), csv);
    reply.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(reply)
}

/// `line,column,value,reason`, one row per problem, every cell escaped against formulas.
pub fn error_csv(problems: &[Problem]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["line", "column", "value", "reason"])?;
    for p in problems {
        out.write_record([
            p.line.to_string(),
            defuse(p.column.as_deref().unwrap_or_default()),
            defuse(p.value.as_deref().unwrap_or_default()),
            defuse(&p.reason),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A cell a spreadsheet will show as text: formula starters get a leading `'`.
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_others_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+1"), "'+1");
        assert_eq!(defuse("-2"), "'-2");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("tons"), "tons");
        assert_eq!(defuse(""), "");
    }

    #[test]
    fn the_csv_has_a_header_and_one_row_per_problem() {
        let problems = [Problem {
            line: 4,
            column: Some("unit".into()),
            value: Some("=1+1".into()),
            reason: "not a unit, \"really\"".into(),
        }];
        let csv = String::from_utf8(error_csv(&problems).unwrap()).unwrap();
        assert_eq!(
            csv,
            "line,column,value,reason\n4,unit,'=1+1,\"not a unit, \"\"really\"\"\"\n"
        );
    }
}
