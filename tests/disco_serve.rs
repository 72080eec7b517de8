//! `disco serve` against Debian's `discovery.etcd.io` (package `etcd-discovery`), side by
//! side: the same requests, sent as raw bytes to both, each backed by a fresh kv-serve of its
//! own, and the raw answers compared byte for byte — status line, every header in order,
//! body — once what must differ is masked: the date, the store's cluster ID and Raft
//! position (two stores), and the random tokens. Then what the original gets wrong, and what
//! `disco serve` adds: sizes range-checked, entries strangers cannot change, a request limit,
//! token TTLs, an answer when the store is down.
//!
//! `COREKIT_TEST_SHOW=1` prints every compared answer (masked).

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use common::Member;
use common::disco::{self, DISCO, Proc};

/// One side of the comparison: a service and its own store.
struct Side {
    name: &'static str,
    addr: String,
    store: Member,
    /// Tokens this side handed out, in order (masked as TOKEN1, TOKEN2…).
    tokens: Vec<String>,
    _proc: Proc,
}

const HOST: &str = "http://disco.test";

fn request(method: &str, path: &str, body: Option<&str>) -> String {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: disco.test\r\nUser-Agent: side-by-side\r\nConnection: close\r\n"
    );
    if let Some(b) = body {
        r.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    r.push_str("\r\n");
    if let Some(b) = body {
        r.push_str(b);
    }
    r
}

