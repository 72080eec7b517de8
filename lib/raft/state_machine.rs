//! What the Raft log carries and how an entry changes the state.
//!
//! Every normal entry is one [`Command`] tagged with the ID of the request that proposed it,
//! so the member that holds the waiting client can answer it once the entry is applied.
//! Applying is deterministic: everything that depends on a clock (expiry times, the "sync"
//! that expires keys) was decided by the proposer and travels inside the command.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::membership::{Cluster, Member};
use crate::store::{self, Event, Store, TtlOptions};

/// A replicated change. Field names are short because every entry carries them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// PUT /v2/keys/...: set, create (prevExist=false), update (prevExist=true), compare-and-swap.
    Put {
        path: String,
        value: String,
        dir: bool,
        prev_value: String,
        prev_index: u64,
        prev_exist: Option<bool>,
        /// Absolute expiry in unix nanoseconds, computed by the member that took the request.
        expire: Option<i64>,
        refresh: bool,
    },
    /// POST /v2/keys/...: create an in-order key under `path`.
    Post { path: String, value: String, dir: bool, expire: Option<i64> },
    /// DELETE /v2/keys/...: delete or compare-and-delete.
    Delete { path: String, dir: bool, recursive: bool, prev_value: String, prev_index: u64 },
    /// The leader's clock: keys whose expiry is at or before `now` expire when this applies.
    Sync { now: i64 },
    /// A member publishes the client URLs it serves (etcd's "attributes").
    Publish { id: u64, name: String, client_urls: Vec<String> },
    /// `PUT /v2/members/ID`: a member's peer URLs change.
    UpdateMember { id: u64, peer_urls: Vec<String> },
    /// `/v2/auth`: users, roles, enabling auth.
    Auth(crate::auth::Change),
}

/// The result of applying one command, handed to the waiting request.
#[derive(Debug)]
pub enum Outcome {
    /// A `/v2/keys` write: its event, or why it was refused.
    Store(Result<Arc<Event>, store::Error>),
    /// A `/v2/auth` change: etcd's answer, or its refusal.
    Auth(Result<crate::auth::Answer, crate::auth::Error>),
}

/// Encodes an entry's payload: 8-byte request ID, then the command.
pub fn encode(id: u64, cmd: &Command) -> Vec<u8> {
    // Sized for the command so that the buffer is not regrown while it is written.
    let size = match cmd {
        Command::Put { path, value, prev_value, .. } => {
            path.len() + value.len() + value.len() / 8 + prev_value.len()
        }
        Command::Post { path, value, .. } => path.len() + value.len() + value.len() / 8,
        Command::Delete { path, prev_value, .. } => path.len() + prev_value.len(),
        _ => 64,
    };
    let mut out = Vec::with_capacity(8 + 160 + size);
    out.extend_from_slice(&id.to_be_bytes());
    serde_json::to_writer(&mut out, cmd).expect("commands always serialize");
    out
}

pub fn decode(data: &[u8]) -> Result<(u64, Command), String> {
    if data.len() < 8 {
        return Err(format!("entry payload of {} bytes is too short", data.len()));
    }
    let id = u64::from_be_bytes(data[..8].try_into().unwrap());
    let cmd = serde_json::from_slice(&data[8..]).map_err(|e| format!("undecodable command: {e}"))?;
    Ok((id, cmd))
}

/// The replicated state: the v2 store plus the membership.
pub struct StateMachine {
    pub store: Store,
    pub cluster: Cluster,
    /// Users, roles and whether auth is on (etcd 2 keeps them under `/2` in its store).
    pub auth: crate::auth::Auth,
    /// Set when an applied entry changed who the members are or where they listen; the
    /// applier clears it after telling the transport.
    pub membership_changed: bool,
}

/// The state machine as `StateMachine::image` copied it; `encode` gives `save`'s bytes.
pub struct StateImage {
    cluster: Vec<u8>,
    store: crate::store::StoreImage,
}

impl StateImage {
    pub fn encode(self) -> Vec<u8> {
        let store = self.store.encode();
        let mut out = Vec::with_capacity(4 + self.cluster.len() + store.len());
        out.extend_from_slice(&(self.cluster.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.cluster);
        out.extend_from_slice(&store);
        out
    }
}

impl StateMachine {
    pub fn new(store: Store, cluster: Cluster) -> StateMachine {
        StateMachine { store, cluster, auth: Default::default(), membership_changed: false }
    }
}

/// What a snapshot holds beside the store. (Snapshots made before auth hold the membership
/// alone; they still load.)
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    cluster: Cluster,
    #[serde(default)]
    auth: crate::auth::Auth,
}

