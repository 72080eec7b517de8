//! Finding a unit's processes — its cgroup, or where none could be made its sessions and the
//! processes carrying its INVOCATION_ID — and signalling them per KillMode.

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

use super::Supervisor;
use crate::agent::process;
use crate::unit::service::KillMode;

impl Supervisor {
    /// The unit's live processes: all of them, or (`all` false) the main and control ones.
    pub(super) fn unit_pids(&self, n: &str, all: bool) -> Vec<i32> {
        let Some(rt) = self.units.get(n) else { return Vec::new() };
        let mut pids: Vec<i32> = Vec::new();
        if let Some(cg) = &rt.cgroup {
            pids = cg.pids();
        } else {
            // Each Exec process led a session (and group) of its own; the kernel does not reuse
            // a PID while a group of that ID exists, so a live group is still the unit's.
            for &s in &rt.sessions {
                if process::group_alive(s) && process::alive(s) {
                    pids.push(s);
                }
            }
            if !rt.invocation.is_empty() {
                for p in process::pids_with_invocation(&rt.invocation) {
                    if !pids.contains(&p) {
                        pids.push(p);
                    }
                }
            }
        }
        if !all {
            pids.retain(|p| Some(*p) == rt.main_pid || rt.control_pid() == Some(*p));
            if let Some(m) = rt.main_pid
                && !pids.contains(&m)
                && process::alive(m)
            {
                pids.push(m);
            }
        }
        pids
    }

    /// Is anything of the unit's still running (what its KillMode stops, in this phase)?
    pub(super) fn has_processes(&self, n: &str, final_phase: bool) -> bool {
        let Some(rt) = self.units.get(n) else { return false };
        let mode = rt.def.service.kill_mode;
        let all = match mode {
            KillMode::ControlGroup => true,
            KillMode::Mixed => final_phase,
            KillMode::Process | KillMode::None => false,
        };
        !self.unit_pids(n, all || final_phase && mode != KillMode::None).is_empty()
            || rt.main_pid.is_some()
            || rt.control_pid().is_some()
    }

    /// Sends the stop signal (or SIGKILL) per KillMode; false when there was nothing to signal.
    pub(super) fn signal_unit(&self, n: &str, final_phase: bool, sigkill: bool) -> bool {
        let Some(rt) = self.units.get(n) else { return false };
        let svc = &rt.def.service;
        let mode = svc.kill_mode;
        // KillSignal= takes only signals nix knows; SIGTERM should one ever be missing.
        let sig = if sigkill {
            Signal::SIGKILL
        } else {
            Signal::try_from(svc.kill_signal).unwrap_or(Signal::SIGTERM)
        };
        if mode == KillMode::None {
            return false;
        }
        let all = mode == KillMode::ControlGroup || (mode == KillMode::Mixed && (sigkill || final_phase));
        let mut targets = self.unit_pids(n, all);
        if mode == KillMode::Mixed && !sigkill && !final_phase {
            targets = rt.main_pid.into_iter().collect();
        }
        if targets.is_empty() && rt.main_pid.is_none() {
            return false;
        }
        if all && let Some(cg) = &rt.cgroup {
            cg.kill(sig);
        } else {
            for p in &targets {
                let _ = kill(Pid::from_raw(*p), sig);
            }
            if all {
                for s in &rt.sessions {
                    if process::group_alive(*s) {
                        let _ = killpg(Pid::from_raw(*s), sig);
                    }
                }
            }
        }
        if sig != Signal::SIGKILL {
            for p in &targets {
                let _ = kill(Pid::from_raw(*p), Signal::SIGCONT);
            }
        }
        true
    }
}
