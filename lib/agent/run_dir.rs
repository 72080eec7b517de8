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
    /// answering on its socket. Read from /proc/locks, never by trying the lock: a try, however
    /// brief, could make a daemon starting at that moment find the lock taken and exit.
    pub fn daemon_holds_lock(&self) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        let Ok(meta) = fs::metadata(self.lock()) else {
            return false;
        };
        let id = format!(
            "{:02x}:{:02x}:{}",
            nix::sys::stat::major(meta.dev()),
            nix::sys::stat::minor(meta.dev()),
            meta.ino()
        );
        fs::read_to_string("/proc/locks").is_ok_and(|locks| holds(&locks, &id))
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

/// Whether /proc/locks (`locks`) has a granted flock on the file `dev_major:dev_minor:inode`
/// (majors and minors in hex, as the kernel prints them). Waiters (`->`) do not count.
fn holds(locks: &str, id: &str) -> bool {
    locks.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.get(1) == Some(&"FLOCK") && f.get(5) == Some(&id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_held_is_seen_in_proc_locks_and_a_waiter_is_not() {
        let locks = "1: OFDLCK ADVISORY  READ -1 00:06:3 0 EOF\n2: FLOCK  ADVISORY  WRITE 1429 fe:00:753938 0 EOF\n3: -> FLOCK  ADVISORY  WRITE 77 fe:00:99 0 EOF\n";
        assert!(holds(locks, "fe:00:753938"));
        assert!(!holds(locks, "fe:00:99"));
        assert!(!holds(locks, "00:06:3"));
    }

    #[test]
    fn a_held_flock_is_seen_and_a_released_one_is_not() {
        let d = tempfile::tempdir().unwrap();
        let run = RunDir::new(d.path());
        run.create().unwrap();
        assert!(!run.daemon_holds_lock(), "no lock file yet");
        let f = fs::File::create(run.lock()).unwrap();
        assert!(!run.daemon_holds_lock());
        let held = nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock).unwrap();
        assert!(run.daemon_holds_lock());
        drop(held);
        assert!(!run.daemon_holds_lock());
    }
}
