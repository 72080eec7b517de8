//! Bad input gets an etcd-style error (or a closed connection), changes nothing, and does not
//! stop the server from serving everyone else: malformed forms, bad escapes, bad numbers,
//! invalid UTF-8, a body over the limit, thousands of path segments, oversized headers,
//! clients that send half a request and stall.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Member, Value};

/// Sends raw bytes, returns (status, body) of the first response (None if the server closed
/// the connection without answering).
fn raw(m: &Member, request: &[u8]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect((m.ip, m.client_port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may answer and close before it has read everything: ignore write errors.
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_response(&buf)
}

fn parse_response(buf: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(buf).to_string();
    let status: u16 = text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

fn request(method: &str, target: &str, body: &[u8], form: bool) -> Vec<u8> {
    let mut r = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    if form {
        r.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    r.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = r.into_bytes();
    out.extend_from_slice(body);
    out
}

fn etcd_error(body: &str) -> (u64, String) {
    let v: Value = serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    (v["errorCode"].as_u64().unwrap(), v["cause"].as_str().unwrap_or("").to_string())
}

fn etcd_index(m: &Member) -> u64 {
    let agent = common::agent(Duration::from_secs(5));
    let resp = agent.get(format!("{}/v2/keys/", m.client_url())).call().unwrap();
    resp.headers().get("X-Etcd-Index").unwrap().to_str().unwrap().parse().unwrap()
}

/// The server still answers a write and a read promptly.
fn still_serving(m: &Member, tag: &str) {
    let h = m.http();
    let t = Instant::now();
    let (st, _) = h.put(&format!("/alive/{tag}"), "yes").unwrap();
    assert!(st == 200 || st == 201, "{tag}: write after bad input got {st}");
    let (st, v) = h.get_key(&format!("/alive/{tag}")).unwrap();
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("yes")), "{tag}");
    assert!(t.elapsed() < Duration::from_secs(5), "{tag}: server slow after bad input");
}

#[test]
fn malformed_requests_get_etcd_errors_and_change_nothing() {
    let m = Member::start();
    let h = m.http();
    h.put("/bad/existing", "keep").unwrap();
    let before = etcd_index(&m);

    let cases: Vec<(&str, Vec<u8>, u16, u64)> = vec![
        ("bad escape in body", request("PUT", "/v2/keys/bad/a", b"value=%zz", true), 400, 210),
        ("truncated escape", request("PUT", "/v2/keys/bad/a", b"value=abc%4", true), 400, 210),
        ("bad escape in query", request("PUT", "/v2/keys/bad/a?value=%g1", b"", false), 400, 210),
        ("semicolon separator", request("PUT", "/v2/keys/bad/a", b"value=1;ttl=5", true), 400, 210),
        ("invalid UTF-8 value", request("PUT", "/v2/keys/bad/a", b"value=%ff%fe", true), 400, 210),
        ("ttl not a number", request("PUT", "/v2/keys/bad/a", b"value=1&ttl=abc", true), 400, 202),
        ("negative ttl", request("PUT", "/v2/keys/bad/a", b"value=1&ttl=-5", true), 400, 202),
        (
            "huge ttl",
            request("PUT", "/v2/keys/bad/a", b"value=1&ttl=99999999999999999999999", true),
            400,
            202,
        ),
        (
            "prevIndex not a number",
            request("PUT", "/v2/keys/bad/existing", b"value=1&prevIndex=1e3", true),
            400,
            203,
        ),
        (
            "waitIndex not a number",
            request("GET", "/v2/keys/bad/existing?wait=true&waitIndex=-1", b"", false),
            400,
            203,
        ),
        ("bool not a bool", request("DELETE", "/v2/keys/bad/existing?recursive=yes", b"", false), 400, 209),
        (
            "prevExist not a bool",
            request("PUT", "/v2/keys/bad/existing", b"value=1&prevExist=2", true),
            400,
            209,
        ),
        ("empty prevValue", request("DELETE", "/v2/keys/bad/existing?prevValue=", b"", false), 400, 201),
        ("wait on a write", request("PUT", "/v2/keys/bad/existing?wait=true", b"value=1", true), 400, 209),
    ];
    for (what, req, status, code) in &cases {
        let (st, body) = raw(&m, req).unwrap_or_else(|| panic!("{what}: no response"));
        assert_eq!(st, *status, "{what}: {body}");
        let (c, cause) = etcd_error(&body);
        assert_eq!(c, *code, "{what}: cause {cause:?}");
    }

    // A key deeper than the documented limit.
    let deep = format!("/v2/keys{}", "/s".repeat(5000));
    let (st, body) = raw(&m, &request("PUT", &deep, b"value=x", true)).unwrap();
    assert_eq!(st, 400, "5000 segments: {body}");
    assert_eq!(etcd_error(&body).0, 209);

    // Invalid UTF-8 and bad escapes in the path itself.
    let (st, _) = raw(&m, &request("PUT", "/v2/keys/bad/%ff", b"value=x", true)).unwrap();
    assert_eq!(st, 400);
    let (st, _) = raw(&m, &request("GET", "/v2/keys/bad/%z", b"", false)).unwrap();
    assert_eq!(st, 400);

    // Methods the API does not have.
    let (st, _) = raw(&m, &request("PATCH", "/v2/keys/bad/existing", b"value=x", true)).unwrap();
    assert_eq!(st, 405);

    assert_eq!(etcd_index(&m), before, "a bad request changed the store");
    let (_, v) = h.get_key("/bad/existing").unwrap();
    assert_eq!(v["node"]["value"], "keep");
    let (st, v) = h.get_key("/bad/a").unwrap();
    assert_eq!((st, v["errorCode"].as_u64()), (404, Some(100)), "nothing was created");
    still_serving(&m, "malformed");
}

/// Found by the fuzz target `v2_request`: a `%` followed by a multi-byte character in the
/// path made the error message slice inside the character, and the connection's task panic.
#[test]
fn a_percent_before_a_multibyte_character_is_a_bad_escape_not_a_crash() {
    let m = Member::start();
    let got = raw(&m, "GET /v2/keys/a%\u{1F600} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".as_bytes());
    let (status, body) = got.expect("an answer, not a dropped connection");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid URL escape"), "{body}");
    let log = std::fs::read_to_string(m.log_path()).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn oversized_body_and_headers_are_refused() {
    let m = Member::start();
    let before = etcd_index(&m);

    // 11 MiB form body, over the 10 MiB limit: an error (or a closed connection), no write.
    let mut body = b"value=".to_vec();
    body.resize(11 << 20, b'a');
    // Closed without an answer is also acceptable.
    if let Some((st, b)) = raw(&m, &request("PUT", "/v2/keys/big/over", &body, true)) {
        assert_eq!(st, 400, "{}", &b[..b.len().min(300)]);
        assert_eq!(etcd_error(&b).0, 210);
    }

    // 100 KiB of headers, over the 64 KiB limit: refused at the HTTP level.
    let big_header = format!(
        "GET /v2/keys/big HTTP/1.1\r\nHost: t\r\nX-Junk: {}\r\nConnection: close\r\n\r\n",
        "j".repeat(100 << 10)
    );
    if let Some((st, _)) = raw(&m, big_header.as_bytes()) {
        assert!(st == 431 || st == 400, "oversized headers got {st}");
    }

    assert_eq!(etcd_index(&m), before, "an oversized request changed the store");
    let (st, _) = m.http().get_key("/big/over").unwrap();
    assert_eq!(st, 404);
    // A value just under the limit still works.
    let v = "v".repeat(1 << 20);
    let (st, _) = m.http().put("/big/ok", &v).unwrap();
    assert_eq!(st, 201);
    still_serving(&m, "oversized");
}

#[test]
fn stalled_clients_do_not_block_others() {
    let m = Member::start();
    let before = etcd_index(&m);
    let mut stalled = Vec::new();
    // Half a request line, half the headers, and a body that never completes.
    for partial in [
        &b"PUT /v2/keys/stall/a HT"[..],
        &b"PUT /v2/keys/stall/b HTTP/1.1\r\nHost: t\r\nContent-Le"[..],
        &b"PUT /v2/keys/stall/c HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nvalue=ab"[..],
    ] {
        for _ in 0..20 {
            let mut s = TcpStream::connect((m.ip, m.client_port)).unwrap();
            s.write_all(partial).unwrap();
            stalled.push(s);
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    still_serving(&m, "stalled");
    let after_writes = etcd_index(&m);
    assert_eq!(after_writes, before + 1, "only the probe write happened");
    for k in ["a", "b", "c"] {
        let (st, _) = m.http().get_key(&format!("/stall/{k}")).unwrap();
        assert_eq!(st, 404, "a stalled request wrote /stall/{k}");
    }
    // A stalled body that is abandoned changes nothing either.
    drop(stalled);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(etcd_index(&m), after_writes);
    still_serving(&m, "after-stall");
}
