//! Leadership changes as users meet them (issue 16): a leader stopped with SIGTERM (a rolling
//! restart) hands over before it exits; a leader whose process dies is replaced as soon as its
//! connections close; a leader that vanishes without closing them is found out by the election
//! timeout; a connection that breaks while the leader lives deposes no one; and writes made
//! while there is no leader wait for the next one instead of failing.
//!
//! A probe writes through a follower every 10 ms (each write on its own thread) and the longest
//! gap between answered writes is printed. The assertions are generous — this machine is shared
//! and noisy; `bench/failover-vs-etcd.sh` measures the same pauses side by side with etcd.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::cluster::{TestCluster, Write, WriteProbe};

const EVERY: Duration = Duration::from_millis(10);

fn signal(c: &TestCluster, i: usize, sig: &str) {
    let pid = c.nodes[i].child.as_ref().expect("running").id().to_string();
    assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
}

/// The Raft term a member reports (etcd's `X-Raft-Term` header).
fn term(c: &TestCluster, i: usize) -> u64 {
    let r =
        common::agent(Duration::from_secs(5)).get(format!("{}/v2/keys/", c.nodes[i].client)).call().unwrap();
    r.headers().get("X-Raft-Term").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap()
}

fn failures(writes: &[Write]) -> std::collections::BTreeMap<String, usize> {
    WriteProbe::failures(writes)
}

fn refused_for_no_leader(writes: &[Write]) -> usize {
    failures(writes).iter().filter(|(e, _)| e.contains("no leader")).map(|(_, n)| n).sum()
}

/// Runs the probe through `via` for a second, does `event`, runs it for `after`, and returns
/// the longest pause around the event and every write.
fn probe_around(via: &str, after: Duration, event: impl FnOnce()) -> (Duration, Vec<Write>) {
    let probe = WriteProbe::start(via, EVERY);
    std::thread::sleep(Duration::from_secs(1));
    let at = Instant::now();
    event();
    std::thread::sleep(after);
    let writes = probe.finish();
    let pause = WriteProbe::longest_pause(&writes, at - Duration::from_millis(200), at + after);
    (pause, writes)
}

/// SIGTERM to member `i` while writes go through member `via`: the longest pause and the writes
/// (see [`probe_around`]), and how `i` exited and how long it took.
fn stop_with_sigterm(
    c: &mut TestCluster,
    i: usize,
    via: usize,
) -> ((Duration, Vec<Write>), (std::process::ExitStatus, Duration)) {
    let mut exited = None;
    let client = c.nodes[via].client.clone();
    let probed = probe_around(&client, Duration::from_secs(2), || {
        signal(c, i, "-TERM");
        let t0 = Instant::now();
        let st = c.nodes[i].child.as_mut().unwrap().wait().unwrap();
        exited = Some((st, t0.elapsed()));
    });
    (probed, exited.unwrap())
}

#[test]
fn a_leader_stopped_with_sigterm_hands_over_first() {
    let mut c = TestCluster::start(3);
    for round in 1..=3 {
        let old = c.leader();
        let via = (old + 1) % 3;
        let ((pause, writes), (st, took)) = stop_with_sigterm(&mut c, old, via);
        let new = c.leader();
        eprintln!(
            "round {round}: SIGTERM to leader {}: leadership moved to {}, the member exited in {took:?}, \
             writes through {} paused at most {pause:?} ({} writes)",
            c.nodes[old].name,
            c.nodes[new].name,
            c.nodes[via].name,
            writes.len()
        );
        assert!(st.success(), "a stopped member exits 0: {st}");
        assert_ne!(new, old);
        assert!(c.log(old).contains("handing leadership over to"), "{}", c.log(old));
        // Every write succeeded: those made during the hand-over waited for the new leader.
        assert!(failures(&writes).is_empty(), "{:?}", failures(&writes));
        // A crash costs an election timeout (1 s, randomised up to 2 s); a hand-over, round trips.
        assert!(pause < Duration::from_millis(800), "writes paused {pause:?} when the leader was stopped");
        c.nodes[old].child = None;
        c.spawn(old);
        c.wait_healthy(old);
    }
}

