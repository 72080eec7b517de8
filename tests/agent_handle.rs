//! The agent as a library: a daemon started in this test's process (`process_wide: false`, so
//! it neither takes the process's signals nor becomes its subreaper — nextest's process model
//! stays intact) and driven through its `Handle`, without the CLI: croc-like units loaded,
//! started, read back (status, list, journal, state-change events), stopped and unloaded;
//! errors by kind; the same daemon over its socket.

mod common;

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::agent::{pids_with, wait_no_pids};
use corekit::agent::protocol::{JobOutcome, UnitEvent, UnitState};
use corekit::agent::reconcile::{Current, Desired, DesiredState, reconcile, unit_hash};
use corekit::agent::{ActiveState, Daemon, Error, Handle, LoadState, Options, Sub, UnitResult, daemon};

fn start_daemon(dir: &std::path::Path) -> Daemon {
    let opts = Options {
        machine_id: Some("0123456789abcdef0123456789abcdef".into()),
        process_wide: false,
        ..Options::new(dir.join("run"))
    };
    daemon::start(opts).expect("the daemon starts")
}

/// A unit that prints `word` five times a second, like the seed's croc.service without Docker.
fn croc(word: &str, marker: &str) -> String {
    format!(
        "[Unit]\nDescription=Croc {word}\n[Service]\n\
         ExecStart=/bin/sh -c 'while true; do echo {word}; sleep 0.2; done; : {marker}'\n"
    )
}

fn done(outcome: JobOutcome) -> UnitState {
    match outcome {
        JobOutcome::Done(st) => st,
        q => panic!("a blocking job answered {q:?}"),
    }
}

