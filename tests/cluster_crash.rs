//! Durability of a three-member cluster under `kill -9` of every member: each write the
//! cluster acknowledged (200/201) survives a SIGKILL of all three members that lands while
//! writers are in flight, across many crash/restart rounds on the same data dirs.
//!
//! Each round: WRITERS threads PUT distinct keys `/ccrash/r{round}/w{i}/{n}` in sequence,
//! writer i through member i % 3 (so most writes go through a follower and are forwarded to
//! the leader), and record a (key, value) only when the member answered 200 or 201; after a
//! random 300–1500 ms all three members are SIGKILLed in quick succession, in a random order;
//! writers stop at their first transport error. Then all three are restarted on their data
//! dirs (spawned together, since none is healthy without a quorum) and every acknowledged write
//! of this round and of all earlier rounds is read back with `?quorum=true`, spread over the
//! three members.
//!
//! `COREKIT_TEST_SEED` replays a run's kill timings and kill orders.

mod common;

use common::cluster::TestCluster;
use common::{Http, Rng};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const MEMBERS: usize = 3;
const WRITERS: usize = 6;
const ROUNDS: usize = 10;
const VERIFIERS: usize = 6;
/// A quorum read that fails with a transport error or 5xx right after the restart (a leader
/// election still settling) is retried this many times, 250 ms apart, before it counts as lost.
const READ_RETRIES: usize = 20;

#[derive(Default, Debug, Clone, Copy)]
struct RoundStats {
    /// answered 200/201: must survive
    acked: usize,
    /// acknowledged writes that went through a member that was not the leader at the start
    acked_via_follower: usize,
    /// answered with another status (not acknowledged, not checked)
    other_status: usize,
    /// ended in a transport error (the kill): outcome unknown, not checked
    cut_by_kill: usize,
}

