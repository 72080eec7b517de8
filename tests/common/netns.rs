//! A kv-serve cluster in Linux network namespaces, for tests that cut links (issue 4).
//! Three members, each in a network namespace of its own, joined through a bridge that lives
//! in a fourth namespace (the "switch"). Cutting a member off is `ip link set <switch-side
//! veth> down` in the switch namespace: the member's only link goes down, so traffic stops in
//! both directions (no one-sided firewall rule).
//!
//! Layout, for test pid P and k = P % 250 + 1:
//!   ckP-sw            bridge br0 (no address), ports p1 p2 p3
//!   ckP-n1..ckP-n3    lo up, eth0 = 10.213.k.{11,12,13}/24, peer of p1..p3
//! Nothing is created in the root namespace (so its firewall, e.g. Docker's FORWARD policy with
//! br_netfilter, is not involved), and deleting the four namespaces removes every veth and the
//! bridge. Tests talk to a member from inside that member's namespace (a thread that `setns`es
//! into it), so an isolated member can still be asked for writes and quorum reads.
//!
//! Requires root and iproute2's `ip netns`; `NsCluster::start` fails (does not skip) when they
//! are missing.
#![allow(dead_code)]

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::Value;

/// Raft timings the members run with: request timeout = 5 s + 2 × election = 6 s.
pub const ELECTION_MS: u64 = 500;
pub const HEARTBEAT_MS: u64 = 50;
pub fn request_timeout() -> Duration {
    Duration::from_secs(5) + 2 * Duration::from_millis(ELECTION_MS)
}

// ------------------------------------------------------------------------------ ip(8)

