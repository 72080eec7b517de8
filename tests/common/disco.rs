//! Harness for the `disco` tests: processes that are killed when dropped (their output in a
//! log printed when a test fails), `disco serve` and Debian's `discovery.etcd.io` on
//! 127.0.0.60–79 with ports the kernel picks, kv-serve and etcd members that bootstrap
//! through a discovery URL, raw HTTP exchanges (from a chosen source address), and waiting.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub const DISCO: &str = env!("CARGO_BIN_EXE_disco");
pub const KV_SERVE: &str = env!("CARGO_BIN_EXE_kv-serve");

/// The reference service: Debian's `etcd-discovery` package.
pub const DISCOVERY_ETCD_IO: &str = "/usr/bin/discovery.etcd.io";

/// Fails (never skips) when a reference program is missing.
pub fn require(program: &str, package: &str) {
    let found = if program.contains('/') {
        Path::new(program).exists()
    } else {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {program}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    assert!(
        found,
        "{program} is missing (apt-get install {package}): this test compares against it and must not pass without it"
    );
}

/// 127.0.0.N for N in 60..=79, spread by the process ID so concurrent test binaries differ.
pub fn my_ip(n: u8) -> Ipv4Addr {
    assert!(n < 20);
    let base = (std::process::id() % 20) as u8;
    Ipv4Addr::new(127, 0, 0, 60 + (base + n) % 20)
}

/// A free port on `ip` (the kernel's choice).
pub fn free_port(ip: Ipv4Addr) -> u16 {
    TcpListener::bind((ip, 0)).expect("bind a free port").local_addr().unwrap().port()
}

/// A process that is killed when dropped; its stdout and stderr go to a log file.
pub struct Proc {
    pub name: String,
    child: Option<Child>,
    pub log: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Proc {
    /// Starts `cmd` with its output in `log` (appended).
    pub fn spawn(name: &str, mut cmd: Command, log: PathBuf) -> Proc {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("open log");
        cmd.stdin(Stdio::null()).stdout(f.try_clone().unwrap()).stderr(f);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("ETCD_") || k.starts_with("DISC_") || k == "KV_ENDPOINTS" || k == "DISCO_SERVER"
            {
                cmd.env_remove(k);
            }
        }
        // The process goes when the test does (spawn from the test's own thread).
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { name: name.to_string(), child: Some(child), log, _dir: None }
    }

    /// Starts `cmd` with a log in a temp dir of its own.
    pub fn spawn_tmp(name: &str, cmd: Command) -> Proc {
        let dir = tempfile::Builder::new().prefix("disco-test-").tempdir().unwrap();
        let mut p = Proc::spawn(name, cmd, dir.path().join("log"));
        p._dir = Some(dir);
        p
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(-1)
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Waits for the process to end by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        let c = self.child.as_mut().expect("running");
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                self.child = None;
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {limit:?}:\n{}",
                self.name,
                self.output()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, sig: i32) {
        if let Some(c) = &self.child {
            unsafe {
                libc::kill(c.id() as i32, sig);
            }
        }
    }

    /// SIGTERM, then the exit status (SIGKILL after 10 s).
    pub fn stop(&mut self) -> ExitStatus {
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        let c = self.child.as_mut().expect("running");
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                self.child = None;
                return st;
            }
            if Instant::now() >= deadline {
                let _ = c.kill();
                let st = c.wait().unwrap();
                self.child = None;
                panic!("{} did not stop within 10 s of SIGTERM ({st}):\n{}", self.name, self.output());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
        if thread::panicking() {
            let out = self.output();
            let tail: Vec<&str> = out.lines().rev().take(40).collect();
            eprintln!(
                "--- {} ({}) ---\n{}\n---",
                self.name,
                self.log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// Waits until `f` is true (polling every 20 ms); panics with `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if f() {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until something accepts connections on `addr`.
pub fn wait_listening(addr: SocketAddr, limit: Duration) {
    wait_until(&format!("something listening on {addr}"), limit, || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    });
}

/// `disco serve` on 127.0.0.(60+n) with a free port, on the store `kv`, with extra flags;
/// tokens are handed out under `host` (default: its own URL). Returns its URL.
pub fn disco_serve_host(n: u8, kv: &str, host: Option<&str>, extra: &[&str]) -> (Proc, String) {
    let ip = my_ip(n);
    let port = free_port(ip);
    let url = format!("http://{ip}:{port}");
    let mut cmd = Command::new(DISCO);
    cmd.args(["serve", "--kv", kv, "--host", host.unwrap_or(&url), "--addr", &format!("{ip}:{port}")])
        .args(extra);
    let p = Proc::spawn_tmp("disco serve", cmd);
    wait_listening(SocketAddr::from((ip, port)), Duration::from_secs(10));
    (p, url)
}

/// [`disco_serve_host`] handing out tokens under its own URL.
pub fn disco_serve(n: u8, kv: &str, extra: &[&str]) -> (Proc, String) {
    disco_serve_host(n, kv, None, extra)
}

/// Debian's discovery.etcd.io on 127.0.0.(60+n) with a free port, on the store `etcd`
/// (one URL), handing out tokens under `host`.
pub fn discovery_etcd_io(n: u8, etcd: &str, host: &str) -> (Proc, String) {
    require(DISCOVERY_ETCD_IO, "etcd-discovery");
    let ip = my_ip(n);
    let port = free_port(ip);
    let mut cmd = Command::new(DISCOVERY_ETCD_IO);
    cmd.args(["--etcd", etcd, "--host", host, "--addr", &format!("{ip}:{port}")]);
    let p = Proc::spawn_tmp("discovery.etcd.io", cmd);
    wait_listening(SocketAddr::from((ip, port)), Duration::from_secs(10));
    (p, format!("http://{ip}:{port}"))
}

/// `disco new` against a discovery service; the token URL.
pub fn new_token(server: &str, size: u32) -> String {
    let out =
        Command::new(DISCO).args(["new", "--server", server, "--size", &size.to_string()]).output().unwrap();
    assert!(out.status.success(), "disco new: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// One HTTP/1.1 exchange on a fresh connection (from `source` when given), request sent as
/// is; the raw answer, read until the server closes (ask with `Connection: close`).
pub fn raw(addr: &str, request: &str, source: Option<Ipv4Addr>) -> Vec<u8> {
    let target: SocketAddr = addr.trim_start_matches("http://").parse().expect("ip:port");
    let mut s = connect_from(target, source);
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

/// A TCP connection to `target`, bound first to `source` when given (so the server sees
/// that address).
pub fn connect_from(target: SocketAddr, source: Option<Ipv4Addr>) -> TcpStream {
    let Some(src) = source else {
        return TcpStream::connect(target).expect("connect");
    };
    use std::os::fd::FromRawFd;
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let sin = |ip: Ipv4Addr, port: u16| libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr { s_addr: u32::from(ip).to_be() },
            sin_zero: [0; 8],
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let a = sin(src, 0);
        assert_eq!(libc::bind(fd, &a as *const _ as *const libc::sockaddr, len), 0, "bind {src}");
        let SocketAddr::V4(t) = target else { panic!("IPv4 only") };
        let b = sin(*t.ip(), t.port());
        assert_eq!(libc::connect(fd, &b as *const _ as *const libc::sockaddr, len), 0, "connect {target}");
        TcpStream::from_raw_fd(fd)
    }
}

/// A GET with `Connection: close`: (status, body).
pub fn get(url: &str) -> (u16, String) {
    let (host, path) = split(url);
    let a = raw(&host, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), None);
    parse(&a)
}

fn split(url: &str) -> (String, String) {
    let rest = url.trim_start_matches("http://");
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// (status, body) of a raw answer (Content-Length or close-delimited bodies).
pub fn parse(a: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(a);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// A kv-serve or etcd member that bootstraps through a discovery URL.
pub struct Joiner {
    pub proc: Proc,
    pub name: String,
    pub client: String,
    pub peer: String,
    pub data_dir: PathBuf,
    pub dir: tempfile::TempDir,
    program: String,
    args: Vec<String>,
}

/// Starts `program` (kv-serve or etcd) as member `name` with `--discovery url` and `extra`.
pub fn join(program: &str, name: &str, url: &str, extra: &[&str]) -> Joiner {
    let ip = super::pick_ip();
    let (c, p) = super::pick_ports(ip);
    let client = format!("http://{ip}:{c}");
    let peer = format!("http://{ip}:{p}");
    let dir = tempfile::Builder::new().prefix("disco-member-").tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mut args: Vec<String> = vec!["--name".into(), name.into(), "--discovery".into(), url.into()];
    args.extend(["--data-dir".to_string(), data_dir.display().to_string()]);
    args.extend(["--listen-client-urls", &client, "--advertise-client-urls", &client].map(String::from));
    args.extend(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer].map(String::from));
    if program != KV_SERVE {
        args.push("--enable-v2=true".into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut cmd = Command::new(program);
    cmd.args(&args);
    let proc = Proc::spawn(name, cmd, dir.path().join("log"));
    Joiner { proc, name: name.to_string(), client, peer, data_dir, dir, program: program.into(), args }
}

impl Joiner {
    /// Starts the same member again (same flags and addresses) after it stopped.
    pub fn respawn(&mut self) {
        self.proc.kill9();
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        self.proc = Proc::spawn(&self.name, cmd, self.dir.path().join("log"));
    }

    /// Waits for `/health` to say true.
    pub fn wait_healthy(&mut self, limit: Duration) {
        let url = format!("{}/health", self.client);
        let start = Instant::now();
        loop {
            let (st, body) = if TcpStream::connect_timeout(
                &self.client.trim_start_matches("http://").parse().unwrap(),
                Duration::from_millis(200),
            )
            .is_ok()
            {
                get_timeout(&url, Duration::from_secs(2))
            } else {
                (0, String::new())
            };
            if st == 200 && body.contains("true") {
                return;
            }
            assert!(
                self.proc.is_running(),
                "{} exited before it was healthy:\n{}",
                self.name,
                self.proc.output()
            );
            assert!(
                start.elapsed() < limit,
                "{} not healthy within {limit:?}:\n{}",
                self.name,
                self.proc.output()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A GET bounded in time: (status, body), (0, "") when there is no answer in time.
pub fn get_timeout(url: &str, limit: Duration) -> (u16, String) {
    let agent = super::agent(limit);
    match agent.get(url).call() {
        Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default()),
        Err(_) => (0, String::new()),
    }
}
