//! The Raft log on disk.
//!
//! Entries, the hard state and the conf state live in one redb file (`kv.redb`); the latest
//! snapshot lives beside it in a [`SnapStore`]. [`LogStore::persist`] writes everything a
//! `Ready` asks for in ONE transaction committed with `Durability::Immediate` (an fsync) —
//! nothing is acknowledged before that returns.
//!
//! Compaction is logical at once (raft is told the entries are gone) and physical a chunk at
//! a time inside the following `persist` transactions, so dropping 100,000 entries never
//! stalls the Ready loop.
//!
//! Memory stays bounded whatever `--snapshot-count` is: only the newest entries are cached
//! (`raft` reads them back right after they are written, to apply them and to send them to
//! peers); older ones and the snapshot's data are read from disk when asked for. redb's own
//! page cache is kept small for the same reason.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

use ::raft::eraftpb::{ConfState, Entry, HardState, Snapshot, SnapshotMetadata};
use ::raft::{GetEntriesContext, RaftState, Storage, StorageError};
use protobuf::Message as _;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use super::snap_store::SnapStore;

const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// Newest entries kept in memory: at most this many…
const CACHE_ENTRIES: usize = 1024;
/// …and at most this many bytes of them.
const CACHE_BYTES: usize = 4 << 20;
/// redb's page cache.
const DB_CACHE_BYTES: usize = 4 << 20;

const HARD_STATE: &str = "hard_state";
const CONF_STATE: &str = "conf_state";
/// Entries physically deleted per `persist`, at most, while a compaction catches up.
const DELETE_CHUNK: u64 = 4096;
/// Index and term of the last entry compacted away, 16 bytes big-endian.
const COMPACTED: &str = "compacted";

fn encode_compacted(index: u64, term: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&index.to_be_bytes());
    b[8..].copy_from_slice(&term.to_be_bytes());
    b
}

