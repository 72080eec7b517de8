//! Test harness shared by the integration tests: start a `kv-serve` member on a loopback
//! address of its own, kill it with SIGKILL, restart it on the same data dir, stop it with
//! SIGTERM, and talk to it over HTTP.
//!
//! The same harness can start the real etcd 3.4 (`etcd --enable-v2=true`, from Debian's
//! `etcd-server`) with the same flags, as the reference implementation: set
//! `COREKIT_TEST_SERVER=etcd` to run a whole test file against etcd instead of kv-serve, or
//! use `Member::builder().server(Server::Etcd)` in a test.
//!
//! Each member gets 127.0.0.X (X in 2..=250, from a per-process counter mixed with the pid) and
//! the usual ports 2379/2380 when they are free on that address, else free ports from the
//! kernel. Its data dir and log live in a temp dir (or a dir the test gives, for restarts);
//! the log holds the server's stdout and stderr and is printed when a test panics.
#![allow(dead_code)]

pub mod agent;
pub mod certs;
pub mod cluster;
pub mod disco;
pub mod netns;
pub mod sched;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub use serde_json::Value;

/// The kv-serve binary cargo built for this test run.
pub const KV_SERVE: &str = env!("CARGO_BIN_EXE_kv-serve");

/// How long a member may take to report `{"health":"true"}` after it is spawned.
/// `COREKIT_TEST_START_TIMEOUT` (seconds) overrides it.
pub fn start_timeout() -> Duration {
    std::env::var("COREKIT_TEST_START_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(10))
}

/// How long `stop()` waits after SIGTERM before it gives up (and SIGKILLs).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// corekit's `kv-serve` (the binary under test).
    KvServe,
    /// The real etcd 3.4 with the v2 API enabled: the reference behaviour.
    Etcd,
}

impl Server {
    /// `COREKIT_TEST_SERVER=etcd` selects the real etcd; unset or `kv-serve` selects kv-serve.
    pub fn from_env() -> Server {
        match std::env::var("COREKIT_TEST_SERVER").as_deref() {
            Err(_) | Ok("") | Ok("kv-serve") => Server::KvServe,
            Ok("etcd") => Server::Etcd,
            Ok(other) => panic!("COREKIT_TEST_SERVER={other:?}: expected `kv-serve` or `etcd`"),
        }
    }

    fn program(self) -> String {
        match self {
            Server::KvServe => KV_SERVE.to_string(),
            Server::Etcd => std::env::var("COREKIT_ETCD").unwrap_or_else(|_| "etcd".to_string()),
        }
    }
}

// ------------------------------------------------------------------------------ addresses

static NEXT_ADDR: AtomicU32 = AtomicU32::new(0);

/// A loopback address 127.0.0.X, X in 2..=250, distinct for the first 249 calls in one
/// process (7 is coprime with 249) and spread across processes by the pid.
pub fn pick_ip() -> Ipv4Addr {
    let n = NEXT_ADDR.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    let x = 2 + (pid.wrapping_mul(31).wrapping_add(n.wrapping_mul(7))) % 249;
    Ipv4Addr::new(127, 0, 0, x as u8)
}

/// Client and peer ports on `ip`: 2379/2380 when both are free there, else two free ports
/// the kernel picks.
pub fn pick_ports(ip: Ipv4Addr) -> (u16, u16) {
    if let (Ok(_a), Ok(_b)) = (TcpListener::bind((ip, 2379)), TcpListener::bind((ip, 2380))) {
        return (2379, 2380);
    }
    let a = TcpListener::bind((ip, 0)).expect("bind a free client port");
    let b = TcpListener::bind((ip, 0)).expect("bind a free peer port");
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}

// ------------------------------------------------------------------------------ member

const ADDR_FILE: &str = "member.addr";

