//! 1,000 idle long-poll watchers (`GET /v2/keys/w/key?wait=true`) held open at once all wake
//! on one write and each receives the `set` event carrying the written value.
//!
//! The server flushes a watch's response headers as soon as the watch is registered (etcd
//! does), so reading each response up to the end of its headers tells the watch is in place
//! before the write. Bodies may be chunked (`Transfer-Encoding: chunked`) or have a
//! `Content-Length`. Every socket read is bounded by a timeout.

mod common;

use common::{Member, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const WATCHERS: usize = 1000;
const KEY: &str = "/w/key";
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Raise this process's open-file soft limit (children inherit it, so do it before spawning
/// the server).
fn raise_nofile(want: libc::rlim_t) {
    let need = (WATCHERS * 2 + 100) as libc::rlim_t;
    unsafe {
        let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut r), 0, "getrlimit");
        if r.rlim_cur < want {
            let n = libc::rlimit { rlim_cur: want.min(r.rlim_max), rlim_max: r.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &n) != 0 {
                eprintln!("setrlimit(NOFILE, {}) failed; continuing with {}", n.rlim_cur, r.rlim_cur);
            }
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut r);
        assert!(
            r.rlim_cur >= need,
            "RLIMIT_NOFILE is {} (hard {}): too low for {WATCHERS} watchers",
            r.rlim_cur,
            r.rlim_max
        );
    }
}

struct Watcher {
    stream: TcpStream,
    /// bytes already read past the end of the headers
    rest: Vec<u8>,
    chunked: bool,
    content_length: Option<usize>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Connect and send the watch request (headers are read later, once all are sent).
fn open_watch(addr: &str, host: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let req = format!(
        "GET /v2/keys{KEY}?wait=true HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\nUser-Agent: corekit-watchers-test\r\n\r\n"
    );
    s.write_all(req.as_bytes()).expect("send watch request");
    s
}

/// Read up to the end of the response headers; the watch is registered once they arrive.
fn read_headers(mut stream: TcpStream, i: usize) -> Watcher {
    let mut buf = Vec::with_capacity(1024);
    let mut tmp = [0u8; 4096];
    let end = loop {
        if let Some(p) = find(&buf, b"\r\n\r\n") {
            break p;
        }
        assert!(buf.len() < 64 * 1024, "watcher {i}: headers too long");
        let n = stream.read(&mut tmp).unwrap_or_else(|e| {
            panic!("watcher {i}: reading headers: {e} (got {:?})", String::from_utf8_lossy(&buf))
        });
        assert!(n > 0, "watcher {i}: connection closed before headers ({:?})", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let rest = buf[end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or("");
    assert!(
        status.starts_with("HTTP/1.1 200") || status.starts_with("HTTP/1.0 200"),
        "watcher {i}: status line {status:?}\n{head}"
    );
    let mut chunked = false;
    let mut content_length = None;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            } else if k == "content-length" {
                content_length = v.parse().ok();
            }
        }
    }
    Watcher { stream, rest, chunked, content_length }
}

impl Watcher {
    fn fill(&mut self, i: usize, deadline: Instant) -> bool {
        assert!(Instant::now() < deadline, "watcher {i}: body not complete before the deadline");
        let mut tmp = [0u8; 4096];
        let n = self.stream.read(&mut tmp).unwrap_or_else(|e| {
            panic!("watcher {i}: reading body: {e} (have {:?})", String::from_utf8_lossy(&self.rest))
        });
        self.rest.extend_from_slice(&tmp[..n]);
        n > 0
    }

    /// The whole response body (chunked, Content-Length, or up to EOF).
    fn body(&mut self, i: usize, deadline: Instant) -> Vec<u8> {
        if self.chunked {
            let mut out = Vec::new();
            let mut pos = 0;
            loop {
                // chunk-size line
                let line_end = loop {
                    if let Some(p) = find(&self.rest[pos..], b"\r\n") {
                        break pos + p;
                    }
                    assert!(self.fill(i, deadline), "watcher {i}: EOF inside chunked body");
                };
                let size_str = String::from_utf8_lossy(&self.rest[pos..line_end]).into_owned();
                let size = usize::from_str_radix(size_str.split(';').next().unwrap().trim(), 16)
                    .unwrap_or_else(|_| panic!("watcher {i}: bad chunk size {size_str:?}"));
                let data_start = line_end + 2;
                if size == 0 {
                    return out; // trailers, if any, are not needed
                }
                while self.rest.len() < data_start + size + 2 {
                    assert!(self.fill(i, deadline), "watcher {i}: EOF inside a chunk");
                }
                out.extend_from_slice(&self.rest[data_start..data_start + size]);
                pos = data_start + size + 2;
                // A watch body is one JSON event: stop as soon as it parses, so a server that
                // keeps the chunked stream open a little longer is not a failure.
                if serde_json::from_slice::<Value>(&out).is_ok() {
                    return out;
                }
            }
        } else if let Some(len) = self.content_length {
            while self.rest.len() < len {
                assert!(self.fill(i, deadline), "watcher {i}: EOF before Content-Length bytes");
            }
            self.rest[..len].to_vec()
        } else {
            while self.fill(i, deadline) {}
            std::mem::take(&mut self.rest)
        }
    }
}

#[test]
fn thousand_watchers_wake_on_one_write() {
    raise_nofile(8192);
    let member = Member::start();
    let host = format!("{}:{}", member.ip, member.client_port);
    println!("{:?} at {}", member.server, member.client_url());

    let t0 = Instant::now();
    let streams: Vec<TcpStream> = (0..WATCHERS).map(|_| open_watch(&host, &host)).collect();
    let mut watchers: Vec<Watcher> =
        streams.into_iter().enumerate().map(|(i, s)| read_headers(s, i)).collect();
    println!("{WATCHERS} watches registered in {:?}", t0.elapsed());

    let value = format!("woken-{}", std::process::id());
    let (st, put) = member.http().put(KEY, &value).expect("PUT the watched key");
    assert!(st == 200 || st == 201, "PUT {KEY}: HTTP {st} {put}");
    let index = put["node"]["modifiedIndex"].clone();

    let t1 = Instant::now();
    let deadline = t1 + Duration::from_secs(60);
    let mut woke = 0;
    let mut bad = Vec::new();
    for (i, w) in watchers.iter_mut().enumerate() {
        let body = w.body(i, deadline);
        let ev: Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!(
                    "watcher {i}: body is not JSON ({e}): {:?}",
                    String::from_utf8_lossy(&body)
                ));
                continue;
            }
        };
        if ev["action"] == "set"
            && ev["node"]["key"] == KEY
            && ev["node"]["value"] == value.as_str()
            && ev["node"]["modifiedIndex"] == index
        {
            woke += 1;
        } else {
            bad.push(format!("watcher {i}: unexpected event {ev}"));
        }
    }
    println!("{woke}/{WATCHERS} watchers woke with the set event; bodies read in {:?}", t1.elapsed());
    for b in bad.iter().take(10) {
        println!("  {b}");
    }
    assert_eq!(woke, WATCHERS, "{} watchers did not get the event", WATCHERS - woke);
}
