//! Running a unit's Exec lists one command at a time (the control process), spawning a
//! command, and what an exited child means: the next command, a failed start, a main process
//! that ended on its own.

use nix::sys::signal::Signal;

use super::Supervisor;
use super::state::{Sub, UnitResult};
use super::unit::{Control, ExecList};
use crate::agent::process::{self, Exit};
use crate::agent::protocol::ProcessLine;
use crate::unit::exec::ExecCommand;
use crate::unit::service::{Service, ServiceType};

/// Keep status short: the last 32 finished processes.
const PROCESSES_KEPT: usize = 32;

impl Supervisor {
    /// Runs the Exec list of the current state from its next command; when the list is done,
    /// moves on.
    pub(super) fn run_list(&mut self, n: &str, list: ExecList) {
        let Some(rt) = self.units.get_mut(n) else { return };
        let idx = match &rt.control {
            Some(c) if c.list == list => c.idx,
            _ => 0,
        };
        let Some(cmd) = list.of(&rt.def.service).get(idx).cloned() else {
            rt.control = None;
            self.list_done(n, list);
            return;
        };
        rt.control = Some(Control { list, idx, pid: None });
        match self.exec(n, &cmd, list) {
            Ok(pid) => {
                let Some(rt) = self.units.get_mut(n) else { return };
                if let Some(c) = rt.control.as_mut() {
                    c.pid = Some(pid);
                }
                if list == ExecList::Start && rt.def.service.kind == ServiceType::Oneshot {
                    rt.main_pid = Some(pid);
                }
            }
            Err(exit) => self.control_exited(n, -1, exit),
        }
    }

    fn list_done(&mut self, n: &str, list: ExecList) {
        match list {
            ExecList::StartPre => self.enter(n, Sub::Start),
            ExecList::Start => {
                if self.units.get(n).is_some_and(|rt| rt.def.service.kind == ServiceType::Forking) {
                    let pid = self.guess_main_pid(n);
                    if let Some(rt) = self.units.get_mut(n) {
                        rt.main_pid = pid;
                    }
                }
                self.enter(n, Sub::StartPost);
            }
            ExecList::StartPost => {
                let Some(rt) = self.units.get_mut(n) else { return };
                let svc = &rt.def.service;
                let next = match svc.kind {
                    ServiceType::Oneshot if svc.remain_after_exit => Sub::Exited,
                    ServiceType::Oneshot => {
                        // Done: a oneshot without RemainAfterExit goes down once it has run.
                        rt.start_ok = true;
                        let desc = rt.def.description().to_string();
                        self.log_plain(n, &format!("Finished {desc}."));
                        Sub::Stop
                    }
                    _ if rt.main_pid.is_none() && rt.main_exit.is_some() && svc.remain_after_exit => {
                        Sub::Exited
                    }
                    _ => Sub::Running,
                };
                self.enter(n, next);
            }
            ExecList::Stop => self.enter(n, Sub::StopSigterm),
            ExecList::StopPost => self.enter(n, Sub::FinalSigterm),
            ExecList::Reload => {
                let back = self.after_reload(n);
                self.enter(n, back);
                let desc = self.description(n);
                self.log_plain(n, &format!("Reloaded {desc}."));
                self.settle_jobs(n);
            }
        }
    }

    /// A reload returns to running, or to exited for a oneshot that remains.
    pub(super) fn after_reload(&self, n: &str) -> Sub {
        match self.units.get(n) {
            Some(rt) if rt.main_pid.is_none() && rt.def.service.kind == ServiceType::Oneshot => Sub::Exited,
            _ => Sub::Running,
        }
    }

