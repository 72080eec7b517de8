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