/// Errors from the disk. They are fatal for a member: the caller stops rather than go on with
/// a log it could not write.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("raft log database: {0}")]
    Db(#[from] redb::Error),
    #[error("raft log: corrupt record {0}: {1}")]
    Corrupt(&'static str, protobuf::ProtobufError),
}

macro_rules! db_err {
    ($e:expr) => {
        $e.map_err(|e| LogError::Db(e.into()))
    };
}

pub struct LogStore {
    /// Set when Raft asked for a snapshot this store cannot give (one that does not include
    /// the peer, e.g. a member just added); the Raft thread then has the applier take one.
    pub snapshot_wanted: std::sync::atomic::AtomicBool,
    db: Database,
    snaps: Arc<SnapStore>,
    hard_state: HardState,
    conf_state: ConfState,
    /// The latest snapshot's metadata; its data stays on disk until someone needs it.
    snapshot_meta: SnapshotMetadata,
    /// Index and term of the last entry compacted away (0, 0 for a fresh log).
    offset: u64,
    offset_term: u64,
    /// The first entry still physically on disk; entries in [phys_first, offset] are deleted
    /// a chunk at a time.
    phys_first: u64,
    /// The compaction record must be written with the next transaction.
    compacted_dirty: bool,
    last_index: u64,
    /// The newest entries: cache.back().index == last_index, contiguous.
    cache: VecDeque<Entry>,
    cache_bytes: usize,
}

impl LogStore {
    /// Opens (or creates) the log in `path` and loads it.
    pub fn open(path: &Path, snaps: Arc<SnapStore>) -> Result<LogStore, LogError> {
        let db = db_err!(Database::builder().set_cache_size(DB_CACHE_BYTES).create(path))?;
        {
            // Make sure the tables exist so that read transactions can open them.
            let tx = db_err!(db.begin_write())?;
            db_err!(tx.open_table(ENTRIES))?;
            db_err!(tx.open_table(META))?;
            db_err!(tx.commit())?;
        }
        let tx = db_err!(db.begin_read())?;
        let meta = db_err!(tx.open_table(META))?;
        let load = |key: &str| -> Result<Option<Vec<u8>>, LogError> {
            Ok(db_err!(meta.get(key))?.map(|v| v.value().to_vec()))
        };
        let mut hard_state = match load(HARD_STATE)? {
            Some(b) => HardState::parse_from_bytes(&b).map_err(|e| LogError::Corrupt(HARD_STATE, e))?,
            None => HardState::default(),
        };
        let conf_state = match load(CONF_STATE)? {
            Some(b) => ConfState::parse_from_bytes(&b).map_err(|e| LogError::Corrupt(CONF_STATE, e))?,
            None => ConfState::default(),
        };
        let snapshot_meta = snaps.metadata()?;
        // The snapshot holds only committed entries; the commit index on disk may lag it.
        if hard_state.commit < snapshot_meta.index {
            hard_state.commit = snapshot_meta.index;
        }
        let (offset, offset_term) = match load(COMPACTED)? {
            Some(b) if b.len() == 16 => (
                u64::from_be_bytes(b[..8].try_into().unwrap()),
                u64::from_be_bytes(b[8..].try_into().unwrap()),
            ),
            _ => (0, 0),
        };
        let table = db_err!(tx.open_table(ENTRIES))?;
        let mut cache = VecDeque::new();
        let mut cache_bytes = 0;
        for item in db_err!(table.iter())?.rev() {
            let (k, v) = db_err!(item)?;
            if k.value() <= offset || cache.len() >= CACHE_ENTRIES || cache_bytes + v.value().len() > CACHE_BYTES {
                break;
            }
            cache_bytes += v.value().len();
            let e = Entry::parse_from_bytes(v.value()).map_err(|e| LogError::Corrupt("entry", e))?;
            cache.push_front(e);
        }
        let last_entry = db_err!(table.last())?.map(|(k, _)| k.value());
        let phys_first = db_err!(table.first())?.map(|(k, _)| k.value()).unwrap_or(offset + 1);
        drop(table);
        drop(meta);
        drop(tx);
        let last_index = last_entry.unwrap_or(offset).max(offset);
        Ok(LogStore {
            snapshot_wanted: Default::default(),
            db,
            snaps,
            hard_state,
            conf_state,
            snapshot_meta,
            offset,
            offset_term,
            phys_first,
            compacted_dirty: false,
            last_index,
            cache,
            cache_bytes,
        })
    }

    /// True when the log holds nothing yet (a brand-new member).
    pub fn is_empty(&self) -> bool {
        self.last_index == 0 && self.snapshot_meta.index == 0 && self.hard_state == HardState::default()
    }

    pub fn hard_state(&self) -> &HardState {
        &self.hard_state
    }

    pub fn conf_state(&self) -> &ConfState {
        &self.conf_state
    }

    pub fn snapshot_metadata(&self) -> &SnapshotMetadata {
        &self.snapshot_meta
    }

    /// The latest snapshot with its data, read from disk.
    pub fn load_snapshot(&self) -> Result<Snapshot, LogError> {
        self.snaps.load()
    }

    fn cache_first(&self) -> u64 {
        self.last_index + 1 - self.cache.len() as u64
    }

    fn push_cache(&mut self, e: Entry) {
        self.cache_bytes += e.data.len() + 32;
        self.cache.push_back(e);
        while self.cache.len() > CACHE_ENTRIES || (self.cache_bytes > CACHE_BYTES && self.cache.len() > 1) {
            if let Some(old) = self.cache.pop_front() {
                self.cache_bytes -= old.data.len() + 32;
            }
        }
    }

    /// Reads entries [low, high) from disk, stopping early past `max` bytes.
    fn read_entries(&self, low: u64, high: u64, max: Option<u64>) -> Result<Vec<Entry>, LogError> {
        let tx = db_err!(self.db.begin_read())?;
        let table = db_err!(tx.open_table(ENTRIES))?;
        let mut out = Vec::new();
        let mut size = 0u64;
        for item in db_err!(table.range(low..high))? {
            let (_, v) = db_err!(item)?;
            size += v.value().len() as u64;
            if !out.is_empty() && max.is_some_and(|m| size > m) {
                break;
            }
            out.push(Entry::parse_from_bytes(v.value()).map_err(|e| LogError::Corrupt("entry", e))?);
        }
        Ok(out)
    }

    /// The commit index only moves forward in memory between `Ready`s; it is written with the
    /// next hard state (Raft never needs a durable commit index to be safe).
    pub fn set_commit(&mut self, commit: u64) {
        self.hard_state.commit = commit;
    }

    /// Everything one `Ready` asks to persist, in one fsynced transaction.
    pub fn persist(
        &mut self,
        snapshot: Option<&Snapshot>,
        entries: &[Entry],
        hard_state: Option<&HardState>,
    ) -> Result<(), LogError> {
        if snapshot.is_none() && entries.is_empty() && hard_state.is_none() {
            return Ok(());
        }
        if let Some(snap) = snapshot {
            // A snapshot from the leader: durable in its own file before the log forgets.
            self.snaps.save(snap)?;
        }
        let mut tx = db_err!(self.db.begin_write())?;
        db_err!(tx.set_durability(Durability::Immediate))?;
        {
            let mut table = db_err!(tx.open_table(ENTRIES))?;
            let mut meta = db_err!(tx.open_table(META))?;
            if let Some(snap) = snapshot {
                // ...and it replaces the whole log.
                db_err!(table.retain(|_, _| false))?;
                let m = snap.get_metadata();
                let cs = m.get_conf_state();
                db_err!(meta.insert(CONF_STATE, cs.write_to_bytes().expect("encode conf state").as_slice()))?;
                db_err!(meta.insert(COMPACTED, encode_compacted(m.index, m.term).as_slice()))?;
            } else {
                self.delete_compacted_chunk(&mut table, &mut meta)?;
            }
            if let Some(first) = entries.first() {
                // Entries from `first.index` on are replaced (a new leader may overwrite an
                // uncommitted suffix).
                if first.index <= self.last_index {
                    db_err!(table.retain_in(first.index.., |_, _| false))?;
                }
                for e in entries {
                    db_err!(table.insert(e.index, e.write_to_bytes().expect("encode entry").as_slice()))?;
                }
            }
            if let Some(hs) = hard_state {
                db_err!(meta.insert(HARD_STATE, hs.write_to_bytes().expect("encode hard state").as_slice()))?;
            }
        }
        db_err!(tx.commit())?;

        if let Some(snap) = snapshot {
            let m = snap.get_metadata();
            self.snapshot_meta = m.clone();
            self.conf_state = m.get_conf_state().clone();
            self.offset = m.index;
            self.offset_term = m.term;
            self.phys_first = m.index + 1;
            self.compacted_dirty = false;
            self.last_index = m.index;
            self.cache.clear();
            self.cache_bytes = 0;
            if self.hard_state.commit < m.index {
                self.hard_state.commit = m.index;
            }
        }
        if let Some(first) = entries.first() {
            // Drop cached entries from first.index on; if the cache no longer reaches back to
            // first.index - 1 it is emptied so that it stays contiguous.
            while self.cache.back().is_some_and(|e| e.index >= first.index) {
                let old = self.cache.pop_back().unwrap();
                self.cache_bytes -= old.data.len() + 32;
            }
            if self.cache.back().is_some_and(|e| e.index + 1 != first.index) {
                self.cache.clear();
                self.cache_bytes = 0;
            }
            for e in entries {
                self.push_cache(e.clone());
            }
            self.last_index = entries.last().unwrap().index;
        }
        if let Some(hs) = hard_state {
            self.hard_state = hs.clone();
        }
        Ok(())
    }

    /// A new cluster's members all start from the same snapshot at index 1 (term 1): the
    /// initial membership and an empty store. Its conf state is then not only in memory but
    /// in a snapshot, which is what a member added later is sent to learn it.
    pub fn bootstrap(&mut self, meta: &SnapshotMetadata) -> Result<(), LogError> {
        let mut hs = HardState::default();
        hs.term = meta.term;
        hs.commit = meta.index;
        let cs = meta.get_conf_state().clone();
        let mut tx = db_err!(self.db.begin_write())?;
        db_err!(tx.set_durability(Durability::Immediate))?;
        {
            let mut m = db_err!(tx.open_table(META))?;
            db_err!(m.insert(HARD_STATE, hs.write_to_bytes().expect("encode hard state").as_slice()))?;
            db_err!(m.insert(CONF_STATE, cs.write_to_bytes().expect("encode conf state").as_slice()))?;
            db_err!(m.insert(COMPACTED, encode_compacted(meta.index, meta.term).as_slice()))?;
        }
        db_err!(tx.commit())?;
        self.hard_state = hs;
        self.conf_state = cs;
        self.offset = meta.index;
        self.offset_term = meta.term;
        self.phys_first = meta.index + 1;
        self.last_index = meta.index;
        self.snapshot_meta = meta.clone();
        Ok(())
    }

    /// Reads a small record of the member's own (e.g. its identity or the bootstrap cluster).
    pub fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, LogError> {
        let tx = db_err!(self.db.begin_read())?;
        let meta = db_err!(tx.open_table(META))?;
        Ok(db_err!(meta.get(key))?.map(|v| v.value().to_vec()))
    }

    /// Writes a small record durably.
    pub fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), LogError> {
        let mut tx = db_err!(self.db.begin_write())?;
        db_err!(tx.set_durability(Durability::Immediate))?;
        {
            let mut meta = db_err!(tx.open_table(META))?;
            db_err!(meta.insert(key, value))?;
        }
        db_err!(tx.commit())?;
        Ok(())
    }

    /// Records a configuration change applied from the log.
    pub fn set_conf_state(&mut self, cs: ConfState) -> Result<(), LogError> {
        let mut tx = db_err!(self.db.begin_write())?;
        db_err!(tx.set_durability(Durability::Immediate))?;
        {
            let mut meta = db_err!(tx.open_table(META))?;
            db_err!(meta.insert(CONF_STATE, cs.write_to_bytes().expect("encode conf state").as_slice()))?;
        }
        db_err!(tx.commit())?;
        self.conf_state = cs;
        Ok(())
    }

    /// A snapshot at `meta.index` is durable in the snapshot store: remember its metadata and
    /// forget the log up to `compact_to` (≤ its index), keeping the entries after that for
    /// peers that lag. Disk space is reclaimed a chunk per later `persist`.
    pub fn snapshot_saved(&mut self, meta: SnapshotMetadata, compact_to: u64) {
        let compact_to = compact_to.min(meta.index);
        if compact_to > self.offset && compact_to <= self.last_index
            && let Ok(term) = self.term(compact_to) {
                self.offset = compact_to;
                self.offset_term = term;
                self.compacted_dirty = true;
                while self.cache.front().is_some_and(|e| e.index <= compact_to) {
                    let old = self.cache.pop_front().unwrap();
                    self.cache_bytes -= old.data.len() + 32;
                }
            }
        self.snapshot_meta = meta;
    }

    /// Inside a write transaction: record the compaction point and delete one chunk of
    /// entries behind it.
    fn delete_compacted_chunk(
        &mut self,
        table: &mut redb::Table<u64, &[u8]>,
        meta: &mut redb::Table<&str, &[u8]>,
    ) -> Result<(), LogError> {
        if self.phys_first <= self.offset {
            let upto = self.offset.min(self.phys_first + DELETE_CHUNK - 1);
            db_err!(table.retain_in(self.phys_first..=upto, |_, _| false))?;
            self.phys_first = upto + 1;
        }
        if self.compacted_dirty {
            db_err!(meta.insert(COMPACTED, encode_compacted(self.offset, self.offset_term).as_slice()))?;
            self.compacted_dirty = false;
        }
        Ok(())
    }

    fn cached(&self, idx: u64) -> Option<&Entry> {
        if idx < self.cache_first() || idx > self.last_index {
            return None;
        }
        self.cache.get((idx - self.cache_first()) as usize)
    }
}

