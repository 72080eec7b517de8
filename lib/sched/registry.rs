//! The scheduler's state in the store, typed: every read and write the CLI, the engine and the
//! agents make goes through here, over [`crate::client::Client`] (so several endpoints, with
//! failover). Keys and record formats are [`super::keys`] and [`super::records`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::keys::Keys;
use super::records::{Assignment, Desired, GlobalUnit, Lease, MachineRecord, UnitRecord, UnitState};
use crate::client::{Client, DeleteOptions, Error, GetOptions, Node, PrevExist, SetOptions, Watcher};

/// etcd's error codes the scheduler cares about.
pub const KEY_NOT_FOUND: u32 = 100;
pub const TEST_FAILED: u32 = 101;
pub const NODE_EXIST: u32 = 105;
/// `waitIndex` older than the event history: re-read, then watch from the new index.
pub const EVENT_INDEX_CLEARED: u32 = 401;

pub fn is_code(e: &Error, code: u32) -> bool {
    e.etcd().is_some_and(|x| x.code == code)
}

/// unit → (machine, assignment).
pub type Schedule = BTreeMap<String, (String, Assignment)>;

/// The registry: a client and the key layout.
pub struct Registry {
    pub client: Client,
    pub keys: Keys,
}

/// A directory's children (nothing when it does not exist) and the store index of the read.
pub struct Listing {
    pub nodes: Vec<Node>,
    pub index: u64,
}

impl Registry {
    pub fn new(client: Client, keys: Keys) -> Registry {
        Registry { client, keys }
    }

    /// The children of a directory, recursively flattened to its leaves.
    pub fn list(&self, dir: &str) -> Result<Listing, Error> {
        match self.client.get(dir, GetOptions { recursive: true, sorted: true, quorum: false }) {
            Ok(r) => Ok(Listing {
                nodes: r.node.walk().into_iter().filter(|n| !n.dir).cloned().collect(),
                index: r.index,
            }),
            Err(e) if is_code(&e, KEY_NOT_FOUND) => {
                Ok(Listing { nodes: Vec::new(), index: e.etcd().map(|x| x.index).unwrap_or(0) })
            }
            Err(e) => Err(e),
        }
    }

