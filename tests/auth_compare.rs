//! etcd 2's auth, side by side with etcd 3.4 (`--enable-v2`) in one run (issue 15):
//! tests/auth/probe.sh sends ~190 requests through curl (users, roles, enabling auth, guest
//! and user access to keys, patterns, watches, membership) and ~120 `etcdctl` command lines
//! (`auth`, `user`, `role`, `-u`); each transcript is taken from kv-serve and from etcd, and
//! `kv` replays the etcdctl lines against kv-serve. The normalised transcripts must match step
//! by step, except for the steps listed below, where kv-serve or kv differs on purpose.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::{Member, Server};

const KV: &str = env!("CARGO_BIN_EXE_kv");

/// HTTP steps that differ on purpose, by title, and why.
const HTTP_DIFFERENT: &[(&str, &str)] = &[
    ("baseline: /version, /health", "kv-serve reports etcd 2.3's version and health answer"),
    ("stats, version and health stay open", "stats carry times and counters; version and health as above"),
    ("empty user name in Basic auth", "etcd crashes the handler (empty reply); kv-serve answers 401"),
    ("role with empty-string pattern", "etcd crashes on the match (empty reply); kv-serve answers 401"),
];

/// etcdctl command lines where kv differs on purpose, and why.
const CTL_DIFFERENT: &[(&str, &str)] = &[
    ("auth enable -u root:rootpw", "kv takes global flags after the command too"),
    (
        "etcdctl role list </dev/null",
        "refused, kv prints the server's message, not `unexpected status code 401`",
    ),
    ("user passwd nobody", "kv says the user was created; etcdctl prints an empty line"),
];

fn probe(mode: &str, m: &Member, ctl: Option<&str>) -> BTreeMap<String, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/auth/probe.sh");
    let endpoint = m.client_url();
    let mut cmd = Command::new("bash");
    cmd.args([script, mode, &endpoint]).env("NORMALIZE", "1").env_remove("TIMING");
    if let Some(c) = ctl {
        cmd.env("CTL", c);
    }
    let out = cmd.output().expect("bash");
    let http = mode == "http";
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(endpoint.trim_start_matches("http://"), "EP")
        .replace(m.peer_url().trim_start_matches("http://"), "PEER");
    steps(&text.replace(KV, "etcdctl"), http)
}

/// `### N. title` → the step's normalised text (`http`: with each answer's headers sorted).
fn steps(text: &str, http: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut title = String::new();
    let mut body: Vec<String> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let flush_headers = |body: &mut Vec<String>, headers: &mut Vec<String>| {
        headers.sort();
        body.append(headers);
    };
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("### ") {
            flush_headers(&mut body, &mut headers);
            if !title.is_empty() {
                out.insert(title.clone(), body.join("\n"));
            }
            title = t.to_string();
            body.clear();
            continue;
        }
        if let Some((name, value)) = header(line).filter(|_| http) {
            if !matches!(name.as_str(), "date" | "content-length" | "x-raft-index" | "x-raft-term") {
                headers.push(format!("{name}: {value}"));
            }
            continue;
        }
        flush_headers(&mut body, &mut headers);
        if let Some(l) = normalise(line) {
            body.push(l);
        }
    }
    flush_headers(&mut body, &mut headers);
    out.insert(title, body.join("\n"));
    out
}

fn header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(": ")?;
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    ok.then(|| (name.to_ascii_lowercase(), value.to_string()))
}

/// Masks what differs between any two servers: member IDs, in-order key names, body sizes
/// (indexes have different widths); sorts the children of directories; drops stty's
/// complaints and the password prompt (etcdctl prints them on stdout and stderr when stdin is
/// not a terminal; kv prompts only on a terminal).
fn normalise(line: &str) -> Option<String> {
    let mut l = line.to_string();
    if l.starts_with("stty: ") || l == "New password: $" || l == "Password: $" {
        return None;
    }
    if let Some(rest) = l.strip_prefix("[body: ") {
        return Some(format!("[body: {}", rest.split_once(", ").map_or(rest, |(_, r)| r)));
    }
    if l.starts_with("--- stdout") || l.starts_with("--- stderr") {
        return Some(l.split(" (").next().unwrap_or(&l).to_string());
    }
    if l.starts_with('{')
        && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&l.replace("<n>", "0"))
    {
        sort_nodes(&mut v);
        l = v.to_string();
    }
    Some(mask_ids(&l))
}

fn sort_nodes(v: &mut serde_json::Value) {
    if let Some(nodes) = v.get_mut("nodes").and_then(|n| n.as_array_mut()) {
        nodes.sort_by_key(|n| n["key"].as_str().unwrap_or("").to_string());
        nodes.iter_mut().for_each(sort_nodes);
    }
    if let Some(n) = v.get_mut("node") {
        sort_nodes(n);
    }
}

