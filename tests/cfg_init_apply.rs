//! `cfg-init apply` for real, under `--root` a temporary directory: the files, modes, owners and
//! contents that land, a dry run that touches nothing, a second run that changes nothing; the
//! address sources (flags, a metadata service on 127.0.0.81, a config drive, the environment,
//! /etc/environment) and `\$`; and units run through a real `unit-run daemon` — kv-serve started
//! from the seed's cloud-config and listening where it says, commands in dependency order.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::agent::{Agent, pids_with};
use serde_json::Value;

const CFG_INIT: &str = env!("CARGO_BIN_EXE_cfg-init");

/// A machine's root in a temp dir: a passwd/group/shadow with root and core, /etc/hosts and
/// /etc/environment with lines of their own.
fn machine() -> tempfile::TempDir {
    let d = tempfile::Builder::new().prefix("cfg-init-root").tempdir().unwrap();
    let etc = d.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        etc.join("passwd"),
        "root:x:0:0:root:/root:/bin/sh\ncore:x:500:500:CoreOS Admin:/home/core:/bin/bash\n",
    )
    .unwrap();
    std::fs::write(etc.join("group"), "root:x:0:\ncore:x:500:\ndocker:x:233:core\n").unwrap();
    std::fs::write(etc.join("shadow"), "root:*:19000:0:99999:7:::\ncore:*:19000:0:99999:7:::\n").unwrap();
    std::fs::write(etc.join("gshadow"), "root:*::\ncore:!::\ndocker:!::core\n").unwrap();
    std::fs::write(etc.join("hosts"), "127.0.0.1 localhost\n::1 localhost ip6-localhost\n").unwrap();
    std::fs::write(etc.join("environment"), "PATH=/usr/bin:/bin\n").unwrap();
    std::fs::create_dir_all(d.path().join("home/core")).unwrap();
    std::os::unix::fs::chown(d.path().join("home/core"), Some(500), Some(500)).unwrap();
    d
}

fn cfg_init(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(CFG_INIT);
    c.args(args)
        .env_remove("COREKIT_RUN_DIR")
        .env_remove("COREOS_PRIVATE_IPV4")
        .env_remove("COREOS_PUBLIC_IPV4");
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut w = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        w.write_all(s.as_bytes()).unwrap();
    }
    drop(w);
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "cfg-init failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Every file under `dir` with its mode, owner and contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u32, u32, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p.clone());
            }
            let data = if m.is_file() { std::fs::read(&p).unwrap() } else { Vec::new() };
            out.push((p, m.permissions().mode(), m.uid(), m.gid(), data));
        }
    }
    out.sort();
    out
}

const FULL: &str = r#"#cloud-config
hostname: node-$private_ipv4
users:
  - name: alice
    passwd: $6$rounds=4096$salt$hash
    gecos: Alice Example
    groups: [docker]
    ssh_authorized_keys:
      - ssh-ed25519 AAAAalice alice@laptop
  - name: core
    passwd: $6$new$corehash
ssh_authorized_keys:
  - ssh-rsa AAAAcore core@seed
write_files:
  - path: /etc/motd
    content: |
      Welcome to $private_ipv4
      not substituted: \$private_ipv4
  - path: /opt/app/secret.conf
    permissions: "0600"
    owner: core:docker
    encoding: b64
    content: c2VjcmV0Cg==
  - path: /opt/app/zipped
    permissions: 0755
    encoding: gzip+base64
    content: H4sIAKgdh1QAAwtITM5WyK1USMqvUCjPLMlQSMssS1VIya9KzVPIySwszS9SyCpNLwYARQFQ5CcAAAA=
manage_etc_hosts: localhost
coreos:
  etcd2:
    name: node "one" $HOME
    advertise-client-urls: http://$private_ipv4:2379
    listen-client-urls: http://$private_ipv4:2379
    debug: false
    snapshot-count: 0x10
  fleet:
    public-ip: $private_ipv4
    metadata: region=us-west,disk=ssd
    agent-ttl: 30s
  update:
    reboot-strategy: "off"
"#;

