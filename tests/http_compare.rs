//! The HTTP edges of the client API, side by side with etcd 3.4 in one run (issue 16): CORS
//! (`--cors`, etcd's default `*`, and a list of origins), `OPTIONS` preflights, a request
//! without `Host`, a head that is only blank lines, and the method rules of the side endpoints
//! (405 with etcd's `Allow`). Each raw request goes to both servers; the status line, the
//! headers that matter and a text body must be the same.
//!
//! Where kv-serve is deliberately stricter than etcd (invalid UTF-8 in keys and values refused,
//! 431 for a huge head) is tested in tests/bad_input.rs and documented in the README.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Member, Server};

/// What an answer is compared by.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status_line: String,
    headers: BTreeMap<String, String>,
    /// The body when it is text (JSON bodies carry indexes; the conformance suite compares them).
    text_body: Option<String>,
    /// Whether the server closed the connection within 2 s of the request.
    closed: bool,
}

const COMPARED: &[&str] = &[
    "allow",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "content-type",
    "x-content-type-options",
    "connection",
];

fn raw(m: &Member, request: &str) -> Answer {
    let addr = m.client_url().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut closed = false;
    while t0.elapsed() < Duration::from_secs(2) {
        let mut buf = [0u8; 4096];
        match s.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                closed = true;
                break;
            }
            Err(_) => {}
        }
    }
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("").to_string();
    let mut headers = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if COMPARED.contains(&k.as_str()) {
                headers.insert(k, v.trim().to_string());
            }
        }
    }
    let text_body =
        headers.get("content-type").filter(|c| c.starts_with("text/plain")).map(|_| body.to_string());
    Answer { status_line, headers, text_body, closed }
}

fn req(method: &str, path: &str, extra: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}{}\r\n{body}",
        if body.is_empty() { String::new() } else { format!("Content-Length: {}\r\n", body.len()) }
    )
}

fn compare(cases: &[(&str, String)], kv: &Member, etcd: &Member) {
    let mut differ = Vec::new();
    for (what, request) in cases {
        let (a, b) = (raw(etcd, request), raw(kv, request));
        if a != b {
            differ.push(format!("{what}:\n  etcd:     {a:?}\n  kv-serve: {b:?}"));
        }
    }
    assert!(differ.is_empty(), "{} of {} answers differ:\n{}", differ.len(), cases.len(), differ.join("\n"));
}

fn pair(args: &[&str]) -> (Member, Member) {
    let mut kv = Member::builder().server(Server::KvServe);
    let mut etcd = Member::builder().server(Server::Etcd);
    for a in args {
        kv = kv.arg(a);
        etcd = etcd.arg(a);
    }
    (kv.start(), etcd.start())
}

#[test]
fn edges_and_method_rules_answer_as_etcd() {
    let (kv, etcd) = pair(&[]);
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let json = "Content-Type: application/json\r\n";
    let mut cases: Vec<(&str, String)> = vec![
        ("HTTP/1.1 without Host", "GET /v2/keys/ HTTP/1.1\r\n\r\n".into()),
        ("a head of blank lines", "\r\n\r\n\r\n".into()),
        ("HTTP/1.0 without Host is fine", "GET /version HTTP/1.0\r\n\r\n".into()),
        ("PUT /v2/members with a form", req("PUT", "/v2/members", form, "a=b")),
        ("DELETE /v2/members", req("DELETE", "/v2/members", "", "")),
        ("PUT /v2/members/ID with a form", req("PUT", "/v2/members/abc", form, "a=b")),
        ("POST /v2/members with a form", req("POST", "/v2/members", form, "a=b")),
        ("POST /v2/members with bad JSON", req("POST", "/v2/members", json, "{")),
        ("GET /v2/members/leader", req("GET", "/v2/members/leader", "", "")),
        ("HEAD /v2/keys/", req("HEAD", "/v2/keys/", "", "")),
        ("HEAD /v2/machines", req("HEAD", "/v2/machines", "", "")),
        ("POST /v2/machines", req("POST", "/v2/machines", "", "")),
    ];
    for path in [
        "/v2/members",
        "/v2/members/leader",
        "/v2/stats/self",
        "/v2/stats/leader",
        "/v2/stats/store",
        "/version",
        "/health",
    ] {
        for method in ["HEAD", "PATCH", "POST"] {
            if method == "POST" && path.starts_with("/v2/members") {
                continue;
            }
            let what: &'static str = Box::leak(format!("{method} {path}").into_boxed_str());
            cases.push((what, req(method, path, "", "")));
        }
    }
    compare(&cases, &kv, &etcd);
    // A blank-line head is dropped at once, not held for the head timeout.
    let t0 = Instant::now();
    assert!(raw(&kv, "\r\n\r\n").closed);
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    // Heads that cannot be parsed end the connection at once on both. etcd's port multiplexer
    // drops one whose request line it cannot read without a word, and Go's HTTP server answers a
    // bad header line `400 Bad Request` with a text body; kv-serve answers all of them 400,
    // without a body — a deliberate difference: the client is told, and nothing is held.
    for (what, head) in [
        ("a garbage head", "GARBAGE\r\n\r\n"),
        ("a request line without a version", "GET /version\r\n\r\n"),
        ("an unknown HTTP version", "GET /version HTTP/9.9\r\nHost: x\r\n\r\n"),
        ("a header line without a colon", "GET /version HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n"),
    ] {
        let t0 = Instant::now();
        let ours = raw(&kv, head);
        let took = t0.elapsed();
        let theirs = raw(&etcd, head);
        assert!(ours.closed && took < Duration::from_secs(1), "{what}: {ours:?} after {took:?}");
        assert_eq!(ours.status_line, "HTTP/1.1 400 Bad Request", "{what}");
        assert!(theirs.closed, "{what}: etcd {theirs:?}");
        assert!(
            ["", "HTTP/1.1 400 Bad Request"].contains(&theirs.status_line.as_str()),
            "{what}: etcd {theirs:?}"
        );
    }
}

