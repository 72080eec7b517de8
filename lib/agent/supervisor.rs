//! The supervisor: one thread that owns every unit's state and moves it through systemd's
//! states, driven by events (requests from the control socket, exited children, the clock).
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
//! The state names are systemd's: active states inactive/activating/active/deactivating/
//! failed/reloading, and sub-states dead, start-pre, start, start-post, running, exited,
//! reload, stop, stop-sigterm, stop-sigkill, stop-post, final-sigterm, final-sigkill, failed,
//! auto-restart.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde_json::json;

use super::RunDir;
use super::cgroup::{Cgroups, UnitCgroup};
use super::docker::{self, Docker};
use super::journal::Writer;
use super::process::{self, Creds, Exit};
use super::protocol::{ListEntry, ProcessLine, Request, Response, UnitStatus, code};
use crate::unit::exec::ExecCommand;
use crate::unit::name::UnitName;
use crate::unit::service::{KillMode, RestartPolicy, Service, ServiceType, Unit, parse_unit};
use crate::unit::specifier::SpecifierContext;

/// What reaches the supervisor thread.
pub enum Event {
    Request(Request, Sender<Response>),
    Child(i32, Exit),
    /// SIGTERM/SIGINT/SIGHUP: stop every unit, then exit.
    Shutdown,
    /// The container cleanup of a stop finished (unit, generation).
    Cleaned(String, u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sub {
    Dead,
    Failed,
    StartPre,
    Start,
    StartPost,
    Running,
    Exited,
    Reload,
    Stop,
    StopSigterm,
    StopSigkill,
    StopPost,
    FinalSigterm,
    FinalSigkill,
    /// Removing the unit's containers (shown as stop-post).
    Cleanup,
    AutoRestart,
}

impl Sub {
    pub fn name(self) -> &'static str {
        match self {
            Sub::Dead => "dead",
            Sub::Failed => "failed",
            Sub::StartPre => "start-pre",
            Sub::Start => "start",
            Sub::StartPost => "start-post",
            Sub::Running => "running",
            Sub::Exited => "exited",
            Sub::Reload => "reload",
            Sub::Stop => "stop",
            Sub::StopSigterm => "stop-sigterm",
            Sub::StopSigkill => "stop-sigkill",
            Sub::StopPost | Sub::Cleanup => "stop-post",
            Sub::FinalSigterm => "final-sigterm",
            Sub::FinalSigkill => "final-sigkill",
            Sub::AutoRestart => "auto-restart",
        }
    }

    pub fn active(self) -> &'static str {
        match self {
            Sub::Dead => "inactive",
            Sub::Failed => "failed",
            Sub::StartPre | Sub::Start | Sub::StartPost | Sub::AutoRestart => "activating",
            Sub::Running | Sub::Exited => "active",
            Sub::Reload => "reloading",
            _ => "deactivating",
        }
    }

    fn is_stopping(self) -> bool {
        matches!(
            self,
            Sub::Stop
                | Sub::StopSigterm
                | Sub::StopSigkill
                | Sub::StopPost
                | Sub::FinalSigterm
                | Sub::FinalSigkill
                | Sub::Cleanup
        )
    }

    fn is_starting(self) -> bool {
        matches!(self, Sub::StartPre | Sub::Start | Sub::StartPost)
    }

    fn is_up(self) -> bool {
        matches!(self, Sub::Running | Sub::Exited | Sub::Reload)
    }

    fn is_down(self) -> bool {
        matches!(self, Sub::Dead | Sub::Failed)
    }
}

/// Which Exec list a control process comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    StartPre,
    Start,
    StartPost,
    Reload,
    Stop,
    StopPost,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::StartPre => "ExecStartPre",
            List::Start => "ExecStart",
            List::StartPost => "ExecStartPost",
            List::Reload => "ExecReload",
            List::Stop => "ExecStop",
            List::StopPost => "ExecStopPost",
        }
    }

    fn of(self, s: &Service) -> &[ExecCommand] {
        match self {
            List::StartPre => &s.exec_start_pre,
            List::Start => &s.exec_start,
            List::StartPost => &s.exec_start_post,
            List::Reload => &s.exec_reload,
            List::Stop => &s.exec_stop,
            List::StopPost => &s.exec_stop_post,
        }
    }
}

struct Control {
    list: List,
    idx: usize,
    pid: Option<i32>,
}

enum JobKind {
    Start,
    Stop,
    Reload,
    Unload,
}

struct Job {
    kind: JobKind,
    reply: Sender<Response>,
}

/// One unit's runtime state.
struct Rt {
    unit: Unit,
    /// A definition loaded while the unit runs, for its next start.
    next: Option<Unit>,
    file: PathBuf,
    sub: Sub,
    result: &'static str,
    since: u64,
    main_pid: Option<i32>,
    main_exit: Option<Exit>,
    /// The PID of the main process that last ended (for status).
    last_main_pid: Option<i32>,
    control: Option<Control>,
    processes: Vec<ProcessLine>,
    deadline: Option<Instant>,
    restart_at: Option<Instant>,
    restarts: u32,
    starts: VecDeque<Instant>,
    invocation: String,
    env: Vec<(String, String)>,
    creds: Option<Creds>,
    cwd: PathBuf,
    cgroup: Option<UnitCgroup>,
    sessions: Vec<i32>,
    journal: Arc<Writer>,
    jobs: Vec<Job>,
    pending_start: bool,
    pending_stop: bool,
    then_start: bool,
    unload_after: bool,
    stop_requested: bool,
    start_ok: bool,
    cleanup_gen: u64,
    container_names: Vec<String>,
}

impl Rt {
    fn service(&self) -> &Service {
        self.unit.service.as_ref().expect("only services are loaded")
    }
}

pub struct Supervisor {
    run: RunDir,
    units: BTreeMap<String, Rt>,
    cgroups: Cgroups,
    docker: Arc<Docker>,
    tx: Sender<Event>,
    hostname: String,
    machine_id: String,
    boot_id: String,
    journal_cap: u64,
    shutting_down: bool,
    daemon_pid: u32,
    /// When the Docker engine was last asked whether it answers, and what it said.
    docker_seen: Option<(Instant, Result<(), String>)>,
}

/// How often stop states look whether the unit's processes are gone.
const POLL: Duration = Duration::from_millis(50);

impl Supervisor {
    pub fn new(
        run: RunDir,
        cgroups: Cgroups,
        docker: Arc<Docker>,
        tx: Sender<Event>,
        machine_id: String,
        journal_cap: u64,
    ) -> Supervisor {
        Supervisor {
            run,
            units: BTreeMap::new(),
            cgroups,
            docker,
            tx,
            hostname: crate::os::host::hostname(),
            machine_id,
            boot_id: crate::os::host::boot_id(),
            journal_cap,
            shutting_down: false,
            daemon_pid: std::process::id(),
            docker_seen: None,
        }
    }

    fn ctx(&self, name: &str) -> Result<SpecifierContext, String> {
        Ok(SpecifierContext {
            unit: UnitName::parse(name)?,
            hostname: self.hostname.clone(),
            machine_id: self.machine_id.clone(),
            boot_id: self.boot_id.clone(),
        })
    }

    /// Loads the unit files kept in the run dir and starts those that were meant to run.
    pub fn restore(&mut self) {
        let desired = self.run.read_desired();
        let Ok(rd) = std::fs::read_dir(self.run.units()) else { return };
        let mut names: Vec<String> = rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        names.sort();
        for name in names {
            if name.starts_with('.') || crate::unit::name::check_name(&name).is_err() {
                continue;
            }
            let path = self.run.units().join(&name);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            if UnitName::parse(&name).map(|n| n.is_template()).unwrap_or(true) {
                continue;
            }
            match self.ctx(&name).and_then(|ctx| {
                parse_unit(&name, &path.display().to_string(), &text, &ctx).map_err(|e| e.to_string())
            }) {
                Ok(unit) if unit.service.is_some() => self.install(name, unit, path),
                Ok(_) => {}
                Err(e) => log::warn!("{e}"),
            }
        }
        // What an earlier daemon left running is stopped, never adopted: its processes are
        // killed and the unit started afresh below.
        for name in self.cgroups.populated_units() {
            if let Some(cg) = self.cgroups.unit(&name) {
                log::info!("{name}: killing {} process(es) left by an earlier daemon", cg.pids().len());
                cg.kill(Signal::SIGKILL);
            }
        }
        self.report_leftover_containers(&desired);
        for name in desired {
            if self.units.contains_key(&name) {
                let (tx, _rx) = std::sync::mpsc::channel();
                self.request_start(&name, tx, true);
            }
        }
    }