#[test]
fn apply_under_a_root_lands_every_file_once() {
    let m = machine();
    let root = m.path().to_str().unwrap().to_string();
    let run = format!("{root}/run/corekit");
    let args = |extra: &[&str]| {
        let mut a = vec!["apply", "--root", &root, "--private-ipv4", "10.0.0.5"];
        a.extend_from_slice(extra);
        a.push("-");
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let before = snapshot(m.path());

    // A dry run prints every change with the files' full contents, and changes nothing.
    let a = args(&["--dry-run"]);
    let out = ok(&cfg_init(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(FULL), &[]));
    assert_eq!(snapshot(m.path()), before, "the dry run changed the root");
    for want in [
        "would   hostname:",
        "| node-10.0.0.5",
        "useradd --root",
        "--comment Alice Example --create-home --groups docker alice",
        "chpasswd -e --root",
        "| Welcome to 10.0.0.5",
        "| not substituted: $private_ipv4",
        "| ETCD_NAME=\"node \\\"one\\\" \\$HOME\"",
        "| FLEET_PUBLIC_IP=\"10.0.0.5\"",
        "| 127.0.0.1 node-10.0.0.5 # cfg-init: manage_etc_hosts",
    ] {
        assert!(out.contains(want), "the dry run does not show {want:?}:\n{out}");
    }

    // The real thing.
    let a = args(&[]);
    let out = ok(&cfg_init(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(FULL), &[]));
    let read =
        |p: &str| std::fs::read_to_string(format!("{root}{p}")).unwrap_or_else(|e| panic!("{p}: {e}\n{out}"));
    let meta = |p: &str| std::fs::metadata(format!("{root}{p}")).unwrap();
    assert_eq!(read("/etc/hostname"), "node-10.0.0.5\n");
    assert_eq!(read("/etc/motd"), "Welcome to 10.0.0.5\nnot substituted: $private_ipv4\n");
    assert_eq!(meta("/etc/motd").permissions().mode() & 0o7777, 0o644);
    assert_eq!(read("/opt/app/secret.conf"), "secret\n");
    let s = meta("/opt/app/secret.conf");
    assert_eq!((s.permissions().mode() & 0o7777, s.uid(), s.gid()), (0o600, 500, 233));
    assert_eq!(meta("/opt/app").permissions().mode() & 0o7777, 0o755);
    assert_eq!(read("/opt/app/zipped"), "Pack my box with five dozen liquor jugs");
    assert_eq!(meta("/opt/app/zipped").permissions().mode() & 0o7777, 0o755);
    // useradd --root made alice; chpasswd -e --root set core's hash.
    assert!(read("/etc/passwd").contains("\nalice:x:"), "{}", read("/etc/passwd"));
    assert!(read("/etc/shadow").contains("alice:$6$rounds=4096$salt$hash:"));
    assert!(read("/etc/shadow").contains("core:$6$new$corehash:"));
    assert!(read("/etc/group").contains("docker:x:233:core,alice"), "{}", read("/etc/group"));
    // Keys: core's from ssh_authorized_keys, alice's own; 0600, owned by the user.
    let keys = read("/home/core/.ssh/authorized_keys");
    assert!(
        keys.contains("# cfg-init: begin coreos-cloudinit")
            && keys.contains("\nssh-rsa AAAAcore core@seed\n"),
        "{keys}"
    );
    let k = meta("/home/core/.ssh/authorized_keys");
    assert_eq!((k.permissions().mode() & 0o7777, k.uid(), k.gid()), (0o600, 500, 500));
    assert!(read("/home/alice/.ssh/authorized_keys").contains("ssh-ed25519 AAAAalice alice@laptop"));
    // /etc/hosts and /etc/environment keep their lines.
    assert_eq!(
        read("/etc/hosts"),
        "127.0.0.1 localhost\n::1 localhost ip6-localhost\n127.0.0.1 node-10.0.0.5 # cfg-init: manage_etc_hosts\n"
    );
    assert_eq!(read("/etc/environment"), "PATH=/usr/bin:/bin\nCOREOS_PRIVATE_IPV4=\"10.0.0.5\"\n");
    assert_eq!(read("/etc/coreos/update.conf"), "REBOOT_STRATEGY=off\n");
    // The env files: ETCD_*/FLEET_* in field order, quoted and escaped, explicit false kept.
    let kv = read("/run/corekit/kv-serve.env");
    let body: Vec<&str> = kv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        body,
        [
            "ETCD_ADVERTISE_CLIENT_URLS=\"http://10.0.0.5:2379\"",
            "ETCD_DEBUG=\"false\"",
            "ETCD_LISTEN_CLIENT_URLS=\"http://10.0.0.5:2379\"",
            "ETCD_NAME=\"node \\\"one\\\" \\$HOME\"",
            "ETCD_SNAPSHOT_COUNT=\"16\"",
        ]
    );
    assert_eq!(meta("/run/corekit/kv-serve.env").permissions().mode() & 0o777, 0o600);
    let parsed = corekit::unit::environment::parse_environment_file(&kv).unwrap();
    assert!(parsed.contains(&("ETCD_NAME".into(), "node \"one\" $HOME".into())));
    let fleet: Vec<String> = read("/run/corekit/unit-run.env")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert_eq!(
        fleet,
        [
            "FLEET_AGENT_TTL=\"30s\"",
            "FLEET_METADATA=\"region=us-west,disk=ssd\"",
            "FLEET_PUBLIC_IP=\"10.0.0.5\""
        ]
    );
    assert!(Path::new(&run).join("kv-serve.env").exists());

    // Again: nothing changes, and it says so.
    let after = snapshot(m.path());
    let out = ok(&cfg_init(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(FULL), &[]));
    assert!(out.contains("nothing changed: everything is already as the user-data says"), "{out}");
    assert_eq!(snapshot(m.path()), after);

    // -o json says the same.
    let mut j = a.clone();
    j.insert(1, "-o".into());
    j.insert(2, "json".into());
    let v: Value = serde_json::from_str(&ok(&cfg_init(
        &j.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(FULL),
        &[],
    )))
    .unwrap();
    assert_eq!(v["changed"], 0);
    assert!(v["unchanged"].as_u64().unwrap() >= 10);
}

