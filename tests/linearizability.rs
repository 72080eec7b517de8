//! Linearizability (issue 4): client threads do quorum GET, PUT and compare-and-swap
//! (`prevValue`) on a few keys through random members of a three-member cluster while the
//! leader is killed with SIGKILL and restarted. Every key's history is checked with
//! stateright's `LinearizabilityTester` against a sequential register with CAS.
//!
//! Histories are kept short: the workload moves to fresh keys every round, and a key takes at
//! most `OPS_PER_KEY` operations. An operation whose outcome is unknown (transport error,
//! client timeout, a 5xx such as etcd's "request timed out") is left in flight forever: the
//! checker may or may not apply it, at any point after its invocation. The client then goes on
//! under a new thread id (a thread id may have only one operation in flight).
//!
//! Two runs of the same workload: on a loopback cluster where the leader is only killed, and on
//! the network-namespace cluster of `common/netns.rs` where a nemesis also cuts members off
//! (sometimes the leader) and heals them. The latter needs root and `ip netns`; it fails (does
//! not skip) without them.
//!
//! `COREKIT_TEST_SEED` replays the same choices of keys, operations, members and faults (not
//! their timing).

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::cluster::TestCluster;
use common::netns::{NsCluster, NsEndpoint};
use common::{Http, Rng, Value};

/// A per-client PRNG derived from the run's seed (common::Rng only seeds from the env/clock).
struct Prng(u64);
impl Prng {
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        lo + z % (hi - lo + 1)
    }
}
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

// ------------------------------------------------------------------------------ the model

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Get,
    Set(u64),
    /// Compare-and-swap: set to .1 if the value is .0.
    Cas(u64, u64),
}

#[derive(Clone, Debug, PartialEq)]
enum Ret {
    /// A quorum read: the value, None for "key not found" (errorCode 100).
    Value(Option<u64>),
    SetOk,
    CasOk,
    /// errorCode 101 "Compare failed".
    CasFail,
    /// errorCode 100 "Key not found" on a CAS.
    CasNotFound,
}

/// One etcd key as a register; None while the key does not exist.
#[derive(Clone, Debug, Default)]
struct CasRegister(Option<u64>);

impl SequentialSpec for CasRegister {
    type Op = Op;
    type Ret = Ret;
    fn invoke(&mut self, op: &Op) -> Ret {
        match *op {
            Op::Get => Ret::Value(self.0),
            Op::Set(v) => {
                self.0 = Some(v);
                Ret::SetOk
            }
            Op::Cas(from, to) => match self.0 {
                None => Ret::CasNotFound,
                Some(cur) if cur == from => {
                    self.0 = Some(to);
                    Ret::CasOk
                }
                Some(_) => Ret::CasFail,
            },
        }
    }
}

/// One line of a recorded history: an invocation (ret None) or a return.
#[derive(Clone, Debug)]
struct Event {
    at: Duration,
    tid: u64,
    member: usize,
    op: Op,
    /// None for the invocation; Some(None) for a return with unknown outcome (the op stays in
    /// flight); Some(Some(ret)) for a definite answer.
    ret: Option<Option<Ret>>,
    note: String,
}

fn show(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        let what = match &e.ret {
            None => format!("invoke {:?}", e.op),
            Some(None) => format!("UNKNOWN {:?} ({}) -> stays in flight", e.op, e.note),
            Some(Some(r)) => format!("return {:?} -> {:?}", e.op, r),
        };
        s.push_str(&format!(
            "  {:>9.3} ms  t{:<5} n{}  {what}\n",
            e.at.as_secs_f64() * 1e3,
            e.tid,
            e.member + 1,
        ));
    }
    s
}

/// Check one key's history (events in real-time order). Ok(serialization) or Err(reason).
fn check(events: &[Event]) -> Result<Vec<(Op, Ret)>, String> {
    let mut t = LinearizabilityTester::new(CasRegister(None));
    for e in events {
        match &e.ret {
            None => {
                t.on_invoke(e.tid, e.op.clone())?;
            }
            Some(None) => {} // unknown outcome: never returns
            Some(Some(r)) => {
                t.on_return(e.tid, r.clone())?;
            }
        }
    }
    t.serialized_history().ok_or_else(|| "no linearization exists".to_string())
}

// ------------------------------------------------------------------------------ the checker's own tests

