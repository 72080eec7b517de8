//! What the cluster agent asks of the machine it runs on: the units it manages, loaded,
//! started, stopped and unloaded — fleet's `unit.UnitManager`. The real one is a unit-run
//! daemon, through an [`agent::Handle`](crate::agent::Handle) (in the daemon's process or over
//! its socket); the scale benchmark gives its simulated agents one that runs nothing.

use std::collections::BTreeMap;
use std::sync::mpsc::Receiver;

use parking_lot::Mutex;

use crate::agent::Handle;
use crate::agent::protocol::UnitEvent;
use crate::agent::reconcile::{Current, unit_hash};

/// One unit as the machine has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    pub name: String,
    /// SHA-1 of the unit file loaded.
    pub hash: String,
    /// systemd's LOAD, ACTIVE and SUB states.
    pub load: String,
    pub active: String,
    pub sub: String,
}

impl Local {
    /// Up or on its way up (what reconcile calls running).
    pub fn running(&self) -> bool {
        matches!(self.active.as_str(), "active" | "activating" | "reloading")
    }

    pub fn current(&self) -> Current {
        Current { name: self.name.clone(), hash: self.hash.clone(), running: self.running() }
    }
}

/// A machine's units, as the cluster agent drives them. Every call returns promptly: starts
/// and stops are queued, not waited for (the agent learns the outcome from `changes`).
pub trait Units: Send + Sync {
    fn list(&self) -> Result<Vec<Local>, String>;
    fn load(&self, name: &str, text: &str) -> Result<(), String>;
    /// Stops the unit if it runs (waiting for that), then forgets it.
    fn unload(&self, name: &str) -> Result<(), String>;
    fn start(&self, name: &str) -> Result<(), String>;
    fn stop(&self, name: &str) -> Result<(), String>;
    /// A notice whenever a unit's state changes, if the machine can tell (else the agent
    /// looks every second, as fleet polled systemd).
    fn changes(&self) -> Option<Receiver<()>>;
}

impl Units for Handle {
    fn list(&self) -> Result<Vec<Local>, String> {
        Ok(Handle::list(self)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|e| Local {
                name: e.unit,
                hash: e.hash,
                load: e.load.name().to_string(),
                active: e.active.name().to_string(),
                sub: e.sub.name().to_string(),
            })
            .collect())
    }

    fn load(&self, name: &str, text: &str) -> Result<(), String> {
        Handle::load(self, name, &format!("{name} (from the cluster)"), text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn unload(&self, name: &str) -> Result<(), String> {
        Handle::unload(self, name).map_err(|e| e.to_string())
    }

    fn start(&self, name: &str) -> Result<(), String> {
        Handle::start(self, name, false).map(|_| ()).map_err(|e| e.to_string())
    }

    fn stop(&self, name: &str) -> Result<(), String> {
        Handle::stop(self, name, false).map(|_| ()).map_err(|e| e.to_string())
    }

    fn changes(&self) -> Option<Receiver<()>> {
        let events: Receiver<UnitEvent> = self.subscribe().ok()?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("unit-events".into())
            .spawn(move || {
                while events.recv().is_ok() {
                    if tx.send(()).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(rx)
    }
}

/// A machine that runs nothing: units are loaded and become `active (running)` at once. The
/// scale benchmark's simulated agents use it, so that everything but process supervision is
/// the real agent.
#[derive(Default)]
pub struct Simulated {
    units: Mutex<BTreeMap<String, Local>>,
}

impl Units for Simulated {
    fn list(&self) -> Result<Vec<Local>, String> {
        Ok(self.units.lock().values().cloned().collect())
    }

    fn load(&self, name: &str, text: &str) -> Result<(), String> {
        let mut u = self.units.lock();
        let e = u.entry(name.to_string()).or_insert_with(|| Local {
            name: name.to_string(),
            hash: String::new(),
            load: "loaded".into(),
            active: "inactive".into(),
            sub: "dead".into(),
        });
        e.hash = unit_hash(text);
        Ok(())
    }

    fn unload(&self, name: &str) -> Result<(), String> {
        self.units.lock().remove(name);
        Ok(())
    }

    fn start(&self, name: &str) -> Result<(), String> {
        let mut u = self.units.lock();
        let e = u.get_mut(name).ok_or_else(|| format!("Unit {name} not found."))?;
        e.active = "active".into();
        e.sub = "running".into();
        Ok(())
    }

    fn stop(&self, name: &str) -> Result<(), String> {
        let mut u = self.units.lock();
        let e = u.get_mut(name).ok_or_else(|| format!("Unit {name} not loaded."))?;
        e.active = "inactive".into();
        e.sub = "dead".into();
        Ok(())
    }

    fn changes(&self) -> Option<Receiver<()>> {
        // Every change is made by the agent itself, which reconciles again after acting.
        None
    }
}
