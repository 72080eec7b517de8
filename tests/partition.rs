//! A real minority partition (issue 4). Three kv-serve members, each in a network namespace of
//! its own, joined through a bridge that lives in a fourth namespace (the "switch"). Cutting a
//! member off is `ip link set <switch-side veth> down` in the switch namespace: the member's
//! only link goes down, so traffic stops in both directions (no one-sided firewall rule).
//!
//! Layout, for test pid P and k = P % 250 + 1:
//!   ckP-sw            bridge br0 (no address), ports p1 p2 p3
//!   ckP-n1..ckP-n3    lo up, eth0 = 10.213.k.{11,12,13}/24, peer of p1..p3
//! Nothing is created in the root namespace (so its firewall, e.g. Docker's FORWARD policy with
//! br_netfilter, is not involved), and deleting the four namespaces removes every veth and the
//! bridge. The test talks to a member from inside that member's namespace (a thread that
//! `setns`es into it), so an isolated member can still be asked for writes and quorum reads.
//!
//! Requires root and iproute2's `ip netns`; it fails (does not skip) when they are missing.

mod common;

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::Value;

/// Raft timings the members run with: request timeout = 5 s + 2 × election = 6 s.
const ELECTION_MS: u64 = 500;
const HEARTBEAT_MS: u64 = 50;
fn request_timeout() -> Duration {
    Duration::from_secs(5) + 2 * Duration::from_millis(ELECTION_MS)
}