fn ev(tid: u64, op: Op, ret: Option<Option<Ret>>) -> Event {
    Event { at: Duration::ZERO, tid, member: 0, op, ret, note: String::new() }
}
fn inv(tid: u64, op: Op) -> Event {
    ev(tid, op, None)
}
fn ret(tid: u64, op: Op, r: Ret) -> Event {
    ev(tid, op, Some(Some(r)))
}
fn lost(tid: u64, op: Op) -> Event {
    ev(tid, op, Some(None))
}

#[test]
fn checker_accepts_linearizable_histories() {
    use Op::*;
    use Ret::*;
    // sequential
    let h = [
        inv(1, Get),
        ret(1, Get, Value(None)),
        inv(1, Set(1)),
        ret(1, Set(1), SetOk),
        inv(2, Cas(1, 2)),
        ret(2, Cas(1, 2), CasOk),
        inv(1, Cas(1, 3)),
        ret(1, Cas(1, 3), CasFail),
        inv(2, Get),
        ret(2, Get, Value(Some(2))),
    ];
    check(&h).unwrap();
    // concurrent read may see the old or the new value, in either order of returns
    let h = [
        inv(1, Set(1)),
        ret(1, Set(1), SetOk),
        inv(1, Set(2)),
        inv(2, Get),
        inv(3, Get),
        ret(2, Get, Value(Some(2))),
        ret(3, Get, Value(Some(2))),
        ret(1, Set(2), SetOk),
    ];
    check(&h).unwrap();
    // two concurrent CASes from the same value: one wins
    let h = [
        inv(1, Set(1)),
        ret(1, Set(1), SetOk),
        inv(1, Cas(1, 2)),
        inv(2, Cas(1, 3)),
        ret(2, Cas(1, 3), CasFail),
        ret(1, Cas(1, 2), CasOk),
        inv(3, Get),
        ret(3, Get, Value(Some(2))),
    ];
    check(&h).unwrap();
    // a write with unknown outcome may take effect later...
    let h = [
        inv(1, Set(1)),
        lost(1, Set(1)),
        inv(2, Get),
        ret(2, Get, Value(None)),
        inv(2, Get),
        ret(2, Get, Value(Some(1))),
    ];
    check(&h).unwrap();
    // ...or never
    let h = [inv(1, Set(1)), lost(1, Set(1)), inv(2, Get), ret(2, Get, Value(None))];
    check(&h).unwrap();
    // a CAS on a missing key
    let h = [inv(1, Cas(0, 1)), ret(1, Cas(0, 1), CasNotFound)];
    check(&h).unwrap();
}

#[test]
fn checker_rejects_non_linearizable_histories() {
    use Op::*;
    use Ret::*;
    // stale read after a completed write
    let h = [inv(1, Set(1)), ret(1, Set(1), SetOk), inv(2, Get), ret(2, Get, Value(None))];
    assert!(check(&h).is_err());
    // the value goes back: new then old
    let h = [
        inv(1, Set(1)),
        ret(1, Set(1), SetOk),
        inv(1, Set(2)),
        inv(2, Get),
        ret(2, Get, Value(Some(2))),
        inv(3, Get),
        ret(3, Get, Value(Some(1))),
        ret(1, Set(2), SetOk),
    ];
    assert!(check(&h).is_err());
    // both CASes from the same value succeed
    let h = [
        inv(1, Set(1)),
        ret(1, Set(1), SetOk),
        inv(1, Cas(1, 2)),
        inv(2, Cas(1, 3)),
        ret(1, Cas(1, 2), CasOk),
        ret(2, Cas(1, 3), CasOk),
    ];
    assert!(check(&h).is_err());
    // a CAS that failed although the value matched and nothing else ran
    let h = [inv(1, Set(1)), ret(1, Set(1), SetOk), inv(1, Cas(1, 2)), ret(1, Cas(1, 2), CasFail)];
    assert!(check(&h).is_err());
    // a lost write seen, then unseen
    let h = [
        inv(1, Set(1)),
        lost(1, Set(1)),
        inv(2, Get),
        ret(2, Get, Value(Some(1))),
        inv(2, Get),
        ret(2, Get, Value(None)),
    ];
    assert!(check(&h).is_err());
    // a value nobody wrote
    let h = [inv(1, Set(1)), ret(1, Set(1), SetOk), inv(2, Get), ret(2, Get, Value(Some(7)))];
    assert!(check(&h).is_err());
}

// ------------------------------------------------------------------------------ the workload

const CLIENTS: u64 = 4;
const KEYS_PER_ROUND: usize = 3;
const OPS_PER_KEY: usize = 12;
const CLIENT_TIMEOUT: Duration = Duration::from_secs(3);

