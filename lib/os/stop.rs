//! A stop request that long-running loops (`disco announce`, `disco render --watch`) wait on
//! instead of sleeping: SIGTERM or SIGINT sets it, and every waiter wakes at once.
//!
//! [`Stop::on_signals`] blocks the two signals in the calling thread — call it first, before
//! any thread starts, so that every thread inherits the mask — and takes them in a thread of
//! its own. Children started later must get an empty mask back before they exec
//! ([`unblock_in_child`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{SigSet, Signal};
use parking_lot::{Condvar, Mutex};

#[derive(Default)]
pub struct Stop {
    stopped: Mutex<Option<i32>>,
    cv: Condvar,
}

fn signals() -> SigSet {
    let mut s = SigSet::empty();
    s.add(Signal::SIGTERM);
    s.add(Signal::SIGINT);
    s
}

impl Stop {
    pub fn new() -> Arc<Stop> {
        Arc::new(Stop::default())
    }

    /// Asks every waiter to stop (`signal`: what asked, 0 for none).
    pub fn stop(&self, signal: i32) {
        *self.stopped.lock() = Some(signal);
        self.cv.notify_all();
    }

    /// The signal that asked to stop, if one did.
    pub fn stopped(&self) -> Option<i32> {
        *self.stopped.lock()
    }

    /// Waits up to `d`; true when a stop was asked for (at once if it already was).
    pub fn wait(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut g = self.stopped.lock();
        while g.is_none() {
            if self.cv.wait_until(&mut g, deadline).timed_out() {
                break;
            }
        }
        g.is_some()
    }

    /// SIGTERM and SIGINT set this stop from now on (see the module's note on threads).
    pub fn on_signals(self: &Arc<Self>) -> std::io::Result<()> {
        let set = signals();
        set.thread_block().map_err(std::io::Error::from)?;
        let me = self.clone();
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            loop {
                if let Ok(sig) = set.wait() {
                    me.stop(sig as i32);
                }
            }
        })?;
        Ok(())
    }
}

/// For a child's `pre_exec`: the signals [`Stop::on_signals`] blocked are delivered again.
pub fn unblock_in_child() -> std::io::Result<()> {
    signals().thread_unblock().map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_time_out_or_end_on_stop() {
        let s = Stop::new();
        let t = Instant::now();
        assert!(!s.wait(Duration::from_millis(30)));
        assert!(t.elapsed() >= Duration::from_millis(30));
        let s2 = s.clone();
        let h = std::thread::spawn(move || s2.wait(Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(20));
        s.stop(15);
        assert!(h.join().unwrap());
        assert_eq!(s.stopped(), Some(15));
    }
}
