//! Clusters that find themselves through a discovery token, with real programs: kv-serve
//! members through `disco serve`, real etcd 3.4 members through `disco serve`, kv-serve
//! members through Debian's `discovery.etcd.io` and through a plain directory on a real etcd;
//! a fourth member refused with etcd's message or made a proxy; a member that registered
//! before given etcd's "has previously registered" error; discovery through an HTTP proxy;
//! kv-serve's proxy mode on its own.
//!
//! etcd (`etcd-server`) and discovery.etcd.io (`etcd-discovery`) must be installed; the tests
//! fail, never skip, without them.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::Member;
use common::disco::{self, Joiner, KV_SERVE};

const START: Duration = Duration::from_secs(30);

/// The member list as the v2 API gives it: (ID, name, peer URL), sorted by name.
fn members(client: &str) -> Vec<(String, String, String)> {
    let (st, body) = disco::get_timeout(&format!("{client}/v2/members"), Duration::from_secs(5));
    assert_eq!(st, 200, "{client}/v2/members: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut out: Vec<(String, String, String)> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["name"].as_str().unwrap().to_string(),
                m["peerURLs"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The member entries under a token, as its URL lists them: (entry name, value).
fn entries(token_url: &str) -> Vec<(String, String)> {
    let (st, body) = disco::get_timeout(token_url, Duration::from_secs(5));
    assert_eq!(st, 200, "{token_url}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut out: Vec<(String, String)> = v["node"]["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    (
                        n["key"].as_str().unwrap().rsplit('/').next().unwrap().to_string(),
                        n["value"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Three members of `program` through `url`, started together, all healthy.
fn three(program: &str, url: &str) -> Vec<Joiner> {
    three_late(program, url, Duration::ZERO)
}

/// Three members; the third starts `late` after the other two.
fn three_late(program: &str, url: &str, late: Duration) -> Vec<Joiner> {
    let mut ms: Vec<Joiner> = (1..=2).map(|i| disco::join(program, &format!("n{i}"), url, &[])).collect();
    std::thread::sleep(late);
    ms.push(disco::join(program, "n3", url, &[]));
    for m in ms.iter_mut() {
        m.wait_healthy(START);
    }
    ms
}

/// The cluster formed: every member lists the three, the IDs are the entries' names and are
/// what etcd derives (SHA-1 of the peer URL and the discovery URL), a write on one is read on another.
fn check_cluster(ms: &[Joiner], token_url: &str) {
    let list = members(&ms[0].client);
    assert_eq!(list.len(), 3, "{list:?}");
    for m in &ms[1..] {
        assert_eq!(members(&m.client), list);
    }
    let mut ids: Vec<String> = list.iter().map(|m| m.0.clone()).collect();
    ids.sort();
    let registered: Vec<String> = entries(token_url).into_iter().map(|e| e.0).collect();
    assert_eq!(registered, ids, "the entries under the token are the members' IDs");
    for (id, name, peer) in &list {
        let derived = corekit::raft::membership::Member::new(name, std::slice::from_ref(peer), token_url).id;
        assert_eq!(*id, format!("{derived:x}"), "member {name}'s ID is etcd's derivation");
    }
    let agent = common::agent(Duration::from_secs(10));
    let r = agent.put(format!("{}/v2/keys/found", ms[0].client)).send_form([("value", "ourselves")]).unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let (st, body) =
        disco::get_timeout(&format!("{}/v2/keys/found?quorum=true", ms[2].client), Duration::from_secs(10));
    assert_eq!(st, 200, "{body}");
    assert!(body.contains("ourselves"), "{body}");
}

/// etcd's lines for a full cluster with --discovery-fallback exit (the part after etcd's log prefix).
fn full_lines(url: &str) -> Vec<String> {
    vec![
        "failed to join discovery cluster (discovery: cluster is full)".to_string(),
        format!("discovery token {url} was used, but failed to bootstrap the cluster."),
        "please generate a new discovery token and try to bootstrap again.".to_string(),
    ]
}

#[test]
fn kv_serve_members_through_disco_serve() {
    let store = Member::start();
    let (_serve, server) = disco::disco_serve(0, &store.client_url(), &[]);
    let token = disco::new_token(&server, 3);
    let mut ms = three(KV_SERVE, &token);
    check_cluster(&ms, &token);
    for m in &ms {
        let out = m.proc.output();
        assert!(out.contains("found 3 needed peer(s)"), "{}: {out}", m.name);
    }

    // A fourth that will not be a proxy is refused with etcd's message.
    let mut fourth = disco::join(KV_SERVE, "n4", &token, &["--discovery-fallback", "exit"]);
    let st = fourth.proc.wait_exit(START);
    assert_eq!(st.code(), Some(3), "{}", fourth.proc.output());
    let out = fourth.proc.output();
    for line in full_lines(&token) {
        assert!(out.contains(&format!("kv-serve: {line}\n")), "missing {line:?} in:\n{out}");
    }
    // A fifth falls back to etcd 2's proxy mode and serves the cluster.
    let mut fifth = disco::join(KV_SERVE, "n5", &token, &[]);
    fifth.wait_healthy(START);
    let out = fifth.proc.output();
    assert!(out.contains("discovery cluster full, falling back to proxy"), "{out}");
    let (st, body) =
        disco::get_timeout(&format!("{}/v2/config/local/proxy", fifth.client), Duration::from_secs(5));
    assert_eq!(st, 200);
    let mut want: Vec<String> = ms.iter().map(|m| m.client.clone()).collect();
    want.sort();
    disco::wait_until("the proxy knows the three members", Duration::from_secs(10), || {
        let (_, body) =
            disco::get_timeout(&format!("{}/v2/config/local/proxy", fifth.client), Duration::from_secs(5));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let mut got: Vec<String> = v["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(String::from))
            .collect();
        got.sort();
        got == want
    });
    let _ = body;
    let agent = common::agent(Duration::from_secs(10));
    let r = agent.put(format!("{}/v2/keys/via", fifth.client)).send_form([("value", "proxy")]).unwrap();
    assert_eq!(r.status().as_u16(), 201, "a write through the proxy");
    let (_, body) =
        disco::get_timeout(&format!("{}/v2/keys/via?quorum=true", ms[1].client), Duration::from_secs(5));
    assert!(body.contains("proxy"), "{body}");
    assert!(fifth.data_dir.join("proxy/cluster").exists(), "the proxy keeps the cluster's peer URLs");
    assert!(!entries(&token).iter().any(|e| e.1.starts_with("n5=")), "a proxy does not register");

    // A member that registered, lost its data dir and starts again gets etcd's error.
    let st = ms[1].proc.stop();
    assert!(Member::is_clean_stop(st), "{st}");
    std::fs::remove_dir_all(&ms[1].data_dir).unwrap();
    ms[1].respawn();
    let st = ms[1].proc.wait_exit(START);
    assert_eq!(st.code(), Some(3));
    let out = ms[1].proc.output();
    for line in [
        format!("member \"n2\" has previously registered with discovery service token ({token})."),
        format!(
            "But etcd could not find valid cluster configuration in the given data dir ({}).",
            ms[1].data_dir.display()
        ),
        "Please check the given data dir path if the previous bootstrap succeeded".to_string(),
        "or use a new discovery token if the previous bootstrap failed.".to_string(),
    ] {
        assert!(out.contains(&format!("kv-serve: {line}\n")), "missing {line:?} in:\n{out}");
    }

    // A member restarted on its data dir ignores the token, as etcd does, and rejoins.
    ms[2].proc.stop();
    ms[2].respawn();
    ms[2].wait_healthy(START);
    assert!(
        ms[2].proc.output().contains("discovery token ignored since a cluster has already been initialized")
    );

    // The proxy fails over: with n1 gone, requests through it still succeed.
    ms[0].proc.kill9();
    for i in 0..5 {
        let (st, body) =
            disco::get_timeout(&format!("{}/v2/keys/via", fifth.client), Duration::from_secs(10));
        assert_eq!(st, 200, "read {i} through the proxy with a member down: {body}");
    }
}

#[test]
fn kv_serve_proxy_mode_alone() {
    // --proxy on|readonly with --initial-cluster: no discovery, no member of its own.
    let store = Member::start();
    let ip = common::pick_ip();
    let (c, _) = common::pick_ports(ip);
    let client = format!("http://{ip}:{c}");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(KV_SERVE);
    cmd.args(["--name", "p", "--proxy", "readonly", "--proxy-refresh-interval", "500"])
        .args(["--initial-cluster", &format!("m1={}", store.peer_url())])
        .args(["--listen-client-urls", &client])
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    let p = disco::Proc::spawn_tmp("kv-serve --proxy readonly", cmd);
    disco::wait_listening(format!("{ip}:{c}").parse().unwrap(), START);
    store.http().put("/k", "v").unwrap();
    disco::wait_until("a read through the proxy", Duration::from_secs(10), || {
        disco::get_timeout(&format!("{client}/v2/keys/k"), Duration::from_secs(2)).1.contains("\"v\"")
    });
    let agent = common::agent(Duration::from_secs(5));
    let r = agent.put(format!("{client}/v2/keys/k")).send_form([("value", "w")]).unwrap();
    assert_eq!(r.status().as_u16(), 501, "a readonly proxy refuses writes");
    // A watch streams through it.
    let (st, body) =
        disco::get_timeout(&format!("{client}/v2/keys/k?wait=true&waitIndex=1"), Duration::from_secs(5));
    assert_eq!(st, 200, "{body}");
    let out = p.output();
    assert!(out.contains("proxy: endpoints found"), "{out}");
    assert!(!dir.path().join("data/wal").exists(), "a proxy has no member data");
}

#[test]
fn etcd_members_through_disco_serve() {
    disco::require("etcd", "etcd-server");
    // Real etcd on both sides: the members and the store behind disco serve.
    let store = Member::start_etcd();
    // Long polls are answered empty after 1 s here (120 s by default); the third member comes
    // 2.5 s after the others, so their watches end empty at least twice and etcd polls again.
    let (_serve, server) = disco::disco_serve(1, &store.client_url(), &["--watch-limit", "1"]);
    let token = disco::new_token(&server, 3);
    let ms = three_late("etcd", &token, Duration::from_millis(2500));
    check_cluster(&ms, &token);
    let out = ms[0].proc.output();
    assert!(out.contains("found 3 needed peer(s)"), "{out}");
    // The fourth etcd is refused, and says what kv-serve says in its place.
    let mut fourth = disco::join("etcd", "n4", &token, &["--discovery-fallback", "exit"]);
    let st = fourth.proc.wait_exit(START);
    assert!(!st.success(), "{}", fourth.proc.output());
    let etcd_out = fourth.proc.output();
    let mut ours = disco::join(KV_SERVE, "n4", &token, &["--discovery-fallback", "exit"]);
    ours.proc.wait_exit(START);
    let kv_out = ours.proc.output();
    for line in full_lines(&token) {
        assert!(etcd_out.contains(&format!("etcdmain: {line}\n")), "etcd did not say {line:?}:\n{etcd_out}");
        assert!(kv_out.contains(&format!("kv-serve: {line}\n")), "kv-serve did not say {line:?}:\n{kv_out}");
    }
}

#[test]
fn kv_serve_members_through_discovery_etcd_io() {
    disco::require("etcd", "etcd-server");
    let etcd = Member::start_etcd();
    let ip = disco::my_ip(2);
    let port = disco::free_port(ip);
    // discovery.etcd.io hands out tokens under its own address.
    let host = format!("http://{ip}:{port}");
    disco::require(disco::DISCOVERY_ETCD_IO, "etcd-discovery");
    let mut cmd = std::process::Command::new(disco::DISCOVERY_ETCD_IO);
    cmd.args(["--etcd", &etcd.client_url(), "--host", &host, "--addr", &format!("{ip}:{port}")]);
    let _svc = disco::Proc::spawn_tmp("discovery.etcd.io", cmd);
    disco::wait_listening(format!("{ip}:{port}").parse().unwrap(), START);
    let token = disco::new_token(&host, 3);
    let ms = three(KV_SERVE, &token);
    check_cluster(&ms, &token);
}

#[test]
fn kv_serve_members_through_a_store_directory() {
    disco::require("etcd", "etcd-server");
    let etcd = Member::start_etcd();
    let out = std::process::Command::new(disco::DISCO)
        .args(["new", "--size", "3", "--kv", &etcd.client_url()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let prefix = format!("{}/v2/keys/discovery/", etcd.client_url());
    assert!(url.starts_with(&prefix) && url.len() == prefix.len() + 32, "{url}");
    let ms = three(KV_SERVE, &url);
    check_cluster(&ms, &url);
}

/// An HTTP CONNECT proxy on 127.0.0.x that counts the tunnels it made.
fn connect_proxy(ip: std::net::Ipv4Addr) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind((ip, 0)).unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let Ok(up) = TcpStream::connect(&target) else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let mut down = conn;
                down.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
                let (mut up_r, mut down_w) = (up.try_clone().unwrap(), down.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up_r, &mut down_w);
                    let _ = down_w.shutdown(std::net::Shutdown::Write);
                });
                let mut up_w = up;
                let mut buf = [0u8; 8192];
                loop {
                    match r.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if up_w.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = up_w.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (url, count)
}

#[test]
fn discovery_through_an_http_proxy() {
    let store = Member::start();
    let (_serve, server) = disco::disco_serve(3, &store.client_url(), &[]);
    let token = disco::new_token(&server, 1);
    let (proxy, tunnels) = connect_proxy(disco::my_ip(4));
    let mut m = disco::join(KV_SERVE, "solo", &token, &["--discovery-proxy", &proxy]);
    m.wait_healthy(START);
    assert!(tunnels.load(Ordering::SeqCst) >= 1, "discovery did not go through {proxy}");
    assert_eq!(entries(&token).len(), 1);
}
