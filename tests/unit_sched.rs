//! unit-sched with real processes and a real store: three kv-serve members, three `unit-run
//! daemon --endpoints` agents on their own loopback addresses, an engine beside each.
//! The seed's walkthrough with croc.service (Docker, image from the local registry), a
//! machine's death, the engine's lease changing hands, every `[X-Fleet]` key, templates,
//! global units, unplaceable units, and a store leader killed under running units.

mod common;

use std::time::{Duration, Instant};

use common::agent::{docker_container_exists, pids_with, repo_path, wait_no_pids};
use common::sched::SchedCluster;

fn text(o: &std::process::Output) -> (String, String, i32) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// A unit that names its machine in its command line (`%m`), so a machine's death can kill
/// exactly its processes.
fn looping(dir: &std::path::Path, name: &str, extra: &str) -> String {
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(
            "[Unit]\nDescription=Loop {name}\n\n[Service]\nExecStart=/bin/sh -c 'while true; do echo CROC Cloud %m; sleep 1; done'\n{extra}"
        ),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

/// `XXXXXXXX.../IP` of machine `i`.
fn legend(c: &SchedCluster, i: usize) -> String {
    format!("{}.../{}", &c.machines[i].id[..8], c.machines[i].ip)
}

#[test]
fn the_seeds_walkthrough_with_croc_service() {
    let reg = ureq::get("http://127.0.0.1:5000/v2/").call();
    assert!(reg.is_ok(), "the local registry on 127.0.0.1:5000 does not answer: run .ci/registry.sh");
    let _ = std::process::Command::new("docker").args(["rm", "-f", "croc_service"]).output();
    let c = SchedCluster::start(3, 10, |_| String::new());
    let unit = repo_path("examples/croc.service");
    let unit = unit.to_str().unwrap();

    // load: "Unit croc.service inactive" / "Unit croc.service loaded on 27435eb0.../IP"
    let (out, err, code) = text(&c.us(&["load", unit]));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], "Unit croc.service inactive");
    let at = (0..3).find(|&i| lines[1] == format!("Unit croc.service loaded on {}", legend(&c, i)));
    let at = at.unwrap_or_else(|| panic!("{out}"));

    // start: "Unit croc.service launched on …", and it runs.
    let (out, err, code) = text(&c.us(&["start", "croc.service"]));
    assert_eq!(
        (out.as_str(), code),
        (format!("Unit croc.service launched on {}\n", legend(&c, at)).as_str(), 0),
        "{err}"
    );

    // status from another machine's point of view: only a member the unit's machine is not
    // using, and the agent's HTTP port — no SSH.
    let other = c.kv.nodes[(at + 1) % 3].client.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let (out, _, code) = text(&c.us_via(&other, &["status", "croc.service"]));
        if code == 0 && out.matches("CROC Cloud").count() >= 2 {
            break out;
        }
        assert!(Instant::now() < deadline, "no CROC Cloud in status:\n{out}");
        std::thread::sleep(Duration::from_millis(300));
    };
    common::sched::assert_croc_status_shape(&status);
    assert!(status.contains("docker run --name croc_service 127.0.0.1:5000/busybox"), "{status}");
    assert!(status.contains("Container: croc_service (127.0.0.1:5000/busybox) running: Up "), "{status}");
    assert!(status.contains("unit-run["), "{status}");
    assert!(status.lines().any(|x| x.ends_with("]: CROC Cloud") && x.contains(" docker[")), "{status}");

    // journal, also from afar.
    let (out, _, code) = text(&c.us_via(&other, &["journal", "-n", "3", "croc.service"]));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().all(|x| x.contains("]: ")), "{out}");

    // list-units and list-unit-files, fleet's columns.
    let lu = c.ok(&["list-units"]);
    assert_eq!(
        lu,
        format!("UNIT\t\tMACHINE\t\t\tACTIVE\tSUB\ncroc.service\t{}\tactive\trunning\n", legend(&c, at)),
        "{lu}"
    );
    let luf = c.ok(&["list-unit-files", "--fields", "unit,dstate,state,target"]);
    assert!(luf.contains(&format!("croc.service\tlaunched\tlaunched\t{}\n", legend(&c, at))), "{luf}");

    // stop: "Unit croc.service loaded on …" and, on stderr, fleetctl's success line.
    let (out, err, code) = text(&c.us(&["stop", "croc.service"]));
    assert_eq!((out, code), (format!("Unit croc.service loaded on {}\n", legend(&c, at)), 0));
    assert_eq!(err, "Successfully stopped units [croc.service].\n");
    let status = c.ok(&["status", "croc.service"]);
    assert!(status.contains("Active: inactive (dead)"), "{status}");
    assert!(!docker_container_exists("croc_service"), "the container is gone after stop");

    // destroy, then the unit is gone everywhere.
    let (out, _, code) = text(&c.us(&["destroy", "croc.service"]));
    assert_eq!((out.as_str(), code), ("Destroyed croc.service\n", 0));
    let (out, err, code) = text(&c.us(&["status", "croc.service"]));
    assert_eq!((out.as_str(), err.as_str(), code), ("", "Unit croc.service does not exist.\n", 1));
    let (_, err, code) = text(&c.us(&["destroy", "croc.service"]));
    assert_eq!((err.as_str(), code), ("Units not found in registry\n", 0));
    wait_no_pids("--name croc_service", Duration::from_secs(10));
    assert!(!docker_container_exists("croc_service"));
    // No agent has it loaded any more.
    for m in &c.machines {
        let list = m.agent.ok(&["list", "--no-legend"]);
        assert!(!list.contains("croc.service"), "{list}");
    }
}

