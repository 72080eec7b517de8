//! The leader's picture of the cluster: what [`plan`](crate::sched::plan::plan) reads. Filled
//! by one read of every directory, then kept current by the changes the watches report (units
//! and machines) and by the engine's own writes (the schedule, global units, reasons).

use crate::client::{Error, Response};
use crate::sched::keys::Keys;
use crate::sched::plan::{Action, Cluster};
use crate::sched::records::{MachineRecord, UnitRecord};
use crate::sched::registry::Registry;

pub struct Model {
    pub cluster: Cluster,
    /// The store index the picture is complete up to (watches go on from the next one).
    pub index: u64,
    units_dir: String,
    machines_dir: String,
}

impl Model {
    /// Reads the whole cluster. Units and machines are read last, so that the watches that go
    /// on from `index` miss nothing of theirs; the schedule is the engine's own.
    pub fn read(reg: &Registry) -> Result<Model, Error> {
        let (schedule, _) = reg.schedule()?;
        let (globals, _) = reg.globals()?;
        let reasons = reg.reasons()?;
        let machines_listing = reg.list(&reg.keys.machines())?;
        let (units, units_index) = reg.units()?;
        let machines = machines_listing
            .nodes
            .iter()
            .filter_map(|n| serde_json::from_str::<MachineRecord>(&n.value).ok())
            .map(|m| (m.id.clone(), m))
            .collect();
        Ok(Model {
            cluster: Cluster { units, machines, schedule, globals, reasons },
            // The older of the two reads: a change between them is seen (again) by the watch.
            index: machines_listing.index.min(units_index),
            units_dir: reg.keys.units(),
            machines_dir: reg.keys.machines(),
        })
    }

    /// Takes a fresh reading's cluster (the watches keep their own indexes).
    pub fn replace(&mut self, fresh: Model) {
        self.cluster = fresh.cluster;
    }

    /// Applies one watched change; true when the cluster changed.
    pub fn apply(&mut self, r: &Response) -> bool {
        let key = r.node.key.as_str();
        let gone = matches!(r.action.as_str(), "delete" | "expire" | "compareAndDelete");
        let Some(parent) = key.rsplit_once('/').map(|(p, _)| p) else { return false };
        let name = Keys::last(key).to_string();
        self.index = self.index.max(r.node.modified_index);
        if parent == self.units_dir {
            if gone {
                return self.cluster.units.remove(&name).is_some();
            }
            match serde_json::from_str::<UnitRecord>(&r.node.value) {
                Ok(u) => self.cluster.units.insert(name, u.clone()) != Some(u),
                Err(e) => {
                    log::warn!("engine: ignoring {key}: {e}");
                    false
                }
            }
        } else if parent == self.machines_dir {
            if gone {
                return self.cluster.machines.remove(&name).is_some();
            }
            match serde_json::from_str::<MachineRecord>(&r.node.value) {
                // A heartbeat that changes nothing is no news.
                Ok(m) => self.cluster.machines.insert(name, m.clone()) != Some(m),
                Err(e) => {
                    log::warn!("engine: ignoring {key}: {e}");
                    false
                }
            }
        } else if key == self.units_dir || key == self.machines_dir {
            // The whole directory went: everything in it.
            if key == self.units_dir {
                self.cluster.units.clear();
            } else {
                self.cluster.machines.clear();
            }
            true
        } else {
            false
        }
    }

    /// Records an action the engine wrote.
    pub fn note(&mut self, a: &Action) {
        let c = &mut self.cluster;
        match a {
            Action::Unschedule { unit, machine, .. } => {
                if c.schedule.get(unit).is_some_and(|(m, _)| m == machine) {
                    c.schedule.remove(unit);
                }
            }
            Action::Schedule { unit, machine, assignment } | Action::Update { unit, machine, assignment } => {
                c.schedule.insert(unit.clone(), (machine.clone(), assignment.clone()));
            }
            Action::SetGlobal { unit, global } => {
                c.globals.insert(unit.clone(), global.clone());
            }
            Action::RemoveGlobal { unit } => {
                c.globals.remove(unit);
            }
            Action::SetReason { unit, reason } => {
                c.reasons.insert(unit.clone(), reason.clone());
            }
            Action::ClearReason { unit } => {
                c.reasons.remove(unit);
            }
        }
    }
}
