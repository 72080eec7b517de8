//! The supervisor: one thread that owns every unit's state and moves it through systemd's
//! states, driven by events (requests, exited children, the clock). This file is the loop:
//! `Supervisor::run` takes one event at a time, then `Supervisor::advance` does what the
//! clock and the queued jobs call for, and `Supervisor::next_wake` says when to look again.
//!
//! A start runs ExecStartPre lines in order (`-` ignores a failure), then ExecStart, then
//! ExecStartPost, each state under TimeoutStartSec; a stop runs ExecStop, sends KillSignal to
//! what is left (per KillMode), SIGKILL after TimeoutStopSec if SendSIGKILL, runs ExecStopPost,
//! kills leftovers again, then stops and removes the containers the unit named and that are
//! still there. When a main process ends on its own the same stop sequence runs, and then
//! Restart= decides between `dead`/`failed` and `auto-restart` after RestartSec, within the
//! start rate limit (StartLimitBurst starts per StartLimitIntervalSec).
//!
//! Dependencies between loaded units: a start pulls in Requires/Wants/BindsTo and stops
//! Conflicts; After/Before order starts (and, reversed, stops); a unit whose required unit
//! failed fails with result `dependency`; stopping a unit stops the units that require or bind
//! to it, and a unit stops when a unit it BindsTo goes down. `docker.service`, which unit-run
//! does not run, counts as present when the Docker engine answers.
//!
//! | file | concern |
//! |---|---|
//! | `state` | sub-states, active states, results (systemd's names); what a timeout leads to |
//! | `unit` | one unit's definition and runtime state |
//! | `requests` | answering requests: load, unload, instances of templates, reload, status, list |
//! | `jobs` | start/stop jobs (the transaction) and when their waiting clients are answered |
//! | `ordering` | dependencies and ordering as pure decisions over the units |
//! | `transition` | entering a state: deadlines, what the state runs, events to subscribers |
//! | `start` | a start: rate limit, environment, the main process |
//! | `environment` | environment, credentials and working directory of a start |
//! | `exec` | running Exec lists, and what an exited control or main process means |
//! | `stop` | a stop, and its end: dead, failed or auto-restart |
//! | `restart` | Restart= and the start rate limit (pure) |
//! | `signal` | finding a unit's processes and signalling them per KillMode |
//! | `cleanup` | removing the containers a stopped unit left |
//! | `status` | status and list answers |
//! | `desired` | the units meant to run, saved for the next daemon and restored by it |
//!
//! A unit can go away (unload) between any two events: every lookup by name is an `Option`,
//! and a unit that is gone is simply left alone.

mod cleanup;
mod desired;
mod environment;
mod exec;
mod jobs;
mod ordering;
mod requests;
mod restart;
mod signal;
mod start;
mod state;
mod status;
mod stop;
mod transition;
mod unit;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

pub use self::state::{ActiveState, LoadState, Sub, UnitResult};
use self::unit::UnitRuntime;
use super::RunDir;
use super::cgroup::Cgroups;
use super::docker::Docker;
use super::process::Exit;
use super::protocol::{Reply, Request, UnitEvent};
use super::signals::Reaper;
use crate::unit::name::UnitName;
use crate::unit::service::KillMode;
use crate::unit::specifier::SpecifierContext;

/// What reaches the supervisor thread.
pub(crate) enum Event {
    Request(Request, Sender<Reply>),
    /// Send every later state change there (and each loaded unit's state at once).
    Subscribe(Sender<UnitEvent>),
    Child(i32, Exit),
    /// SIGTERM/SIGINT/SIGHUP or [`crate::agent::Daemon::shutdown`]: stop every unit, then return.
    Shutdown,
    /// The container cleanup of a stop finished (unit, generation).
    Cleaned(String, u64),
}

/// What the supervisor is given by the daemon.
pub(crate) struct Config {
    pub run: RunDir,
    pub cgroups: Cgroups,
    pub docker: Arc<Docker>,
    /// Its own channel, for the cleanup threads' reports.
    pub tx: Sender<Event>,
    pub reaper: Reaper,
    pub machine_id: String,
    pub journal_cap: u64,
}