fn read_addr_file(dir: &Path) -> Option<(Ipv4Addr, u16, u16)> {
    let s = std::fs::read_to_string(dir.join(ADDR_FILE)).ok()?;
    let mut it = s.split_whitespace();
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// How to start a member. `Member::builder()...start()`.
#[derive(Clone, Debug)]
pub struct MemberBuilder {
    server: Server,
    name: String,
    dir: Option<PathBuf>,
    snapshot_count: Option<u64>,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    timeout: Duration,
}

impl MemberBuilder {
    pub fn server(mut self, s: Server) -> Self {
        self.server = s;
        self
    }
    pub fn name(mut self, n: &str) -> Self {
        self.name = n.to_string();
        self
    }
    /// Keep data dir and log under `dir` (created if missing) instead of a temp dir.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }
    pub fn snapshot_count(mut self, n: u64) -> Self {
        self.snapshot_count = Some(n);
        self
    }
    /// Extra command-line arguments, appended after the standard ones.
    pub fn arg(mut self, a: &str) -> Self {
        self.args.push(a.to_string());
        self
    }
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.envs.push((k.to_string(), v.to_string()));
        self
    }
    pub fn start_timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Spawn the member and wait until `/health` says `"true"`. A fresh member whose
    /// address was taken in the meantime (another test process) retries on another address.
    pub fn start(self) -> Member {
        let (tmp, dir) = match &self.dir {
            Some(d) => {
                std::fs::create_dir_all(d).expect("create member dir");
                (None, d.clone())
            }
            None => {
                let t =
                    tempfile::Builder::new().prefix("corekit-member-").tempdir().expect("create temp dir");
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A dir that already held a member keeps that member's address and ports
            // (its peer URL is part of its stored membership).
            let (ip, client_port, peer_port) = match read_addr_file(&dir) {
                Some(a) if dir.join("data").exists() => a,
                _ => {
                    let ip = pick_ip();
                    let (c, p) = pick_ports(ip);
                    (ip, c, p)
                }
            };
            let mut m = Member {
                server: self.server,
                name: self.name.clone(),
                ip,
                client_port,
                peer_port,
                log_path: dir.join("member.log"),
                data_dir: dir.join("data"),
                dir: dir.clone(),
                _tmp: None,
                child: None,
                snapshot_count: self.snapshot_count,
                args: self.args.clone(),
                envs: self.envs.clone(),
                timeout: self.timeout,
            };
            let fresh = !m.data_dir.exists();
            match m.spawn_and_wait() {
                Ok(()) => {
                    let _ = std::fs::write(
                        dir.join(ADDR_FILE),
                        format!("{} {} {}\n", m.ip, m.client_port, m.peer_port),
                    );
                    m._tmp = tmp;
                    return m;
                }
                Err(e) => {
                    let tail = m.log_tail(40);
                    let lower = tail.to_ascii_lowercase();
                    let in_use = lower.contains("address already in use") || lower.contains("addrinuse");
                    m.kill_quietly();
                    if fresh && in_use && attempt < 4 {
                        eprintln!("harness: {ip} busy ({e}); retrying on another address");
                        let _ = std::fs::remove_dir_all(&m.data_dir);
                        let _ = std::fs::remove_file(&m.log_path);
                        continue;
                    }
                    // Keep the dir (data + full log) for a post-mortem.
                    if let Some(t) = tmp {
                        let _ = t.keep();
                    }
                    let (describe, log) = (m.describe(), m.log_path.display().to_string());
                    std::mem::forget(m); // already killed; don't print the tail twice
                    panic!("{describe} failed to start: {e}\n--- last lines of {log} ---\n{tail}");
                }
            }
        }
    }
}

/// One running (or killed) server process, with its address, data dir and log.
#[derive(Debug)]
pub struct Member {
    pub server: Server,
    pub name: String,
    pub ip: Ipv4Addr,
    pub client_port: u16,
    pub peer_port: u16,
    dir: PathBuf,
    data_dir: PathBuf,
    log_path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    child: Option<Child>,
    snapshot_count: Option<u64>,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    timeout: Duration,
}

impl Member {
    pub fn builder() -> MemberBuilder {
        MemberBuilder {
            server: Server::from_env(),
            name: "m1".to_string(),
            dir: None,
            snapshot_count: None,
            args: Vec::new(),
            envs: Vec::new(),
            timeout: start_timeout(),
        }
    }

    /// Start the server selected by `COREKIT_TEST_SERVER` (kv-serve by default) in a temp dir.
    pub fn start() -> Member {
        Member::builder().start()
    }

    /// Start the real etcd (reference server) in a temp dir.
    pub fn start_etcd() -> Member {
        Member::builder().server(Server::Etcd).start()
    }

    pub fn client_url(&self) -> String {
        format!("http://{}:{}", self.ip, self.client_port)
    }
    pub fn peer_url(&self) -> String {
        format!("http://{}:{}", self.ip, self.peer_port)
    }
    /// The dir holding `data/` (the server's --data-dir) and `member.log`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }
    pub fn http(&self) -> Http {
        Http::new(&self.client_url())
    }

    fn describe(&self) -> String {
        format!("{:?} member {} at {}", self.server, self.name, self.client_url())
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(self.server.program());
        let client = self.client_url();
        let peer = self.peer_url();
        cmd.arg("--name").arg(&self.name);
        cmd.arg("--data-dir").arg(&self.data_dir);
        cmd.arg("--listen-client-urls").arg(&client);
        cmd.arg("--advertise-client-urls").arg(&client);
        cmd.arg("--listen-peer-urls").arg(&peer);
        cmd.arg("--initial-advertise-peer-urls").arg(&peer);
        cmd.arg("--initial-cluster").arg(format!("{}={}", self.name, peer));
        if let Some(n) = self.snapshot_count {
            cmd.arg("--snapshot-count").arg(n.to_string());
        }
        if self.server == Server::Etcd {
            cmd.arg("--enable-v2=true");
        }
        cmd.args(&self.args);
        // Hermetic: no ETCD_* configuration leaks in from the environment running the tests.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("ETCD_") {
                cmd.env_remove(k);
            }
        }
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    fn spawn(&mut self) -> Result<(), String> {
        assert!(self.child.is_none(), "{} is already running", self.describe());
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| format!("open {}: {e}", self.log_path.display()))?;
        let _ = writeln!(
            log,
            "==== harness: starting {} (data dir {})",
            self.describe(),
            self.data_dir.display()
        );
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = self.command();
        cmd.stdin(Stdio::null()).stdout(Stdio::from(log)).stderr(Stdio::from(err));
        // If the test process dies (panic=abort, SIGKILL from a runner's timeout), take the
        // server down with it rather than leaving it bound to its address.
        // Note: the signal fires when the *thread* that spawned the child exits, so spawn
        // members from the test's own thread.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| format!("spawn {}: {e}", self.server.program()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Poll `GET /health` until it answers 200 `{"health":"true"}`, the process exits, or
    /// the start timeout passes.
    pub fn wait_healthy(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + self.timeout;
        let http = Http::with_timeout(&self.client_url(), Duration::from_secs(1));
        let mut last;
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(st)) = c.try_wait() {
                    self.child = None;
                    return Err(format!("process exited with {st} before it was healthy"));
                }
            } else {
                return Err("not running".into());
            }
            match http.get("/health") {
                Ok((200, v)) if v["health"] == "true" => return Ok(()),
                Ok((st, v)) => last = format!("HTTP {st} {v}"),
                Err(e) => last = e.to_string(),
            }
            if Instant::now() >= deadline {
                return Err(format!("not healthy after {:?} (last /health: {last})", self.timeout));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        self.spawn()?;
        self.wait_healthy()
    }

    /// SIGKILL the server and reap it. Nothing gets a chance to flush.
    pub fn kill9(&mut self) {
        let mut c = self.child.take().unwrap_or_else(|| panic!("kill9: {} is not running", self.describe()));
        let _ = c.kill();
        let _ = c.wait();
        self.note("killed with SIGKILL");
    }

    /// Start the server again on the same data dir, address and ports; wait until healthy.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart: {} is still running", self.describe());
        if let Err(e) = self.spawn_and_wait() {
            let tail = self.log_tail(40);
            self.kill_quietly();
            panic!(
                "{} failed to restart: {e}\n--- last lines of {} ---\n{tail}",
                self.describe(),
                self.log_path.display()
            );
        }
    }

    /// SIGTERM, then wait (bounded) for the process to exit; returns its exit status.
    /// Panics (after a SIGKILL) if it did not stop within STOP_TIMEOUT.
    pub fn stop(&mut self) -> ExitStatus {
        let mut c = self.child.take().unwrap_or_else(|| panic!("stop: {} is not running", self.describe()));
        unsafe {
            libc::kill(c.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                self.note(&format!("stopped by SIGTERM: {st}"));
                return st;
            }
            if Instant::now() >= deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!(
                    "{} did not exit within {STOP_TIMEOUT:?} of SIGTERM\n--- log tail ---\n{}",
                    self.describe(),
                    self.log_tail(40)
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// A clean stop: exit status 0, or (like etcd, which re-raises the signal after its
    /// cleanup) terminated by the SIGTERM itself.
    pub fn is_clean_stop(st: ExitStatus) -> bool {
        use std::os::unix::process::ExitStatusExt;
        st.success() || st.signal() == Some(libc::SIGTERM)
    }

    fn kill_quietly(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn note(&self, what: &str) {
        if let Ok(mut f) = OpenOptions::new().append(true).open(&self.log_path) {
            let _ = writeln!(f, "==== harness: {what}");
        }
    }

    /// The last `n` lines of the member's log (stdout + stderr, all runs).
    pub fn log_tail(&self, n: usize) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let mut buf = Vec::new();
            let _ = f.read_to_end(&mut buf);
            s = String::from_utf8_lossy(&buf).into_owned();
        }
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.kill_quietly();
        if thread::panicking() {
            eprintln!(
                "--- {} log tail ({}) ---\n{}\n---",
                self.describe(),
                self.log_path.display(),
                self.log_tail(30)
            );
        }
    }
}

// ------------------------------------------------------------------------------ HTTP

/// A ureq agent that reads error statuses as answers (etcd's error bodies are JSON), does not
/// follow redirects, ignores proxy settings and bounds every request.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .proxy(None)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Tiny client for one member: `put`/`get`/`delete` return (status, body as JSON). A body
/// that isn't JSON comes back as a JSON string; an empty body as null.
#[derive(Clone)]
pub struct Http {
    pub base: String,
    agent: ureq::Agent,
}

fn parse_body(s: String) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&s).unwrap_or(Value::String(s))
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<(u16, Value), ureq::Error> {
    let mut resp = r?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string()?;
    Ok((status, parse_body(body)))
}

