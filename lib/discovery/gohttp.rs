//! Answers shaped as Go's `net/http` shapes them, so that `disco serve` answers byte for byte
//! what discovery.etcd.io (Go, gorilla/mux) answers — the same header names, values and order:
//!
//! - the handler's headers come first, sorted by name (Go writes its header map sorted);
//! - then what the server adds when the handler did not set it: `Date`, `Content-Length`
//!   (for a HEAD, only when the handler wrote a body), and a sniffed `Content-Type`
//!   (`text/plain; charset=utf-8` for text) when there is a body;
//! - `http.Error` adds `X-Content-Type-Options: nosniff` and a newline to the message;
//! - `http.Redirect` writes a small HTML body for GET (and sets its type for HEAD).
//!
//! Header names are written in Go's canonical form (`X-Etcd-Cluster-Id`) by the server
//! (hyper's title-case option), in the order of the map built here.

use std::collections::BTreeMap;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

use crate::api::http::{Body, full};

/// What a Go handler produced: status, its header map and its body.
#[derive(Clone, Debug, Default)]
pub struct GoResponse {
    pub status: u16,
    /// Canonical name → values, as `w.Header()` holds them.
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: Bytes,
}

/// What of the request shapes the answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    /// A HEAD request: no body is sent.
    pub head: bool,
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: `x-etcd-index` → `X-Etcd-Index`.
pub fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if upper {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        upper = c == '-';
    }
    out
}

impl GoResponse {
    pub fn new(status: u16) -> GoResponse {
        GoResponse { status, ..Default::default() }
    }

    /// Adds a value to a header (Go's `Header().Add`).
    pub fn add(mut self, name: &str, value: impl Into<String>) -> GoResponse {
        self.headers.entry(canonical(name)).or_default().push(value.into());
        self
    }

    pub fn body(mut self, b: impl Into<Bytes>) -> GoResponse {
        self.body = b.into();
        self
    }

    /// `http.Error(w, msg, status)`.
    pub fn error(status: u16, msg: &str) -> GoResponse {
        GoResponse::new(status)
            .add("Content-Type", "text/plain; charset=utf-8")
            .add("X-Content-Type-Options", "nosniff")
            .body(format!("{msg}\n"))
    }

    /// `http.NotFound`.
    pub fn not_found() -> GoResponse {
        GoResponse::error(404, "404 page not found")
    }

    /// gorilla/mux's answer to a method no route allows: 405 and nothing else.
    pub fn method_not_allowed() -> GoResponse {
        GoResponse::new(405)
    }

    /// `http.Redirect(w, r, url, status)` for a request with `method`.
    pub fn redirect(method: &str, url: &str, status: u16) -> GoResponse {
        let mut r = GoResponse::new(status).add("Location", url);
        if method == "GET" || method == "HEAD" {
            r = r.add("Content-Type", "text/html; charset=utf-8");
        }
        if method == "GET" {
            let text = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
            r = r.body(format!("<a href=\"{}\">{text}</a>.\n\n", html_escape(url)));
        }
        r
    }

    /// The answer as the server sends it: headers in Go's order with the server's additions.
    pub fn into_hyper(self, shape: Shape) -> Response<Body> {
        let mut list: Vec<(String, String)> = Vec::new();
        for (k, vs) in &self.headers {
            for v in vs {
                list.push((k.clone(), v.clone()));
            }
        }
        let has = |k: &str| self.headers.contains_key(k);
        if !has("Date") {
            list.push(("Date".into(), httpdate::fmt_http_date(std::time::SystemTime::now())));
        }
        let no_body_status = self.status == 204 || self.status == 304 || self.status < 200;
        // Go leaves the length out of a HEAD answer whose handler wrote nothing.
        let head_without_body = shape.head && self.body.is_empty();
        if !has("Content-Length") && !has("Transfer-Encoding") && !no_body_status && !head_without_body {
            list.push(("Content-Length".into(), self.body.len().to_string()));
        }
        if !has("Content-Type") && !self.body.is_empty() && !no_body_status {
            list.push(("Content-Type".into(), sniff(&self.body).into()));
        }
        let body = if shape.head || no_body_status { Bytes::new() } else { self.body };
        // An empty body that says so would make hyper drop our `Content-Length: 0` and write
        // its own after `Connection`; one of unknown length keeps ours where Go puts it.
        let body = if body.is_empty() && !shape.head && !no_body_status {
            http_body_util::BodyExt::boxed(Unended)
        } else {
            full(body)
        };
        let mut r = Response::new(body);
        *r.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = r.headers_mut();
        for (k, v) in list {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
                h.append(n, v);
            }
        }
        r
    }
}