impl StateMachine {
    /// Applies one command. `now` (unix nanos, this member's clock) is only used to render TTLs
    /// in the returned event.
    pub fn apply(&mut self, cmd: Command, now: i64) -> Option<Outcome> {
        let s = &mut self.store;
        Some(Outcome::Store(match cmd {
            Command::Put { path, value, dir, prev_value, prev_index, prev_exist, expire, refresh } => {
                let ttl = TtlOptions { expire_time: expire, refresh };
                match prev_exist {
                    Some(true) if prev_index == 0 && prev_value.is_empty() => {
                        s.update(&path, &value, ttl, now)
                    }
                    Some(true) => s.compare_and_swap(&path, &prev_value, prev_index, &value, ttl, now),
                    Some(false) => s.create(&path, dir, &value, false, ttl, now),
                    None if prev_index > 0 || !prev_value.is_empty() => {
                        s.compare_and_swap(&path, &prev_value, prev_index, &value, ttl, now)
                    }
                    None => s.set(&path, dir, &value, ttl, now),
                }
            }
            Command::Post { path, value, dir, expire } => {
                s.create(&path, dir, &value, true, TtlOptions { expire_time: expire, refresh: false }, now)
            }
            Command::Delete { path, dir, recursive, prev_value, prev_index } => {
                if prev_index > 0 || !prev_value.is_empty() {
                    s.compare_and_delete(&path, &prev_value, prev_index, now)
                } else {
                    s.delete(&path, dir, recursive, now)
                }
            }
            Command::Sync { now: cutoff } => {
                s.delete_expired_keys(cutoff);
                return None;
            }
            Command::Publish { id, name, client_urls } => {
                if let Some(m) = self.cluster.members.get_mut(&id) {
                    m.name = name;
                    m.client_urls = client_urls;
                }
                return None;
            }
            Command::UpdateMember { id, mut peer_urls } => {
                if let Some(m) = self.cluster.members.get_mut(&id) {
                    peer_urls.sort();
                    m.peer_urls = peer_urls;
                    self.membership_changed = true;
                }
                return None;
            }
            Command::Auth(change) => return Some(Outcome::Auth(self.auth.apply(change))),
        }))
    }

    /// Snapshot payload: 4-byte length of the membership JSON, the membership, the store.
    pub fn save(&self) -> Vec<u8> {
        self.image().encode()
    }

    /// A copy of the state to be encoded later (see [`Store::image`]).
    pub fn image(&self) -> StateImage {
        let meta = Meta { cluster: self.cluster.clone(), auth: self.auth.clone() };
        StateImage {
            cluster: serde_json::to_vec(&meta).expect("cluster serializes"),
            store: self.store.image(),
        }
    }

    pub fn recover(data: &[u8]) -> Result<StateMachine, String> {
        if data.len() < 4 {
            return Err("snapshot too short".into());
        }
        let n = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
        if data.len() < 4 + n {
            return Err("snapshot truncated".into());
        }
        let meta = &data[4..4 + n];
        let meta: Meta = match serde_json::from_slice(meta) {
            Ok(m) => m,
            Err(_) => Meta {
                cluster: serde_json::from_slice(meta).map_err(|e| format!("snapshot membership: {e}"))?,
                auth: Default::default(),
            },
        };
        let store = Store::recover(&data[4 + n..])?;
        let mut sm = StateMachine::new(store, meta.cluster);
        sm.auth = meta.auth;
        Ok(sm)
    }

    pub fn member(&self, id: u64) -> Option<&Member> {
        self.cluster.members.get(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip() {
        let cmd = Command::Put {
            path: "/a".into(),
            value: "v\u{e9}".into(),
            dir: false,
            prev_value: String::new(),
            prev_index: 0,
            prev_exist: Some(false),
            expire: Some(5),
            refresh: false,
        };
        let (id, back) = decode(&encode(42, &cmd)).unwrap();
        assert_eq!(id, 42);
        assert_eq!(back, cmd);
        assert!(decode(b"short").is_err());
        assert!(decode(b"12345678{").is_err());
    }

    #[test]
    fn apply_maps_put_variants_like_etcd() {
        let mut sm = StateMachine::new(Store::new(), Cluster::default());
        let put = |value: &str, prev_exist: Option<bool>, prev_value: &str| Command::Put {
            path: "/k".into(),
            value: value.into(),
            dir: false,
            prev_value: prev_value.into(),
            prev_index: 0,
            prev_exist,
            expire: None,
            refresh: false,
        };
        let mut sm_apply = |c| match sm.apply(c, 0) {
            Some(Outcome::Store(r)) => r,
            other => panic!("{other:?}"),
        };
        let e = sm_apply(put("1", Some(false), "")).unwrap();
        assert_eq!(e.action.as_str(), "create");
        let e = sm_apply(put("2", None, "")).unwrap();
        assert_eq!(e.action.as_str(), "set");
        let e = sm_apply(put("3", Some(true), "")).unwrap();
        assert_eq!(e.action.as_str(), "update");
        let e = sm_apply(put("4", None, "3")).unwrap();
        assert_eq!(e.action.as_str(), "compareAndSwap");
        let err = sm_apply(put("5", Some(true), "nope")).unwrap_err();
        assert_eq!(err.code, 101);
        sm.auth.enabled = true;
        let saved = sm.save();
        let back = StateMachine::recover(&saved).unwrap();
        assert_eq!(back.store.index(), sm.store.index());
        assert!(back.auth.enabled, "auth is in the snapshot");
        // A snapshot from before auth: the membership alone.
        let cluster = serde_json::to_vec(&sm.cluster).unwrap();
        let mut old = (cluster.len() as u32).to_be_bytes().to_vec();
        old.extend_from_slice(&cluster);
        old.extend_from_slice(&saved[4 + u32::from_be_bytes(saved[..4].try_into().unwrap()) as usize..]);
        let back = StateMachine::recover(&old).unwrap();
        assert_eq!((back.store.index(), back.auth.enabled), (sm.store.index(), false));
    }
}