#[test]
fn a_dead_machine_loses_its_unit_to_another_within_the_agent_ttl() {
    let ttl = 5;
    let mut c = SchedCluster::start(3, ttl, |_| String::new());
    let dir = tempfile::tempdir().unwrap();
    let f = looping(dir.path(), "hello.service", "");
    c.ok(&["start", &f]);
    let first = c.running_on("hello.service", Duration::from_secs(20));
    let killed = Instant::now();
    c.kill_machine(first);
    let mut to = None;
    let took = c.wait_units("hello.service on another machine", Duration::from_secs(ttl + 20), |rows| {
        to = rows
            .iter()
            .find(|(u, m, a, _)| u == "hello.service" && a == "active" && *m != Some(first))
            .map(|r| r.1);
        to.is_some()
    });
    let since_kill = killed.elapsed();
    eprintln!(
        "failover: hello.service active on another machine {:.2}s after its machine was killed (agent TTL {ttl}s; seen by polling every 0.1s, {:.2}s after polling began)",
        since_kill.as_secs_f64(),
        took.as_secs_f64()
    );
    // The machine's record lives up to a TTL past its last renewal; then the engine moves the
    // unit at once. fleet, measured here with its default TTL: 22-32 s for 30 s.
    assert!(
        since_kill <= Duration::from_secs(ttl + 2),
        "failover took {since_kill:?} (TTL {ttl}s)\n{}",
        c.logs()
    );
    // Its journal on the new machine, through unit-sched.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let j = c.ok(&["journal", "-n", "1", "hello.service"]);
        if j.contains("CROC Cloud") {
            break;
        }
        assert!(Instant::now() < deadline, "{j}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // One copy only: the dead machine's processes are gone, the new one runs one.
    let new = to.flatten().unwrap();
    assert!(pids_with(&c.machines[first].id).is_empty());
    assert_eq!(pids_with(&format!("echo CROC Cloud {}", c.machines[new].id)).len(), 1);
}

#[test]
fn a_new_engine_takes_the_lease_when_the_leader_dies() {
    let mut c = SchedCluster::start(3, 10, |_| String::new());
    let dir = tempfile::tempdir().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let leader = loop {
        if let Some(l) = c.engine_leader() {
            break l;
        }
        assert!(Instant::now() < deadline, "no engine leads");
        std::thread::sleep(Duration::from_millis(100));
    };
    c.kill_engine(leader);
    let killed = Instant::now();
    // Scheduling goes on: a unit submitted now is placed once another engine leads.
    let f = looping(dir.path(), "after.service", "");
    c.ok(&["start", &f]);
    let took = killed.elapsed();
    let new = c.engine_leader().expect("a new leader");
    assert_ne!(new, leader);
    eprintln!(
        "engine failover: a unit started {:.2}s after the leading engine was killed",
        took.as_secs_f64()
    );
    c.running_on("after.service", Duration::from_secs(5));
}

/// Writes a unit whose command line names its machine and carries `[X-Fleet]` lines.
fn placed(dir: &std::path::Path, name: &str, xfleet: &str) -> String {
    looping(dir, name, &format!("\n[X-Fleet]\n{xfleet}"))
}

#[test]
fn every_x_fleet_key_templates_global_and_unplaceable_units() {
    // Machines 0 and 1 have spinning disks, machine 2 an SSD.
    let c = SchedCluster::start(3, 10, |i| {
        format!("node=n{},disk={}", i + 1, if i == 2 { "ssd" } else { "hdd" })
    });
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let on = |unit: &str| c.running_on(unit, Duration::from_secs(20));

    // MachineID: only that machine.
    let id1 = c.machines[1].id.clone();
    c.ok(&["start", &placed(dir, "pinned.service", &format!("MachineID={id1}\n"))]);
    assert_eq!(on("pinned.service"), 1);

    // MachineMetadata: different keys ANDed, values of one key ORed.
    c.ok(&["start", &placed(dir, "fast.service", "MachineMetadata=disk=ssd\n")]);
    assert_eq!(on("fast.service"), 2);
    c.ok(&[
        "start",
        &placed(dir, "either.service", "MachineMetadata=\"node=n1\" \"node=n3\"\nMachineMetadata=disk=hdd\n"),
    ]);
    assert_eq!(on("either.service"), 0);

    // MachineOf: beside its peer.
    c.ok(&["start", &placed(dir, "sidecar.service", "MachineOf=fast.service\n")]);
    assert_eq!(on("sidecar.service"), 2);

    // Templates, with Conflicts between their instances: one per machine. The shell expands
    // web@{1..3}.service into three names, as fleetctl users did.
    std::fs::write(
        dir.join("web@.service"),
        "[Service]\nExecStart=/bin/sh -c 'while true; do echo web %i on %m; sleep 1; done'\n\n[X-Fleet]\nConflicts=web@*.service\n",
    )
    .unwrap();
    let webs: Vec<String> =
        (1..=3).map(|i| dir.join(format!("web@{i}.service")).to_str().unwrap().to_string()).collect();
    let (out, err, code) = text(&c.us(&["start", &webs[0], &webs[1], &webs[2]]));
    assert_eq!(code, 0, "{out}{err}");
    let mut at: Vec<usize> = (1..=3).map(|i| on(&format!("web@{i}.service"))).collect();
    at.sort();
    assert_eq!(at, [0, 1, 2], "the instances conflict with each other");
    // A fourth has nowhere to go, and says why instead of waiting forever.
    let web4 = dir.join("web@4.service");
    let (_, err, code) = text(&c.us(&["start", web4.to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(
        err.contains("Unit web@4.service cannot be placed: no machine can run it (")
            && err.contains("found conflict with locally-scheduled Unit(web@"),
        "{err}"
    );

    // Unplaceable metadata: the reason, at once, and in status.
    let (out, err, code) =
        text(&c.us(&["start", &placed(dir, "mars.service", "MachineMetadata=region=mars\n")]));
    assert_eq!((code, out.as_str()), (1, "Unit mars.service inactive\n"), "{err}");
    assert!(
        err.contains("Unit mars.service cannot be placed: no live machine has metadata region=mars"),
        "{err}"
    );
    let (_, err, code) = text(&c.us(&["status", "mars.service"]));
    assert_eq!(code, 1);
    assert!(err.starts_with("Unit mars.service does not appear to be loaded."), "{err}");

    // Global: every machine that matches runs it; start does not wait for it.
    let (out, err, code) = text(
        &c.us(&["start", &placed(dir, "everywhere.service", "Global=true\nMachineMetadata=disk=hdd\n")]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("Triggered global unit everywhere.service start\n"), "{out}");
    c.wait_units("everywhere.service on the two hdd machines", Duration::from_secs(20), |rows| {
        let mut m: Vec<usize> = rows
            .iter()
            .filter(|r| r.0 == "everywhere.service" && r.2 == "active")
            .filter_map(|r| r.1)
            .collect();
        m.sort();
        m == [0, 1]
    });
    let luf = c.ok(&["list-unit-files", "--fields", "unit,state,target,global"]);
    let row: Vec<&str> = luf
        .lines()
        .find(|l| l.starts_with("everywhere.service"))
        .map(|l| l.split('\t').filter(|f| !f.is_empty()).collect())
        .unwrap_or_default();
    assert_eq!(row, ["everywhere.service", "-", "global", "true"], "{luf}");
    // Its status has one section per machine; unit@machine picks one.
    let st = c.ok(&["status", "everywhere.service"]);
    assert_eq!(st.matches("● everywhere.service").count(), 2, "{st}");
    assert!(st.contains(&format!("==> {}.../{} <==", &c.machines[0].id[..8], c.machines[0].ip)), "{st}");
    let one = c.ok(&["status", &format!("everywhere.service@{}", &c.machines[1].id[..10])]);
    assert_eq!(one.matches("● everywhere.service").count(), 1, "{one}");
    assert!(one.contains(&c.machines[1].id), "the section of machine 1 shows its processes: {one}");

    // Replaces: takes the other unit's machine, the other moves.
    c.ok(&["start", &placed(dir, "old.service", "")]);
    let old_at = on("old.service");
    c.ok(&["start", &placed(dir, "new.service", "Replaces=old.service\n")]);
    assert_eq!(on("new.service"), old_at);
    c.wait_units("old.service elsewhere", Duration::from_secs(20), |rows| {
        rows.iter().any(|r| r.0 == "old.service" && r.2 == "active" && r.1.is_some_and(|m| m != old_at))
    });

    // The deprecated spellings work, with a warning.
    let (_, err, code) =
        text(&c.us(&["start", &placed(dir, "legacy.service", &format!("X-ConditionMachineID={id1}\n"))]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("X-ConditionMachineID is deprecated; use MachineID="), "{err}");
    assert_eq!(on("legacy.service"), 1);

    // A bad [X-Fleet] is refused with file:line:column, and nothing is submitted.
    let (_, err, code) = text(&c.us(&["start", &placed(dir, "bad.service", "Global=true\nMachineID=abc\n")]));
    assert_eq!(code, 1);
    assert!(err.contains("bad.service:") && err.contains("Global=true may be combined only with"), "{err}");
    let (_, _, code) = text(&c.us(&["cat", "bad.service"]));
    assert_eq!(code, 1, "nothing was submitted");
}

#[test]
fn a_store_leader_killed_under_running_units_stops_none() {
    let mut c = SchedCluster::start(3, 10, |_| String::new());
    let d = tempfile::tempdir().unwrap();
    for i in 1..=3 {
        c.ok(&["start", &looping(d.path(), &format!("u{i}.service"), "")]);
    }
    c.wait_units("three units active", Duration::from_secs(20), |rows| {
        rows.iter().filter(|r| r.2 == "active").count() == 3
    });
    let before: Vec<Vec<i32>> =
        c.machines.iter().map(|m| common::agent::pids_with(&format!("echo CROC Cloud {}", m.id))).collect();
    let leader = c.kv.leader();
    c.kv.kill9(leader);
    // An election, and a few seconds of the agents and engines talking to the others.
    std::thread::sleep(Duration::from_secs(6));
    let after: Vec<Vec<i32>> =
        c.machines.iter().map(|m| common::agent::pids_with(&format!("echo CROC Cloud {}", m.id))).collect();
    assert_eq!(before, after, "every unit still runs, in the same process");
    for m in &c.machines {
        let log = m.agent.log();
        assert!(!log.contains("stopping them here"), "an agent fenced itself:\n{log}");
    }
    c.kv.spawn(leader);
    c.kv.wait_healthy(leader);
    let rows = c.units();
    assert_eq!(rows.iter().filter(|r| r.2 == "active").count(), 3, "{rows:?}");
}

#[test]
fn a_machine_cut_off_stops_its_units_which_run_elsewhere_and_only_there() {
    let ttl = 5;
    let c = common::sched::NsSched::start(ttl);
    let d = tempfile::tempdir().unwrap();
    let f = looping(d.path(), "hello.service", "");
    let (code, out, err) = c.us(0, &["start", &f]);
    assert_eq!(code, 0, "{out}{err}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let first = loop {
        if let [m] = c.active_on(0, "hello.service")[..] {
            break m;
        }
        assert!(Instant::now() < deadline, "hello.service is not active:\n{}", c.logs());
        std::thread::sleep(Duration::from_millis(200));
    };
    let healthy = (first + 1) % 3;
    assert_eq!(pids_with(&format!("CROC Cloud {}", c.ids[first])).len(), 1);

    c.kv.cut(first);
    let cut = Instant::now();
    // The others give the unit to another machine once the cut machine's record expires, and
    // the cut-off agent, which could not renew its record, stops its copy: both watched at once.
    let (mut moved, mut fenced, mut second) = (None, None, None);
    while moved.is_none() || fenced.is_none() {
        if fenced.is_none() && pids_with(&format!("CROC Cloud {}", c.ids[first])).is_empty() {
            fenced = Some(cut.elapsed());
        }
        if moved.is_none()
            && let Some(&m) = c.active_on(healthy, "hello.service").iter().find(|&&m| m != first)
        {
            moved = Some(cut.elapsed());
            second = Some(m);
        }
        assert!(
            cut.elapsed() < Duration::from_secs(ttl + 30),
            "moved {moved:?}, fenced {fenced:?}:\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (moved, fenced, second) = (moved.unwrap(), fenced.unwrap(), second.unwrap());
    eprintln!(
        "partition: the unit ran on another machine {:.2}s after its machine was cut off; the cut-off copy was gone {:.2}s after (agent TTL {ttl}s)",
        moved.as_secs_f64(),
        fenced.as_secs_f64()
    );
    assert!(moved <= Duration::from_secs(ttl + 2), "failover took {moved:?}\n{}", c.logs());
    // The fence falls before the record can expire: the cut-off copy stops no later than the
    // other machine can start its own (give or take the polling here).
    assert!(
        fenced <= moved + Duration::from_millis(500),
        "the cut-off copy outlived the move: {fenced:?} vs {moved:?}"
    );
    assert_eq!(pids_with(&format!("CROC Cloud {}", c.ids[second])).len(), 1);

    // Healed: the machine comes back and takes nothing back; one copy runs. (The cut-off
    // member of the store answers plain reads from where it was until it has caught up: the
    // views converge within a few seconds.)
    c.kv.heal(first);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            pids_with(&format!("CROC Cloud {}", c.ids[first])).is_empty(),
            "the healed machine started its old unit again"
        );
        let machines = c.us(first, &["list-machines", "--no-legend"]).1.lines().count();
        if machines == 3
            && c.active_on(first, "hello.service") == [second]
            && c.active_on(healthy, "hello.service") == [second]
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "views did not converge after healing: {:?}\n{}",
            c.us(first, &["list-units", "--full"]),
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        pids_with(&format!("CROC Cloud {}", c.ids[first])).is_empty(),
        "the healed machine started its old unit again"
    );
    assert_eq!(pids_with(&format!("CROC Cloud {}", c.ids[second])).len(), 1);
    let log = std::fs::read_to_string(c.dirs[first].path().join("agent.log")).unwrap_or_default();
    assert!(log.contains("stopping them here"), "{log}");
}
