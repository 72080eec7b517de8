//! The agent's reconcile step, as fleet's agent does it (`agent/reconcile.go`): from the units
//! a machine should have (desired: name, unit file hash, Loaded or Launched) and the units it
//! has (current: name, hash of the loaded file, whether it runs), the tasks that make the one
//! into the other. Pure: the scheduler's agent side calls it and carries the tasks out through
//! a [`super::Handle`].
//!
//! Per unit: not desired → stop (if it runs) and unload; desired but not loaded → load, and
//! start if launched; loaded with another hash → unload, load, and start if launched; launched
//! but not running → start; loaded but running → stop. The tasks come stops first, then
//! unloads, loads and starts (so conflicting units are down before others come up, and every
//! unit is loaded before any start pulls it in), each kind in name order.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

use super::protocol::ListEntry;
use super::supervisor::ActiveState;

/// What a desired unit should be on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DesiredState {
    /// Loaded, not running.
    Loaded,
    /// Loaded and running.
    Launched,
}

/// A unit this machine should have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    pub name: String,
    /// [`unit_hash`] of its unit file.
    pub hash: String,
    pub state: DesiredState,
}

/// A unit this machine has (only those the reconciler manages: units loaded by others are
/// left out, or they would be unloaded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Current {
    pub name: String,
    /// [`unit_hash`] of the unit file loaded.
    pub hash: String,
    /// Active, reloading or activating (auto-restart included): up or on its way up.
    pub running: bool,
}

impl From<&ListEntry> for Current {
    fn from(e: &ListEntry) -> Current {
        let running =
            matches!(e.active, ActiveState::Active | ActiveState::Reloading | ActiveState::Activating);
        Current { name: e.unit.clone(), hash: e.hash.clone(), running }
    }
}

/// One thing to do to a unit, in the order [`reconcile`] gives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    Stop(String),
    Unload(String),
    /// Load the desired unit file (the caller has its text, by name).
    Load(String),
    Start(String),
}

impl Task {
    pub fn unit(&self) -> &str {
        match self {
            Task::Stop(n) | Task::Unload(n) | Task::Load(n) | Task::Start(n) => n,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Task::Stop(_) => 0,
            Task::Unload(_) => 1,
            Task::Load(_) => 2,
            Task::Start(_) => 3,
        }
    }
}

/// The tasks that take the machine from `current` to `desired`.
pub fn reconcile(desired: &[Desired], current: &[Current]) -> Vec<Task> {
    let want: BTreeMap<&str, &Desired> = desired.iter().map(|d| (d.name.as_str(), d)).collect();
    let have: BTreeMap<&str, &Current> = current.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut tasks = Vec::new();
    for (&name, c) in &have {
        if !want.contains_key(name) {
            if c.running {
                tasks.push(Task::Stop(name.to_string()));
            }
            tasks.push(Task::Unload(name.to_string()));
        }
    }
    for (&name, d) in &want {
        let launched = d.state == DesiredState::Launched;
        match have.get(name) {
            None => {
                tasks.push(Task::Load(name.to_string()));
                if launched {
                    tasks.push(Task::Start(name.to_string()));
                }
            }
            Some(c) if c.hash != d.hash => {
                tasks.push(Task::Unload(name.to_string()));
                tasks.push(Task::Load(name.to_string()));
                if launched {
                    tasks.push(Task::Start(name.to_string()));
                }
            }
            Some(c) if launched && !c.running => tasks.push(Task::Start(name.to_string())),
            Some(c) if !launched && c.running => tasks.push(Task::Stop(name.to_string())),
            Some(_) => {}
        }
    }
    tasks.sort_by(|a, b| (a.rank(), a.unit()).cmp(&(b.rank(), b.unit())));
    tasks
}