    fn get_value(&self, key: &str) -> Result<Option<Node>, Error> {
        match self.client.get(key, GetOptions::default()) {
            Ok(r) => Ok(Some(r.node)),
            Err(e) if is_code(&e, KEY_NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn put(&self, key: &str, value: &str, o: &SetOptions) -> Result<u64, Error> {
        self.client.set(key, value, o).map(|r| r.node.modified_index)
    }

    fn delete(&self, key: &str, o: &DeleteOptions) -> Result<(), Error> {
        match self.client.delete(key, o) {
            Ok(_) => Ok(()),
            Err(e) if is_code(&e, KEY_NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ----- units and their texts -----

    pub fn units(&self) -> Result<(BTreeMap<String, UnitRecord>, u64), Error> {
        let l = self.list(&self.keys.units())?;
        Ok((parse_all(&l.nodes), l.index))
    }

    /// A unit and the index of its record (for compare-and-swap).
    pub fn unit(&self, name: &str) -> Result<Option<(UnitRecord, u64)>, Error> {
        Ok(self.get_value(&self.keys.unit(name))?.and_then(|n| {
            let i = n.modified_index;
            serde_json::from_str(&n.value).ok().map(|u| (u, i))
        }))
    }

    pub fn text(&self, hash: &str) -> Result<Option<String>, Error> {
        Ok(self.get_value(&self.keys.text(hash))?.map(|n| n.value))
    }

    /// Stores a unit's text under its hash (once: the same hash is the same text).
    pub fn put_text(&self, hash: &str, text: &str) -> Result<(), Error> {
        let o = SetOptions { prev_exist: PrevExist::MustNotExist, ..Default::default() };
        match self.put(&self.keys.text(hash), text, &o) {
            Ok(_) => Ok(()),
            Err(e) if is_code(&e, NODE_EXIST) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates a unit record; false when it exists already.
    pub fn create_unit(&self, u: &UnitRecord) -> Result<bool, Error> {
        let o = SetOptions { prev_exist: PrevExist::MustNotExist, ..Default::default() };
        match self.put(&self.keys.unit(&u.name), &to_json(u), &o) {
            Ok(_) => Ok(true),
            Err(e) if is_code(&e, NODE_EXIST) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Replaces a unit record if it is still at `index`; false when it changed meanwhile.
    pub fn replace_unit(&self, u: &UnitRecord, index: u64) -> Result<bool, Error> {
        let o = SetOptions { prev_index: index, ..Default::default() };
        match self.put(&self.keys.unit(&u.name), &to_json(u), &o) {
            Ok(_) => Ok(true),
            Err(e) if is_code(&e, TEST_FAILED) || is_code(&e, KEY_NOT_FOUND) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Sets a unit's desired state (compare-and-swap, retried); None when it does not exist.
    pub fn set_desired(&self, name: &str, desired: Desired) -> Result<Option<UnitRecord>, Error> {
        loop {
            let Some((mut u, index)) = self.unit(name)? else { return Ok(None) };
            if u.desired == desired {
                return Ok(Some(u));
            }
            u.desired = desired;
            if self.replace_unit(&u, index)? {
                return Ok(Some(u));
            }
        }
    }

    /// Deletes a unit record; false when there was none.
    pub fn destroy_unit(&self, name: &str) -> Result<bool, Error> {
        match self.client.delete(&self.keys.unit(name), &DeleteOptions::default()) {
            Ok(_) => Ok(true),
            Err(e) if is_code(&e, KEY_NOT_FOUND) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // ----- machines -----

    pub fn machines(&self) -> Result<BTreeMap<String, MachineRecord>, Error> {
        let l = self.list(&self.keys.machines())?;
        Ok(l.nodes
            .iter()
            .filter_map(|n| serde_json::from_str::<MachineRecord>(&n.value).ok())
            .map(|m| (m.id.clone(), m))
            .collect())
    }

    /// Writes (or refreshes) a machine record with a TTL; the store index of the write.
    pub fn put_machine(&self, m: &MachineRecord, ttl: Duration) -> Result<u64, Error> {
        let o = SetOptions { ttl: ttl.as_secs().max(1), ..Default::default() };
        self.put(&self.keys.machine(&m.id), &to_json(m), &o)
    }

    /// Renews a machine record's TTL without rewriting it (etcd's `refresh`: watchers are not
    /// woken, so a heartbeat costs the engine nothing); the store index of the renewal.
    pub fn refresh_machine(&self, id: &str, ttl: Duration) -> Result<u64, Error> {
        let o = SetOptions {
            refresh: true,
            prev_exist: PrevExist::MustExist,
            ttl: ttl.as_secs().max(1),
            ..Default::default()
        };
        self.put(&self.keys.machine(id), "", &o)
    }

    pub fn delete_machine(&self, id: &str) -> Result<(), Error> {
        self.delete(&self.keys.machine(id), &DeleteOptions::default())
    }

    // ----- the schedule -----

    /// unit → (machine, assignment), for the whole cluster, and the index of the read.
    pub fn schedule(&self) -> Result<(Schedule, u64), Error> {
        let l = self.list(&self.keys.schedule())?;
        let mut out = BTreeMap::new();
        for n in &l.nodes {
            if let (Some((machine, unit)), Ok(a)) =
                (Keys::last_two(&n.key), serde_json::from_str::<Assignment>(&n.value))
            {
                out.insert(unit.to_string(), (machine.to_string(), a));
            }
        }
        Ok((out, l.index))
    }

    /// One machine's assignments (what its agent reads, and only that).
    pub fn schedule_of(&self, machine: &str) -> Result<(BTreeMap<String, Assignment>, u64), Error> {
        let l = self.list(&self.keys.schedule_of(machine))?;
        Ok((parse_all(&l.nodes), l.index))
    }

    pub fn assign(&self, machine: &str, unit: &str, a: &Assignment) -> Result<(), Error> {
        self.put(&self.keys.assignment(machine, unit), &to_json(a), &SetOptions::default()).map(|_| ())
    }

    pub fn unassign(&self, machine: &str, unit: &str) -> Result<(), Error> {
        self.delete(&self.keys.assignment(machine, unit), &DeleteOptions::default())
    }

    // ----- global units -----

    pub fn globals(&self) -> Result<(BTreeMap<String, GlobalUnit>, u64), Error> {
        let l = self.list(&self.keys.globals())?;
        Ok((parse_all(&l.nodes), l.index))
    }

    pub fn put_global(&self, unit: &str, g: &GlobalUnit) -> Result<(), Error> {
        self.put(&self.keys.global(unit), &to_json(g), &SetOptions::default()).map(|_| ())
    }

    pub fn delete_global(&self, unit: &str) -> Result<(), Error> {
        self.delete(&self.keys.global(unit), &DeleteOptions::default())
    }

    // ----- states -----

    /// unit → machine → state.
    pub fn states(&self) -> Result<BTreeMap<String, BTreeMap<String, UnitState>>, Error> {
        let l = self.list(&self.keys.states())?;
        let mut out: BTreeMap<String, BTreeMap<String, UnitState>> = BTreeMap::new();
        for n in &l.nodes {
            if let (Some((unit, machine)), Ok(s)) =
                (Keys::last_two(&n.key), serde_json::from_str::<UnitState>(&n.value))
            {
                out.entry(unit.to_string()).or_default().insert(machine.to_string(), s);
            }
        }
        Ok(out)
    }

    /// One unit's states, per machine.
    pub fn states_of(&self, unit: &str) -> Result<BTreeMap<String, UnitState>, Error> {
        let l = self.list(&self.keys.states_of(unit))?;
        Ok(l.nodes
            .iter()
            .filter_map(|n| serde_json::from_str::<UnitState>(&n.value).ok())
            .map(|s| (s.machine.clone(), s))
            .collect())
    }

    pub fn put_state(&self, unit: &str, s: &UnitState, ttl: Duration) -> Result<(), Error> {
        let o = SetOptions { ttl: ttl.as_secs().max(1), ..Default::default() };
        self.put(&self.keys.state(unit, &s.machine), &to_json(s), &o).map(|_| ())
    }

    /// Renews a state's TTL without rewriting it (no watcher is woken).
    pub fn refresh_state(&self, unit: &str, machine: &str, ttl: Duration) -> Result<(), Error> {
        let o = SetOptions {
            refresh: true,
            prev_exist: PrevExist::MustExist,
            ttl: ttl.as_secs().max(1),
            ..Default::default()
        };
        self.put(&self.keys.state(unit, machine), "", &o).map(|_| ())
    }

    pub fn delete_state(&self, unit: &str, machine: &str) -> Result<(), Error> {
        self.delete(&self.keys.state(unit, machine), &DeleteOptions::default())
    }

    // ----- reasons -----

    pub fn reasons(&self) -> Result<BTreeMap<String, String>, Error> {
        let l = self.list(&self.keys.reasons())?;
        Ok(l.nodes.iter().map(|n| (Keys::last(&n.key).to_string(), n.value.clone())).collect())
    }

    pub fn reason(&self, unit: &str) -> Result<Option<String>, Error> {
        Ok(self.get_value(&self.keys.reason(unit))?.map(|n| n.value))
    }

    pub fn set_reason(&self, unit: &str, reason: &str) -> Result<(), Error> {
        self.put(&self.keys.reason(unit), reason, &SetOptions::default()).map(|_| ())
    }

    pub fn clear_reason(&self, unit: &str) -> Result<(), Error> {
        self.delete(&self.keys.reason(unit), &DeleteOptions::default())
    }

    // ----- the engine's lease -----

    /// The lease and its index, if anyone holds it.
    pub fn lease(&self) -> Result<Option<(Lease, u64)>, Error> {
        Ok(self.get_value(&self.keys.lease())?.and_then(|n| {
            let i = n.modified_index;
            serde_json::from_str(&n.value).ok().map(|l| (l, i))
        }))
    }

    /// Takes the lease if nobody holds it: its index, or None when someone does.
    pub fn take_lease(&self, l: &Lease, ttl: Duration) -> Result<Option<u64>, Error> {
        let o = SetOptions {
            prev_exist: PrevExist::MustNotExist,
            ttl: ttl.as_secs().max(1),
            ..Default::default()
        };
        match self.put(&self.keys.lease(), &to_json(l), &o) {
            Ok(i) => Ok(Some(i)),
            Err(e) if is_code(&e, NODE_EXIST) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Renews a lease held at `index`: its new index, or None when it was lost.
    pub fn renew_lease(&self, l: &Lease, index: u64, ttl: Duration) -> Result<Option<u64>, Error> {
        let o = SetOptions { prev_index: index, ttl: ttl.as_secs().max(1), ..Default::default() };
        match self.put(&self.keys.lease(), &to_json(l), &o) {
            Ok(i) => Ok(Some(i)),
            Err(e) if is_code(&e, TEST_FAILED) || is_code(&e, KEY_NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Gives the lease up (only if still held at `index`).
    pub fn release_lease(&self, index: u64) -> Result<(), Error> {
        match self
            .client
            .delete(&self.keys.lease(), &DeleteOptions { prev_index: index, ..Default::default() })
        {
            Ok(_) => Ok(()),
            Err(e) if is_code(&e, TEST_FAILED) || is_code(&e, KEY_NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A watcher on a directory, recursively, for changes after `index`.
    pub fn watcher(&self, dir: &str, index: u64) -> Watcher<'_> {
        self.client.watcher(dir, index, true)
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The leaves of a listing as records keyed by their last segment (unreadable ones skipped).
fn parse_all<T: serde::de::DeserializeOwned>(nodes: &[Node]) -> BTreeMap<String, T> {
    nodes
        .iter()
        .filter_map(|n| serde_json::from_str::<T>(&n.value).ok().map(|v| (Keys::last(&n.key).to_string(), v)))
        .collect()
}