    fn report_leftover_containers(&self, desired: &[String]) {
        let Ok(all) = self.docker.all() else { return };
        for c in all {
            let owner = self
                .units
                .iter()
                .find(|(n, rt)| {
                    rt.container_names.contains(&c.name) || c.unit_label.as_deref() == Some(n.as_str())
                })
                .map(|(n, _)| n.clone())
                .or_else(|| c.unit_label.clone());
            if let Some(owner) = owner
                && !desired.contains(&owner)
            {
                log::info!(
                    "container {} ({}, {}) was left by {owner}, which is not running",
                    c.name,
                    c.image,
                    c.state
                );
            }
        }
    }

    fn install(&mut self, name: String, unit: Unit, file: PathBuf) {
        if let Some(rt) = self.units.get_mut(&name) {
            // A running unit keeps the definition it was started with (its Exec lists are being
            // walked); the new one takes effect at its next start, as after daemon-reload.
            if rt.sub.is_down() || rt.sub == Sub::AutoRestart {
                rt.container_names = container_names(&unit);
                rt.unit = unit;
                rt.next = None;
            } else {
                rt.next = Some(unit);
            }
            rt.file = file;
            return;
        }
        let names = container_names(&unit);
        let journal = Arc::new(Writer::new(&self.run.journal(), &name, self.journal_cap));
        self.units.insert(
            name.clone(),
            Rt {
                unit,
                next: None,
                file,
                sub: Sub::Dead,
                result: "success",
                since: crate::os::clock::now_micros(),
                main_pid: None,
                main_exit: None,
                last_main_pid: None,
                control: None,
                processes: Vec::new(),
                deadline: None,
                restart_at: None,
                restarts: 0,
                starts: VecDeque::new(),
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
                container_names: names,
            },
        );
    }

