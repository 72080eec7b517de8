//! Several kv-serve members started together as one cluster, each on its own loopback
//! address: `TestCluster::start(3)` spawns them with a shared `--initial-cluster` and waits
//! until each reports `{"health":"true"}`; `kill9`, `spawn` (restart on the same data dir),
//! `leader`, `http`. Every member is killed on drop, and their logs printed if the test failed.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Http, Value};

pub struct Node {
    pub name: String,
    pub client: String,
    pub peer: String,
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    /// Joins a running cluster (`--initial-cluster-state existing`) rather than founding one.
    pub joins: bool,
}

pub struct TestCluster {
    pub nodes: Vec<Node>,
    pub initial: String,
    pub token: String,
    pub extra: Vec<String>,
}

impl TestCluster {
    pub fn start(n: usize) -> TestCluster {
        TestCluster::start_with(n, &[])
    }

    pub fn start_with(n: usize, extra: &[&str]) -> TestCluster {
        let mut nodes = Vec::new();
        for i in 1..=n {
            let ip = super::pick_ip();
            let (c, p) = super::pick_ports(ip);
            nodes.push(Node {
                name: format!("n{i}"),
                client: format!("http://{ip}:{c}"),
                peer: format!("http://{ip}:{p}"),
                dir: tempfile::Builder::new().prefix("corekit-cluster-").tempdir().unwrap(),
                child: None,
                joins: false,
            });
        }
        let initial = nodes.iter().map(|n| format!("{}={}", n.name, n.peer)).collect::<Vec<_>>().join(",");
        let token = format!("test-{}-{}", std::process::id(), nodes[0].client);
        let mut c =
            TestCluster { nodes, initial, token, extra: extra.iter().map(|s| s.to_string()).collect() };
        for i in 0..n {
            c.spawn(i);
        }
        for i in 0..n {
            c.wait_healthy(i);
        }
        c
    }

    pub fn spawn(&mut self, i: usize) {
        let n = &self.nodes[i];
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(n.dir.path().join("log")).unwrap();
        let child = Command::new(super::KV_SERVE)
            .args(["--name", &n.name])
            .arg("--data-dir")
            .arg(n.dir.path().join("data"))
            .args(["--listen-client-urls", &n.client, "--advertise-client-urls", &n.client])
            .args(["--listen-peer-urls", &n.peer, "--initial-advertise-peer-urls", &n.peer])
            .args(["--initial-cluster", &self.initial, "--initial-cluster-token", &self.token])
            .args(&self.extra)
            .args(if n.joins { &["--initial-cluster-state", "existing"][..] } else { &[] })
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn kv-serve");
        self.nodes[i].child = Some(child);
    }

    /// A new member, not started: add it with `kv member add` first, then `spawn` it (it joins
    /// with `--initial-cluster-state existing` and the cluster's members in --initial-cluster).
    pub fn new_member(&mut self, name: &str) -> usize {
        let ip = super::pick_ip();
        let (c, p) = super::pick_ports(ip);
        self.nodes.push(Node {
            name: name.to_string(),
            client: format!("http://{ip}:{c}"),
            peer: format!("http://{ip}:{p}"),
            dir: tempfile::Builder::new().prefix("corekit-cluster-").tempdir().unwrap(),
            child: None,
            joins: true,
        });
        self.initial.push_str(&format!(",{name}=http://{ip}:{p}"));
        self.nodes.len() - 1
    }

    /// Whether the member's process is still running (a removed member stops by itself).
    pub fn is_running(&mut self, i: usize) -> bool {
        match self.nodes[i].child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    pub fn http(&self, i: usize) -> Http {
        Http::with_timeout(&self.nodes[i].client, Duration::from_secs(10))
    }

    pub fn wait_healthy(&self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok((200, v)) = self.http(i).get("/health")
                && v["health"] == "true"
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{} not healthy within 20 s; log:\n{}", self.nodes[i].name, self.log(i));
    }

    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.nodes[i].dir.path().join("log")).unwrap_or_default()
    }

    pub fn stats_self(&self, i: usize) -> Option<Value> {
        match self.http(i).get("/v2/stats/self") {
            Ok((200, v)) => Some(v),
            _ => None,
        }
    }

    /// Index of the member every live member agrees is the leader.
    pub fn leader(&self) -> usize {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            for i in 0..self.nodes.len() {
                if self.nodes[i].child.is_none() {
                    continue;
                }
                if let Some(v) = self.stats_self(i)
                    && v["state"] == "StateLeader"
                {
                    return i;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no leader within 20 s");
    }

    pub fn kill9(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill9(i);
        }
        if std::thread::panicking() {
            for i in 0..self.nodes.len() {
                eprintln!("--- {} log ---\n{}", self.nodes[i].name, self.log(i));
            }
        }
    }
}

/// Writes through one member, one every `every`, each on its own thread (so a write lost with
/// a dead leader holds up none of the others), until stopped: how long writes paused around
/// an event, and what the failed ones were answered.
pub struct WriteProbe {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<std::thread::JoinHandle<Write>>>>,
}

/// One probe write: when it was sent and answered, and how.
#[derive(Clone, Debug)]
pub struct Write {
    pub sent: Instant,
    pub done: Instant,
    /// 200/201, an etcd error's status and message, or the transport's error.
    pub outcome: Result<u16, String>,
}

impl WriteProbe {
    pub fn start(endpoint: &str, every: Duration) -> WriteProbe {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, http) = (stop.clone(), Http::with_timeout(endpoint, Duration::from_secs(15)));
        let thread = std::thread::spawn(move || {
            let mut writes = Vec::new();
            let mut n = 0u64;
            while !s.load(std::sync::atomic::Ordering::Relaxed) {
                let http = http.clone();
                n += 1;
                writes.push(std::thread::spawn(move || {
                    let sent = Instant::now();
                    let outcome = match http.put(&format!("/probe/{}", n % 64), &n.to_string()) {
                        Ok((st @ (200 | 201), _)) => Ok(st),
                        Ok((st, v)) => Err(format!(
                            "{st} {}: {}",
                            v["message"].as_str().unwrap_or(""),
                            v["cause"].as_str().unwrap_or("")
                        )),
                        Err(e) => Err(e.to_string()),
                    };
                    Write { sent, done: Instant::now(), outcome }
                }));
                std::thread::sleep(every);
            }
            writes
        });
        WriteProbe { stop, thread: Some(thread) }
    }

    /// Stops sending and waits for every write's answer.
    pub fn finish(mut self) -> Vec<Write> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let writes = self.thread.take().unwrap().join().unwrap();
        writes.into_iter().map(|w| w.join().unwrap()).collect()
    }

    /// The failed writes' answers, each with how many times it came.
    pub fn failures(writes: &[Write]) -> std::collections::BTreeMap<String, usize> {
        let mut m = std::collections::BTreeMap::new();
        for w in writes {
            if let Err(e) = &w.outcome {
                *m.entry(e.clone()).or_default() += 1;
            }
        }
        m
    }

    /// The longest time without a successful answer, among writes answered between `from`
    /// and `to`.
    pub fn longest_pause(writes: &[Write], from: Instant, to: Instant) -> Duration {
        let mut done: Vec<Instant> = writes
            .iter()
            .filter(|w| w.outcome.is_ok() && w.done >= from && w.done <= to)
            .map(|w| w.done)
            .collect();
        done.sort();
        done.windows(2).map(|p| p[1] - p[0]).max().unwrap_or(to - from)
    }
}
