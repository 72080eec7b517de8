//! A stop: from where the unit is into the stop sequence (ExecStop → KillSignal → SIGKILL →
//! ExecStopPost → final signals → container cleanup, see `transition`), and its end: dead,
//! failed, or auto-restart when Restart= says so. A unit's end also takes down the units
//! bound to it, starts it again for a restart, and forgets it for an unload.

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

use super::jobs::{JobKind, nobody};
use super::state::{Sub, UnitResult};
use super::{Supervisor, after, ordering, restart};

impl Supervisor {
    pub(super) fn begin_stop(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.stop_requested = true;
        let sub = rt.sub;
        let desc = rt.def.description().to_string();
        match sub {
            Sub::Running | Sub::Exited | Sub::Reload => {
                self.log_plain(n, &format!("Stopping {desc}..."));
                self.kill_control(n);
                self.enter(n, Sub::Stop);
            }
            Sub::StartPre | Sub::Start | Sub::StartPost => {
                self.log_plain(n, &format!("Stopping {desc}..."));
                self.kill_control(n);
                self.enter(n, Sub::StopSigterm);
            }
            Sub::AutoRestart => {
                rt.restart_at = None;
                let unload = rt.unload_after;
                self.enter(n, Sub::Dead);
                self.settle_jobs(n);
                if unload {
                    self.remove_unit(n);
                }
            }
            _ => {} // already going down
        }
    }

    /// Kills the running control process and its process group (it leads a session).
    pub(super) fn kill_control(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        if let Some(c) = rt.control.take()
            && let Some(pid) = c.pid
        {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }

    /// The end of a stop: dead, failed, or auto-restart.
    pub(super) fn finish(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.deadline = None;
        rt.control = None;
        if let Some(cg) = &rt.cgroup {
            cg.remove();
        }
        let result = rt.result;
        let desc = rt.def.description().to_string();
        let svc = &rt.def.service;
        let stop_requested = rt.stop_requested;
        let start_ok = rt.start_ok;
        if !stop_requested
            && !self.shutting_down
            && restart::should_restart(svc.restart, result, rt.main_exit)
        {
            if result == UnitResult::Success {
                self.log(n, "Deactivated successfully.");
            } else {
                self.log(n, &format!("Failed with result '{result}'."));
            }
            if let Some(rt) = self.units.get_mut(n) {
                // RestartSec=infinity: never.
                rt.restart_at = after(rt.def.service.restart_sec);
            }
            self.enter(n, Sub::AutoRestart);
            self.fail_jobs_if_starting(n, result);
            return;
        }
        if result == UnitResult::Success {
            if stop_requested {
                self.log_plain(n, &format!("Stopped {desc}."));
            } else {
                self.log(n, "Deactivated successfully.");
            }
            self.enter(n, Sub::Dead);
        } else {
            self.log(n, &format!("Failed with result '{result}'."));
            if !stop_requested && !start_ok {
                self.log_plain(n, &format!("Failed to start {desc}."));
            } else if stop_requested {
                self.log_plain(n, &format!("Stopped {desc}."));
            }
            self.enter(n, Sub::Failed);
        }
        self.settle_jobs(n);
        // Units bound to this one go down with it.
        for b in ordering::bound_to(&self.units, n) {
            self.request_stop(&b, nobody(), JobKind::Stop);
        }
        let Some(rt) = self.units.get_mut(n) else { return };
        if rt.then_start && !self.shutting_down {
            rt.then_start = false;
            rt.pending_start = true;
            rt.start_limit.reset();
        }
        if rt.unload_after {
            self.remove_unit(n);
        }
        self.save_desired();
    }
}
