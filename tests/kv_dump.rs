//! `kv dump | kv load`: a tree (values, directories, empty directories, TTLs) survives the
//! round trip, and a real etcd 3.4 (`--enable-v2`) store migrates into kv-serve.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Member, Server, Value};

const KV: &str = env!("CARGO_BIN_EXE_kv");

fn kv(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(KV);
    c.env_remove("KV_ENDPOINTS").env_remove("ETCDCTL_ENDPOINTS").args(args);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut sin = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        sin.write_all(s.as_bytes()).unwrap();
    }
    drop(sin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fill(m: &Member) {
    let h = m.http();
    for (k, form) in [
        ("/message", vec![("value", "CROC Cloud")]),
        ("/multi", vec![("value", "line 1\nline 2 \"quoted\" <tag> é")]),
        ("/empty", vec![("value", "")]),
        ("/dir/a", vec![("value", "1")]),
        ("/dir/sub/b", vec![("value", "2")]),
        ("/emptydir", vec![("dir", "true")]),
        ("/ttldir", vec![("dir", "true"), ("ttl", "500")]),
        ("/ttldir/k", vec![("value", "inside")]),
        ("/ttlkey", vec![("value", "short-lived"), ("ttl", "300")]),
        ("/with space/k", vec![("value", "x")]),
    ] {
        let (st, body) = h.put_form(&k.replace(' ', "%20"), &form).unwrap();
        assert!(st == 200 || st == 201, "{k}: {st} {body}");
    }
}

/// Every node under / as (key, dir, value, has ttl, ttl), sorted; TTLs rounded to tens.
fn snapshot(m: &Member) -> Vec<(String, bool, String, i64)> {
    let (_, v) = m.http().get_key("/?recursive=true&sorted=true").unwrap();
    let mut out = Vec::new();
    fn walk(n: &Value, out: &mut Vec<(String, bool, String, i64)>) {
        for c in n["nodes"].as_array().into_iter().flatten() {
            let ttl = c["ttl"].as_i64().unwrap_or(0);
            out.push((
                c["key"].as_str().unwrap().to_string(),
                c["dir"].as_bool().unwrap_or(false),
                c["value"].as_str().unwrap_or("").to_string(),
                (ttl + 9) / 10,
            ));
            walk(c, out);
        }
    }
    walk(&v["node"], &mut out);
    out
}

fn round_trip(from: &Member, to: &Member) {
    let (code, dump, err) = kv(&["--endpoints", &from.client_url(), "dump", "/"], None);
    assert_eq!(code, 0, "dump: {err}");
    for line in dump.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        for f in ["key", "value", "ttl", "dir"] {
            assert!(v.get(f).is_some(), "{line} lacks {f}");
        }
    }
    let (code, out, err) = kv(&["--endpoints", &to.client_url(), "load"], Some(&dump));
    assert_eq!((code, out.as_str()), (0, ""), "load: {err}");
    assert_eq!(snapshot(from), snapshot(to), "dump:\n{dump}");
    let ttls: Vec<_> = snapshot(to).into_iter().filter(|n| n.3 > 0).map(|n| n.0).collect();
    assert_eq!(ttls, vec!["/ttldir", "/ttlkey"]);
}

#[test]
fn dump_load_round_trip_keeps_dirs_and_ttls() {
    let a = Member::builder().name("a").start();
    let b = Member::builder().name("b").start();
    fill(&a);
    round_trip(&a, &b);
    // loading again over existing data is fine (values overwritten, dirs kept)
    let (code, dump, _) = kv(&["--endpoints", &a.client_url(), "dump", "/dir"], None);
    assert_eq!(code, 0);
    assert!(dump.starts_with("{\"key\":\"/dir\",\"value\":null,\"ttl\":0,\"dir\":true}\n"), "{dump}");
    let (code, _, err) = kv(&["--endpoints", &b.client_url(), "load"], Some(&dump));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_input_loads_nothing() {
    let m = Member::start();
    let input = "{\"key\":\"/a\",\"value\":\"1\",\"ttl\":0,\"dir\":false}\n{\"key\":\"/b\"\n";
    let (code, _, err) = kv(&["--endpoints", &m.client_url(), "load"], Some(input));
    // etcdctl's "bad arguments" status: kv's table calls 2 "no endpoint answered".
    assert_eq!(code, 1);
    assert!(err.contains("line 2"), "{err}");
    assert_eq!(m.http().get_key("/a").unwrap().0, 404, "nothing may be written");
}

#[test]
fn migrate_real_etcd_into_kv_serve() {
    let etcd = Member::builder().server(Server::Etcd).name("etcd").start();
    let kvs = Member::builder().server(Server::KvServe).name("kvs").start();
    fill(&etcd);
    // the pipeline from the issue: kv dump / --endpoints=<etcd> | kv load
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; {KV} dump / --endpoints={} | KV_ENDPOINTS={} {KV} load",
            etcd.client_url(),
            kvs.client_url()
        ))
        .env_remove("ETCDCTL_ENDPOINTS")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(snapshot(&etcd), snapshot(&kvs));
    let _ = Duration::ZERO;
}
