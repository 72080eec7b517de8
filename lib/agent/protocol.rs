//! What is asked of the agent and what it answers, in-process ([`super::Handle`]) and over the
//! control socket (`RUN_DIR/unit-run.sock`, mode 0600): one JSON [`Request`] line per
//! connection, one JSON [`Reply`] line back. The journal is not asked for: it is read from
//! the files (see [`super::journal`]).
//!
//! On the wire a request is tagged by `op` (`{"op":"start","name":"a.service","no_block":false}`)
//! and a reply by `reply`, its fields under `data`
//! (`{"reply":"state","data":{"unit":"a.service","active":"active","sub":"running"}}`,
//! `{"reply":"error","data":{"kind":"not-found","message":"Unit b.service not found."}}`).

use serde::{Deserialize, Serialize};

use super::docker::Container;
use super::error::{Error, ErrorKind, Result};
use super::machine::Machine;
use super::process::Exit;
use super::supervisor::{ActiveState, LoadState, Sub, UnitResult};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    /// Load (or replace) a unit file. `file` names it in error messages.
    Load {
        name: String,
        file: String,
        text: String,
    },
    /// Stop the unit if it runs, then forget it.
    Unload {
        name: String,
    },
    /// Start a loaded unit (an instance of a loaded template is made on the fly). Unless
    /// `no_block`, the answer comes when the unit is active, or has failed.
    Start {
        name: String,
        no_block: bool,
    },
    Stop {
        name: String,
        no_block: bool,
    },
    Restart {
        name: String,
        no_block: bool,
    },
    /// Run the unit's ExecReload lines (with $MAINPID); answered when they are done.
    Reload {
        name: String,
    },
    Status {
        name: String,
    },
    List,
    Machine,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "reply", content = "data", rename_all = "kebab-case")]
pub enum Reply {
    /// To Load.
    Loaded(Loaded),
    /// To Unload.
    Unloaded {
        unit: String,
    },
    /// To a blocking Start/Stop/Restart, and to Reload: the unit's state once the job is done.
    State(UnitState),
    /// To a Start/Stop/Restart with `no_block`: the job is queued.
    Queued {
        unit: String,
        job: JobType,
    },
    Status(Box<UnitStatus>),
    List(Vec<ListEntry>),
    Machine(Machine),
    Error {
        kind: ErrorKind,
        message: String,
    },
}

impl From<Error> for Reply {
    fn from(e: Error) -> Reply {
        Reply::Error { kind: e.kind(), message: e.message().to_string() }
    }
}

impl Reply {
    /// An error reply as the error it carries.
    pub fn into_result(self) -> Result<Reply> {
        match self {
            Reply::Error { kind, message } => Err(Error::new(kind, message)),
            r => Ok(r),
        }
    }

    /// The reply's name on the wire (for "unexpected reply" errors).
    pub fn name(&self) -> &'static str {
        match self {
            Reply::Loaded(_) => "loaded",
            Reply::Unloaded { .. } => "unloaded",
            Reply::State(_) => "state",
            Reply::Queued { .. } => "queued",
            Reply::Status(_) => "status",
            Reply::List(_) => "list",
            Reply::Machine(_) => "machine",
            Reply::Error { .. } => "error",
        }
    }
}

/// A unit file was loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    pub unit: String,
    /// A template (`name@.service`), kept for its instances.
    #[serde(default)]
    pub template: bool,
    /// Warnings to show (unknown keys in the unit file…), in systemd's words.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A unit's state after a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitState {
    pub unit: String,
    pub active: ActiveState,
    pub sub: Sub,
    /// The unit's result when the job ran; absent when the unit already was where the job
    /// would take it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<UnitResult>,
}

/// The kind of a queued job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobType {
    Start,
    Stop,
    Restart,
}

impl JobType {
    pub fn name(self) -> &'static str {
        match self {
            JobType::Start => "start",
            JobType::Stop => "stop",
            JobType::Restart => "restart",
        }
    }
}

/// How a start, stop or restart ended (see [`super::Handle::start`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// The job is done: the unit's state now.
    Done(UnitState),
    /// Not waited for: the job is queued.
    Queued { unit: String, job: JobType },
}

/// A unit's state changed, or it was loaded or unloaded (see [`super::Handle::subscribe`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEvent {
    pub unit: String,
    pub load: LoadState,
    pub active: ActiveState,
    pub sub: Sub,
    pub result: UnitResult,
    /// The SHA-1 of the unit file last loaded (None once unloaded).
    pub hash: Option<String>,
}

/// One finished process of a unit, for status's `Process:` lines.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProcessLine {
    pub pid: i32,
    /// ExecStartPre, ExecStart, ExecStartPost, ExecReload, ExecStop, ExecStopPost.
    pub kind: String,
    /// The Exec line as written (`-/usr/bin/docker kill croc_service`).
    pub command: String,
    pub exit: Exit,
    /// `code=exited, status=0/SUCCESS`.
    pub describe: String,
}

/// What `unit-run status` shows for a unit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitStatus {
    pub name: String,
    pub description: String,
    pub load_state: LoadState,
    pub path: String,
    pub active_state: ActiveState,
    pub sub_state: Sub,
    pub result: UnitResult,
    /// When the unit entered its current active state (µs since the epoch).
    pub since: u64,
    pub main_pid: Option<i32>,
    pub main_comm: Option<String>,
    /// How the last main process ended (`code=exited, status=0/SUCCESS`), once it has.
    pub main_exit: Option<String>,
    #[serde(default)]
    pub last_main_pid: Option<i32>,
    pub processes: Vec<ProcessLine>,
    pub tasks: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub cpu_usec: Option<u64>,
    pub cgroup: Option<String>,
    /// Live processes of the unit: (pid, command line).
    pub cgroup_processes: Vec<(i32, String)>,
    /// Names of the containers the unit's Exec lines create.
    pub container_names: Vec<String>,
    pub containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_error: Option<String>,
    pub restarts: u32,
    pub hostname: String,
    pub warnings: Vec<String>,
}

/// One line of `unit-run list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    pub unit: String,
    pub load: LoadState,
    pub active: ActiveState,
    pub sub: Sub,
    pub description: String,
    pub main_pid: Option<i32>,
    /// The SHA-1 of the unit file last loaded (what [`super::reconcile`] compares).
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_on_the_wire() {
        let r = Request::Start { name: "a.service".into(), no_block: true };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(s, r#"{"op":"start","name":"a.service","no_block":true}"#);
        assert_eq!(serde_json::from_str::<Request>(&s).unwrap(), r);
        assert_eq!(serde_json::to_string(&Request::List).unwrap(), r#"{"op":"list"}"#);

        let st = Reply::State(UnitState {
            unit: "a.service".into(),
            active: ActiveState::Active,
            sub: Sub::Running,
            result: None,
        });
        assert_eq!(
            serde_json::to_string(&st).unwrap(),
            r#"{"reply":"state","data":{"unit":"a.service","active":"active","sub":"running"}}"#
        );
        let e = Reply::from(Error::NotFound("Unit b.service not found.".into()));
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(
            s,
            r#"{"reply":"error","data":{"kind":"not-found","message":"Unit b.service not found."}}"#
        );
        let back: Reply = serde_json::from_str(&s).unwrap();
        assert_eq!(back.into_result().unwrap_err(), Error::NotFound("Unit b.service not found.".into()));
        let q: Reply =
            serde_json::from_str(r#"{"reply":"queued","data":{"unit":"a","job":"restart"}}"#).unwrap();
        assert!(matches!(q, Reply::Queued { job: JobType::Restart, .. }));
    }
}
