//! The files under the run dir that belong to unit-run (`--run-dir`, default /run/corekit):
//! `unit-run.sock` (the control socket, 0600), `units/NAME` (the unit files as loaded),
//! `journal/NAME.log[.1]`, `unit-run/desired.json` (the units meant to be running, so a
//! restarted daemon starts them again), `unit-run/lock`, and `machine-id` when
//! /etc/machine-id is missing.

use std::fs;
use std::path::PathBuf;

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
    pub fn lock(&self) -> PathBuf {
        self.state().join("lock")
    }

    /// Whether a daemon holds this run dir's lock: one is running, or starting and not yet
    /// answering on its socket. (The lock is only tried, never kept.)
    pub fn daemon_holds_lock(&self) -> bool {
        use nix::fcntl::{Flock, FlockArg};
        let Ok(file) = fs::OpenOptions::new().write(true).open(self.lock()) else {
            return false;
        };
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(_released_on_drop) => false,
            Err((_, errno)) => errno == nix::errno::Errno::EWOULDBLOCK,
        }
    }

    pub fn create(&self) -> std::io::Result<()> {
        for d in [self.root.clone(), self.units(), self.journal(), self.state()] {
            fs::create_dir_all(&d)?;
        }
        Ok(())
    }

    /// The units that were meant to be running when the daemon last saved its state.
    pub fn read_desired(&self) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Desired {
            started: Vec<String>,
        }
        fs::read(self.state().join("desired.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Desired>(&b).ok())
            .map(|d| d.started)
            .unwrap_or_default()
    }

    pub fn write_desired(&self, started: &[&str]) -> std::io::Result<()> {
        let body = serde_json::to_vec_pretty(&serde_json::json!({ "started": started }))?;
        crate::os::file::write_atomic(&self.state().join("desired.json"), &body)
    }
}