impl Storage for LogStore {
    fn initial_state(&self) -> ::raft::Result<RaftState> {
        Ok(RaftState::new(self.hard_state.clone(), self.conf_state.clone()))
    }

    fn entries(
        &self,
        low: u64,
        high: u64,
        max_size: impl Into<Option<u64>>,
        _context: GetEntriesContext,
    ) -> ::raft::Result<Vec<Entry>> {
        if low <= self.offset {
            return Err(::raft::Error::Store(StorageError::Compacted));
        }
        if high > self.last_index + 1 {
            return Err(::raft::Error::Store(StorageError::Unavailable));
        }
        let max = max_size.into();
        if low < self.cache_first() {
            return self.read_entries(low, high, max).map_err(|e| ::raft::Error::Store(StorageError::Other(Box::new(e))));
        }
        let mut out = Vec::with_capacity((high - low) as usize);
        let mut size: u64 = 0;
        for idx in low..high {
            let e = self.cached(idx).expect("entry in cache range");
            size += e.compute_size() as u64;
            if !out.is_empty() && max.is_some_and(|m| size > m) {
                break;
            }
            out.push(e.clone());
        }
        Ok(out)
    }

    fn term(&self, idx: u64) -> ::raft::Result<u64> {
        if idx == self.offset {
            return Ok(self.offset_term);
        }
        if idx < self.offset {
            return Err(::raft::Error::Store(StorageError::Compacted));
        }
        if idx > self.last_index {
            return Err(::raft::Error::Store(StorageError::Unavailable));
        }
        if let Some(e) = self.cached(idx) {
            return Ok(e.term);
        }
        match self.read_entries(idx, idx + 1, None) {
            Ok(v) if !v.is_empty() => Ok(v[0].term),
            Ok(_) => Err(::raft::Error::Store(StorageError::Unavailable)),
            Err(e) => Err(::raft::Error::Store(StorageError::Other(Box::new(e)))),
        }
    }