pub(crate) struct Supervisor {
    run: RunDir,
    units: BTreeMap<String, UnitRuntime>,
    cgroups: Cgroups,
    docker: Arc<Docker>,
    tx: Sender<Event>,
    reaper: Reaper,
    hostname: String,
    machine_id: String,
    boot_id: String,
    journal_cap: u64,
    shutting_down: bool,
    daemon_pid: u32,
    /// Whether docker.service counts as present, asked of the engine at most every few seconds.
    external: jobs::External,
    subscribers: Vec<Sender<UnitEvent>>,
}

/// How often stop states look whether the unit's processes are gone.
const POLL: Duration = Duration::from_millis(50);

impl Supervisor {
    pub fn new(c: Config) -> Supervisor {
        Supervisor {
            run: c.run,
            units: BTreeMap::new(),
            cgroups: c.cgroups,
            external: jobs::External::new(c.docker.clone()),
            docker: c.docker,
            tx: c.tx,
            reaper: c.reaper,
            hostname: crate::os::host::hostname(),
            machine_id: c.machine_id,
            boot_id: crate::os::host::boot_id(),
            journal_cap: c.journal_cap,
            shutting_down: false,
            daemon_pid: std::process::id(),
            subscribers: Vec::new(),
        }
    }

    /// The event loop; returns when a shutdown has stopped every unit (or every sender is gone).
    pub fn run(&mut self, rx: Receiver<Event>) {
        loop {
            self.advance();
            if self.shutting_down && self.units.values().all(|rt| rt.sub.is_down()) {
                return;
            }
            let wait = self.next_wake().map(|t| t.saturating_duration_since(Instant::now()));
            let ev = match wait {
                Some(d) => match rx.recv_timeout(d) {
                    Ok(ev) => Some(ev),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match rx.recv() {
                    Ok(ev) => Some(ev),
                    Err(_) => return,
                },
            };
            match ev {
                Some(Event::Request(req, reply)) => self.request(req, reply),
                Some(Event::Subscribe(tx)) => self.subscribe(tx),
                Some(Event::Child(pid, exit)) => self.child_exited(pid, exit),
                Some(Event::Shutdown) => self.shutdown(),
                Some(Event::Cleaned(name, generation))
                    if self
                        .units
                        .get(&name)
                        .is_some_and(|rt| rt.sub == Sub::Cleanup && rt.cleanup_gen == generation) =>
                {
                    self.finish(&name)
                }
                Some(Event::Cleaned(..)) | None => {}
            }
        }
    }

    /// The next deadline, restart or poll of any unit.
    fn next_wake(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut take = |t: Instant| next = Some(next.map_or(t, |n: Instant| n.min(t)));
        for rt in self.units.values() {
            if let Some(d) = rt.deadline {
                take(d);
            }
            if let Some(r) = rt.restart_at {
                take(r);
            }
            let polling =
                matches!(rt.sub, Sub::StopSigterm | Sub::StopSigkill | Sub::FinalSigterm | Sub::FinalSigkill)
                    || (rt.sub == Sub::Running && rt.main_pid.is_none());
            if polling || rt.pending_start || rt.pending_stop {
                take(Instant::now() + POLL);
            }
        }
        next
    }

    /// Stops every unit; what was meant to run stays saved for the next daemon.
    fn shutdown(&mut self) {
        if self.shutting_down {
            return;
        }
        self.shutting_down = true;
        log::info!("stopping every unit");
        let names: Vec<String> = self.units.keys().cloned().collect();
        for n in names {
            let Some(rt) = self.units.get_mut(&n) else { continue };
            rt.restart_at = None;
            rt.pending_start = false;
            rt.then_start = false;
            if rt.sub == Sub::AutoRestart {
                self.enter(&n, Sub::Dead);
            } else if !rt.sub.is_down() {
                rt.pending_stop = true;
            }
        }
    }

    /// What the clock and the queued jobs call for: deadlines, restarts, stop states whose
    /// processes are gone; then queued stops (in reverse After order) and starts (in After order).
    fn advance(&mut self) {
        let now = Instant::now();
        let names: Vec<String> = self.units.keys().cloned().collect();
        for n in &names {
            if let Some(rt) = self.units.get_mut(n)
                && rt.deadline.is_some_and(|d| d <= now)
            {
                rt.deadline = None;
                self.timed_out(n);
            }
            if let Some(rt) = self.units.get_mut(n)
                && rt.restart_at.is_some_and(|r| r <= now)
            {
                rt.restart_at = None;
                rt.restarts += 1;
                let count = rt.restarts;
                self.log(n, &format!("Scheduled restart job, restart counter is at {count}."));
                self.begin_start(n);
            }
            let Some(rt) = self.units.get(n) else { continue };
            match rt.sub {
                Sub::StopSigterm | Sub::StopSigkill if !self.has_processes(n, false) => {
                    if rt.def.service.kill_mode == KillMode::Mixed {
                        // mixed: SIGTERM went to the main process; what is left gets SIGKILL.
                        self.signal_unit(n, true, true);
                    }
                    self.enter(n, Sub::StopPost)
                }
                Sub::FinalSigterm | Sub::FinalSigkill if !self.has_processes(n, true) => {
                    self.enter(n, Sub::Cleanup)
                }
                // Forking units without a known main PID run while anything of theirs runs.
                Sub::Running if rt.main_pid.is_none() && !self.has_processes(n, true) => {
                    self.enter(n, Sub::Stop)
                }
                _ => {}
            }
        }
        for n in &names {
            if self.units.get(n).is_some_and(|rt| rt.pending_stop) && !ordering::stop_blocked(&self.units, n)
            {
                if let Some(rt) = self.units.get_mut(n) {
                    rt.pending_stop = false;
                }
                self.begin_stop(n);
            }
        }
        for n in &names {
            if self.shutting_down {
                break;
            }
            if self.units.get(n).is_some_and(|rt| rt.pending_start && rt.sub.is_down())
                && !ordering::start_blocked(&self.units, n)
            {
                self.start_pending(n);
            }
        }
    }

    /// A queued start whose turn has come: it fails if a unit it requires (and is ordered
    /// after) failed, else it begins.
    fn start_pending(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.pending_start = false;
        let Some(dep) = ordering::failed_requirement(&self.units, n) else {
            self.begin_start(n);
            return;
        };
        let desc = self.description(n);
        self.log_plain(n, &format!("Dependency failed for {desc}."));
        if let Some(rt) = self.units.get_mut(n) {
            rt.result = UnitResult::Dependency;
        }
        self.enter(n, Sub::Failed);
        self.fail_jobs(n, &format!("Dependency failed for {n}: {dep} failed."));
    }

    /// What `%n`, `%H`, `%m`, `%b` … stand for in unit `name`.
    fn ctx(&self, name: &str) -> Result<SpecifierContext, String> {
        Ok(SpecifierContext {
            unit: UnitName::parse(name)?,
            hostname: self.hostname.clone(),
            machine_id: self.machine_id.clone(),
            boot_id: self.boot_id.clone(),
        })
    }

    /// The unit's description (its name when it has none, or when it is gone).
    fn description(&self, n: &str) -> String {
        self.units.get(n).map_or(n, |rt| rt.def.description()).to_string()
    }

    /// A line from the supervisor into the unit's journal: `unit-run[PID]: croc.service: …`.
    fn log(&self, n: &str, msg: &str) {
        self.log_plain(n, &format!("{n}: {msg}"));
    }

    /// A line that names the unit by its description already ("Started CROC Example Service.").
    fn log_plain(&self, n: &str, line: &str) {
        if let Some(rt) = self.units.get(n) {
            rt.journal.append(self.daemon_pid, "unit-run", "unit-run", line);
        }
    }
}

/// Now + `d`, or None when that is past what an Instant can hold (an "infinite" span).
fn after(d: Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}
