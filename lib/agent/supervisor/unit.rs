//! One unit as the supervisor holds it: its definition (the parsed file, with its `[Service]`
//! section apart so that it is always there) and its runtime state — sub-state, result,
//! processes, deadlines, queued jobs, and what its next start needs (environment,
//! credentials, cgroup, journal).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::jobs::Job;
use super::ordering::{Graph, Phase};
use super::restart::StartLimit;
use super::state::{Sub, UnitResult};
use crate::agent::cgroup::UnitCgroup;
use crate::agent::journal::Writer;
use crate::agent::process::{Creds, Exit};
use crate::agent::protocol::ProcessLine;
use crate::unit::exec::ExecCommand;
use crate::unit::service::{Dependencies, Service, Unit};

/// A loaded unit file.
pub(crate) struct Definition {
    /// The parsed unit; its `service` is moved to [`Definition::service`].
    pub unit: Unit,
    pub service: Service,
    /// SHA-1 of the file's text (see [`crate::agent::reconcile::unit_hash`]).
    pub hash: String,
    /// Container names the Exec lines give (`docker run --name X`).
    pub container_names: Vec<String>,
}

impl Definition {
    /// `None` for a unit that is not a service.
    pub fn new(mut unit: Unit) -> Option<Definition> {
        let service = unit.service.take()?;
        let container_names = container_names(&service);
        let hash = crate::agent::reconcile::unit_hash(&unit.text);
        Some(Definition { unit, service, hash, container_names })
    }

    pub fn description(&self) -> &str {
        self.unit.description_or_name()
    }
}

/// Which Exec list a control process comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExecList {
    StartPre,
    Start,
    StartPost,
    Reload,
    Stop,
    StopPost,
}

impl ExecList {
    /// The key it is written with (status's `Process:` lines say it).
    pub fn key(self) -> &'static str {
        match self {
            ExecList::StartPre => "ExecStartPre",
            ExecList::Start => "ExecStart",
            ExecList::StartPost => "ExecStartPost",
            ExecList::Reload => "ExecReload",
            ExecList::Stop => "ExecStop",
            ExecList::StopPost => "ExecStopPost",
        }
    }

    pub fn of(self, s: &Service) -> &[ExecCommand] {
        match self {
            ExecList::StartPre => &s.exec_start_pre,
            ExecList::Start => &s.exec_start,
            ExecList::StartPost => &s.exec_start_post,
            ExecList::Reload => &s.exec_reload,
            ExecList::Stop => &s.exec_stop,
            ExecList::StopPost => &s.exec_stop_post,
        }
    }
}

/// The control process of a unit: which command of which list runs.
pub(crate) struct Control {
    pub list: ExecList,
    pub idx: usize,
    pub pid: Option<i32>,
}

/// One unit's runtime state.
pub(crate) struct UnitRuntime {
    pub def: Definition,
    /// A definition loaded while the unit runs, for its next start.
    pub next: Option<Definition>,
    pub file: PathBuf,
    pub sub: Sub,
    pub result: UnitResult,
    /// When the unit entered its current active state (µs since the epoch).
    pub since: u64,
    pub main_pid: Option<i32>,
    pub main_exit: Option<Exit>,
    /// The PID of the main process that last ended (for status).
    pub last_main_pid: Option<i32>,
    pub control: Option<Control>,
    pub processes: Vec<ProcessLine>,
    pub deadline: Option<Instant>,
    pub restart_at: Option<Instant>,
    pub restarts: u32,
    pub start_limit: StartLimit,
    /// INVOCATION_ID of the current run.
    pub invocation: String,
    pub env: Vec<(String, String)>,
    pub creds: Option<Creds>,
    pub cwd: PathBuf,
    pub cgroup: Option<UnitCgroup>,
    /// Every process started for the current run led a session of its own.
    pub sessions: Vec<i32>,
    pub journal: Arc<Writer>,
    /// Clients waiting for a start/stop/reload/unload to finish.
    pub jobs: Vec<Job>,
    pub pending_start: bool,
    pub pending_stop: bool,
    /// Start again once down (restart).
    pub then_start: bool,
    /// Forget the unit once down (unload).
    pub unload_after: bool,
    /// The current stop was asked for (not a main process ending on its own).
    pub stop_requested: bool,
    /// The current run came up.
    pub start_ok: bool,
    /// Tells a stale container cleanup's report from the current one.
    pub cleanup_gen: u64,
}

impl UnitRuntime {
    pub fn new(def: Definition, file: PathBuf, journal: Arc<Writer>) -> UnitRuntime {
        UnitRuntime {
            def,
            next: None,
            file,
            sub: Sub::Dead,
            result: UnitResult::Success,
            since: crate::os::clock::now_micros(),
            main_pid: None,
            main_exit: None,
            last_main_pid: None,
            control: None,
            processes: Vec::new(),
            deadline: None,
            restart_at: None,
            restarts: 0,
            start_limit: StartLimit::default(),
            invocation: String::new(),
            env: Vec::new(),
            creds: None,
            cwd: PathBuf::from("/"),
            cgroup: None,
            sessions: Vec::new(),
            journal,
            jobs: Vec::new(),
            pending_start: false,
            pending_stop: false,
            then_start: false,
            unload_after: false,
            stop_requested: false,
            start_ok: false,
            cleanup_gen: 0,
        }
    }

    /// The PID of the running control process.
    pub fn control_pid(&self) -> Option<i32> {
        self.control.as_ref().and_then(|c| c.pid)
    }

    /// The hash of the file last loaded (the definition for the next start, if there is one).
    pub fn loaded_hash(&self) -> &str {
        &self.next.as_ref().unwrap_or(&self.def).hash
    }

    /// Takes a newly loaded definition: at once when the unit is down, else at its next start
    /// (a running unit keeps the definition whose Exec lists are being walked, as after
    /// daemon-reload).
    pub fn replace(&mut self, def: Definition, file: PathBuf) {
        if self.sub.is_down() || self.sub == Sub::AutoRestart {
            self.def = def;
            self.next = None;
        } else {
            self.next = Some(def);
        }
        self.file = file;
    }

    pub fn phase(&self) -> Phase {
        Phase {
            sub: self.sub,
            pending_start: self.pending_start,
            pending_stop: self.pending_stop,
            start_ok: self.start_ok,
        }
    }
}

impl Graph for BTreeMap<String, UnitRuntime> {
    fn deps(&self, n: &str) -> Option<&Dependencies> {
        self.get(n).map(|rt| &rt.def.unit.deps)
    }
    fn phase(&self, n: &str) -> Option<Phase> {
        self.get(n).map(UnitRuntime::phase)
    }
    fn names(&self) -> impl Iterator<Item = &str> {
        self.keys().map(String::as_str)
    }
}

/// Container names the service's Exec lines give (`docker run --name X`).
fn container_names(s: &Service) -> Vec<String> {
    let mut out = Vec::new();
    for c in s.exec_start_pre.iter().chain(&s.exec_start).chain(&s.exec_start_post) {
        let mut argv = c.argv.clone();
        if let Some(first) = argv.first_mut() {
            *first = c.path.clone();
        }
        for n in crate::agent::container_names::names_in_argv(&argv) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}
