//! A member's start: the data dir and who it belongs to, the first start of a new cluster, a
//! member joining a running one, and every restart after — then the Raft node, ready to run.
//!
//! The data dir holds `wal/` (the Raft log, [`super::log_store`]), `snap.redb` (the newest
//! snapshot) and, in the log's metadata, the member's identity (name, member ID, cluster ID,
//! cluster token) and the cluster as it was bootstrapped. A data dir is refused when it
//! belongs to another member name or another cluster token, or holds the old log format.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::log_store::{self, LogStore};
use super::membership::{self, Cluster, Member};
use super::node::{Node, NodeConfig, Shared, Transport};
use super::snap_store::SnapStore;
use super::state_machine::StateMachine;
use crate::store::Store;

/// A member joining a running cluster (`--initial-cluster-state existing`), as the existing
/// members describe it: its ID (assigned by `POST /v2/members`) and the cluster.
pub struct Join {
    pub member_id: u64,
    pub cluster: Cluster,
}

/// What a member needs to start.
pub struct Boot {
    /// Set when joining a running cluster with an empty data dir.
    pub join: Option<Join>,
    pub name: String,
    pub data_dir: PathBuf,
    pub initial_cluster: String,
    pub initial_cluster_token: String,
    pub initial_advertise_peer_urls: Vec<String>,
    pub heartbeat: Duration,
    pub election_timeout: Duration,
    pub snapshot_count: u64,
}

/// Who this data dir belongs to; written once when the member is first created.
#[derive(Serialize, Deserialize)]
struct Identity {
    name: String,
    member_id: u64,
    cluster_id: u64,
    /// The --initial-cluster-token the data dir was made with.
    #[serde(default)]
    token: String,
}

const IDENTITY: &str = "identity";
const BOOTSTRAP_CLUSTER: &str = "bootstrap_cluster";
/// The Raft log's directory in the data dir.
pub const LOG_DIR: &str = "wal";
/// Where the log lived before it was a WAL of our own; such a data dir is refused.
const OLD_LOG_FILE: &str = "kv.redb";
const SNAP_FILE: &str = "snap.redb";

/// Opens the data dir (creating a new member the first time) and builds the Raft node, with
/// the transport `transport` makes for (this member's ID, the cluster as last known).
/// Returns the node, ready to `run`, the state it shares, and the last log index at boot.
pub fn boot(
    b: &Boot,
    transport: impl FnOnce(u64, &Cluster) -> Box<dyn Transport>,
) -> Result<(Node, Arc<Shared>, u64), String> {
    if b.data_dir.join(OLD_LOG_FILE).exists() {
        return Err(format!(
            "{}: this data dir holds a log in the old format ({OLD_LOG_FILE}); start from an empty data dir",
            b.data_dir.display()
        ));
    }
    create_data_dir(&b.data_dir)?;
    let snap_path = b.data_dir.join(SNAP_FILE);
    let snaps = Arc::new(SnapStore::open(&snap_path).map_err(|e| format!("{}: {e}", snap_path.display()))?);
    let path = b.data_dir.join(LOG_DIR);
    let mut log = LogStore::open(&path, snaps.clone()).map_err(|e| format!("{}: {e}", path.display()))?;
    let ioerr = |e: log_store::LogError| format!("{}: {e}", path.display());

    let stored = log.get_meta(IDENTITY).map_err(ioerr)?;
    let (identity, sm, conf_state) = match (stored, &b.join) {
        (None, Some(join)) => {
            // Everything (membership, store, configuration) comes from the leader's snapshot.
            let identity = Identity {
                name: b.name.clone(),
                member_id: join.member_id,
                cluster_id: join.cluster.id,
                token: b.initial_cluster_token.clone(),
            };
            log.put_meta(BOOTSTRAP_CLUSTER, &serde_json::to_vec(&join.cluster).unwrap()).map_err(ioerr)?;
            log.put_meta(IDENTITY, &serde_json::to_vec(&identity).unwrap()).map_err(ioerr)?;
            let sm = StateMachine::new(Store::new(), join.cluster.clone());
            (identity, sm, ::raft::eraftpb::ConfState::default())
        }
        (None, None) => {
            let cluster = Cluster::from_initial(&b.initial_cluster, &b.initial_cluster_token)?;
            let me = cluster.member_by_name(&b.name).ok_or_else(|| {
                format!("--initial-cluster has no member named {:?} (the value of --name)", b.name)
            })?;
            let mut want = b.initial_advertise_peer_urls.clone();
            want.sort();
            if me.peer_urls != want {
                return Err(format!(
                    "--initial-advertise-peer-urls ({}) does not match --initial-cluster's URLs for {} ({})",
                    want.join(","),
                    b.name,
                    me.peer_urls.join(",")
                ));
            }
            let identity = Identity {
                name: b.name.clone(),
                member_id: me.id,
                cluster_id: cluster.id,
                token: b.initial_cluster_token.clone(),
            };
            let mut cs = ::raft::eraftpb::ConfState::default();
            cs.voters = cluster.members.keys().copied().collect();
            let sm = StateMachine::new(Store::new(), cluster.clone());
            let mut snap = ::raft::eraftpb::Snapshot::default();
            snap.mut_metadata().index = 1;
            snap.mut_metadata().term = 1;
            snap.mut_metadata().set_conf_state(cs.clone());
            snap.data = sm.save().into();
            snaps.save(&snap).map_err(|e| format!("{}: {e}", snap_path.display()))?;
            log.bootstrap(snap.get_metadata()).map_err(ioerr)?;
            log.put_meta(BOOTSTRAP_CLUSTER, &serde_json::to_vec(&cluster).unwrap()).map_err(ioerr)?;
            log.put_meta(IDENTITY, &serde_json::to_vec(&identity).unwrap()).map_err(ioerr)?;
            (identity, sm, cs)
        }
        (Some(raw), _) => {
            let identity: Identity = serde_json::from_slice(&raw)
                .map_err(|e| format!("{}: bad member identity: {e}", path.display()))?;
            if identity.name != b.name {
                return Err(format!(
                    "data dir {} belongs to member {:?}, not {:?} (--name)",
                    b.data_dir.display(),
                    identity.name,
                    b.name
                ));
            }
            // The membership may have changed since the data dir was made (so --initial-cluster
            // may differ), but a different token means another cluster altogether.
            if !identity.token.is_empty() && identity.token != b.initial_cluster_token {
                return Err(format!(
                    "data dir {} belongs to cluster {} (--initial-cluster-token {:?}), not to one with \
                     --initial-cluster-token {:?}; use another --data-dir",
                    b.data_dir.display(),
                    membership::id_string(identity.cluster_id),
                    identity.token,
                    b.initial_cluster_token
                ));
            }
            let (sm, cs) = if log.snapshot_metadata().index > 0 {
                let snap = log.load_snapshot().map_err(ioerr)?;
                let sm = StateMachine::recover(&snap.data)
                    .map_err(|e| format!("{}: snapshot: {e}", snap_path.display()))?;
                (sm, snap.get_metadata().get_conf_state().clone())
            } else {
                let raw = log
                    .get_meta(BOOTSTRAP_CLUSTER)
                    .map_err(ioerr)?
                    .ok_or_else(|| format!("{}: no cluster recorded", path.display()))?;
                let cluster: Cluster = serde_json::from_slice(&raw)
                    .map_err(|e| format!("{}: bad cluster record: {e}", path.display()))?;
                (StateMachine::new(Store::new(), cluster), log.conf_state().clone())
            };
            (identity, sm, cs)
        }
    };

    let heartbeat_ms = b.heartbeat.as_millis().max(1) as u64;
    let election_ticks = (b.election_timeout.as_millis() as u64 / heartbeat_ms).max(2) as usize;
    let cfg = NodeConfig {
        member_id: identity.member_id,
        heartbeat: b.heartbeat,
        election_ticks,
        snapshot_count: b.snapshot_count.max(1),
        catch_up_entries: 5000.min(b.snapshot_count),
    };
    let transport = transport(identity.member_id, &sm.cluster);
    let (node, shared) = Node::new(log, snaps, sm, conf_state, identity.cluster_id, cfg, transport)?;
    let last = node.last_index();
    Ok((node, shared, last))
}

