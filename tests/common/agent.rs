//! Harness for `unit-run` tests: a daemon with a run dir of its own (in a temp dir), the
//! `unit-run` commands against it, and ways to look for processes and containers.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const UNIT_RUN: &str = env!("CARGO_BIN_EXE_unit-run");

pub struct Agent {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    extra: Vec<String>,
    env: Vec<(String, String)>,
}

impl Agent {
    pub fn start() -> Agent {
        Agent::start_with(&[])
    }

    /// A daemon with extra `daemon` flags (`--no-cgroups`, `--journal-max-bytes N`).
    pub fn start_with(extra: &[&str]) -> Agent {
        Agent::start_env(extra, &[])
    }

    /// A daemon with extra flags and environment variables.
    pub fn start_env(extra: &[&str], env: &[(&str, &str)]) -> Agent {
        let dir = tempfile::Builder::new().prefix("unit-run-test").tempdir().unwrap();
        let mut a = Agent {
            dir,
            child: None,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        a.spawn();
        a
    }

    pub fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("daemon.log")
    }

    /// Starts the daemon (again) on the same run dir and waits until it answers.
    pub fn spawn(&mut self) {
        let log = fs::OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
        let child = Command::new(UNIT_RUN)
            .arg("--run-dir")
            .arg(self.run_dir())
            .arg("daemon")
            .args(&self.extra)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.cmd(&["list"]).status.success() {
                return;
            }
            assert!(Instant::now() < deadline, "the daemon did not answer:\n{}", self.log());
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// `unit-run --run-dir DIR ARGS…`
    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new(UNIT_RUN)
            .arg("--run-dir")
            .arg(self.run_dir())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "unit-run {args:?} failed ({}):\nstdout: {}\nstderr: {}\ndaemon log:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes a unit file into the test's source dir (not the run dir) and returns its path.
    pub fn unit_file(&self, name: &str, text: &str) -> PathBuf {
        let src = self.dir.path().join("src");
        fs::create_dir_all(&src).unwrap();
        let p = src.join(name);
        fs::write(&p, text).unwrap();
        p
    }

    pub fn status(&self, unit: &str) -> Value {
        serde_json::from_str(&self.ok(&["status", "-o", "json", "-n", "0", unit])).unwrap()
    }

    /// (active state, sub-state)
    pub fn state(&self, unit: &str) -> (String, String) {
        let s = self.status(unit);
        (s["active_state"].as_str().unwrap().to_string(), s["sub_state"].as_str().unwrap().to_string())
    }

    pub fn wait_state(&self, unit: &str, active: &str, sub: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let (a, s) = self.state(unit);
            if a == active && s == sub {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{unit} is {a} ({s}), not {active} ({sub}) after {timeout:?}\njournal:\n{}",
                self.journal(unit).join("\n")
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every journal message of a unit.
    pub fn journal(&self, unit: &str) -> Vec<String> {
        let out = self.cmd(&["journal", "-o", "json", "-n", "0", unit]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| v["msg"].as_str().unwrap_or("").to_string())
            .collect()
    }

    pub fn wait_journal(&self, unit: &str, needle: &str, count: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let j = self.journal(unit);
            if j.iter().filter(|m| m.contains(needle)).count() >= count {
                return j;
            }
            assert!(
                Instant::now() < deadline,
                "{unit}'s journal has not {count}× {needle:?}:\n{}",
                j.join("\n")
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM to the daemon; waits for it to exit.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                return st;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the daemon did not exit within {timeout:?} of SIGTERM:\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn kill9(&mut self) {
        let mut child = self.child.take().unwrap();
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("--- unit-run daemon log ---\n{}", self.log());
        }
        if self.child.is_some() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.terminate(Duration::from_secs(30));
            }));
        }
    }
}

/// PIDs of live processes whose command line contains `needle` (zombies left out).
pub fn pids_with(needle: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut out = Vec::new();
    for e in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        let mut cmd = Vec::new();
        if fs::File::open(format!("/proc/{pid}/cmdline")).and_then(|mut f| f.read_to_end(&mut cmd)).is_err() {
            continue;
        }
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat.rsplit(')').next().is_some_and(|s| s.trim_start().starts_with('Z'));
        if cmd.contains(needle) && !zombie {
            out.push(pid);
        }
    }
    out
}

pub fn wait_no_pids(needle: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while !pids_with(needle).is_empty() {
        assert!(
            Instant::now() < deadline,
            "processes with {needle:?} still running: {:?}",
            pids_with(needle)
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// `docker ps -a` names matching exactly.
pub fn docker_container_exists(name: &str) -> bool {
    let out = Command::new("docker")
        .args(["ps", "-a", "--filter", &format!("name=^/{name}$"), "--format", "{{.Names}}"])
        .output()
        .expect("the docker CLI runs (the Docker tests need the Docker engine; .ci/run starts it)");
    assert!(out.status.success(), "docker ps failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().any(|l| l == name)
}

pub fn repo_path(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}