/// An empty body of unknown length (see [`GoResponse::into_hyper`]).
struct Unended;

impl hyper::body::Body for Unended {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

/// Go's `http.DetectContentType`, for the bodies this service writes: text or not.
fn sniff(body: &[u8]) -> &'static str {
    let head = &body[..body.len().min(512)];
    let binary = head.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | 0x1b));
    if binary { "application/octet-stream" } else { "text/plain; charset=utf-8" }
}

/// Go's `htmlEscape` (`html.EscapeString` for the redirect body).
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Go's `strconv.Atoi` with its error texts (`strconv.Atoi: parsing "x": invalid syntax`).
pub fn atoi(s: &str) -> Result<i64, String> {
    let quoted = go_quote(s);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {quoted}: invalid syntax"));
    }
    s.trim_start_matches('+')
        .parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {quoted}: value out of range"))
}

/// Go's `strconv.Quote` for the strings that reach it here.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `ServeMux` path cleaning: the clean form of `p` (keeping a trailing slash), which a
/// request for an unclean path is redirected to (301).
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return "/".into();
    }
    let p = if p.starts_with('/') { p.to_string() } else { format!("/{p}") };
    let mut c = crate::store::clean_path(&p);
    if p.ends_with('/') && c != "/" {
        c.push('/');
    }
    c
}

/// Go's `url.ParseQuery` as `FormValue` uses it: every `key=value` that parses; the bad ones
/// are skipped.
pub fn query_pairs(raw: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in raw.split('&') {
        if part.is_empty() || part.contains(';') {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        if let (Ok(k), Ok(v)) =
            (crate::api::form::unescape(k.as_bytes()), crate::api::form::unescape(v.as_bytes()))
        {
            out.push((k, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names() {
        assert_eq!(canonical("x-etcd-cluster-id"), "X-Etcd-Cluster-Id");
        assert_eq!(canonical("content-type"), "Content-Type");
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(atoi("3"), Ok(3));
        assert_eq!(atoi("+3"), Ok(3));
        assert_eq!(atoi("-1"), Ok(-1));
        assert_eq!(atoi("abc").unwrap_err(), r#"strconv.Atoi: parsing "abc": invalid syntax"#);
        assert_eq!(atoi(" 3").unwrap_err(), r#"strconv.Atoi: parsing " 3": invalid syntax"#);
        assert_eq!(
            atoi("99999999999999999999").unwrap_err(),
            r#"strconv.Atoi: parsing "99999999999999999999": value out of range"#
        );
    }

    #[test]
    fn redirects_and_errors() {
        let r = GoResponse::redirect("GET", "/new?size=x", 301);
        assert_eq!(&r.body[..], b"<a href=\"/new?size=x\">Moved Permanently</a>.\n\n");
        assert!(GoResponse::redirect("POST", "/x", 301).body.is_empty());
        assert_eq!(&GoResponse::not_found().body[..], b"404 page not found\n");
        assert_eq!(clean_path("/a/../new"), "/new");
        assert_eq!(clean_path("//x/"), "/x/");
        assert_eq!(
            query_pairs("size=5&a;b=1&x=%zz&y"),
            vec![("size".into(), "5".into()), ("y".into(), "".into())]
        );
    }
}
