//! A scheduler cluster on one computer: three kv-serve members, N `unit-run daemon
//! --endpoints …` agents (each on a loopback address of its own, with its own machine ID and
//! run dir), and an engine beside each agent — as three fleet machines would run etcd and
//! fleetd. `us(...)` runs `unit-sched` against the store; `kill_machine` kills an agent and
//! everything its units run (a machine's death), `kill_engine` an engine.
#![allow(dead_code)]

use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::agent::{Agent, pids_with};
use super::cluster::TestCluster;

pub const UNIT_SCHED: &str = env!("CARGO_BIN_EXE_unit-sched");

pub struct Machine {
    pub agent: Agent,
    pub ip: String,
    pub id: String,
    pub engine: Option<Child>,
    pub metadata: String,
}

pub struct SchedCluster {
    pub kv: TestCluster,
    pub machines: Vec<Machine>,
    pub endpoints: String,
    pub ttl: Duration,
    pub prefix: String,
}

/// A 32-hex-digit machine ID that says which machine it is (`a1b2…0002` for machine 2).
pub fn machine_id(i: usize) -> String {
    format!("{:08x}{:024x}", 0x5eed0000u32 + i as u32, i)
}

impl SchedCluster {
    /// `n` machines; machine i gets metadata `meta(i)` (empty for none).
    pub fn start(n: usize, ttl_secs: u64, meta: impl Fn(usize) -> String) -> SchedCluster {
        let kv = TestCluster::start(3);
        let endpoints = kv.nodes.iter().map(|n| n.client.clone()).collect::<Vec<_>>().join(",");
        let prefix = format!("/_corekit/test-{}", std::process::id());
        let mut c =
            SchedCluster { kv, machines: Vec::new(), endpoints, ttl: Duration::from_secs(ttl_secs), prefix };
        for i in 0..n {
            let ip = super::pick_ip().to_string();
            let id = machine_id(i + 1);
            let metadata = meta(i);
            let ttl = format!("{ttl_secs}s");
            let mut extra = vec![
                "--endpoints",
                &c.endpoints,
                "--public-ip",
                &ip,
                "--machine-id",
                &id,
                "--agent-ttl",
                &ttl,
                "--key-prefix",
                &c.prefix,
            ];
            if !metadata.is_empty() {
                extra.extend(["--metadata", &metadata]);
            }
            let agent = Agent::start_with(&extra);
            c.machines.push(Machine { agent, ip, id, engine: None, metadata });
        }
        for i in 0..n {
            c.start_engine(i);
        }
        c.wait_machines(n);
        c
    }

    pub fn start_engine(&mut self, i: usize) {
        let m = &self.machines[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(m.agent.dir.path().join("engine.log"))
            .unwrap();
        let child = Command::new(UNIT_SCHED)
            .args([
                "--endpoints",
                &self.endpoints,
                "--key-prefix",
                &self.prefix,
                "engine",
                "--machine-id",
                &m.id,
            ])
            .args(["--reconcile-interval", "1"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.machines[i].engine = Some(child);
    }

    pub fn engine_log(&self, i: usize) -> String {
        std::fs::read_to_string(self.machines[i].agent.dir.path().join("engine.log")).unwrap_or_default()
    }

    /// `unit-sched ARGS…` against the whole store.
    pub fn us(&self, args: &[&str]) -> Output {
        self.us_via(&self.endpoints, args)
    }

    /// `unit-sched ARGS…` against some endpoints only (as from another machine).
    pub fn us_via(&self, endpoints: &str, args: &[&str]) -> Output {
        Command::new(UNIT_SCHED)
            .args(["--endpoints", endpoints, "--key-prefix", &self.prefix])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// stdout of a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.us(args);
        assert!(
            out.status.success(),
            "unit-sched {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// (unit, machine index, active, sub) rows of `list-units`.
    pub fn units(&self) -> Vec<(String, Option<usize>, String, String)> {
        let out = self.ok(&["list-units", "--no-legend", "--full", "--fields", "unit,machine,active,sub"]);
        out.lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').filter(|s| !s.is_empty()).collect();
                let m = self.machines.iter().position(|m| f[1].starts_with(&m.id));
                (f[0].to_string(), m, f[2].to_string(), f[3].to_string())
            })
            .collect()
    }

    /// Waits until `list-machines` shows `n` machines.
    pub fn wait_machines(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self.ok(&["list-machines", "--no-legend"]);
            if out.lines().count() == n {
                return;
            }
            assert!(Instant::now() < deadline, "{n} machines not registered:\n{out}");
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `pred` holds of `list-units`; returns the rows and how long it took.
    pub fn wait_units(
        &self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&[(String, Option<usize>, String, String)]) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let rows = self.units();
            if pred(&rows) {
                return start.elapsed();
            }
            assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}: {rows:?}\n{}", self.logs());
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// The machine a unit is active on, waiting for one.
    pub fn running_on(&self, unit: &str, timeout: Duration) -> usize {
        let mut at = None;
        self.wait_units(&format!("{unit} active"), timeout, |rows| {
            at = None;
            for (u, m, a, _) in rows {
                if u == unit && a == "active" {
                    at = *m;
                }
            }
            at.is_some()
        });
        let rows = self.units();
        rows.iter().find(|(u, _, a, _)| u == unit && a == "active").and_then(|r| r.1).expect("just seen")
    }

    /// The machine whose engine holds the lease.
    pub fn engine_leader(&self) -> Option<usize> {
        let key = format!("{}/lease/engine", self.prefix);
        let (st, v) = self.kv.http(0).get_key(&key).ok()?;
        if st != 200 {
            return None;
        }
        let lease: serde_json::Value = serde_json::from_str(v["node"]["value"].as_str()?).ok()?;
        let id = lease["machine_id"].as_str()?;
        self.machines.iter().position(|m| m.id == id)
    }

    pub fn kill_engine(&mut self, i: usize) {
        if let Some(mut c) = self.machines[i].engine.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A machine's death: SIGKILL to its agent and engine, and to every process of its units
    /// (test units name their machine with `%m` in their command lines).
    pub fn kill_machine(&mut self, i: usize) {
        self.machines[i].agent.kill9();
        self.kill_engine(i);
        for pid in pids_with(&self.machines[i].id) {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }

    pub fn logs(&self) -> String {
        let mut s = String::new();
        for (i, m) in self.machines.iter().enumerate() {
            s.push_str(&format!("--- machine {i} ({}) agent log ---\n{}\n", m.id, tail(&m.agent.log(), 40)));
            s.push_str(&format!("--- machine {i} engine log ---\n{}\n", tail(&self.engine_log(i), 20)));
        }
        s
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

impl Drop for SchedCluster {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("{}", self.logs());
        }
        for i in 0..self.machines.len() {
            self.kill_engine(i);
        }
    }
}
