//! The daemon (`unit-run daemon`) as a library: [`start`] takes the run dir (one daemon per run
//! dir, held by a lock), restores the units it was running, starts the supervisor thread and
//! the control socket, and returns a [`Daemon`]; [`Daemon::handle`] drives it in-process,
//! [`Daemon::shutdown`] (or SIGTERM) stops every unit cleanly, [`Daemon::wait`] waits for that.
//!
//! A daemon that is restarted does not adopt the processes of the one before: after a clean
//! stop there are none; after a crash (`kill -9`) it kills what is left in the units' cgroups,
//! then starts again the units that were meant to be running.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use nix::fcntl::{Flock, FlockArg};
use sha1::{Digest, Sha1};

use super::cgroup::Cgroups;
use super::docker::Docker;
use super::error::{Error, Result};
use super::handle::{Handle, Local};
use super::server::{self, Server};
use super::signals::{self, Reaper};
use super::supervisor::{self, Event, Supervisor};
use super::{RunDir, machine};

#[derive(Clone, Debug)]
pub struct Options {
    pub run_dir: PathBuf,
    /// The machine ID to report [default: /etc/machine-id, else one kept in the run dir].
    pub machine_id: Option<String>,
    /// A unit's journal file is rotated past this size.
    pub journal_max_bytes: u64,
    /// Track units by session and INVOCATION_ID only, without cgroups.
    pub no_cgroups: bool,
    /// The daemon owns its process (what `unit-run daemon` does): it blocks SIGCHLD, SIGTERM,
    /// SIGINT and SIGHUP (call [`start`] before any other thread starts), shuts down on the
    /// last three, becomes the child subreaper and reaps every child. When false (a daemon
    /// embedded in a test or another program) it leaves the process's signals alone, is no
    /// subreaper (orphans of units go to init) and reaps only the children it spawned.
    pub process_wide: bool,
    /// With `process_wide`: where SIGTERM, SIGINT and SIGHUP are reported instead of shutting
    /// the daemon down at once — for a program that has something to do first (the cluster
    /// agent hands its units back) and then calls [`Daemon::shutdown`].
    pub stop_signal: Option<Sender<()>>,
}

impl Options {
    /// `unit-run daemon`'s defaults on `run_dir`.
    pub fn new(run_dir: impl Into<PathBuf>) -> Options {
        Options {
            run_dir: run_dir.into(),
            machine_id: None,
            journal_max_bytes: 8 * 1024 * 1024,
            no_cgroups: false,
            process_wide: true,
            stop_signal: None,
        }
    }
}

/// A running daemon. Dropping it shuts it down and waits, as [`Daemon::wait`] after
/// [`Daemon::shutdown`].
pub struct Daemon {
    run: RunDir,
    machine_id: String,
    local: Local,
    tx: Sender<Event>,
    supervisor: Option<JoinHandle<()>>,
    server: Option<Server>,
    reaper: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    cgroups: Cgroups,
    _lock: Flock<File>,
}

