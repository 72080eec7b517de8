//! Each unit's state as this machine sees it, in the store for everyone (`states/<unit>/<id>`,
//! TTL `agent_ttl`): written when it changes and renewed every half TTL, deleted when the unit
//! leaves the machine. fleet wrote every state every few seconds whether or not it changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use super::Shared;
use super::units::Local;
use crate::sched::records::{Desired, UnitState};

pub struct Publisher {
    s: Arc<Shared>,
    published: BTreeMap<String, (UnitState, Instant)>,
}

impl Publisher {
    pub fn new(s: Arc<Shared>) -> Publisher {
        Publisher { s, published: BTreeMap::new() }
    }

    /// Brings the store's states of this machine's units up to date.
    pub fn publish(
        &mut self,
        managed: &BTreeSet<String>,
        launched: &BTreeSet<String>,
        desired: &BTreeMap<&str, Desired>,
        local: &[Local],
        busy: &BTreeSet<String>,
    ) {
        let me = &self.s.cfg.machine_id;
        let ttl = self.s.cfg.ttl;
        let mut seen = BTreeSet::new();
        for l in local {
            if !managed.contains(&l.name) && !busy.contains(&l.name) {
                continue;
            }
            seen.insert(l.name.clone());
            // Launched when asked to be and started here (what `start` waits for), and while a
            // stop is still under way: `stop` waits for the unit to be down.
            let asked =
                launched.contains(&l.name) && desired.get(l.name.as_str()) == Some(&Desired::Launched);
            let still_up =
                matches!(l.active.as_str(), "active" | "activating" | "deactivating" | "reloading");
            let job = if asked || still_up { Desired::Launched } else { Desired::Loaded };
            let state = UnitState {
                job,
                load: l.load.clone(),
                active: l.active.clone(),
                sub: l.sub.clone(),
                hash: l.hash.clone(),
                machine: me.clone(),
            };
            let due = match self.published.get(&l.name) {
                Some((old, at)) => *old != state || at.elapsed() >= ttl / 2,
                None => true,
            };
            if due {
                match self.s.reg.put_state(&l.name, &state, ttl) {
                    Ok(()) => {
                        self.published.insert(l.name.clone(), (state, Instant::now()));
                    }
                    Err(e) => log::debug!("publishing the state of {}: {e}", l.name),
                }
            }
        }
        let gone: Vec<String> = self.published.keys().filter(|n| !seen.contains(*n)).cloned().collect();
        for name in gone {
            match self.s.reg.delete_state(&name, me) {
                Ok(()) => {
                    self.published.remove(&name);
                }
                Err(e) => log::debug!("deleting the state of {name}: {e}"),
            }
        }
    }
}
