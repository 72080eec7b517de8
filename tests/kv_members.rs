//! `kv member …` and `kv cluster-health` against a REAL 3-member etcd 3.4 cluster (kv-serve is
//! single-member and has no member add/remove/update), compared with `ETCDCTL_API=2 etcdctl`.
//!
//! Three `etcd --enable-v2=true` members run on distinct loopback addresses (ports 2379/2380,
//! temp data dirs, an `--initial-cluster-token` unique to the run). The same script of member
//! commands runs through etcdctl, then through kv, on that cluster: `member add` announces a
//! 4th member that is never started (3 of 4 alive keeps quorum), `member update` moves its peer
//! URL, `member remove` takes it out again, so each run starts from the same 3 members.
//! stdout, stderr and exit status must match once the added member's ID (different in each run)
//! is replaced by `<NEW>`; outputs that list the added member are compared with their lines
//! sorted (members come in ID order, so its place depends on its random ID) — that order is
//! checked separately: every listing must be in ascending numeric ID order, as the server gives.
//!
//! The members run with `--strict-reconfig-check=false`: with the check on, etcd rejects a
//! `member add` made within 5 s (its health interval) of the previous membership change with a
//! 503 ("has no leader"), which would make the script depend on timing.
//!
//! etcd and etcdctl must be installed; the test fails, never skips, without them.

mod common;

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::Value;

const KV: &str = env!("CARGO_BIN_EXE_kv");

fn etcd_program() -> String {
    std::env::var("COREKIT_ETCD").unwrap_or_else(|_| "etcd".into())
}
fn etcdctl_program() -> String {
    std::env::var("COREKIT_ETCDCTL").unwrap_or_else(|_| "etcdctl".into())
}

// ------------------------------------------------------------------------------ the cluster

/// A loopback address whose ports 2379 and 2380 are both free right now.
fn free_ip(taken: &[Ipv4Addr]) -> Ipv4Addr {
    for _ in 0..200 {
        let ip = common::pick_ip();
        if taken.contains(&ip) {
            continue;
        }
        if TcpListener::bind((ip, 2379)).is_ok() && TcpListener::bind((ip, 2380)).is_ok() {
            return ip;
        }
    }
    panic!("no loopback address with ports 2379/2380 free");
}

struct EtcdMember {
    name: String,
    ip: Ipv4Addr,
    log: PathBuf,
    child: Option<Child>,
}

