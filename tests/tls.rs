//! TLS on kv-serve's client and peer URLs, as a user secures a cluster (issue 15): three
//! members with https:// client and peer URLs and client-certificate authentication on both;
//! the real `etcdctl` (v2) and `python3-etcd` work with a client certificate and are refused
//! without one; a member whose peer certificate comes from another CA cannot join; a renewed
//! certificate is served without a restart; bad files are reported before anything is bound;
//! `--auto-tls` makes and serves self-signed certificates. Certificates are made here (rcgen).

mod common;

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::certs::{Ca, Pair};
use common::disco::{Proc, require, wait_until};

const KV_SERVE: &str = env!("CARGO_BIN_EXE_kv-serve");
const KV: &str = env!("CARGO_BIN_EXE_kv");

struct Member {
    name: String,
    ip: Ipv4Addr,
    client: String,
    peer: String,
    server: Pair,
    peer_pair: Pair,
}

struct Secured {
    // (dropped in this order: the processes, printing their logs if the test failed, then the dir)
    procs: Vec<Proc>,
    client_ca: Ca,
    peer_ca: Ca,
    user: Pair,
    members: Vec<Member>,
    initial: String,
    dir: tempfile::TempDir,
}

fn member(client_ca: &Ca, peer_ca: &Ca, i: usize) -> Member {
    let ip = common::pick_ip();
    let (c, p) = common::pick_ports(ip);
    let name = format!("n{i}");
    let host = ip.to_string();
    Member {
        server: client_ca.issue(&format!("{name}-client"), &name, &[&host, "localhost"]),
        peer_pair: peer_ca.issue(&format!("{name}-peer"), &name, &[&host]),
        client: format!("https://{ip}:{c}"),
        peer: format!("https://{ip}:{p}"),
        name,
        ip,
    }
}

fn spawn(dir: &Path, m: &Member, initial: &str, peer_ca: &Path, client_ca: &Path, state: &str) -> Proc {
    let mut cmd = Command::new(KV_SERVE);
    cmd.args(["--name", &m.name])
        .arg("--data-dir")
        .arg(dir.join(format!("{}.data", m.name)))
        .args(["--listen-client-urls", &m.client, "--advertise-client-urls", &m.client])
        .args(["--listen-peer-urls", &m.peer, "--initial-advertise-peer-urls", &m.peer])
        .args(["--initial-cluster", initial, "--initial-cluster-token", "tls-test"])
        .args(["--initial-cluster-state", state])
        .arg("--cert-file")
        .arg(&m.server.cert)
        .arg("--key-file")
        .arg(&m.server.key)
        .arg("--trusted-ca-file")
        .arg(client_ca)
        .arg("--client-cert-auth")
        .arg("--peer-cert-file")
        .arg(&m.peer_pair.cert)
        .arg("--peer-key-file")
        .arg(&m.peer_pair.key)
        .arg("--peer-trusted-ca-file")
        .arg(peer_ca)
        .arg("--peer-client-cert-auth");
    Proc::spawn(&m.name, cmd, dir.join(format!("{}.log", m.name)))
}

impl Secured {
    fn start(n: usize) -> Secured {
        let dir = tempfile::Builder::new().prefix("corekit-tls-").tempdir().unwrap();
        let client_ca = Ca::new(dir.path(), "clients");
        let peer_ca = Ca::new(dir.path(), "peers");
        let user = client_ca.issue("user", "user", &[]);
        let members: Vec<Member> = (1..=n).map(|i| member(&client_ca, &peer_ca, i)).collect();
        let initial = members.iter().map(|m| format!("{}={}", m.name, m.peer)).collect::<Vec<_>>().join(",");
        let procs = members
            .iter()
            .map(|m| spawn(dir.path(), m, &initial, &peer_ca.cert, &client_ca.cert, "new"))
            .collect();
        let s = Secured { dir, client_ca, peer_ca, user, members, procs, initial };
        wait_until("a healthy TLS cluster", Duration::from_secs(30), || {
            let o = s.kv(&["cluster-health"]);
            String::from_utf8_lossy(&o.stdout).contains("cluster is healthy")
        });
        s
    }

