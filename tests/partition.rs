//! A real minority partition (issue 4). Three kv-serve members, each in a network namespace of
//! its own, joined through a bridge in a fourth namespace (the "switch"); see
//! `common/netns.rs` for the layout. Cutting a member off is `ip link set <switch-side veth>
//! down` in the switch namespace: the member's only link goes down, so traffic stops in both
//! directions (no one-sided firewall rule). The test talks to a member from inside that
//! member's namespace, so an isolated member can still be asked for writes and quorum reads.
//!
//! Requires root and iproute2's `ip netns`; it fails (does not skip) when they are missing.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::netns::{NsCluster, call, our_ns_pid, request_timeout};

// ------------------------------------------------------------------------------ the test

/// On the isolated member `iso`, a write and a quorum read (sent at the same time) both fail
/// with an etcd error (5xx + errorCode) within the request timeout.
fn assert_minority_refuses(c: &NsCluster, iso: usize, tag: &str) {
    let client_timeout = request_timeout() + Duration::from_secs(10);
    let limit = request_timeout() + Duration::from_secs(3);
    let (ns, put_url, get_url) = (
        c.members[iso].ns.clone(),
        c.url(iso, &format!("/v2/keys/minority/{tag}")),
        c.url(iso, "/v2/keys/data/0?quorum=true"),
    );
    let ns2 = ns.clone();
    let t0 = Instant::now();
    let w = thread::spawn(move || {
        let r = call(&ns, "PUT", put_url, vec![("value".into(), "must-not-commit".into())], client_timeout);
        (r, t0.elapsed())
    });
    let r = thread::spawn(move || {
        let r = call(&ns2, "GET", get_url, Vec::new(), client_timeout);
        (r, t0.elapsed())
    });
    for (what, (res, took)) in [("PUT", w.join().unwrap()), ("GET ?quorum=true", r.join().unwrap())] {
        let a = res.unwrap_or_else(|e| {
            panic!("{what} on isolated n{}: transport error instead of an etcd error: {e}", iso + 1)
        });
        eprintln!(
            "partition: {what} on isolated n{} -> HTTP {} {} after {took:?}",
            iso + 1,
            a.status,
            a.body
        );
        assert!(
            a.status >= 500 && a.body["errorCode"].is_u64() && a.body["message"].is_string(),
            "{what} on isolated n{}: expected an etcd error (5xx + errorCode), got HTTP {} {}",
            iso + 1,
            a.status,
            a.body
        );
        assert!(
            took <= limit,
            "{what} on isolated n{} took {took:?} (request timeout {:?})",
            iso + 1,
            request_timeout()
        );
    }
}

/// The two members in `majority` keep taking writes and serving quorum reads.
fn assert_majority_serves(c: &NsCluster, majority: &[usize], tag: &str) {
    let t = Duration::from_secs(10);
    for n in 0..5 {
        for &i in majority {
            let key = format!("/data/{tag}-{n}-via-n{}", i + 1);
            // The first writes after the leader is cut off may wait for the new election.
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let a = c.put(i, &key, &format!("{tag}{n}"), t);
                match a {
                    Ok(a) if a.status == 200 || a.status == 201 => break,
                    other => {
                        assert!(
                            Instant::now() < deadline,
                            "majority n{}: PUT {key} kept failing: {other:?}",
                            i + 1
                        );
                        eprintln!("partition: majority n{}: PUT {key}: {other:?}; retrying", i + 1);
                        thread::sleep(Duration::from_millis(200));
                    }
                }
            }
            for &j in majority {
                let a = c.get(j, &format!("/v2/keys{key}?quorum=true"), t).expect("majority quorum read");
                assert_eq!(
                    (a.status, a.body["node"]["value"].as_str()),
                    (200, Some(format!("{tag}{n}").as_str())),
                    "quorum read of {key} on majority n{}: {}",
                    j + 1,
                    a.body
                );
            }
        }
    }
}

#[test]
fn minority_partition_refuses_majority_serves_then_converges() {
    let c = NsCluster::start();
    let t = Duration::from_secs(10);
    for n in 0..10 {
        let a = c.put(n % 3, &format!("/data/{n}"), &format!("v{n}"), t).expect("initial write");
        assert!(a.status == 200 || a.status == 201, "initial write: {a:?}");
    }
    c.assert_converged();

    for phase in ["follower", "leader"] {
        let leader = c.leader_among(&[0, 1, 2]);
        let iso = if phase == "leader" { leader } else { (leader + 1) % 3 };
        let majority: Vec<usize> = (0..3).filter(|&i| i != iso).collect();
        eprintln!("partition: phase {phase}: leader n{}, isolating n{}", leader + 1, iso + 1);

        c.cut(iso);
        // The cut is real in both directions, and the majority still reach each other.
        for &j in &majority {
            assert!(!c.can_connect(iso, j), "n{} still reaches n{} after the cut", iso + 1, j + 1);
            assert!(!c.can_connect(j, iso), "n{} still reaches n{} after the cut", j + 1, iso + 1);
        }
        assert!(c.can_connect(majority[0], majority[1]), "the majority cannot reach each other");

        // Minority requests and majority traffic at the same time.
        let (mj, tag) = (majority.clone(), phase.to_string());
        let c_ref: &NsCluster = &c;
        thread::scope(|s| {
            let h = s.spawn(|| assert_majority_serves(c_ref, &mj, &tag));
            assert_minority_refuses(c_ref, iso, phase);
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        });
        if phase == "leader" {
            let new = c.leader_among(&majority);
            eprintln!("partition: new leader n{}", new + 1);
        }
        // Still refused after the majority moved on (the isolated member is behind now).
        let a = c
            .put(
                iso,
                &format!("/minority/{phase}-late"),
                "must-not-commit",
                request_timeout() + Duration::from_secs(10),
            )
            .expect("late PUT");
        assert!(
            a.status >= 500 && a.body["errorCode"].is_u64(),
            "late PUT on isolated n{}: HTTP {} {}",
            iso + 1,
            a.status,
            a.body
        );

        c.heal(iso);
        c.assert_converged();
        // A write refused by the minority must not have been applied behind the client's back
        // in the meantime... except that etcd's timeout error means "outcome unknown", so
        // only report it.
        for key in [format!("/minority/{phase}"), format!("/minority/{phase}-late")] {
            let a = c.get(0, &format!("/v2/keys{key}?quorum=true"), t).expect("read minority key");
            if a.status != 404 {
                eprintln!(
                    "partition: NOTE: {key}, refused on the isolated member, is present after healing: {}",
                    a.body
                );
            }
        }
        // And the healed cluster takes writes through every member.
        for i in 0..3 {
            let a = c.put(i, &format!("/data/healed-{phase}-n{}", i + 1), "ok", t).expect("write after heal");
            assert!(a.status == 200 || a.status == 201, "write after heal via n{}: {a:?}", i + 1);
        }
        c.assert_converged();
    }
}

#[test]
fn stale_name_parsing() {
    assert_eq!(our_ns_pid("ck123-n1"), Some(123));
    assert_eq!(our_ns_pid("ck123-sw"), Some(123));
    assert_eq!(our_ns_pid("ck123-n4"), None);
    assert_eq!(our_ns_pid("ckx-n1"), None);
    assert_eq!(our_ns_pid("ck-n1"), None);
    assert_eq!(our_ns_pid("docker-ns"), None);
}
