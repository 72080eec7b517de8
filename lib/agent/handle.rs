//! The agent's front door: a [`Handle`] loads, starts, stops… units and reads their status and
//! journal, with typed answers and [`Error`]s. Two kinds, one API:
//!
//! - [`Handle::connect`]: over the control socket of a daemon running elsewhere (what the
//!   `unit-run` commands use);
//! - [`crate::agent::Daemon::handle`]: in the daemon's own process, straight to its supervisor
//!   thread, no socket round trip (what components living in the daemon use). Only this kind
//!   can [`Handle::subscribe`] to state changes.
//!
//! The journal is read from the run dir's files either way.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use super::docker::Docker;
use super::error::{Error, Result};
use super::journal::{self, Record};
use super::machine::{self, Machine};
use super::protocol::{JobOutcome, ListEntry, Loaded, Reply, Request, UnitEvent, UnitState, UnitStatus};
use super::supervisor::Event;
use super::{RunDir, client};

/// A way to drive one daemon. Cheap to clone; usable from any thread.
#[derive(Clone, Debug)]
pub struct Handle {
    run: RunDir,
    via: Via,
}

#[derive(Clone, Debug)]
enum Via {
    Socket(PathBuf),
    Local(Local),
}

/// How requests reach a daemon's supervisor from inside its process (the socket server uses
/// it too): status gets its containers and machine is answered here, outside the supervisor
/// thread, so that a slow Docker engine never holds up units.
#[derive(Clone)]
pub(crate) struct Local {
    tx: Sender<Event>,
    docker: Arc<Docker>,
    machine_id: String,
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Local").field("machine_id", &self.machine_id).finish_non_exhaustive()
    }
}

impl Local {
    pub fn new(tx: Sender<Event>, docker: Arc<Docker>, machine_id: String) -> Local {
        Local { tx, docker, machine_id }
    }

    pub fn ask(&self, req: Request) -> Reply {
        if let Request::Machine = req {
            return Reply::Machine(machine::facts(&self.machine_id, &self.docker));
        }
        let (rtx, rrx) = mpsc::channel();
        if self.tx.send(Event::Request(req, rtx)).is_err() {
            return Error::Unavailable("the daemon is exiting".into()).into();
        }
        match rrx.recv() {
            Ok(Reply::Status(mut st)) => {
                match self.docker.of_unit(&st.name, &st.container_names) {
                    Ok(cs) => st.containers = cs,
                    Err(e) if !st.container_names.is_empty() => st.docker_error = Some(e),
                    Err(_) => {}
                }
                Reply::Status(st)
            }
            Ok(r) => r,
            Err(_) => Error::Internal("the daemon dropped the request".into()).into(),
        }
    }

    pub fn subscribe(&self) -> Result<Receiver<UnitEvent>> {
        let (tx, rx) = mpsc::channel();
        self.tx.send(Event::Subscribe(tx)).map_err(|_| Error::Unavailable("the daemon is exiting".into()))?;
        Ok(rx)
    }
}

impl Handle {
    /// A handle on the daemon whose run dir is `run_dir`, over its control socket. Nothing is
    /// checked yet: each request connects anew, and fails with [`Error::Unavailable`] when no
    /// daemon answers.
    pub fn connect(run_dir: impl Into<PathBuf>) -> Handle {
        let run = RunDir::new(run_dir);
        Handle { via: Via::Socket(run.socket()), run }
    }

    pub(crate) fn local(run: RunDir, local: Local) -> Handle {
        Handle { run, via: Via::Local(local) }
    }

    pub fn run_dir(&self) -> &RunDir {
        &self.run
    }

    /// Sends one request; an error reply is an `Err`.
    pub fn ask(&self, req: Request) -> Result<Reply> {
        match &self.via {
            Via::Socket(sock) => client::ask(sock, &req)?,
            Via::Local(l) => l.ask(req),
        }
        .into_result()
    }

    /// Loads (or replaces) unit `name` from `text`; `file` names it in error messages. A
    /// template (`name@.service`) is kept for its instances. A unit that runs keeps its old
    /// definition until its next start.
    pub fn load(&self, name: &str, file: &str, text: &str) -> Result<Loaded> {
        match self.ask(Request::Load { name: name.into(), file: file.into(), text: text.into() })? {
            Reply::Loaded(l) => Ok(l),
            r => Err(unexpected("loaded", &r)),
        }
    }

