//! Reading and writing the few cookies the upload page uses, without a cookie jar: values are
//! always our own hex strings.

use actix_web::http::header;
use actix_web::HttpRequest;

/// The value of cookie `name`, if the request carries it and it looks like one of ours (hex).
pub fn read(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, limited to `path`, Secure over https.
pub fn set(name: &str, value: &str, path: &str, max_age_secs: i64, secure: bool) -> String {
    let mut cookie =
        format!("{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// A `Set-Cookie` value that removes cookie `name`.
pub fn clear(name: &str, path: &str, secure: bool) -> String {
    set(name, "", path, 0, secure)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn reads_our_cookie_among_others_and_ignores_foreign_values() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "theme=dark; citytrace_session=ab12CD; x=1"))
            .to_http_request();
        assert_eq!(read(&req, "citytrace_session").as_deref(), Some("ab12CD"));
        assert_eq!(read(&req, "theme"), None, "not hex");
        assert_eq!(read(&req, "missing"), None);
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        assert_eq!(
            set("s", "ab", "/import", 60, false),
            "s=ab; Path=/import; Max-Age=60; HttpOnly; SameSite=Strict"
        );
        assert!(set("s", "ab", "/import", 60, true).ends_with("; Secure"));
        assert_eq!(
            clear("s", "/import", false),
            "s=; Path=/import; Max-Age=0; HttpOnly; SameSite=Strict"
        );
    }
}