    fn first_index(&self) -> ::raft::Result<u64> {
        Ok(self.offset + 1)
    }

    fn last_index(&self) -> ::raft::Result<u64> {
        Ok(self.last_index)
    }

    fn snapshot(&self, request_index: u64, to: u64) -> ::raft::Result<Snapshot> {
        let cs = self.snapshot_meta.get_conf_state();
        let has_peer = cs.voters.contains(&to) || cs.learners.contains(&to);
        if self.snapshot_meta.index < request_index || !has_peer {
            // Raft asks again later; by then the applier has taken a newer snapshot.
            self.snapshot_wanted.store(true, std::sync::atomic::Ordering::Release);
            return Err(::raft::Error::Store(StorageError::SnapshotTemporarilyUnavailable));
        }
        self.load_snapshot().map_err(|e| ::raft::Error::Store(StorageError::Other(Box::new(e))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u64, term: u64, data: &[u8]) -> Entry {
        let mut e = Entry::default();
        e.index = index;
        e.term = term;
        e.data = data.to_vec().into();
        e
    }

    fn open(dir: &Path) -> LogStore {
        let snaps = Arc::new(SnapStore::open(&dir.join("snap.redb")).unwrap());
        LogStore::open(&dir.join("log.redb"), snaps).unwrap()
    }

    #[test]
    fn entries_and_hard_state_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            assert!(s.is_empty());
            let mut hs = HardState::default();
            hs.term = 2;
            hs.vote = 1;
            hs.commit = 2;
            s.persist(None, &[entry(1, 1, b"a"), entry(2, 2, b"b"), entry(3, 2, b"c")], Some(&hs)).unwrap();
            // a new leader overwrites index 3
            s.persist(None, &[entry(3, 3, b"C")], None).unwrap();
        }
        let s = open(dir.path());
        assert_eq!(s.hard_state().term, 2);
        assert_eq!(s.last_index().unwrap(), 3);
        let got = s.entries(1, 4, None, GetEntriesContext::empty(false)).unwrap();
        assert_eq!(got.iter().map(|e| e.data.to_vec()).collect::<Vec<_>>(), vec![b"a".to_vec(), b"b".to_vec(), b"C".to_vec()]);
        assert_eq!(s.term(3).unwrap(), 3);
    }

