//! The reading side of a re-proof: every batch to prove, as pages of rows, in order, to the
//! proving side. The bulk formats come from one binary COPY per format over all their batches
//! (`super::fast`); the others a batch at a time, streamed (`proof::stored`).

use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::QueryResult;

use super::copy::{CopyReader, RawPage};
use super::fast::{self, FastKind};
use super::{BatchToProve, ReproveOptions};
use crate::merkle::{self, Hash};
use crate::proof::stored::{self, StoredPage};

/// Rows of one batch, as read.
pub enum Page {
    Stored(StoredPage),
    Raw(FastKind, RawPage),
}

impl Page {
    pub fn len(&self) -> usize {
        match self {
            Self::Stored(page) => page.len(),
            Self::Raw(_, page) => page.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The line of row `i` (i64::MIN when it cannot be read: no row has that line).
    pub fn line(&self, i: usize) -> i64 {
        match self {
            Self::Stored(page) => page.line(i),
            Self::Raw(_, page) => fast::line_of(page, i).unwrap_or(i64::MIN),
        }
    }

    /// The leaf of row `i`; `scratch` is reused between rows. A row that cannot be read is
    /// hashed as the reason, so it can never give the anchored leaf.
    pub fn leaf(&self, i: usize, scratch: &mut Vec<u8>) -> Hash {
        match self {
            Self::Stored(page) => merkle::leaf_hash(&page.canonical(i)),
            Self::Raw(kind, page) => {
                scratch.clear();
                if let Err(reason) = kind.encode(page, i, scratch) {
                    scratch.clear();
                    scratch.extend_from_slice(format!("unreadable row: {reason}").as_bytes());
                }
                merkle::leaf_hash(scratch)
            }
        }
    }
}

/// What the reading side tells the proving side.
pub enum Message {
    /// The rows of `batches[index]` follow.
    Start(usize),
    Page(Page),
    /// Every row of the batch was sent.
    End,
}

/// Sends to the proving side; false once it has stopped (its error is the one reported).
struct Sender<'a>(&'a SyncSender<Message>);

impl Sender<'_> {
    fn send(&self, message: Message) -> bool {
        self.0.send(message).is_ok()
    }
}

/// Every page of every batch: the bulk formats first, one COPY each, then the others batch by
/// batch (each in id order). Stops early (Ok) when the proving side has stopped.
pub fn read_batches(
    conn: &mut PgConnection,
    batches: &[BatchToProve],
    options: ReproveOptions,
    pages: &SyncSender<Message>,
) -> QueryResult<()> {
    let pages = Sender(pages);
    let page_rows = usize::try_from(options.page_rows).unwrap_or(1).max(1);
    let mut by_id: Vec<usize> = (0..batches.len()).collect();
    by_id.sort_by_key(|&i| batches[i].batch.id);
    let fast_kind = |i: &usize| stored::format_of(&batches[*i].batch.kind).and_then(FastKind::of);
    for kind in FastKind::ALL {
        let of_kind: Vec<usize> = by_id
            .iter()
            .copied()
            .filter(|i| fast_kind(i) == Some(kind))
            .collect();
        if !of_kind.is_empty() && !copy_kind(conn, kind, &of_kind, batches, page_rows, &pages)? {
            return Ok(());
        }
    }
    for index in by_id.into_iter().filter(|i| fast_kind(i).is_none()) {
        if !pages.send(Message::Start(index)) {
            return Ok(());
        }
        let batch = &batches[index].batch;
        if let Some(format) = stored::format_of(&batch.kind) {
            let mut stopped = false;
            stored::for_each_streamed_page(conn, format, batch.id, page_rows, |page| {
                stopped = !pages.send(Message::Page(Page::Stored(page)));
                if stopped {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })?;
            if stopped {
                return Ok(());
            }
        }
        if !pages.send(Message::End) {
            return Ok(());
        }
    }
    Ok(())
}

fn copy_error(e: std::io::Error) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(e))
}

/// The batches `wanted` (indexes into `batches`, in id order, all of `kind`) from one COPY of
/// every row of the kind in (batch, line) order. Rows of other batches (a batch no longer in
/// `import_batches`, or imported since the audit began) are passed over. False when the
/// proving side stopped.
fn copy_kind(
    conn: &mut PgConnection,
    kind: FastKind,
    wanted: &[usize],
    batches: &[BatchToProve],
    page_rows: usize,
    pages: &Sender,
) -> QueryResult<bool> {
    // One stream, read in order: no parallel workers (the hashing takes the other cores) and
    // no JIT compilation (nothing to gain on a plain scan).
    conn.batch_execute("SET max_parallel_workers_per_gather = 0; SET jit = off")?;
    let sent = send_copied(kind.copy(conn)?, kind, wanted, batches, page_rows, pages);
    // diesel leaves the COPY's own result unread once its data is: a simple statement (libpq's
    // PQexec) reads and discards it, freeing the connection for the next query.
    conn.batch_execute("RESET max_parallel_workers_per_gather; RESET jit")?;
    sent
}

fn send_copied(
    stream: impl std::io::BufRead,
    kind: FastKind,
    wanted: &[usize],
    batches: &[BatchToProve],
    page_rows: usize,
    pages: &Sender,
) -> QueryResult<bool> {
    let mut reader = CopyReader::new(stream);
    let mut queue = wanted.iter().copied().peekable();
    // The batch whose rows are being read, and whether it is one of `wanted`.
    let mut current: Option<(i64, bool)> = None;
    let mut page = RawPage::with_capacity(kind.width(), page_rows, 256);
    loop {
        if !reader.next_into(&mut page).map_err(copy_error)? {
            reader.finish().map_err(copy_error)?;
            break;
        }
        let row = page.len() - 1;
        let id = fast::batch_of(&page, row)
            .map_err(|e| copy_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        if current.map(|(c, _)| c) != Some(id) {
            let first = page.split_last();
            if let Some((_, true)) = current {
                let full = std::mem::replace(
                    &mut page,
                    RawPage::with_capacity(kind.width(), page_rows, 256),
                );
                if !full.is_empty() && !pages.send(Message::Page(Page::Raw(kind, full))) {
                    return Ok(false);
                }
                if !pages.send(Message::End) {
                    return Ok(false);
                }
            }
            page.clear();
            // Batches of no rows before this one.
            while let Some(&next) = queue.peek() {
                if batches[next].batch.id >= id {
                    break;
                }
                if !(pages.send(Message::Start(next)) && pages.send(Message::End)) {
                    return Ok(false);
                }
                queue.next();
            }
            let wanted_now = queue
                .peek()
                .is_some_and(|&next| batches[next].batch.id == id);
            if wanted_now {
                if let Some(next) = queue.next() {
                    if !pages.send(Message::Start(next)) {
                        return Ok(false);
                    }
                }
                page.append(&first);
            }
            current = Some((id, wanted_now));
        } else if current.is_some_and(|(_, wanted)| !wanted) {
            page.clear();
        }
        if page.len() >= page_rows {
            let full = std::mem::replace(
                &mut page,
                RawPage::with_capacity(kind.width(), page_rows, 256),
            );
            if !pages.send(Message::Page(Page::Raw(kind, full))) {
                return Ok(false);
            }
        }
    }
    if let Some((_, true)) = current {
        if !page.is_empty() && !pages.send(Message::Page(Page::Raw(kind, page))) {
            return Ok(false);
        }
        if !pages.send(Message::End) {
            return Ok(false);
        }
    }
    for next in queue {
        if !(pages.send(Message::Start(next)) && pages.send(Message::End)) {
            return Ok(false);
        }
    }
    Ok(true)
}
