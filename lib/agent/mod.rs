//! The node agent behind `unit-run`: a daemon that supervises systemd units on one machine
//! without systemd, and the control socket its commands talk through.
//!
//! | module | concern |
//! |---|---|
//! | [`daemon`] | startup, the control socket, shutdown |
//! | [`supervisor`] | each unit's states, Exec sequences, stop, restart, dependencies |
//! | [`process`] | starting one Exec line: session, cgroup, credentials, output capture |
//! | [`signals`] | the subreaper, reaping children, SIGTERM |
//! | [`cgroup`] | a cgroup per unit: every process found at stop, Tasks/Memory/CPU |
//! | [`journal`] | each unit's output, timestamped, size-capped and rotated |
//! | [`docker`] | the Docker Engine API: a unit's containers, removing leftovers |
//! | [`machine`] | machine ID, hostname, addresses, Docker version |
//! | [`protocol`] | requests and answers on the control socket |
//! | [`reconcile`] | desired units vs loaded units → tasks (pure; for the scheduler's agent side) |
//! | [`status`] | `unit-run status` in systemctl's shape |
//!
//! Run dir layout (`--run-dir`, default /run/corekit): `unit-run.sock` (the control socket,
//! 0600), `units/NAME` (the unit files as loaded), `journal/NAME.log[.1]`,
//! `unit-run/desired.json` (the units meant to be running, so a restarted daemon starts them
//! again), `unit-run/lock`, and `machine-id` when /etc/machine-id is missing.

pub mod cgroup;
pub mod daemon;
pub mod docker;
pub mod journal;
pub mod machine;
pub mod process;
pub mod protocol;
pub mod reconcile;
pub mod signals;
pub mod status;
pub mod supervisor;
pub mod time;

use std::fs;
use std::path::PathBuf;

/// The files under the run dir that belong to unit-run.
#[derive(Clone, Debug)]
pub struct RunDir {
    pub root: PathBuf,
}

impl RunDir {
    pub fn new(root: impl Into<PathBuf>) -> RunDir {
        RunDir { root: root.into() }
    }
    pub fn socket(&self) -> PathBuf {
        self.root.join("unit-run.sock")
    }
    pub fn units(&self) -> PathBuf {
        self.root.join("units")
    }
    pub fn journal(&self) -> PathBuf {
        self.root.join("journal")
    }
    pub fn state(&self) -> PathBuf {
        self.root.join("unit-run")
    }

    pub fn create(&self) -> std::io::Result<()> {
        for d in [self.root.clone(), self.units(), self.journal(), self.state()] {
            fs::create_dir_all(&d)?;
        }
        Ok(())
    }

    /// The units that were meant to be running when the daemon last saved its state.
    pub fn read_desired(&self) -> Vec<String> {
        fs::read(self.state().join("desired.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("started").cloned())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn write_desired(&self, started: &[&str]) -> std::io::Result<()> {
        let body = serde_json::to_vec_pretty(&serde_json::json!({ "started": started }))?;
        crate::os::file::write_atomic(&self.state().join("desired.json"), &body)
    }
}