#[test]
fn cors_by_default_answers_any_origin_as_etcd() {
    let (kv, etcd) = pair(&[]);
    let origin = "Origin: http://page.example:8000\r\n";
    let cases: Vec<(&str, String)> = vec![
        ("OPTIONS /v2/keys/x", req("OPTIONS", "/v2/keys/x", "", "")),
        (
            "OPTIONS /v2/keys/x from a page",
            req("OPTIONS", "/v2/keys/x", &format!("{origin}Access-Control-Request-Method: PUT\r\n"), ""),
        ),
        ("OPTIONS /v2/members", req("OPTIONS", "/v2/members", origin, "")),
        ("OPTIONS /nowhere", req("OPTIONS", "/nowhere", origin, "")),
        ("GET /v2/keys/x from a page", req("GET", "/v2/keys/x", origin, "")),
        (
            "PUT /v2/keys/x from a page",
            req(
                "PUT",
                "/v2/keys/x",
                &format!("{origin}Content-Type: application/x-www-form-urlencoded\r\n"),
                "value=1",
            ),
        ),
        ("GET /version from a page", req("GET", "/version", origin, "")),
        ("GET /v2/stats/self", req("GET", "/v2/stats/self", "", "")),
        ("GET /nowhere from a page", req("GET", "/nowhere", origin, "")),
    ];
    compare(&cases, &kv, &etcd);
}

#[test]
fn cors_with_a_list_answers_only_its_origins_as_etcd() {
    let (kv, etcd) = pair(&["--cors", "http://a.example:80,https://b.example:8443"]);
    let cases: Vec<(&str, String)> = vec![
        ("OPTIONS, no Origin", req("OPTIONS", "/v2/keys/x", "", "")),
        ("OPTIONS from a listed origin", req("OPTIONS", "/v2/keys/x", "Origin: http://a.example:80\r\n", "")),
        ("OPTIONS from another origin", req("OPTIONS", "/v2/keys/x", "Origin: http://c.example:80\r\n", "")),
        ("GET from the second origin", req("GET", "/v2/keys/", "Origin: https://b.example:8443\r\n", "")),
        ("GET from another origin", req("GET", "/v2/keys/", "Origin: https://b.example\r\n", "")),
        ("GET without Origin", req("GET", "/v2/keys/", "", "")),
    ];
    compare(&cases, &kv, &etcd);
}

#[test]
fn a_cors_origin_without_a_port_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::KV_SERVE)
        .args(["--cors", "http://a.example"])
        .arg("--data-dir")
        .arg(dir.path().join("d"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value \"http://a.example\" for flag --cors: URL address does not have the form \"host:port\": http://a.example"),
        "{err}"
    );
    assert!(!dir.path().join("d").exists(), "nothing is created");
}
