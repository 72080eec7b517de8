//! `kv` against the real `ETCDCTL_API=2 etcdctl`: the same sequence of commands runs through
//! both tools against the same kv-serve, and stdout, stderr and exit status must match once
//! the store indexes are made relative to the index each run started at (and TTL countdowns
//! and expiration times are masked).
//!
//! etcdctl must be installed (Debian's `etcd-client`); the test fails, never skips, without it.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{Member, Value};

const KV: &str = env!("CARGO_BIN_EXE_kv");

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Etcdctl,
    Kv,
}

impl Tool {
    fn command(self) -> Command {
        let mut c = match self {
            Tool::Etcdctl => {
                let mut c =
                    Command::new(std::env::var("COREKIT_ETCDCTL").unwrap_or_else(|_| "etcdctl".into()));
                c.env("ETCDCTL_API", "2");
                c
            }
            Tool::Kv => Command::new(KV),
        };
        for k in ["ETCDCTL_ENDPOINTS", "ETCDCTL_ENDPOINT", "ETCDCTL_PEERS", "KV_ENDPOINTS"] {
            c.env_remove(k);
        }
        c
    }
}

/// One step of a script. Arguments may hold `{EP}` (the member's URL), `{DEAD}` (a URL where
/// nothing listens) and `{IDX}` (the store index just before the step).
enum Step {
    Run(&'static [&'static str]),
    Stdin(&'static [&'static str], &'static str),
    /// Start a watch-like command, run the triggers, then wait for it to end by itself
    /// (`stop: false`) or stop it with SIGINT after the triggers (`stop: true`).
    Background {
        args: &'static [&'static str],
        triggers: &'static [&'static [&'static str]],
        stop: bool,
        sort_stdout: bool,
    },
}

struct Outcome {
    what: String,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn current_index(m: &Member) -> u64 {
    let agent = common::agent(Duration::from_secs(5));
    let resp = agent.get(format!("{}/v2/keys/", m.client_url())).call().expect("GET /v2/keys/");
    resp.headers()["X-Etcd-Index"].to_str().unwrap().parse().unwrap()
}

fn expand(args: &[&str], m: &Member, idx: u64) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.replace("{EP}", &m.client_url())
                .replace("{DEAD}", "http://127.0.0.1:9")
                .replace("{IDX}", &idx.to_string())
        })
        .collect()
}

fn run_one(tool: Tool, args: &[String], stdin: Option<&str>) -> Outcome {
    let mut c = tool.command();
    c.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap_or_else(|e| panic!("cannot run {tool:?} (is etcdctl installed?): {e}"));
    let mut sin = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        sin.write_all(s.as_bytes()).unwrap();
    }
    drop(sin);
    let out = wait_bounded(child, Duration::from_secs(20));
    Outcome { what: format!("{tool:?} {}", args.join(" ")), ..out }
}