    /// The event loop; returns when a shutdown has stopped every unit.
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
                Some(Event::Cleaned(..)) => {}
                None => {}
            }
        }
    }

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

    fn shutdown(&mut self) {
        if self.shutting_down {
            return;
        }
        self.shutting_down = true;
        log::info!("stopping every unit");
        let names: Vec<String> = self.units.keys().cloned().collect();
        for n in names {
            let rt = self.units.get_mut(&n).unwrap();
            rt.restart_at = None;
            rt.pending_start = false;
            rt.then_start = false;
            if rt.sub == Sub::AutoRestart {
                self.enter(&n, Sub::Dead);
                continue;
            }
            if !self.units[&n].sub.is_down() {
                self.units.get_mut(&n).unwrap().pending_stop = true;
            }
        }
    }

    // ----- requests -----

    fn request(&mut self, req: Request, reply: Sender<Response>) {
        if self.shutting_down && !matches!(req, Request::Status { .. } | Request::List) {
            let _ = reply.send(Response::err(code::FAILURE, "the daemon is shutting down"));
            return;
        }
        match req {
            Request::Load { name, file, text } => {
                let _ = reply.send(self.load(&name, &file, &text));
            }
            Request::Unload { name } => self.request_unload(&name, reply),
            Request::Start { name, no_block } => {
                if let Err(r) = self.ensure_instance(&name) {
                    let _ = reply.send(r);
                    return;
                }
                let (job_tx, keep) = split_reply(reply, no_block);
                self.request_start(&name, job_tx, true);
                if let Some(r) = keep {
                    let _ = r.send(Response::ok(json!({ "unit": name, "job": "start" })));
                }
            }
            Request::Stop { name, no_block } => {
                let (job_tx, keep) = split_reply(reply, no_block);
                self.request_stop(&name, job_tx, JobKind::Stop);
                if let Some(r) = keep {
                    let _ = r.send(Response::ok(json!({ "unit": name, "job": "stop" })));
                }
            }
            Request::Restart { name, no_block } => {
                if let Err(r) = self.ensure_instance(&name) {
                    let _ = reply.send(r);
                    return;
                }
                let (job_tx, keep) = split_reply(reply, no_block);
                match self.units.get_mut(&name) {
                    Some(rt) if !rt.sub.is_down() && rt.sub != Sub::AutoRestart => {
                        rt.then_start = true;
                        rt.jobs.push(Job { kind: JobKind::Start, reply: job_tx });
                        let (tx, _rx) = std::sync::mpsc::channel();
                        self.request_stop_for(&name, tx, JobKind::Stop, true);
                    }
                    _ => self.request_start(&name, job_tx, true),
                }
                if let Some(r) = keep {
                    let _ = r.send(Response::ok(json!({ "unit": name, "job": "restart" })));
                }
            }
            Request::Reload { name } => self.request_reload(&name, reply),
            Request::Status { name } => {
                let _ = reply.send(match self.status(&name) {
                    Some(s) => Response::ok(serde_json::to_value(s).unwrap()),
                    None => Response::err(code::NOT_FOUND, format!("Unit {name} could not be found.")),
                });
            }
            Request::List => {
                let list: Vec<ListEntry> = self
                    .units
                    .iter()
                    .map(|(n, rt)| ListEntry {
                        unit: n.clone(),
                        load: "loaded".into(),
                        active: rt.sub.active().into(),
                        sub: rt.sub.name().into(),
                        description: rt.unit.description_or_name().to_string(),
                        main_pid: rt.main_pid,
                    })
                    .collect();
                let _ = reply.send(Response::ok(serde_json::to_value(list).unwrap()));
            }
            Request::Machine => {
                let _ = reply.send(Response::err(code::FAILURE, "machine is answered by the socket thread"));
            }
        }
    }

    fn load(&mut self, name: &str, file: &str, text: &str) -> Response {
        let parsed = UnitName::parse(name);
        let uname = match parsed {
            Ok(n) => n,
            Err(e) => {
                return Response::err(code::BAD_INPUT, format!("{file}: invalid unit name \"{name}\": {e}"));
            }
        };
        if !name.ends_with(".service") {
            return Response::err(
                code::BAD_INPUT,
                format!("{file}: unit-run runs only .service units, not {name}"),
            );
        }
        let mut warnings = Vec::new();
        if uname.is_template() {
            // A template is checked with a made-up instance, and kept as it is.
            let probe = uname.full.replacen("@.", "@probe.", 1);
            match self
                .ctx(&probe)
                .and_then(|ctx| parse_unit(&probe, file, text, &ctx).map_err(|e| e.to_string()))
            {
                Ok(u) => warnings.extend(u.warnings.iter().map(|w| w.to_string())),
                Err(e) => return Response::err(code::BAD_INPUT, e),
            }
        } else {
            let unit = match self
                .ctx(name)
                .and_then(|ctx| parse_unit(name, file, text, &ctx).map_err(|e| e.to_string()))
            {
                Ok(u) => u,
                Err(e) => return Response::err(code::BAD_INPUT, e),
            };
            warnings.extend(unit.warnings.iter().map(|w| w.to_string()));
            let path = self.run.units().join(name);
            if let Err(e) = crate::os::file::write_atomic(&path, text.as_bytes()) {
                return Response::err(code::FAILURE, format!("writing {}: {e}", path.display()));
            }
            self.install(name.to_string(), unit, path);
            let mut r = Response::ok(json!({ "unit": name, "loaded": true }));
            r.warnings = warnings;
            return r;
        }
        let path = self.run.units().join(name);
        if let Err(e) = crate::os::file::write_atomic(&path, text.as_bytes()) {
            return Response::err(code::FAILURE, format!("writing {}: {e}", path.display()));
        }
        let mut r = Response::ok(json!({ "unit": name, "loaded": true, "template": true }));
        r.warnings = warnings;
        r
    }

    /// `start foo@x.service` with only `foo@.service` loaded makes the instance from it.
    #[allow(clippy::result_large_err)]
    fn ensure_instance(&mut self, name: &str) -> Result<(), Response> {
        if self.units.contains_key(name) {
            return Ok(());
        }
        let missing = || Response::err(code::NOT_FOUND, format!("Unit {name} not found."));
        let un = UnitName::parse(name)
            .map_err(|e| Response::err(code::BAD_INPUT, format!("invalid unit name \"{name}\": {e}")))?;
        let template = un.template_name().ok_or_else(missing)?;
        let tpath = self.run.units().join(&template);
        let text = std::fs::read_to_string(&tpath).map_err(|_| missing())?;
        let ctx = self.ctx(name).map_err(|e| Response::err(code::BAD_INPUT, e))?;
        let unit = parse_unit(name, &tpath.display().to_string(), &text, &ctx)
            .map_err(|e| Response::err(code::BAD_INPUT, e.to_string()))?;
        let path = self.run.units().join(name);
        crate::os::file::write_atomic(&path, text.as_bytes())
            .map_err(|e| Response::err(code::FAILURE, e.to_string()))?;
        self.install(name.to_string(), unit, path);
        Ok(())
    }

    fn request_unload(&mut self, name: &str, reply: Sender<Response>) {
        let Some(rt) = self.units.get_mut(name) else {
            // A template has no runtime state: just its file.
            let path = self.run.units().join(name);
            if UnitName::parse(name).is_ok_and(|n| n.is_template()) && path.exists() {
                let _ = std::fs::remove_file(&path);
                let _ = reply.send(Response::ok(json!({ "unit": name, "loaded": false })));
            } else {
                let _ = reply.send(Response::err(code::NOT_FOUND, format!("Unit {name} not loaded.")));
            }
            return;
        };
        if rt.sub.is_down() || rt.sub == Sub::AutoRestart {
            self.remove_unit(name);
            let _ = reply.send(Response::ok(json!({ "unit": name, "loaded": false })));
            return;
        }
        rt.unload_after = true;
        self.request_stop(name, reply, JobKind::Unload);
    }

    fn remove_unit(&mut self, name: &str) {
        if let Some(rt) = self.units.remove(name) {
            for j in rt.jobs {
                let _ = j.reply.send(Response::err(code::NOT_FOUND, format!("Unit {name} was unloaded.")));
            }
        }
        let _ = std::fs::remove_file(self.run.units().join(name));
        self.save_desired();
    }

    /// Marks `name` and what it pulls in to start; `advance` starts them in order.
    fn request_start(&mut self, name: &str, reply: Sender<Response>, explicit: bool) {
        if !self.units.contains_key(name) {
            let _ = reply.send(Response::err(code::NOT_FOUND, format!("Unit {name} not found.")));
            return;
        }
        // The transaction: the unit, and what it requires/wants/binds to, transitively.
        let mut set = vec![name.to_string()];
        let mut i = 0;
        while i < set.len() {
            let deps = &self.units[&set[i]].unit.deps;
            let hard: Vec<String> = deps.requires.iter().chain(&deps.binds_to).cloned().collect();
            let soft = deps.wants.clone();
            for d in hard {
                if self.units.contains_key(&d) {
                    if !set.contains(&d) {
                        set.push(d);
                    }
                } else if let Err(why) = self.external_present(&d) {
                    let _ = reply.send(Response::err(
                        code::UNIT_FAILED,
                        format!("Dependency failed for {name}: {why}"),
                    ));
                    self.log_plain(
                        name,
                        &format!(
                            "Dependency failed for {}: {why}",
                            self.units[name].unit.description_or_name()
                        ),
                    );
                    return;
                }
            }
            for d in soft {
                if self.units.contains_key(&d) && !set.contains(&d) {
                    set.push(d);
                }
            }
            i += 1;
        }
        // Conflicts, both ways.
        let conflicting: Vec<String> = self
            .units
            .iter()
            .filter(|(n, rt)| {
                !set.contains(n)
                    && !rt.sub.is_down()
                    && (rt.unit.deps.conflicts.iter().any(|c| set.contains(c))
                        || set.iter().any(|s| self.units[s].unit.deps.conflicts.contains(n)))
            })
            .map(|(n, _)| n.clone())
            .collect();
        for c in conflicting {
            let (tx, _rx) = std::sync::mpsc::channel();
            self.request_stop(&c, tx, JobKind::Stop);
        }
        for n in &set {
            let rt = self.units.get_mut(n).unwrap();
            if explicit && n == name {
                // An explicit start resets the rate limit (it guards automatic restarts).
                rt.starts.clear();
            }
            if rt.sub == Sub::AutoRestart {
                rt.restart_at = None;
                rt.pending_start = true;
                rt.sub = Sub::Dead;
            } else if rt.sub.is_down() || rt.sub.is_stopping() {
                rt.pending_start = true;
                rt.pending_stop = false;
            }
        }
        self.save_desired();
        let rt = self.units.get_mut(name).unwrap();
        if rt.sub.is_up() && !rt.pending_start {
            let _ = reply
                .send(Response::ok(json!({ "unit": name, "active": rt.sub.active(), "sub": rt.sub.name() })));
        } else {
            rt.jobs.push(Job { kind: JobKind::Start, reply });
        }
    }

    /// A unit outside unit-run that a unit requires: `docker.service` is the Docker engine.
    fn external_present(&mut self, name: &str) -> Result<(), String> {
        if name == "docker.service" {
            // Asked of the engine at most every few seconds: this runs on the supervisor thread.
            if let Some((at, r)) = &self.docker_seen
                && at.elapsed() < Duration::from_secs(3)
            {
                return r.clone();
            }
            let r = self.docker.version().map(|_| ()).map_err(|e| format!("docker.service: {e}"));
            self.docker_seen = Some((Instant::now(), r.clone()));
            return r;
        }
        Err(format!("Unit {name} not found."))
    }

    fn request_stop(&mut self, name: &str, reply: Sender<Response>, kind: JobKind) {
        self.request_stop_for(name, reply, kind, false)
    }

    /// Stops `name` and the units that require or bind to it. With `restart`, those that were
    /// up start again when they are down (systemd's restart propagation).
    fn request_stop_for(&mut self, name: &str, reply: Sender<Response>, kind: JobKind, restart: bool) {
        if !self.units.contains_key(name) {
            let _ = reply.send(Response::err(code::NOT_FOUND, format!("Unit {name} not loaded.")));
            return;
        }
        // The unit and the units that require or bind to it, transitively.
        let mut set = vec![name.to_string()];
        let mut i = 0;
        while i < set.len() {
            let target = set[i].clone();
            for (n, rt) in &self.units {
                if !set.contains(n)
                    && (rt.unit.deps.requires.contains(&target) || rt.unit.deps.binds_to.contains(&target))
                {
                    set.push(n.clone());
                }
            }
            i += 1;
        }
        for n in &set {
            let rt = self.units.get_mut(n).unwrap();
            if rt.pending_start && rt.sub.is_down() {
                // A start that had not begun is canceled, and its waiting clients told.
                let (starts, rest): (Vec<Job>, Vec<Job>) =
                    std::mem::take(&mut rt.jobs).into_iter().partition(|j| matches!(j.kind, JobKind::Start));
                rt.jobs = rest;
                for j in starts {
                    let _ = j.reply.send(Response::err(code::UNIT_FAILED, format!("Job for {n} canceled.")));
                }
            }
            rt.pending_start = false;
            rt.then_start =
                if n == name { rt.then_start } else { restart && (rt.sub.is_up() || rt.sub.is_starting()) };
            if rt.sub == Sub::AutoRestart {
                rt.restart_at = None;
                self.enter(n, Sub::Dead);
            } else if !rt.sub.is_down() {
                rt.pending_stop = true;
            }
        }
        self.save_desired();
        let rt = self.units.get_mut(name).unwrap();
        if rt.sub.is_down() {
            if matches!(kind, JobKind::Unload) {
                self.remove_unit(name);
                let _ = reply.send(Response::ok(json!({ "unit": name, "loaded": false })));
            } else {
                let _ = reply.send(Response::ok(
                    json!({ "unit": name, "active": rt.sub.active(), "sub": rt.sub.name() }),
                ));
            }
        } else {
            rt.jobs.push(Job { kind, reply });
        }
    }

    fn save_desired(&self) {
        // A shutdown stops units but keeps what was meant to run, for the next daemon.
        if self.shutting_down {
            return;
        }
        let started: Vec<&str> = self
            .units
            .iter()
            .filter(|(_, rt)| {
                rt.pending_start
                    || rt.then_start
                    || ((rt.sub.is_up() || rt.sub.is_starting() || rt.sub == Sub::AutoRestart)
                        && !rt.pending_stop)
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if let Err(e) = self.run.write_desired(&started) {
            log::warn!("saving desired states: {e}");
        }
    }

    // ----- the clock: pending jobs, deadlines, polling -----

    fn advance(&mut self) {
        let now = Instant::now();
        let names: Vec<String> = self.units.keys().cloned().collect();
        for n in &names {
            let Some(rt) = self.units.get(n) else { continue };
            if rt.deadline.is_some_and(|d| d <= now) {
                self.units.get_mut(n).unwrap().deadline = None;
                self.timed_out(n);
            }
            let Some(rt) = self.units.get(n) else { continue };
            if rt.restart_at.is_some_and(|r| r <= now) {
                let rt = self.units.get_mut(n).unwrap();
                rt.restart_at = None;
                rt.restarts += 1;
                let count = rt.restarts;
                self.log(n, &format!("Scheduled restart job, restart counter is at {count}."));
                self.begin_start(n);
            }
            let Some(rt) = self.units.get(n) else { continue };
            match rt.sub {
                Sub::StopSigterm | Sub::StopSigkill if !self.has_processes(n, false) => {
                    if self.units[n].service().kill_mode == KillMode::Mixed {
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
        // Stops first (in reverse After order), then starts (in After order).
        for n in &names {
            if self.units.get(n).is_some_and(|rt| rt.pending_stop) && !self.stop_blocked(n) {
                let rt = self.units.get_mut(n).unwrap();
                rt.pending_stop = false;
                self.begin_stop(n);
            }
        }
        for n in &names {
            if self.shutting_down {
                break;
            }
            if self.units.get(n).is_some_and(|rt| rt.pending_start && rt.sub.is_down())
                && !self.start_blocked(n)
            {
                self.units.get_mut(n).unwrap().pending_start = false;
                if let Some(dep) = self.failed_requirement(n) {
                    let desc = self.units[n].unit.description_or_name().to_string();
                    self.log_plain(n, &format!("Dependency failed for {desc}."));
                    let rt = self.units.get_mut(n).unwrap();
                    rt.result = "dependency";
                    self.enter(n, Sub::Failed);
                    self.fail_jobs(n, &format!("Dependency failed for {n}: {dep} failed."));
                } else {
                    self.begin_start(n);
                }
            }
        }
    }

    /// Units `n` is ordered after that are still on their way up or down.
    /// A conflicting unit must be down first, too.
    fn start_blocked(&self, n: &str) -> bool {
        let me = &self.units[n].unit.deps;
        self.units.iter().any(|(o, rt)| {
            let ordered =
                (me.after.contains(o) || rt.unit.deps.before.iter().any(|b| b == n)) && !self.waits_for(o, n);
            let conflicting = me.conflicts.contains(o) || rt.unit.deps.conflicts.iter().any(|c| c == n);
            o != n
                && ((ordered
                    && (rt.pending_start || rt.sub.is_starting() || rt.sub.is_stopping() || rt.pending_stop))
                    || (conflicting && (rt.sub.is_stopping() || rt.pending_stop)))
        })
    }

    /// Units ordered after `n` must be down before `n` stops.
    fn stop_blocked(&self, n: &str) -> bool {
        let me = &self.units[n].unit.deps;
        self.units.iter().any(|(o, rt)| {
            o != n
                && (rt.unit.deps.after.iter().any(|a| a == n) || me.before.contains(o))
                && !self.waits_for(n, o)
                && (rt.pending_stop || rt.sub.is_stopping())
        })
    }

    /// A required unit that `n` is ordered after and that failed to come up (systemd fails a
    /// start for a dependency only with ordering; without it both start side by side).
    fn failed_requirement(&self, n: &str) -> Option<String> {
        let deps = &self.units[n].unit.deps;
        deps.requires
            .iter()
            .chain(&deps.binds_to)
            .find(|d| {
                self.ordered_after(n, d)
                    && self.units.get(*d).is_some_and(|rt| {
                        !rt.pending_start && (rt.sub == Sub::Failed || (rt.sub == Sub::Dead && !rt.start_ok))
                    })
            })
            .cloned()
    }

    /// Is `a` ordered after `b` (a After=b, or b Before=a)?
    fn ordered_after(&self, a: &str, b: &str) -> bool {
        self.units.get(a).is_some_and(|u| u.unit.deps.after.iter().any(|x| x == b))
            || self.units.get(b).is_some_and(|u| u.unit.deps.before.iter().any(|x| x == a))
    }

    /// Does `from` wait, directly or through others, for `to` to start? (Ordering cycles are
    /// broken by ignoring the edge that would close them, so nothing waits forever.)
    fn waits_for(&self, from: &str, to: &str) -> bool {
        let mut stack = vec![from.to_string()];
        let mut seen: Vec<String> = Vec::new();
        while let Some(u) = stack.pop() {
            if u == to {
                return true;
            }
            if seen.contains(&u) {
                continue;
            }
            for o in self.units.keys() {
                if *o != u && self.ordered_after(&u, o) {
                    stack.push(o.clone());
                }
            }
            seen.push(u);
        }
        false
    }

    fn timed_out(&mut self, n: &str) {
        let sub = self.units[n].sub;
        match sub {
            Sub::StartPre | Sub::Start | Sub::StartPost => {
                self.log(
                    n,
                    &format!(
                        "{} operation timed out. Terminating.",
                        if sub == Sub::StartPost { "start-post" } else { "Start" }
                    ),
                );
                self.set_result(n, "timeout");
                self.kill_control(n);
                self.enter(n, Sub::StopSigterm);
            }
            Sub::Stop => {
                self.log(n, "Stopping timed out. Terminating.");
                self.set_result(n, "timeout");
                self.kill_control(n);
                self.enter(n, Sub::StopSigterm);
            }
            Sub::StopSigterm | Sub::FinalSigterm => {
                let send_kill = self.units[n].service().send_sigkill;
                self.log(
                    n,
                    &format!(
                        "State '{}' timed out. {}",
                        sub.name(),
                        if send_kill { "Killing." } else { "Skipping SIGKILL." }
                    ),
                );
                self.set_result(n, "timeout");
                let next = match (sub, send_kill) {
                    (Sub::StopSigterm, true) => Sub::StopSigkill,
                    (Sub::StopSigterm, false) => Sub::StopPost,
                    (_, true) => Sub::FinalSigkill,
                    (_, false) => Sub::Cleanup,
                };
                self.enter(n, next);
            }
            Sub::StopSigkill => {
                self.log(n, "Processes still around after SIGKILL. Ignoring.");
                self.enter(n, Sub::StopPost);
            }
            Sub::FinalSigkill => {
                self.log(n, "Processes still around after final SIGKILL. Entering failed mode.");
                self.enter(n, Sub::Cleanup);
            }
            Sub::StopPost => {
                self.log(n, "stop-post operation timed out. Terminating.");
                self.kill_control(n);
                self.enter(n, Sub::FinalSigterm);
            }
            Sub::Reload => {
                self.log(n, "Reload operation timed out. Killing reload process.");
                self.kill_control(n);
                self.enter(n, self.after_reload(n));
                self.fail_jobs(n, &format!("Job for {n} failed: its reload timed out."));
            }
            _ => {}
        }
    }

    fn set_result(&mut self, n: &str, r: &'static str) {
        let rt = self.units.get_mut(n).unwrap();
        if rt.result == "success" {
            rt.result = r;
        }
    }

    // ----- starting -----

    fn begin_start(&mut self, n: &str) {
        let now = Instant::now();
        let rt = self.units.get_mut(n).unwrap();
        let interval = rt.unit.start_limit_interval;
        while rt.starts.front().is_some_and(|t| now.duration_since(*t) > interval) {
            rt.starts.pop_front();
        }
        if rt.unit.start_limit_burst > 0 && rt.starts.len() as u32 >= rt.unit.start_limit_burst {
            rt.result = "start-limit-hit";
            self.log(n, "Start request repeated too quickly.");
            self.log(n, &format!("Failed with result '{}'.", "start-limit-hit"));
            let desc = self.units[n].unit.description_or_name().to_string();
            self.log_plain(n, &format!("Failed to start {desc}."));
            self.enter(n, Sub::Failed);
            self.fail_jobs(n, &format!("Start request repeated too quickly for {n}."));
            return;
        }
        rt.starts.push_back(now);
        if let Some(next) = rt.next.take() {
            rt.container_names = container_names(&next);
            rt.unit = next;
        }
        rt.result = "success";
        rt.main_pid = None;
        rt.main_exit = None;
        rt.processes.clear();
        rt.stop_requested = false;
        rt.start_ok = false;
        rt.sessions.clear();
        rt.invocation = crate::os::host::random_hex(16);
        let desc = rt.unit.description_or_name().to_string();
        self.log_plain(n, &format!("Starting {desc}..."));
        if let Err((result, why)) = self.prepare(n) {
            self.log(n, &why);
            self.set_result(n, result);
            self.enter(n, Sub::Failed);
            self.log_plain(n, &format!("Failed to start {desc}."));
            self.fail_jobs(n, &format!("{n}: {why}"));
            return;
        }
        self.enter(n, Sub::StartPre);
    }

    /// Environment, credentials, working directory and cgroup for a new start.
    fn prepare(&mut self, n: &str) -> Result<(), (&'static str, String)> {
        let cgroup = self.cgroups.unit(n);
        let rt = self.units.get_mut(n).unwrap();
        let svc = rt.unit.service.as_ref().unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("PATH".into(), process::DEFAULT_PATH.into()),
            ("INVOCATION_ID".into(), rt.invocation.clone()),
        ];
        // So that `docker` in Exec lines talks to the engine the daemon talks to.
        if let Ok(h) = std::env::var("DOCKER_HOST") {
            env.push(("DOCKER_HOST".into(), h));
        }
        let creds = process::resolve_creds(svc.user.as_deref(), svc.group.as_deref())
            .map_err(|e| ("exit-code", e))?;
        if let Some(c) = &creds {
            if !c.name.is_empty() {
                env.push(("USER".into(), c.name.clone()));
                env.push(("LOGNAME".into(), c.name.clone()));
            }
            env.push(("HOME".into(), c.home.display().to_string()));
            env.push(("SHELL".into(), c.shell.display().to_string()));
        }
        env.extend(svc.environment.iter().cloned());
        for f in &svc.environment_files {
            match std::fs::read_to_string(&f.path) {
                Ok(text) => {
                    let vars = crate::unit::environment::parse_environment_file(&text).map_err(|e| {
                        ("resources", format!("Failed to load environment file {}: {e}", f.path))
                    })?;
                    env.extend(vars);
                }
                Err(_) if f.optional => {}
                Err(e) => {
                    return Err(("resources", format!("Failed to load environment files: {}: {e}", f.path)));
                }
            }
        }
        let cwd = match &svc.working_directory {
            None => PathBuf::from("/"),
            Some((d, optional)) => {
                let p = if d == "~" {
                    creds
                        .as_ref()
                        .map(|c| c.home.clone())
                        .unwrap_or_else(|| std::env::var("HOME").unwrap_or("/".into()).into())
                } else {
                    PathBuf::from(d)
                };
                if p.is_dir() {
                    p
                } else if *optional {
                    PathBuf::from("/")
                } else {
                    return Err((
                        "exit-code",
                        format!(
                            "Changing to the requested working directory failed: {}: No such file or directory",
                            p.display()
                        ),
                    ));
                }
            }
        };
        // Later assignments win, as in systemd.
        let mut dedup: Vec<(String, String)> = Vec::new();
        for (k, v) in env {
            dedup.retain(|(k2, _)| *k2 != k);
            dedup.push((k, v));
        }
        rt.env = dedup;
        rt.creds = creds;
        rt.cwd = cwd;
        rt.cgroup = cgroup;
        Ok(())
    }

    /// Enters a state: sets its deadline and starts what the state runs.
    fn enter(&mut self, n: &str, sub: Sub) {
        let rt = self.units.get_mut(n).unwrap();
        let old = rt.sub;
        rt.sub = sub;
        if old.active() != sub.active() {
            rt.since = crate::os::clock::now_micros();
        }
        let svc = rt.unit.service.as_ref().unwrap();
        let (start_to, stop_to) = (svc.timeout_start, svc.timeout_stop);
        rt.deadline = match sub {
            Sub::StartPre | Sub::Start | Sub::StartPost | Sub::Reload => start_to.and_then(after),
            Sub::Stop
            | Sub::StopSigterm
            | Sub::StopSigkill
            | Sub::StopPost
            | Sub::FinalSigterm
            | Sub::FinalSigkill => stop_to.and_then(after),
            // The cleanup thread's Docker calls each have a deadline; it always reports back.
            _ => None,
        };
        match sub {
            Sub::StartPre => self.run_list(n, List::StartPre),
            Sub::Start => self.start_main(n),
            Sub::StartPost => self.run_list(n, List::StartPost),
            Sub::Running | Sub::Exited => {
                let desc = self.units[n].unit.description_or_name().to_string();
                if old.is_starting() {
                    self.units.get_mut(n).unwrap().start_ok = true;
                    self.log_plain(n, &format!("Started {desc}."));
                    self.settle_jobs(n);
                }
                // A simple service whose main process already ended goes straight on to stop.
                let rt = &self.units[n];
                if sub == Sub::Running && rt.main_pid.is_none() && rt.main_exit.is_some() {
                    self.enter(n, Sub::Stop);
                }
            }
            Sub::Stop => self.run_list(n, List::Stop),
            Sub::StopSigterm | Sub::FinalSigterm => {
                let any = self.signal_unit(n, sub == Sub::FinalSigterm, false);
                if !any {
                    self.enter(n, if sub == Sub::StopSigterm { Sub::StopPost } else { Sub::Cleanup });
                }
            }
            Sub::StopSigkill | Sub::FinalSigkill => {
                let any = self.signal_unit(n, sub == Sub::FinalSigkill, true);
                if !any {
                    self.enter(n, if sub == Sub::StopSigkill { Sub::StopPost } else { Sub::Cleanup });
                }
            }
            Sub::StopPost => self.run_list(n, List::StopPost),
            Sub::Cleanup => self.cleanup_containers(n),
            Sub::Reload => self.run_list(n, List::Reload),
            Sub::Dead | Sub::Failed | Sub::AutoRestart => {}
        }
    }

    fn start_main(&mut self, n: &str) {
        let kind = self.units[n].service().kind;
        match kind {
            ServiceType::Oneshot | ServiceType::Forking => self.run_list(n, List::Start),
            ServiceType::Simple | ServiceType::Exec => {
                let cmd = self.units[n].service().exec_start[0].clone();
                match self.exec(n, &cmd, List::Start) {
                    Ok(pid) => {
                        self.units.get_mut(n).unwrap().main_pid = Some(pid);
                        self.enter(n, Sub::StartPost);
                    }
                    Err(exit) => {
                        self.units.get_mut(n).unwrap().main_exit = Some(exit);
                        self.record(n, -1, List::Start, &cmd, exit);
                        self.set_result(n, "exit-code");
                        self.enter(n, Sub::StopSigterm);
                    }
                }
            }
        }
    }

    /// Runs the Exec list of the current state from its next command; when the list is done,
    /// moves on.
    fn run_list(&mut self, n: &str, list: List) {
        let rt = self.units.get_mut(n).unwrap();
        let idx = match &rt.control {
            Some(c) if c.list == list => c.idx,
            _ => 0,
        };
        let cmds = list.of(rt.service()).to_vec();
        if idx >= cmds.len() {
            rt.control = None;
            self.list_done(n, list);
            return;
        }
        let cmd = cmds[idx].clone();
        let rt = self.units.get_mut(n).unwrap();
        rt.control = Some(Control { list, idx, pid: None });
        match self.exec(n, &cmd, list) {
            Ok(pid) => {
                let rt = self.units.get_mut(n).unwrap();
                if let Some(c) = rt.control.as_mut() {
                    c.pid = Some(pid);
                }
                if list == List::Start && rt.service().kind == ServiceType::Oneshot {
                    rt.main_pid = Some(pid);
                }
            }
            Err(exit) => self.control_exited(n, -1, exit),
        }
    }

    fn list_done(&mut self, n: &str, list: List) {
        match list {
            List::StartPre => self.enter(n, Sub::Start),
            List::Start => {
                let rt = self.units.get_mut(n).unwrap();
                if rt.service().kind == ServiceType::Forking {
                    let pid = self.guess_main_pid(n);
                    self.units.get_mut(n).unwrap().main_pid = pid;
                }
                self.enter(n, Sub::StartPost);
            }
            List::StartPost => {
                let rt = &self.units[n];
                let svc = rt.service();
                let next = match svc.kind {
                    ServiceType::Oneshot if svc.remain_after_exit => Sub::Exited,
                    ServiceType::Oneshot => {
                        // Done: a oneshot without RemainAfterExit goes down once it has run.
                        self.units.get_mut(n).unwrap().start_ok = true;
                        let desc = self.units[n].unit.description_or_name().to_string();
                        self.log_plain(n, &format!("Finished {desc}."));
                        Sub::Stop
                    }
                    _ if rt.main_pid.is_none() && rt.main_exit.is_some() && svc.remain_after_exit => {
                        Sub::Exited
                    }
                    _ => Sub::Running,
                };
                self.enter(n, next);
            }
            List::Stop => self.enter(n, Sub::StopSigterm),
            List::StopPost => self.enter(n, Sub::FinalSigterm),
            List::Reload => {
                self.enter(n, self.after_reload(n));
                let desc = self.units[n].unit.description_or_name().to_string();
                self.log_plain(n, &format!("Reloaded {desc}."));
                self.settle_jobs(n);
            }
        }
    }

    /// A reload returns to running, or to exited for a oneshot that remains.
    fn after_reload(&self, n: &str) -> Sub {
        if self.units[n].main_pid.is_some() || self.units[n].service().kind != ServiceType::Oneshot {
            Sub::Running
        } else {
            Sub::Exited
        }
    }

    fn request_reload(&mut self, name: &str, reply: Sender<Response>) {
        let Some(rt) = self.units.get_mut(name) else {
            let _ = reply.send(Response::err(code::NOT_FOUND, format!("Unit {name} not loaded.")));
            return;
        };
        if rt.service().exec_reload.is_empty() {
            let _ = reply.send(Response::err(
                code::UNIT_FAILED,
                format!("Job type reload is not applicable for unit {name}."),
            ));
            return;
        }
        if !matches!(rt.sub, Sub::Running | Sub::Exited) {
            let _ = reply.send(Response::err(
                code::UNIT_FAILED,
                format!("Unit {name} cannot be reloaded because it is not active."),
            ));
            return;
        }
        rt.jobs.push(Job { kind: JobKind::Reload, reply });
        let desc = rt.unit.description_or_name().to_string();
        self.log_plain(name, &format!("Reloading {desc}..."));
        self.enter(name, Sub::Reload);
    }

    /// For Type=forking: PIDFile if there is one, else the one process left in the unit.
    fn guess_main_pid(&self, n: &str) -> Option<i32> {
        let rt = &self.units[n];
        let pids = self.unit_pids(n, true);
        // A PID file is believed only for a live process of this unit (never a stranger).
        if let Some(f) = &rt.service().pid_file
            && let Ok(s) = std::fs::read_to_string(f)
            && let Ok(pid) = s.trim().parse::<i32>()
            && process::alive(pid)
            && (rt.cgroup.is_none() || pids.contains(&pid))
        {
            return Some(pid);
        }
        (pids.len() == 1).then(|| pids[0])
    }

    fn exec(&mut self, n: &str, cmd: &ExecCommand, list: List) -> Result<i32, Exit> {
        let rt = &self.units[n];
        let mut env = rt.env.clone();
        if let Some(pid) = rt.main_pid
            && matches!(list, List::StartPost | List::Reload | List::Stop)
        {
            env.push(("MAINPID".into(), pid.to_string()));
        }
        let argv = cmd.expand_env(&env);
        let Some(program) = process::resolve_path(&cmd.path, &env) else {
            self.log(n, &format!("Failed to locate executable {}: No such file or directory", cmd.path));
            return Err(Exit::Exited(process::EXIT_EXEC));
        };
        if argv.is_empty() {
            return Err(Exit::Exited(process::EXIT_EXEC));
        }
        let ident = argv[0].rsplit('/').next().unwrap_or(&argv[0]).to_string();
        let privileged = cmd.full_privileges || cmd.ambient;
        let spawned = process::spawn(process::Spawn {
            program: &program,
            argv: &argv,
            env: &env,
            cwd: &rt.cwd,
            creds: if privileged { None } else { rt.creds.as_ref() },
            cgroup: rt.cgroup.as_ref(),
            journal: rt.journal.clone(),
            ident,
        });
        match spawned {
            Ok(pid) => {
                self.units.get_mut(n).unwrap().sessions.push(pid);
                Ok(pid)
            }
            Err(e) => {
                self.log(n, &format!("Failed to execute {}: {e}", program.display()));
                Err(Exit::Exited(process::EXIT_EXEC))
            }
        }
    }

    fn record(&mut self, n: &str, pid: i32, list: List, cmd: &ExecCommand, exit: Exit) {
        let rt = self.units.get_mut(n).unwrap();
        rt.processes.push(ProcessLine {
            pid,
            kind: list.key().to_string(),
            command: cmd.text.clone(),
            exit,
            describe: exit.describe(),
        });
        // Keep status short: the last 32 finished processes.
        if rt.processes.len() > 32 {
            rt.processes.remove(0);
        }
    }

    // ----- children -----

    fn child_exited(&mut self, pid: i32, exit: Exit) {
        let owner = self.units.iter().find_map(|(n, rt)| {
            if rt.control.as_ref().and_then(|c| c.pid) == Some(pid) {
                Some((n.clone(), true))
            } else if rt.main_pid == Some(pid) {
                Some((n.clone(), false))
            } else {
                None
            }
        });
        match owner {
            Some((n, true)) => self.control_exited(&n, pid, exit),
            Some((n, false)) => self.main_exited(&n, exit),
            None => {} // an adopted orphan or an unknown pid: reaped, nothing to do
        }
    }

    fn control_exited(&mut self, n: &str, pid: i32, exit: Exit) {
        let rt = self.units.get_mut(n).unwrap();
        let Some(ctl) = rt.control.as_mut() else { return };
        let list = ctl.list;
        let idx = ctl.idx;
        ctl.pid = None;
        let Some(cmd) = list.of(rt.service()).get(idx).cloned() else { return };
        let oneshot_main = list == List::Start && rt.service().kind == ServiceType::Oneshot;
        if oneshot_main {
            rt.main_pid = None;
        }
        self.record(n, pid, list, &cmd, exit);
        let ok = self.is_success(n, exit, false) || cmd.ignore_failure;
        if !ok {
            self.log(n, &format!("Control process exited, {}", exit.describe()));
        }
        let rt = self.units.get_mut(n).unwrap();
        if ok {
            if let Some(c) = rt.control.as_mut() {
                c.idx += 1;
            }
            self.run_list(n, list);
            return;
        }
        rt.control = None;
        match list {
            List::StartPre | List::Start => {
                self.set_result(n, exit_result(exit));
                self.enter(n, Sub::StopSigterm);
            }
            List::StartPost => {
                self.set_result(n, exit_result(exit));
                self.enter(n, Sub::Stop);
            }
            List::Stop => self.enter(n, Sub::StopSigterm),
            List::StopPost => self.enter(n, Sub::FinalSigterm),
            List::Reload => {
                self.enter(n, self.after_reload(n));
                let rt = self.units.get_mut(n).unwrap();
                for j in std::mem::take(&mut rt.jobs) {
                    let _ = j.reply.send(Response::err(
                        code::UNIT_FAILED,
                        format!("Job for {n} failed: its reload command {}.", exit.describe()),
                    ));
                }
            }
        }
    }

    fn main_exited(&mut self, n: &str, exit: Exit) {
        let rt = self.units.get_mut(n).unwrap();
        rt.last_main_pid = rt.main_pid.take();
        rt.main_exit = Some(exit);
        let sub = rt.sub;
        let stopping = rt.stop_requested || sub.is_stopping();
        let success = self.is_success(n, exit, true);
        if !stopping && !success {
            self.log(n, &format!("Main process exited, {}", exit.describe()));
            self.set_result(n, exit_result(exit));
        }
        match sub {
            Sub::Running => {
                let remain = self.units[n].service().remain_after_exit;
                if remain && success {
                    self.enter(n, Sub::Exited);
                } else {
                    self.enter(n, Sub::Stop);
                }
            }
            // The start-post commands go on; `enter(Running)` notices the exit afterwards.
            Sub::StartPost if !success => {
                self.kill_control(n);
                self.enter(n, Sub::Stop);
            }
            _ => {}
        }
    }

    /// Is `exit` a success for this unit? Main processes also count SIGHUP, SIGINT, SIGTERM
    /// and SIGPIPE as clean, as systemd does.
    fn is_success(&self, n: &str, exit: Exit, main: bool) -> bool {
        let svc = self.units[n].service();
        if main && svc.exec_start.first().is_some_and(|c| c.ignore_failure) {
            return true;
        }
        match exit {
            Exit::Exited(0) => true,
            Exit::Exited(c) => svc.success_exit_status.contains(&c),
            Exit::Killed(s) => {
                svc.success_signals.contains(&s)
                    || (main
                        && svc.kind != ServiceType::Oneshot
                        && [libc::SIGHUP, libc::SIGINT, libc::SIGTERM, libc::SIGPIPE].contains(&s))
            }
            Exit::Dumped(_) => false,
        }
    }

    // ----- stopping -----

    fn begin_stop(&mut self, n: &str) {
        let rt = self.units.get_mut(n).unwrap();
        rt.stop_requested = true;
        let sub = rt.sub;
        let desc = rt.unit.description_or_name().to_string();
        match sub {
            Sub::Running | Sub::Exited | Sub::Reload => {
                self.log_plain(n, &format!("Stopping {desc}..."));
                self.kill_control(n);
                self.enter(n, Sub::Stop);
            }
            Sub::StartPre | Sub::Start | Sub::StartPost => {
                self.log_plain(n, &format!("Stopping {desc}..."));
                self.kill_control(n);
                self.enter(n, Sub::StopSigterm);
            }
            Sub::AutoRestart => {
                let rt = self.units.get_mut(n).unwrap();
                rt.restart_at = None;
                let unload = rt.unload_after;
                self.enter(n, Sub::Dead);
                self.settle_jobs(n);
                if unload {
                    self.remove_unit(n);
                }
            }
            _ => {} // already going down
        }
    }

    fn kill_control(&mut self, n: &str) {
        let rt = self.units.get_mut(n).unwrap();
        if let Some(c) = rt.control.take()
            && let Some(pid) = c.pid
        {
            // Its process group too: it is a session leader.
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }

    /// The unit's live processes: all of them, or (for KillMode=process) the main one.
    fn unit_pids(&self, n: &str, all: bool) -> Vec<i32> {
        let rt = &self.units[n];
        let mut pids: Vec<i32> = Vec::new();
        if let Some(cg) = &rt.cgroup {
            pids = cg.pids();
        } else {
            // Each Exec process led a session (and group) of its own; the kernel does not reuse
            // a PID while a group of that ID exists, so a live group is still the unit's.
            for &s in &rt.sessions {
                if process::group_alive(s) && process::alive(s) {
                    pids.push(s);
                }
            }
            if !rt.invocation.is_empty() {
                for p in process::pids_with_invocation(&rt.invocation) {
                    if !pids.contains(&p) {
                        pids.push(p);
                    }
                }
            }
        }
        if !all {
            pids.retain(|p| Some(*p) == rt.main_pid || rt.control.as_ref().and_then(|c| c.pid) == Some(*p));
            if let Some(m) = rt.main_pid
                && !pids.contains(&m)
                && process::alive(m)
            {
                pids.push(m);
            }
        }
        pids
    }

    fn has_processes(&self, n: &str, final_phase: bool) -> bool {
        let mode = self.units[n].service().kill_mode;
        let all = match mode {
            KillMode::ControlGroup => true,
            KillMode::Mixed => final_phase,
            KillMode::Process | KillMode::None => false,
        };
        let rt = &self.units[n];
        !self.unit_pids(n, all || final_phase && mode != KillMode::None).is_empty()
            || rt.main_pid.is_some()
            || rt.control.as_ref().and_then(|c| c.pid).is_some()
    }

    /// Sends the stop signal (or SIGKILL) per KillMode; false when there was nothing to signal.
    fn signal_unit(&mut self, n: &str, final_phase: bool, sigkill: bool) -> bool {
        let svc = self.units[n].service();
        let mode = svc.kill_mode;
        // KillSignal= takes only signals nix knows; SIGTERM should one ever be missing.
        let sig = if sigkill {
            Signal::SIGKILL
        } else {
            Signal::try_from(svc.kill_signal).unwrap_or(Signal::SIGTERM)
        };
        if mode == KillMode::None {
            return false;
        }
        let all = mode == KillMode::ControlGroup || (mode == KillMode::Mixed && (sigkill || final_phase));
        let rt = &self.units[n];
        let mut targets = self.unit_pids(n, all);
        if mode == KillMode::Mixed && !sigkill && !final_phase {
            targets = rt.main_pid.into_iter().collect();
        }
        if targets.is_empty() && rt.main_pid.is_none() {
            return false;
        }
        if all && let Some(cg) = &rt.cgroup {
            cg.kill(sig);
        } else {
            for p in &targets {
                let _ = kill(Pid::from_raw(*p), sig);
            }
            if all {
                for s in &rt.sessions {
                    if process::group_alive(*s) {
                        let _ = killpg(Pid::from_raw(*s), sig);
                    }
                }
            }
        }
        if sig != Signal::SIGKILL {
            for p in &targets {
                let _ = kill(Pid::from_raw(*p), Signal::SIGCONT);
            }
        }
        true
    }

    fn cleanup_containers(&mut self, n: &str) {
        let rt = self.units.get_mut(n).unwrap();
        let names = rt.container_names.clone();
        rt.cleanup_gen += 1;
        let generation = rt.cleanup_gen;
        let grace = rt.service().timeout_stop.unwrap_or(Duration::from_secs(10)).min(Duration::from_secs(10));
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        let unit = n.to_string();
        let journal = rt.journal.clone();
        let pid = self.daemon_pid;
        std::thread::spawn(move || {
            // Named containers, and any container labelled with this unit.
            let mut targets = names;
            if let Ok(all) = docker.all() {
                for c in all {
                    if c.unit_label.as_deref() == Some(unit.as_str()) && !targets.contains(&c.name) {
                        targets.push(c.name);
                    }
                }
            } else if targets.is_empty() {
                let _ = tx.send(Event::Cleaned(unit, generation));
                return;
            }
            for name in targets {
                match docker.remove(&name, grace) {
                    Ok(true) => journal.append(
                        pid,
                        "unit-run",
                        "unit-run",
                        &format!("{unit}: Removed container {name} left behind by the unit."),
                    ),
                    Ok(false) => {}
                    Err(e) => journal.append(pid, "unit-run", "unit-run", &format!("{unit}: {e}")),
                }
            }
            let _ = tx.send(Event::Cleaned(unit, generation));
        });
    }

    /// The end of a stop: dead, failed, or auto-restart.
    fn finish(&mut self, n: &str) {
        let rt = self.units.get_mut(n).unwrap();
        rt.deadline = None;
        rt.control = None;
        if let Some(cg) = &rt.cgroup {
            cg.remove();
        }
        let result = rt.result;
        let desc = rt.unit.description_or_name().to_string();
        let svc = rt.unit.service.as_ref().unwrap();
        let restart =
            !rt.stop_requested && !self.shutting_down && should_restart(svc.restart, result, rt.main_exit);
        let restart_sec = svc.restart_sec;
        let stop_requested = rt.stop_requested;
        if restart {
            if result == "success" {
                self.log(n, "Deactivated successfully.");
            } else {
                self.log(n, &format!("Failed with result '{result}'."));
            }
            let rt = self.units.get_mut(n).unwrap();
            // RestartSec=infinity: never.
            rt.restart_at = after(restart_sec);
            self.enter(n, Sub::AutoRestart);
            self.fail_jobs_if_starting(n, result);
            return;
        }
        if result == "success" {
            if stop_requested {
                self.log_plain(n, &format!("Stopped {desc}."));
            } else {
                self.log(n, "Deactivated successfully.");
            }
            self.enter(n, Sub::Dead);
        } else {
            self.log(n, &format!("Failed with result '{result}'."));
            if !stop_requested && !self.units[n].start_ok {
                self.log_plain(n, &format!("Failed to start {desc}."));
            } else if stop_requested {
                self.log_plain(n, &format!("Stopped {desc}."));
            }
            self.enter(n, Sub::Failed);
        }
        self.settle_jobs(n);
        // Units bound to this one go down with it.
        let bound: Vec<String> = self
            .units
            .iter()
            .filter(|(_, rt)| rt.unit.deps.binds_to.iter().any(|b| b == n) && !rt.sub.is_down())
            .map(|(k, _)| k.clone())
            .collect();
        for b in bound {
            let (tx, _rx) = std::sync::mpsc::channel();
            self.request_stop(&b, tx, JobKind::Stop);
        }
        let rt = self.units.get_mut(n).unwrap();
        if rt.then_start && !self.shutting_down {
            rt.then_start = false;
            rt.pending_start = true;
            rt.starts.clear();
        }
        if rt.unload_after {
            self.remove_unit(n);
        }
        self.save_desired();
    }

    fn fail_jobs_if_starting(&mut self, n: &str, result: &str) {
        let rt = self.units.get_mut(n).unwrap();
        if rt.start_ok {
            return;
        }
        let (start, rest): (Vec<Job>, Vec<Job>) =
            std::mem::take(&mut rt.jobs).into_iter().partition(|j| matches!(j.kind, JobKind::Start));
        rt.jobs = rest;
        for j in start {
            let _ = j.reply.send(failed_response(n, result));
        }
    }

    fn fail_jobs(&mut self, n: &str, msg: &str) {
        let rt = self.units.get_mut(n).unwrap();
        for j in std::mem::take(&mut rt.jobs) {
            let _ = j.reply.send(Response::err(code::UNIT_FAILED, msg.to_string()));
        }
    }

    /// Answers the jobs the unit's new state completes.
    fn settle_jobs(&mut self, n: &str) {
        let rt = self.units.get_mut(n).unwrap();
        let sub = rt.sub;
        let start_ok = rt.start_ok;
        let result = rt.result;
        let then_start = rt.then_start;
        let unload = rt.unload_after;
        let mut keep = Vec::new();
        for j in std::mem::take(&mut rt.jobs) {
            let state = json!({ "unit": n, "active": sub.active(), "sub": sub.name(), "result": result });
            match j.kind {
                JobKind::Start if sub.is_up() || (start_ok && !then_start) => {
                    let _ = j.reply.send(Response::ok(state));
                }
                JobKind::Start if sub.is_down() && !then_start && !rt.pending_start => {
                    let _ = j.reply.send(failed_response(n, result));
                }
                JobKind::Reload if sub != Sub::Reload => {
                    let _ = j.reply.send(Response::ok(state));
                }
                JobKind::Stop if sub.is_down() => {
                    let _ = j.reply.send(Response::ok(state));
                }
                JobKind::Unload if sub.is_down() && unload => {
                    let _ = j.reply.send(Response::ok(json!({ "unit": n, "loaded": false })));
                }
                _ => keep.push(j),
            }
        }
        rt.jobs = keep;
    }

    // ----- status -----

    fn status(&self, n: &str) -> Option<UnitStatus> {
        let rt = self.units.get(n)?;
        let live = if rt.sub.is_down() { Vec::new() } else { self.unit_pids(n, true) };
        let mut cgroup_processes: Vec<(i32, String)> =
            live.iter().filter_map(|p| process::cmdline(*p).map(|c| (*p, c))).collect();
        cgroup_processes.sort();
        let cg = rt.cgroup.as_ref().filter(|_| !rt.sub.is_down());
        Some(UnitStatus {
            name: n.to_string(),
            description: rt.unit.description_or_name().to_string(),
            load_state: "loaded".into(),
            path: rt.file.display().to_string(),
            active_state: rt.sub.active().into(),
            sub_state: rt.sub.name().into(),
            result: rt.result.into(),
            since: rt.since,
            main_pid: rt.main_pid,
            main_comm: rt.main_pid.and_then(process::comm),
            main_exit: rt.main_exit.map(|e| e.describe()),
            last_main_pid: rt.last_main_pid,
            processes: rt.processes.clone(),
            tasks: cg.and_then(|c| c.tasks()),
            memory_bytes: cg.and_then(|c| c.memory_bytes()),
            cpu_usec: cg.and_then(|c| c.cpu_usec()),
            cgroup: cg.map(|c| c.relative.clone()),
            cgroup_processes,
            container_names: rt.container_names.clone(),
            containers: Vec::new(),
            docker_error: None,
            restarts: rt.restarts,
            hostname: self.hostname.clone(),
            warnings: rt.unit.warnings.iter().map(|w| w.to_string()).collect(),
        })
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

fn split_reply(reply: Sender<Response>, no_block: bool) -> (Sender<Response>, Option<Sender<Response>>) {
    if no_block {
        let (tx, _rx) = std::sync::mpsc::channel();
        (tx, Some(reply))
    } else {
        (reply, None)
    }
}

fn failed_response(n: &str, result: &str) -> Response {
    let why = match result {
        "exit-code" => "the control process exited with error code",
        "signal" | "core-dump" => "a fatal signal was delivered to the control process",
        "timeout" => "a timeout was exceeded",
        "start-limit-hit" => "the start was requested too often",
        "dependency" => "a dependency failed",
        "resources" => "of a resource problem (environment file, working directory)",
        _ => "the unit failed",
    };
    Response::err(
        code::UNIT_FAILED,
        format!(
            "Job for {n} failed because {why}.\nSee \"unit-run status {n}\" and \"unit-run journal {n}\" for details."
        ),
    )
}

fn exit_result(exit: Exit) -> &'static str {
    match exit {
        Exit::Exited(_) => "exit-code",
        Exit::Killed(_) => "signal",
        Exit::Dumped(_) => "core-dump",
    }
}

/// systemd's Restart= table.
fn should_restart(policy: RestartPolicy, result: &str, exit: Option<Exit>) -> bool {
    let unclean_signal = matches!(exit, Some(Exit::Killed(_)) | Some(Exit::Dumped(_))) && result != "success";
    match policy {
        RestartPolicy::No => false,
        RestartPolicy::Always => result != "start-limit-hit" && result != "dependency",
        RestartPolicy::OnSuccess => result == "success",
        RestartPolicy::OnFailure => !matches!(result, "success" | "start-limit-hit" | "dependency"),
        RestartPolicy::OnAbnormal => {
            matches!(result, "signal" | "core-dump" | "timeout" | "watchdog") || unclean_signal
        }
        RestartPolicy::OnAbort => matches!(result, "signal" | "core-dump") || unclean_signal,
        RestartPolicy::OnWatchdog => result == "watchdog",
    }
}

/// Container names the unit's Exec lines give (`docker run --name X`).
fn container_names(unit: &Unit) -> Vec<String> {
    let Some(s) = &unit.service else { return Vec::new() };
    let mut out = Vec::new();
    for c in s.exec_start_pre.iter().chain(&s.exec_start).chain(&s.exec_start_post) {
        let mut argv = c.argv.clone();
        if let Some(first) = argv.first_mut() {
            *first = c.path.clone();
        }
        for n in docker::names_in_argv(&argv) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}
