//! The black-box etcd v2 conformance suite (`../shared/conformance/`, recorded against real
//! etcd 3.4) run against kv-serve: the keys API cases (`v2keys.py`) and the real clients
//! (`clients.sh`: etcdctl in v2 mode and Debian's python3-etcd).
//!
//! The suite's directory is `$COREKIT_CONFORMANCE_DIR` or `<crate>/../shared/conformance`.
//! A missing suite is a failure, never a skip. `COREKIT_TEST_SERVER=etcd` runs the same
//! tests against the real etcd, to check the harness.

mod common;

use common::{Member, run_bounded};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn conformance_dir() -> PathBuf {
    let dir = match std::env::var_os("COREKIT_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    };
    assert!(
        dir.join("v2keys.py").is_file() && dir.join("clients.sh").is_file(),
        "the conformance suite is missing: expected v2keys.py and clients.sh in {} \
         (set COREKIT_CONFORMANCE_DIR to the directory holding them)",
        dir.display()
    );
    dir
}

/// Parse the suite's last line, `N passed, M failed`.
fn summary(stdout: &str) -> Option<(u32, u32)> {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    let (p, f) = last.trim().split_once(", ")?;
    let passed = p.strip_suffix(" passed")?.trim().parse().ok()?;
    let failed = f.strip_suffix(" failed")?.trim().parse().ok()?;
    Some((passed, failed))
}

fn run_suite_with(name: &str, min_passed: u32, make_cmd: impl FnOnce(&str) -> Command) {
    let dir = conformance_dir();
    let member = Member::start();
    let mut cmd = make_cmd(&member.client_url());
    cmd.current_dir(&dir);
    println!("running {name} against {:?} at {}", member.server, member.client_url());
    let out = run_bounded(cmd, Duration::from_secs(300));
    println!("{}", out.stdout);
    if !out.stderr.trim().is_empty() {
        println!("--- {name} stderr ---\n{}", out.stderr);
    }
    for line in out.stdout.lines().filter(|l| l.starts_with("FAIL")) {
        eprintln!("{name}: {line}");
    }
    assert!(!out.timed_out, "{name} did not finish within 300 s");
    let (passed, failed) = summary(&out.stdout)
        .unwrap_or_else(|| panic!("{name}: no final `N passed, M failed` line in its output"));
    assert_eq!(failed, 0, "{name}: {failed} checks failed ({passed} passed)");
    assert!(passed >= min_passed, "{name}: only {passed} checks passed, the suite has at least {min_passed}");
    assert!(out.status.success(), "{name} exited with {}", out.status);
    drop(member);
}

#[test]
fn v2keys_suite_passes() {
    let dir = conformance_dir();
    run_suite_with("v2keys.py", 79, |url| {
        let mut c = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()));
        c.arg(dir.join("v2keys.py")).arg("--endpoint").arg(url);
        c
    });
}

#[test]
fn real_clients_pass() {
    let dir = conformance_dir();
    run_suite_with("clients.sh", 53, |url| {
        let mut c = Command::new("bash");
        c.arg(dir.join("clients.sh")).arg(url);
        c
    });
}
