//! The latest snapshot of the state machine, in a redb file of its own (`snap.redb`).
//!
//! It is separate from the log (`wal/`, see [`LogStore`](super::log_store::LogStore)) so that
//! writing a large snapshot (done by the applier thread) never holds up the Raft thread's next
//! fsync.
//! Metadata and data are written together in one fsynced transaction, so the file always
//! holds one whole snapshot.

use std::path::{Path, PathBuf};

use parking_lot::RwLock;

use ::raft::eraftpb::{Snapshot, SnapshotMetadata};
use protobuf::Message as _;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use super::log_store::LogError;

const SNAP: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshot");
const META_KEY: &str = "metadata";
const DATA_KEY: &str = "data";

pub struct SnapStore {
    path: PathBuf,
    /// Reopened after a failed write: redb refuses every transaction after an I/O error until
    /// then (a full disk must not end the snapshots for good).
    db: RwLock<Database>,
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
        Ok(SnapStore { path: path.to_path_buf(), db: RwLock::new(database) })
    }

    /// Like [`save_once`](Self::save_once); after a failure the file is reopened (what was
    /// stored before stays: the failed transaction never committed), and a full disk is
    /// reported as [`LogError::NoSpace`].
    pub fn save(&self, snap: &Snapshot) -> Result<bool, LogError> {
        let r = self.save_once(snap);
        if let Err(e) = &r {
            let mut guard = self.db.write();
            // The old handle must be closed (it holds the file's lock) before a new one opens.
            let reopened = {
                let placeholder =
                    Database::builder().create_with_backend(redb::backends::InMemoryBackend::new());
                match placeholder {
                    Ok(p) => {
                        drop(std::mem::replace(&mut *guard, p));
                        Database::builder().set_cache_size(1 << 20).create(&self.path)
                    }
                    Err(e) => Err(e),
                }
            };
            match reopened {
                Ok(d) => *guard = d,
                Err(re) => log::warn!("{}: cannot reopen after a failed write: {re}", self.path.display()),
            }
            if e.is_no_space() {
                return Err(LogError::NoSpace(self.path.clone()));
            }
        }
        r
    }

    /// Replaces the stored snapshot; durable when this returns.
    /// Stores `snap` unless the stored one is newer (snapshots are written from two threads:
    /// the leader's by the Raft thread, our own by the snapshot thread). Ok(false): not stored.
    fn save_once(&self, snap: &Snapshot) -> Result<bool, LogError> {
        let mut tx = db(self.db.read().begin_write())?;
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
        let tx = db(self.db.read().begin_read())?;
        let t = db(tx.open_table(SNAP))?;
        match db(t.get(META_KEY))? {
            Some(v) => SnapshotMetadata::parse_from_bytes(v.value())
                .map_err(|e| LogError::Corrupt("snapshot metadata", e)),
            None => Ok(SnapshotMetadata::default()),
        }
    }

    /// The whole stored snapshot (an empty one when there is none).
    pub fn load(&self) -> Result<Snapshot, LogError> {
        let tx = db(self.db.read().begin_read())?;
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