#[test]
fn nothing_is_half_applied() {
    let m = machine();
    let root = m.path().to_str().unwrap();
    let before = snapshot(m.path());
    // A bad value: refused with its place, nothing written.
    let bad = "#cloud-config\nhostname: x\nwrite_files:\n  - path: /etc/a\n    content: a\ncoreos:\n  units:\n    - name: a.service\n      command: begin\n";
    let out = cfg_init(&["apply", "--root", root, "-"], Some(bad), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "-:9:16: error: invalid value begin\n-:9:16: hint: command is one of: start, stop, restart, reload, try-restart, reload-or-restart, reload-or-try-restart\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was changed"));
    // A token with no value: apply refuses (validate only warns).
    let tok = "#cloud-config\nhostname: node-$private_ipv4\n";
    let out = cfg_init(&["apply", "--root", root, "-"], Some(tok), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("-:2:16: error: $private_ipv4 has no value here: it cannot be substituted\n")
    );
    let out = cfg_init(&["validate", "--root", root, "-"], Some(tok), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("-:2:16: warning: $private_ipv4 has no value here: it would become empty\n")
    );
    assert_eq!(snapshot(m.path()), before);
}

/// A tiny EC2-style metadata service on 127.0.0.81: `paths` answer 200 with their body, others
/// 404; the first `fail_first` requests get a 500 (to see the retries). Counts requests.
fn metadata_service(paths: &[(&str, &str)], fail_first: usize) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.81:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let paths: Vec<(String, String)> = paths.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { return };
            let mut r = BufReader::new(c.try_clone().unwrap());
            let mut first = String::new();
            let _ = r.read_line(&mut first);
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                    break;
                }
            }
            let n = h.fetch_add(1, Ordering::SeqCst);
            let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, body) = if n < fail_first {
                ("500 Internal Server Error", String::new())
            } else {
                match paths.iter().find(|(p, _)| *p == path) {
                    Some((_, b)) => ("200 OK", b.clone()),
                    None => ("404 Not Found", String::new()),
                }
            };
            let _ = write!(
                c,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, hits)
}

fn addresses(args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut a = vec!["validate", "-o", "json"];
    a.extend_from_slice(args);
    a.push("-");
    let v: Value =
        serde_json::from_str(&ok(&cfg_init(&a, Some("#cloud-config\nhostname: x\n"), env))).unwrap();
    v["addresses"].clone()
}