    /// For Type=forking: PIDFile if there is one, else the one process left in the unit.
    fn guess_main_pid(&self, n: &str) -> Option<i32> {
        let rt = self.units.get(n)?;
        let pids = self.unit_pids(n, true);
        // A PID file is believed only for a live process of this unit (never a stranger).
        if let Some(f) = &rt.def.service.pid_file
            && let Ok(s) = std::fs::read_to_string(f)
            && let Ok(pid) = s.trim().parse::<i32>()
            && process::alive(pid)
            && (rt.cgroup.is_none() || pids.contains(&pid))
        {
            return Some(pid);
        }
        (pids.len() == 1).then(|| pids[0])
    }

    /// Spawns one command of the unit; its PID, or how it failed to start (status 203/EXEC).
    pub(super) fn exec(&mut self, n: &str, cmd: &ExecCommand, list: ExecList) -> Result<i32, Exit> {
        let Some(rt) = self.units.get(n) else { return Err(Exit::Exited(process::EXIT_EXEC)) };
        let mut env = rt.env.clone();
        if let Some(pid) = rt.main_pid
            && matches!(list, ExecList::StartPost | ExecList::Reload | ExecList::Stop)
        {
            env.push(("MAINPID".into(), pid.to_string()));
        }
        let argv = cmd.expand_env(&env);
        let Some(program) = process::resolve_path(&cmd.path, &env) else {
            self.log(n, &format!("Failed to locate executable {}: No such file or directory", cmd.path));
            return Err(Exit::Exited(process::EXIT_EXEC));
        };
        let Some(argv0) = argv.first() else { return Err(Exit::Exited(process::EXIT_EXEC)) };
        let ident = argv0.rsplit('/').next().unwrap_or(argv0).to_string();
        let privileged = cmd.full_privileges || cmd.ambient;
        let spawned = process::spawn(process::Spawn {
            program: &program,
            argv: &argv,
            env: &env,
            cwd: &rt.cwd,
            creds: if privileged { None } else { rt.creds.as_ref() },
            cgroup: rt.cgroup.as_ref(),
            journal: rt.journal.clone(),
            ident,
        });
        match spawned {
            Ok(pid) => {
                self.reaper.spawned(pid);
                if let Some(rt) = self.units.get_mut(n) {
                    rt.sessions.push(pid);
                }
                Ok(pid)
            }
            Err(e) => {
                self.log(n, &format!("Failed to execute {}: {e}", program.display()));
                Err(Exit::Exited(process::EXIT_EXEC))
            }
        }
    }