/// The answer with what must differ between the two sides masked.
fn mask(raw: &[u8], side: &Side) -> String {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut out = String::new();
    for line in head.split("\r\n") {
        let masked = match line.split_once(": ") {
            Some((k @ ("Date" | "X-Etcd-Cluster-Id" | "X-Raft-Index" | "X-Raft-Term"), _)) => {
                format!("{k}: *")
            }
            _ => line.to_string(),
        };
        out.push_str(&masked);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    for (i, t) in side.tokens.iter().enumerate() {
        out = out.replace(t, &format!("TOKEN{}", i + 1));
    }
    out
}

fn learn_token(side: &mut Side, raw: &[u8]) {
    let (st, body) = disco::parse(raw);
    if st == 200
        && let Some(t) = body.strip_prefix(&format!("{HOST}/"))
    {
        side.tokens.push(t.to_string());
    }
}

/// Sends one request (with `{T1}`, `{T2}` replaced by that side's tokens) to both sides and
/// requires the same masked answer. Returns the masked answer.
fn same(a: &mut Side, b: &mut Side, method: &str, path: &str, body: Option<&str>) -> String {
    let mut answers = Vec::new();
    for side in [&mut *a, &mut *b] {
        let mut p = path.to_string();
        for (i, t) in side.tokens.iter().enumerate() {
            p = p.replace(&format!("{{T{}}}", i + 1), t);
        }
        let raw = disco::raw(&side.addr, &request(method, &p, body), None);
        if path == "/new" || path.starts_with("/new?") {
            learn_token(side, &raw);
        }
        answers.push(mask(&raw, side));
    }
    assert_eq!(
        answers[1], answers[0],
        "{method} {path}: disco serve (left) and discovery.etcd.io (right) answer differently"
    );
    assert!(!answers[0].is_empty(), "{method} {path}: no answer");
    if std::env::var_os("COREKIT_TEST_SHOW").is_some() {
        eprintln!("=== {method} {path}\n{}", answers[0]);
    }
    answers.remove(0)
}

/// What disco serve writes besides the entry itself (its record of who registered it),
/// written into the reference's store too so that both stores' indexes stay in step.
fn mirror_owner(reference: &Side, token: &str, entry: &str, delete: bool) {
    let key = format!("/_disco/owners/{token}/{entry}");
    let h = reference.store.http();
    let (st, v) = if delete { h.delete(&key).unwrap() } else { h.put(&key, "127.0.0.1").unwrap() };
    assert!(st < 300, "mirroring the owner record: {st} {v}");
}

#[test]
fn answers_byte_for_byte_like_discovery_etcd_io() {
    disco::require(disco::DISCOVERY_ETCD_IO, "etcd-discovery");
    let store_a = Member::start();
    let store_b = Member::start();
    let (pa, url_a) = disco::disco_serve_host(0, &store_a.client_url(), Some(HOST), &[]);
    let (pb, url_b) = disco::discovery_etcd_io(1, &store_b.client_url(), HOST);
    let mut a = Side {
        name: "disco serve",
        addr: url_a.trim_start_matches("http://").into(),
        store: store_a,
        tokens: vec![],
        _proc: pa,
    };
    let mut b = Side {
        name: "discovery.etcd.io",
        addr: url_b.trim_start_matches("http://").into(),
        store: store_b,
        tokens: vec![],
        _proc: pb,
    };
    assert_ne!(a.name, b.name);

    // Tokens: the default size, a size from a form body (Go's FormValue reads it first).
    let new = same(&mut a, &mut b, "GET", "/new", None);
    assert!(new.ends_with(&format!("\r\n\r\n{HOST}/TOKEN1")), "no newline after the token URL: {new}");
    assert!(new.contains("Content-Type: text/plain; charset=utf-8\r\n"), "{new}");
    same(&mut a, &mut b, "POST", "/new?size=2", Some("size=5"));
    assert_eq!(a.tokens.len(), 2);
    assert!(
        a.tokens
            .iter()
            .all(|t| t.len() == 32 && t.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
    );
    let size = same(&mut a, &mut b, "GET", "/{T2}/_config/size", None);
    assert!(size.contains(r#""value":"5""#), "{size}");

    // Bad sizes the original answers right.
    for q in ["abc", "99999999999999999999", "%20", "1.5", "0x10"] {
        let r = same(&mut a, &mut b, "GET", &format!("/new?size={q}"), None);
        assert!(r.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{r}");
    }
    // The other routes and the method rules of gorilla/mux.
    for (m, p) in [
        ("GET", "/"),
        ("HEAD", "/"),
        ("POST", "/"),
        ("GET", "/robots.txt"),
        ("HEAD", "/robots.txt"),
        ("GET", "/health"),
        ("PUT", "/health"),
        ("GET", "/nope"),
        ("GET", "/nope/deeper"),
        ("GET", "/a/../robots.txt"),
        ("GET", "//x/?y=1"),
        ("GET", "/{T1}"),
        ("GET", "/{T1}/"),
        ("GET", "/{T1}?recursive=true&sorted=true"),
        ("GET", "/{T1}/_config/size"),
        ("GET", "/{T1}/_config"),
        ("DELETE", "/{T1}/_config/size"),
        ("PUT", "/{T1}/_config/size"),
        ("POST", "/{T1}"),
        ("HEAD", "/{T1}"),
        ("DELETE", "/{T1}"),
        ("PATCH", "/{T1}/x"),
        ("GET", "/{T1}/a/b"),
        ("GET", "/{T1}x"),
        ("GET", "/0123456789abcdef0123456789ABCDEF"),
        ("GET", "/0123456789abcdef0123456789abcdef"),
        ("GET", "/0123456789abcdef0123456789abcdef/x?quorum=true"),
        ("GET", "/{T1}/nobody"),
    ] {
        same(&mut a, &mut b, m, p, None);
    }

    // A member registers as etcd does, twice (the second is etcd's 412), and is listed.
    let id = "8e9e05c52164694d";
    let put = format!("/{{T1}}/{id}?prevExist=false");
    let r = same(&mut a, &mut b, "PUT", &put, Some("value=n1%3Dhttp%3A%2F%2F127.0.0.1%3A2380"));
    assert!(r.starts_with("HTTP/1.1 201 Created\r\n"), "{r}");
    mirror_owner(&b, &b.tokens[0], id, false);
    let r = same(&mut a, &mut b, "PUT", &put, Some("value=other"));
    assert!(r.starts_with("HTTP/1.1 412 Precondition Failed\r\n") && r.contains(r#""errorCode":105"#), "{r}");
    same(&mut a, &mut b, "GET", "/{T1}", None);
    same(&mut a, &mut b, "GET", &format!("/{{T1}}/{id}"), None);
    // A watch answered from the history, and one that waits for the next registration.
    let r = same(&mut a, &mut b, "GET", "/{T1}?wait=true&recursive=true&waitIndex=1", None);
    assert!(r.contains(r#""action":"create""#), "{r}");
    let waits: Vec<_> = [&a, &b]
        .iter()
        .map(|s| {
            let addr = s.addr.clone();
            let path = format!("/{}?wait=true&recursive=true", s.tokens[0]);
            std::thread::spawn(move || disco::raw(&addr, &request("GET", &path, None), None))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let id2 = "5c6d48c2f3ba1ce5";
    same(
        &mut a,
        &mut b,
        "PUT",
        &format!("/{{T1}}/{id2}?prevExist=false"),
        Some("value=n2%3Dhttp%3A%2F%2F127.0.0.2%3A2380"),
    );
    mirror_owner(&b, &b.tokens[0], id2, false);
    let got: Vec<String> =
        waits.into_iter().zip([&a, &b]).map(|(w, s)| mask(&w.join().unwrap(), s)).collect();
    assert_eq!(got[1], got[0], "a waiting watch: disco serve (left), discovery.etcd.io (right)");
    assert!(got[0].contains(id2), "{}", got[0]);
    // The registrant changes and removes its entry (disco serve allows it: same address).
    same(&mut a, &mut b, "PUT", &format!("/{{T1}}/{id}"), Some("value=n1%3Dhttp%3A%2F%2F127.0.0.1%3A2380"));
    mirror_owner(&b, &b.tokens[0], id, false);
    let r = same(&mut a, &mut b, "DELETE", &format!("/{{T1}}/{id}"), None);
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    mirror_owner(&b, &b.tokens[0], id, true);
    same(&mut a, &mut b, "GET", &format!("/{{T1}}/{id}"), None);
    same(&mut a, &mut b, "GET", "/{T1}", None);
    same(&mut a, &mut b, "GET", "/health", None);

    // Where the original is wrong, disco serve answers differently.
    for q in ["0", "-1", "10"] {
        let (st, body) =
            disco::parse(&disco::raw(&a.addr, &request("GET", &format!("/new?size={q}"), None), None));
        assert_eq!((st, body.as_str()), (400, format!("size must be between 1 and 9, not {q}\n").as_str()));
        let (st, _) =
            disco::parse(&disco::raw(&b.addr, &request("GET", &format!("/new?size={q}"), None), None));
        assert_eq!(st, 200, "discovery.etcd.io accepted size {q} (the bug disco serve fixes)");
    }
}

#[test]
fn the_store_down() {
    disco::require(disco::DISCOVERY_ETCD_IO, "etcd-discovery");
    // Nothing listens on port 9 of 127.0.0.1.
    let dead = "http://127.0.0.1:9";
    let (pa, url_a) = disco::disco_serve_host(2, dead, Some(HOST), &[]);
    let (_pb, url_b) = disco::discovery_etcd_io(3, dead, HOST);
    let addr_a = url_a.trim_start_matches("http://").to_string();
    let addr_b = url_b.trim_start_matches("http://").to_string();
    let norm = |raw: Vec<u8>| {
        String::from_utf8_lossy(&raw)
            .lines()
            .map(|l| if l.starts_with("Date: ") { "Date: *" } else { l })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for path in ["/new", "/health"] {
        let x = norm(disco::raw(&addr_a, &request("GET", path, None), None));
        let y = norm(disco::raw(&addr_b, &request("GET", path, None), None));
        assert_eq!(x, y, "{path} with the store down");
        assert!(x.starts_with("HTTP/1.1 400 Bad Request"), "{x}");
    }
    // A token request: the original panics and drops the connection; disco serve says why.
    let tok = "/0123456789abcdef0123456789abcdef";
    assert!(disco::raw(&addr_b, &request("GET", tok, None), None).is_empty(), "discovery.etcd.io answered");
    let (st, body) = disco::parse(&disco::raw(&addr_a, &request("GET", tok, None), None));
    assert_eq!(st, 503, "{body}");
    assert!(body.contains("the discovery store did not answer") && body.contains("127.0.0.1:9"), "{body}");
    drop(pa);
}

#[test]
fn entries_only_their_registrant_may_change() {
    let store = Member::start();
    let (_p, url) = disco::disco_serve(4, &store.client_url(), &[]);
    let addr = url.trim_start_matches("http://").to_string();
    let token = disco::new_token(&url, 3);
    let t = token.rsplit('/').next().unwrap().to_string();
    let owner = Ipv4Addr::new(127, 0, 0, 1);
    let stranger = disco::my_ip(5);
    let send = |m: &str, p: &str, body: Option<&str>, from: Ipv4Addr| {
        disco::parse(&disco::raw(&addr, &request(m, &format!("/{t}{p}"), body), Some(from)))
    };
    assert_eq!(send("PUT", "/aa?prevExist=false", Some("value=n1%3Dhttp%3A%2F%2Fa%3A1"), owner).0, 201);
    // A stranger can neither delete nor overwrite it, nor touch the token's own keys.
    for (m, p, body) in [
        ("DELETE", "/aa", None),
        ("PUT", "/aa", Some("value=evil")),
        ("PUT", "/aa?prevExist=true", Some("value=evil")),
        ("PUT", "/_config", Some("dir=true&prevExist=true&ttl=1")),
        ("PUT", "", Some("dir=true&prevExist=true&ttl=1")),
        ("PUT", "/", Some("dir=true&prevExist=true&ttl=1")),
    ] {
        let (st, body_) = send(m, p, body, stranger);
        assert_eq!(st, 403, "{m} /{t}{p} by a stranger: {body_}");
    }
    let (st, v) = store.http().get_key(&format!("/_etcd/registry/{t}/aa")).unwrap();
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("n1=http://a:1")));
    // Registering under a token that does not exist is refused (the original made one).
    let (st, _) = disco::parse(&disco::raw(
        &addr,
        &request("PUT", "/0123456789abcdef0123456789abcdef/x?prevExist=false", Some("value=x")),
        None,
    ));
    assert_eq!(st, 403);
    // The registrant may.
    assert_eq!(send("PUT", "/aa", Some("value=n1%3Dhttp%3A%2F%2Fa%3A2"), owner).0, 200);
    assert_eq!(send("DELETE", "/aa", None, owner).0, 200);
    // Reads stay open to all, as members need.
    assert_eq!(send("GET", "", None, stranger).0, 200);
}

#[test]
fn requests_are_limited_per_client() {
    let store = Member::start();
    let (_p, url) = disco::disco_serve(
        6,
        &store.client_url(),
        &["--rate-limit", "2", "--rate-burst", "5", "--max-open", "2"],
    );
    let addr = url.trim_start_matches("http://").to_string();
    let me = Ipv4Addr::new(127, 0, 0, 1);
    let statuses: Vec<u16> = (0..8)
        .map(|_| disco::parse(&disco::raw(&addr, &request("GET", "/robots.txt", None), Some(me))).0)
        .collect();
    assert_eq!(&statuses[..5], &[200; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "no 429 after the burst: {statuses:?}");
    let (st, body) =
        disco::parse(&disco::raw(&addr, &request("GET", "/robots.txt", None), Some(disco::my_ip(7))));
    assert_eq!(st, 200, "another client has a budget of its own: {body}");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        disco::parse(&disco::raw(&addr, &request("GET", "/robots.txt", None), Some(me))).0,
        200,
        "the budget comes back"
    );
}

#[test]
fn a_long_poll_is_answered_empty_after_the_watch_limit() {
    let store = Member::start();
    let (_p, url) = disco::disco_serve(12, &store.client_url(), &["--watch-limit", "1"]);
    let token = disco::new_token(&url, 3);
    let t = std::time::Instant::now();
    let (st, body) = disco::get(&format!("{token}?wait=true&recursive=true"));
    let took = t.elapsed();
    assert_eq!((st, body.as_str()), (200, ""), "an empty 200: etcd's clients poll again on it");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn tokens_expire_with_token_ttl() {
    let store = Member::start();
    let (_p, url) = disco::disco_serve(8, &store.client_url(), &["--token-ttl", "2"]);
    let token = disco::new_token(&url, 1);
    let (st, body) = disco::get(&token);
    assert_eq!(st, 200, "{body}");
    assert!(body.contains(r#""ttl":"#), "the token's directory shows its TTL: {body}");
    let gone = disco::wait_until("the token expires", Duration::from_secs(8), || disco::get(&token).0 == 404);
    assert!(gone >= Duration::from_millis(500), "expired too soon: {gone:?}");
}

#[test]
fn flags_and_environment_as_the_original_reads_them() {
    disco::require(disco::DISCOVERY_ETCD_IO, "etcd-discovery");
    // A store URL the original refuses is refused with its message and status.
    for (flag, value, msg) in [
        ("--etcd", "http://h#f", "Expected url without fragment (f)"),
        ("--etcd", "http://h?a=1", "Expected url without query (?a=1)"),
        ("--etcd", "h", "Expected hostname (none given)"),
        ("-e", "http://", "Expected hostname (none given)"),
        (
            "--etcd",
            "127.0.0.1:2379",
            r#"Invalid url given: parse "127.0.0.1:2379": first path segment in URL cannot contain colon"#,
        ),
    ] {
        let limit = Duration::from_secs(10);
        let mut c = std::process::Command::new(DISCO);
        c.args(["serve", flag, value, "--addr", "127.0.0.1:0"]);
        let ours = common::run_bounded(c, limit);
        let mut c = std::process::Command::new(disco::DISCOVERY_ETCD_IO);
        c.args([flag, value, "--addr", "127.0.0.1:0"]);
        let theirs = common::run_bounded(c, limit);
        assert_eq!(theirs.status.code(), Some(2), "{flag} {value}: discovery.etcd.io: {}", theirs.stderr);
        assert_eq!(ours.status.code(), Some(2), "{flag} {value}: {}", ours.stderr);
        assert_eq!(theirs.stderr.lines().next().unwrap_or(""), msg);
        assert!(ours.stderr.contains(msg), "disco serve said {}", ours.stderr);
    }
    // A token URL prefix may have a path (Debian's version takes it; behind a reverse proxy).
    let store = Member::start();
    let (_p, url) =
        disco::disco_serve_host(9, &store.client_url(), Some("https://example.test/discovery/"), &[]);
    let t = disco::new_token(&url, 3);
    assert!(
        t.starts_with("https://example.test/discovery/")
            && t.len() == "https://example.test/discovery/".len() + 32,
        "{t}"
    );
    // Its environment variables are read as it reads them.
    let ip = disco::my_ip(10);
    let port = disco::free_port(ip);
    let mut cmd = std::process::Command::new(DISCO);
    cmd.arg("serve")
        .env("DISC_ETCD", store.client_url())
        .env("DISC_HOST", "http://from-env.test")
        .env("DISC_ADDR", format!("{ip}:{port}"));
    let _p = Proc::spawn_tmp("disco serve (env)", cmd);
    disco::wait_listening((ip, port).into(), Duration::from_secs(10));
    let t = disco::new_token(&format!("http://{ip}:{port}"), 3);
    assert!(t.starts_with("http://from-env.test/"), "{t}");
}