fn wait_journal(h: &Handle, unit: &str, needle: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let msgs: Vec<String> =
            h.journal(unit, None).unwrap_or_default().into_iter().map(|r| r.msg).collect();
        if msgs.iter().filter(|m| *m == needle).count() >= count {
            return msgs;
        }
        assert!(Instant::now() < deadline, "{unit}'s journal has not {count}× {needle:?}: {msgs:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every event queued so far.
fn drain(rx: &Receiver<UnitEvent>) -> Vec<UnitEvent> {
    std::iter::from_fn(|| rx.recv_timeout(Duration::from_millis(200)).ok()).collect()
}

#[test]
fn units_are_driven_through_an_in_process_handle() {
    let dir = tempfile::Builder::new().prefix("agent-handle").tempdir().unwrap();
    let d = start_daemon(dir.path());
    let h = d.handle();
    let events = h.subscribe().unwrap();
    let units = [
        ("croc-a.service", "CROC A", "agent-handle-31201"),
        ("croc-b.service", "CROC B", "agent-handle-31202"),
    ];

    for (name, word, marker) in units {
        let loaded = h.load(name, name, &croc(word, marker)).unwrap();
        assert_eq!((loaded.unit.as_str(), loaded.template), (name, false));
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let st = done(h.start(name, true).unwrap());
        assert_eq!((st.unit.as_str(), st.active, st.sub), (name, ActiveState::Active, Sub::Running));
    }

    for (name, word, marker) in units {
        let st = h.status(name).unwrap();
        assert_eq!(
            (st.load_state, st.active_state, st.sub_state),
            (LoadState::Loaded, ActiveState::Active, Sub::Running)
        );
        assert_eq!(st.result, UnitResult::Success);
        assert_eq!(st.description, format!("Croc {word}"));
        let main = st.main_pid.expect("a main PID");
        assert_eq!(pids_with(marker), vec![main], "the main process is the unit's shell");
        assert_eq!(st.main_comm.as_deref(), Some("sh"));
        let msgs = wait_journal(&h, name, word, 3);
        assert!(msgs.contains(&format!("Started Croc {word}.")), "{msgs:?}");
        assert_eq!(h.journal(name, Some(2)).unwrap().len(), 2);
    }

    // list gives what the scheduler's reconcile compares: nothing to do when it all matches.
    let list = h.list().unwrap();
    assert_eq!(
        list.iter().map(|e| e.unit.as_str()).collect::<Vec<_>>(),
        ["croc-a.service", "croc-b.service"]
    );
    let desired: Vec<Desired> = units
        .iter()
        .map(|(n, w, m)| Desired {
            name: n.to_string(),
            hash: unit_hash(&croc(w, m)),
            state: DesiredState::Launched,
        })
        .collect();
    let current: Vec<Current> = list.iter().map(Current::from).collect();
    assert_eq!(reconcile(&desired, &current), vec![]);

    // The same daemon over its socket answers the same.
    let remote = Handle::connect(&d.run_dir().root);
    assert_eq!(remote.list().unwrap(), list);
    assert_eq!(remote.machine().unwrap().machine_id, "0123456789abcdef0123456789abcdef");
    assert!(matches!(remote.subscribe(), Err(Error::Unavailable(_))));

    for (name, word, marker) in units {
        let st = done(h.stop(name, true).unwrap());
        assert_eq!(
            (st.active, st.sub, st.result),
            (ActiveState::Inactive, Sub::Dead, Some(UnitResult::Success))
        );
        wait_no_pids(marker, Duration::from_secs(2));
        assert!(h.journal(name, None).unwrap().iter().any(|r| r.msg == format!("Stopped Croc {word}.")));
        h.unload(name).unwrap();
        assert_eq!(h.status(name).unwrap_err(), Error::NotFound(format!("Unit {name} could not be found.")));
    }
    assert!(h.list().unwrap().is_empty());

    // Events: each unit loaded, up, down, gone, in that order.
    let evs = drain(&events);
    for (name, _, _) in units {
        let mine: Vec<(LoadState, ActiveState, Sub)> =
            evs.iter().filter(|e| e.unit == name).map(|e| (e.load, e.active, e.sub)).collect();
        let wanted = [
            (LoadState::Loaded, ActiveState::Inactive, Sub::Dead),
            (LoadState::Loaded, ActiveState::Active, Sub::Running),
            (LoadState::Loaded, ActiveState::Deactivating, Sub::StopSigterm),
            (LoadState::Loaded, ActiveState::Inactive, Sub::Dead),
            (LoadState::NotFound, ActiveState::Inactive, Sub::Dead),
        ];
        let mut at = 0;
        for e in &mine {
            if at < wanted.len() && *e == wanted[at] {
                at += 1;
            }
        }
        assert_eq!(at, wanted.len(), "{name}: {mine:?}");
        assert_eq!(mine.first(), Some(&wanted[0]));
        assert_eq!(mine.last(), Some(&wanted[4]));
    }

    d.shutdown();
    d.wait().unwrap();
    assert!(matches!(remote.list(), Err(Error::Unavailable(_))));
}

#[test]
fn errors_come_back_by_kind() {
    let dir = tempfile::Builder::new().prefix("agent-handle").tempdir().unwrap();
    let d = start_daemon(dir.path());
    let h = d.handle();
    assert_eq!(
        h.start("nothere.service", true).unwrap_err(),
        Error::NotFound("Unit nothere.service not found.".into())
    );
    assert_eq!(
        h.stop("nothere.service", true).unwrap_err(),
        Error::NotFound("Unit nothere.service not loaded.".into())
    );
    let bad = h.load("bad.service", "bad.service", "[Service]\nExecStart=/bin/true\nRestart=sometimes\n");
    assert!(
        matches!(bad, Err(Error::BadInput(ref m)) if m.starts_with("bad.service:3:9: Invalid Restart=")),
        "{bad:?}"
    );
    assert!(matches!(
        h.load("../x.service", "x", "[Service]\nExecStart=/bin/true\n"),
        Err(Error::BadInput(_))
    ));
    assert!(matches!(h.journal("nothere.service", None), Err(Error::NotFound(_))));

    h.load("fails.service", "fails.service", "[Service]\nExecStart=/bin/sh -c 'exit 3'\nType=oneshot\n")
        .unwrap();
    let err = h.start("fails.service", true).unwrap_err();
    assert!(
        matches!(&err, Error::UnitFailed(m) if m.starts_with("Job for fails.service failed because the control process exited with error code.")),
        "{err:?}"
    );
    assert_eq!(h.status("fails.service").unwrap().result, UnitResult::ExitCode);

    // No-block: queued at once.
    h.load("later.service", "later.service", "[Service]\nExecStart=/bin/sleep 31203\n").unwrap();
    let q = h.start("later.service", false).unwrap();
    assert!(matches!(q, JobOutcome::Queued { ref unit, .. } if unit == "later.service"), "{q:?}");

    // One daemon per run dir.
    let again = daemon::start(Options { process_wide: false, ..Options::new(dir.path().join("run")) });
    assert!(
        matches!(again, Err(Error::Unavailable(ref m)) if m.starts_with("another unit-run daemon is using"))
    );

    // Dropping the daemon stops its units.
    drop(d);
    wait_no_pids("sleep 31203", Duration::from_secs(2));
}
