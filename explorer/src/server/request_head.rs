//! Reading HTTP/1 request heads off the connection before actix-http does, with the same rules
//! and lower limits, so that a head the server refuses is refused here — with the explorer's
//! error page and security headers — and never by actix-http's bare answer. What actix-http
//! checks, this checks too: the request line (`METHOD SP target SP HTTP/1.x`, the target a
//! valid URI), header names and values, one `Host` (required in HTTP/1.1), one
//! `Content-Length` of digits, `Transfer-Encoding` only `chunked` (HTTP/1.1, never with a
//! length), and a length for an HTTP/1.0 POST. Bodies are followed (by length, or chunk by
//! chunk) only to find where the next head begins.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{StatusCode, Uri};

/// The longest request line (method, target, version): longer is 414.
pub const MAX_REQUEST_LINE: usize = 16 * 1024;
/// The longest head, request line included: longer is 431.
pub const MAX_HEAD: usize = 32 * 1024;
/// The most header lines: more is 431 (actix-http's own limit).
pub const MAX_HEADERS: usize = 96;
/// The longest chunk-size or trailer line of a chunked body.
const MAX_CHUNK_LINE: usize = 4 * 1024;

/// A head the server refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    /// The request's path when it could be read (an `/api` path is answered in JSON).
    pub path: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            path: None,
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// What follows a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Length(u64),
    Chunked,
    /// A protocol upgrade (WebSocket): what follows is not HTTP and is not looked at.
    Upgrade,
}

/// The result of reading the start of a buffer as a head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// More bytes are needed to know.
    Incomplete,
    /// An acceptable head of `len` bytes, followed by `body`.
    Head {
        len: usize,
        body: Body,
    },
    Refused(Refusal),
}

/// Read `buf` (which starts with a request line) as a head.
pub fn scan_head(buf: &[u8]) -> Scan {
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut pos = 0;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
            if lines.is_empty() && rest.len() > MAX_REQUEST_LINE {
                return Scan::Refused(uri_too_long(rest));
            }
            if buf.len() > MAX_HEAD {
                return Scan::Refused(head_too_large(&lines));
            }
            return Scan::Incomplete;
        };
        let raw = rest.get(..newline).unwrap_or_default();
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if lines.is_empty() && line.len() > MAX_REQUEST_LINE {
            return Scan::Refused(uri_too_long(line));
        }
        pos += newline + 1;
        if pos > MAX_HEAD {
            return Scan::Refused(head_too_large(&lines));
        }
        if line.is_empty() {
            break;
        }
        lines.push(line);
        if lines.len() > MAX_HEADERS + 1 {
            return Scan::Refused(head_too_large(&lines));
        }
    }
    match check_head(&lines) {
        Ok(body) => Scan::Head { len: pos, body },
        Err(mut refusal) => {
            refusal.path = lines.first().and_then(|l| request_path(l));
            Scan::Refused(refusal)
        }
    }
}

fn uri_too_long(request_line: &[u8]) -> Refusal {
    let mut refusal = Refusal::new(
        StatusCode::URI_TOO_LONG,
        format!(
            "The address is too long: the server reads addresses of at most {} KiB.",
            MAX_REQUEST_LINE / 1024
        ),
    );
    refusal.path = api_path_prefix(request_line);
    refusal
}

fn head_too_large(lines: &[&[u8]]) -> Refusal {
    let mut refusal = Refusal::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        format!(
            "The request's headers are too large: the server reads at most {MAX_HEADERS} headers and {} KiB in all.",
            MAX_HEAD / 1024
        ),
    );
    refusal.path = lines.first().and_then(|l| request_path(l));
    refusal
}

/// `/api/` when a request line that could not be read whole is for the API.
fn api_path_prefix(request_line: &[u8]) -> Option<String> {
    let target = request_line.splitn(3, |&b| b == b' ').nth(1)?;
    target.starts_with(b"/api/").then(|| "/api/".to_string())
}

/// The path of a request line, if it has one that reads.
fn request_path(request_line: &[u8]) -> Option<String> {
    let target = request_line.splitn(3, |&b| b == b' ').nth(1)?;
    let path = target.split(|&b| b == b'?').next()?;
    std::str::from_utf8(path).ok().map(str::to_string)
}

/// The request line and headers (without line ends); what follows the head.
fn check_head(lines: &[&[u8]]) -> Result<Body, Refusal> {
    let (request_line, headers) = lines
        .split_first()
        .ok_or_else(|| Refusal::bad("The request has no request line."))?;
    let (method, http10) = check_request_line(request_line)?;
    let mut framing = Framing::default();
    for line in headers {
        let (name, value) = header(line)?;
        framing.note(&name, &value, http10)?;
    }
    framing.body(&method, http10)
}

/// `METHOD SP target SP HTTP/1.x`: the method, and whether it is HTTP/1.0.
fn check_request_line(line: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Err(Refusal::bad(
            "The request line is not METHOD, address and HTTP version separated by single spaces.",
        ));
    };
    if method.is_empty() || !method.iter().all(|&b| is_token(b)) {
        return Err(Refusal::bad(
            "The request's method is not a word of letters.",
        ));
    }
    if target.is_empty() || Uri::try_from(*target).is_err() {
        return Err(Refusal::bad("The request's address is not a valid URI."));
    }
    let http10 = match *version {
        b"HTTP/1.1" => false,
        b"HTTP/1.0" => true,
        _ => {
            return Err(Refusal::bad(
                "The server speaks HTTP/1.0 and HTTP/1.1 only.",
            ))
        }
    };
    Ok((method.to_vec(), http10))
}