impl Http {
    pub fn new(base: &str) -> Http {
        Http::with_timeout(base, Duration::from_secs(10))
    }
    pub fn with_timeout(base: &str, t: Duration) -> Http {
        Http { base: base.trim_end_matches('/').to_string(), agent: agent(t) }
    }

    /// GET `path` (e.g. `/health`, `/v2/keys/a?quorum=true`).
    pub fn get(&self, path: &str) -> Result<(u16, Value), ureq::Error> {
        answer(self.agent.get(format!("{}{}", self.base, path)).call())
    }

    /// PUT `/v2/keys{key}` with the form body `value=...`.
    pub fn put(&self, key: &str, value: &str) -> Result<(u16, Value), ureq::Error> {
        self.put_form(key, &[("value", value)])
    }

    /// PUT `/v2/keys{key}` with any form fields (`ttl`, `dir`, `prevExist`, ...).
    pub fn put_form(&self, key: &str, form: &[(&str, &str)]) -> Result<(u16, Value), ureq::Error> {
        let url = format!("{}/v2/keys{}", self.base, key);
        answer(self.agent.put(url).send_form(form.iter().copied()))
    }

    /// GET `/v2/keys{key}` (key may carry a query string).
    pub fn get_key(&self, key: &str) -> Result<(u16, Value), ureq::Error> {
        self.get(&format!("/v2/keys{key}"))
    }

