//! unit-run with the real Docker engine: the seed's croc.service (its image pulled from the
//! local registry that `.ci/registry.sh` runs on 127.0.0.1:5000), containers found by label,
//! containers left behind reported at daemon start, and `unit-run machine`.
//!
//! These tests need the Docker engine and the registry. When either is missing they fail,
//! saying so; they are never skipped.

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::agent::{Agent, UNIT_RUN, docker_container_exists, repo_path, wait_no_pids};

const IMAGE: &str = "127.0.0.1:5000/busybox";

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("the docker CLI runs")
}

fn require_docker_and_registry() {
    let v = docker(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        v.status.success(),
        "the Docker engine does not answer (the Docker tests need it): {}",
        String::from_utf8_lossy(&v.stderr)
    );
    let reg = ureq::get("http://127.0.0.1:5000/v2/").call();
    assert!(
        reg.is_ok(),
        "the local registry on 127.0.0.1:5000 does not answer: run .ci/registry.sh ({reg:?})"
    );
}

#[test]
fn the_seeds_croc_service_runs_streams_and_stops_clean() {
    require_docker_and_registry();
    let _ = docker(&["rm", "-f", "croc_service"]);
    // Make the unit's `docker pull` really pull from the registry.
    let _ = docker(&["rmi", IMAGE]);
    assert!(!docker(&["image", "inspect", IMAGE]).status.success());

    let a = Agent::start();
    let unit = repo_path("examples/croc.service");
    assert_eq!(
        a.ok(&["start", unit.to_str().unwrap()]),
        "Unit croc.service loaded\nUnit croc.service active (running)\n"
    );
    assert!(docker(&["image", "inspect", IMAGE]).status.success(), "the image was pulled");

    // journal -f streams CROC Cloud, once a second.
    let mut follow = Command::new(UNIT_RUN)
        .args(["--run-dir", a.run_dir().to_str().unwrap(), "journal", "-f", "croc.service"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(follow.stdout.take().unwrap()).lines();
    let mut crocs = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while crocs.len() < 3 {
        assert!(Instant::now() < deadline, "no CROC Cloud lines");
        let line = lines.next().unwrap().unwrap();
        if line.ends_with(": CROC Cloud") {
            assert!(line.contains(" docker["), "{line}");
            crocs.push(Instant::now());
        }
    }
    let _ = follow.kill();
    let _ = follow.wait();
    let gap = crocs[2] - crocs[1];
    assert!(gap >= Duration::from_millis(500), "lines come about once a second, not {gap:?} apart");
    let j = a.journal("croc.service");
    assert!(j.iter().any(|m| m.contains("Downloaded newer image for 127.0.0.1:5000/busybox")), "{j:?}");

    // status: the seed's shape, with the container.
    let text = a.ok(&["status", "croc.service"]);
    let l: Vec<&str> = text.lines().collect();
    assert_eq!(l[0], "● croc.service - CROC Example Service", "{text}");
    assert!(l[2].contains("Active: active (running) since "), "{text}");
    assert!(
        l[3].contains("ExecStartPre=-/usr/bin/docker kill croc_service (code=exited, status=1/FAILURE)"),
        "{text}"
    );
    assert!(
        l[4].contains("ExecStartPre=-/usr/bin/docker rm croc_service (code=exited, status=1/FAILURE)"),
        "{text}"
    );
    assert!(
        l[5].contains(
            "ExecStartPre=/usr/bin/docker pull 127.0.0.1:5000/busybox (code=exited, status=0/SUCCESS)"
        ),
        "{text}"
    );
    assert!(l[6].contains("Main PID: ") && l[6].ends_with("(docker)"), "{text}");
    assert!(text.contains("Container: croc_service (127.0.0.1:5000/busybox) running: Up "), "{text}");
    assert!(text.lines().last().unwrap().ends_with(": CROC Cloud"), "{text}");
    let st = a.status("croc.service");
    assert_eq!(st["containers"][0]["name"], "croc_service");
    assert_eq!(st["containers"][0]["state"], "running");

    // stop: ExecStop's docker stop, then the container (stopped, not removed by the unit) is
    // removed; nothing of the unit is left.
    assert_eq!(a.ok(&["stop", "croc.service"]), "Unit croc.service inactive (dead)\n");
    assert!(!docker_container_exists("croc_service"), "the container is gone");
    wait_no_pids("--name croc_service", Duration::from_secs(2));
    let text = a.ok(&["status", "croc.service"]);
    assert!(text.contains("Active: inactive (dead) since "), "{text}");
    assert!(!text.contains("Container:"), "{text}");
    let j = a.journal("croc.service");
    assert!(
        j.iter().any(|m| m == "croc.service: Removed container croc_service left behind by the unit."),
        "{j:?}"
    );
}

#[test]
fn labelled_containers_are_shown_and_removed_and_leftovers_reported() {
    require_docker_and_registry();
    let _ = docker(&["rm", "-f", "labelled_probe", "croc_service"]);
    let _ = docker(&["pull", IMAGE]);
    let mut a = Agent::start();
    // No --name: the container is found by the label the unit sets. sh as PID 1 ignores
    // SIGTERM, so the stop ends with SIGKILL to the docker client and the container is left
    // running: unit-run stops and removes it.
    let f = a.unit_file(
        "labelled.service",
        &format!(
            "[Service]\nTimeoutStopSec=2\nExecStart=/usr/bin/docker run --label corekit.unit=%n --label probe=labelled_probe {IMAGE} /bin/sh -c 'while true; do echo tick; sleep 1; done'\n"
        ),
    );
    a.ok(&["start", f.to_str().unwrap()]);
    a.wait_journal("labelled.service", "tick", 1, Duration::from_secs(20));
    let st = a.status("labelled.service");
    assert_eq!(st["containers"].as_array().unwrap().len(), 1, "{st}");
    assert_eq!(st["containers"][0]["state"], "running");
    let id = st["containers"][0]["id"].as_str().unwrap().to_string();
    a.ok(&["stop", "labelled.service"]);
    let left = docker(&["ps", "-aq", "--filter", "label=corekit.unit=labelled.service"]);
    assert!(String::from_utf8_lossy(&left.stdout).trim().is_empty(), "container {id} was not removed");

    // A container named by a loaded unit that is not running is reported when the daemon starts.
    a.ok(&["load", repo_path("examples/croc.service").to_str().unwrap()]);
    assert!(docker(&["run", "-d", "--name", "croc_service", IMAGE, "sleep", "300"]).status.success());
    a.terminate(Duration::from_secs(30));
    a.spawn();
    let log = a.log();
    assert!(
        log.contains(&format!("unit-run: container croc_service ({IMAGE}, running) was left by croc.service, which is not running")),
        "{log}"
    );
    let _ = docker(&["rm", "-f", "croc_service"]);
}

#[test]
fn machine_shows_the_facts_a_scheduler_needs() {
    require_docker_and_registry();
    let a = Agent::start_with(&["--machine-id", "0123456789abcdef0123456789abcdef"]);
    let m: serde_json::Value = serde_json::from_str(&a.ok(&["machine", "-o", "json"])).unwrap();
    assert_eq!(m["machine_id"], "0123456789abcdef0123456789abcdef");
    let host = String::from_utf8(Command::new("hostname").output().unwrap().stdout).unwrap();
    assert_eq!(m["hostname"], host.trim());
    assert!(m["addresses"].as_array().unwrap().iter().any(|x| x == "127.0.0.1"), "{m}");
    assert_eq!(m["docker"]["available"], true, "{m}");
    let v = docker(&["version", "--format", "{{.Server.Version}}"]);
    assert_eq!(m["docker"]["version"], String::from_utf8_lossy(&v.stdout).trim());
    let text = a.ok(&["machine"]);
    assert!(text.starts_with("Machine ID: 0123456789abcdef0123456789abcdef\nHostname:   "), "{text}");
    assert!(text.contains("\nDocker:     "), "{text}");

    // Without an engine (DOCKER_HOST pointing nowhere) machine says so, and a unit that
    // requires docker.service fails to start with the reason.
    let b = Agent::start_env(&[], &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    let m: serde_json::Value = serde_json::from_str(&b.ok(&["machine", "-o", "json"])).unwrap();
    assert_eq!(m["docker"]["available"], false, "{m}");
    assert!(m["docker"]["error"].as_str().unwrap().starts_with("Docker engine: version: "), "{m}");
    assert!(b.ok(&["machine"]).contains("\nDocker:     unavailable (Docker engine: version: "));
    let needs_docker = tempfile::tempdir().unwrap();
    let croc = std::fs::read_to_string(repo_path("examples/croc.service")).unwrap();
    let unit = needs_docker.path().join("croc.service");
    std::fs::write(
        &unit,
        croc.replace("After=docker.service\n", "After=docker.service\nRequires=docker.service\n"),
    )
    .unwrap();
    let out = b.cmd(&["start", unit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Dependency failed for croc.service: docker.service: Docker engine: version: "),
        "{err}"
    );
}

/// The seed's unit, exactly: only its image points at the local registry (there is no other).
#[test]
fn examples_croc_service_is_the_seeds() {
    let seed = std::fs::read_to_string(repo_path("../shared/seed/croc.service")).unwrap();
    let ours = seed
        .replace("docker pull busybox", "docker pull 127.0.0.1:5000/busybox")
        .replace("croc_service busybox ", "croc_service 127.0.0.1:5000/busybox ");
    assert_ne!(ours, seed);
    for p in ["examples/croc.service", "examples/seed-cluster/croc.service"] {
        assert_eq!(std::fs::read_to_string(repo_path(p)).unwrap(), ours, "{p}");
    }
}

/// Units that run docker behind a wrapper — `env` with its options and assignments, `sh -c` with
/// a script — still own their named containers: status shows them, stop removes them.
#[test]
fn containers_run_through_env_or_sh_c_are_the_units_and_go_with_it() {
    require_docker_and_registry();
    let _ = docker(&["pull", IMAGE]);
    // The container ignores SIGTERM, so only unit-run's removal can make it go.
    let body = "/bin/sh -c 'trap \"\" TERM; while true; do echo tick; sleep 1; done'";
    let units = [
        ("via-env", format!("/usr/bin/env -u HOME WRAPPED=1 docker run --name wrapped_env {IMAGE} {body}")),
        (
            "via-sh",
            format!(
                "/bin/sh -c \"docker rm -f wrapped_sh >/dev/null 2>&1; exec docker run --name wrapped_sh {IMAGE} {}\"",
                body.replace('"', "\\\"")
            ),
        ),
    ];
    let a = Agent::start();
    for (unit, exec) in &units {
        let name = if *unit == "via-env" { "wrapped_env" } else { "wrapped_sh" };
        let _ = docker(&["rm", "-f", name]);
        let f = a.unit_file(
            &format!("{unit}.service"),
            &format!("[Service]\nTimeoutStopSec=2\nExecStart={exec}\n"),
        );
        a.ok(&["start", f.to_str().unwrap()]);
        a.wait_journal(&format!("{unit}.service"), "tick", 1, Duration::from_secs(20));
        assert!(docker_container_exists(name), "{unit}: no container {name}");
        let st = a.status(&format!("{unit}.service"));
        let names: Vec<&str> =
            st["containers"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, [name], "{unit}: {st}");
        a.ok(&["stop", &format!("{unit}.service")]);
        assert!(!docker_container_exists(name), "{unit}: container {name} was left behind");
    }
}