pub fn ip(args: &[&str]) {
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

pub fn netns_list() -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().expect("run `ip netns list`");
    assert!(out.status.success(), "`ip netns list` failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The pid in a namespace name this test makes (`ck<pid>-n1..3`, `ck<pid>-sw`), else None.
pub fn our_ns_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("ck")?;
    let (pid, suffix) = rest.split_once('-')?;
    if !matches!(suffix, "n1" | "n2" | "n3" | "sw")
        || pid.is_empty()
        || !pid.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    pid.parse().ok()
}

/// Delete namespaces left by earlier runs of this test whose process is gone.
pub fn clean_stale() {
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
pub fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
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
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub index: Option<u64>,
}

/// One request to `url` from inside `ns`: Ok(answer) or Err(transport error).
pub fn call(
    ns: &str,
    method: &'static str,
    url: String,
    form: Vec<(String, String)>,
    timeout: Duration,
) -> Result<Answer, String> {
    in_ns(ns, move || {
        let agent = super::agent(timeout);
        let r = match method {
            "GET" => agent.get(&url).call(),
            "PUT" => agent.put(&url).send_form(form.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
            _ => unreachable!(),
        };
        let mut resp = r.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let index =
            resp.headers().get("X-Etcd-Index").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let text = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Answer { status, body, index })
    })
}

// ------------------------------------------------------------------------------ the cluster

/// A member's namespace and address: requests go out from inside that namespace.
#[derive(Clone, Debug)]
pub struct NsEndpoint {
    pub ns: String,
    pub ip: String,
}

impl NsEndpoint {
    pub fn base(&self) -> String {
        format!("http://{}:2379", self.ip)
    }
    /// GET `/v2/keys{key}` (key may carry a query string).
    pub fn get_key(&self, key: &str, timeout: Duration) -> Result<Answer, String> {
        call(&self.ns, "GET", format!("{}/v2/keys{key}", self.base()), Vec::new(), timeout)
    }
    /// PUT `/v2/keys{key}` with form fields.
    pub fn put_form(&self, key: &str, form: &[(&str, &str)], timeout: Duration) -> Result<Answer, String> {
        let form = form.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        call(&self.ns, "PUT", format!("{}/v2/keys{key}", self.base()), form, timeout)
    }
}

pub struct NsMember {
    pub name: String,
    pub ns: String,
    pub ip: String,
    pub switch_port: String,
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
}

/// Namespaces, links and members; Drop kills the members and deletes the namespaces
/// (which takes the veths and the bridge with them), also when the test panics.
pub struct NsCluster {
    pub sw: String,
    pub members: Vec<NsMember>,
    pub namespaces: Vec<String>,
    /// `--initial-cluster` and `--initial-cluster-token`, kept for restarts.
    pub initial: String,
    pub token: String,
}

impl NsCluster {
    pub fn start() -> NsCluster {
        clean_stale();
        let pid = std::process::id();
        let k = pid % 250 + 1;
        let sw = format!("ck{pid}-sw");
        let mut c = NsCluster {
            sw: sw.clone(),
            members: Vec::new(),
            namespaces: Vec::new(),
            initial: String::new(),
            token: format!("partition-{pid}"),
        };
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
        c.initial = initial.clone();
        let token = c.token.clone();
        for i in 0..3 {
            c.spawn(i, &initial, &token);
        }
        for i in 0..3 {
            c.wait_healthy(i);
        }
        c
    }

    pub fn spawn(&mut self, i: usize, initial: &str, token: &str) {
        let m = &self.members[i];
        let client = format!("http://{}:2379", m.ip);
        let peer = format!("http://{}:2380", m.ip);
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(m.dir.path().join("log")).unwrap();
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &m.ns, super::KV_SERVE])
            .args(["--name", &m.name])
            .arg("--data-dir")
            .arg(m.dir.path().join("data"))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", initial, "--initial-cluster-token", token])
            .args([
                "--election-timeout",
                &ELECTION_MS.to_string(),
                "--heartbeat-interval",
                &HEARTBEAT_MS.to_string(),
            ])
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

    /// SIGKILL member `i` and reap it.
    pub fn kill9(&mut self, i: usize) {
        let mut c = self.members[i]
            .child
            .take()
            .unwrap_or_else(|| panic!("kill9: {} is not running", self.members[i].name));
        let _ = c.kill();
        let _ = c.wait();
    }

    /// Start member `i` again on its data dir and wait until it is healthy. Call it from the
    /// thread that started the cluster (PR_SET_PDEATHSIG fires when the spawning thread exits).
    pub fn restart(&mut self, i: usize) {
        assert!(self.members[i].child.is_none(), "restart: {} is still running", self.members[i].name);
        let (initial, token) = (self.initial.clone(), self.token.clone());
        self.spawn(i, &initial, &token);
        self.wait_healthy(i);
    }

    /// Where to reach each member from inside its namespace; cheap to clone and share with
    /// client threads while the cluster itself is mutated (kill/restart).
    pub fn endpoints(&self) -> Vec<NsEndpoint> {
        self.members.iter().map(|m| NsEndpoint { ns: m.ns.clone(), ip: m.ip.clone() }).collect()
    }

    pub fn url(&self, i: usize, path: &str) -> String {
        format!("http://{}:2379{}", self.members[i].ip, path)
    }

    pub fn get(&self, i: usize, path: &str, timeout: Duration) -> Result<Answer, String> {
        call(&self.members[i].ns, "GET", self.url(i, path), Vec::new(), timeout)
    }

    pub fn put(&self, i: usize, key: &str, value: &str, timeout: Duration) -> Result<Answer, String> {
        let form = vec![("value".to_string(), value.to_string())];
        call(&self.members[i].ns, "PUT", self.url(i, &format!("/v2/keys{key}")), form, timeout)
    }

    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.members[i].dir.path().join("log")).unwrap_or_default()
    }

    pub fn wait_healthy(&mut self, i: usize) {
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

    pub fn state(&self, i: usize) -> Option<String> {
        let a = self.get(i, "/v2/stats/self", Duration::from_secs(2)).ok()?;
        a.body["state"].as_str().map(str::to_string)
    }

    /// The one member among `among` that says it is the leader, waiting up to 20 s.
    pub fn leader_among(&self, among: &[usize]) -> usize {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let leaders: Vec<usize> =
                among.iter().copied().filter(|&i| self.state(i).as_deref() == Some("StateLeader")).collect();
            if leaders.len() == 1 {
                return leaders[0];
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("no single leader among {among:?} within 20 s");
    }

    pub fn cut(&self, i: usize) {
        eprintln!(
            "partition: cutting {} off ({} down in {})",
            self.members[i].name, self.members[i].switch_port, self.sw
        );
        ip(&["-n", &self.sw, "link", "set", &self.members[i].switch_port, "down"]);
    }

    pub fn heal(&self, i: usize) {
        eprintln!("partition: healing {}", self.members[i].name);
        ip(&["-n", &self.sw, "link", "set", &self.members[i].switch_port, "up"]);
    }

    /// Whether member `a` can open a TCP connection to member `b`'s peer port.
    pub fn can_connect(&self, a: usize, b: usize) -> bool {
        let target: std::net::SocketAddr = format!("{}:2380", self.members[b].ip).parse().unwrap();
        in_ns(&self.members[a].ns, move || {
            std::net::TcpStream::connect_timeout(&target, Duration::from_millis(500)).is_ok()
        })
    }

    /// After healing: every member answers the same recursive listing, first with
    /// `quorum=true`, then with a plain read, and reports the same store index.
    pub fn assert_converged(&self) {
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

    pub fn converged(&self) -> Result<(), String> {
        let t = Duration::from_secs(10);
        let list = "/v2/keys/?recursive=true&sorted=true";
        let mut quorum = Vec::new();
        for i in 0..3 {
            let a = self
                .get(i, &format!("{list}&quorum=true"), t)
                .map_err(|e| format!("n{}: quorum read: {e}", i + 1))?;
            if a.status != 200 {
                return Err(format!("n{}: quorum read: HTTP {} {}", i + 1, a.status, a.body));
            }
            quorum.push(a);
        }
        for i in 1..3 {
            if quorum[i].body != quorum[0].body {
                return Err(format!(
                    "quorum listings differ:\n n1: {}\n n{}: {}",
                    quorum[0].body,
                    i + 1,
                    quorum[i].body
                ));
            }
        }
        let mut plain = Vec::new();
        for i in 0..3 {
            let a = self.get(i, list, t).map_err(|e| format!("n{}: plain read: {e}", i + 1))?;
            if a.status != 200 {
                return Err(format!("n{}: plain read: HTTP {} {}", i + 1, a.status, a.body));
            }
            if a.body != quorum[0].body {
                return Err(format!(
                    "n{}: plain listing differs from the quorum one:\n {}\n {}",
                    i + 1,
                    a.body,
                    quorum[0].body
                ));
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
