//! A download written to the response while it is produced: a blocking task with a pooled
//! connection writes chunks into a bounded channel that the response body reads, so memory
//! holds a few chunks whatever the size of the download, and a client that goes away stops
//! the producer at its next chunk. Used by the SQL lists' exports ([`super::export`]) and by
//! the lists computed in Rust (procurement, shipments in breach).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::PgConnection;

use crate::error::AppError;
use citytrace_schema::PgPool;

/// Chunks waiting in the channel.
const CHANNEL_CHUNKS: usize = 4;

/// Where a producer writes its chunks.
pub struct ChunkSink {
    sender: tokio::sync::mpsc::Sender<Bytes>,
    ready: Option<tokio::sync::oneshot::Sender<Result<(), AppError>>>,
}

impl ChunkSink {
    /// The download can start: an error before this answers the request with its status (a
    /// bad filter's 400); after it, an error can only cut the download short. Sending a chunk
    /// says it too.
    pub fn ready(&mut self) {
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(Ok(()));
        }
    }

    /// Write a chunk (waiting while the channel is full); false when the client went away.
    pub fn send(&mut self, chunk: impl Into<Bytes>) -> bool {
        self.ready();
        self.sender.blocking_send(chunk.into()).is_ok()
    }
}

/// A download's content type and file name.
pub struct Download {
    pub content_type: &'static str,
    pub file_name: String,
}

impl Download {
    /// `text/csv` or `application/json` by `format` (`csv` or anything else), named
    /// `<stem>.csv` or `<stem>.json`.
    pub fn csv_or_json(format: &str, stem: &str) -> Self {
        if format == "csv" {
            Self {
                content_type: "text/csv; charset=utf-8",
                file_name: format!("{stem}.csv"),
            }
        } else {
            Self {
                content_type: "application/json",
                file_name: format!("{stem}.json"),
            }
        }
    }
}

/// Run `produce` on the blocking pool with a connection from `pool` and stream what it
/// writes as the body of an attachment. Errors before the producer is ready (or has sent
/// anything) are returned; later ones are logged under `what` and end the body early.
pub async fn stream_download<F>(
    pool: PgPool,
    what: &'static str,
    download: Download,
    produce: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut PgConnection, &mut ChunkSink) -> Result<(), AppError> + Send + 'static,
{
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(), AppError>>();
    actix_web::rt::task::spawn_blocking(move || {
        let mut sink = ChunkSink {
            sender,
            ready: Some(ready_tx),
        };
        let result = pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| produce(&mut conn, &mut sink));
        match (result, sink.ready.take()) {
            (Err(e), Some(ready)) => {
                let _ = ready.send(Err(e));
            }
            (Err(e), None) => tracing::warn!(list = what, error = %e, "export cut short"),
            (Ok(()), Some(ready)) => {
                let _ = ready.send(Ok(()));
            }
            (Ok(()), None) => {}
        }
    });
    match ready_rx.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(AppError::Internal("export task ended early".into())),
    }
    let body = futures::stream::poll_fn(move |cx| {
        receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(Ok::<Bytes, actix_web::Error>))
    });
    Ok(HttpResponse::Ok()
        .content_type(download.content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(download.file_name)],
        })
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body))
}

/// The rows of a list computed in Rust written to a download a chunk at a time: as CSV (the
/// header first, every cell made formula-safe) or as one JSON array — the same bytes as writing
/// the whole list at once.
pub struct RowChunks<T> {
    /// The CSV cells of a row (as text; made formula-safe here), or `None` for JSON.
    csv: Option<fn(&T) -> Vec<String>>,
    json: JsonArrayWriter,
}

impl<T: serde::Serialize> RowChunks<T> {
    /// Start a download in `format` (`csv`, else JSON): the CSV header is sent, and the
    /// download is ready. `None` when the client went away.
    pub fn start(
        format: &str,
        header: &[&str],
        cells: fn(&T) -> Vec<String>,
        sink: &mut ChunkSink,
    ) -> Result<Option<Self>, AppError> {
        let csv = (format == "csv").then_some(cells);
        if csv.is_some() && !sink.send(csv_records([header])?) {
            return Ok(None);
        }
        sink.ready();
        Ok(Some(Self {
            csv,
            json: JsonArrayWriter::default(),
        }))
    }

    /// Send `rows` (nothing when there are none); false when the client went away.
    pub fn send(&mut self, sink: &mut ChunkSink, rows: &[T]) -> Result<bool, AppError> {
        if rows.is_empty() {
            return Ok(true);
        }
        let chunk = match self.csv {
            Some(cells) => csv_records(rows.iter().map(|r| {
                cells(r)
                    .iter()
                    .map(|c| super::csv_cell(c).into_owned())
                    .collect::<Vec<_>>()
            }))?,
            None => {
                let mut chunk = String::new();
                for r in rows {
                    self.json.element(&mut chunk, r)?;
                }
                chunk
            }
        };
        Ok(sink.send(chunk))
    }

    /// End the download (a JSON array's closing bracket).
    pub fn finish(self, sink: &mut ChunkSink) {
        if self.csv.is_none() {
            sink.send(self.json.end());
        }
    }
}

/// The text of a JSON array written an element at a time: `[`, the elements separated by
/// `,`, `]` — the same bytes as serialising the whole array at once.
#[derive(Default)]
struct JsonArrayWriter {
    started: bool,
}

impl JsonArrayWriter {
    /// `element` serialised, with the opening bracket or the separator before it.
    fn element<T: serde::Serialize>(
        &mut self,
        out: &mut String,
        element: &T,
    ) -> Result<(), AppError> {
        out.push(if self.started { ',' } else { '[' });
        self.started = true;
        out.push_str(
            &serde_json::to_string(element)
                .map_err(|e| AppError::Internal(format!("json: {e}")))?,
        );
        Ok(())
    }

    /// The closing bracket (with the opening one when there were no elements).
    fn end(self) -> &'static str {
        if self.started {
            "]"
        } else {
            "[]"
        }
    }
}

/// CSV records (already formula-safe cells) as text, as `csv::Writer` writes them.
fn csv_records<R, C>(records: impl IntoIterator<Item = R>) -> Result<String, AppError>
where
    R: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    let csv_error = |e: String| AppError::Internal(format!("csv: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        out.write_record(record)
            .map_err(|e| csv_error(e.to_string()))?;
    }
    let bytes = out.into_inner().map_err(|e| csv_error(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| csv_error(e.to_string()))
}
