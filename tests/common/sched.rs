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
/// `status` of the seed's croc.service, running: systemctl's first lines, the image pulled by
/// the ExecStartPre line, a main PID.
pub fn assert_croc_status_shape(status: &str) {
    let l: Vec<&str> = status.lines().collect();
    assert_eq!(l[0], "● croc.service - CROC Example Service", "{status}");
    assert!(l[1].starts_with("   Loaded: loaded ("), "{status}");
    assert!(l[2].starts_with("   Active: active (running) since "), "{status}");
    assert!(
        status.contains(
            "ExecStartPre=/usr/bin/docker pull 127.0.0.1:5000/busybox (code=exited, status=0/SUCCESS)"
        ),
        "{status}"
    );
    assert!(status.contains(" Main PID: "), "{status}");
}

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

// ------------------------------------------------------------------------------ namespaces

use super::netns::NsCluster;

/// The same machines in network namespaces: each namespace holds a kv-serve member, a
/// `unit-run daemon --endpoints` agent and an engine, like a machine of its own; cutting a
/// namespace's link cuts the whole machine off.
pub struct NsSched {
    pub kv: NsCluster,
    pub ids: Vec<String>,
    pub children: Vec<Child>,
    pub dirs: Vec<tempfile::TempDir>,
    pub endpoints: String,
    pub prefix: String,
}

impl NsSched {
    pub fn start(ttl_secs: u64) -> NsSched {
        let kv = NsCluster::start();
        let endpoints = (0..3).map(|i| kv.url(i, "")).collect::<Vec<_>>().join(",");
        let prefix = format!("/_corekit/test-{}", std::process::id());
        let mut c =
            NsSched { kv, ids: Vec::new(), children: Vec::new(), dirs: Vec::new(), endpoints, prefix };
        for i in 0..3 {
            let id = machine_id(10 + i);
            let dir = tempfile::Builder::new().prefix("corekit-ns-agent-").tempdir().unwrap();
            let (ns, ip) = (c.kv.members[i].ns.clone(), c.kv.members[i].ip.clone());
            let ttl = format!("{ttl_secs}s");
            let run = dir.path().join("run");
            let run = run.to_str().unwrap();
            // `ip netns exec` gives the program a fresh /sys without cgroups: units are tracked
            // by session and INVOCATION_ID.
            let agent = c.spawn(
                &dir,
                "agent.log",
                &[
                    "ip",
                    "netns",
                    "exec",
                    &ns,
                    super::agent::UNIT_RUN,
                    "--run-dir",
                    run,
                    "daemon",
                    "--no-cgroups",
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
                ],
            );
            c.children.push(agent);
            let engine = c.spawn(
                &dir,
                "engine.log",
                &[
                    "ip",
                    "netns",
                    "exec",
                    &ns,
                    UNIT_SCHED,
                    "--endpoints",
                    &c.endpoints,
                    "--key-prefix",
                    &c.prefix,
                    "engine",
                    "--machine-id",
                    &id,
                    "--reconcile-interval",
                    "1",
                ],
            );
            c.children.push(engine);
            c.ids.push(id);
            c.dirs.push(dir);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while c.us(0, &["list-machines", "--no-legend"]).1.lines().count() != 3 {
            assert!(Instant::now() < deadline, "the agents did not register:\n{}", c.logs());
            thread::sleep(Duration::from_millis(200));
        }
        c
    }

    fn spawn(&self, dir: &tempfile::TempDir, log: &str, argv: &[&str]) -> Child {
        use std::os::unix::process::CommandExt;
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.path().join(log)).unwrap();
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..]).stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
        // SAFETY: prctl in the child before exec; the process dies with the test.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        cmd.spawn().unwrap()
    }

    /// `unit-sched ARGS…` run inside machine `i`'s namespace: (status, stdout, stderr).
    pub fn us(&self, i: usize, args: &[&str]) -> (i32, String, String) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.kv.members[i].ns, UNIT_SCHED])
            .args(["--endpoints", &self.endpoints, "--key-prefix", &self.prefix, "--request-timeout", "1"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The machines `unit` is active on, as seen from machine `from`.
    pub fn active_on(&self, from: usize, unit: &str) -> Vec<usize> {
        let (_, out, _) = self.us(from, &["list-units", "--no-legend", "--full"]);
        out.lines()
            .filter(|l| l.starts_with(unit) && l.contains("\tactive\t"))
            .filter_map(|l| self.ids.iter().position(|id| l.contains(id.as_str())))
            .collect()
    }

    pub fn logs(&self) -> String {
        let mut s = String::new();
        for (i, d) in self.dirs.iter().enumerate() {
            for f in ["agent.log", "engine.log"] {
                let t = std::fs::read_to_string(d.path().join(f)).unwrap_or_default();
                s.push_str(&format!("--- machine {i} {f} ---\n{}\n", tail(&t, 30)));
            }
        }
        s
    }
}

impl Drop for NsSched {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("{}", self.logs());
        }
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for id in &self.ids {
            for pid in pids_with(id) {
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}
