//! `disco render`, `disco announce` and `disco list` against real kv-serve stores, and every
//! case where confd v0.16 (../shared/reference/confd/README.md) loses an update, each shown
//! not to happen here:
//!
//! - 4.2: a second write within ~10 ms of the first was never rendered (each new watch
//!   started "from now", after rendering) → `a_second_write_right_after_the_first_is_rendered`;
//! - 4.3: a write during the 2 s back-off after a store restart was missed →
//!   `a_write_while_the_store_restarts_is_rendered`;
//! - 4.4: a 401 "event index cleared" was never followed by a full re-read →
//!   `event_index_cleared_reads_everything_again`;
//! - and, beyond confd's list: a failover to another member, a failing check or reload, a burst
//!   of writes, and writing (and reloading) only on a change.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Member;
use common::cluster::TestCluster;
use common::disco::{self, DISCO, Proc};

const TEMPLATE: &str = "# web upstreams\n{% for s in service('web') %}\n{{ s.name }} {{ s.addr }}\n{% else %}\nnone\n{% endfor %}\n";

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::Builder::new().prefix("disco-render-").tempdir().unwrap();
        std::fs::write(dir.path().join("t.tmpl"), TEMPLATE).unwrap();
        Setup { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn out(&self) -> String {
        std::fs::read_to_string(self.path("out")).unwrap_or_default()
    }
    fn reloads(&self) -> usize {
        std::fs::read_to_string(self.path("reloads")).map(|s| s.lines().count()).unwrap_or(0)
    }
    fn args(&self, kv: &str) -> Vec<String> {
        vec![
            "render".into(),
            "--kv".into(),
            kv.into(),
            "--template".into(),
            self.path("t.tmpl").display().to_string(),
            "--out".into(),
            self.path("out").display().to_string(),
        ]
    }
    /// `disco render --watch` with `--exec` counting reloads, and `extra` flags.
    fn watch(&self, kv: &str, extra: &[&str]) -> Proc {
        let mut cmd = Command::new(DISCO);
        cmd.args(self.args(kv))
            .args(["--watch", "--exec", &format!("echo reload >> {}", self.path("reloads").display())])
            .args(extra);
        let p = Proc::spawn("disco render --watch", cmd, self.path("render.log"));
        // The first render writes the file, then runs --exec.
        disco::wait_until("the first render", Duration::from_secs(10), || self.reloads() >= 1);
        p
    }
    /// Waits until the rendered file contains `line`; the time it took.
    fn wait_for(&self, line: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if self.out().lines().any(|l| l == line) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "{line:?} not rendered within {limit:?}; the file:\n{}\nthe log:\n{}",
                self.out(),
                std::fs::read_to_string(self.path("render.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// PUT a value, retrying while the member has no leader (an election after a kill).
fn put(m: &str, key: &str, value: &str) {
    let agent = common::agent(Duration::from_secs(10));
    let start = Instant::now();
    loop {
        let st =
            agent.put(format!("{m}/v2/keys{key}")).send_form([("value", value)]).map(|r| r.status().as_u16());
        match st {
            Ok(s) if s < 300 => return,
            Ok(s) if s < 500 => panic!("PUT {key}: {s}"),
            other => assert!(start.elapsed() < Duration::from_secs(15), "PUT {key}: {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run(args: &[String]) -> common::Finished {
    let mut c = Command::new(DISCO);
    c.args(args);
    common::run_bounded(c, Duration::from_secs(30))
}

fn inode_and_mtime(p: &Path) -> (u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).unwrap();
    (m.ino(), m.modified().unwrap())
}

#[test]
fn renders_once_and_writes_only_changes() {
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    put(&kv, "/services/web/a", "127.0.0.1:8081");
    let mut args = s.args(&kv);
    args.extend(["--exec".into(), format!("echo reload >> {}", s.path("reloads").display())]);
    let r = run(&args);
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:8081\n");
    assert_eq!(s.reloads(), 1);
    let before = inode_and_mtime(&s.path("out"));
    std::thread::sleep(Duration::from_millis(20));
    let r = run(&args);
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("is current"), "{}", r.stderr);
    assert_eq!(inode_and_mtime(&s.path("out")), before, "an unchanged file is not written");
    assert_eq!(s.reloads(), 1, "nor is --exec run");
    // A check that refuses the new content: the old file stays, the reason is said, status 1.
    put(&kv, "/services/web/b", "127.0.0.2:99999");
    let mut checked = args.clone();
    checked.extend([
        "--check-cmd".into(),
        "! grep -q 99999 {{src}} || { echo \"invalid port in $DISCO_SRC\"; exit 1; }".into(),
    ]);
    let r = run(&checked);
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("--check-cmd refused") && r.stderr.contains("invalid port in"), "{}", r.stderr);
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:8081\n");
    assert_eq!(inode_and_mtime(&s.path("out")), before);
    // A reload that fails puts the old file back.
    put(&kv, "/services/web/b", "127.0.0.2:8081");
    let mut failing = s.args(&kv);
    failing.extend(["--exec".into(), "echo nginx is down; exit 1".into()]);
    let r = run(&failing);
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("--exec failed") && r.stderr.contains("nginx is down"), "{}", r.stderr);
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:8081\n");
    let r = run(&checked);
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:8081\nb 127.0.0.2:8081\n");
    let names: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with(".out")), "a staged file was left: {names:?}");
    // A template error is bad input (2) and names the line; an unreachable store is 3.
    std::fs::write(s.path("bad.tmpl"), "ok\n{% for x in %}\n").unwrap();
    let mut bad = s.args(&kv);
    bad[4] = s.path("bad.tmpl").display().to_string();
    let r = run(&bad);
    assert_eq!(r.status.code(), Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("bad.tmpl:2"), "{}", r.stderr);
    let r = run(&s.args("http://127.0.0.1:9"));
    assert_eq!(r.status.code(), Some(3), "{}", r.stderr);
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:8081\nb 127.0.0.2:8081\n");
}

#[test]
fn each_change_is_rendered_at_once() {
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    let _r = s.watch(&kv, &[]);
    let agent = common::agent(Duration::from_secs(10));
    let (mut total, mut after_ack) = (Vec::new(), Vec::new());
    for i in 0..20 {
        // Isolated changes (a change within --debounce of the one before is a burst's).
        std::thread::sleep(Duration::from_millis(60));
        let t = Instant::now();
        agent
            .put(format!("{kv}/v2/keys/services/web/a"))
            .send_form([("value", format!("127.0.0.1:{}", 9000 + i))])
            .unwrap();
        let acked = t.elapsed();
        s.wait_for(&format!("a 127.0.0.1:{}", 9000 + i), Duration::from_secs(5));
        total.push(t.elapsed());
        after_ack.push(t.elapsed() - acked);
    }
    total.sort();
    after_ack.sort();
    let median = total[total.len() / 2];
    eprintln!(
        "write sent → rendered file: median {median:?} (min {:?}, max {:?}); after the store's answer: median {:?}",
        total[0],
        total[total.len() - 1],
        after_ack[after_ack.len() / 2]
    );
    assert!(median < Duration::from_millis(250), "median {median:?}");
}

#[test]
fn a_second_write_right_after_the_first_is_rendered() {
    // confd rendered the first and never the second (8 of 8 tries at ≤ 10 ms). A reload
    // that takes a while makes the window wider; here it takes 30 ms.
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    let mut cmd = Command::new(DISCO);
    cmd.args(s.args(&kv)).args(["--watch", "--exec", "sleep 0.03"]);
    let _r = Proc::spawn("disco render --watch", cmd, s.path("render.log"));
    disco::wait_until("the first render", Duration::from_secs(10), || s.path("out").exists());
    let mut n = 0;
    for d in [0u64, 2, 5, 10, 15] {
        for _ in 0..2 {
            n += 1;
            put(&kv, "/services/web/r", &format!("127.0.0.185:{n}"));
            std::thread::sleep(Duration::from_millis(d));
            put(&kv, "/services/web/r", &format!("127.0.0.186:{n}"));
            s.wait_for(&format!("r 127.0.0.186:{n}"), Duration::from_secs(3));
        }
    }
}

#[test]
fn a_write_while_the_store_restarts_is_rendered() {
    // confd slept 2 s after losing the store and then watched "from now": a write in those
    // 2 s was missed until the next change.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Member::builder().dir(dir.path()).start();
    let kv = store.client_url();
    let s = Setup::new();
    put(&kv, "/services/web/a", "127.0.0.1:1");
    let r = s.watch(&kv, &[]);
    s.wait_for("a 127.0.0.1:1", Duration::from_secs(5));
    store.kill9();
    disco::wait_until("render notices", Duration::from_secs(10), || {
        r.output().contains("failed (retrying from index")
    });
    std::thread::sleep(Duration::from_millis(500));
    store.restart();
    put(&kv, "/services/web/c", "127.0.0.185:8081");
    let t = s.wait_for("c 127.0.0.185:8081", Duration::from_secs(5));
    eprintln!("rendered {t:?} after the store came back");
}

#[test]
fn event_index_cleared_reads_everything_again() {
    // The store's history keeps 1000 events. Render is stopped (SIGSTOP) while its store is
    // restarted and takes c plus 1200 other writes; when render goes on, its watch cannot
    // continue from its index (401) — it must read everything again, or c stays missing
    // (confd: "c was never rendered").
    let dir = tempfile::tempdir().unwrap();
    let mut store = Member::builder().dir(dir.path()).start();
    let kv = store.client_url();
    let s = Setup::new();
    put(&kv, "/services/web/a", "127.0.0.1:1");
    let r = s.watch(&kv, &[]);
    s.wait_for("a 127.0.0.1:1", Duration::from_secs(5));
    r.signal(libc::SIGSTOP);
    store.kill9();
    store.restart();
    put(&kv, "/services/web/c", "127.0.0.185:8081");
    let agent = common::agent(Duration::from_secs(10));
    for i in 0..1200 {
        agent.put(format!("{kv}/v2/keys/other/{}", i % 10)).send_form([("value", i.to_string())]).unwrap();
    }
    r.signal(libc::SIGCONT);
    s.wait_for("c 127.0.0.185:8081", Duration::from_secs(10));
    let log = r.output();
    assert!(log.contains("reading everything again: the watch fell behind the store's history"), "{log}");
}

#[test]
fn a_failover_to_another_member_loses_nothing() {
    let mut c = TestCluster::start(3);
    let eps = c.nodes.iter().map(|n| n.client.clone()).collect::<Vec<_>>().join(",");
    let s = Setup::new();
    put(&c.nodes[1].client, "/services/web/a", "127.0.0.1:1");
    let _r = s.watch(&eps, &[]);
    s.wait_for("a 127.0.0.1:1", Duration::from_secs(5));
    // render talks to the first endpoint that answers: n1. Take it away, write elsewhere.
    c.kill9(0);
    put(&c.nodes[1].client, "/services/web/b", "127.0.0.2:2");
    put(&c.nodes[2].client, "/services/web/c", "127.0.0.3:3");
    s.wait_for("b 127.0.0.2:2", Duration::from_secs(10));
    s.wait_for("c 127.0.0.3:3", Duration::from_secs(10));
}

#[test]
fn a_failing_check_keeps_the_old_file_until_a_good_change() {
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    put(&kv, "/services/web/a", "127.0.0.1:1");
    let r = s.watch(
        &kv,
        &[
            "--check-cmd",
            "! grep -q 99999 {{src}} || { echo \"nginx: [emerg] invalid port in upstream\"; exit 1; }",
        ],
    );
    s.wait_for("a 127.0.0.1:1", Duration::from_secs(5));
    disco::wait_until("the reload after the render", Duration::from_secs(5), || s.reloads() >= 1);
    std::thread::sleep(Duration::from_millis(100));
    let reloads = s.reloads();
    put(&kv, "/services/web/bad", "127.0.0.187:99999");
    disco::wait_until("the check refuses", Duration::from_secs(5), || {
        r.output().contains("invalid port in upstream")
    });
    assert!(r.output().contains("kept: --check-cmd refused"), "{}", r.output());
    assert_eq!(s.out(), "# web upstreams\na 127.0.0.1:1\n");
    assert_eq!(s.reloads(), reloads, "no reload after a refused check");
    let c = Command::new("curl")
        .arg("-s")
        .arg("-XDELETE")
        .arg(format!("{kv}/v2/keys/services/web/bad"))
        .output()
        .unwrap();
    assert!(c.status.success());
    put(&kv, "/services/web/c", "127.0.0.3:3");
    s.wait_for("c 127.0.0.3:3", Duration::from_secs(5));
    assert!(!s.out().contains("99999"));
}

#[test]
fn a_burst_of_writes_is_a_few_renders() {
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    // A burst ends with 200 ms of quiet (the store's own stalls on a busy machine can make
    // a pause of 50 ms inside a burst).
    let _r = s.watch(&kv, &["--debounce", "200"]);
    let before = s.reloads();
    let agent = common::agent(Duration::from_secs(10));
    for i in 0..200 {
        agent
            .put(format!("{kv}/v2/keys/services/web/b{}", i % 20))
            .send_form([("value", format!("127.0.0.2:{i}"))])
            .unwrap();
    }
    s.wait_for("b19 127.0.0.2:199", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(300));
    let renders = s.reloads() - before;
    eprintln!("200 writes, {renders} renders");
    assert!(renders <= 10, "{renders} renders for one burst of 200 writes");
}

#[test]
fn announce_keeps_a_healthy_backend_and_withdraws_it() {
    let store = Member::start();
    let kv = store.client_url();
    let d = tempfile::tempdir().unwrap();
    let healthy = d.path().join("healthy");
    std::fs::write(&healthy, "").unwrap();
    let spawn = || {
        let mut cmd = Command::new(DISCO);
        cmd.args(["announce", "web", "127.0.0.71:8081", "--ttl", "2", "--interval", "0.3", "--kv", &kv])
            .arg("--health-cmd")
            .arg(format!("test -e {}", healthy.display()));
        Proc::spawn_tmp("disco announce", cmd)
    };
    let key = "/services/web/127.0.0.71:8081";
    let present = || store.http().get_key(key).map(|(st, _)| st == 200).unwrap_or(false);
    let mut a = spawn();
    disco::wait_until("announced", Duration::from_secs(5), present);
    let (_, v) = store.http().get_key(key).unwrap();
    assert_eq!(v["node"]["value"], "127.0.0.71:8081");
    assert!(v["node"]["ttl"].as_i64().unwrap() <= 2);
    std::thread::sleep(Duration::from_secs(3));
    assert!(present(), "refreshed past its TTL");
    // The check fails: withdrawn at once (not a TTL later); passes again: back.
    std::fs::remove_file(&healthy).unwrap();
    let t = disco::wait_until("withdrawn", Duration::from_secs(5), || !present());
    assert!(t < Duration::from_millis(1500), "withdrawn after {t:?}");
    std::fs::write(&healthy, "").unwrap();
    disco::wait_until("announced again", Duration::from_secs(5), present);
    // SIGTERM withdraws and exits 0.
    let st = a.stop();
    assert_eq!(st.code(), Some(0), "{}", a.output());
    assert!(!present(), "withdrawn on SIGTERM");
    assert!(a.output().contains("withdrew /services/web/127.0.0.71:8081: stopping"), "{}", a.output());
    // Killed without a word: the TTL takes the key away.
    let mut b = spawn();
    disco::wait_until("announced", Duration::from_secs(5), present);
    b.kill9();
    let t = disco::wait_until("expired", Duration::from_secs(6), || !present());
    eprintln!("the key of a killed announcer expired {t:?} after the kill (TTL 2 s)");
}

#[test]
fn announce_checks_a_health_url_and_list_shows_the_instances() {
    let store = Member::start();
    let kv = store.client_url();
    let ip = disco::my_ip(11);
    let l = std::net::TcpListener::bind((ip, 0)).unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    l.set_nonblocking(true).unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            match l.accept() {
                Ok((mut c, _)) => {
                    let mut b = [0u8; 1024];
                    let _ = c.read(&mut b);
                    let _ =
                        c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    let mut cmd = Command::new(DISCO);
    cmd.args([
        "announce",
        "web",
        &addr,
        "--ttl",
        "3",
        "--interval",
        "0.3",
        "--kv",
        &kv,
        "--health-url",
        &format!("http://{addr}/health"),
    ]);
    let _a = Proc::spawn_tmp("disco announce --health-url", cmd);
    let mut cmd = Command::new(DISCO);
    cmd.args(["announce", "web", "127.0.0.72:8081", "--instance", "second", "--ttl", "30", "--kv", &kv]);
    let _b = Proc::spawn_tmp("disco announce (no check)", cmd);
    let list = |fmt: &str| {
        let mut c = Command::new(DISCO);
        c.args(["list", "web", "--kv", &kv, "-o", fmt]);
        common::run_bounded(c, Duration::from_secs(10))
    };
    disco::wait_until("two instances", Duration::from_secs(5), || list("text").stdout.lines().count() == 2);
    let text = list("text").stdout;
    assert_eq!(text, format!("{addr}\t{addr}\nsecond\t127.0.0.72:8081\n"));
    let json: serde_json::Value = serde_json::from_str(&list("json").stdout).unwrap();
    assert_eq!(json[1]["name"], "second");
    assert_eq!(json[1]["value"], "127.0.0.72:8081");
    assert_eq!(json[1]["key"], "/services/web/second");
    assert!(json[1]["ttl"].as_i64().unwrap() > 0);
    // The backend goes away: its instance is withdrawn, the other stays.
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    server.join().unwrap();
    disco::wait_until("withdrawn", Duration::from_secs(5), || list("text").stdout.lines().count() == 1);
    let mut c = Command::new(DISCO);
    c.args(["list", "nothing", "--kv", &kv]);
    let none = common::run_bounded(c, Duration::from_secs(10));
    assert_eq!(none.status.code(), Some(1), "no instance is a negative answer");
}

#[test]
fn a_template_that_needs_a_missing_key_waits_for_it() {
    let store = Member::start();
    let kv = store.client_url();
    let s = Setup::new();
    std::fs::write(s.path("t.tmpl"), "listen {{ get('/services/lb/listen') }}\n").unwrap();
    let mut cmd = Command::new(DISCO);
    cmd.args(s.args(&kv)).arg("--watch");
    let mut r = Proc::spawn("disco render --watch", cmd, s.path("render.log"));
    disco::wait_until("the template error is said", Duration::from_secs(10), || {
        r.output().contains("key not found: /services/lb/listen")
    });
    assert!(r.is_running(), "render --watch gave up:\n{}", r.output());
    assert!(!s.path("out").exists());
    put(&kv, "/services/lb/listen", "127.0.0.1:80");
    s.wait_for("listen 127.0.0.1:80", Duration::from_secs(5));
}