/// Starts a daemon on `opts.run_dir`; returns once it serves its socket.
pub fn start(opts: Options) -> Result<Daemon> {
    if opts.process_wide {
        signals::block();
    }
    let run = RunDir::new(&opts.run_dir);
    run.create().map_err(|e| Error::Internal(format!("creating {}: {e}", run.root.display())))?;
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(run.lock())
        .map_err(|e| Error::Internal(e.to_string()))?;
    // Held for the daemon's life: one daemon per run dir.
    let lock = Flock::lock(lock_file, FlockArg::LockExclusiveNonblock).map_err(|_| {
        Error::Unavailable(format!("another unit-run daemon is using {}", run.root.display()))
    })?;
    if opts.process_wide {
        signals::become_subreaper()
            .map_err(|e| Error::Internal(format!("becoming a child subreaper: {e}")))?;
    }
    let machine_id = machine::machine_id(opts.machine_id.as_deref(), &run.root)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let root = std::fs::canonicalize(&run.root).unwrap_or(run.root.clone());
    let tag: String = Sha1::digest(root.as_os_str().as_encoded_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let cgroups = if opts.no_cgroups { Cgroups::default() } else { Cgroups::detect(&tag) };
    let docker = Arc::new(Docker::new());
    let (tx, rx) = mpsc::channel();
    let child = {
        let tx = tx.clone();
        move |pid, exit| {
            let _ = tx.send(Event::Child(pid, exit));
        }
    };
    let (reaper, poller) = if opts.process_wide {
        let stop = tx.clone();
        let told = opts.stop_signal.clone();
        signals::spawn_thread(child, move |_| match &told {
            Some(t) => {
                let _ = t.send(());
            }
            None => {
                let _ = stop.send(Event::Shutdown);
            }
        })
        .map_err(|e| Error::Internal(format!("starting the signal thread: {e}")))?;
        (Reaper::All, None)
    } else {
        let reaper = Reaper::own();
        let done = Arc::new(AtomicBool::new(false));
        let t = signals::spawn_poller(reaper.clone(), done.clone(), child)
            .map_err(|e| Error::Internal(format!("starting the reaper thread: {e}")))?;
        (reaper, Some((done, t)))
    };
    let mut sup = Supervisor::new(supervisor::Config {
        run: run.clone(),
        cgroups: cgroups.clone(),
        docker: docker.clone(),
        tx: tx.clone(),
        reaper,
        machine_id: machine_id.clone(),
        journal_cap: opts.journal_max_bytes,
    });
    sup.restore();
    let local = Local::new(tx.clone(), docker, machine_id.clone());
    let mut daemon = Daemon {
        run: run.clone(),
        machine_id: machine_id.clone(),
        local: local.clone(),
        tx,
        supervisor: None,
        server: None,
        reaper: poller,
        cgroups: cgroups.clone(),
        _lock: lock,
    };
    daemon.server = Some(server::start(run.socket(), local)?);
    daemon.supervisor = Some(
        std::thread::Builder::new()
            .name("supervisor".into())
            .spawn(move || sup.run(rx))
            .map_err(|e| Error::Internal(format!("starting the supervisor thread: {e}")))?,
    );
    log::info!(
        "daemon ready on {} (machine {machine_id}, {})",
        run.socket().display(),
        if cgroups.available() {
            "a cgroup per unit"
        } else {
            "no cgroups: units tracked by session and INVOCATION_ID"
        }
    );
    Ok(daemon)
}

/// `unit-run daemon`: starts, then serves until SIGTERM has stopped every unit.
pub fn run(opts: Options) -> Result<()> {
    start(opts)?.wait()
}

impl Daemon {
    /// A handle that talks to this daemon's supervisor directly.
    pub fn handle(&self) -> Handle {
        Handle::local(self.run.clone(), self.local.clone())
    }

    pub fn machine_id(&self) -> &str {
        &self.machine_id
    }

    pub fn run_dir(&self) -> &RunDir {
        &self.run
    }

    /// Asks the daemon to stop every unit and end (what SIGTERM does); returns at once.
    /// Requests other than status and list are refused from now on.
    pub fn shutdown(&self) {
        let _ = self.tx.send(Event::Shutdown);
    }

    /// Waits until a shutdown (this one's, or SIGTERM) has stopped every unit; then closes the
    /// socket and removes the daemon's cgroup.
    pub fn wait(mut self) -> Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> Result<()> {
        let joined = self.supervisor.take().map(JoinHandle::join);
        if let Some(server) = self.server.take() {
            server.stop();
        }
        if let Some((done, t)) = self.reaper.take() {
            done.store(true, Ordering::Relaxed);
            let _ = t.join();
        }
        self.cgroups.remove_base();
        match joined {
            None => Ok(()),
            Some(Err(_)) => Err(Error::Internal("the supervisor thread panicked".into())),
            Some(Ok(())) => {
                log::info!("every unit stopped; exiting");
                Ok(())
            }
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.supervisor.is_some() {
            self.shutdown();
        }
        let _ = self.finish();
    }
}
