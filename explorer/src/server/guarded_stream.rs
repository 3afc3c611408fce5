//! A connection as actix-http reads it, every request head checked first
//! ([`super::request_head`]). A head is held back until it is complete and acceptable, then
//! handed over with its body (followed by length or chunk by chunk to find the next head).
//! A refused head is never handed over: actix-http reads the end of the connection instead,
//! finishes answering what came before, and closes — and the closing writes the refusal, the
//! explorer's error page with the security headers, then `Connection: close`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::request_head::{scan_head, Body, Chunked, Refusal, Scan};

/// How long the first request's head may take to arrive; actix-http's own limit is set
/// longer, so that this one answers, with the security headers.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes asked of the socket at a time.
const READ_SIZE: usize = 16 * 1024;

enum Framing {
    /// A head is being read: its bytes are kept until it is complete and checked.
    Head,
    /// The body of the request handed over: this many bytes more.
    Length(u64),
    Chunked(Chunked),
    /// No longer HTTP (an upgrade), or a body whose framing broke (actix-http answers that
    /// request): passed on unread to the end.
    Passthrough,
    /// A head was refused: nothing more is handed over.
    Refused,
}

pub struct GuardedStream<IO> {
    io: IO,
    /// Read from the socket, not yet handed over.
    pending: Vec<u8>,
    /// How many bytes at the start of `pending` are checked and may be handed over.
    checked: usize,
    framing: Framing,
    eof: bool,
    /// The refusal still to be written when the connection closes.
    refusal: Vec<u8>,
    /// Until the first head is complete.
    first_head_deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The bytes that answer a refusal (the error page with its headers).
    answer: fn(&Refusal) -> Vec<u8>,
}

impl<IO> GuardedStream<IO> {
    pub fn new(io: IO, answer: fn(&Refusal) -> Vec<u8>) -> Self {
        Self {
            io,
            pending: Vec::new(),
            checked: 0,
            framing: Framing::Head,
            eof: false,
            refusal: Vec::new(),
            first_head_deadline: Some(Box::pin(tokio::time::sleep(HEAD_TIMEOUT))),
            answer,
        }
    }

    fn refuse(&mut self, refusal: &Refusal) {
        tracing::info!(status = refusal.status.as_u16(), reason = %refusal.message, "a request was refused before the app");
        self.pending.truncate(self.checked);
        self.refusal = (self.answer)(refusal);
        self.framing = Framing::Refused;
    }

    /// Check what has arrived past `checked`; whether anything moved.
    fn advance(&mut self) -> bool {
        let rest = self.pending.get(self.checked..).unwrap_or_default();
        if rest.is_empty() {
            return false;
        }
        match &mut self.framing {
            Framing::Head => {
                // Empty lines between requests are allowed and dropped.
                let blank = rest
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
                if blank > 0 {
                    self.pending.drain(self.checked..self.checked + blank);
                    return true;
                }
                match scan_head(rest) {
                    Scan::Incomplete => false,
                    Scan::Head { len, body } => {
                        self.checked += len;
                        self.first_head_deadline = None;
                        self.framing = match body {
                            Body::None => Framing::Head,
                            Body::Length(n) => Framing::Length(n),
                            Body::Chunked => Framing::Chunked(Chunked::default()),
                            Body::Upgrade => Framing::Passthrough,
                        };
                        true
                    }
                    Scan::Refused(refusal) => {
                        self.refuse(&refusal);
                        true
                    }
                }
            }
            Framing::Length(left) => {
                let n = usize::try_from(*left).unwrap_or(usize::MAX).min(rest.len());
                *left -= n as u64;
                if *left == 0 {
                    self.framing = Framing::Head;
                }
                self.checked += n;
                true
            }
            Framing::Chunked(chunked) => match chunked.advance(rest) {
                Some(used) => {
                    let done = *chunked == Chunked::Done;
                    if done {
                        self.framing = Framing::Head;
                    }
                    self.checked += used;
                    used > 0 || done
                }
                None => {
                    self.framing = Framing::Passthrough;
                    true
                }
            },
            Framing::Passthrough => {
                self.checked = self.pending.len();
                true
            }
            Framing::Refused => false,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for GuardedStream<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.checked > 0 {
                let n = this.checked.min(out.remaining());
                out.put_slice(this.pending.get(..n).unwrap_or_default());
                this.pending.drain(..n);
                this.checked -= n;
                return Poll::Ready(Ok(()));
            }
            if matches!(this.framing, Framing::Refused) {
                // The end of the connection, as far as actix-http knows.
                return Poll::Ready(Ok(()));
            }
            if this.advance() {
                continue;
            }
            if this.eof {
                // A head cut short by the end of the connection: actix-http sees it, and the end.
                if this.pending.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                this.checked = this.pending.len();
                continue;
            }
            if let Some(deadline) = this.first_head_deadline.as_mut() {
                if deadline.as_mut().poll(cx).is_ready() {
                    this.refuse(&Refusal {
                        status: StatusCode::REQUEST_TIMEOUT,
                        message: format!(
                            "The request did not arrive within {} seconds.",
                            HEAD_TIMEOUT.as_secs()
                        ),
                        path: None,
                    });
                    continue;
                }
            }
            if this.pending.is_empty() {
                // A body with nothing held back goes straight into actix-http's buffer.
                match this.framing {
                    Framing::Passthrough => return Pin::new(&mut this.io).poll_read(cx, out),
                    Framing::Length(left) if left >= out.remaining() as u64 => {
                        let before = out.filled().len();
                        ready!(Pin::new(&mut this.io).poll_read(cx, out))?;
                        let n = (out.filled().len() - before) as u64;
                        this.eof = n == 0;
                        this.framing = match left - n {
                            0 => Framing::Head,
                            more => Framing::Length(more),
                        };
                        return Poll::Ready(Ok(()));
                    }
                    _ => {}
                }
            }
            let mut chunk = [0u8; READ_SIZE];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.io).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.eof = true;
            } else {
                this.pending.extend_from_slice(read.filled());
            }
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for GuardedStream<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    /// Closing: the refusal, if there is one, goes out first.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while !this.refusal.is_empty() {
            let n = ready!(Pin::new(&mut this.io).poll_write(cx, &this.refusal))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            this.refusal.drain(..n);
        }
        ready!(Pin::new(&mut this.io).poll_flush(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
