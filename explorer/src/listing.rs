//! Every list of the explorer, declared once (`citytrace_reads::lists`: its SQL, columns and
//! filters, and the engine that reads it) and served four ways from the same query: an HTML
//! page (filters, sorting and pagination in the URL, so every view is a permalink; htmx swaps
//! the table in place), a paged JSON API (`/api/v1/<name>`), and a full export of the filtered
//! result as CSV or JSON, streamed from a server-side cursor in constant memory, with no row cap
//! (`?format=csv|json`, on the page's URL or the API's). This is the HTTP side: parameters in
//! URLs ([`ListUrl`]), the page and table views, the streamed downloads.

mod export;
pub mod query;
pub mod stream;
mod view;

pub use citytrace_reads::lists::{
    ColumnKind, FilterKind, ListColumn, ListDef, ListFilter, ListParams, PageOfRows, COUNT_CAP,
};
pub use export::{csv_cell, csv_download, csv_line, export};
pub use query::ListUrl;
pub use stream::{stream_download, ChunkSink, Download, RowChunks};
pub use view::{ListPage, ListView};
