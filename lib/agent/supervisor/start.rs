//! A start: the start rate limit, a fresh run (invocation ID, environment, credentials, working
//! directory, cgroup), then ExecStartPre → ExecStart → ExecStartPost through `transition`.

use std::time::Instant;

use super::Supervisor;
use super::environment;
use super::state::{Sub, UnitResult};
use super::unit::ExecList;
use crate::unit::service::ServiceType;

impl Supervisor {
    pub(super) fn begin_start(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        let (interval, burst) = (rt.def.unit.start_limit_interval, rt.def.unit.start_limit_burst);
        if !rt.start_limit.try_start(Instant::now(), interval, burst) {
            rt.result = UnitResult::StartLimitHit;
            let desc = rt.def.description().to_string();
            self.log(n, "Start request repeated too quickly.");
            self.log(n, &format!("Failed with result '{}'.", UnitResult::StartLimitHit));
            self.log_plain(n, &format!("Failed to start {desc}."));
            self.enter(n, Sub::Failed);
            self.fail_jobs(n, &format!("Start request repeated too quickly for {n}."));
            return;
        }
        if let Some(next) = rt.next.take() {
            rt.def = next;
        }
        rt.result = UnitResult::Success;
        rt.main_pid = None;
        rt.main_exit = None;
        rt.processes.clear();
        rt.stop_requested = false;
        rt.start_ok = false;
        rt.sessions.clear();
        rt.invocation = crate::os::host::random_hex(16);
        let desc = rt.def.description().to_string();
        self.log_plain(n, &format!("Starting {desc}..."));
        if let Err((result, why)) = self.prepare(n) {
            self.log(n, &why);
            self.set_result(n, result);
            self.enter(n, Sub::Failed);
            self.log_plain(n, &format!("Failed to start {desc}."));
            self.fail_jobs(n, &format!("{n}: {why}"));
            return;
        }
        self.enter(n, Sub::StartPre);
    }

    /// Environment, credentials, working directory and cgroup for a new start.
    fn prepare(&mut self, n: &str) -> Result<(), (UnitResult, String)> {
        let cgroup = self.cgroups.unit(n);
        let Some(rt) = self.units.get_mut(n) else { return Ok(()) };
        let p = environment::prepare(&rt.def.service, &rt.invocation)?;
        rt.env = p.env;
        rt.creds = p.creds;
        rt.cwd = p.cwd;
        rt.cgroup = cgroup;
        Ok(())
    }

    /// Starts the main process (Type=simple/exec), or the ExecStart list (oneshot, forking).
    pub(super) fn start_main(&mut self, n: &str) {
        let Some(rt) = self.units.get(n) else { return };
        let svc = &rt.def.service;
        let cmd = match (svc.kind, svc.exec_start.first()) {
            (ServiceType::Simple | ServiceType::Exec, Some(cmd)) => cmd.clone(),
            _ => return self.run_list(n, ExecList::Start),
        };
        match self.exec(n, &cmd, ExecList::Start) {
            Ok(pid) => {
                if let Some(rt) = self.units.get_mut(n) {
                    rt.main_pid = Some(pid);
                }
                self.enter(n, Sub::StartPost);
            }
            Err(exit) => {
                if let Some(rt) = self.units.get_mut(n) {
                    rt.main_exit = Some(exit);
                }
                self.record(n, -1, ExecList::Start, &cmd, exit);
                self.set_result(n, UnitResult::ExitCode);
                self.enter(n, Sub::StopSigterm);
            }
        }
    }
}