/// `name: value`, both checked as actix-http checks them.
fn header(line: &[u8]) -> Result<(HeaderName, HeaderValue), Refusal> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| Refusal::bad("A header line has no colon."))?;
    let (name, value) = line.split_at(colon);
    let value = value.get(1..).unwrap_or_default().trim_ascii();
    if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
        return Err(Refusal::bad(
            "A header's name is not a word (no spaces before the colon).",
        ));
    }
    let name =
        HeaderName::from_bytes(name).map_err(|_| Refusal::bad("A header's name is not valid."))?;
    let value = HeaderValue::from_bytes(value).map_err(|_| {
        Refusal::bad(format!(
            "The {name} header has characters a header cannot have."
        ))
    })?;
    Ok((name, value))
}

/// What the headers say about the body.
#[derive(Default)]
struct Framing {
    length: Option<u64>,
    chunked: bool,
    transfer_encoding: bool,
    host: bool,
    websocket: bool,
}

impl Framing {
    fn note(
        &mut self,
        name: &HeaderName,
        value: &HeaderValue,
        http10: bool,
    ) -> Result<(), Refusal> {
        use actix_web::http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING, UPGRADE};
        let text = value.to_str().map(str::trim);
        if *name == CONTENT_LENGTH {
            let length = text
                .ok()
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok())
                .ok_or_else(|| Refusal::bad("The Content-Length header is not a number."))?;
            if self.length.replace(length).is_some() {
                return Err(Refusal::bad(
                    "The request has more than one Content-Length header.",
                ));
            }
        } else if *name == TRANSFER_ENCODING {
            if http10 || self.transfer_encoding {
                return Err(Refusal::bad(
                    "Transfer-Encoding is allowed once, and only in HTTP/1.1.",
                ));
            }
            self.transfer_encoding = true;
            match text {
                Ok(t) if t.eq_ignore_ascii_case("chunked") => self.chunked = true,
                Ok(t) if t.eq_ignore_ascii_case("identity") => {}
                _ => {
                    return Err(Refusal::bad(
                        "The only Transfer-Encoding the server reads is chunked.",
                    ))
                }
            }
        } else if *name == HOST {
            if self.host {
                return Err(Refusal::bad("The request has more than one Host header."));
            }
            self.host = true;
        } else if *name == UPGRADE {
            self.websocket |= text.is_ok_and(|t| t.eq_ignore_ascii_case("websocket"));
        }
        Ok(())
    }

    fn body(self, method: &[u8], http10: bool) -> Result<Body, Refusal> {
        if !http10 && !self.host {
            return Err(Refusal::bad("An HTTP/1.1 request needs a Host header."));
        }
        if self.transfer_encoding && !self.chunked {
            return Err(Refusal::bad(
                "The only Transfer-Encoding the server reads is chunked.",
            ));
        }
        if self.chunked && self.length.is_some() {
            return Err(Refusal::bad(
                "The request has both Content-Length and Transfer-Encoding.",
            ));
        }
        if http10 && method == b"POST" && self.length.is_none() {
            return Err(Refusal::bad(
                "An HTTP/1.0 POST needs a Content-Length header.",
            ));
        }
        Ok(if self.chunked {
            Body::Chunked
        } else if self.websocket {
            Body::Upgrade
        } else {
            match self.length {
                Some(0) | None => Body::None,
                Some(n) => Body::Length(n),
            }
        })
    }
}

/// RFC 9110 `tchar`.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Where a chunked body is: followed only to find its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chunked {
    #[default]
    Size,
    Data(u64),
    /// The line end after a chunk's data.
    DataEnd,
    Trailers,
    Done,
}

impl Chunked {
    /// Follow `buf` (the body's next bytes): how many bytes belong to the body. `None` when
    /// the framing is broken — actix-http then answers for the request it is reading.
    pub fn advance(&mut self, buf: &[u8]) -> Option<usize> {
        let mut used = 0;
        loop {
            let rest = buf.get(used..).unwrap_or_default();
            match *self {
                Self::Done => return Some(used),
                Self::Data(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(rest.len());
                    used += take;
                    let left = n - take as u64;
                    if left > 0 {
                        *self = Self::Data(left);
                        return Some(used);
                    }
                    *self = Self::DataEnd;
                }
                Self::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        used += 2;
                        *self = Self::Size;
                    }
                    [b'\n', ..] => {
                        used += 1;
                        *self = Self::Size;
                    }
                    [] | [b'\r'] => return Some(used),
                    _ => return None,
                },
                Self::Size | Self::Trailers => {
                    let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
                        return (rest.len() <= MAX_CHUNK_LINE).then_some(used);
                    };
                    if newline > MAX_CHUNK_LINE {
                        return None;
                    }
                    let raw = rest.get(..newline).unwrap_or_default();
                    let line = raw.strip_suffix(b"\r").unwrap_or(raw);
                    used += newline + 1;
                    *self = match *self {
                        Self::Size => match chunk_size(line)? {
                            0 => Self::Trailers,
                            n => Self::Data(n),
                        },
                        _ if line.is_empty() => Self::Done,
                        other => other,
                    };
                }
            }
        }
    }
}

/// A chunk-size line: hex digits, then maybe `;extensions`.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.split(|&b| b == b';').next()?.trim_ascii();
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

#[cfg(test)]
mod tests;