/// Does the data dir hold a member that finished its first start (its identity is written)?
/// A first start that died before that leaves a log without one: a member joining an existing
/// cluster must then ask the cluster again, not found a cluster of its own.
pub fn has_identity(data_dir: &Path) -> Result<bool, String> {
    if data_dir.join(OLD_LOG_FILE).exists() {
        return Ok(true); // boot refuses it with the reason
    }
    if !data_dir.join(LOG_DIR).exists() {
        return Ok(false);
    }
    let snap_path = data_dir.join(SNAP_FILE);
    let snaps = Arc::new(SnapStore::open(&snap_path).map_err(|e| format!("{}: {e}", snap_path.display()))?);
    let path = data_dir.join(LOG_DIR);
    let log = LogStore::open(&path, snaps).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(log.get_meta(IDENTITY).map_err(|e| format!("{}: {e}", path.display()))?.is_some())
}

fn create_data_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))
}

/// Asks the members of `initial_cluster` (their peer URLs, as etcd does) who this member is
/// in the running cluster: `kv member add` gave it an ID that the members list under its peer
/// URLs. For `--initial-cluster-state existing` with an empty data dir.
pub fn ask_to_join(
    name: &str,
    initial_cluster: &str,
    my_peer_urls: &[String],
    tls: &crate::tls::ClientTls,
) -> Result<Join, String> {
    let mut mine = my_peer_urls.to_vec();
    mine.sort();
    let client = crate::client::Client::new(crate::client::Config {
        request_timeout: Duration::from_secs(3),
        tls: tls.clone(),
        ..crate::client::Config::new(Vec::new())
    });
    let mut errors = Vec::new();
    for part in initial_cluster.split(',').map(str::trim) {
        let Some((_, url)) = part.split_once('=') else { continue };
        if mine.iter().any(|u| u == url) {
            continue;
        }
        let (cluster_id, list) = match client.peer_members(url) {
            Ok(got) => got,
            Err(e) => {
                errors.push(format!("{url}: {e}"));
                continue;
            }
        };
        let mut cluster = Cluster { id: cluster_id, ..Default::default() };
        for m in list {
            let id = u64::from_str_radix(&m.id, 16).map_err(|_| format!("{url}: a member without an ID"))?;
            let mut peer_urls = m.peer_urls;
            peer_urls.sort();
            cluster.members.insert(id, Member { id, name: m.name, peer_urls, client_urls: m.client_urls });
        }
        let me = cluster.members.values().find(|m| m.peer_urls == mine).map(|m| m.id).ok_or_else(|| {
            format!(
                "the cluster has no member with peer URLs {}; add it first (kv member add {name} {})",
                mine.join(","),
                mine.join(",")
            )
        })?;
        return Ok(Join { member_id: me, cluster });
    }
    Err(format!("--initial-cluster-state=existing: no existing member answered: {}", errors.join("; ")))
}