/// The hash that tells unit files apart: SHA-1 of the text, in hex (as fleet names units'
/// contents).
pub fn unit_hash(text: &str) -> String {
    Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, hash: &str, state: DesiredState) -> Desired {
        Desired { name: name.into(), hash: hash.into(), state }
    }

    fn c(name: &str, hash: &str, running: bool) -> Current {
        Current { name: name.into(), hash: hash.into(), running }
    }

    use DesiredState::{Launched, Loaded};
    use Task::{Load, Start, Stop, Unload};

    fn s(n: &str) -> String {
        n.to_string()
    }

    #[test]
    fn each_case_alone() {
        // (desired, current, tasks)
        let table: Vec<(Vec<Desired>, Vec<Current>, Vec<Task>)> = vec![
            (vec![], vec![], vec![]),
            // Not desired: stop if it runs, then unload.
            (vec![], vec![c("a", "h1", true)], vec![Stop(s("a")), Unload(s("a"))]),
            (vec![], vec![c("a", "h1", false)], vec![Unload(s("a"))]),
            // Desired, missing: load, and start if launched.
            (vec![d("a", "h1", Loaded)], vec![], vec![Load(s("a"))]),
            (vec![d("a", "h1", Launched)], vec![], vec![Load(s("a")), Start(s("a"))]),
            // Another file: unload, load, start if launched.
            (
                vec![d("a", "h2", Launched)],
                vec![c("a", "h1", true)],
                vec![Unload(s("a")), Load(s("a")), Start(s("a"))],
            ),
            (vec![d("a", "h2", Loaded)], vec![c("a", "h1", false)], vec![Unload(s("a")), Load(s("a"))]),
            // Same file: start or stop to match.
            (vec![d("a", "h1", Launched)], vec![c("a", "h1", false)], vec![Start(s("a"))]),
            (vec![d("a", "h1", Loaded)], vec![c("a", "h1", true)], vec![Stop(s("a"))]),
            // Already there.
            (vec![d("a", "h1", Launched)], vec![c("a", "h1", true)], vec![]),
            (vec![d("a", "h1", Loaded)], vec![c("a", "h1", false)], vec![]),
        ];
        for (desired, current, want) in table {
            assert_eq!(reconcile(&desired, &current), want, "{desired:?} {current:?}");
        }
    }

    #[test]
    fn tasks_come_stops_first_then_unloads_loads_and_starts() {
        let desired = vec![
            d("web.service", "w2", Launched),
            d("db.service", "d1", Launched),
            d("cache.service", "c1", Loaded),
            d("new.service", "n1", Launched),
        ];
        let current = vec![
            c("web.service", "w1", true),
            c("db.service", "d1", false),
            c("cache.service", "c1", true),
            c("old.service", "o1", true),
        ];
        assert_eq!(
            reconcile(&desired, &current),
            vec![
                Stop(s("cache.service")),
                Stop(s("old.service")),
                Unload(s("old.service")),
                Unload(s("web.service")),
                Load(s("new.service")),
                Load(s("web.service")),
                Start(s("db.service")),
                Start(s("new.service")),
                Start(s("web.service")),
            ]
        );
    }

    #[test]
    fn reconciling_twice_changes_nothing_more() {
        // Once the tasks are carried out, the machine matches and reconcile has nothing to do.
        let desired = vec![d("a", "h1", Launched), d("b", "h2", Loaded)];
        let after = vec![c("a", "h1", true), c("b", "h2", false)];
        assert!(reconcile(&desired, &after).is_empty());
    }

    #[test]
    fn current_from_a_list_entry() {
        use crate::agent::supervisor::{LoadState, Sub};
        let e = |sub: Sub| ListEntry {
            unit: "a.service".into(),
            load: LoadState::Loaded,
            active: sub.active(),
            sub,
            description: String::new(),
            main_pid: None,
            hash: "h".into(),
        };
        assert!(Current::from(&e(Sub::Running)).running);
        assert!(Current::from(&e(Sub::AutoRestart)).running);
        assert!(Current::from(&e(Sub::StartPre)).running);
        assert!(!Current::from(&e(Sub::Dead)).running);
        // On its way down: a start is queued behind the stop, a stop is not needed.
        assert!(!Current::from(&e(Sub::StopSigterm)).running);
        assert!(!Current::from(&e(Sub::Failed)).running);
        assert_eq!(Current::from(&e(Sub::Dead)).hash, "h");
    }

    #[test]
    fn hash_is_sha1_hex_of_the_text() {
        assert_eq!(unit_hash(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(unit_hash("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