    /// DELETE `/v2/keys{key}` (key may carry a query string).
    pub fn delete(&self, key: &str) -> Result<(u16, Value), ureq::Error> {
        answer(self.agent.delete(format!("{}/v2/keys{}", self.base, key)).call())
    }
}

// ------------------------------------------------------------------------------ processes

/// Output of a command run to completion (or killed at its deadline).
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// Run `cmd` with stdin closed, collecting stdout and stderr, killing it after `limit`.
pub fn run_bounded(mut cmd: Command, limit: Duration) -> Finished {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let what = format!("{cmd:?}");
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let t_err = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let deadline = Instant::now() + limit;
    let mut timed_out = false;
    let status = loop {
        if let Ok(Some(st)) = child.try_wait() {
            break st;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        thread::sleep(Duration::from_millis(50));
    };
    // A grandchild that kept the pipes open would block these reads; bounded by the kill above
    // for the direct child only, so give up on output after a short grace period.
    let grace = Instant::now() + Duration::from_secs(5);
    while !(t_out.is_finished() && t_err.is_finished()) && Instant::now() < grace {
        thread::sleep(Duration::from_millis(20));
    }
    let stdout = if t_out.is_finished() { t_out.join().unwrap() } else { "<stdout still open>".into() };
    let stderr = if t_err.is_finished() { t_err.join().unwrap() } else { "<stderr still open>".into() };
    Finished { status, stdout, stderr, timed_out }
}

// ------------------------------------------------------------------------------ misc

/// A small xorshift PRNG (no extra crate): seeded from `COREKIT_TEST_SEED` or the clock.
pub struct Rng(u64);

impl Rng {
    pub fn from_env() -> (Rng, u64) {
        let seed = std::env::var("COREKIT_TEST_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or_else(|| {
                let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
                t.as_nanos() as u64 ^ ((std::process::id() as u64) << 32)
            });
        (Rng(seed | 1), seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform-ish in lo..=hi.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}
