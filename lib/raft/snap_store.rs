//! The latest snapshot of the state machine, in a redb file of its own (`snap.redb`).
//!
//! It is separate from the log (`wal/`, see [`LogStore`](super::log_store::LogStore)) so that
//! writing a large snapshot (done by the applier thread) never holds up the Raft thread's next
//! fsync.
//! Metadata and data are written together in one fsynced transaction, so the file always
//! holds one whole snapshot.

use std::path::Path;

use ::raft::eraftpb::{Snapshot, SnapshotMetadata};
use protobuf::Message as _;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use super::log_store::LogError;

const SNAP: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshot");
const META_KEY: &str = "metadata";
const DATA_KEY: &str = "data";

pub struct SnapStore {
    db: Database,
}

fn db<T, E: Into<redb::Error>>(r: Result<T, E>) -> Result<T, LogError> {
    r.map_err(|e| LogError::Db(e.into()))
}

impl SnapStore {
    pub fn open(path: &Path) -> Result<SnapStore, LogError> {
        let database = db(Database::builder().set_cache_size(1 << 20).create(path))?;
        let tx = db(database.begin_write())?;
        db(tx.open_table(SNAP))?;
        db(tx.commit())?;
        Ok(SnapStore { db: database })
    }

    /// Replaces the stored snapshot; durable when this returns.
    /// Stores `snap` unless the stored one is newer (snapshots are written from two threads:
    /// the leader's by the Raft thread, our own by the snapshot thread). Ok(false): not stored.
    pub fn save(&self, snap: &Snapshot) -> Result<bool, LogError> {
        let mut tx = db(self.db.begin_write())?;
        db(tx.set_durability(Durability::Immediate))?;
        {
            let mut t = db(tx.open_table(SNAP))?;
            let stored = match db(t.get(META_KEY))? {
                Some(v) => {
                    SnapshotMetadata::parse_from_bytes(v.value())
                        .map_err(|e| LogError::Corrupt("snapshot metadata", e))?
                        .index
                }
                None => 0,
            };
            if stored > snap.get_metadata().index {
                return Ok(false);
            }
            let meta = snap.get_metadata().write_to_bytes().expect("encode snapshot metadata");
            db(t.insert(META_KEY, meta.as_slice()))?;
            db(t.insert(DATA_KEY, &snap.data[..]))?;
        }
        db(tx.commit())?;
        Ok(true)
    }

    /// The stored snapshot's metadata (index 0 when there is none), without reading its data.
    pub fn metadata(&self) -> Result<SnapshotMetadata, LogError> {
        let tx = db(self.db.begin_read())?;
        let t = db(tx.open_table(SNAP))?;
        match db(t.get(META_KEY))? {
            Some(v) => SnapshotMetadata::parse_from_bytes(v.value())
                .map_err(|e| LogError::Corrupt("snapshot metadata", e)),
            None => Ok(SnapshotMetadata::default()),
        }
    }

    /// The whole stored snapshot (an empty one when there is none).
    pub fn load(&self) -> Result<Snapshot, LogError> {
        let tx = db(self.db.begin_read())?;
        let t = db(tx.open_table(SNAP))?;
        let mut snap = Snapshot::default();
        if let Some(v) = db(t.get(META_KEY))? {
            snap.set_metadata(
                SnapshotMetadata::parse_from_bytes(v.value())
                    .map_err(|e| LogError::Corrupt("snapshot metadata", e))?,
            );
            if let Some(d) = db(t.get(DATA_KEY))? {
                snap.data = d.value().to_vec().into();
            }
        }
        Ok(snap)
    }
}
