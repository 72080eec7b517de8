//! Jobs: a start or stop asked for queues the units it concerns (the transaction, see
//! `ordering`), and its client waits until the unit gets where the job takes it — or the job
//! fails, is canceled, or the unit is unloaded. Each waiting client holds a [`Job`]; the unit's
//! state changes settle them.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use super::Supervisor;
use super::ordering;
use super::state::{Sub, UnitResult};
use crate::agent::docker::Docker;
use crate::agent::error::Error;
use crate::agent::protocol::{Reply, UnitState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobKind {
    Start,
    Stop,
    Reload,
    Unload,
}

/// A client waiting for a job to finish.
pub(crate) struct Job {
    pub kind: JobKind,
    pub reply: Sender<Reply>,
}

/// For jobs nobody waits for (no-block requests, jobs a transaction adds).
pub(super) fn nobody() -> Sender<Reply> {
    mpsc::channel().0
}

/// With `no_block`, the job answers nobody and the client is kept for an answer now.
pub(super) fn split_reply(reply: Sender<Reply>, no_block: bool) -> (Sender<Reply>, Option<Sender<Reply>>) {
    if no_block { (nobody(), Some(reply)) } else { (reply, None) }
}

/// systemctl's words for a start that failed.
pub(super) fn failed(n: &str, result: UnitResult) -> Error {
    Error::UnitFailed(format!(
        "Job for {n} failed because {}.\nSee \"unit-run status {n}\" and \"unit-run journal {n}\" for details.",
        result.why()
    ))
}

fn state(n: &str, sub: Sub, result: Option<UnitResult>) -> Reply {
    Reply::State(UnitState { unit: n.to_string(), active: sub.active(), sub, result })
}

/// Units a start needs that the daemon does not run: `docker.service` is the Docker engine,
/// present when it answers (asked at most every few seconds: this runs on the supervisor thread).
pub(crate) struct External {
    docker: Arc<Docker>,
    seen: Option<(Instant, Result<(), String>)>,
}

impl External {
    pub fn new(docker: Arc<Docker>) -> External {
        External { docker, seen: None }
    }

    pub fn present(&mut self, name: &str) -> Result<(), String> {
        if name != "docker.service" {
            return Err(format!("Unit {name} not found."));
        }
        if let Some((at, r)) = &self.seen
            && at.elapsed() < Duration::from_secs(3)
        {
            return r.clone();
        }
        let r = self.docker.version().map(|_| ()).map_err(|e| format!("docker.service: {e}"));
        self.seen = Some((Instant::now(), r.clone()));
        r
    }
}

impl Supervisor {
    /// Marks `name` and what it pulls in to start; `advance` starts them in order. An
    /// `explicit` start (not one a transaction or a restore adds) resets the start rate limit.
    pub(super) fn request_start(&mut self, name: &str, reply: Sender<Reply>, explicit: bool) {
        if !self.units.contains_key(name) {
            let _ = reply.send(Error::NotFound(format!("Unit {name} not found.")).into());
            return;
        }
        let external = &mut self.external;
        let set = match ordering::start_set(&self.units, name, |d| external.present(d)) {
            Ok(set) => set,
            Err(why) => {
                let _ = reply.send(Error::UnitFailed(format!("Dependency failed for {name}: {why}")).into());
                let desc = self.description(name);
                self.log_plain(name, &format!("Dependency failed for {desc}: {why}"));
                return;
            }
        };
        for c in ordering::conflicting(&self.units, &set) {
            self.request_stop(&c, nobody(), JobKind::Stop);
        }
        for n in &set {
            let Some(rt) = self.units.get_mut(n) else { continue };
            if explicit && n == name {
                // It guards automatic restarts.
                rt.start_limit.reset();
            }
            if rt.sub == Sub::AutoRestart {
                rt.restart_at = None;
                rt.pending_start = true;
                self.set_sub(n, Sub::Dead);
            } else if rt.sub.is_down() || rt.sub.is_stopping() {
                rt.pending_start = true;
                rt.pending_stop = false;
            }
        }
        self.save_desired();
        let Some(rt) = self.units.get_mut(name) else { return };
        if rt.sub.is_up() && !rt.pending_start {
            let _ = reply.send(state(name, rt.sub, None));
        } else {
            rt.jobs.push(Job { kind: JobKind::Start, reply });
        }
    }

    pub(super) fn request_stop(&mut self, name: &str, reply: Sender<Reply>, kind: JobKind) {
        self.request_stop_for(name, reply, kind, false)
    }

    /// Stops `name` and the units that require or bind to it. With `restart`, those that were
    /// up start again when they are down (systemd's restart propagation).
    pub(super) fn request_stop_for(
        &mut self,
        name: &str,
        reply: Sender<Reply>,
        kind: JobKind,
        restart: bool,
    ) {
        if !self.units.contains_key(name) {
            let _ = reply.send(Error::NotFound(format!("Unit {name} not loaded.")).into());
            return;
        }
        for n in ordering::stop_set(&self.units, name) {
            let Some(rt) = self.units.get_mut(&n) else { continue };
            if rt.pending_start && rt.sub.is_down() {
                // A start that had not begun is canceled, and its waiting clients told.
                let (starts, rest): (Vec<Job>, Vec<Job>) =
                    std::mem::take(&mut rt.jobs).into_iter().partition(|j| j.kind == JobKind::Start);
                rt.jobs = rest;
                for j in starts {
                    let _ = j.reply.send(Error::UnitFailed(format!("Job for {n} canceled.")).into());
                }
            }
            rt.pending_start = false;
            if n != name {
                rt.then_start = restart && (rt.sub.is_up() || rt.sub.is_starting());
            }
            if rt.sub == Sub::AutoRestart {
                rt.restart_at = None;
                self.enter(&n, Sub::Dead);
            } else if !rt.sub.is_down() {
                rt.pending_stop = true;
            }
        }
        self.save_desired();
        let Some(rt) = self.units.get_mut(name) else { return };
        if !rt.sub.is_down() {
            rt.jobs.push(Job { kind, reply });
        } else if kind == JobKind::Unload {
            self.remove_unit(name);
            let _ = reply.send(Reply::Unloaded { unit: name.to_string() });
        } else {
            let _ = reply.send(state(name, rt.sub, None));
        }
    }

    /// Answers the jobs the unit's new state completes.
    pub(super) fn settle_jobs(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        let (sub, result) = (rt.sub, rt.result);
        let mut keep = Vec::new();
        for j in std::mem::take(&mut rt.jobs) {
            let answer = match j.kind {
                JobKind::Start if sub.is_up() || (rt.start_ok && !rt.then_start) => {
                    Some(state(n, sub, Some(result)))
                }
                JobKind::Start if sub.is_down() && !rt.then_start && !rt.pending_start => {
                    Some(failed(n, result).into())
                }
                JobKind::Reload if sub != Sub::Reload => Some(state(n, sub, Some(result))),
                JobKind::Stop if sub.is_down() => Some(state(n, sub, Some(result))),
                JobKind::Unload if sub.is_down() && rt.unload_after => {
                    Some(Reply::Unloaded { unit: n.to_string() })
                }
                _ => None,
            };
            match answer {
                Some(a) => {
                    let _ = j.reply.send(a);
                }
                None => keep.push(j),
            }
        }
        rt.jobs = keep;
    }

    /// Fails every waiting job of the unit with `msg`.
    pub(super) fn fail_jobs(&mut self, n: &str, msg: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        for j in std::mem::take(&mut rt.jobs) {
            let _ = j.reply.send(Error::UnitFailed(msg.to_string()).into());
        }
    }

    /// A unit that goes to auto-restart before it ever came up fails its start jobs.
    pub(super) fn fail_jobs_if_starting(&mut self, n: &str, result: UnitResult) {
        let Some(rt) = self.units.get_mut(n) else { return };
        if rt.start_ok {
            return;
        }
        let (start, rest): (Vec<Job>, Vec<Job>) =
            std::mem::take(&mut rt.jobs).into_iter().partition(|j| j.kind == JobKind::Start);
        rt.jobs = rest;
        for j in start {
            let _ = j.reply.send(failed(n, result).into());
        }
    }
}