    fn endpoints(&self) -> String {
        self.members.iter().map(|m| m.client.clone()).collect::<Vec<_>>().join(",")
    }

    fn kv(&self, args: &[&str]) -> Output {
        Command::new(KV)
            .args(["--endpoints", &self.endpoints()])
            .arg("--ca-file")
            .arg(&self.client_ca.cert)
            .arg("--cert-file")
            .arg(&self.user.cert)
            .arg("--key-file")
            .arg(&self.user.key)
            .args(args)
            .env_remove("KV_CA_FILE")
            .env_remove("ETCDCTL_CA_FILE")
            .output()
            .unwrap()
    }

    /// The real etcdctl (v2) against member `i`, with the client certificate or without.
    fn etcdctl(&self, i: usize, with_cert: bool, args: &[&str]) -> Output {
        let mut cmd = Command::new("etcdctl");
        cmd.env("ETCDCTL_API", "2").args(["--endpoints", &self.members[i].client]);
        cmd.arg("--ca-file").arg(&self.client_ca.cert);
        if with_cert {
            cmd.arg("--cert-file").arg(&self.user.cert).arg("--key-file").arg(&self.user.key);
        }
        cmd.args(args).output().unwrap()
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

const PYTHON: &str = r#"
import sys, etcd
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else None
c = etcd.Client(host=host, port=port, protocol='https', ca_cert=ca, cert=cert)
try:
    c.write('/python', 'over tls')
    print('read', c.read('/python').value)
except Exception as e:
    print('refused', type(e).__name__)
"#;

#[test]
fn a_cluster_with_tls_and_client_certificates_serves_etcdctl_and_python_and_refuses_the_rest() {
    require("etcdctl", "etcd-client");
    require("/usr/bin/python3", "python3-etcd");
    let s = Secured::start(3);

    // etcdctl with the client certificate: set on one member, get on another.
    let o = s.etcdctl(0, true, &["set", "/message", "CROC Cloud"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = s.etcdctl(2, true, &["get", "/message"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "CROC Cloud\n", "{}", text(&o));
    // Without one, the handshake is refused.
    let o = s.etcdctl(1, false, &["get", "/message"]);
    assert!(!o.status.success(), "etcdctl without a client certificate was served: {}", text(&o));
    // kv the same, and `cluster-health` sees three healthy members over https.
    let o = s.kv(&["cluster-health"]);
    let t = text(&o);
    assert_eq!(t.matches("is healthy: got healthy result from https://").count(), 3, "{t}");
    let o = Command::new(KV)
        .args(["--endpoints", &s.members[1].client, "--ca-file"])
        .arg(&s.client_ca.cert)
        .args(["get", "/message"])
        .output()
        .unwrap();
    assert!(!o.status.success(), "kv without a client certificate was served: {}", text(&o));
    // Plain HTTP to an https port gets nothing.
    let plain = s.members[0].client.replace("https://", "http://");
    let o =
        Command::new("curl").args(["-s", "-m", "5", &format!("{plain}/v2/keys/message")]).output().unwrap();
    assert!(!String::from_utf8_lossy(&o.stdout).contains("CROC"), "{}", text(&o));

    // python3-etcd (urllib3) with and without the certificate.
    let m = &s.members[1];
    let port = m.client.rsplit(':').next().unwrap();
    let ca = s.client_ca.cert.to_str().unwrap();
    let (c, k) = (s.user.cert.to_str().unwrap(), s.user.key.to_str().unwrap());
    let ip = m.ip.to_string();
    let o = Command::new("/usr/bin/python3").args(["-c", PYTHON, &ip, port, ca, c, k]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "read over tls\n", "{}", text(&o));
    let o = Command::new("/usr/bin/python3").args(["-c", PYTHON, &ip, port, ca]).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("refused"), "{}", text(&o));

    // The members log whom they turned away.
    let logs: String = s.procs.iter().map(|p| p.output()).collect();
    assert!(logs.contains("rejected connection from"), "{logs}");

    // Auth on top (users, roles), over TLS: guests may read /message only.
    for args in [
        &["user", "add", "root:rootpw"][..],
        &["auth", "enable"],
        &["-u", "root:rootpw", "role", "revoke", "guest", "--path", "/*", "--readwrite"],
        &["-u", "root:rootpw", "role", "grant", "guest", "--path", "/message", "--read"],
    ] {
        let o = s.kv(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = s.etcdctl(1, true, &["get", "/message"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "CROC Cloud\n", "{}", text(&o));
    let o = s.etcdctl(2, true, &["set", "/message", "guest"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("110: The request requires user authentication"), "{}", text(&o));
    let o = s.etcdctl(2, true, &["-u", "root:wrong", "get", "/message"]);
    assert_eq!(o.status.code(), Some(4), "a wrong password is refused, not taken as guest: {}", text(&o));
    let o = s.etcdctl(0, true, &["-u", "root:rootpw", "set", "/message", "root"]);
    assert!(o.status.success(), "{}", text(&o));

    // With client-cert auth, a request without credentials acts as the user its certificate
    // names (its common name, "user" here) once that user exists, as etcd 2 does.
    for args in [
        &["-u", "root:rootpw", "role", "add", "writer"][..],
        &["-u", "root:rootpw", "role", "grant", "writer", "--path", "/message", "--readwrite"],
        &["-u", "root:rootpw", "user", "add", "user:unused"],
        &["-u", "root:rootpw", "user", "grant", "user", "--roles", "writer"],
    ] {
        let o = s.kv(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = s.etcdctl(2, true, &["set", "/message", "by certificate"]);
    assert!(o.status.success(), "the certificate's user may write: {}", text(&o));
    let o = s.etcdctl(1, true, &["get", "/message"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "by certificate\n", "{}", text(&o));
}

#[test]
fn a_member_whose_peer_certificate_comes_from_another_ca_cannot_join() {
    let mut s = Secured::start(3);
    let other = Ca::new(s.dir.path(), "other");
    let mut m = member(&s.client_ca, &s.peer_ca, 4);
    m.peer_pair = other.issue("n4-peer-other", "n4", &[&m.ip.to_string()]);
    let o = s.kv(&["member", "add", "n4", &m.peer]);
    assert!(o.status.success(), "{}", text(&o));
    let initial = format!("{},n4={}", s.initial, m.peer);
    // It trusts the cluster's CA; the cluster does not trust its certificate.
    let mut p = spawn(s.dir.path(), &m, &initial, &s.peer_ca.cert, &s.client_ca.cert, "existing");
    let status = p.wait_exit(Duration::from_secs(30));
    assert!(!status.success(), "{}", p.output());
    let log = p.output();
    assert!(log.contains("no existing member answered") && log.contains("UnknownCA"), "{log}");
    let refused: String = s.procs.iter().map(|p| p.output()).collect();
    assert!(refused.contains("rejected connection from"), "{refused}");
    // The cluster is unharmed and never heard from it: n4 is listed without a name.
    let o = s.kv(&["set", "/after", "ok"]);
    assert!(o.status.success(), "{}", text(&o));
    let list = text(&s.kv(&["member", "list"]));
    assert!(list.contains("name= ") || list.contains("unstarted"), "{list}");
    s.procs.push(p);
}

/// The other side: a member with a certificate from the cluster's peer CA joins over TLS (added,
/// started with `--initial-cluster-state existing`, sent a snapshot) and serves the data.
#[test]
fn a_member_with_the_clusters_peer_certificate_joins_over_tls() {
    let mut s = Secured::start(3);
    let o = s.kv(&["set", "/before", "joined"]);
    assert!(o.status.success(), "{}", text(&o));
    let m = member(&s.client_ca, &s.peer_ca, 4);
    let o = s.kv(&["member", "add", "n4", &m.peer]);
    assert!(o.status.success(), "{}", text(&o));
    let initial = format!("{},n4={}", s.initial, m.peer);
    let p = spawn(s.dir.path(), &m, &initial, &s.peer_ca.cert, &s.client_ca.cert, "existing");
    s.procs.push(p);
    s.members.push(m);
    wait_until("four healthy members", Duration::from_secs(30), || {
        let out = String::from_utf8_lossy(&s.kv(&["cluster-health"]).stdout).into_owned();
        out.contains("cluster is healthy") && out.matches("is healthy: got healthy result").count() == 4
    });
    let o = Command::new(KV)
        .args(["--endpoints", &s.members[3].client, "--no-sync", "--ca-file"])
        .arg(&s.client_ca.cert)
        .arg("--cert-file")
        .arg(&s.user.cert)
        .arg("--key-file")
        .arg(&s.user.key)
        .args(["get", "/before"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "joined\n", "{}", text(&o));
}

#[test]
fn a_renewed_certificate_is_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (old_ca, new_ca) = (Ca::new(dir.path(), "old"), Ca::new(dir.path(), "new"));
    let ip = common::pick_ip();
    let (c, p) = common::pick_ports(ip);
    let served = old_ca.issue("served", "n1", &[&ip.to_string()]);
    let url = format!("https://{ip}:{c}");
    let mut cmd = Command::new(KV_SERVE);
    cmd.args(["--name", "n1", "--listen-client-urls", &url, "--advertise-client-urls", &url])
        .args(["--listen-peer-urls", &format!("http://{ip}:{p}")])
        .args(["--initial-advertise-peer-urls", &format!("http://{ip}:{p}")])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--cert-file")
        .arg(&served.cert)
        .arg("--key-file")
        .arg(&served.key);
    let p = Proc::spawn("kv-serve", cmd, dir.path().join("log"));
    let get = |ca: &PathBuf| {
        Command::new(KV)
            .args(["--endpoints", &url, "--no-sync", "--ca-file"])
            .arg(ca)
            .args(["ls", "/"])
            .output()
            .unwrap()
            .status
            .success()
    };
    wait_until("the member answers over TLS", Duration::from_secs(20), || get(&old_ca.cert));
    assert!(!get(&new_ca.cert), "a CA that signed nothing was accepted");
    // Renew in place (as certbot or a cron job would): the next handshakes use the new one.
    let renewed = new_ca.issue("renewed", "n1", &[&ip.to_string()]);
    std::fs::copy(&renewed.key, &served.key).unwrap();
    std::fs::copy(&renewed.cert, &served.cert).unwrap();
    let took = wait_until("the renewed certificate is served", Duration::from_secs(10), || get(&new_ca.cert));
    println!("renewed certificate served after {took:?}");
    assert!(!get(&old_ca.cert));
    assert!(p.output().contains("reloaded the certificate"), "{}", p.output());
}

#[test]
fn bad_tls_files_are_reported_before_anything_is_bound() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new(dir.path(), "ca");
    let a = ca.issue("a", "a", &["127.0.0.1"]);
    let b = ca.issue("b", "b", &["127.0.0.1"]);
    let ip = common::pick_ip();
    let (c, p) = common::pick_ports(ip);
    let https = format!("https://{ip}:{c}");
    let peer = format!("http://{ip}:{p}");
    let data = dir.path().join("data");
    let run = |extra: &[&str]| {
        let o = Command::new(KV_SERVE)
            .args(["--name", "n1", "--listen-client-urls", &https, "--advertise-client-urls", &https])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .arg("--data-dir")
            .arg(&data)
            .args(extra)
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let missing = dir.path().join("missing.pem");
    // A good certificate for the client URLs, and more flags.
    let served = |more: &[String]| {
        [vec!["--cert-file".into(), s(&a.cert), "--key-file".into(), s(&a.key)], more.to_vec()].concat()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "TLS key/cert (--cert-file, --key-file) must be provided for --listen-client-urls https://"),
        (vec!["--cert-file".into(), s(&missing), "--key-file".into(), s(&a.key)], "--cert-file"),
        (
            vec!["--cert-file".into(), s(&a.cert), "--key-file".into(), s(&b.key)],
            "does not match --cert-file",
        ),
        (vec!["--cert-file".into(), s(&a.key), "--key-file".into(), s(&a.key)], "no certificate in it"),
        (vec!["--cert-file".into(), s(&a.cert), "--key-file".into(), s(&a.cert)], "no private key in it"),
        (vec!["--cert-file".into(), s(&a.cert)], "--cert-file is given without --key-file"),
        (served(&["--client-cert-auth".into()]), "needs a CA"),
        (
            served(&["--discovery-cert-file".into(), s(&a.cert)]),
            "--discovery-cert-file needs --discovery-key-file",
        ),
        (served(&["--discovery-ca-file".into(), s(&missing)]), "--discovery-ca-file"),
    ];
    for (extra, want) in cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (code, err) = run(&extra);
        assert_eq!(code, Some(2), "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: wanted {want:?} in {err:?}");
        if extra.len() > 1 && want == "--cert-file" {
            assert!(err.contains("missing.pem: cannot read: No such file"), "{err}");
        }
        assert!(!data.exists(), "{extra:?} created the data dir");
        // Nothing was bound: the port is still free.
        assert!(std::net::TcpListener::bind((ip, c)).is_ok(), "{extra:?} left the port bound");
    }
}

#[test]
fn auto_tls_makes_self_signed_certificates_and_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    let ip = common::pick_ip();
    let (c, p) = common::pick_ports(ip);
    let (url, peer) = (format!("https://{ip}:{c}"), format!("https://{ip}:{p}"));
    let data = dir.path().join("data");
    let mut cmd = Command::new(KV_SERVE);
    cmd.args(["--name", "n1", "--listen-client-urls", &url, "--advertise-client-urls", &url])
        .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
        .args(["--auto-tls", "--peer-auto-tls"])
        .arg("--data-dir")
        .arg(&data);
    let _p = Proc::spawn("kv-serve", cmd, dir.path().join("log"));
    let cert = data.join("fixtures/client/cert.pem");
    wait_until("auto-tls answers", Duration::from_secs(20), || {
        let o = Command::new("curl")
            .args(["-s", "-m", "3", "--cacert"])
            .arg(&cert)
            .args(["-X", "PUT", &format!("{url}/v2/keys/auto"), "-d", "value=tls"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).contains("\"value\":\"tls\"")
    });
    assert!(data.join("fixtures/peer/cert.pem").exists());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data.join("fixtures/client/key.pem")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

/// `curl` with the cluster's CA, with or without the user's certificate: the HTTP status, or
/// None when the handshake was refused.
fn curl(s: &Secured, url: &str, with_cert: bool) -> Option<u16> {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", "--cacert"]).arg(&s.client_ca.cert);
    if with_cert {
        cmd.arg("--cert").arg(&s.user.cert).arg("--key").arg(&s.user.key);
    }
    let o = cmd.arg(url).output().unwrap();
    let code: u16 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap_or(0);
    (code != 0).then_some(code)
}

/// `disco serve` on a fresh address, reaching the store over TLS (`tls`: the client flags) and
/// serving TLS that requires client certificates from the cluster's client CA; its URL and a
/// token for three members, made over TLS.
fn secured_disco(s: &Secured, tls: &[&str]) -> (Proc, String, String) {
    let ca = s.client_ca.cert.to_str().unwrap();
    let dip = common::pick_ip();
    let dport = common::disco::free_port(dip);
    let server = s.client_ca.issue("disco", "disco", &[&dip.to_string()]);
    let url = format!("https://{dip}:{dport}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_disco"));
    cmd.args(tls).args(["serve", "--kv", &s.endpoints(), "--addr", &format!("{dip}:{dport}")]);
    cmd.arg("--server-cert-file").arg(&server.cert).arg("--server-key-file").arg(&server.key);
    cmd.args(["--server-trusted-ca-file", ca]);
    let disco = Proc::spawn("disco", cmd, s.dir.path().join("disco.log"));
    let mut token = String::new();
    wait_until("disco serve hands out a token over TLS", Duration::from_secs(20), || {
        let o = Command::new(env!("CARGO_BIN_EXE_disco"))
            .args(tls)
            .args(["new", "--size", "3", "--server", &url])
            .output()
            .unwrap();
        token = String::from_utf8_lossy(&o.stdout).trim().to_string();
        o.status.success()
    });
    (disco, url, token)
}

#[test]
fn every_port_of_a_cluster_can_require_client_certificates() {
    let s = Secured::start(3);
    let tls: Vec<String> = vec![
        "--ca-file".into(),
        s.client_ca.cert.to_str().unwrap().into(),
        "--cert-file".into(),
        s.user.cert.to_str().unwrap().into(),
        "--key-file".into(),
        s.user.key.to_str().unwrap().into(),
    ];
    let tls: Vec<&str> = tls.iter().map(String::as_str).collect();
    let endpoints = s.endpoints();
    let prefix = "/_corekit/tls-test";
    let ca = s.client_ca.cert.to_str().unwrap().to_string();

    // The agent: the store over TLS, its own port over TLS with client certificates.
    let ip = common::pick_ip().to_string();
    let agent_pair = s.client_ca.issue("agent", "agent", &[&ip]);
    let id = format!("{:032x}", 0x7151u32);
    let (cert, key) = (agent_pair.cert.to_str().unwrap(), agent_pair.key.to_str().unwrap());
    let mut extra =
        vec!["--endpoints", &endpoints, "--public-ip", &ip, "--machine-id", &id, "--key-prefix", prefix];
    extra.extend(&tls);
    extra.extend(["--agent-cert-file", cert, "--agent-key-file", key, "--agent-trusted-ca-file", &ca]);
    let agent = common::agent::Agent::start_with(&extra);
    let us = |args: &[&str]| {
        Command::new(common::sched::UNIT_SCHED)
            .args(["--endpoints", &endpoints, "--key-prefix", prefix])
            .args(&tls)
            .args(args)
            .output()
            .unwrap()
    };
    let mut engine = Command::new(common::sched::UNIT_SCHED);
    engine.args(["--endpoints", &endpoints, "--key-prefix", prefix]).args(&tls);
    engine.args(["engine", "--machine-id", &id, "--reconcile-interval", "1"]);
    let _engine = Proc::spawn("engine", engine, agent.dir.path().join("engine.log"));
    let unit = agent.dir.path().join("tick.service");
    std::fs::write(&unit, "[Service]\nExecStart=/bin/sh -c 'while true; do echo tick; sleep 1; done'\n")
        .unwrap();
    let o = us(&["start", unit.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    wait_until("the unit runs and its status comes over TLS", Duration::from_secs(30), || {
        let o = us(&["status", "tick.service"]);
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("active (running)")
    });
    let o = us(&["journal", "tick.service"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("tick"), "{}", text(&o));
    let machine = format!("https://{ip}:{}/v1/machine", corekit::cli::cluster_agent::DEFAULT_AGENT_PORT);
    assert_eq!(curl(&s, &machine, true), Some(200));
    assert_eq!(curl(&s, &machine, false), None, "the agent's port served a client without a certificate");

    // disco serve: the store over TLS, its own port over TLS with client certificates.
    let (_disco, url, token) = secured_disco(&s, &tls);
    assert!(token.starts_with(&format!("{url}/")), "{token}");
    assert_eq!(curl(&s, &format!("{token}/_config/size"), true), Some(200));
    assert_eq!(curl(&s, &format!("{url}/new"), false), None, "disco served a client without a certificate");
}

/// A client certificate renewed in place is shown on the next connection, without a restart:
/// one long-lived client (the library every daemon uses) acts as the user its certificate names,
/// and the certificate's files are replaced by another user's.
#[test]
fn a_renewed_client_certificate_is_shown_without_a_restart() {
    let s = Secured::start(1);
    for args in [
        &["user", "add", "root:rootpw"][..],
        &["auth", "enable"],
        &["-u", "root:rootpw", "role", "revoke", "guest", "--path", "/*", "--readwrite"],
        &["-u", "root:rootpw", "role", "add", "a-writer"],
        &["-u", "root:rootpw", "role", "grant", "a-writer", "--path", "/a/*", "--readwrite"],
        &["-u", "root:rootpw", "role", "add", "b-writer"],
        &["-u", "root:rootpw", "role", "grant", "b-writer", "--path", "/b/*", "--readwrite"],
        &["-u", "root:rootpw", "user", "add", "alice:unused"],
        &["-u", "root:rootpw", "user", "grant", "alice", "--roles", "a-writer"],
        &["-u", "root:rootpw", "user", "add", "bob:unused"],
        &["-u", "root:rootpw", "user", "grant", "bob", "--roles", "b-writer"],
    ] {
        let o = s.kv(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let alice = s.client_ca.issue("alice", "alice", &[]);
    let bob = s.client_ca.issue("bob", "bob", &[]);
    let shown = Pair { cert: s.dir.path().join("shown.pem"), key: s.dir.path().join("shown-key.pem") };
    std::fs::copy(&alice.cert, &shown.cert).unwrap();
    std::fs::copy(&alice.key, &shown.key).unwrap();
    let files = corekit::tls::ClientFiles::from_flags(
        Some(s.client_ca.cert.clone()),
        Some(shown.cert.clone()),
        Some(shown.key.clone()),
    );
    let client = corekit::client::Client::new(corekit::client::Config {
        tls: corekit::tls::ClientTls::load(&files).unwrap(),
        ..corekit::client::Config::new(vec![s.endpoints()])
    });
    let set = |key: &str| client.set(key, "v", &Default::default()).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(set("/a/x"), Ok(()));
    assert!(set("/b/x").unwrap_err().contains("110"), "alice may not write /b");
    // Renew in place with bob's certificate (key first, as a renewal script might).
    std::fs::copy(&bob.key, &shown.key).unwrap();
    std::fs::copy(&bob.cert, &shown.cert).unwrap();
    let took = wait_until("the renewed client certificate is shown", Duration::from_secs(10), || {
        set("/b/x").is_ok()
    });
    println!("renewed client certificate shown after {took:?}");
    assert!(set("/a/x").unwrap_err().contains("110"), "bob may not write /a");
}

/// kv-serve bootstraps through a `disco serve` that requires client certificates: the members
/// check its certificate against `--discovery-ca-file` and show `--discovery-cert-file`; a
/// member that trusts only the Mozilla roots (the default) refuses the service's certificate and
/// says so (before it registers anything: the handshake fails first).
#[test]
fn members_bootstrap_through_a_discovery_service_that_requires_client_certificates() {
    let s = Secured::start(1);
    let ca = s.client_ca.cert.to_str().unwrap().to_string();
    let (ucert, ukey) = (s.user.cert.to_str().unwrap(), s.user.key.to_str().unwrap());
    let tls = ["--ca-file", &ca, "--cert-file", ucert, "--key-file", ukey];
    let (_disco, _, token) = secured_disco(&s, &tls);
    let member = |i: usize, with_tls: bool| {
        let ip = common::pick_ip();
        let (c, p) = common::pick_ports(ip);
        let (client, peer) = (format!("http://{ip}:{c}"), format!("http://{ip}:{p}"));
        let mut cmd = Command::new(KV_SERVE);
        cmd.args(["--name", &format!("d{i}")])
            .arg("--data-dir")
            .arg(s.dir.path().join(format!("d{i}.data")))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--discovery", &token]);
        if with_tls {
            cmd.args([
                "--discovery-ca-file",
                &ca,
                "--discovery-cert-file",
                ucert,
                "--discovery-key-file",
                ukey,
            ]);
        }
        (Proc::spawn(&format!("d{i}"), cmd, s.dir.path().join(format!("d{i}.log"))), client)
    };
    // Without the service's CA: its certificate is refused, and nothing is registered.
    let (untrusting, _) = member(0, false);
    wait_until(
        "the member says the discovery service's certificate is not trusted",
        Duration::from_secs(20),
        || untrusting.output().contains("UnknownIssuer"),
    );
    drop(untrusting);
    // With it: three members find each other and form a cluster.
    let members: Vec<(Proc, String)> = (1..=3).map(|i| member(i, true)).collect();
    let eps = members.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>().join(",");
    wait_until("three members bootstrapped through the token", Duration::from_secs(40), || {
        let o = Command::new(KV).args(["--endpoints", &eps, "cluster-health"]).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        out.contains("cluster is healthy") && out.matches("is healthy: got healthy result").count() == 3
    });
}

/// `kv-serve --proxy on` in front of a cluster whose every URL is TLS with client certificates:
/// like etcd's v2 proxy it reaches the members' peer and client URLs with its peer certificate
/// settings, and serves plain clients on its own URL.
#[test]
fn a_proxy_reaches_a_tls_cluster_with_its_peer_certificate() {
    let dir = tempfile::Builder::new().prefix("corekit-tls-proxy-").tempdir().unwrap();
    let ca = Ca::new(dir.path(), "ca");
    let m = member(&ca, &ca, 1);
    let initial = format!("n1={}", m.peer);
    let _member = spawn(dir.path(), &m, &initial, &ca.cert, &ca.cert, "new");
    let user = ca.issue("user", "user", &[]);
    let kv = |endpoint: &str, args: &[&str]| {
        Command::new(KV)
            .args(["--endpoints", endpoint, "--no-sync", "--ca-file"])
            .arg(&ca.cert)
            .arg("--cert-file")
            .arg(&user.cert)
            .arg("--key-file")
            .arg(&user.key)
            .args(args)
            .output()
            .unwrap()
    };
    wait_until("the member answers over TLS", Duration::from_secs(20), || {
        kv(&m.client, &["set", "/before", "1"]).status.success()
    });
    let ip = common::pick_ip();
    let (c, _) = common::pick_ports(ip);
    let client = format!("http://{ip}:{c}");
    let pair = ca.issue("proxy", "proxy", &[&ip.to_string()]);
    let mut cmd = Command::new(KV_SERVE);
    cmd.args(["--name", "p", "--proxy", "on", "--initial-cluster", &initial])
        .args(["--listen-client-urls", &client])
        .arg("--data-dir")
        .arg(dir.path().join("proxy.data"))
        .arg("--peer-cert-file")
        .arg(&pair.cert)
        .arg("--peer-key-file")
        .arg(&pair.key)
        .arg("--peer-trusted-ca-file")
        .arg(&ca.cert);
    let proxy = Proc::spawn("proxy", cmd, dir.path().join("proxy.log"));
    wait_until("a write through the proxy", Duration::from_secs(20), || {
        kv(&client, &["set", "/via", "proxy"]).status.success()
    });
    let o = kv(&m.client, &["get", "/via"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "proxy\n", "{}{}", text(&o), proxy.output());
    let o = kv(&client, &["get", "/before"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "1\n", "{}{}", text(&o), proxy.output());
}