/// A follower stopped with SIGTERM just stops: no hand-over, no election, writes through the
/// leader never pause beyond the usual, and it comes back as a follower of the same leader.
#[test]
fn a_follower_stopped_with_sigterm_just_stops() {
    let mut c = TestCluster::start(3);
    let leader = c.leader();
    let before = term(&c, leader);
    let follower = (leader + 1) % 3;
    let ((pause, writes), (st, took)) = stop_with_sigterm(&mut c, follower, leader);
    eprintln!(
        "SIGTERM to follower {}: it exited in {took:?}; writes through leader {} paused at most {pause:?} ({} writes)",
        c.nodes[follower].name,
        c.nodes[leader].name,
        writes.len()
    );
    assert!(st.success(), "a stopped member exits 0: {st}");
    assert!(!c.log(follower).contains("handing leadership over to"), "{}", c.log(follower));
    assert!(failures(&writes).is_empty(), "{:?}", failures(&writes));
    assert!(pause < Duration::from_millis(800), "writes paused {pause:?} when a follower was stopped");
    assert_eq!((c.leader(), term(&c, leader)), (leader, before), "the leader and its term stay");
    c.nodes[follower].child = None;
    c.spawn(follower);
    c.wait_healthy(follower);
    assert_eq!((c.leader(), term(&c, leader)), (leader, before), "it rejoins under the same leader");
}

/// The surviving member with the lower ID: it campaigns first when the leader's stream ends.
fn first_to_campaign(c: &TestCluster, leader: usize) -> usize {
    let id = |i: usize| u64::from_str_radix(c.stats_self(i).unwrap()["id"].as_str().unwrap(), 16).unwrap();
    let (a, b) = ((leader + 1) % 3, (leader + 2) % 3);
    if id(a) < id(b) { a } else { b }
}

#[test]
fn a_crashed_leaders_closed_connections_start_the_election_at_once() {
    let mut c = TestCluster::start(3);
    for round in 1..=3 {
        let old = c.leader();
        // Through the follower that campaigns first (the lower member ID): it knows no leader
        // from the moment it campaigns until the other one wins, and writes made then must
        // wait for the new leader, not be refused.
        let via = first_to_campaign(&c, old);
        let killed = Instant::now();
        let (pause, writes) =
            probe_around(&c.nodes[via].client.clone(), Duration::from_secs(3), || c.kill9(old));
        let waited = writes
            .iter()
            .filter(|w| w.sent > killed && w.outcome.is_ok() && w.done - w.sent > Duration::from_millis(30))
            .count();
        let new = c.leader();
        assert_ne!(new, old);
        eprintln!(
            "round {round}: kill -9 of leader {}: {} leads, writes through {} paused at most {pause:?}; \
             {waited} writes waited for the new leader",
            c.nodes[old].name, c.nodes[new].name, c.nodes[via].name
        );
        assert!(waited > 0, "no write was made while {} knew no leader", c.nodes[via].name);
        assert!(
            c.log(via).contains("campaigning without waiting")
                || c.log((old + 2) % 3).contains("campaigning without waiting"),
            "no follower campaigned early"
        );
        // Writes that were on their way to the dead leader are lost with it (as with etcd) and
        // time out; none is refused for want of a leader.
        assert_eq!(refused_for_no_leader(&writes), 0, "{:?}", failures(&writes));
        assert!(
            pause < Duration::from_millis(900),
            "writes paused {pause:?} after the leader's process died"
        );
        c.spawn(old);
        c.wait_healthy(old);
    }
}

