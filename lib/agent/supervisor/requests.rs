//! Answering requests: which job a request queues, and the requests answered at once — load
//! (a unit file checked, written to the run dir, installed), unload, making an instance of a
//! loaded template, reload, status and list.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::Supervisor;
use super::jobs::{Job, JobKind, nobody, split_reply};
use super::state::Sub;
use super::unit::{Definition, UnitRuntime};
use crate::agent::error::Error;
use crate::agent::journal::Writer;
use crate::agent::protocol::{JobType, Loaded, Reply, Request};
use crate::unit::name::UnitName;
use crate::unit::service::{Unit, parse_unit};

impl Supervisor {
    pub(super) fn request(&mut self, req: Request, reply: Sender<Reply>) {
        if self.shutting_down && !matches!(req, Request::Status { .. } | Request::List) {
            let _ = reply.send(Error::Unavailable("the daemon is shutting down".into()).into());
            return;
        }
        match req {
            Request::Load { name, file, text } => {
                let _ = reply.send(match self.load(&name, &file, &text) {
                    Ok(l) => Reply::Loaded(l),
                    Err(e) => e.into(),
                });
            }
            Request::Unload { name } => self.request_unload(&name, reply),
            Request::Start { name, no_block } => {
                if let Err(e) = self.ensure_instance(&name) {
                    let _ = reply.send(e.into());
                    return;
                }
                let (job_tx, keep) = split_reply(reply, no_block);
                self.request_start(&name, job_tx, true);
                if let Some(r) = keep {
                    let _ = r.send(Reply::Queued { unit: name, job: JobType::Start });
                }
            }
            Request::Stop { name, no_block } => {
                let (job_tx, keep) = split_reply(reply, no_block);
                self.request_stop(&name, job_tx, JobKind::Stop);
                if let Some(r) = keep {
                    let _ = r.send(Reply::Queued { unit: name, job: JobType::Stop });
                }
            }
            Request::Restart { name, no_block } => {
                if let Err(e) = self.ensure_instance(&name) {
                    let _ = reply.send(e.into());
                    return;
                }
                let (job_tx, keep) = split_reply(reply, no_block);
                match self.units.get_mut(&name) {
                    Some(rt) if !rt.sub.is_down() && rt.sub != Sub::AutoRestart => {
                        rt.then_start = true;
                        rt.jobs.push(Job { kind: JobKind::Start, reply: job_tx });
                        self.request_stop_for(&name, nobody(), JobKind::Stop, true);
                    }
                    _ => self.request_start(&name, job_tx, true),
                }
                if let Some(r) = keep {
                    let _ = r.send(Reply::Queued { unit: name, job: JobType::Restart });
                }
            }
            Request::Reload { name } => self.request_reload(&name, reply),
            Request::Status { name } => {
                let _ = reply.send(match self.status(&name) {
                    Some(s) => Reply::Status(Box::new(s)),
                    None => Error::NotFound(format!("Unit {name} could not be found.")).into(),
                });
            }
            Request::List => {
                let _ = reply.send(Reply::List(self.list()));
            }
            Request::Machine => {
                let _ =
                    reply.send(Error::Internal("machine is answered outside the supervisor".into()).into());
            }
        }
    }

    /// Checks a unit file and keeps it: a template as a file only, a unit installed too.
    /// Nothing is written unless the file is good.
    fn load(&mut self, name: &str, file: &str, text: &str) -> Result<Loaded, Error> {
        let uname = UnitName::parse(name)
            .map_err(|e| Error::BadInput(format!("{file}: invalid unit name \"{name}\": {e}")))?;
        let not_service =
            || Error::BadInput(format!("{file}: unit-run runs only .service units, not {name}"));
        if !name.ends_with(".service") {
            return Err(not_service());
        }
        let path = self.run.units().join(name);
        let write = |path: &PathBuf| {
            crate::os::file::write_atomic(path, text.as_bytes())
                .map_err(|e| Error::Internal(format!("writing {}: {e}", path.display())))
        };
        if uname.is_template() {
            // A template is checked with a made-up instance, and kept as it is.
            let probe = uname.full.replacen("@.", "@probe.", 1);
            let unit = self.parse(&probe, file, text)?;
            write(&path)?;
            return Ok(Loaded { unit: name.to_string(), template: true, warnings: warnings(&unit) });
        }
        let unit = self.parse(name, file, text)?;
        let warnings = warnings(&unit);
        let def = Definition::new(unit).ok_or_else(not_service)?;
        write(&path)?;
        self.install(name.to_string(), def, path);
        Ok(Loaded { unit: name.to_string(), template: false, warnings })
    }