    /// Stops the unit if it runs (waiting for that), then forgets it.
    pub fn unload(&self, name: &str) -> Result<()> {
        match self.ask(Request::Unload { name: name.into() })? {
            Reply::Unloaded { .. } => Ok(()),
            r => Err(unexpected("unloaded", &r)),
        }
    }

    /// Starts a loaded unit (or an instance of a loaded template), with what it requires.
    /// With `block`, answers once it is up — [`Error::UnitFailed`] if it failed; else at once.
    pub fn start(&self, name: &str, block: bool) -> Result<JobOutcome> {
        self.job(Request::Start { name: name.into(), no_block: !block })
    }

    /// Stops a unit and the units that require it. With `block`, answers once it is down.
    pub fn stop(&self, name: &str, block: bool) -> Result<JobOutcome> {
        self.job(Request::Stop { name: name.into(), no_block: !block })
    }

    /// Stops the unit if it runs, then starts it (and again the units that require it).
    pub fn restart(&self, name: &str, block: bool) -> Result<JobOutcome> {
        self.job(Request::Restart { name: name.into(), no_block: !block })
    }

    /// Runs the unit's ExecReload lines; answers when they are done.
    pub fn reload(&self, name: &str) -> Result<UnitState> {
        match self.ask(Request::Reload { name: name.into() })? {
            Reply::State(s) => Ok(s),
            r => Err(unexpected("state", &r)),
        }
    }

    fn job(&self, req: Request) -> Result<JobOutcome> {
        match self.ask(req)? {
            Reply::State(s) => Ok(JobOutcome::Done(s)),
            Reply::Queued { unit, job } => Ok(JobOutcome::Queued { unit, job }),
            r => Err(unexpected("state", &r)),
        }
    }

    /// The unit's state, processes, resources and containers.
    pub fn status(&self, name: &str) -> Result<UnitStatus> {
        match self.ask(Request::Status { name: name.into() })? {
            Reply::Status(s) => Ok(*s),
            r => Err(unexpected("status", &r)),
        }
    }

    /// Every loaded unit, by name.
    pub fn list(&self) -> Result<Vec<ListEntry>> {
        match self.ask(Request::List)? {
            Reply::List(l) => Ok(l),
            r => Err(unexpected("list", &r)),
        }
    }

    /// This machine's ID, hostname, addresses and Docker engine.
    pub fn machine(&self) -> Result<Machine> {
        match self.ask(Request::Machine)? {
            Reply::Machine(m) => Ok(m),
            r => Err(unexpected("machine", &r)),
        }
    }

    /// The unit's last `lines` journal records (all with `None`), oldest first, read from the
    /// run dir (the daemon need not run). [`Error::NotFound`] when the unit has no journal.
    pub fn journal(&self, name: &str, lines: Option<usize>) -> Result<Vec<Record>> {
        check_name(name)?;
        let dir = self.run.journal();
        if !journal::path(&dir, name).exists() {
            return Err(Error::NotFound(format!("no journal for {name} in {}", dir.display())));
        }
        journal::tail(&dir, name, lines.unwrap_or(usize::MAX))
            .map_err(|e| Error::Internal(format!("reading the journal of {name}: {e}")))
    }

    /// Calls `each` with every record the unit's journal gets from now on, until it returns
    /// false (a journal that does not exist yet is waited for).
    pub fn follow_journal(&self, name: &str, each: impl FnMut(Record) -> bool) -> Result<()> {
        check_name(name)?;
        journal::follow(&self.run.journal(), name, each)
            .map_err(|e| Error::Internal(format!("following the journal of {name}: {e}")))
    }

    /// State changes from now on: an event whenever a unit is loaded (or replaced), changes
    /// its active or sub-state, or is unloaded — first one per unit loaded now, with its
    /// current state. Events queue without bound until read; dropping the receiver ends the
    /// subscription. Only in-process (a handle from [`crate::agent::Daemon::handle`]); over
    /// the socket it is [`Error::Unavailable`].
    pub fn subscribe(&self) -> Result<Receiver<UnitEvent>> {
        match &self.via {
            Via::Local(l) => l.subscribe(),
            Via::Socket(_) => Err(Error::Unavailable(
                "state-change events are delivered only in the daemon's process".into(),
            )),
        }
    }
}

fn check_name(name: &str) -> Result<()> {
    crate::unit::name::check_name(name)
        .map_err(|e| Error::BadInput(format!("invalid unit name \"{name}\": {e}")))
}

fn unexpected(wanted: &str, got: &Reply) -> Error {
    Error::Internal(format!("the daemon's answer is not understood: a {} reply, not {wanted}", got.name()))
}