#[test]
fn addresses_come_from_each_source_in_order() {
    let (url, hits) = metadata_service(
        &[
            ("/latest/meta-data/local-ipv4", "10.1.1.1"),
            ("/latest/meta-data/public-ipv4", "203.0.113.7"),
            ("/latest/meta-data/hostname", "meta-host"),
            ("/latest/meta-data/public-keys", "0=mykey"),
            ("/latest/meta-data/public-keys/0/openssh-key", "ssh-rsa AAAAmeta meta@ec2"),
            (
                "/latest/user-data",
                "#cloud-config\nwrite_files:\n  - path: /etc/ip\n    content: '$private_ipv4 $public_ipv4 \\$private_ipv4'\n",
            ),
        ],
        2,
    );
    // The metadata service (after two failed tries: retried).
    let a = addresses(&["--metadata-url", &url], &[]);
    assert_eq!(a["private_ipv4"]["value"], "10.1.1.1");
    assert_eq!(a["private_ipv4"]["origin"]["kind"], "metadata");
    assert_eq!(a["public_ipv4"]["value"], "203.0.113.7");
    assert!(hits.load(Ordering::SeqCst) >= 3);
    // Flags beat it.
    let a = addresses(&["--metadata-url", &url, "--private-ipv4", "10.9.9.9"], &[]);
    assert_eq!(a["private_ipv4"]["value"], "10.9.9.9");
    assert_eq!(a["public_ipv4"]["value"], "203.0.113.7");

    // A config drive: user-data and addresses (ec2/latest/meta-data.json), hostname, keys.
    let drive = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(drive.path().join("openstack/latest")).unwrap();
    std::fs::create_dir_all(drive.path().join("ec2/latest")).unwrap();
    std::fs::write(
        drive.path().join("ec2/latest/meta-data.json"),
        r#"{"local-ipv4":"172.16.0.4","public-ipv4":"198.51.100.4"}"#,
    )
    .unwrap();
    std::fs::write(
        drive.path().join("openstack/latest/meta_data.json"),
        r#"{"hostname":"drive-host","public_keys":{"k":"ssh-rsa AAAAdrive d@os"}}"#,
    )
    .unwrap();
    std::fs::write(
        drive.path().join("openstack/latest/user_data"),
        "#cloud-config\nhostname: h-$private_ipv4\n",
    )
    .unwrap();
    let d = drive.path().to_str().unwrap();
    let a = addresses(&["--config-drive", d], &[("COREOS_PRIVATE_IPV4", "10.7.7.7")]);
    assert_eq!(a["private_ipv4"]["value"], "172.16.0.4");
    assert_eq!(a["private_ipv4"]["origin"]["kind"], "config-drive");
    // The metadata service beats the config drive.
    let a = addresses(&["--config-drive", d, "--metadata-url", &url], &[]);
    assert_eq!(a["private_ipv4"]["value"], "10.1.1.1");

    // The environment, then ROOT/etc/environment.
    let m = machine();
    let root = m.path().to_str().unwrap();
    std::fs::write(
        m.path().join("etc/environment"),
        "COREOS_PRIVATE_IPV4=10.3.3.3\nCOREOS_PUBLIC_IPV6=2001:db8::3\n",
    )
    .unwrap();
    let a = addresses(&["--root", root], &[("COREOS_PRIVATE_IPV4", "10.2.2.2")]);
    assert_eq!(a["private_ipv4"]["value"], "10.2.2.2");
    assert_eq!(a["private_ipv4"]["origin"]["kind"], "environment");
    assert_eq!(a["public_ipv6"]["value"], "2001:db8::3");
    assert_eq!(a["public_ipv6"]["origin"]["kind"], "etc-environment");

    // User-data from the config drive, applied: substituted; metadata hostname and keys merged.
    let out = ok(&cfg_init(&["apply", "--root", root, "--config-drive", d, "--ssh-user", "core"], None, &[]));
    assert_eq!(std::fs::read_to_string(m.path().join("etc/hostname")).unwrap(), "h-172.16.0.4\n", "{out}");
    assert!(
        std::fs::read_to_string(m.path().join("home/core/.ssh/authorized_keys"))
            .unwrap()
            .contains("ssh-rsa AAAAdrive d@os")
    );
    // User-data from a URL (the metadata service's), `\$` kept literal.
    let ud = format!("{url}/latest/user-data");
    ok(&cfg_init(&["apply", "--root", root, "--metadata-url", &url, &ud], None, &[]));
    assert_eq!(
        std::fs::read_to_string(m.path().join("etc/ip")).unwrap(),
        "10.1.1.1 203.0.113.7 $private_ipv4"
    );
    assert!(
        std::fs::read_to_string(m.path().join("home/core/.ssh/authorized_keys"))
            .unwrap()
            .contains("ssh-rsa AAAAmeta meta@ec2")
    );

    // A metadata service that does not answer: exit 3 after the retries, nothing changed.
    let dead = TcpListener::bind("127.0.0.81:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let t = Instant::now();
    let out = cfg_init(
        &[
            "validate",
            "--metadata-url",
            &dead_url,
            "--metadata-retries",
            "2",
            "--metadata-timeout",
            "0.5",
            "-",
        ],
        Some("#cloud-config\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("after 3 tries"));
    assert!(t.elapsed() < Duration::from_secs(10));
}

/// The `unit-run daemon` pids serving `run_dir`.
fn daemon_pids(run_dir: &Path) -> Vec<i32> {
    pids_with(&format!("--run-dir {} daemon", run_dir.display()))
}

fn http_get(url: &str) -> Option<String> {
    let agent = common::agent(Duration::from_secs(2));
    let mut r = agent.get(url).call().ok()?;
    r.body_mut().read_to_string().ok()
}

#[test]
fn the_seeds_units_start_kv_serve_through_a_unit_run_daemon_cfg_init_starts() {
    let m = machine();
    let root = m.path().to_str().unwrap().to_string();
    let run = m.path().join("run/corekit");
    // The seed's cloud-config as the re-indented seed has it, with two changes a test on a
    // shared machine needs: kv-serve (on main) does not do --discovery yet, so no token; and
    // it listens on its own address, not 0.0.0.0. fleet.service is left out: unit-sched is not
    // built yet (units/unit-sched.service runs it once it is).
    let seed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cloudconfig/corpus/seed.yml"))
            .unwrap();
    let cfg = seed
        .replace("    discovery: https://discovery.etcd.io/c41cda8c66f2198faa4f27f4d9d9cc27\n", "")
        .replace(
            "http://0.0.0.0:2379,http://0.0.0.0:4001",
            "http://$private_ipv4:2379,http://$private_ipv4:4001",
        )
        .replace("    - name: fleet.service\n      command: start\n", "");
    assert!(!cfg.contains("discovery:") && !cfg.contains("fleet") && !cfg.contains("0.0.0.0"));
    let ip = "127.0.0.82";
    let out = cfg_init(&["apply", "--root", &root, "--private-ipv4", ip, "-"], Some(&cfg), &[]);
    let cleanup = || {
        for pid in daemon_pids(&run) {
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while !daemon_pids(&run).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        let log = std::fs::read_to_string(run.join("unit-run.log")).unwrap_or_default();
        cleanup();
        panic!("apply failed: {text}\n{}\ndaemon log:\n{log}", String::from_utf8_lossy(&out.stderr));
    }
    let result = std::panic::catch_unwind(|| {
        assert!(text.contains("no unit-run daemon answered: started `"), "{text}");
        assert!(
            text.contains("changed coreos.units kv-serve.service: command start: kv-serve.service: started"),
            "{text}"
        );
        assert_eq!(daemon_pids(&run).len(), 1);
        // kv-serve answers where the config says: clients on $private_ipv4:2379 and :4001.
        // (A started kv-serve serves clients once it has elected itself and published its URLs.)
        for port in [2379, 4001] {
            let url = format!("http://{ip}:{port}/version");
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut v = http_get(&url);
            while v.is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
                v = http_get(&url);
            }
            assert!(
                v.as_deref().is_some_and(|b| b.contains("etcdserver")),
                "no kv-serve on {ip}:{port}: {v:?}\n{text}"
            );
        }
        let members = http_get(&format!("http://{ip}:2379/v2/members")).unwrap();
        assert!(
            members.contains(&format!("http://{ip}:2380")) && members.contains(&format!("http://{ip}:2379")),
            "{members}"
        );
        // Its data is under the root, its environment file in the run dir.
        assert!(m.path().join("var/lib/corekit/kv-serve").is_dir());
        // A second apply changes nothing.
        let again = ok(&cfg_init(&["apply", "--root", &root, "--private-ipv4", ip, "-"], Some(&cfg), &[]));
        assert!(again.contains("nothing changed"), "{again}");
        assert!(again.contains("ok      coreos.units kv-serve.service: command start: kv-serve.service: nothing to do (already running"), "{again}");
    });
    cleanup();
    assert!(daemon_pids(&run).is_empty(), "the daemon did not stop");
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn the_seed_with_a_token_gives_the_env_file_kv_serve_reads() {
    // The seed's cloud-config as it is, with a fresh token, on a machine whose private address
    // is 127.0.0.21: the dry run shows kv-serve.env. (fleet.service needs unit-sched, which is
    // not built yet: a stand-in beside the real kv-serve and unit-run lets the plan through.)
    let bin = tempfile::tempdir().unwrap();
    let real = Path::new(CFG_INIT).parent().unwrap();
    for b in ["kv-serve", "unit-run"] {
        std::os::unix::fs::symlink(real.join(b), bin.path().join(b)).unwrap();
    }
    std::fs::write(bin.path().join("unit-sched"), "#!/bin/sh\nexec sleep 1000\n").unwrap();
    std::fs::set_permissions(bin.path().join("unit-sched"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let m = machine();
    let root = m.path().to_str().unwrap();
    let seed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cloudconfig/corpus/seed.yml"))
            .unwrap();
    let token = "https://discovery.etcd.io/5d3e0b8f2f9c4a1e8b7d6c5a4f3e2d1c";
    let cfg = seed.replace("https://discovery.etcd.io/c41cda8c66f2198faa4f27f4d9d9cc27", token);
    let before = snapshot(m.path());
    let out = ok(&cfg_init(
        &[
            "apply",
            "-o",
            "json",
            "--dry-run",
            "--root",
            root,
            "--bin-dir",
            bin.path().to_str().unwrap(),
            "--private-ipv4",
            "127.0.0.21",
            "-",
        ],
        Some(&cfg),
        &[],
    ));
    assert_eq!(snapshot(m.path()), before);
    let v: Value = serde_json::from_str(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let env = changes
        .iter()
        .find(|c| c["target"].as_str().unwrap().ends_with("/run/corekit/kv-serve.env"))
        .unwrap();
    let text = env["detail"].as_str().unwrap();
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        body,
        [
            "ETCD_ADVERTISE_CLIENT_URLS=\"http://127.0.0.21:2379,http://127.0.0.21:4001\"",
            &format!("ETCD_DISCOVERY=\"{token}\""),
            "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"http://127.0.0.21:2380\"",
            "ETCD_LISTEN_CLIENT_URLS=\"http://0.0.0.0:2379,http://0.0.0.0:4001\"",
            "ETCD_LISTEN_PEER_URLS=\"http://127.0.0.21:2380\"",
        ]
    );
    // Read as kv-serve.service reads it (unit-run's EnvironmentFile parser), every value is the
    // cloud-config's.
    let pairs = corekit::unit::environment::parse_environment_file(text).unwrap();
    assert_eq!(pairs[1], ("ETCD_DISCOVERY".to_string(), token.to_string()));
    // kv-serve.service loads the env file from the run dir and runs the kv-serve beside it;
    // fleet.service is unit-sched.service; both are started (in that order: unit-sched is
    // After=kv-serve).
    let loads: Vec<&str> =
        changes.iter().filter(|c| c["kind"] == "load").map(|c| c["target"].as_str().unwrap()).collect();
    assert_eq!(loads, ["kv-serve.service", "unit-sched.service"]);
    let kv =
        changes.iter().find(|c| c["kind"] == "load" && c["target"] == "kv-serve.service").unwrap()["detail"]
            .as_str()
            .unwrap();
    assert!(kv.contains(&format!("EnvironmentFile=-{root}/run/corekit/kv-serve.env")), "{kv}");
    assert!(kv.contains(&format!("ExecStart={}/kv-serve", bin.path().display())), "{kv}");
    let jobs: Vec<String> = changes
        .iter()
        .filter(|c| c["kind"] == "job")
        .map(|c| c["what"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        jobs,
        ["coreos.units kv-serve.service: command start", "coreos.units unit-sched.service: command start"]
    );
}

#[test]
fn unit_commands_run_in_dependency_order_through_the_agent() {
    let agent = Agent::start();
    let m = machine();
    let root = m.path().to_str().unwrap();
    let log = m.path().join("order.log");
    let unit = |name: &str, deps: &str| {
        format!(
            "    - name: {name}.service\n      command: start\n      content: |\n        [Unit]\n        {deps}\n        [Service]\n        Type=oneshot\n        RemainAfterExit=yes\n        ExecStart=/bin/sh -c 'echo {name} >> {}'\n",
            log.display()
        )
    };
    // Listed web, app, db: web needs app, app needs db.
    let cfg = format!(
        "#cloud-config\ncoreos:\n  units:\n{}{}{}",
        unit("web", "After=app.service"),
        unit("app", "Requires=db.service"),
        unit("db", "Description=db")
    );
    let run = agent.run_dir();
    let out =
        ok(&cfg_init(&["apply", "--root", root, "--run-dir", run.to_str().unwrap(), "-"], Some(&cfg), &[]));
    assert!(out.contains("a unit-run daemon answers"), "{out}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "db\napp\nweb\n", "{out}");
    for u in ["db.service", "app.service", "web.service"] {
        assert_eq!(agent.state(u), ("active".to_string(), "exited".to_string()));
    }
    // Again: nothing runs twice.
    let out =
        ok(&cfg_init(&["apply", "--root", root, "--run-dir", run.to_str().unwrap(), "-"], Some(&cfg), &[]));
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "db\napp\nweb\n");
    // A changed unit is restarted by `start` (its configuration changed) — and app, which
    // Requires= it, with it (systemd's rule, which unit-run follows).
    let cfg2 = cfg.replace("echo db", "echo db2");
    let out =
        ok(&cfg_init(&["apply", "--root", root, "--run-dir", run.to_str().unwrap(), "-"], Some(&cfg2), &[]));
    assert!(out.contains("db.service: restarted: its configuration changed"), "{out}");
    let log_text = std::fs::read_to_string(&log).unwrap();
    let mut tail: Vec<&str> = log_text.lines().skip(3).collect();
    tail.sort();
    assert_eq!(tail, ["app", "db2"], "{log_text}");
}

#[test]
fn a_script_runs_once_as_a_unit() {
    let agent = Agent::start();
    let m = machine();
    let root = m.path().to_str().unwrap();
    let mark = m.path().join("ran");
    let script = format!("#!/bin/sh\necho \"$private_ipv4\" >> {}\n", mark.display());
    let run = agent.run_dir();
    let args =
        ["apply", "--root", root, "--run-dir", run.to_str().unwrap(), "--private-ipv4", "10.0.0.9", "-"];
    ok(&cfg_init(&args, Some(&script), &[]));
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "10.0.0.9\n");
    let out = ok(&cfg_init(&args, Some(&script), &[]));
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "10.0.0.9\n");
}

/// A boot script starts `unit-run daemon` and runs `cfg-init apply` right after, before the
/// daemon answers (a CI run once saw cfg-init start a second daemon that won the run dir's
/// lock, so the boot's own daemon exited and the seed machine stopped). Once the first daemon
/// holds the lock, cfg-init waits for it: one daemon, the first, and the unit started through
/// it, whenever cfg-init comes. Started at the very same moment (before the first has reached
/// its lock), one of the two wins: still one daemon, and the unit started.
#[test]
fn a_daemon_started_just_before_cfg_init_is_waited_for_not_doubled() {
    let unit_run = Path::new(CFG_INIT).with_file_name("unit-run");
    let cfg = "#cloud-config\ncoreos:\n  units:\n    - name: hello.service\n      command: start\n      content: |\n        [Service]\n        Type=oneshot\n        RemainAfterExit=yes\n        ExecStart=/bin/true\n";
    let mut waited = 0;
    for round in 0..16u64 {
        let m = machine();
        let root = m.path().to_str().unwrap();
        let run = m.path().join("run/corekit");
        std::fs::create_dir_all(&run).unwrap();
        let log = std::fs::File::create(m.path().join("first.log")).unwrap();
        let mut first = Command::new(&unit_run)
            .args(["--run-dir", run.to_str().unwrap(), "daemon", "--no-cgroups"])
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        // Odd rounds: cfg-init comes once the first daemon holds its lock, from at once to well
        // after it answers. Even rounds: at the same moment.
        let same_moment = round % 2 == 0;
        if !same_moment {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !corekit::agent::RunDir::new(&run).daemon_holds_lock() {
                assert!(Instant::now() < deadline, "round {round}: the first daemon took no lock");
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_millis((round / 2) * (round / 2)));
        }
        let out =
            cfg_init(&["apply", "--root", root, "--run-dir", run.to_str().unwrap(), "-"], Some(cfg), &[]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // A daemon that lost the lock may not have got as far as trying it yet: let it.
        let deadline = Instant::now() + Duration::from_secs(10);
        while daemon_pids(&run).len() > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let pids = daemon_pids(&run);
        let first_alive = matches!(first.try_wait(), Ok(None));
        for pid in &pids {
            unsafe { libc::kill(*pid, libc::SIGTERM) };
        }
        let _ = first.wait();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !daemon_pids(&run).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let first_log = std::fs::read_to_string(m.path().join("first.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "round {round}: {text}\n{}\nfirst daemon:\n{first_log}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("hello.service: command start: hello.service: started"),
            "round {round}: {text}"
        );
        assert_eq!(pids.len(), 1, "round {round}: {pids:?}\n{text}");
        if same_moment {
            assert_eq!(first_alive, pids == vec![first.id() as i32], "round {round}: {text}");
        } else {
            assert!(first_alive, "round {round}: the first daemon exited:\n{first_log}\n{text}");
            assert_eq!(pids, vec![first.id() as i32], "round {round}: {text}");
            assert!(!text.contains("started `"), "round {round}: {text}");
            waited += text.contains("a unit-run daemon was starting: it answers now") as usize;
        }
    }
    eprintln!("{waited} of 8 applies after the lock found the daemon starting and waited for it");
}

/// While a daemon holds the run dir's lock without answering yet, cfg-init starts none; once the
/// lock is free and nothing answers, it starts its own.
#[test]
fn cfg_init_starts_a_daemon_only_when_none_holds_the_lock() {
    let m = machine();
    let root = m.path().to_str().unwrap().to_string();
    let run = m.path().join("run/corekit");
    std::fs::create_dir_all(run.join("unit-run")).unwrap();
    let lock = std::fs::File::create(run.join("unit-run/lock")).unwrap();
    assert_eq!(unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) }, 0);
    let cfg = "#cloud-config\ncoreos:\n  units:\n    - name: hello.service\n      command: start\n      content: |\n        [Service]\n        ExecStart=/bin/sleep 1000\n";
    let run_s = run.to_str().unwrap().to_string();
    let apply = std::thread::spawn(move || {
        cfg_init(&["apply", "--root", &root, "--run-dir", &run_s, "-"], Some(cfg), &[])
    });
    std::thread::sleep(Duration::from_millis(1500));
    let started_meanwhile = daemon_pids(&run);
    let still_waiting = !apply.is_finished();
    drop(lock);
    let out = apply.join().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pids = daemon_pids(&run);
    for pid in &pids {
        unsafe { libc::kill(*pid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !daemon_pids(&run).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        started_meanwhile.is_empty(),
        "a daemon was started while the lock was held: {started_meanwhile:?}"
    );
    assert!(still_waiting, "cfg-init did not wait: {text}");
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("no unit-run daemon answered: started `"), "{text}");
    assert!(text.contains("hello.service: command start: hello.service: started"), "{text}");
    assert_eq!(pids.len(), 1, "{text}");
    assert!(daemon_pids(&run).is_empty(), "the daemon did not stop");
}

/// An HTTPS server (Python's, not ours) on 127.0.0.83 serving `/user-data` and an EC2-style
/// `local-ipv4`, with `cert`; with `client_ca`, it requires a client certificate from that CA.
struct HttpsServer {
    child: std::process::Child,
    url: String,
}

impl HttpsServer {
    fn start(cert: &common::certs::Pair, client_ca: Option<&Path>, user_data: &Path) -> HttpsServer {
        const SERVER: &str = r#"
import http.server, ssl, sys
cert, key, ca, user_data = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/user-data':
            body = open(user_data, 'rb').read()
        elif self.path == '/latest/meta-data/local-ipv4':
            body = b'10.9.8.7'
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(('127.0.0.83', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;
        let mut child = Command::new("python3")
            .args(["-c", SERVER])
            .arg(&cert.cert)
            .arg(&cert.key)
            .arg(client_ca.map(|p| p.to_str().unwrap()).unwrap_or(""))
            .arg(user_data)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().expect("the HTTPS server's port");
        HttpsServer { child, url: format!("https://127.0.0.83:{port}") }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User-data and the metadata service over HTTPS: refused from a server whose certificate does
/// not chain to a trusted CA, fetched with `--ca-file` (or etcdctl's environment names), a client
/// certificate given with `--cert-file`/`--key-file` where the server asks for one, and a bad
/// TLS file a usage error before anything is fetched or written.
#[test]
fn user_data_and_metadata_over_https_with_etcdctls_tls_flags() {
    let certs = tempfile::tempdir().unwrap();
    let ca = common::certs::Ca::new(certs.path(), "ca");
    let server = ca.issue("server", "metadata", &["127.0.0.83"]);
    let client = ca.issue("client", "machine", &["127.0.0.1"]);
    let user_data = certs.path().join("user-data");
    std::fs::write(
        &user_data,
        "#cloud-config\nwrite_files:\n  - path: /etc/addr\n    content: \"$private_ipv4\\n\"\n",
    )
    .unwrap();
    let ca_file = ca.cert.to_str().unwrap().to_string();
    let apply = |url: &str, extra: &[&str], env: &[(&str, &str)]| {
        let m = machine();
        let root = m.path().to_str().unwrap().to_string();
        let ud = format!("{url}/user-data");
        let mut args = vec!["apply", "--root", &root, "--metadata-url", url, "--metadata-retries", "0"];
        args.extend_from_slice(extra);
        args.push(&ud);
        let out = cfg_init(&args, None, env);
        let written = std::fs::read_to_string(m.path().join("etc/addr")).ok();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), written)
    };

    let open = HttpsServer::start(&server, None, &user_data);
    let (code, err, written) = apply(&open.url, &[], &[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("certificate") || err.contains("UnknownIssuer"), "{err}");
    assert_eq!(written, None);
    let (code, err, written) = apply(&open.url, &["--ca-file", &ca_file], &[]);
    assert_eq!((code, written.as_deref()), (Some(0), Some("10.9.8.7\n")), "{err}");
    let (code, err, written) = apply(&open.url, &[], &[("ETCDCTL_CA_FILE", &ca_file)]);
    assert_eq!((code, written.as_deref()), (Some(0), Some("10.9.8.7\n")), "{err}");
    drop(open);

    let strict = HttpsServer::start(&server, Some(&ca.cert), &user_data);
    let (code, err, written) = apply(&strict.url, &["--ca-file", &ca_file], &[]);
    assert_eq!((code, written), (Some(3), None), "{err}");
    let (cert, key) = (client.cert.to_str().unwrap(), client.key.to_str().unwrap());
    let (code, err, written) =
        apply(&strict.url, &["--ca-file", &ca_file, "--cert-file", cert, "--key-file", key], &[]);
    assert_eq!((code, written.as_deref()), (Some(0), Some("10.9.8.7\n")), "{err}");
    let (code, err, written) = apply(&strict.url, &["--ca-file", "/nonexistent/ca.pem"], &[]);
    assert_eq!((code, written), (Some(2), None), "{err}");
    assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    let (code, err, _) = apply(&strict.url, &["--ca-file", &ca_file, "--cert-file", cert], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--key-file"), "{err}");
}
