//! Signals and reaping. A daemon that owns its process blocks SIGCHLD, SIGTERM, SIGINT and
//! SIGHUP in every thread and one thread takes them with sigwait: SIGCHLD reaps every exited
//! child (the daemon is a child subreaper, so orphans of units are reparented to it and reaped
//! too), SIGTERM/SIGINT/SIGHUP ask for a clean shutdown. Children get an empty signal mask
//! back before they exec.
//!
//! A daemon embedded in a process it does not own (a test, a program with signal handling of
//! its own) touches none of that: it reaps only the children it spawned, looking every
//! [`POLL`] ([`Reaper::Own`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{SigSet, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use parking_lot::Mutex;

use super::process::{Exit, REAP_LOCK};

/// How often an embedded daemon looks for exited children.
pub const POLL: Duration = Duration::from_millis(50);

fn set() -> SigSet {
    let mut s = SigSet::empty();
    for sig in [Signal::SIGCHLD, Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        s.add(sig);
    }
    s
}

/// Blocks the daemon's signals in the calling thread. Call first, before any thread starts,
/// so every thread inherits the mask.
pub fn block() {
    let _ = set().thread_block();
}

/// Makes this process a child subreaper: orphaned descendants are reparented to it.
pub fn become_subreaper() -> nix::Result<()> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// How a daemon's children are reaped.
#[derive(Clone, Debug)]
pub enum Reaper {
    /// Every child of the process, on SIGCHLD (the daemon owns the process).
    All,
    /// Only the children the daemon spawned (their PIDs), polled.
    Own(Arc<Mutex<Vec<i32>>>),
}

impl Reaper {
    pub fn own() -> Reaper {
        Reaper::Own(Arc::default())
    }

    /// Takes note of a child the daemon spawned.
    pub fn spawned(&self, pid: i32) {
        if let Reaper::Own(pids) = self {
            pids.lock().push(pid);
        }
    }

    /// Reaps the exited children this reaper is for.
    pub fn reap(&self, mut exited: impl FnMut(i32, Exit)) {
        let _g = REAP_LOCK.lock();
        match self {
            Reaper::All => {
                while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                    match exit_of(status) {
                        Some((pid, exit)) => exited(pid, exit),
                        None if status == WaitStatus::StillAlive => break,
                        None => continue,
                    }
                }
            }
            Reaper::Own(pids) => pids.lock().retain(|&pid| {
                match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
                    Ok(status) => match exit_of(status) {
                        Some((pid, exit)) => {
                            exited(pid, exit);
                            false
                        }
                        None => true,
                    },
                    // Not (or no longer) our child: nothing to wait for.
                    Err(Errno::ECHILD) => false,
                    Err(_) => true,
                }
            }),
        }
    }
}

fn exit_of(status: WaitStatus) -> Option<(i32, Exit)> {
    match status {
        WaitStatus::Exited(pid, code) => Some((pid.as_raw(), Exit::Exited(code))),
        WaitStatus::Signaled(pid, sig, core) => {
            Some((pid.as_raw(), if core { Exit::Dumped(sig as i32) } else { Exit::Killed(sig as i32) }))
        }
        _ => None,
    }
}

/// Runs the signal thread of a daemon that owns its process: `child` for every reaped child,
/// `stop` for SIGTERM/SIGINT/SIGHUP. It lives as long as the process.
pub fn spawn_thread(
    mut child: impl FnMut(i32, Exit) + Send + 'static,
    mut stop: impl FnMut(Signal) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        let s = set();
        loop {
            match s.wait() {
                Ok(Signal::SIGCHLD) => Reaper::All.reap(&mut child),
                Ok(sig) => stop(sig),
                Err(_) => continue,
            }
        }
    })?;
    Ok(())
}

/// Runs the reaping thread of an embedded daemon: `child` for every child of `reaper` that
/// exited, until `done` is set.
pub fn spawn_poller(
    reaper: Reaper,
    done: Arc<AtomicBool>,
    mut child: impl FnMut(i32, Exit) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("reaper".into()).spawn(move || {
        while !done.load(Ordering::Relaxed) {
            reaper.reap(&mut child);
            std::thread::sleep(POLL);
        }
    })
}
