//! The seed's whole walkthrough on one computer: `examples/seed-cluster/up.sh` boots three
//! machines (Docker containers on a private network) from the seed's cloud-config with a fresh
//! discovery token, then the seed's commands run on them as its reader ran them — `etcdctl
//! cluster-health`, `set`/`get` on different machines, both curl calls, backends announced to an
//! nginx, `fleetctl load|start|status|stop|destroy croc.service` (etcdctl and fleetctl are kv
//! and unit-sched) — a machine is killed under croc.service, and `down.sh` leaves nothing.
//!
//! Needs root, the Docker engine, the local registry (.ci/registry.sh), busybox-static, curl and
//! nginx; fails (never skips) without them.

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const NAME: &str = "corekit-test-m";
const NET: &str = "corekit-test-seed";

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn env(state: &str) -> Vec<(&'static str, String)> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_kv-serve")).parent().unwrap().display().to_string();
    vec![
        ("COREKIT_BIN_DIR", bin),
        ("COREKIT_SEED_DIR", state.to_string()),
        ("COREKIT_SEED_NET", NET.to_string()),
        ("COREKIT_SEED_SUBNET", "172.31.251".to_string()),
        ("COREKIT_SEED_NAME", NAME.to_string()),
        ("COREKIT_SEED_IMAGE", "corekit-machine:test".to_string()),
        ("COREKIT_SEED_STORE_IP", "127.0.0.78".to_string()),
    ]
}

fn script(name: &str, state: &str) -> Output {
    Command::new(repo(&format!("examples/seed-cluster/{name}"))).envs(env(state)).output().unwrap()
}

/// `sh -c CMD` on machine `i` (1-based), as `docker exec` gives a shell there.
fn on(i: usize, cmd: &str) -> (String, String, i32) {
    let o = Command::new("docker").args(["exec", &format!("{NAME}{i}"), "sh", "-c", cmd]).output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

fn ok(i: usize, cmd: &str) -> String {
    let (out, err, code) = on(i, cmd);
    assert_eq!(code, 0, "m{i}: {cmd}: {out}{err}");
    out
}

/// The machine (1-based) a unit is active on, from `fleetctl list-units` on machine `from`.
fn active_on(from: usize, unit: &str) -> Option<usize> {
    let (out, _, _) = on(from, "fleetctl list-units --no-legend");
    out.lines()
        .find(|l| l.starts_with(unit) && l.contains("\tactive"))
        .and_then(|l| (1..=3).find(|i| l.contains(&format!("172.31.251.1{i}\t"))))
}

struct Down(String);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = script("down.sh", &self.0);
    }
}

