//! The client half of bench/watchers-vs-etcd.sh: N long-poll watchers on one key, one write,
//! and how long until every watcher has its answer.
//!
//!     cargo run --release --example watch_wake -- URL N [ROUNDS]
//!
//! Opens N connections to URL (from source addresses 127.2.x.y, so ports never run out), sends
//! `GET /v2/keys/bench/wake?wait=true` on each, waits until the server's
//! `/v2/stats/store` counts them (`watchers`), writes the key once and times, per watcher, the
//! moment its whole answer (head and body) has arrived. The reading is epoll-driven on all
//! cores and does no parsing beyond finding the end of the answer, so the client is not what is
//! measured. Prints one line per round: `first_ms median_ms p99_ms last_ms`.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://").trim_end_matches('/').to_string()
}

async fn http(addr: &str, req: String) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

async fn watchers_registered(addr: &str) -> u64 {
    let r = http(addr, format!("GET /v2/stats/store HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"))
        .await;
    let body = r.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| v["watchers"].as_u64()).unwrap_or(0)
}

/// Reads one HTTP answer to the end: its head, then Content-Length bytes or a chunked body's
/// last chunk.
async fn read_answer(s: &mut TcpStream) -> bool {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let body = &buf[end + 4..];
        if let Some(len) = head.lines().find_map(|l| l.strip_prefix("content-length:")) {
            if body.len() >= len.trim().parse::<usize>().unwrap_or(0) {
                return true;
            }
        } else if body.ends_with(b"0\r\n\r\n") {
            return true;
        }
    }
}

async fn round(addr: &str, n: usize, source: &mut u64) -> Vec<f64> {
    let mut socks = Vec::with_capacity(n);
    for _ in 0..n {
        let k = *source;
        *source += 1;
        let sock = TcpSocket::new_v4().unwrap();
        sock.bind(format!("127.2.{}.{}:0", k / 250 % 250, 1 + k % 250).parse().unwrap()).unwrap();
        let mut s = sock.connect(addr.parse().unwrap()).await.expect("connect");
        s.write_all(format!("GET /v2/keys/bench/wake?wait=true HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        socks.push(s);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while watchers_registered(addr).await < n as u64 {
        assert!(Instant::now() < deadline, "the server did not register {n} watchers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for mut s in socks {
        let tx = tx.clone();
        tokio::spawn(async move {
            let ok = read_answer(&mut s).await;
            let _ = tx.send((Instant::now(), ok));
        });
    }
    drop(tx);
    let t0 = Instant::now();
    http(
        addr,
        format!(
            "PUT /v2/keys/bench/wake HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nvalue=1"
        ),
    )
    .await;
    let mut times = Vec::with_capacity(n);
    while let Some((at, ok)) = rx.recv().await {
        assert!(ok, "a watcher's connection ended without an answer");
        times.push(at.duration_since(t0).as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, n, rounds) = match &args[1..] {
        [u, n] => (u.clone(), n.parse().expect("N"), 3),
        [u, n, r] => (u.clone(), n.parse().expect("N"), r.parse().expect("ROUNDS")),
        _ => {
            eprintln!("usage: watch_wake URL N [ROUNDS]");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let addr = host_port(&url);
        let mut source = 0;
        for _ in 0..rounds {
            let t = round(&addr, n, &mut source).await;
            let at = |q: f64| t[((t.len() - 1) as f64 * q) as usize];
            println!("{:.1} {:.1} {:.1} {:.1}", t[0], at(0.5), at(0.99), t[t.len() - 1]);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}
