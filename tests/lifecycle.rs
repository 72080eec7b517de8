//! Start, SIGTERM and restart: SIGTERM stops the server cleanly (exit status 0 — or death by
//! the SIGTERM, as etcd re-raises it — within the harness's bound), and a restart on the same
//! data dir serves what was written before.

mod common;

use common::Member;

#[test]
fn sigterm_stops_cleanly_and_restart_keeps_data() {
    let mut m = Member::start();
    let http = m.http();
    let (st, v) = http.get("/version").expect("GET /version");
    assert_eq!(st, 200, "/version: {v}");
    let (st, v) = http.put("/life/a", "before-stop").expect("PUT");
    assert!(st == 200 || st == 201, "PUT /life/a: {st} {v}");

    let status = m.stop();
    assert!(
        Member::is_clean_stop(status),
        "SIGTERM: exit status {status}, want 0 (or death by the SIGTERM)\n{}",
        m.log_tail(20)
    );

    m.restart();
    let (st, v) = m
        .http()
        .get_key("/life/a?quorum=true")
        .expect("GET after restart");
    assert_eq!(st, 200, "GET /life/a after restart: {v}");
    assert_eq!(v["node"]["value"], "before-stop");

    // and a kill -9 of an idle server loses nothing either
    m.kill9();
    m.restart();
    let (st, v) = m.http().get_key("/life/a").expect("GET after kill -9");
    assert_eq!(
        (st, v["node"]["value"].as_str()),
        (200, Some("before-stop")),
        "{v}"
    );
    let status = m.stop();
    assert!(
        Member::is_clean_stop(status),
        "SIGTERM: exit status {status}"
    );
}
