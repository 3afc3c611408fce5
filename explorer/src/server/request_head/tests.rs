use proptest::prelude::*;

use super::*;

fn refused(scan: Scan) -> (u16, String) {
    match scan {
        Scan::Refused(r) => (r.status.as_u16(), r.message),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_plain_head_is_read_with_its_length_and_body() {
    let head = b"GET /lots/A?x=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nNEXT";
    assert_eq!(
        scan_head(head),
        Scan::Head {
            len: head.len() - 4,
            body: Body::None
        }
    );
    let post = b"POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n";
    assert_eq!(
        scan_head(post),
        Scan::Head {
            len: post.len(),
            body: Body::Length(12)
        }
    );
    let chunked = b"POST /x HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n";
    assert_eq!(
        scan_head(chunked),
        Scan::Head {
            len: chunked.len(),
            body: Body::Chunked
        }
    );
    assert_eq!(
        scan_head(b"GET / HTTP/1.1\r\nHost: x\r\n"),
        Scan::Incomplete
    );
    assert_eq!(scan_head(b"GET / HT"), Scan::Incomplete);
    assert_eq!(
        scan_head(b"GET / HTTP/1.0\r\n\r\n"),
        Scan::Head {
            len: 18,
            body: Body::None
        },
        "HTTP/1.0 needs no Host"
    );
}

#[test]
fn heads_over_the_limits_are_refused_as_soon_as_they_pass_them() {
    let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_LINE));
    assert_eq!(refused(scan_head(long.as_bytes())).0, 414);
    // Before its end has even arrived.
    assert_eq!(
        refused(scan_head(&long.as_bytes()[..MAX_REQUEST_LINE + 1])).0,
        414
    );
    let api = format!(
        "GET /api/v1/search?q={} HTTP/1.1",
        "a".repeat(MAX_REQUEST_LINE)
    );
    match scan_head(api.as_bytes()) {
        Scan::Refused(r) => assert_eq!(r.path.as_deref(), Some("/api/")),
        other => panic!("{other:?}"),
    }
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "b".repeat(MAX_HEAD)
    );
    assert_eq!(refused(scan_head(big.as_bytes())).0, 431);
    let many = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-H: v\r\n".repeat(MAX_HEADERS)
    );
    assert_eq!(refused(scan_head(many.as_bytes())).0, 431);
    let enough = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-H: v\r\n".repeat(MAX_HEADERS - 1)
    );
    assert!(matches!(scan_head(enough.as_bytes()), Scan::Head { .. }));
}

#[test]
fn what_actix_http_refuses_is_refused_here_with_a_reason() {
    for (head, says) in [
        ("HELLO\r\n\r\n", "request line"),
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", "request line"),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "method"),
        ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "request line"),
        ("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", "URI"),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.0 and HTTP/1.1"),
        ("GET / HTTP/1.1\r\nHost x\r\n\r\n", "colon"),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", "name"),
        ("GET / HTTP/1.1\r\n folded\r\nHost: x\r\n\r\n", "colon"),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded: y\r\n\r\n", "name"),
        (
            "GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n",
            "characters",
        ),
        ("GET / HTTP/1.1\r\n\r\n", "Host"),
        (
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "more than one Host",
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n",
            "not a number",
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "more than one",
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "not a number",
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            "chunked",
        ),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            "both",
        ),
        (
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "only in HTTP/1.1",
        ),
        ("POST / HTTP/1.0\r\n\r\n", "Content-Length"),
    ] {
        let (status, message) = refused(scan_head(head.as_bytes()));
        assert_eq!(status, 400, "{head:?}");
        assert!(message.contains(says), "{head:?}: {message}");
    }
}

#[test]
fn a_chunked_body_is_followed_to_its_end_across_reads() {
    let body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nGET";
    let whole = body.len() - 3;
    // In one piece, and cut at every byte.
    let mut chunked = Chunked::default();
    assert_eq!(chunked.advance(body), Some(whole));
    assert_eq!(chunked, Chunked::Done);
    for cut in 0..whole {
        let mut chunked = Chunked::default();
        let first = chunked.advance(&body[..cut]).unwrap();
        let second = chunked.advance(&body[first..]).unwrap();
        assert_eq!(first + second, whole, "cut at {cut}");
        assert_eq!(chunked, Chunked::Done);
    }
    for broken in [&b"zz\r\n"[..], b"5\r\nhelloXX", b"11111111111111111\r\n"] {
        assert_eq!(Chunked::default().advance(broken), None, "{broken:?}");
    }
}

/// Whether the bytes hold an empty line (a line end right after the start or another).
fn has_empty_line(bytes: &[u8]) -> bool {
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            let line = &bytes[start..i];
            if line.is_empty() || line == b"\r" {
                return true;
            }
            start = i + 1;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::testing::fuzz_cases(10_000)))]

    /// Any bytes at all: the scanner answers (no panic), never reads past what it was given,
    /// and whatever it accepts is what a well-formed head looks like.
    #[test]
    fn any_bytes_are_scanned_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match scan_head(&bytes) {
            Scan::Head { len, body } => {
                prop_assert!(len <= bytes.len());
                let head = &bytes[..len];
                prop_assert!(head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"));
                // The head alone reads the same.
                prop_assert_eq!(scan_head(head), Scan::Head { len, body });
            }
            Scan::Refused(r) => prop_assert!(r.status.is_client_error()),
            Scan::Incomplete => {
                prop_assert!(!has_empty_line(&bytes), "an empty line ends a head");
                prop_assert!(bytes.len() <= MAX_HEAD);
            }
        }
        let mut chunked = Chunked::default();
        if let Some(used) = chunked.advance(&bytes) {
            prop_assert!(used <= bytes.len());
        }
    }

    /// Well-formed heads built from random parts (any target a URI accepts, any header values)
    /// are accepted with their exact length; the same head mutated at one byte is still
    /// answered, accepted or refused.
    #[test]
    fn well_formed_heads_are_accepted_and_mutated_ones_answered(
        method in "[A-Z]{1,8}",
        path in "/[a-zA-Z0-9%._~/-]{0,40}",
        query in proptest::option::of("[a-zA-Z0-9%=&+._-]{0,40}"),
        values in proptest::collection::vec("[ -~]{0,30}", 0..8),
        length in proptest::option::of(0u64..u64::MAX),
        at in any::<usize>(),
        byte in any::<u8>(),
    ) {
        let target = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: example\r\n");
        for (i, value) in values.iter().enumerate() {
            head.push_str(&format!("X-Value-{i}: {value}\r\n"));
        }
        if let Some(n) = length {
            head.push_str(&format!("Content-Length: {n}\r\n"));
        }
        head.push_str("\r\n");
        let expected = match length {
            Some(0) | None => Body::None,
            Some(n) => Body::Length(n),
        };
        prop_assert_eq!(scan_head(head.as_bytes()), Scan::Head { len: head.len(), body: expected });
        let mut mutated = head.clone().into_bytes();
        let at = at % mutated.len();
        let unchanged = mutated[at] == byte;
        mutated[at] = byte;
        let answer = scan_head(&mutated);
        if unchanged {
            prop_assert_eq!(answer, Scan::Head { len: head.len(), body: expected });
        }
    }
}
