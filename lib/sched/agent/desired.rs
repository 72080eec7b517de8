//! What the cluster wants of this machine: its assignments (`schedule/<id>/`) and the global
//! units (`global/`) — the only two directories an agent reads and watches. Each is read
//! whole once, then followed by a watch from the read's index; a watch that fails or falls
//! behind the store's event history (401) reads its directory again. Nothing else in the
//! registry wakes this machine, however large the cluster.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Shared;
use crate::client::Response;
use crate::sched::keys::Keys;
use crate::sched::records::{Assignment, GlobalUnit};
use crate::sched::registry::{EVENT_INDEX_CLEARED, is_code};

/// The desired units as last read.
#[derive(Default)]
pub struct View {
    pub assignments: BTreeMap<String, Assignment>,
    pub globals: BTreeMap<String, GlobalUnit>,
    /// The store index each part is known complete up to; older events are already in it.
    pub assignments_index: u64,
    pub globals_index: u64,
}

#[derive(Clone, Copy)]
pub enum Part {
    Assignments,
    Globals,
}

impl View {
    /// Replaces a part with a fresh read.
    pub fn replace(&mut self, part: Part, nodes: &[crate::client::Node], index: u64) {
        match part {
            Part::Assignments => {
                self.assignments = parse(nodes);
                self.assignments_index = index;
            }
            Part::Globals => {
                self.globals = parse(nodes);
                self.globals_index = index;
            }
        }
    }

    /// Applies one watched change (ignored if the part's last read already has it).
    pub fn apply(&mut self, part: Part, r: &Response) -> bool {
        let index = r.node.modified_index;
        let gone = matches!(r.action.as_str(), "delete" | "expire" | "compareAndDelete");
        let name = Keys::last(&r.node.key).to_string();
        match part {
            Part::Assignments => {
                if index <= self.assignments_index {
                    return false;
                }
                self.assignments_index = index;
                apply_one(&mut self.assignments, name, gone, &r.node.value)
            }
            Part::Globals => {
                if index <= self.globals_index {
                    return false;
                }
                self.globals_index = index;
                apply_one(&mut self.globals, name, gone, &r.node.value)
            }
        }
    }
}

fn apply_one<T: serde::de::DeserializeOwned + PartialEq>(
    map: &mut BTreeMap<String, T>,
    name: String,
    gone: bool,
    value: &str,
) -> bool {
    if gone {
        return map.remove(&name).is_some();
    }
    match serde_json::from_str::<T>(value) {
        Ok(v) => {
            let changed = map.get(&name) != Some(&v);
            map.insert(name, v);
            changed
        }
        Err(e) => {
            log::warn!("ignoring an unreadable record: {e}");
            false
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(nodes: &[crate::client::Node]) -> BTreeMap<String, T> {
    nodes
        .iter()
        .filter_map(|n| serde_json::from_str::<T>(&n.value).ok().map(|v| (Keys::last(&n.key).to_string(), v)))
        .collect()
}

/// Reads one part now (the reconciler does after the fence lifts: the engine may have moved
/// units away meanwhile).
pub fn read(s: &Shared, part: Part) -> Result<(), crate::client::Error> {
    let dir = dir_of(s, part);
    let l = s.reg.list(&dir)?;
    s.view.lock().replace(part, &l.nodes, l.index);
    Ok(())
}

fn dir_of(s: &Shared, part: Part) -> String {
    match part {
        Part::Assignments => s.reg.keys.schedule_of(&s.cfg.machine_id),
        Part::Globals => s.reg.keys.globals(),
    }
}

/// Reads and then follows one part until the agent stops.
pub fn follow(s: Arc<Shared>, part: Part) {
    let dir = dir_of(&s, part);
    let idle = s.cfg.ttl / 3;
    'read: while !s.stop.load(Ordering::Relaxed) {
        let index = match s.reg.list(&dir) {
            Ok(l) => {
                s.view.lock().replace(part, &l.nodes, l.index);
                s.wake();
                l.index
            }
            Err(e) => {
                log::debug!("reading {dir}: {e}");
                s.sleep(Duration::from_secs(1));
                continue;
            }
        };
        let mut w = s.reg.watcher(&dir, index);
        while !s.stop.load(Ordering::Relaxed) {
            match w.next_change_within(idle) {
                Ok(None) => {}
                Ok(Some(r)) => {
                    if s.view.lock().apply(part, &r) {
                        s.wake();
                    }
                }
                Err(e) if is_code(&e, EVENT_INDEX_CLEARED) => continue 'read,
                Err(e) => {
                    log::debug!("watching {dir}: {e}");
                    s.sleep(Duration::from_secs(1));
                    continue 'read;
                }
            }
        }
    }
}