impl EtcdMember {
    fn client_url(&self) -> String {
        format!("http://{}:2379", self.ip)
    }
    fn peer_url(&self) -> String {
        format!("http://{}:2380", self.ip)
    }
    fn log_tail(&self, n: usize) -> String {
        let mut s = Vec::new();
        if let Ok(mut f) = File::open(&self.log) {
            let _ = f.read_to_end(&mut s);
        }
        let s = String::from_utf8_lossy(&s);
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

/// Three running etcd members. Dropping it (also while a test panics) SIGKILLs and reaps every
/// member; on a panic it prints the tail of each member's log.
struct Cluster {
    members: Vec<EtcdMember>,
    _dir: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for m in &mut self.members {
            if let Some(mut c) = m.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if thread::panicking() {
            for m in &self.members {
                eprintln!("--- etcd member {} ({}) log tail ---\n{}\n---", m.name, m.ip, m.log_tail(25));
            }
        }
    }
}

impl Cluster {
    /// Starts 3 etcd members with one `--initial-cluster` and waits until each says healthy.
    /// Retries on other addresses when one was taken in the meantime by another test process.
    fn start() -> Cluster {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Cluster::try_start() {
                Ok(c) => return c,
                Err((c, e)) => {
                    let busy = c
                        .members
                        .iter()
                        .any(|m| m.log_tail(60).to_ascii_lowercase().contains("address already in use"));
                    if busy && attempt < 4 {
                        eprintln!("kv_members: an address was busy ({e}); retrying on other addresses");
                        drop(c);
                        continue;
                    }
                    let tails: Vec<String> = c
                        .members
                        .iter()
                        .map(|m| format!("--- {} ({}) ---\n{}", m.name, m.ip, m.log_tail(40)))
                        .collect();
                    drop(c);
                    panic!("3-member etcd cluster failed to start: {e}\n{}", tails.join("\n"));
                }
            }
        }
    }

    fn try_start() -> Result<Cluster, (Cluster, String)> {
        let dir = tempfile::Builder::new().prefix("corekit-kv-members-").tempdir().expect("temp dir");
        let mut ips = Vec::new();
        for _ in 0..3 {
            let ip = free_ip(&ips);
            ips.push(ip);
        }
        let names = ["e1", "e2", "e3"];
        let initial: Vec<String> =
            names.iter().zip(&ips).map(|(n, ip)| format!("{n}=http://{ip}:2380")).collect();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let token = format!("corekit-kv-members-{}-{nanos}", std::process::id());
        let mut cluster = Cluster { members: Vec::new(), _dir: dir };
        for (name, ip) in names.iter().zip(&ips) {
            let log = cluster._dir.path().join(format!("{name}.log"));
            let data = cluster._dir.path().join(format!("{name}.data"));
            let out = File::create(&log).expect("create log");
            let err = out.try_clone().unwrap();
            let (client, peer) = (format!("http://{ip}:2379"), format!("http://{ip}:2380"));
            let mut cmd = Command::new(etcd_program());
            cmd.arg("--name").arg(name);
            cmd.arg("--data-dir").arg(&data);
            cmd.arg("--listen-client-urls").arg(&client);
            cmd.arg("--advertise-client-urls").arg(&client);
            cmd.arg("--listen-peer-urls").arg(&peer);
            cmd.arg("--initial-advertise-peer-urls").arg(&peer);
            cmd.arg("--initial-cluster").arg(initial.join(","));
            cmd.arg("--initial-cluster-state").arg("new");
            cmd.arg("--initial-cluster-token").arg(&token);
            cmd.arg("--enable-v2=true");
            cmd.arg("--strict-reconfig-check=false");
            for (k, _) in std::env::vars_os() {
                if k.to_string_lossy().starts_with("ETCD_") {
                    cmd.env_remove(k);
                }
            }
            cmd.stdin(Stdio::null()).stdout(Stdio::from(out)).stderr(Stdio::from(err));
            // Die with the test process (panic=abort, SIGKILL from the runner's timeout).
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {} (is etcd installed?): {e}", etcd_program()));
            cluster.members.push(EtcdMember { name: name.to_string(), ip: *ip, log, child: Some(child) });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        for i in 0..cluster.members.len() {
            let http = common::Http::with_timeout(&cluster.members[i].client_url(), Duration::from_secs(1));
            loop {
                if let Ok(Some(st)) = cluster.members[i].child.as_mut().unwrap().try_wait() {
                    let e = format!("member {} exited with {st}", cluster.members[i].name);
                    return Err((cluster, e));
                }
                match http.get("/health") {
                    Ok((200, v)) if v["health"] == "true" => break,
                    _ => {}
                }
                if Instant::now() >= deadline {
                    let e = format!("member {} not healthy within 30s", cluster.members[i].name);
                    return Err((cluster, e));
                }
                thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(cluster)
    }

    /// (id, name, peerURLs) of every member, as `GET /v2/members` lists them.
    fn members(&self) -> Vec<(String, String, Vec<String>)> {
        let (st, v) =
            common::Http::new(&self.members[0].client_url()).get("/v2/members").expect("GET /v2/members");
        assert_eq!(st, 200, "GET /v2/members: {v}");
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let urls = m["peerURLs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u.as_str().unwrap().to_string())
                    .collect();
                (m["id"].as_str().unwrap().to_string(), m["name"].as_str().unwrap().to_string(), urls)
            })
            .collect()
    }

    fn id_of(&self, name: &str) -> String {
        self.members().into_iter().find(|m| m.1 == name).unwrap_or_else(|| panic!("no member {name}")).0
    }

    fn assert_three_members(&self, when: &str) {
        let ms = self.members();
        let mut names: Vec<&str> = ms.iter().map(|m| m.1.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            ["e1", "e2", "e3"],
            "{when}: the cluster should hold exactly the 3 started members: {ms:?}"
        );
    }
}

// ------------------------------------------------------------------------------ the script

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Etcdctl,
    Kv,
}

impl Tool {
    fn command(self) -> Command {
        let mut c = match self {
            Tool::Etcdctl => {
                let mut c = Command::new(etcdctl_program());
                c.env("ETCDCTL_API", "2");
                c
            }
            Tool::Kv => Command::new(KV),
        };
        for k in ["ETCDCTL_ENDPOINTS", "ETCDCTL_ENDPOINT", "ETCDCTL_PEERS", "KV_ENDPOINTS"] {
            c.env_remove(k);
        }
        c
    }
}

struct Outcome {
    what: String,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(tool: Tool, args: &[String]) -> Outcome {
    let mut c = tool.command();
    c.args(args);
    let f = common::run_bounded(c, Duration::from_secs(30));
    assert!(!f.timed_out, "{tool:?} {} timed out", args.join(" "));
    Outcome {
        what: format!("{tool:?} {}", args.join(" ")),
        stdout: f.stdout,
        stderr: f.stderr,
        code: f.status.code(),
    }
}

/// Placeholders in a step: `{EP}` member e1's client URL, `{EPS}` all three, `{EP3}` e3's;
/// `{ID1}`..`{ID3}` the started members' IDs, `{PEER1}`/`{PEER2}` their peer URLs;
/// `{PEER4}`/`{PEER5}` the peer URLs given to the never-started member (add / update);
/// `{NOPORT}` a peer URL without a port; `{NEW}` the ID the last `member add` of this run printed.
const SCRIPT: &[&[&str]] = &[
    &["--endpoints", "{EP}", "member", "list"],
    &["--endpoints", "{EPS}", "member", "list"],
    &["--endpoints", "{EP3}", "member", "list"],
    &["--endpoints", "{EP}", "cluster-health"],
    // a 4th member that is never started
    &["--endpoints", "{EP}", "member", "add", "m4", "{PEER4}"],
    &["--endpoints", "{EP}", "member", "list"],
    &["--endpoints", "{EP}", "cluster-health"],
    &["--endpoints", "{EP}", "member", "update", "{NEW}", "{PEER5}"],
    &["--endpoints", "{EP}", "member", "list"],
    &["--endpoints", "{EP}", "member", "update", "{NEW}", "{PEER1}"],
    &["--endpoints", "{EP}", "member", "add", "dup", "{PEER2}"],
    &["--endpoints", "{EP}", "member", "add", "dup", "{PEER5}"],
    &["--endpoints", "{EP}", "member", "remove", "{NEW}"],
    &["--endpoints", "{EP}", "member", "list"],
    &["--endpoints", "{EP}", "cluster-health"],
    // errors
    &["--endpoints", "{EP}", "member", "remove", "{NEW}"],
    &["--endpoints", "{EP}", "member", "remove", "deadbeef"],
    &["--endpoints", "{EP}", "member", "remove", "e1"],
    &["--endpoints", "{EP}", "member", "add", "m5", "notaurl"],
    &["--endpoints", "{EP}", "member", "add", "m5", "{NOPORT}"],
    &["--endpoints", "{EP}", "member", "add", "m5", "ftp://127.0.0.1:2380"],
    &["--endpoints", "{EP}", "member", "update", "deadbeef", "{PEER5}"],
    &["--endpoints", "{EP}", "member", "update", "{NEW}", "{PEER5}"],
    &["--endpoints", "{EP}", "member", "update", "{ID3}", "notaurl"],
    &["--endpoints", "{EP}", "member", "update", "{ID3}", "{PEER2}"],
    &["--endpoints", "{EP}", "member", "add"],
    &["--endpoints", "{EP}", "member", "add", "m5"],
    &["--endpoints", "{EP}", "member", "remove"],
    &["--endpoints", "{EP}", "member", "update", "{ID3}"],
    &["--endpoints", "{EP}", "member", "list", "extra"],
    &["--endpoints", "{EP}", "member", "list"],
];

struct Env {
    vars: HashMap<&'static str, String>,
}

impl Env {
    fn expand(&self, args: &[&str], new_id: &Option<String>) -> Vec<String> {
        args.iter()
            .map(|a| {
                let mut s = a.to_string();
                for (k, v) in &self.vars {
                    s = s.replace(k, v);
                }
                if s.contains("{NEW}") {
                    let id = new_id
                        .as_deref()
                        .unwrap_or_else(|| panic!("{{NEW}} used before a successful member add"));
                    s = s.replace("{NEW}", id);
                }
                s
            })
            .collect()
    }
}

/// The ID in "Added member named m4 with ID <id> to cluster".
fn added_id(stdout: &str) -> Option<String> {
    let rest = stdout.split("Added member named ").nth(1)?;
    let rest = rest.split(" with ID ").nth(1)?;
    Some(rest.split(" to cluster").next()?.to_string())
}

/// Runs the script through `tool`; returns each step's outcome and the added member's ID.
fn run_script(tool: Tool, env: &Env) -> (Vec<Outcome>, Option<String>) {
    let mut new_id: Option<String> = None;
    let mut added: Option<String> = None;
    let mut outs = Vec::new();
    for step in SCRIPT {
        let args = env.expand(step, &new_id);
        let o = run(tool, &args);
        if args.iter().any(|a| a == "add") && o.code == Some(0) {
            let id = added_id(&o.stdout).unwrap_or_else(|| panic!("{}: no ID in {:?}", o.what, o.stdout));
            assert!(added.is_none(), "{}: a second successful add in one run", o.what);
            new_id = Some(id.clone());
            added = Some(id);
        }
        outs.push(o);
    }
    (outs, added)
}

/// Replaces `tok` where it stands alone (not inside a longer hex word) by `with`.
fn replace_token(s: &str, tok: &str, with: &str) -> String {
    if tok.is_empty() {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find(tok) {
        let before_ok = !rest[..p].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let after_ok = !rest[p + tok.len()..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..p]);
        out.push_str(if before_ok && after_ok { with } else { tok });
        rest = &rest[p + tok.len()..];
    }
    out.push_str(rest);
    out
}

/// The added member's ID becomes `<NEW>`; when it appears, lines are sorted and so are the
/// entries of `ETCD_INITIAL_CLUSTER="…"` (their order follows the random ID).
fn normalize(s: &str, new_id: &Option<String>) -> String {
    let s = &sort_endpoint_errors(s);
    let Some(id) = new_id else { return s.to_string() };
    let r = replace_token(s, id, "<NEW>");
    if !r.contains("<NEW>") {
        return r;
    }
    let mut lines: Vec<String> = r
        .lines()
        .map(|l| match l.strip_prefix("ETCD_INITIAL_CLUSTER=\"").and_then(|v| v.strip_suffix('"')) {
            Some(v) => {
                let mut parts: Vec<&str> = v.split(',').collect();
                parts.sort();
                format!("ETCD_INITIAL_CLUSTER=\"{}\" (entries sorted)", parts.join(","))
            }
            None => l.to_string(),
        })
        .collect();
    // only listings get sorted; `member add`'s text keeps its line order
    if !r.contains("Added member named") {
        lines.sort();
        lines.push("(lines sorted)".into());
    }
    lines.join("\n") + "\n"
}

/// etcdctl tries the cluster's endpoints in a random order, so "client: etcd cluster is
/// unavailable or misconfigured; error #0: …; error #1: …" lists them in a random order (kv
/// in the order it knows them): the entries are sorted and their numbers masked.
fn sort_endpoint_errors(s: &str) -> String {
    const HEAD: &str = "client: etcd cluster is unavailable or misconfigured; ";
    let Some(rest) = s.strip_prefix(HEAD) else { return s.to_string() };
    let mut parts: Vec<String> = rest
        .split("; error #")
        .map(|p| {
            let p = p.strip_prefix("error #").unwrap_or(p);
            let p = p.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("error #?{}", p.trim_end_matches('\n'))
        })
        .collect();
    parts.sort();
    format!("{HEAD}{} (entries sorted)\n", parts.join("; "))
}

/// Every member listing (member list, cluster-health) must come in ascending numeric ID order.
fn check_id_order(o: &Outcome) -> Result<(), String> {
    let mut ids = Vec::new();
    for l in o.stdout.lines() {
        let tok = if l.starts_with("member ") && l.contains(" is ") {
            l.split(' ').nth(1)
        } else if l.contains(": name=") || l.contains("[unstarted]: ") {
            l.split([':', '[']).next()
        } else {
            None
        };
        if let Some(t) = tok {
            let n =
                u64::from_str_radix(t, 16).map_err(|e| format!("{}: bad member ID {t:?}: {e}", o.what))?;
            ids.push(n);
        }
    }
    if ids.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("{}: members not in ascending ID order:\n{}", o.what, o.stdout));
    }
    Ok(())
}

fn reserve_unused_ip(taken: &[Ipv4Addr], hold: &mut Vec<TcpListener>) -> Ipv4Addr {
    // Hold the address's peer port for the whole test, so no other test's member lands on
    // the peer URL we announce for a member that never starts.
    for _ in 0..200 {
        let ip = common::pick_ip();
        if taken.contains(&ip) {
            continue;
        }
        if let Ok(l) = TcpListener::bind((ip, 2380)) {
            hold.push(l);
            return ip;
        }
    }
    panic!("no free loopback address for the unstarted member");
}

fn probe_tools() {
    let e = Command::new(etcdctl_program()).env("ETCDCTL_API", "2").arg("--version").output();
    assert!(
        e.is_ok_and(|o| o.status.success()),
        "etcdctl is not installed: this test compares kv with ETCDCTL_API=2 etcdctl"
    );
    let e = Command::new(etcd_program()).arg("--version").output();
    assert!(e.is_ok_and(|o| o.status.success()), "etcd is not installed: this test needs the real etcd 3.4");
}

fn setup() -> (Cluster, Env, Vec<TcpListener>) {
    probe_tools();
    let cluster = Cluster::start();
    cluster.assert_three_members("after start");
    let mut taken: Vec<Ipv4Addr> = cluster.members.iter().map(|m| m.ip).collect();
    let mut hold = Vec::new();
    let ip4 = reserve_unused_ip(&taken, &mut hold);
    taken.push(ip4);
    let ip5 = reserve_unused_ip(&taken, &mut hold);
    taken.push(ip5);
    let ip6 = reserve_unused_ip(&taken, &mut hold);
    let m = &cluster.members;
    let mut vars = HashMap::new();
    vars.insert("{EPS}", m.iter().map(|m| m.client_url()).collect::<Vec<_>>().join(","));
    vars.insert("{EP3}", m[2].client_url());
    vars.insert("{EP}", m[0].client_url());
    vars.insert("{ID1}", cluster.id_of("e1"));
    vars.insert("{ID2}", cluster.id_of("e2"));
    vars.insert("{ID3}", cluster.id_of("e3"));
    vars.insert("{PEER1}", m[0].peer_url());
    vars.insert("{PEER2}", m[1].peer_url());
    vars.insert("{PEER4}", format!("http://{ip4}:2380"));
    vars.insert("{PEER5}", format!("http://{ip5}:2380"));
    vars.insert("{NOPORT}", format!("http://{ip6}"));
    (cluster, Env { vars }, hold)
}

#[test]
fn member_commands_match_etcdctl_on_a_3_member_etcd() {
    let (cluster, env, _hold) = setup();

    let (etcdctl, e_id) = run_script(Tool::Etcdctl, &env);
    cluster.assert_three_members("after the etcdctl run");
    let (kv, k_id) = run_script(Tool::Kv, &env);
    cluster.assert_three_members("after the kv run");

    // The script did what it is meant to: the add succeeded in both runs (else everything after
    // it compares two failures), with IDs that differ.
    let (e_id, k_id) = (e_id.expect("etcdctl's member add failed"), k_id.expect("kv's member add failed"));
    assert_ne!(e_id, k_id, "both runs added a member with the same ID?");
    let unstarted = etcdctl.iter().chain(&kv).filter(|o| o.stdout.contains("[unstarted]: peerURLs=")).count();
    assert_eq!(unstarted, 4, "each run lists the unstarted member twice (after add and after update)");
    let healthy = kv.iter().filter(|o| o.stdout.ends_with("cluster is healthy\n")).count();
    assert_eq!(healthy, 2, "kv: cluster-health says healthy before the add and after the remove");
    let degraded =
        kv.iter().filter(|o| o.stdout.ends_with("cluster is degraded\n") && o.code == Some(5)).count();
    assert_eq!(degraded, 1, "kv: cluster-health says degraded (exit 5) while the 4th member is unstarted");

    let (e_new, k_new) = (Some(e_id), Some(k_id));
    let mut failures = Vec::new();
    for (e, k) in etcdctl.iter().zip(&kv) {
        for o in [e, k] {
            if let Err(msg) = check_id_order(o) {
                failures.push(msg);
            }
        }
        let (eo, ko) = (normalize(&e.stdout, &e_new), normalize(&k.stdout, &k_new));
        let (ee, ke) = (normalize(&e.stderr, &e_new), normalize(&k.stderr, &k_new));
        if eo != ko || ee != ke || e.code != k.code {
            failures.push(format!(
                "=== {}\n--- etcdctl (exit {:?})\nstdout:\n{eo}stderr:\n{ee}--- kv (exit {:?})\nstdout:\n{ko}stderr:\n{ke}",
                k.what, e.code, k.code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps differ:\n{}",
        failures.len(),
        SCRIPT.len(),
        failures.join("\n")
    );
}

fn json_lines(o: &Outcome) -> Vec<Value> {
    assert_eq!(o.code, Some(0), "{}: exit {:?}, stderr {}", o.what, o.code, o.stderr);
    assert!(!o.stdout.is_empty(), "{}: no output", o.what);
    o.stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: line {l:?} is not JSON: {e}", o.what))
        })
        .collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kv_member_json_output() {
    let (cluster, env, _hold) = setup();
    let ep = env.vars["{EP}"].clone();
    let (peer4, peer5) = (env.vars["{PEER4}"].clone(), env.vars["{PEER5}"].clone());
    let kv = |args: &[&str]| {
        let mut a = vec!["--endpoints".to_string(), ep.clone(), "-o".into(), "json".into()];
        a.extend(args.iter().map(|s| s.to_string()));
        run(Tool::Kv, &a)
    };
    let before = cluster.members();

    // member list: one object per member, in the server's order, exactly one leader
    let list = json_lines(&kv(&["member", "list"]));
    assert_eq!(list.len(), 3, "{list:?}");
    for (v, (id, name, peers)) in list.iter().zip(&before) {
        assert_eq!(v["id"].as_str(), Some(id.as_str()), "{v}");
        assert_eq!(v["name"].as_str(), Some(name.as_str()), "{v}");
        assert_eq!(&strs(&v["peerURLs"]), peers, "{v}");
        let m = cluster.members.iter().find(|m| &m.name == name).unwrap();
        assert_eq!(strs(&v["clientURLs"]), vec![m.client_url()], "{v}");
        assert!(v["isLeader"].is_boolean(), "{v}");
    }
    assert_eq!(list.iter().filter(|v| v["isLeader"] == true).count(), 1, "exactly one leader: {list:?}");
    let (st, leader) = common::Http::new(&ep).get("/v2/members/leader").unwrap();
    assert_eq!(st, 200);
    assert!(
        list.iter().any(|v| v["isLeader"] == true && v["id"] == leader["id"]),
        "leader {leader} vs {list:?}"
    );

    // member add
    let add = json_lines(&kv(&["member", "add", "m4", &peer4]));
    assert_eq!(add.len(), 1, "{add:?}");
    let a = &add[0];
    let new_id = a["id"].as_str().unwrap_or_else(|| panic!("no id: {a}")).to_string();
    assert!(!new_id.is_empty() && u64::from_str_radix(&new_id, 16).is_ok(), "{a}");
    assert_eq!(a["name"], "m4", "{a}");
    assert_eq!(strs(&a["peerURLs"]), vec![peer4.clone()], "{a}");
    assert_eq!(a["ETCD_NAME"], "m4", "{a}");
    assert_eq!(a["ETCD_INITIAL_CLUSTER_STATE"], "existing", "{a}");
    let mut conf: Vec<String> =
        a["ETCD_INITIAL_CLUSTER"].as_str().unwrap().split(',').map(str::to_string).collect();
    conf.sort();
    let mut want: Vec<String> =
        cluster.members.iter().map(|m| format!("{}={}", m.name, m.peer_url())).collect();
    want.push(format!("m4={peer4}"));
    want.sort();
    assert_eq!(conf, want, "{a}");
    let ms = cluster.members();
    assert!(ms.iter().any(|m| m.0 == new_id && m.1.is_empty() && m.2 == vec![peer4.clone()]), "{ms:?}");

    // member list shows it unstarted: empty name, no client URLs, not the leader
    let list = json_lines(&kv(&["member", "list"]));
    assert_eq!(list.len(), 4, "{list:?}");
    let u = list
        .iter()
        .find(|v| v["id"] == new_id.as_str())
        .unwrap_or_else(|| panic!("{new_id} not listed: {list:?}"));
    assert_eq!((&u["name"], &u["isLeader"]), (&Value::from(""), &Value::from(false)), "{u}");
    assert_eq!(u["clientURLs"], serde_json::json!([]), "{u}");
    assert_eq!(strs(&u["peerURLs"]), vec![peer4.clone()], "{u}");

    // cluster-health with the unstarted member: JSON lines, exit 5
    let h = kv(&["cluster-health"]);
    assert_eq!(h.code, Some(5), "{}: {} {}", h.what, h.stdout, h.stderr);
    let hl: Vec<Value> =
        h.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    assert_eq!(hl.last().unwrap(), &serde_json::json!({"cluster": "degraded"}), "{}", h.stdout);
    assert!(hl.iter().any(|v| v["id"] == new_id.as_str()), "unstarted member missing from {}", h.stdout);

    // member update
    let up = json_lines(&kv(&["member", "update", &new_id, &peer5]));
    assert_eq!(up, vec![serde_json::json!({"updated": new_id, "peerURLs": [peer5]})]);
    assert!(
        cluster.members().iter().any(|m| m.0 == new_id && m.2 == vec![peer5.clone()]),
        "update did not happen"
    );

    // member remove
    let rm = json_lines(&kv(&["member", "remove", &new_id]));
    assert_eq!(rm, vec![serde_json::json!({"removed": new_id})]);
    cluster.assert_three_members("after kv -o json member remove");

    // cluster-health, all healthy
    let h = json_lines(&kv(&["cluster-health"]));
    assert_eq!(h.len(), 4, "{h:?}");
    for v in &h[..3] {
        assert_eq!(v["health"], "healthy", "{v}");
        assert!(v["id"].is_string() && v["name"].is_string() && v["url"].is_string(), "{v}");
    }
    assert_eq!(h[3], serde_json::json!({"cluster": "healthy"}));

    // errors under -o json: the message on stderr, nothing on stdout, exit 1
    for (args, msg) in [
        (
            vec!["member", "remove", new_id.as_str()],
            format!("Couldn't find a member in the cluster with an ID of {new_id}."),
        ),
        (
            vec!["member", "add", "m5", "notaurl"],
            "URL scheme must be http, https, unix, or unixs: notaurl".to_string(),
        ),
        (vec!["member", "update", "deadbeef", peer5.as_str()], "No such member: deadbeef".to_string()),
    ] {
        let o = kv(&args);
        assert_eq!(o.code, Some(1), "{}: {} {}", o.what, o.stdout, o.stderr);
        assert_eq!(o.stdout, "", "{}", o.what);
        assert!(o.stderr.contains(&msg), "{}: stderr {:?} lacks {msg:?}", o.what, o.stderr);
    }
    cluster.assert_three_members("at the end");
}
