//! Several kv-serve members on their own loopback addresses form one cluster over the peer
//! URLs: they bootstrap from --initial-cluster, replicate writes, serve the conformance suite
//! from a follower, and survive `kill -9` of the leader (a new leader takes over; the killed
//! member restarts and catches up).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::Http;
use common::cluster::TestCluster;

const KV: &str = env!("CARGO_BIN_EXE_kv");

fn kv(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(KV).arg("--endpoints").arg(endpoint).args(args).output().expect("run kv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn three_members_bootstrap_replicate_and_pass_conformance_on_a_follower() {
    let c = TestCluster::start(3);
    // Every member publishes its client URL through the log; cluster-health needs them all.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut code, mut out, mut err) = kv(&c.nodes[0].client, &["cluster-health"]);
    while code != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        (code, out, err) = kv(&c.nodes[0].client, &["cluster-health"]);
    }
    assert_eq!(code, 0, "cluster-health: {out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    for line in &lines[..3] {
        assert!(
            line.starts_with("member ") && line.contains(" is healthy: got healthy result from http://"),
            "{line}"
        );
    }
    assert_eq!(lines[3], "cluster is healthy");
    for n in &c.nodes {
        assert!(out.contains(&n.client), "{} missing from cluster-health:\n{out}", n.client);
    }

    // The seed's write on one member, read back from another.
    let (code, out, err) = kv(&c.nodes[0].client, &["--no-sync", "set", "/message", "CROC Cloud"]);
    assert_eq!((code, out.as_str()), (0, "CROC Cloud\n"), "{err}");
    let (st, v) = c.http(2).get_key("/message?quorum=true").unwrap();
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("CROC Cloud")));
    let (code, out, err) = kv(&c.nodes[1].client, &["--no-sync", "get", "/message"]);
    assert_eq!((code, out.as_str()), (0, "CROC Cloud\n"), "{err}");

    // The leader reports both followers with their send latency and counts; a follower
    // answers the same by asking the leader.
    let leader = c.leader();
    let follower = (leader + 1) % 3;
    for i in [leader, follower] {
        let (st, v) = c.http(i).get("/v2/stats/leader").unwrap();
        assert_eq!(st, 200, "{v}");
        let followers = v["followers"].as_object().unwrap();
        assert_eq!(followers.len(), 2, "{v}");
        for f in followers.values() {
            assert!(f["counts"]["success"].as_u64().unwrap() > 0, "{v}");
            assert!(f["latency"]["average"].as_f64().unwrap() > 0.0, "{v}");
        }
    }

    // The conformance suite against a follower: its writes are forwarded to the leader.
    let dir = std::env::var("COREKIT_CONFORMANCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    let suite = dir.join("v2keys.py");
    assert!(suite.exists(), "conformance suite not found at {}", suite.display());
    let out = Command::new("python3")
        .arg(&suite)
        .args(["--endpoint", &c.nodes[follower].client])
        .output()
        .expect("run python3");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    let last = text.lines().last().unwrap_or("");
    assert!(out.status.success() && last.ends_with(" 0 failed"), "conformance on a follower: {last}");
}

