//! Entering a state: the unit's deadline for it, and what the state runs (an Exec list, the
//! main process, signals, the container cleanup). Also timeouts, results, and the events
//! subscribers get when a unit's state changes.

use std::sync::mpsc::Sender;

use super::state::{LoadState, Sub, UnitResult, on_timeout};
use super::unit::ExecList;
use super::{Supervisor, after};
use crate::agent::protocol::UnitEvent;

impl Supervisor {
    /// Enters a state: sets its deadline and starts what the state runs.
    pub(super) fn enter(&mut self, n: &str, sub: Sub) {
        let Some(old) = self.set_sub(n, sub) else { return };
        let Some(rt) = self.units.get_mut(n) else { return };
        let svc = &rt.def.service;
        rt.deadline = match sub {
            Sub::StartPre | Sub::Start | Sub::StartPost | Sub::Reload => svc.timeout_start.and_then(after),
            Sub::Stop
            | Sub::StopSigterm
            | Sub::StopSigkill
            | Sub::StopPost
            | Sub::FinalSigterm
            | Sub::FinalSigkill => svc.timeout_stop.and_then(after),
            // The cleanup thread's Docker calls each have a deadline; it always reports back.
            _ => None,
        };
        match sub {
            Sub::StartPre => self.run_list(n, ExecList::StartPre),
            Sub::Start => self.start_main(n),
            Sub::StartPost => self.run_list(n, ExecList::StartPost),
            Sub::Running | Sub::Exited => {
                if old.is_starting() {
                    rt.start_ok = true;
                    let desc = rt.def.description().to_string();
                    self.log_plain(n, &format!("Started {desc}."));
                    self.settle_jobs(n);
                }
                // A simple service whose main process already ended goes straight on to stop.
                if sub == Sub::Running
                    && self.units.get(n).is_some_and(|rt| rt.main_pid.is_none() && rt.main_exit.is_some())
                {
                    self.enter(n, Sub::Stop);
                }
            }
            Sub::Stop => self.run_list(n, ExecList::Stop),
            Sub::StopSigterm | Sub::FinalSigterm | Sub::StopSigkill | Sub::FinalSigkill => {
                let final_phase = matches!(sub, Sub::FinalSigterm | Sub::FinalSigkill);
                let kill = matches!(sub, Sub::StopSigkill | Sub::FinalSigkill);
                if !self.signal_unit(n, final_phase, kill)
                    && let Some(next) = sub.when_nothing_to_signal()
                {
                    self.enter(n, next);
                }
            }
            Sub::StopPost => self.run_list(n, ExecList::StopPost),
            Sub::Cleanup => self.cleanup_containers(n),
            Sub::Reload => self.run_list(n, ExecList::Reload),
            Sub::Dead | Sub::Failed | Sub::AutoRestart => {}
        }
    }

    /// Sets the sub-state (and, when the active state changes, since when); tells subscribers.
    /// Returns the state before, or None when the unit is gone.
    pub(super) fn set_sub(&mut self, n: &str, sub: Sub) -> Option<Sub> {
        let rt = self.units.get_mut(n)?;
        let old = rt.sub;
        rt.sub = sub;
        if old.active() != sub.active() {
            rt.since = crate::os::clock::now_micros();
        }
        if (old.active(), old.name()) != (sub.active(), sub.name()) {
            self.publish(n);
        }
        Some(old)
    }

    /// A failure result sticks: the first one of a run is the one shown.
    pub(super) fn set_result(&mut self, n: &str, r: UnitResult) {
        if let Some(rt) = self.units.get_mut(n)
            && rt.result == UnitResult::Success
        {
            rt.result = r;
        }
    }

    /// The unit's deadline passed.
    pub(super) fn timed_out(&mut self, n: &str) {
        let Some(rt) = self.units.get(n) else { return };
        let Some(step) = on_timeout(rt.sub, rt.def.service.send_sigkill) else { return };
        self.log(n, &step.message);
        if step.result_timeout {
            self.set_result(n, UnitResult::Timeout);
        }
        if step.kill_control {
            self.kill_control(n);
        }
        match step.next {
            Some(next) => self.enter(n, next),
            None => {
                // A reload timed out: back to running, and its clients told.
                let back = self.after_reload(n);
                self.enter(n, back);
                self.fail_jobs(n, &format!("Job for {n} failed: its reload timed out."));
            }
        }
    }

    // ----- events for subscribers -----

    pub(super) fn subscribe(&mut self, tx: Sender<UnitEvent>) {
        for n in self.units.keys() {
            if let Some(ev) = self.event(n)
                && tx.send(ev).is_err()
            {
                return;
            }
        }
        self.subscribers.push(tx);
    }

    /// Tells subscribers where unit `n` is now (loaded, or just replaced).
    pub(super) fn publish(&mut self, n: &str) {
        if self.subscribers.is_empty() {
            return;
        }
        if let Some(ev) = self.event(n) {
            self.send_event(ev);
        }
    }

    /// Tells subscribers that unit `n` is gone.
    pub(super) fn publish_unloaded(&mut self, n: &str) {
        self.send_event(UnitEvent {
            unit: n.to_string(),
            load: LoadState::NotFound,
            active: Sub::Dead.active(),
            sub: Sub::Dead,
            result: UnitResult::Success,
            hash: None,
        });
    }

    fn event(&self, n: &str) -> Option<UnitEvent> {
        let rt = self.units.get(n)?;
        Some(UnitEvent {
            unit: n.to_string(),
            load: LoadState::Loaded,
            active: rt.sub.active(),
            sub: rt.sub,
            result: rt.result,
            hash: Some(rt.loaded_hash().to_string()),
        })
    }

    /// Sends to every subscriber (an unbounded channel: never blocks); forgets those gone.
    fn send_event(&mut self, ev: UnitEvent) {
        self.subscribers.retain(|s| s.send(ev.clone()).is_ok());
    }
}