    fn parse(&self, name: &str, file: &str, text: &str) -> Result<Unit, Error> {
        self.ctx(name)
            .and_then(|ctx| parse_unit(name, file, text, &ctx).map_err(|e| e.to_string()))
            .map_err(Error::BadInput)
    }

    /// `start foo@x.service` with only `foo@.service` loaded makes the instance from it.
    fn ensure_instance(&mut self, name: &str) -> Result<(), Error> {
        if self.units.contains_key(name) {
            return Ok(());
        }
        let missing = || Error::NotFound(format!("Unit {name} not found."));
        let un = UnitName::parse(name)
            .map_err(|e| Error::BadInput(format!("invalid unit name \"{name}\": {e}")))?;
        let template = un.template_name().ok_or_else(missing)?;
        let tpath = self.run.units().join(&template);
        let text = std::fs::read_to_string(&tpath).map_err(|_| missing())?;
        let unit = self.parse(name, &tpath.display().to_string(), &text)?;
        let def = Definition::new(unit).ok_or_else(missing)?;
        let path = self.run.units().join(name);
        crate::os::file::write_atomic(&path, text.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
        self.install(name.to_string(), def, path);
        Ok(())
    }

    /// Adds a unit, or gives a loaded one its new definition.
    pub(super) fn install(&mut self, name: String, def: Definition, file: PathBuf) {
        match self.units.get_mut(&name) {
            Some(rt) => rt.replace(def, file),
            None => {
                let journal = Arc::new(Writer::new(&self.run.journal(), &name, self.journal_cap));
                self.units.insert(name.clone(), UnitRuntime::new(def, file, journal));
            }
        }
        self.publish(&name);
    }

    fn request_unload(&mut self, name: &str, reply: Sender<Reply>) {
        let Some(rt) = self.units.get_mut(name) else {
            // A template has no runtime state: just its file.
            let path = self.run.units().join(name);
            if UnitName::parse(name).is_ok_and(|n| n.is_template()) && path.exists() {
                let _ = std::fs::remove_file(&path);
                let _ = reply.send(Reply::Unloaded { unit: name.to_string() });
            } else {
                let _ = reply.send(Error::NotFound(format!("Unit {name} not loaded.")).into());
            }
            return;
        };
        if rt.sub.is_down() || rt.sub == Sub::AutoRestart {
            self.remove_unit(name);
            let _ = reply.send(Reply::Unloaded { unit: name.to_string() });
            return;
        }
        rt.unload_after = true;
        self.request_stop(name, reply, JobKind::Unload);
    }

    /// Forgets a unit and its file; clients still waiting on it are told.
    pub(super) fn remove_unit(&mut self, name: &str) {
        if let Some(rt) = self.units.remove(name) {
            for j in rt.jobs {
                let _ = j.reply.send(Error::NotFound(format!("Unit {name} was unloaded.")).into());
            }
            self.publish_unloaded(name);
        }
        let _ = std::fs::remove_file(self.run.units().join(name));
        self.save_desired();
    }

    fn request_reload(&mut self, name: &str, reply: Sender<Reply>) {
        let Some(rt) = self.units.get_mut(name) else {
            let _ = reply.send(Error::NotFound(format!("Unit {name} not loaded.")).into());
            return;
        };
        if rt.def.service.exec_reload.is_empty() {
            let msg = format!("Job type reload is not applicable for unit {name}.");
            let _ = reply.send(Error::UnitFailed(msg).into());
            return;
        }
        if !matches!(rt.sub, Sub::Running | Sub::Exited) {
            let msg = format!("Unit {name} cannot be reloaded because it is not active.");
            let _ = reply.send(Error::UnitFailed(msg).into());
            return;
        }
        rt.jobs.push(Job { kind: JobKind::Reload, reply });
        let desc = rt.def.description().to_string();
        self.log_plain(name, &format!("Reloading {desc}..."));
        self.enter(name, Sub::Reload);
    }
}

fn warnings(unit: &Unit) -> Vec<String> {
    unit.warnings.iter().map(|w| w.to_string()).collect()
}
