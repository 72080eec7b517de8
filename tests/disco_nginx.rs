//! The seed's load-balancer story with real programs: Debian's nginx in front of tiny HTTP
//! backends on 127.0.0.x, each announced by `disco announce`, nginx's config kept by
//! `disco render --watch` — all three run as corekit units from the unit files in
//! `examples/` (web-announce@.service, web-lb-render.service, nginx-lb.service) under a
//! `unit-run` daemon, with only the disco binary's path and the environment file changed.
//!
//! Requests are spread over both backends; one backend dies → it is dropped from nginx's
//! config within its TTL while every request keeps succeeding; a third is announced → added;
//! a value, and then a template, that make `nginx -t` fail leave the old config in place and
//! say why.
//!
//! nginx (`/usr/sbin/nginx`, Debian's `nginx`) must be installed; the test fails without it.
//! It runs as root (unit-run's units, nginx's workers).

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::Member;
use common::agent::{Agent, repo_path};
use common::disco::{self, DISCO};

/// A tiny HTTP server that answers every request with its own address.
struct Backend {
    addr: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Backend {
    fn start(ip: Ipv4Addr) -> Backend {
        let l = TcpListener::bind((ip, 0)).unwrap();
        l.set_nonblocking(true).unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let (s, a) = (stop.clone(), addr.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match l.accept() {
                    Ok((mut c, _)) => {
                        c.set_nonblocking(false).unwrap();
                        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                        let mut buf = [0u8; 4096];
                        let _ = c.read(&mut buf);
                        let _ = write!(
                            c,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{a}",
                            a.len()
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Backend { addr, stop, thread: Some(thread) }
    }

    /// The backend dies: its port refuses connections from now on.
    fn kill(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One request through the load balancer: which backend answered (None: it failed).
fn through(lb: &str) -> Option<String> {
    let mut s = TcpStream::connect(lb).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    if !out.starts_with("HTTP/1.1 200") {
        return None;
    }
    out.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
}

/// Which backends answered `n` requests, and how many requests failed.
fn spread(lb: &str, n: usize) -> (std::collections::BTreeSet<String>, usize) {
    let mut seen = std::collections::BTreeSet::new();
    let mut failed = 0;
    for _ in 0..n {
        match through(lb) {
            Some(b) => {
                seen.insert(b);
            }
            None => failed += 1,
        }
    }
    (seen, failed)
}

/// An example unit, with the disco binary's path and the environment file made the test's.
fn example(name: &str, env_file: &Path) -> String {
    std::fs::read_to_string(repo_path(&format!("examples/{name}")))
        .unwrap()
        .replace("/usr/local/bin/disco", DISCO)
        .replace("/etc/corekit/web-lb.env", &env_file.display().to_string())
}

#[test]
fn nginx_follows_the_announced_backends() {
    disco::require("/usr/sbin/nginx", "nginx");
    let store = Member::start();
    let kv = store.client_url();
    let work = tempfile::Builder::new().prefix("disco-nginx-").tempdir().unwrap();
    let run = work.path().join("lb");
    std::fs::create_dir_all(&run).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let lb_ip = disco::my_ip(12);
    let lb = format!("{lb_ip}:{}", disco::free_port(lb_ip));
    let env_file = work.path().join("web-lb.env");
    std::fs::write(
        &env_file,
        format!(
            "KV_ENDPOINTS={kv}\nANNOUNCE_TTL=3\nLB_RUN={}\nLB_LISTEN={lb}\nLB_TEMPLATE={}\n",
            run.display(),
            repo_path("examples/nginx-lb.conf.tmpl").display()
        ),
    )
    .unwrap();
    let conf = run.join("nginx.conf");
    let read_conf = || std::fs::read_to_string(&conf).unwrap_or_default();

    let mut b1 = Backend::start(disco::my_ip(13));
    let b2 = Backend::start(disco::my_ip(14));
    let agent = Agent::start();
    let mut files = Vec::new();
    for name in ["web-announce@.service", "web-lb-render.service", "nginx-lb.service"] {
        files.push(agent.unit_file(name, &example(name, &env_file)).display().to_string());
    }
    let mut load = vec!["load"];
    load.extend(files.iter().map(String::as_str));
    agent.ok(&load);
    let announce = |b: &Backend| format!("web-announce@{}.service", b.addr);
    agent.ok(&["start", &announce(&b1), &announce(&b2)]);
    agent.ok(&["start", "nginx-lb.service"]);
    agent.wait_state("nginx-lb.service", "active", "running", Duration::from_secs(20));
    agent.wait_state("web-lb-render.service", "active", "running", Duration::from_secs(5));

    // Both backends in the config, and requests spread over both.
    disco::wait_until("both backends in nginx.conf", Duration::from_secs(10), || {
        let c = read_conf();
        c.contains(&b1.addr) && c.contains(&b2.addr)
    });
    disco::wait_until("nginx answers", Duration::from_secs(10), || through(&lb).is_some());
    let mut seen = Default::default();
    disco::wait_until("requests reach both backends", Duration::from_secs(10), || {
        let (s, failed) = spread(&lb, 20);
        assert_eq!(failed, 0);
        seen = s;
        seen.len() == 2
    });
    assert_eq!(seen, [b1.addr.clone(), b2.addr.clone()].into_iter().collect());

    // b1 dies. Requests go on (nginx skips it), and it leaves the config within its TTL.
    let (stop, failures, served) =
        (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load_thread = {
        let (stop, failures, served, lb) = (stop.clone(), failures.clone(), served.clone(), lb.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match through(&lb) {
                    Some(_) => served.fetch_add(1, Ordering::SeqCst),
                    None => failures.fetch_add(1, Ordering::SeqCst),
                };
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let killed = Instant::now();
    b1.kill();
    let dropped = disco::wait_until("b1 leaves nginx.conf", Duration::from_secs(10), || {
        !read_conf().contains(&b1.addr)
    });
    eprintln!("b1 killed → dropped from nginx.conf after {dropped:?} (TTL 3 s)");
    assert!(
        killed.elapsed() < Duration::from_secs(3),
        "dropped after {:?}, more than its TTL",
        killed.elapsed()
    );
    disco::wait_until("requests reach b2 only", Duration::from_secs(5), || {
        let (seen, failed) = spread(&lb, 10);
        assert_eq!(failed, 0);
        seen == [b2.addr.clone()].into_iter().collect()
    });
    stop.store(true, Ordering::SeqCst);
    load_thread.join().unwrap();
    assert_eq!(
        failures.load(Ordering::SeqCst),
        0,
        "requests failed while b1 went away ({} served)",
        served.load(Ordering::SeqCst)
    );
    assert!(served.load(Ordering::SeqCst) > 10);

    // A third backend is announced: added.
    let b3 = Backend::start(disco::my_ip(15));
    agent.ok(&["start", &announce(&b3)]);
    disco::wait_until("b3 in nginx.conf", Duration::from_secs(10), || read_conf().contains(&b3.addr));
    disco::wait_until("requests reach b2 and b3", Duration::from_secs(10), || spread(&lb, 20).0.len() == 2);

    // A value that makes `nginx -t` fail: the old config stays, nginx keeps serving, and the
    // render unit's journal says why.
    let good = read_conf();
    store.http().put("/services/web/bad", "127.0.0.187:99999").unwrap();
    let j =
        agent.wait_journal("web-lb-render.service", "invalid port in upstream", 1, Duration::from_secs(10));
    assert!(j.iter().any(|m| m.contains("kept: --check-cmd refused")), "{}", j.join("\n"));
    assert_eq!(read_conf(), good);
    let (seen, failed) = spread(&lb, 20);
    assert_eq!((failed, seen.len()), (0, 2));
    store.http().delete("/services/web/bad").unwrap();

    // A template that makes `nginx -t` fail: the same (a one-shot render, status 1).
    let bad = work.path().join("bad.conf.tmpl");
    let text = std::fs::read_to_string(repo_path("examples/nginx-lb.conf.tmpl")).unwrap();
    std::fs::write(
        &bad,
        text.replace("proxy_pass http://web;", "proxy_pass http://web; bogus_directive on;"),
    )
    .unwrap();
    let mut c = std::process::Command::new(DISCO);
    c.args(["render", "--kv", &kv, "--template"])
        .arg(&bad)
        .arg("--out")
        .arg(&conf)
        .arg("--check-cmd")
        .arg(format!("nginx -t -q -p {}/ -c {{{{src}}}}", run.display()))
        .env("LB_RUN", &run)
        .env("LB_LISTEN", &lb);
    let r = common::run_bounded(c, Duration::from_secs(30));
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("unknown directive \"bogus_directive\""), "{}", r.stderr);
    assert_eq!(read_conf(), good);
    assert_eq!(spread(&lb, 10).1, 0);

    // Stopping an announcer withdraws its backend at once.
    agent.ok(&["stop", &announce(&b3)]);
    disco::wait_until("b3 leaves nginx.conf", Duration::from_secs(5), || !read_conf().contains(&b3.addr));
    // (`nginx -s reload` returns before the new workers take over.)
    disco::wait_until("requests reach b2 only", Duration::from_secs(5), || {
        let (seen, failed) = spread(&lb, 10);
        assert_eq!(failed, 0);
        seen == [b2.addr.clone()].into_iter().collect()
    });
    drop(agent);
}