// ------------------------------------------------------------------------------ ip(8)

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip {}` (iproute2 is required): {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "`ip {}` failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn netns_list() -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().expect("run `ip netns list`");
    assert!(out.status.success(), "`ip netns list` failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The pid in a namespace name this test makes (`ck<pid>-n1..3`, `ck<pid>-sw`), else None.
fn our_ns_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("ck")?;
    let (pid, suffix) = rest.split_once('-')?;
    if !matches!(suffix, "n1" | "n2" | "n3" | "sw") || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Delete namespaces left by earlier runs of this test whose process is gone.
fn clean_stale() {
    for name in netns_list() {
        if let Some(pid) = our_ns_pid(&name)
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            eprintln!("partition: deleting stale namespace {name}");
            let _ = Command::new("ip").args(["netns", "del", &name]).status();
        }
    }
}

/// Run `f` on a thread that has joined network namespace `ns`: sockets it opens live there.
fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    let h = thread::spawn(move || {
        let fd = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
        let rc = unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns({path}): {}", std::io::Error::last_os_error());
        f()
    });
    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

// ------------------------------------------------------------------------------ HTTP

#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: Value,
    index: Option<u64>,
}

/// One request to `url` from inside `ns`: Ok(answer) or Err(transport error).
fn call(ns: &str, method: &'static str, url: String, form: Vec<(String, String)>, timeout: Duration) -> Result<Answer, String> {
    in_ns(ns, move || {
        let agent = common::agent(timeout);
        let r = match method {
            "GET" => agent.get(&url).call(),
            "PUT" => agent.put(&url).send_form(form.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
            _ => unreachable!(),
        };
        let mut resp = r.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let index = resp
            .headers()
            .get("X-Etcd-Index")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let text = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok(Answer { status, body, index })
    })
}

// ------------------------------------------------------------------------------ the cluster

struct NsMember {
    name: String,
    ns: String,
    ip: String,
    switch_port: String,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// Namespaces, links and members; Drop kills the members and deletes the namespaces
/// (which takes the veths and the bridge with them), also when the test panics.
struct NsCluster {
    sw: String,
    members: Vec<NsMember>,
    namespaces: Vec<String>,
}

impl NsCluster {
    fn start() -> NsCluster {
        clean_stale();
        let pid = std::process::id();
        let k = pid % 250 + 1;
        let sw = format!("ck{pid}-sw");
        let mut c = NsCluster { sw: sw.clone(), members: Vec::new(), namespaces: Vec::new() };
        // Register each namespace before creating it, so a failure half-way still cleans up.
        c.namespaces.push(sw.clone());
        ip(&["netns", "add", &sw]);
        ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &sw, "link", "set", "br0", "up"]);
        for i in 1..=3 {
            let ns = format!("ck{pid}-n{i}");
            let port = format!("p{i}");
            let addr = format!("10.213.{k}.1{i}");
            c.namespaces.push(ns.clone());
            ip(&["netns", "add", &ns]);
            ip(&["-n", &sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &ns]);
            ip(&["-n", &sw, "link", "set", &port, "master", "br0"]);
            ip(&["-n", &sw, "link", "set", &port, "up"]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            ip(&["-n", &ns, "addr", "add", &format!("{addr}/24"), "dev", "eth0"]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            c.members.push(NsMember {
                name: format!("n{i}"),
                ns,
                ip: addr,
                switch_port: port,
                dir: tempfile::Builder::new().prefix("corekit-partition-").tempdir().unwrap(),
                child: None,
            });
        }
        let initial = c
            .members
            .iter()
            .map(|m| format!("{}=http://{}:2380", m.name, m.ip))
            .collect::<Vec<_>>()
            .join(",");
        let token = format!("partition-{pid}");
        for i in 0..3 {
            c.spawn(i, &initial, &token);
        }
        for i in 0..3 {
            c.wait_healthy(i);
        }
        c
    }

    fn spawn(&mut self, i: usize, initial: &str, token: &str) {
        let m = &self.members[i];
        let client = format!("http://{}:2379", m.ip);
        let peer = format!("http://{}:2380", m.ip);
        let log = std::fs::OpenOptions::new().create(true).append(true).open(m.dir.path().join("log")).unwrap();
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &m.ns, common::KV_SERVE])
            .args(["--name", &m.name])
            .arg("--data-dir")
            .arg(m.dir.path().join("data"))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", initial, "--initial-cluster-token", token])
            .args(["--election-timeout", &ELECTION_MS.to_string(), "--heartbeat-interval", &HEARTBEAT_MS.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("ETCD_") {
                cmd.env_remove(k);
            }
        }
        // `ip netns exec` execs kv-serve in place: the child pid is the member, and it dies
        // with the test process.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        self.members[i].child = Some(cmd.spawn().expect("spawn `ip netns exec ... kv-serve`"));
    }

    fn url(&self, i: usize, path: &str) -> String {
        format!("http://{}:2379{}", self.members[i].ip, path)
    }

    fn get(&self, i: usize, path: &str, timeout: Duration) -> Result<Answer, String> {
        call(&self.members[i].ns, "GET", self.url(i, path), Vec::new(), timeout)
    }

    fn put(&self, i: usize, key: &str, value: &str, timeout: Duration) -> Result<Answer, String> {
        let form = vec![("value".to_string(), value.to_string())];
        call(&self.members[i].ns, "PUT", self.url(i, &format!("/v2/keys{key}")), form, timeout)
    }

    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.members[i].dir.path().join("log")).unwrap_or_default()
    }

    fn wait_healthy(&mut self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(c) = self.members[i].child.as_mut()
                && let Ok(Some(st)) = c.try_wait()
            {
                panic!("{} exited with {st}; log:\n{}", self.members[i].name, self.log(i));
            }
            if let Ok(a) = self.get(i, "/health", Duration::from_secs(1))
                && a.status == 200
                && a.body["health"] == "true"
            {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("{} not healthy within 20 s; log:\n{}", self.members[i].name, self.log(i));
    }

    fn state(&self, i: usize) -> Option<String> {
        let a = self.get(i, "/v2/stats/self", Duration::from_secs(2)).ok()?;
        a.body["state"].as_str().map(str::to_string)
    }

    /// The one member among `among` that says it is the leader, waiting up to 20 s.
    fn leader_among(&self, among: &[usize]) -> usize {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let leaders: Vec<usize> = among.iter().copied().filter(|&i| self.state(i).as_deref() == Some("StateLeader")).collect();
            if leaders.len() == 1 {
                return leaders[0];
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("no single leader among {among:?} within 20 s");
    }

    fn cut(&self, i: usize) {
        eprintln!("partition: cutting {} off ({} down in {})", self.members[i].name, self.members[i].switch_port, self.sw);
        ip(&["-n", &self.sw, "link", "set", &self.members[i].switch_port, "down"]);
    }

    fn heal(&self, i: usize) {
        eprintln!("partition: healing {}", self.members[i].name);
        ip(&["-n", &self.sw, "link", "set", &self.members[i].switch_port, "up"]);
    }

    /// Whether member `a` can open a TCP connection to member `b`'s peer port.
    fn can_connect(&self, a: usize, b: usize) -> bool {
        let target: std::net::SocketAddr = format!("{}:2380", self.members[b].ip).parse().unwrap();
        in_ns(&self.members[a].ns, move || std::net::TcpStream::connect_timeout(&target, Duration::from_millis(500)).is_ok())
    }

    /// After healing: every member answers the same recursive listing, first with
    /// `quorum=true`, then with a plain read, and reports the same store index.
    fn assert_converged(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = String::new();
        while Instant::now() < deadline {
            match self.converged() {
                Ok(()) => return,
                Err(e) => last = e,
            }
            thread::sleep(Duration::from_millis(200));
        }
        panic!("members did not converge within 30 s: {last}");
    }

    fn converged(&self) -> Result<(), String> {
        let t = Duration::from_secs(10);
        let list = "/v2/keys/?recursive=true&sorted=true";
        let mut quorum = Vec::new();
        for i in 0..3 {
            let a = self.get(i, &format!("{list}&quorum=true"), t).map_err(|e| format!("n{}: quorum read: {e}", i + 1))?;
            if a.status != 200 {
                return Err(format!("n{}: quorum read: HTTP {} {}", i + 1, a.status, a.body));
            }
            quorum.push(a);
        }
        for i in 1..3 {
            if quorum[i].body != quorum[0].body {
                return Err(format!("quorum listings differ:\n n1: {}\n n{}: {}", quorum[0].body, i + 1, quorum[i].body));
            }
        }
        let mut plain = Vec::new();
        for i in 0..3 {
            let a = self.get(i, list, t).map_err(|e| format!("n{}: plain read: {e}", i + 1))?;
            if a.status != 200 {
                return Err(format!("n{}: plain read: HTTP {} {}", i + 1, a.status, a.body));
            }
            if a.body != quorum[0].body {
                return Err(format!("n{}: plain listing differs from the quorum one:\n {}\n {}", i + 1, a.body, quorum[0].body));
            }
            plain.push(a);
        }
        let idx: Vec<Option<u64>> = plain.iter().map(|a| a.index).collect();
        if idx[0].is_none() || idx.iter().any(|x| *x != idx[0]) {
            return Err(format!("store indexes (X-Etcd-Index) differ: {idx:?}"));
        }
        Ok(())
    }
}

impl Drop for NsCluster {
    fn drop(&mut self) {
        for m in &mut self.members {
            if let Some(mut c) = m.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if thread::panicking() {
            for i in 0..self.members.len() {
                eprintln!("--- {} log ---\n{}", self.members[i].name, self.log(i));
            }
        }
        for ns in self.namespaces.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", ns]).stderr(Stdio::null()).status();
        }
    }
}

// ------------------------------------------------------------------------------ the test

/// On the isolated member `iso`, a write and a quorum read (sent at the same time) both fail
/// with an etcd error (5xx + errorCode) within the request timeout.
fn assert_minority_refuses(c: &NsCluster, iso: usize, tag: &str) {
    let client_timeout = request_timeout() + Duration::from_secs(10);
    let limit = request_timeout() + Duration::from_secs(3);
    let (ns, put_url, get_url) = (
        c.members[iso].ns.clone(),
        c.url(iso, &format!("/v2/keys/minority/{tag}")),
        c.url(iso, "/v2/keys/data/0?quorum=true"),
    );
    let ns2 = ns.clone();
    let t0 = Instant::now();
    let w = thread::spawn(move || {
        let r = call(&ns, "PUT", put_url, vec![("value".into(), "must-not-commit".into())], client_timeout);
        (r, t0.elapsed())
    });
    let r = thread::spawn(move || {
        let r = call(&ns2, "GET", get_url, Vec::new(), client_timeout);
        (r, t0.elapsed())
    });
    for (what, (res, took)) in [("PUT", w.join().unwrap()), ("GET ?quorum=true", r.join().unwrap())] {
        let a = res.unwrap_or_else(|e| panic!("{what} on isolated n{}: transport error instead of an etcd error: {e}", iso + 1));
        eprintln!("partition: {what} on isolated n{} -> HTTP {} {} after {took:?}", iso + 1, a.status, a.body);
        assert!(
            a.status >= 500 && a.body["errorCode"].is_u64() && a.body["message"].is_string(),
            "{what} on isolated n{}: expected an etcd error (5xx + errorCode), got HTTP {} {}",
            iso + 1,
            a.status,
            a.body
        );
        assert!(took <= limit, "{what} on isolated n{} took {took:?} (request timeout {:?})", iso + 1, request_timeout());
    }
}

/// The two members in `majority` keep taking writes and serving quorum reads.
fn assert_majority_serves(c: &NsCluster, majority: &[usize], tag: &str) {
    let t = Duration::from_secs(10);
    for n in 0..5 {
        for &i in majority {
            let key = format!("/data/{tag}-{n}-via-n{}", i + 1);
            // The first writes after the leader is cut off may wait for the new election.
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let a = c.put(i, &key, &format!("{tag}{n}"), t);
                match a {
                    Ok(a) if a.status == 200 || a.status == 201 => break,
                    other => {
                        assert!(Instant::now() < deadline, "majority n{}: PUT {key} kept failing: {other:?}", i + 1);
                        eprintln!("partition: majority n{}: PUT {key}: {other:?}; retrying", i + 1);
                        thread::sleep(Duration::from_millis(200));
                    }
                }
            }
            for &j in majority {
                let a = c.get(j, &format!("/v2/keys{key}?quorum=true"), t).expect("majority quorum read");
                assert_eq!(
                    (a.status, a.body["node"]["value"].as_str()),
                    (200, Some(format!("{tag}{n}").as_str())),
                    "quorum read of {key} on majority n{}: {}",
                    j + 1,
                    a.body
                );
            }
        }
    }
}

#[test]
fn minority_partition_refuses_majority_serves_then_converges() {
    let c = NsCluster::start();
    let t = Duration::from_secs(10);
    for n in 0..10 {
        let a = c.put(n % 3, &format!("/data/{n}"), &format!("v{n}"), t).expect("initial write");
        assert!(a.status == 200 || a.status == 201, "initial write: {a:?}");
    }
    c.assert_converged();

    for phase in ["follower", "leader"] {
        let leader = c.leader_among(&[0, 1, 2]);
        let iso = if phase == "leader" { leader } else { (leader + 1) % 3 };
        let majority: Vec<usize> = (0..3).filter(|&i| i != iso).collect();
        eprintln!("partition: phase {phase}: leader n{}, isolating n{}", leader + 1, iso + 1);

        c.cut(iso);
        // The cut is real in both directions, and the majority still reach each other.
        for &j in &majority {
            assert!(!c.can_connect(iso, j), "n{} still reaches n{} after the cut", iso + 1, j + 1);
            assert!(!c.can_connect(j, iso), "n{} still reaches n{} after the cut", j + 1, iso + 1);
        }
        assert!(c.can_connect(majority[0], majority[1]), "the majority cannot reach each other");

        // Minority requests and majority traffic at the same time.
        let (mj, tag) = (majority.clone(), phase.to_string());
        let c_ref: &NsCluster = &c;
        thread::scope(|s| {
            let h = s.spawn(|| assert_majority_serves(c_ref, &mj, &tag));
            assert_minority_refuses(c_ref, iso, phase);
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        });
        if phase == "leader" {
            let new = c.leader_among(&majority);
            eprintln!("partition: new leader n{}", new + 1);
        }
        // Still refused after the majority moved on (the isolated member is behind now).
        let a = c.put(iso, &format!("/minority/{phase}-late"), "must-not-commit", request_timeout() + Duration::from_secs(10)).expect("late PUT");
        assert!(a.status >= 500 && a.body["errorCode"].is_u64(), "late PUT on isolated n{}: HTTP {} {}", iso + 1, a.status, a.body);

        c.heal(iso);
        c.assert_converged();
        // A write refused by the minority must not have been applied behind the client's back
        // in the meantime... except that etcd's timeout error means "outcome unknown", so
        // only report it.
        for key in [format!("/minority/{phase}"), format!("/minority/{phase}-late")] {
            let a = c.get(0, &format!("/v2/keys{key}?quorum=true"), t).expect("read minority key");
            if a.status != 404 {
                eprintln!("partition: NOTE: {key}, refused on the isolated member, is present after healing: {}", a.body);
            }
        }
        // And the healed cluster takes writes through every member.
        for i in 0..3 {
            let a = c.put(i, &format!("/data/healed-{phase}-n{}", i + 1), "ok", t).expect("write after heal");
            assert!(a.status == 200 || a.status == 201, "write after heal via n{}: {a:?}", i + 1);
        }
        c.assert_converged();
    }
}

#[test]
fn stale_name_parsing() {
    assert_eq!(our_ns_pid("ck123-n1"), Some(123));
    assert_eq!(our_ns_pid("ck123-sw"), Some(123));
    assert_eq!(our_ns_pid("ck123-n4"), None);
    assert_eq!(our_ns_pid("ckx-n1"), None);
    assert_eq!(our_ns_pid("ck-n1"), None);
    assert_eq!(our_ns_pid("docker-ns"), None);
}