    /// Keeps a finished process for status's `Process:` lines.
    pub(super) fn record(&mut self, n: &str, pid: i32, list: ExecList, cmd: &ExecCommand, exit: Exit) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.processes.push(ProcessLine {
            pid,
            kind: list.key().to_string(),
            command: cmd.text.clone(),
            exit,
            describe: exit.describe(),
        });
        if rt.processes.len() > PROCESSES_KEPT {
            rt.processes.remove(0);
        }
    }

    // ----- children -----

    pub(super) fn child_exited(&mut self, pid: i32, exit: Exit) {
        let owner = self.units.iter().find_map(|(n, rt)| {
            if rt.control_pid() == Some(pid) {
                Some((n.clone(), true))
            } else if rt.main_pid == Some(pid) {
                Some((n.clone(), false))
            } else {
                None
            }
        });
        match owner {
            Some((n, true)) => self.control_exited(&n, pid, exit),
            Some((n, false)) => self.main_exited(&n, exit),
            None => {} // an adopted orphan or an unknown pid: reaped, nothing to do
        }
    }

    fn control_exited(&mut self, n: &str, pid: i32, exit: Exit) {
        let Some(rt) = self.units.get_mut(n) else { return };
        let Some(ctl) = rt.control.as_mut() else { return };
        let (list, idx) = (ctl.list, ctl.idx);
        ctl.pid = None;
        let Some(cmd) = list.of(&rt.def.service).get(idx).cloned() else { return };
        if list == ExecList::Start && rt.def.service.kind == ServiceType::Oneshot {
            rt.main_pid = None;
        }
        let ok = exit_is_success(&rt.def.service, exit, false) || cmd.ignore_failure;
        self.record(n, pid, list, &cmd, exit);
        if !ok {
            self.log(n, &format!("Control process exited, {}", exit.describe()));
        }
        let Some(rt) = self.units.get_mut(n) else { return };
        if ok {
            if let Some(c) = rt.control.as_mut() {
                c.idx += 1;
            }
            self.run_list(n, list);
            return;
        }
        rt.control = None;
        match list {
            ExecList::StartPre | ExecList::Start => {
                self.set_result(n, UnitResult::of_exit(exit));
                self.enter(n, Sub::StopSigterm);
            }
            ExecList::StartPost => {
                self.set_result(n, UnitResult::of_exit(exit));
                self.enter(n, Sub::Stop);
            }
            ExecList::Stop => self.enter(n, Sub::StopSigterm),
            ExecList::StopPost => self.enter(n, Sub::FinalSigterm),
            ExecList::Reload => {
                let back = self.after_reload(n);
                self.enter(n, back);
                self.fail_jobs(n, &format!("Job for {n} failed: its reload command {}.", exit.describe()));
            }
        }
    }

    fn main_exited(&mut self, n: &str, exit: Exit) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.last_main_pid = rt.main_pid.take();
        rt.main_exit = Some(exit);
        let sub = rt.sub;
        let stopping = rt.stop_requested || sub.is_stopping();
        let success = exit_is_success(&rt.def.service, exit, true);
        let remain = rt.def.service.remain_after_exit;
        if !stopping && !success {
            self.log(n, &format!("Main process exited, {}", exit.describe()));
            self.set_result(n, UnitResult::of_exit(exit));
        }
        match sub {
            Sub::Running if remain && success => self.enter(n, Sub::Exited),
            Sub::Running => self.enter(n, Sub::Stop),
            // The start-post commands go on; `enter(Running)` notices the exit afterwards.
            Sub::StartPost if !success => {
                self.kill_control(n);
                self.enter(n, Sub::Stop);
            }
            _ => {}
        }
    }
}

/// Is `exit` a success for this service? Main processes also count SIGHUP, SIGINT, SIGTERM
/// and SIGPIPE as clean, as systemd does.
fn exit_is_success(svc: &Service, exit: Exit, main: bool) -> bool {
    if main && svc.exec_start.first().is_some_and(|c| c.ignore_failure) {
        return true;
    }
    const CLEAN: [Signal; 4] = [Signal::SIGHUP, Signal::SIGINT, Signal::SIGTERM, Signal::SIGPIPE];
    match exit {
        Exit::Exited(0) => true,
        Exit::Exited(c) => svc.success_exit_status.contains(&c),
        Exit::Killed(s) => {
            svc.success_signals.contains(&s)
                || (main && svc.kind != ServiceType::Oneshot && CLEAN.iter().any(|c| *c as i32 == s))
        }
        Exit::Dumped(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_exits_are_clean() {
        let svc = Service { success_exit_status: vec![7], success_signals: vec![10], ..Service::default() };
        assert!(exit_is_success(&svc, Exit::Exited(0), false));
        assert!(exit_is_success(&svc, Exit::Exited(7), false));
        assert!(!exit_is_success(&svc, Exit::Exited(1), true));
        assert!(exit_is_success(&svc, Exit::Killed(10), false));
        // SIGTERM is clean for a main process, not for a control process.
        assert!(exit_is_success(&svc, Exit::Killed(15), true));
        assert!(!exit_is_success(&svc, Exit::Killed(15), false));
        assert!(!exit_is_success(&svc, Exit::Killed(9), true));
        assert!(!exit_is_success(&svc, Exit::Dumped(11), true));
        let oneshot = Service { kind: ServiceType::Oneshot, ..Service::default() };
        assert!(!exit_is_success(&oneshot, Exit::Killed(15), true));
    }
}