struct Shared {
    start: Instant,
    stop: AtomicBool,
    round: AtomicUsize,
    /// Ops taken per key of the current round (reset when the round changes).
    taken: Mutex<(usize, [usize; KEYS_PER_ROUND])>,
    /// Every event, by (round, key), in the order they happened.
    log: Mutex<BTreeMap<(usize, usize), Vec<Event>>>,
    /// Last value seen per (round, key): a hint for CAS's prevValue.
    seen: Mutex<BTreeMap<(usize, usize), u64>>,
    ok: AtomicU64,
    unknown: AtomicU64,
    cas_ok: AtomicU64,
}

impl Shared {
    /// A (round, key) slot for one more operation, moving to the next round when every key
    /// of this one has its OPS_PER_KEY.
    fn take_slot(&self, rng: &mut Prng) -> (usize, usize) {
        let mut g = self.taken.lock().unwrap();
        loop {
            let round = g.0;
            let free: Vec<usize> = (0..KEYS_PER_ROUND).filter(|&k| g.1[k] < OPS_PER_KEY).collect();
            if free.is_empty() {
                g.0 += 1;
                g.1 = [0; KEYS_PER_ROUND];
                self.round.store(g.0, Ordering::SeqCst);
                continue;
            }
            let k = free[rng.range(0, free.len() as u64 - 1) as usize];
            g.1[k] += 1;
            return (round, k);
        }
    }

    fn record(&self, slot: (usize, usize), e: Event) {
        self.log.lock().unwrap().entry(slot).or_default().push(e);
    }
}

fn key_path(slot: (usize, usize)) -> String {
    format!("/lin/r{}/k{}", slot.0, slot.1)
}

/// How a client reaches member `m`: loopback HTTP, or from inside the member's namespace.
trait Target: Sync {
    fn members(&self) -> usize;
    fn name(&self, m: usize) -> String;
    fn get_key(&self, m: usize, key: &str) -> Result<(u16, Value), String>;
    fn put_form(&self, m: usize, key: &str, form: &[(&str, &str)]) -> Result<(u16, Value), String>;
}

struct Loopback(Vec<Http>);

impl Target for Loopback {
    fn members(&self) -> usize {
        self.0.len()
    }
    fn name(&self, m: usize) -> String {
        self.0[m].base.clone()
    }
    fn get_key(&self, m: usize, key: &str) -> Result<(u16, Value), String> {
        self.0[m].get_key(key).map_err(|e| e.to_string())
    }
    fn put_form(&self, m: usize, key: &str, form: &[(&str, &str)]) -> Result<(u16, Value), String> {
        self.0[m].put_form(key, form).map_err(|e| e.to_string())
    }
}

struct InNetns(Vec<NsEndpoint>);

impl Target for InNetns {
    fn members(&self) -> usize {
        self.0.len()
    }
    fn name(&self, m: usize) -> String {
        format!("{} (in {})", self.0[m].base(), self.0[m].ns)
    }
    fn get_key(&self, m: usize, key: &str) -> Result<(u16, Value), String> {
        self.0[m].get_key(key, CLIENT_TIMEOUT).map(|a| (a.status, a.body))
    }
    fn put_form(&self, m: usize, key: &str, form: &[(&str, &str)]) -> Result<(u16, Value), String> {
        self.0[m].put_form(key, form, CLIENT_TIMEOUT).map(|a| (a.status, a.body))
    }
}

/// Send one op; Some(ret) for a definite answer, None (with a note) when unknown.
fn perform(target: &dyn Target, member: usize, slot: (usize, usize), op: &Op) -> (Option<Ret>, String) {
    let key = key_path(slot);
    let r = match op {
        Op::Get => target.get_key(member, &format!("{key}?quorum=true")),
        Op::Set(v) => target.put_form(member, &key, &[("value", &v.to_string())]),
        Op::Cas(from, to) => {
            target.put_form(member, &key, &[("value", &to.to_string()), ("prevValue", &from.to_string())])
        }
    };
    let (status, body) = match r {
        Ok(x) => x,
        Err(e) => return (None, format!("transport: {e}")),
    };
    let code = body["errorCode"].as_u64();
    let definite = match (op, status, code) {
        (Op::Get, 200, _) => {
            let v = body["node"]["value"].as_str().and_then(|s| s.parse().ok());
            assert!(v.is_some(), "GET {key}: unparsable answer {body}");
            Some(Ret::Value(v))
        }
        (Op::Get, 404, Some(100)) => Some(Ret::Value(None)),
        (Op::Set(_), 200 | 201, _) => Some(Ret::SetOk),
        (Op::Cas(..), 200, _) => Some(Ret::CasOk),
        (Op::Cas(..), 412, Some(101)) => Some(Ret::CasFail),
        (Op::Cas(..), 404, Some(100)) => Some(Ret::CasNotFound),
        (_, s, _) if s >= 500 => None,
        _ => panic!("{op:?} on {key} via {}: unexpected answer HTTP {status} {body}", target.name(member)),
    };
    (definite, format!("HTTP {status} {body}"))
}

