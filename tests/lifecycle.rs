//! Start, SIGTERM and restart: SIGTERM stops the server cleanly (exit status 0 — or death by
//! the SIGTERM, as etcd re-raises it — within the harness's bound), and a restart on the same
//! data dir serves what was written before.

mod common;

use common::Member;

#[test]
fn sigterm_stops_cleanly_and_restart_keeps_data() {
    let mut m = Member::start();
    let http = m.http();
    let (st, v) = http.get("/version").expect("GET /version");
    assert_eq!(st, 200, "/version: {v}");
    let (st, v) = http.put("/life/a", "before-stop").expect("PUT");
    assert!(st == 200 || st == 201, "PUT /life/a: {st} {v}");

    let status = m.stop();
    assert!(
        Member::is_clean_stop(status),
        "SIGTERM: exit status {status}, want 0 (or death by the SIGTERM)\n{}",
        m.log_tail(20)
    );

    m.restart();
    let (st, v) = m.http().get_key("/life/a?quorum=true").expect("GET after restart");
    assert_eq!(st, 200, "GET /life/a after restart: {v}");
    assert_eq!(v["node"]["value"], "before-stop");

    // and a kill -9 of an idle server loses nothing either
    m.kill9();
    m.restart();
    let (st, v) = m.http().get_key("/life/a").expect("GET after kill -9");
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("before-stop")), "{v}");
    let status = m.stop();
    assert!(Member::is_clean_stop(status), "SIGTERM: exit status {status}");
}

/// A data dir made for one cluster is refused by a member started for another (a different
/// --initial-cluster-token), with a message naming both; the data dir is left as it was.
#[test]
fn data_dir_from_another_cluster_is_refused() {
    let mut m = Member::builder().arg("--initial-cluster-token=cluster-a").start();
    m.http().put("/owned/by", "a").unwrap();
    m.stop();
    let ip = m.ip.to_string();
    let (c, p) = (m.client_port, m.peer_port);
    let out = std::process::Command::new(common::KV_SERVE)
        .args(["--name", &m.name])
        .arg("--data-dir")
        .arg(m.data_dir())
        .args(["--listen-client-urls", &format!("http://{ip}:{c}")])
        .args(["--advertise-client-urls", &format!("http://{ip}:{c}")])
        .args(["--listen-peer-urls", &format!("http://{ip}:{p}")])
        .args(["--initial-advertise-peer-urls", &format!("http://{ip}:{p}")])
        .args(["--initial-cluster", &format!("{}=http://{ip}:{p}", m.name)])
        .arg("--initial-cluster-token=cluster-b")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("cluster-a") && err.contains("cluster-b"), "{err}");
    // Started again as itself, the member still has its data.
    m.restart();
    let (st, v) = m.http().get_key("/owned/by?quorum=true").unwrap();
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("a")));
}

#[test]
fn data_dir_with_the_old_log_format_is_refused() {
    let mut m = Member::start();
    m.http().put("/k", "v").unwrap();
    m.stop();
    assert!(m.data_dir().join("wal").is_dir(), "the log lives in DATA_DIR/wal/");
    // A log from before the WAL (redb's kv.redb) is not read, and not silently ignored either.
    std::fs::write(m.data_dir().join("kv.redb"), b"old").unwrap();
    let ip = m.ip.to_string();
    let (c, p) = (m.client_port, m.peer_port);
    let out = std::process::Command::new(common::KV_SERVE)
        .args(["--name", &m.name])
        .arg("--data-dir")
        .arg(m.data_dir())
        .args(["--listen-client-urls", &format!("http://{ip}:{c}")])
        .args(["--advertise-client-urls", &format!("http://{ip}:{c}")])
        .args(["--listen-peer-urls", &format!("http://{ip}:{p}")])
        .args(["--initial-advertise-peer-urls", &format!("http://{ip}:{p}")])
        .args(["--initial-cluster", &format!("{}=http://{ip}:{p}", m.name)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("old format (kv.redb)") && err.contains("empty data dir"), "{err}");
}