    fn snapshot(index: u64, term: u64, data: &[u8]) -> Snapshot {
        let mut snap = Snapshot::default();
        snap.mut_metadata().index = index;
        snap.mut_metadata().term = term;
        snap.mut_metadata().mut_conf_state().voters = vec![1];
        snap.data = data.to_vec().into();
        snap
    }

    #[test]
    fn compaction_is_logical_at_once_and_physical_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let n = DELETE_CHUNK * 2 + 100;
        {
            let mut s = open(dir.path());
            let ents: Vec<Entry> = (1..=n).map(|i| entry(i, 1, b"x")).collect();
            s.persist(None, &ents, None).unwrap();
            let snap = snapshot(n - 10, 1, b"state");
            s.snaps.save(&snap).unwrap();
            s.snapshot_saved(snap.get_metadata().clone(), n - 50);
            assert_eq!(s.first_index().unwrap(), n - 49);
            assert_eq!(s.term(n - 50).unwrap(), 1);
            assert!(matches!(s.term(n - 51), Err(::raft::Error::Store(StorageError::Compacted))));
            // one persist deletes one chunk and records the compaction point
            s.persist(None, &[entry(n + 1, 1, b"y")], None).unwrap();
            assert_eq!(s.phys_first, DELETE_CHUNK + 1);
        }
        let mut s = open(dir.path());
        assert_eq!(s.first_index().unwrap(), n - 49);
        assert_eq!(s.last_index().unwrap(), n + 1);
        assert_eq!(s.term(n - 50).unwrap(), 1);
        assert_eq!(&s.snapshot(0, 1).unwrap().data[..], b"state");
        // a peer the snapshot does not know gets none, and a newer one is asked for
        assert!(s.snapshot(0, 9).is_err());
        assert!(s.snapshot_wanted.load(std::sync::atomic::Ordering::Acquire));
        assert_eq!(s.snapshot_metadata().index, n - 10);
        // later transactions finish the physical deletion
        let mut hs = HardState::default();
        for _ in 0..3 {
            hs.commit += 1;
            s.persist(None, &[], Some(&hs)).unwrap();
        }
        assert_eq!(s.phys_first, n - 49);
        let tx = s.db.begin_read().unwrap();
        let t = tx.open_table(ENTRIES).unwrap();
        assert_eq!(t.first().unwrap().unwrap().0.value(), n - 49);
    }

    #[test]
    fn commit_index_is_raised_to_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path());
            s.snaps.save(&snapshot(7, 1, b"s")).unwrap();
        }
        let s = open(dir.path());
        assert_eq!(s.hard_state().commit, 7);
    }

    #[test]
    fn entries_beyond_the_cache_come_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let n = CACHE_ENTRIES as u64 * 3;
        {
            let mut s = open(dir.path());
            for chunk in (1..=n).collect::<Vec<_>>().chunks(100) {
                let ents: Vec<Entry> = chunk.iter().map(|&i| entry(i, 1 + i / 1000, &i.to_be_bytes())).collect();
                s.persist(None, &ents, None).unwrap();
            }
            assert!(s.cache.len() <= CACHE_ENTRIES);
            let all = s.entries(1, n + 1, None, GetEntriesContext::empty(false)).unwrap();
            assert_eq!(all.len() as u64, n);
            assert!(all.iter().enumerate().all(|(i, e)| e.index == i as u64 + 1));
            assert_eq!(s.term(5).unwrap(), 1);
            assert_eq!(s.term(n).unwrap(), 1 + n / 1000);
        }
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), n);
        assert_eq!(s.entries(n - 1, n + 1, None, GetEntriesContext::empty(false)).unwrap().len(), 2);
        assert_eq!(s.entries(2, 4, None, GetEntriesContext::empty(false)).unwrap()[0].index, 2);
    }

    #[test]
    fn leader_snapshot_replaces_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path());
        s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
        s.persist(Some(&snapshot(50, 4, b"remote")), &[], None).unwrap();
        assert_eq!(s.first_index().unwrap(), 51);
        assert_eq!(s.last_index().unwrap(), 50);
        assert_eq!(s.term(50).unwrap(), 4);
        assert_eq!(&s.snapshot(50, 1).unwrap().data[..], b"remote");
        drop(s);
        let s = open(dir.path());
        assert_eq!(s.first_index().unwrap(), 51);
        assert_eq!(s.hard_state().commit, 50);
    }
}