#[test]
fn leader_kill9_new_leader_writes_continue_and_restart_catches_up() {
    let mut c = TestCluster::start(3);
    let old = c.leader();
    c.http(old).put("/before", "1").unwrap();
    c.kill9(old);
    let killed_at = Instant::now();
    let others: Vec<usize> = (0..3).filter(|&i| i != old).collect();
    let new = c.leader();
    assert_ne!(new, old);
    let took = killed_at.elapsed();
    println!("new leader {} after {took:?}", c.nodes[new].name);
    // Two election timeouts (1 s each by default: a follower's randomised timeout is 1–2 s),
    // plus 1 s for this test's polling and a loaded machine's scheduling.
    assert!(took < Duration::from_secs(3), "no new leader within two election timeouts: {took:?}");
    // Writes keep succeeding through each remaining member (followers forward to the leader).
    for (n, &i) in others.iter().enumerate() {
        for k in 0..20 {
            let (st, _) = c.http(i).put(&format!("/after/{n}/{k}"), "v").unwrap();
            assert!(st == 200 || st == 201, "write through {} got {st}", c.nodes[i].name);
        }
    }
    // The killed member comes back on its data dir and catches up.
    c.spawn(old);
    c.wait_healthy(old);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (st, v) = c.http(old).get_key("/after/1/19").unwrap();
        if st == 200 {
            assert_eq!(v["node"]["value"], "v");
            break;
        }
        assert!(Instant::now() < deadline, "restarted member did not catch up: {st} {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (st, v) = c.http(old).get_key("/before?quorum=true").unwrap();
    assert_eq!((st, v["node"]["value"].as_str()), (200, Some("1")));
}

/// A follower that was down while the others compacted their logs past it is sent a
/// snapshot when it comes back, and ends up with every key.
#[test]
fn restarted_follower_behind_the_compacted_log_gets_a_snapshot() {
    let mut c = TestCluster::start_with(3, &["--snapshot-count", "100"]);
    let leader = c.leader();
    let down = (leader + 1) % 3;
    c.kill9(down);
    for k in 0..600 {
        let (st, _) = c.http(leader).put(&format!("/snap/{k}"), &k.to_string()).unwrap();
        assert!(st == 200 || st == 201);
    }
    c.spawn(down);
    c.wait_healthy(down);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (st, v) = c.http(down).get_key("/snap?recursive=true").unwrap();
        let n = v["node"]["nodes"].as_array().map(|a| a.len()).unwrap_or(0);
        if st == 200 && n == 600 {
            break;
        }
        assert!(Instant::now() < deadline, "restarted follower has {n} of 600 keys");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, v) = c.http(down).get_key("/snap/599").unwrap();
    assert_eq!(v["node"]["value"], "599");
}

/// `kv member add` + a fourth member joining with `--initial-cluster-state existing`, then
/// `kv member remove` of one of the founders, while a writer keeps writing through the
/// others: every acknowledged write is on every remaining member, the removed member stops,
/// and cluster-health shows the three that are left.
#[test]
fn add_a_member_and_remove_one_while_writes_continue() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let mut c = TestCluster::start(3);
    let leader = c.leader();
    let removed = (leader + 1) % 3;
    let writer_node = (leader + 2) % 3;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (stop, acked, base) = (stop.clone(), acked.clone(), c.nodes[writer_node].client.clone());
        std::thread::spawn(move || {
            let http = Http::with_timeout(&base, Duration::from_secs(10));
            let mut n = 0;
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Ok((200 | 201, _)) = http.put(&format!("/churn/{n}"), &n.to_string()) {
                    acked.lock().unwrap().push(n);
                }
                n += 1;
            }
        })
    };

    let n4 = c.new_member("n4");
    let (code, out, err) =
        kv(&c.nodes[leader].client, &["--no-sync", "member", "add", "n4", &c.nodes[n4].peer]);
    assert_eq!(code, 0, "member add: {out}{err}");
    assert!(out.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), "{out}");
    c.spawn(n4);
    c.wait_healthy(n4);

    let members = c.http(leader).get("/v2/members").unwrap().1;
    let id = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["peerURLs"][0] == c.nodes[removed].peer.as_str())
        .map(|m| m["id"].as_str().unwrap().to_string())
        .unwrap();
    let (code, out, err) = kv(&c.nodes[leader].client, &["--no-sync", "member", "remove", &id]);
    assert_eq!(code, 0, "member remove: {out}{err}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.is_running(removed) {
        assert!(Instant::now() < deadline, "the removed member is still running");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 10, "only {} writes acknowledged", acked.len());

    let remaining: Vec<usize> = (0..4).filter(|&i| i != removed).collect();
    for &i in &remaining {
        // A quorum read first, so this member has applied everything; then read plainly.
        c.http(i).get_key("/churn?quorum=true").unwrap();
        let (st, v) = c.http(i).get_key("/churn?recursive=true").unwrap();
        assert_eq!(st, 200);
        let have: std::collections::HashSet<String> = v["node"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["value"].as_str().unwrap().to_string())
            .collect();
        let missing: Vec<_> = acked.iter().filter(|n| !have.contains(&n.to_string())).collect();
        assert!(missing.is_empty(), "{} lacks acknowledged writes {missing:?}", c.nodes[i].name);
    }
    let (code, out, err) = kv(&c.nodes[n4].client, &["cluster-health"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("member ") && l.contains(" is healthy")).count(),
        3,
        "{out}"
    );
    assert!(!out.contains(&c.nodes[removed].client), "{out}");
}
