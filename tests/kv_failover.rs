//! Endpoint handling: with one endpoint down, `kv` fails over to the next (with and without
//! member sync); with none answering it says so and exits 2 like etcdctl.

mod common;

use std::process::Command;
use std::time::Duration;

use common::Member;

const KV: &str = env!("CARGO_BIN_EXE_kv");

fn kv(args: &[&str]) -> common::Finished {
    let mut c = Command::new(KV);
    c.env_remove("KV_ENDPOINTS").env_remove("ETCDCTL_ENDPOINTS").args(args);
    common::run_bounded(c, Duration::from_secs(30))
}

#[test]
fn one_endpoint_down_fails_over_to_the_next() {
    // Two separate members, so we can tell which one answered.
    let mut a = Member::builder().name("a").start();
    let b = Member::builder().name("b").start();
    a.http().put("/who", "a").unwrap();
    b.http().put("/who", "b").unwrap();
    let eps = format!("{},{}", a.client_url(), b.client_url());

    let r = kv(&["--no-sync", "--endpoints", &eps, "get", "/who"]);
    assert_eq!((r.stdout.as_str(), r.status.code()), ("a\n", Some(0)), "{}", r.stderr);

    a.kill9();
    for extra in [&["--no-sync"][..], &[][..]] {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(["--endpoints", &eps, "get", "/who"]);
        let r = kv(&args);
        assert_eq!(
            (r.stdout.as_str(), r.stderr.as_str(), r.status.code()),
            ("b\n", "", Some(0)),
            "kv {args:?}"
        );
    }
    // writes fail over too
    let r = kv(&["--endpoints", &eps, "set", "/k", "v"]);
    assert_eq!((r.stdout.as_str(), r.status.code()), ("v\n", Some(0)), "{}", r.stderr);
    assert_eq!(b.http().get_key("/k").unwrap().1["node"]["value"], "v");

    // the endpoint that was down comes back: still fine
    a.restart();
    let r = kv(&["--no-sync", "--endpoints", &eps, "get", "/who"]);
    assert_eq!((r.stdout.as_str(), r.status.code()), ("a\n", Some(0)), "{}", r.stderr);
}

#[test]
fn sync_learns_the_members_client_urls() {
    // Given only a dead endpoint and a live one that publishes itself, sync replaces the list
    // with the member's URL; a member list answered through it shows that URL.
    let m = Member::start();
    let eps = format!("http://127.0.0.1:9,{}", m.client_url());
    let r = kv(&["--endpoints", &eps, "member", "list"]);
    assert!(r.status.success(), "{}", r.stderr);
    assert!(r.stdout.contains(&format!("clientURLs={} isLeader=true", m.client_url())), "{}", r.stdout);
}

#[test]
fn nothing_answering_is_a_clear_error() {
    let r = kv(&["--endpoints", "http://127.0.0.1:9", "get", "/x"]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with("Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:9: connect: connection refused\n"),
        "{}",
        r.stderr
    );
    // several endpoints: one error line each, in the order given
    let r = kv(&["--no-sync", "--endpoints", "http://127.0.0.1:9,http://127.0.0.1:8", "get", "/x"]);
    assert_eq!(r.status.code(), Some(4));
    assert_eq!(
        r.stderr,
        "Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:9: connect: connection refused\n\
         ; error #1: dial tcp 127.0.0.1:8: connect: connection refused\n\n\
         error #0: dial tcp 127.0.0.1:9: connect: connection refused\n\
         error #1: dial tcp 127.0.0.1:8: connect: connection refused\n\n"
    );
    // an endpoint that accepts but never answers: the per-request timeout moves on
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let r = kv(&["--no-sync", "--timeout", "300ms", "--endpoints", &url, "get", "/x"]);
    assert_eq!(r.status.code(), Some(4), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("error #0: client: endpoint {url} exceeded header timeout")),
        "{}",
        r.stderr
    );
}