#[test]
fn the_seeds_walkthrough_on_three_machines_from_one_cloud_config() {
    assert!(Command::new("docker").arg("version").output().unwrap().status.success(), "no Docker engine");
    assert!(
        ureq::get("http://127.0.0.1:5000/v2/").call().is_ok(),
        "no registry on 127.0.0.1:5000: .ci/registry.sh"
    );
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().join("seed").display().to_string();
    let _ = script("down.sh", &state_dir);
    let _down = Down(state_dir.clone());

    // Boot.
    let t0 = Instant::now();
    let up = script("up.sh", &state_dir);
    let (out, err) = (String::from_utf8_lossy(&up.stdout), String::from_utf8_lossy(&up.stderr));
    assert!(up.status.success(), "up.sh failed:\n{out}\n{err}");
    eprintln!("up.sh took {:.1}s: {}", t0.elapsed().as_secs_f64(), err.trim());
    let eps = "http://172.31.251.11:2379,http://172.31.251.12:2379,http://172.31.251.13:2379";
    assert!(out.ends_with(&format!("export KV_ENDPOINTS={eps}\n")), "{out}");

    // 2. cluster-health on any machine: three healthy members on their private addresses.
    let health = ok(1, "etcdctl cluster-health");
    let lines: Vec<&str> = health.lines().collect();
    assert_eq!(lines.len(), 4, "{health}");
    for l in &lines[..3] {
        let (id, rest) = l.strip_prefix("member ").and_then(|r| r.split_once(' ')).unwrap_or(("", ""));
        assert!(id.len() >= 8 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{l}");
        assert!(rest.starts_with("is healthy: got healthy result from http://172.31.251.1"), "{l}");
        assert!(rest.ends_with(":2379"), "{l}");
    }
    assert_eq!(lines[3], "cluster is healthy");

    // 3. Keys: set on one machine, get on another; the same through curl; and from the host.
    assert_eq!(ok(1, "etcdctl set /message 'CROC Cloud'"), "CROC Cloud\n");
    assert_eq!(ok(2, "etcdctl get /message"), "CROC Cloud\n");
    let put = ok(3, "curl -sL http://127.0.0.1:2379/v2/keys/message -XPUT -d value='CROC Cloud'");
    let v: serde_json::Value = serde_json::from_str(&put).unwrap();
    assert_eq!(
        (v["action"].as_str(), v["node"]["value"].as_str()),
        (Some("set"), Some("CROC Cloud")),
        "{put}"
    );
    assert_eq!(v["prevNode"]["value"], "CROC Cloud", "{put}");
    let get = ok(3, "curl -sL http://127.0.0.1:2379/v2/keys/message");
    let g: serde_json::Value = serde_json::from_str(&get).unwrap();
    assert_eq!(g["action"], "get");
    assert_eq!(g["node"]["modifiedIndex"], v["node"]["modifiedIndex"]);
    let host = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args(["--endpoints", eps, "get", "/message"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&host.stdout), "CROC Cloud\n");

    // 4. Backends announce themselves; a config updater regenerates nginx's config.
    ok(
        1,
        "fleetctl start web@8080.service web@8081.service web-announce@8080.service web-announce@8081.service",
    );
    ok(1, "fleetctl start web-lb-render.service nginx-lb.service");
    let lb = active_on(1, "nginx-lb.service").expect("nginx-lb.service runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ok(2, "disco list web").lines().count() != 2 {
        assert!(Instant::now() < deadline, "the two backends are not announced");
        std::thread::sleep(Duration::from_millis(300));
    }
    let conf = ok(lb, "cat /run/nginx-lb/nginx.conf");
    assert_eq!(conf.matches("        server 172.31.251.1").count(), 2, "{conf}");
    let body = ok(2, &format!("curl -sf http://172.31.251.1{lb}/"));
    assert_eq!(body, "hello from a corekit machine\n");
    // A backend stops: its sidekick withdraws it, nginx's config drops it, requests go on.
    ok(1, "fleetctl stop web@8080.service");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ok(lb, "cat /run/nginx-lb/nginx.conf").matches("        server 172.31.251.1").count() != 1 {
        assert!(Instant::now() < deadline, "nginx's config did not drop the stopped backend");
        std::thread::sleep(Duration::from_millis(300));
    }
    for _ in 0..4 {
        assert_eq!(ok(3, &format!("curl -sf http://172.31.251.1{lb}/")), "hello from a corekit machine\n");
    }

    // 5. croc.service, the seed's fleetctl commands with the seed's output.
    let (out, err, code) = on(1, "fleetctl load croc.service");
    assert_eq!(code, 0, "{err}");
    let l: Vec<&str> = out.lines().collect();
    assert_eq!(l.len(), 2, "{out}");
    assert_eq!(l[0], "Unit croc.service inactive");
    let shape = |line: &str, verb: &str| {
        let rest =
            line.strip_prefix(&format!("Unit croc.service {verb} on ")).unwrap_or_else(|| panic!("{line}"));
        let (id, ip) = rest.split_once(".../").unwrap_or_else(|| panic!("{line}"));
        assert!(id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
        ip.strip_prefix("172.31.251.1")
            .and_then(|x| x.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("{line}"))
    };
    let at = shape(l[1], "loaded");
    let out = ok(2, "fleetctl start croc.service");
    assert_eq!(shape(out.trim_end(), "launched"), at);
    let other = at % 3 + 1;
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let s = ok(other, "fleetctl status croc.service");
        if s.matches(": CROC Cloud").count() >= 3 {
            break s;
        }
        assert!(Instant::now() < deadline, "{s}");
        std::thread::sleep(Duration::from_millis(500));
    };
    common::sched::assert_croc_status_shape(&status);
    assert!(status.contains("(docker)"), "{status}");
    assert!(status.contains(&format!(" m{at} docker[")), "journal lines name the machine: {status}");
    assert!(
        status.contains(&format!(" m{at} unit-run[")) && status.contains("]: Started CROC Example Service."),
        "{status}"
    );
    let (out, err, code) = on(3, "fleetctl stop croc.service");
    assert_eq!(
        (shape(out.trim_end(), "loaded"), err.as_str(), code),
        (at, "Successfully stopped units [croc.service].\n", 0)
    );
    let status = ok(1, "fleetctl status croc.service");
    assert!(status.contains("   Active: inactive (dead)"), "{status}");
    assert_eq!(ok(2, "fleetctl destroy croc.service"), "Destroyed croc.service\n");
    let (out, err, code) = on(3, "fleetctl status croc.service");
    assert_eq!((out.as_str(), err.as_str(), code), ("", "Unit croc.service does not exist.\n", 1));
    assert!(!common::agent::docker_container_exists("croc_service"));

    // A machine dies under croc.service: the store keeps serving, cluster-health says the
    // member is gone, and croc.service runs on another machine within the agent TTL (30 s) + 2 s.
    ok(1, "fleetctl start croc.service");
    let victim = active_on(1, "croc.service").expect("croc.service runs");
    let alive = victim % 3 + 1;
    assert!(
        Command::new("docker").args(["kill", &format!("{NAME}{victim}")]).output().unwrap().status.success()
    );
    let killed = Instant::now();
    let (out, _, code) = on(alive, "etcdctl cluster-health");
    assert_eq!(code, 5, "{out}");
    assert!(out.contains(&format!("is unreachable: [http://172.31.251.1{victim}:2379 ")), "{out}");
    assert!(out.ends_with("cluster is degraded\n"), "{out}");
    assert_eq!(ok(alive, "etcdctl set /after 'one machine down'"), "one machine down\n");
    let moved = loop {
        if let Some(m) = active_on(alive, "croc.service").filter(|&m| m != victim) {
            break (killed.elapsed(), m);
        }
        assert!(killed.elapsed() < Duration::from_secs(60), "croc.service did not move");
        std::thread::sleep(Duration::from_millis(250));
    };
    eprintln!(
        "croc.service ran on m{} {:.1}s after m{victim} was killed (agent TTL 30 s)",
        moved.1,
        moved.0.as_secs_f64()
    );
    assert!(moved.0 <= Duration::from_secs(32), "{moved:?}");

    // down.sh leaves nothing: no machine, network, container, process or file.
    drop(_down);
    let ps = Command::new("docker").args(["ps", "-a", "--format", "{{.Names}}"]).output().unwrap();
    let names = String::from_utf8_lossy(&ps.stdout);
    assert!(!names.lines().any(|n| n.starts_with(NAME) || n == "croc_service"), "{names}");
    let nets = Command::new("docker").args(["network", "ls", "--format", "{{.Name}}"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&nets.stdout).lines().any(|n| n == NET));
    assert!(!std::path::Path::new(&state_dir).exists());
    assert!(
        common::agent::pids_with("127.0.0.78").is_empty(),
        "the discovery service or its store still runs"
    );
}