#[test]
fn a_leader_that_vanishes_without_closing_its_connections_is_found_out_by_the_election_timeout() {
    let c = TestCluster::start(3);
    let old = c.leader();
    let via = (old + 1) % 3;
    // SIGSTOP: the process stops answering, its sockets stay open.
    let (pause, writes) =
        probe_around(&c.nodes[via].client.clone(), Duration::from_secs(4), || signal(&c, old, "-STOP"));
    let new = c.leader();
    eprintln!(
        "a stopped (SIGSTOP) leader {}: {} leads, writes through {} paused at most {pause:?}",
        c.nodes[old].name, c.nodes[new].name, c.nodes[via].name
    );
    assert_ne!(new, old);
    // No connection closed, so nobody campaigned early: the election timeout (1 s) governed.
    for i in (0..3).filter(|&i| i != old) {
        assert!(!c.log(i).contains("campaigning without waiting"), "{}", c.log(i));
    }
    assert!(pause >= Duration::from_millis(900), "writes paused only {pause:?}: an early campaign?");
    assert!(pause < Duration::from_secs(3), "writes paused {pause:?}");
    // Nothing told the followers a new leader was on its way: a write that finds no leader
    // during this election is refused at once (so its client can try another member), as
    // before; only a hand-over or an election started by a closed connection holds writes.
    eprintln!("refused for want of a leader meanwhile: {}", refused_for_no_leader(&writes));
    signal(&c, old, "-CONT");
    // The old leader, back, follows the new one.
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.stats_self(old).map(|v| v["state"] == "StateFollower") != Some(true) {
        assert!(Instant::now() < deadline, "the resumed member does not follow");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_broken_connection_to_a_live_leader_deposes_no_one() {
    let c = TestCluster::start(3);
    let leader = c.leader();
    let before = term(&c, leader);
    for round in 0..6 {
        // Reset every connection to a follower's peer port (the leader's stream among them):
        // the follower sees its leader's stream end and campaigns, and the others, still
        // hearing from the leader, refuse its pre-vote.
        let f = (leader + 1 + round % 2) % 3;
        let peer = c.nodes[f].peer.trim_start_matches("http://");
        let (ip, port) = peer.split_once(':').unwrap();
        let out = Command::new("ss").args(["-K", "dst", ip, "dport", "=", port]).output().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains(peer), "ss -K found no connection to {peer}");
        std::thread::sleep(Duration::from_millis(600));
        c.http(f).put(&format!("/still/{round}"), "up").unwrap();
    }
    assert!(
        (0..3).any(|i| c.log(i).contains("campaigning without waiting")),
        "no follower noticed its leader's stream end"
    );
    assert_eq!(c.leader(), leader, "the leader changed");
    assert_eq!(term(&c, leader), before, "an election took place");
}

#[test]
fn a_member_cut_off_from_a_quorum_says_no_leader_soon_and_serves_again_when_it_can() {
    let c = TestCluster::start(3);
    let leader = c.leader();
    let via = (leader + 1) % 3;
    let other = (leader + 2) % 3;
    // The two others stop (SIGSTOP: their sockets stay open, nothing tells `via` they are
    // gone). Once `via` has heard from no quorum for an election timeout it knows no leader
    // will come in time, and says so at once — so clients go to another member — rather than
    // holding writes for a leader that cannot be elected.
    let pids = [leader, other].map(|i| c.nodes[i].child.as_ref().unwrap().id().to_string());
    let kill = |sig: &str| assert!(Command::new("kill").arg(sig).args(&pids).status().unwrap().success());
    kill("-STOP");
    std::thread::sleep(Duration::from_secs(3));
    let http = c.http(via);
    for _ in 0..5 {
        let t0 = Instant::now();
        let (st, v) = http.put("/cut-off", "x").unwrap();
        let took = t0.elapsed();
        eprintln!("a write through {} cut off from the others: {st} {v} after {took:?}", c.nodes[via].name);
        assert_eq!((st, v["cause"].as_str()), (500, Some("etcdserver: no leader")), "{v}");
        assert!(took < Duration::from_millis(1500), "answered only after {took:?}");
    }
    kill("-CONT");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (st, _) = http.put("/cut-off", "back").unwrap();
        if st == 200 || st == 201 {
            break;
        }
        assert!(Instant::now() < deadline, "no writes after the others came back");
        std::thread::sleep(Duration::from_millis(100));
    }
}