/// Hex member IDs (13–16 digits) and 20-digit in-order key names.
fn mask_ids(l: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let n = run.len();
        if n == 20 && run.chars().all(|c| c.is_ascii_digit()) {
            out.push_str("<seq>");
        } else if (13..=16).contains(&n) && run.chars().any(|c| c.is_ascii_alphabetic()) {
            out.push_str("<id>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in l.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `ls` prints a directory in etcd's map order unless asked to sort: compare the lines as a set.
fn unordered_ls(step: &str) -> String {
    let is_ls = step.lines().next().is_some_and(|l| l.starts_with("$ ") && l.contains(" ls "));
    if !is_ls {
        return step.to_string();
    }
    let mut out = Vec::new();
    let mut listing: Vec<&str> = Vec::new();
    let mut in_stdout = false;
    for l in step.lines() {
        if l.starts_with("--- stdout") {
            in_stdout = true;
            out.push(l.to_string());
            continue;
        }
        if in_stdout && l.starts_with("--- ") {
            listing.sort();
            out.extend(listing.drain(..).map(str::to_string));
            in_stdout = false;
        }
        if in_stdout { listing.push(l) } else { out.push(l.to_string()) }
    }
    out.join("\n")
}

fn compare(
    etcd: &BTreeMap<String, String>,
    ours: &BTreeMap<String, String>,
    skip: &[(&str, &str)],
    what: &str,
) {
    assert_eq!(etcd.len(), ours.len(), "{what}: the transcripts have different steps");
    let mut differ = Vec::new();
    let mut compared = 0;
    for (title, want) in etcd {
        let body = want.lines().find(|l| l.starts_with("$ ")).unwrap_or("");
        if skip.iter().any(|(s, _)| title.contains(s) || body.contains(s)) {
            continue;
        }
        compared += 1;
        let got = ours.get(title).map(String::as_str).unwrap_or("<missing>");
        let (got, want) = (unordered_ls(got), unordered_ls(want));
        if got != want {
            differ.push(format!("### {title}\n--- etcd:\n{want}\n--- corekit:\n{got}"));
        }
    }
    println!("{what}: {compared} steps compared, {} differ on purpose", etcd.len() - compared);
    assert!(compared > etcd.len() * 9 / 10, "{what}: too few steps compared ({compared})");
    assert!(
        differ.is_empty(),
        "{what}: {} of {compared} steps differ:\n{}",
        differ.len(),
        differ.join("\n\n")
    );
}

#[test]
fn the_auth_api_answers_as_etcd_does() {
    common::disco::require("curl", "curl");
    let (kv, etcd) =
        (Member::builder().server(Server::KvServe).start(), Member::builder().server(Server::Etcd).start());
    let ours = probe("http", &kv, None);
    let theirs = probe("http", &etcd, None);
    compare(&theirs, &ours, HTTP_DIFFERENT, "HTTP");
}

#[test]
fn kv_user_role_and_auth_print_what_etcdctl_prints() {
    common::disco::require("etcdctl", "etcd-client");
    let (kv, etcd) =
        (Member::builder().server(Server::KvServe).start(), Member::builder().server(Server::Etcd).start());
    let ours = probe("ctl", &kv, Some(KV));
    let theirs = probe("ctl", &etcd, None);
    compare(&theirs, &ours, CTL_DIFFERENT, "etcdctl");
}

/// A password is never written anywhere: not to the log (even with `--debug`), not to the Raft
/// log or the snapshot — only its bcrypt hash is, which the data dir is checked to hold so that
/// the search looks in the right place.
#[test]
fn passwords_reach_neither_the_log_nor_the_data_dir() {
    let mut m = Member::builder().server(Server::KvServe).arg("--debug").snapshot_count(5).start();
    let ep = m.client_url();
    let kv = |args: &[&str]| {
        let o = Command::new(KV).args(["--endpoints", &ep, "--no-sync"]).args(args).output().unwrap();
        (
            o.status.success(),
            format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
        )
    };
    let secrets = ["R00t-Pa55-q7x", "Al1ce-Pa55-k3v", "Al1ce-New-9zz"];
    for args in [
        vec!["user", "add", "root:R00t-Pa55-q7x"],
        vec!["auth", "enable"],
        vec!["-u", "root:R00t-Pa55-q7x", "user", "add", "alice:Al1ce-Pa55-k3v"],
        vec!["-u", "alice:Al1ce-Pa55-k3v", "get", "/"],
        vec!["-u", "root:R00t-Pa55-q7x", "set", "/a", "1"],
        vec!["-u", "root:R00t-Pa55-q7x", "set", "/b", "2"],
        vec!["-u", "root:R00t-Pa55-q7x", "set", "/c", "3"],
    ] {
        let (ok, out) = kv(&args);
        assert!(ok || args.contains(&"get"), "{args:?}: {out}");
    }
    // A changed password (as JSON, the way etcd's clients send it) and a wrong one.
    let r = ureq::put(format!("{ep}/v2/auth/users/alice"))
        .header("Authorization", "Basic cm9vdDpSMDB0LVBhNTUtcTd4") // root:R00t-Pa55-q7x
        .send(r#"{"user":"alice","password":"Al1ce-New-9zz"}"#)
        .unwrap();
    assert_eq!(r.status(), 200);
    let (ok, _) = kv(&["-u", "alice:wrong-Al1ce-Pa55-k3v", "get", "/a"]);
    assert!(!ok);
    for i in 0..10 {
        let (ok, out) = kv(&["-u", "root:R00t-Pa55-q7x", "set", &format!("/k{i}"), "v"]);
        assert!(ok, "{out}");
    }
    assert!(Member::is_clean_stop(m.stop()));
    let mut hashes = 0;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut files = vec![m.log_path().to_path_buf()];
    let mut dirs = vec![m.data_dir().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() { dirs.push(p) } else { files.push(p) }
        }
    }
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        hashes += text.matches("$2a$10$").count();
        for s in secrets {
            if text.contains(s) {
                seen.push((f.display().to_string(), s.to_string()));
            }
        }
    }
    assert!(seen.is_empty(), "passwords written to: {seen:?}");
    assert!(
        hashes >= 2,
        "no bcrypt hash found in {} files: the search looked in the wrong place",
        files.len()
    );
}
