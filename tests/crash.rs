//! Durability under `kill -9`: every write the server acknowledged (200/201) survives a
//! SIGKILL that lands while writers are in flight, across several crash/restart rounds on
//! the same data dir.
//!
//! Each round: WRITERS threads PUT distinct keys `/crash/r{round}/w{i}/{n}` in sequence and
//! record a (key, value) only when the server answered 200 or 201; after a random 300–1500 ms
//! the server is killed with SIGKILL; writers stop at their first transport error; the server
//! is restarted on the same data dir and every acknowledged write of this round and of all
//! earlier rounds is read back with `?quorum=true`.
//!
//! `COREKIT_TEST_SEED` replays a run's kill timings; `COREKIT_TEST_SERVER=etcd` runs it
//! against the real etcd.

mod common;

use common::{Http, Member, Rng};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
const ROUNDS: usize = 5;
const VERIFIERS: usize = 4;

#[derive(Default, Debug, Clone, Copy)]
struct RoundStats {
    /// answered 200/201: must survive
    acked: usize,
    /// answered with another status (not acknowledged, not checked)
    other_status: usize,
    /// ended in a transport error (the kill): outcome unknown, not checked
    cut_by_kill: usize,
}

/// Run the writers against `member`, SIGKILL it after `kill_after` (on this thread, which
/// owns the member), and return the acknowledged writes.
fn write_and_kill(
    member: &mut Member,
    round: usize,
    kill_after: Duration,
    nonce: u64,
) -> (Vec<(String, String)>, RoundStats) {
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let stats = Arc::new(Mutex::new(RoundStats::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let base = member.client_url();
    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let (acked, stats, stop, base) = (acked.clone(), stats.clone(), stop.clone(), base.clone());
        handles.push(thread::spawn(move || {
            let http = Http::with_timeout(&base, Duration::from_secs(5));
            let mut mine = Vec::new();
            let (mut other, mut cut) = (0, 0);
            // Bounded: the kill comes within 1.5 s; a writer also gives up after 60 s.
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let key = format!("/crash/r{round}/w{w}/{n}");
                let value = format!("v-{nonce:x}-r{round}-w{w}-n{n}");
                match http.put(&key, &value) {
                    Ok((200 | 201, _)) => mine.push((key, value)),
                    Ok((st, body)) => {
                        other += 1;
                        if other <= 3 {
                            eprintln!("writer {w}: PUT {key} -> {st} {body}");
                        }
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
            s.other_status += other;
            s.cut_by_kill += cut;
            acked.lock().unwrap().extend(mine);
        }));
    }
    thread::sleep(kill_after);
    member.kill9();
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("writer thread panicked");
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let stats = *stats.lock().unwrap();
    (acked, stats)
}

/// Read every write back with `?quorum=true`; returns the descriptions of the lost ones.
fn verify(member: &Member, writes: &[(String, String)]) -> Vec<String> {
    let lost = Arc::new(Mutex::new(Vec::new()));
    let chunk = writes.len().div_ceil(VERIFIERS).max(1);
    thread::scope(|s| {
        for part in writes.chunks(chunk) {
            let lost = lost.clone();
            let http = member.http();
            s.spawn(move || {
                for (key, value) in part {
                    let got = http.get_key(&format!("{key}?quorum=true"));
                    let problem = match got {
                        Ok((200, body)) if body["node"]["value"] == value.as_str() => None,
                        Ok((200, body)) => {
                            Some(format!("{key}: value {} != acknowledged {value:?}", body["node"]["value"]))
                        }
                        Ok((st, body)) => Some(format!("{key}: HTTP {st} {body}")),
                        Err(e) => Some(format!("{key}: {e}")),
                    };
                    if let Some(p) = problem {
                        lost.lock().unwrap().push(p);
                    }
                }
            });
        }
    });
    std::mem::take(&mut *lost.lock().unwrap())
}

#[test]
fn acknowledged_writes_survive_kill9() {
    crash_rounds(Member::start());
}

/// The same with a snapshot every 300 entries, so kills land around snapshots, log
/// compaction and restarts that load a snapshot and replay the log behind it.
#[test]
fn acknowledged_writes_survive_kill9_with_frequent_snapshots() {
    crash_rounds(Member::builder().snapshot_count(300).start());
}

fn crash_rounds(mut member: Member) {
    let (mut rng, seed) = Rng::from_env();
    println!("seed {seed} (COREKIT_TEST_SEED={seed} replays the kill timings)");
    println!("{:?} at {}, data in {}", member.server, member.client_url(), member.dir().display());

    let mut all: Vec<(String, String)> = Vec::new();
    let mut total_lost = 0usize;
    for round in 0..ROUNDS {
        let kill_after = Duration::from_millis(rng.range(300, 1500));
        let (acked, st) = write_and_kill(&mut member, round, kill_after, seed);
        let t = Instant::now();
        member.restart();
        let restart_time = t.elapsed();
        all.extend(acked.iter().cloned());
        let lost = verify(&member, &all);
        println!(
            "round {round}: killed after {kill_after:?}; acknowledged {} (other status {}, cut by the kill {}); \
             restarted in {restart_time:?}; checked {} writes of rounds 0..={round}: lost {}",
            st.acked,
            st.other_status,
            st.cut_by_kill,
            all.len(),
            lost.len()
        );
        for l in lost.iter().take(20) {
            println!("  LOST {l}");
        }
        assert!(st.acked > 0, "round {round}: the server acknowledged no write before the kill");
        total_lost += lost.len();
        assert_eq!(lost.len(), 0, "round {round}: {} acknowledged writes lost", lost.len());
    }
    println!("total: {} acknowledged writes over {ROUNDS} kill -9 rounds, {total_lost} lost", all.len());
    member.stop();
}
