//! Signals and reaping. The daemon blocks SIGCHLD, SIGTERM, SIGINT and SIGHUP in every thread
//! and one thread takes them with sigwait: SIGCHLD reaps every exited child (the daemon is a
//! child subreaper, so orphans of units are reparented to it and reaped too), SIGTERM/SIGINT
//! ask for a clean shutdown. Children get an empty signal mask back before they exec.

use nix::sys::signal::{SigSet, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use super::process::{Exit, REAP_LOCK};

fn set() -> SigSet {
    let mut s = SigSet::empty();
    for sig in [Signal::SIGCHLD, Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        s.add(sig);
    }
    s
}

/// Call first, before any thread starts, so every thread inherits the mask.
pub fn block() {
    let _ = set().thread_block();
}

/// Makes this process a child subreaper: orphaned descendants are reparented to it.
pub fn become_subreaper() -> nix::Result<()> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// Reaps every child that has exited.
pub fn reap(mut exited: impl FnMut(i32, Exit)) {
    let _g = REAP_LOCK.lock();
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) => exited(pid.as_raw(), Exit::Exited(code)),
            Ok(WaitStatus::Signaled(pid, sig, core)) => {
                exited(pid.as_raw(), if core { Exit::Dumped(sig as i32) } else { Exit::Killed(sig as i32) })
            }
            Ok(WaitStatus::StillAlive) | Err(_) => break,
            Ok(_) => continue,
        }
    }
}

/// Runs the signal thread: `child` for every reaped child, `stop` for SIGTERM/SIGINT/SIGHUP.
pub fn spawn_thread(
    mut child: impl FnMut(i32, Exit) + Send + 'static,
    mut stop: impl FnMut(i32) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        let s = set();
        loop {
            match s.wait() {
                Ok(Signal::SIGCHLD) => reap(&mut child),
                Ok(sig) => stop(sig as i32),
                Err(_) => continue,
            }
        }
    })?;
    Ok(())
}