/// Run the writers against the cluster, SIGKILL every member after `kill_after` in `order`
/// (on this thread, which owns the members), and return the acknowledged writes.
fn write_and_kill(
    c: &mut TestCluster,
    round: usize,
    kill_after: Duration,
    order: &[usize],
    leader: usize,
    nonce: u64,
) -> (Vec<(String, String)>, RoundStats) {
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let stats = Arc::new(Mutex::new(RoundStats::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let member = w % MEMBERS;
        let base = c.nodes[member].client.clone();
        let (acked, stats, stop) = (acked.clone(), stats.clone(), stop.clone());
        handles.push(thread::spawn(move || {
            let http = Http::with_timeout(&base, Duration::from_secs(5));
            let mut mine = Vec::new();
            let (mut other, mut cut) = (0, 0);
            // Bounded: the kill comes within 1.5 s; a writer also gives up after 60 s.
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let key = format!("/ccrash/r{round}/w{w}/{n}");
                let value = format!("v-{nonce:x}-r{round}-w{w}-m{member}-n{n}");
                match http.put(&key, &value) {
                    Ok((200 | 201, _)) => mine.push((key, value)),
                    Ok((st, body)) => {
                        other += 1;
                        if other <= 3 {
                            eprintln!("round {round} writer {w} (member {member}): PUT {key} -> {st} {body}");
                        }
                        // Typically a member whose leader was just killed: don't spin.
                        thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => {
                        cut += 1;
                        break;
                    }
                }
                n += 1;
            }
            let mut s = stats.lock().unwrap();
            s.acked += mine.len();
            if member != leader {
                s.acked_via_follower += mine.len();
            }
            s.other_status += other;
            s.cut_by_kill += cut;
            acked.lock().unwrap().extend(mine);
        }));
    }
    thread::sleep(kill_after);
    for &i in order {
        c.kill9(i);
    }
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("writer thread panicked");
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let stats = *stats.lock().unwrap();
    (acked, stats)
}

/// Read every write back with `?quorum=true` through all members; returns the descriptions
/// of the lost ones and the number of reads that needed a retry.
fn verify(c: &TestCluster, writes: &[(String, String)]) -> (Vec<String>, usize) {
    let lost = Arc::new(Mutex::new(Vec::new()));
    let retried = Arc::new(Mutex::new(0usize));
    let chunk = writes.len().div_ceil(VERIFIERS).max(1);
    thread::scope(|s| {
        for (v, part) in writes.chunks(chunk).enumerate() {
            let (lost, retried) = (lost.clone(), retried.clone());
            let http = c.http(v % MEMBERS);
            s.spawn(move || {
                for (key, value) in part {
                    let mut attempt = 0;
                    let problem = loop {
                        let t = Instant::now();
                        let got = http.get_key(&format!("{key}?quorum=true"));
                        let took = t.elapsed();
                        if took > Duration::from_secs(1) {
                            let what = match &got {
                                Ok((st, _)) => format!("HTTP {st}"),
                                Err(e) => e.to_string(),
                            };
                            eprintln!("slow quorum read: {key} via {} took {took:?}: {what}", http.base);
                        }
                        let transient = match &got {
                            Err(_) => true,
                            Ok((st, _)) => *st >= 500,
                        };
                        if transient && attempt < READ_RETRIES {
                            attempt += 1;
                            *retried.lock().unwrap() += 1;
                            thread::sleep(Duration::from_millis(250));
                            continue;
                        }
                        break match got {
                            Ok((200, body)) if body["node"]["value"] == value.as_str() => None,
                            Ok((200, body)) => Some(format!(
                                "{key}: value {} != acknowledged {value:?}",
                                body["node"]["value"]
                            )),
                            Ok((st, body)) => Some(format!("{key} via {}: HTTP {st} {body}", http.base)),
                            Err(e) => Some(format!("{key} via {}: {e}", http.base)),
                        };
                    };
                    if let Some(p) = problem {
                        lost.lock().unwrap().push(p);
                    }
                }
            });
        }
    });
    let lost = std::mem::take(&mut *lost.lock().unwrap());
    let retried = *retried.lock().unwrap();
    (lost, retried)
}

#[test]
fn acknowledged_writes_survive_kill9_of_every_member() {
    let (mut rng, seed) = Rng::from_env();
    println!("seed {seed} (COREKIT_TEST_SEED={seed} replays the kill timings and orders)");
    let mut c = TestCluster::start(MEMBERS);
    for (i, n) in c.nodes.iter().enumerate() {
        println!(
            "member {i} ({}): client {} peer {}, data in {}",
            n.name,
            n.client,
            n.peer,
            n.dir.path().display()
        );
    }

    let mut all: Vec<(String, String)> = Vec::new();
    let mut total_lost = 0usize;
    for round in 0..ROUNDS {
        let leader = c.leader();
        let kill_after = Duration::from_millis(rng.range(300, 1500));
        // A random order (Fisher–Yates with the seeded RNG).
        let mut order: Vec<usize> = (0..MEMBERS).collect();
        for i in (1..order.len()).rev() {
            let j = rng.range(0, i as u64) as usize;
            order.swap(i, j);
        }
        let (acked, st) = write_and_kill(&mut c, round, kill_after, &order, leader, seed);
        let t = Instant::now();
        for i in 0..MEMBERS {
            c.spawn(i);
        }
        for i in 0..MEMBERS {
            c.wait_healthy(i);
        }
        let restart_time = t.elapsed();
        all.extend(acked.iter().cloned());
        let t = Instant::now();
        let (lost, retried) = verify(&c, &all);
        println!(
            "round {round}: leader was n{}; killed after {kill_after:?} in order {:?}; acknowledged {} \
             ({} through followers; other status {}, cut by the kill {}); restarted in {restart_time:?}; \
             checked {} writes of rounds 0..={round} in {:?} ({retried} reads retried): lost {}",
            leader + 1,
            order.iter().map(|i| format!("n{}", i + 1)).collect::<Vec<_>>(),
            st.acked,
            st.acked_via_follower,
            st.other_status,
            st.cut_by_kill,
            all.len(),
            t.elapsed(),
            lost.len()
        );
        for l in lost.iter().take(20) {
            println!("  LOST {l}");
        }
        assert!(st.acked > 0, "round {round}: the cluster acknowledged no write before the kill");
        total_lost += lost.len();
        assert_eq!(lost.len(), 0, "round {round}: {} acknowledged writes lost", lost.len());
    }
    println!(
        "total: {} acknowledged writes over {ROUNDS} kill -9 rounds of all {MEMBERS} members, {total_lost} lost",
        all.len()
    );
}
