//! What the `unit-run` commands and the daemon say to each other over the control socket
//! (`RUN_DIR/unit-run.sock`, mode 0600): one JSON request per connection, one JSON response
//! line back (`journal -f` reads the journal files instead). The same requests are the seam the
//! scheduler will use to hand a machine its units.

use serde::{Deserialize, Serialize};

use super::docker::Container;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    /// Load (or replace) a unit file. `file` names it in error messages.
    Load {
        name: String,
        file: String,
        text: String,
    },
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

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Response {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The exit status the command should end with (see `unit-run(1)`).
    #[serde(default)]
    pub code: i32,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub data: serde_json::Value,
    /// Warnings to show (unknown keys in a unit file…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Response {
    pub fn ok(data: serde_json::Value) -> Response {
        Response { ok: true, data, ..Default::default() }
    }
    pub fn err(code: i32, msg: impl Into<String>) -> Response {
        Response { ok: false, error: Some(msg.into()), code, ..Default::default() }
    }
}

/// Exit statuses of the `unit-run` commands.
pub mod code {
    pub const OK: i32 = 0;
    /// No such unit (not loaded).
    pub const NOT_FOUND: i32 = 1;
    /// Bad unit file, bad name, bad flags.
    pub const BAD_INPUT: i32 = 2;
    /// The daemon can't be reached, or an internal error.
    pub const FAILURE: i32 = 3;
    /// The unit's start (or stop) job failed: the unit is failed.
    pub const UNIT_FAILED: i32 = 4;
}

/// One finished process of a unit, for status's `Process:` lines.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProcessLine {
    pub pid: i32,
    /// ExecStartPre, ExecStart, ExecStartPost, ExecReload, ExecStop, ExecStopPost.
    pub kind: String,
    /// The Exec line as written (`-/usr/bin/docker kill croc_service`).
    pub command: String,
    pub exit: super::process::Exit,
    /// `code=exited, status=0/SUCCESS`.
    pub describe: String,
}

/// What `unit-run status` shows for a unit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitStatus {
    pub name: String,
    pub description: String,
    pub load_state: String,
    pub path: String,
    pub active_state: String,
    pub sub_state: String,
    /// The unit's result: success, exit-code, signal, core-dump, timeout, start-limit-hit,
    /// resources, dependency.
    pub result: String,
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListEntry {
    pub unit: String,
    pub load: String,
    pub active: String,
    pub sub: String,
    pub description: String,
    pub main_pid: Option<i32>,
}