fn wait_bounded(child: std::process::Child, limit: Duration) -> Outcome {
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d2 = done.clone();
    let guard = thread::spawn(move || {
        let t = Instant::now();
        while t.elapsed() < limit {
            if d2.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = guard.join();
    Outcome {
        what: String::new(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

fn run_script(tool: Tool, m: &Member, script: &[Step]) -> (u64, Vec<Outcome>) {
    let base = current_index(m);
    let mut outs = Vec::new();
    for step in script {
        let idx = current_index(m);
        match step {
            Step::Run(a) => outs.push(run_one(tool, &expand(a, m, idx), None)),
            Step::Stdin(a, input) => outs.push(run_one(tool, &expand(a, m, idx), Some(input))),
            Step::Background { args, triggers, stop, sort_stdout } => {
                let args = expand(args, m, idx);
                let mut c = tool.command();
                c.args(&args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
                let child = c.spawn().unwrap_or_else(|e| panic!("cannot run {tool:?}: {e}"));
                let pid = child.id();
                thread::sleep(Duration::from_millis(300));
                for t in *triggers {
                    let r = run_one(tool, &expand(t, m, idx), None);
                    assert_eq!(r.code, Some(0), "trigger {} failed: {}", r.what, r.stderr);
                }
                if *stop {
                    thread::sleep(Duration::from_millis(700));
                    unsafe { libc::kill(pid as i32, libc::SIGINT) };
                }
                let mut o = wait_bounded(child, Duration::from_secs(10));
                o.what = format!("{tool:?} {} (background)", args.join(" "));
                if *sort_stdout {
                    let mut lines: Vec<&str> = o.stdout.lines().collect();
                    lines.sort();
                    o.stdout = lines.join("\n");
                }
                outs.push(o);
            }
        }
    }
    (base, outs)
}

/// Replaces each store index (digits after an index label, or a 20-digit in-order key) that
/// is above `base` by `#N`, N counted from `base`; masks TTL countdowns and expiration times.
fn normalize(s: &str, base: u64) -> String {
    const LABELS: &[&str] = &[
        "\"createdIndex\":",
        "\"modifiedIndex\":",
        "Created-Index: ",
        "Modified-Index: ",
        "Index: ",
        ") [",
        " != ",
        "ETCD_WATCH_MODIFIED_INDEX=",
        " ETCD_WATCH_MODIFIED_INDEX ",
    ];
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            let labelled = LABELS.iter().any(|l| s[..start].ends_with(l));
            let in_order = digits.len() == 20 && start > 0 && b[start - 1] == b'/';
            let n: u64 = digits.parse().unwrap_or(0);
            if (labelled || in_order) && n > base {
                out.push_str(&format!("#{}", n - base));
            } else {
                out.push_str(digits);
            }
            continue;
        }
        // mask "expiration":"…" and "ttl":N and "TTL: N" (N > 0)
        if s[i..].starts_with("\"expiration\":\"") {
            let end = s[i + 14..].find('"').map(|e| i + 14 + e + 1).unwrap_or(s.len());
            out.push_str("\"expiration\":\"<time>\"");
            i = end;
            continue;
        }
        for label in ["\"ttl\":", "TTL: "] {
            if s[i..].starts_with(label) && b.get(i + label.len()).is_some_and(|c| (b'1'..=b'9').contains(c))
            {
                out.push_str(label);
                out.push_str("<ttl>");
                i += label.len();
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        if i < b.len() && !b[i].is_ascii_digit() {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Removes everything a run created (top-level keys and dirs), so the next run starts equal.
fn reset(m: &Member) {
    let http = m.http();
    let (_, v) = http.get_key("/").unwrap();
    for n in v["node"]["nodes"].as_array().cloned().unwrap_or_default() {
        let key = n["key"].as_str().unwrap();
        let escaped: String = key
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let (st, body) = http.delete(&format!("{escaped}?recursive=true")).unwrap();
        assert!(st == 200, "reset: delete {key}: {st} {body}");
    }
}

fn script() -> Vec<Step> {
    use Step::*;
    vec![
        // values, the done-when example, every output mode
        Run(&["--endpoints", "{EP}", "set", "/message", "CROC Cloud"]),
        Run(&["--endpoints", "{EP}", "get", "/message"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "get", "/message"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/message"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "set", "/message", "again"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "set", "/message", "third"]),
        Run(&["--endpoints", "{EP}", "get", "/nope"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/nope"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "get", "/nope"]),
        Run(&["--endpoints", "{EP}", "get", "--quorum", "/message"]),
        Run(&["--endpoints", "{EP}", "set", "/esc", "<a&b>\"\\\u{1}\u{8}é\u{2028}"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/esc"]),
        Run(&["--endpoints", "{EP}", "set", "/with space/and?q#h%", "odd key"]),
        Run(&["--endpoints", "{EP}", "get", "/with space/and?q#h%"]),
        Run(&["--endpoints", "{EP}", "set", "relative", "no leading slash"]),
        Run(&["--endpoints", "{EP}", "get", "relative"]),
        // arguments and stdin
        Run(&["--endpoints", "{EP}", "get"]),
        Run(&["--endpoints", "{EP}", "set"]),
        Run(&["--endpoints", "{EP}", "set", "/only"]),
        Stdin(&["--endpoints", "{EP}", "set", "/stdin"], "from stdin\n"),
        Stdin(&["--endpoints", "{EP}", "mk", "/stdin2"], "piped"),
        Stdin(&["--endpoints", "{EP}", "update", "/stdin2"], "piped again"),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/stdin"]),
        Run(&["--endpoints", "{EP}", "rm"]),
        Run(&["--endpoints", "{EP}", "mkdir"]),
        Run(&["--endpoints", "{EP}", "watch"]),
        Run(&["--endpoints", "{EP}", "exec-watch", "/k"]),
        // TTLs and conditions
        Run(&["--endpoints", "{EP}", "set", "--ttl", "100", "/ttl", "v"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "get", "/ttl"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/ttl"]),
        Run(&["--endpoints", "{EP}", "set", "-ttl", "120", "/ttl", "go-style flag"]),
        Run(&["--endpoints", "{EP}", "set", "--swap-with-value", "bad", "/ttl", "x"]),
        Run(&["--endpoints", "{EP}", "set", "--swap-with-value", "go-style flag", "/ttl", "swapped"]),
        Run(&["--endpoints", "{EP}", "set", "--swap-with-index", "1", "/ttl", "x"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "set", "--swap-with-value", "swapped", "/ttl", "again"]),
        Run(&["--endpoints", "{EP}", "set", "--swap-with-value", "x", "/absent", "x"]),
        Run(&["--endpoints", "{EP}", "mk", "/message", "exists"]),
        Run(&["--endpoints", "{EP}", "mk", "--ttl", "100", "/new", "fresh"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "mk", "/new2", "fresh"]),
        Run(&["--endpoints", "{EP}", "update", "/none", "x"]),
        Run(&["--endpoints", "{EP}", "update", "--ttl", "90", "/new", "updated"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "update", "/new", "updated again"]),
        // directories
        Run(&["--endpoints", "{EP}", "mkdir", "/d"]),
        Run(&["--endpoints", "{EP}", "mkdir", "/d"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "mkdir", "/d2"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "mkdir", "--ttl", "100", "/d3"]),
        Run(&["--endpoints", "{EP}", "get", "/d"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "get", "/d"]),
        Run(&["--endpoints", "{EP}", "setdir", "/d4"]),
        Run(&["--endpoints", "{EP}", "setdir", "/d4"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "setdir", "/d5"]),
        Run(&["--endpoints", "{EP}", "updatedir", "/d3"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "updatedir", "--ttl", "50", "/d3"]),
        Run(&["--endpoints", "{EP}", "updatedir", "/nodir"]),
        Run(&["--endpoints", "{EP}", "set", "/d/a", "1"]),
        Run(&["--endpoints", "{EP}", "set", "/d/b/c", "2"]),
        Run(&["--endpoints", "{EP}", "mkdir", "/d/e"]),
        Run(&["--endpoints", "{EP}", "set", "/d", "not a file"]),
        Run(&["--endpoints", "{EP}", "mk", "--in-order", "/q", "first"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "mk", "--in-order", "/q", "second"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "mk", "--in-order", "--ttl", "100", "/q", "third"]),
        // listing
        Run(&["--endpoints", "{EP}", "ls"]),
        Run(&["--endpoints", "{EP}", "ls", "--sort"]),
        Run(&["--endpoints", "{EP}", "ls", "--sort", "-p"]),
        Run(&["--endpoints", "{EP}", "ls", "--sort", "-r", "-p", "/"]),
        Run(&["--endpoints", "{EP}", "ls", "-r", "/d"]),
        Run(&["--endpoints", "{EP}", "ls", "--sort", "/q"]),
        Run(&["--endpoints", "{EP}", "ls", "/message"]),
        Run(&["--endpoints", "{EP}", "ls", "/nope"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "ls", "--sort", "/d"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "ls", "--sort", "-r", "/d"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "ls", "--sort", "-r", "/"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "ls", "/message"]),
        Run(&["--endpoints", "{EP}", "-o", "yaml", "get", "/message"]),
        // removing
        Run(&["--endpoints", "{EP}", "rm", "/d"]),
        Run(&["--endpoints", "{EP}", "rm", "--dir", "/d"]),
        Run(&["--endpoints", "{EP}", "rmdir", "/d"]),
        Run(&["--endpoints", "{EP}", "rmdir", "/d/e"]),
        Run(&["--endpoints", "{EP}", "rm", "/d/a"]),
        Run(&["--endpoints", "{EP}", "rm", "--with-value", "bad", "/d/b/c"]),
        Run(&["--endpoints", "{EP}", "rm", "--with-index", "1", "/d/b/c"]),
        Run(&["--endpoints", "{EP}", "rm", "--with-value", "2", "/d/b/c"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "rm", "/stdin"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "rm", "/stdin2"]),
        Run(&["--endpoints", "{EP}", "rm", "-r", "/d"]),
        Run(&["--endpoints", "{EP}", "-o", "json", "rm", "--recursive", "/q"]),
        Run(&["--endpoints", "{EP}", "-o", "extended", "rmdir", "/d2"]),
        Run(&["--endpoints", "{EP}", "rm", "/zz"]),
        // watches
        Step::Background {
            args: &["--endpoints", "{EP}", "watch", "--after-index", "{IDX}", "/w"],
            triggers: &[&["--endpoints", "{EP}", "set", "/w", "1"]],
            stop: false,
            sort_stdout: false,
        },
        Step::Background {
            args: &["--endpoints", "{EP}", "-o", "extended", "watch", "--after-index", "{IDX}", "/w"],
            triggers: &[&["--endpoints", "{EP}", "set", "/w", "2"]],
            stop: false,
            sort_stdout: false,
        },
        Step::Background {
            args: &["--endpoints", "{EP}", "-o", "json", "watch", "--after-index", "{IDX}", "/w"],
            triggers: &[&["--endpoints", "{EP}", "rm", "/w"]],
            stop: false,
            sort_stdout: false,
        },
        Step::Background {
            args: &["--endpoints", "{EP}", "watch", "-r", "--forever", "--after-index", "{IDX}", "/wd"],
            triggers: &[
                &["--endpoints", "{EP}", "mkdir", "/wd/sub"],
                &["--endpoints", "{EP}", "set", "/wd/sub/x", "a"],
                &["--endpoints", "{EP}", "rm", "/wd/sub/x"],
                &["--endpoints", "{EP}", "set", "/wd/y", "b"],
            ],
            stop: true,
            sort_stdout: false,
        },
        Step::Background {
            args: &[
                "--endpoints",
                "{EP}",
                "-o",
                "extended",
                "watch",
                "-r",
                "-f",
                "--after-index",
                "{IDX}",
                "/wd",
            ],
            triggers: &[
                &["--endpoints", "{EP}", "set", "/wd/y", "c"],
                &["--endpoints", "{EP}", "rm", "-r", "/wd/sub"],
            ],
            stop: true,
            sort_stdout: false,
        },
        Step::Background {
            args: &[
                "--endpoints",
                "{EP}",
                "exec-watch",
                "--after-index",
                "{IDX}",
                "-r",
                "/ew",
                "--",
                "sh",
                "-c",
                "echo $ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE ETCD_WATCH_MODIFIED_INDEX $ETCD_WATCH_MODIFIED_INDEX",
            ],
            triggers: &[
                &["--endpoints", "{EP}", "mkdir", "/ew/dir"],
                &["--endpoints", "{EP}", "set", "/ew/dir/k", "v1"],
                &["--endpoints", "{EP}", "set", "/ew/k2", "v 2"],
                &["--endpoints", "{EP}", "rm", "/ew/k2"],
            ],
            stop: true,
            sort_stdout: true,
        },
        Step::Background {
            // (`-r` before the key: etcdctl 3.4 mistakes the command's last word for the key when
            // the key follows a flag's value directly; kv always takes the first word.)
            args: &[
                "--endpoints",
                "{EP}",
                "exec-watch",
                "--after-index",
                "{IDX}",
                "-r",
                "/ew1",
                "--",
                "sh",
                "-c",
                "env | grep ^ETCD_WATCH_ | sort",
            ],
            triggers: &[&["--endpoints", "{EP}", "set", "/ew1", "x"]],
            stop: true,
            sort_stdout: false,
        },
        // cluster and members
        Run(&["--endpoints", "{EP}", "cluster-health"]),
        Run(&["--endpoints", "{EP}", "member", "list"]),
        Run(&["--endpoints", "{EP}", "member", "list", "extra"]),
        Run(&["--endpoints", "{EP}", "member", "add"]),
        // (a successful `member add` would cost this one-member cluster its quorum; adding and
        // removing members is compared on a three-member cluster in kv_members.rs)
        Run(&["--endpoints", "{EP}", "member", "add", "m2", "notaurl"]),
        Run(&["--endpoints", "{EP}", "member", "remove"]),
        Run(&["--endpoints", "{EP}", "member", "remove", "abc"]),
        Run(&["--endpoints", "{EP}", "member", "update", "x"]),
        Run(&["--endpoints", "{EP}", "member", "update", "abc", "http://127.0.0.1:12380"]),
        // endpoints: failover, no sync, nothing answering, bad URL
        Run(&["--endpoints", "{DEAD},{EP}", "get", "/message"]),
        Run(&["--no-sync", "--endpoints", "{DEAD},{EP}", "get", "/message"]),
        Run(&["--endpoints", "{DEAD}", "get", "/message"]),
        Run(&["--no-sync", "--endpoints", "{DEAD}", "ls"]),
        // (with several dead endpoints etcdctl lists them in a random order; kv in the given one)
        Run(&["--endpoints", "{DEAD}", "member", "list"]),
        Run(&["--no-sync", "--endpoints", "{DEAD}", "member", "list"]),
        Run(&["--endpoints", "{DEAD}", "cluster-health"]),
        Run(&["--endpoints", "127.0.0.1:2379", "get", "/message"]),
    ]
}

#[test]
fn kv_matches_etcdctl() {
    let probe = Command::new(std::env::var("COREKIT_ETCDCTL").unwrap_or_else(|_| "etcdctl".into()))
        .env("ETCDCTL_API", "2")
        .arg("--version")
        .output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "etcdctl is not installed: this test compares kv with ETCDCTL_API=2 etcdctl (Debian package etcd-client)"
    );
    let m = Member::start();
    let http = m.http();
    // Push the index well above every number the script uses, so only indexes get renumbered.
    for i in 0..300 {
        let (st, _) = http.put("/_bump", &i.to_string()).unwrap();
        assert!(st == 200 || st == 201);
    }
    let steps = script();
    let (base_e, etcdctl) = run_script(Tool::Etcdctl, &m, &steps);
    reset(&m);
    let (base_k, kv) = run_script(Tool::Kv, &m, &steps);
    reset(&m);
    let mut failures = Vec::new();
    for (e, k) in etcdctl.iter().zip(&kv) {
        let (mut eo, ko) = (normalize(&e.stdout, base_e), normalize(&k.stdout, base_k));
        // Deliberate difference: with -o json, `kv watch -r` prints only the JSON objects (one
        // per line); etcdctl puts an `[action] key` line before each.
        if e.what.contains("-o json watch -r") {
            eo = eo.lines().filter(|l| !l.starts_with('[')).map(|l| format!("{l}\n")).collect();
        }
        let (ee, ke) = (normalize(&e.stderr, base_e), normalize(&k.stderr, base_k));
        if eo != ko || ee != ke || e.code != k.code {
            failures.push(format!(
                "=== {}\n--- etcdctl (exit {:?})\nstdout:\n{eo}stderr:\n{ee}--- kv (exit {:?})\nstdout:\n{ko}stderr:\n{ke}",
                k.what, e.code, k.code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps differ:\n{}",
        failures.len(),
        steps.len(),
        failures.join("\n")
    );
    let _ = Value::Null;
}

#[test]
fn json_everywhere_for_scripts() {
    let m = Member::start();
    let run = |args: &[&str]| {
        let mut c = Command::new(KV);
        c.arg("--endpoints").arg(m.client_url()).args(args);
        common::run_bounded(c, Duration::from_secs(20))
    };
    let r = run(&["-o", "json", "member", "list"]);
    assert!(r.status.success(), "{}", r.stderr);
    let v: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["isLeader"], true);
    assert_eq!(v["clientURLs"][0], m.client_url());
    let r = run(&["--json", "cluster-health"]);
    assert!(r.status.success(), "{}", r.stderr);
    for l in r.stdout.lines() {
        let _: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    assert!(r.stdout.ends_with("{\"cluster\":\"healthy\"}\n"), "{}", r.stdout);
    // the done-when example
    let r = run(&["set", "/message", "CROC Cloud"]);
    assert_eq!((r.stdout.as_str(), r.status.code()), ("CROC Cloud\n", Some(0)));
    let r = run(&["get", "/message"]);
    assert_eq!((r.stdout.as_str(), r.status.code()), ("CROC Cloud\n", Some(0)));
    // KV_ENDPOINTS wins over ETCDCTL_ENDPOINTS
    let mut c = Command::new(KV);
    c.env("KV_ENDPOINTS", m.client_url())
        .env("ETCDCTL_ENDPOINTS", "http://127.0.0.1:9")
        .args(["get", "/message"]);
    let r = common::run_bounded(c, Duration::from_secs(20));
    assert_eq!(r.stdout, "CROC Cloud\n", "{}", r.stderr);
    let mut c = Command::new(KV);
    c.env_remove("KV_ENDPOINTS").env("ETCDCTL_ENDPOINTS", m.client_url()).args(["get", "/message"]);
    let r = common::run_bounded(c, Duration::from_secs(20));
    assert_eq!(r.stdout, "CROC Cloud\n", "{}", r.stderr);
}

#[test]
fn closed_stdout_ends_quietly() {
    let m = Member::start();
    let http = m.http();
    for i in 0..2000 {
        http.put(&format!("/many/k{i:05}"), "some value to make the listing long").unwrap();
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{KV} --endpoints {} ls -r / | head -n 3", m.client_url()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stderr.is_empty(), "kv complained about the closed pipe: {stderr}");
    // and the exit status is the normal one
    let st = Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail; {KV} --endpoints {} ls -r / | head -n 1 >/dev/null", m.client_url()))
        .status()
        .unwrap();
    assert!(st.success(), "kv ls -r | head: {st}");
}