/// A client stops at `sh.stop` or, whatever happens to the fault thread, at this hard limit.
const CLIENT_HARD_LIMIT: Duration = Duration::from_secs(180);

fn client(id: u64, seed: u64, target: &dyn Target, sh: &Shared) {
    let mut rng = Prng(seed ^ (id + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut epoch = 0u64;
    let mut seq = 0u64;
    while !sh.stop.load(Ordering::SeqCst) && sh.start.elapsed() < CLIENT_HARD_LIMIT {
        let slot = sh.take_slot(&mut rng);
        let member = rng.range(0, target.members() as u64 - 1) as usize;
        seq += 1;
        let fresh = id * 1_000_000 + seq;
        let op = match rng.range(0, 9) {
            0..=3 => Op::Get,
            4..=6 => Op::Set(fresh),
            _ => {
                let from = sh.seen.lock().unwrap().get(&slot).copied().unwrap_or(0);
                // now and then a prevValue that is surely stale
                let from = if rng.range(0, 4) == 0 { from.wrapping_add(1) } else { from };
                Op::Cas(from, fresh)
            }
        };
        let tid = id * 10_000 + epoch;
        sh.record(
            slot,
            Event { at: sh.start.elapsed(), tid, member, op: op.clone(), ret: None, note: String::new() },
        );
        let (r, note) = perform(target, member, slot, &op);
        sh.record(
            slot,
            Event { at: sh.start.elapsed(), tid, member, op: op.clone(), ret: Some(r.clone()), note },
        );
        match &r {
            None => {
                sh.unknown.fetch_add(1, Ordering::Relaxed);
                epoch += 1; // the op stays in flight under the old thread id
            }
            Some(r) => {
                sh.ok.fetch_add(1, Ordering::Relaxed);
                let v = match (&op, r) {
                    (_, Ret::Value(Some(v))) => Some(*v),
                    (Op::Set(v), Ret::SetOk) => Some(*v),
                    (Op::Cas(_, v), Ret::CasOk) => {
                        sh.cas_ok.fetch_add(1, Ordering::Relaxed);
                        Some(*v)
                    }
                    _ => None,
                };
                if let Some(v) = v {
                    sh.seen.lock().unwrap().insert(slot, v);
                }
            }
        }
        thread::sleep(Duration::from_millis(rng.range(0, 15)));
    }
}

/// Sets `stop` when dropped, so clients end also when the fault thread panics (otherwise the
/// scope would wait for them forever).
struct StopOnDrop<'a>(&'a AtomicBool);
impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Run CLIENTS clients against `target` while `faults` runs on this thread (the thread that
/// started the members, so their PR_SET_PDEATHSIG stays armed); then check every key.
fn run_and_check(what: &str, seed: u64, target: &dyn Target, faults: impl FnOnce(&Shared)) {
    let sh = Shared {
        start: Instant::now(),
        stop: AtomicBool::new(false),
        round: AtomicUsize::new(0),
        taken: Mutex::new((0, [0; KEYS_PER_ROUND])),
        log: Mutex::new(BTreeMap::new()),
        seen: Mutex::new(BTreeMap::new()),
        ok: AtomicU64::new(0),
        unknown: AtomicU64::new(0),
        cas_ok: AtomicU64::new(0),
    };
    thread::scope(|s| {
        let _stop = StopOnDrop(&sh.stop);
        let handles: Vec<_> = (0..CLIENTS)
            .map(|id| {
                let sh = &sh;
                s.spawn(move || client(id, seed, target, sh))
            })
            .collect();
        faults(&sh);
        sh.stop.store(true, Ordering::SeqCst);
        for h in handles {
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
    let ran = sh.start.elapsed();

    let log = sh.log.into_inner().unwrap();
    eprintln!(
        "{what}: {} keys in {} rounds, {} definite ops ({} successful CAS), {} with unknown outcome, in {ran:?}",
        log.len(),
        sh.round.load(Ordering::SeqCst) + 1,
        sh.ok.load(Ordering::Relaxed),
        sh.cas_ok.load(Ordering::Relaxed),
        sh.unknown.load(Ordering::Relaxed)
    );
    let mut bad = Vec::new();
    let t0 = Instant::now();
    for (slot, events) in &log {
        if let Err(why) = check(events) {
            bad.push(format!("{} (seed {seed}): {why}\n{}", key_path(*slot), show(events)));
        }
    }
    eprintln!("{what}: checked {} keys in {:?}", log.len(), t0.elapsed());
    assert!(
        bad.is_empty(),
        "{what}: {} of {} keys have a non-linearizable history (COREKIT_TEST_SEED={seed}):\n{}",
        bad.len(),
        log.len(),
        bad.join("\n")
    );
    assert!(
        sh.ok.load(Ordering::Relaxed) > 100,
        "{what}: too few operations completed to mean anything (seed {seed})"
    );
}

#[test]
fn get_set_cas_stay_linearizable_while_the_leader_is_killed() {
    let (_, seed) = Rng::from_env();
    eprintln!("linearizability: seed {seed} (COREKIT_TEST_SEED={seed} to replay the choices)");
    let mut c = TestCluster::start_with(3, &["--election-timeout", "500", "--heartbeat-interval", "50"]);
    let target = Loopback(c.nodes.iter().map(|n| Http::with_timeout(&n.client, CLIENT_TIMEOUT)).collect());
    run_and_check("linearizability", seed, &target, |sh| {
        // Faults: run, kill the leader, restart it.
        let phase = |secs: u64| thread::sleep(Duration::from_secs(secs));
        phase(4);
        let leader = c.leader();
        eprintln!(
            "linearizability: kill -9 leader n{} at {:?} (round {})",
            leader + 1,
            sh.start.elapsed(),
            sh.round.load(Ordering::SeqCst)
        );
        c.kill9(leader);
        phase(4);
        eprintln!("linearizability: restarting n{} at {:?}", leader + 1, sh.start.elapsed());
        c.spawn(leader);
        c.wait_healthy(leader);
        phase(3);
        // A second kill of whoever leads now, with a shorter outage.
        let leader = c.leader();
        eprintln!("linearizability: kill -9 leader n{} at {:?}", leader + 1, sh.start.elapsed());
        c.kill9(leader);
        phase(2);
        c.spawn(leader);
        c.wait_healthy(leader);
        phase(4);
    });
}

/// How long the partition nemesis keeps starting new fault cycles.
const NEMESIS_TIME: Duration = Duration::from_secs(24);

#[test]
fn get_set_cas_stay_linearizable_under_partitions_and_leader_kills() {
    let (_, seed) = Rng::from_env();
    eprintln!("linearizability/netns: seed {seed} (COREKIT_TEST_SEED={seed} to replay the choices)");
    let mut c = NsCluster::start();
    let target = InNetns(c.endpoints());
    let all = [0, 1, 2];
    run_and_check("linearizability/netns", seed, &target, |sh| {
        let mut rng = Prng(seed ^ 0x6E65_6D65_7369_7321);
        let ms = |rng: &mut Prng, lo: u64, hi: u64| Duration::from_millis(rng.range(lo, hi));
        let at = || sh.start.elapsed();
        thread::sleep(Duration::from_secs(2));
        // Each cycle is bounded (leader_among / restart give up after 20 s), and so is their number.
        for cycle in 1..=12 {
            if sh.start.elapsed() >= NEMESIS_TIME {
                break;
            }
            let leader = c.leader_among(&all);
            let iso = if rng.range(0, 1) == 0 { leader } else { rng.range(0, 2) as usize };
            let hold = ms(&mut rng, 1000, 3000);
            eprintln!(
                "linearizability/netns: cycle {cycle}: isolating n{}{} for {hold:?} at {:?}",
                iso + 1,
                if iso == leader { " (the leader)" } else { "" },
                at()
            );
            c.cut(iso);
            thread::sleep(hold);
            c.heal(iso);
            thread::sleep(ms(&mut rng, 300, 1500));
            let leader = c.leader_among(&all);
            let down = ms(&mut rng, 500, 2000);
            eprintln!(
                "linearizability/netns: cycle {cycle}: kill -9 leader n{} for {down:?} at {:?}",
                leader + 1,
                at()
            );
            c.kill9(leader);
            thread::sleep(down);
            c.restart(leader);
            eprintln!("linearizability/netns: cycle {cycle}: n{} back at {:?}", leader + 1, at());
            thread::sleep(ms(&mut rng, 500, 1500));
        }
        // A calm tail: the cluster is whole, every client should get definite answers again.
        thread::sleep(Duration::from_secs(3));
    });
    c.assert_converged();
}
