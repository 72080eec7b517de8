//! Each unit's state as this machine sees it, in the store for everyone (`states/<unit>/<id>`,
//! TTL three times `agent_ttl`): written when it changes, its TTL refreshed once per
//! `agent_ttl` otherwise (etcd's `refresh`: nothing rewritten, no watcher woken), deleted when
//! the unit leaves the machine. Readers count a state only while its machine's record lives,
//! so the longer TTL never shows a dead machine's units. fleet rewrote every state every few
//! seconds whether or not it changed: 10,000 units cost it thousands of writes a second.
//!
//! The reconciler only describes the states ([`picture`]) and hands them over; a thread of
//! its own writes them, so a store that is slow or cut off never holds up the reconciler —
//! which must be free to fence the machine on time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

use super::Shared;
use super::units::Local;
use crate::sched::records::{Desired, UnitState};
use crate::sched::registry::{KEY_NOT_FOUND, is_code};

/// unit → the state to publish.
pub type Picture = BTreeMap<String, UnitState>;

/// The states this machine should show for its units: those it manages, and those it is
/// still unloading.
pub fn picture(
    machine: &str,
    managed: &BTreeSet<String>,
    launched: &BTreeSet<String>,
    desired: &BTreeMap<&str, Desired>,
    local: &[Local],
    busy: &BTreeSet<String>,
) -> Picture {
    let mut out = Picture::new();
    for l in local {
        if !managed.contains(&l.name) && !busy.contains(&l.name) {
            continue;
        }
        // Launched when asked to be and started here (what `start` waits for), and while a
        // stop is still under way: `stop` waits for the unit to be down.
        let asked = launched.contains(&l.name) && desired.get(l.name.as_str()) == Some(&Desired::Launched);
        let still_up = matches!(l.active.as_str(), "active" | "activating" | "deactivating" | "reloading");
        let job = if asked || still_up { Desired::Launched } else { Desired::Loaded };
        out.insert(
            l.name.clone(),
            UnitState {
                job,
                load: l.load.clone(),
                active: l.active.clone(),
                sub: l.sub.clone(),
                hash: l.hash.clone(),
                machine: machine.to_string(),
            },
        );
    }
    out
}

/// The publishing thread: writes the newest picture it was given, renews what it wrote every
/// half TTL, and deletes the states of units that left; until the agent stops.
pub fn run(s: Arc<Shared>, wake: Receiver<()>) {
    let ttl = s.cfg.ttl;
    let me = s.cfg.machine_id.clone();
    let mut published: BTreeMap<String, (UnitState, Instant)> = BTreeMap::new();
    let mut want = Picture::new();
    while !s.stop.load(Ordering::Relaxed) {
        match wake.recv_timeout(ttl / 4) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Some(p) = s.states.lock().take() {
            want = p;
        }
        for (name, state) in &want {
            let written = match published.get(name) {
                Some((old, _)) if old != state => s.reg.put_state(name, state, 3 * ttl),
                Some((_, at)) if at.elapsed() >= ttl => match s.reg.refresh_state(name, &me, 3 * ttl) {
                    Err(e) if is_code(&e, KEY_NOT_FOUND) => s.reg.put_state(name, state, 3 * ttl),
                    r => r,
                },
                Some(_) => continue,
                None => s.reg.put_state(name, state, 3 * ttl),
            };
            match written {
                Ok(()) => {
                    published.insert(name.clone(), (state.clone(), Instant::now()));
                }
                Err(e) => log::debug!("publishing the state of {name}: {e}"),
            }
            if s.stop.load(Ordering::Relaxed) {
                return;
            }
        }
        let gone: Vec<String> = published.keys().filter(|n| !want.contains_key(*n)).cloned().collect();
        for name in gone {
            match s.reg.delete_state(&name, &me) {
                Ok(()) => {
                    published.remove(&name);
                }
                Err(e) => log::debug!("deleting the state of {name}: {e}"),
            }
        }
    }
}
