//! The Raft log on disk: an append-only write-ahead log of our own in `DATA_DIR/wal/` (the
//! latest snapshot lives beside it in a [`SnapStore`]).
//!
//! The log is a sequence of segment files, `wal/<seq as 16 hex digits>.wal`. A segment is a
//! sequence of *frames*, one per write: `[u32 body length][u32 CRC-32C of the body][body]`
//! (little-endian), and a body is a sequence of typed records `[u8 type][u32 length][payload]`:
//! an entry (its protobuf), the hard state, the conf state, the compaction point
//! (index, term), a meta key and value, or a truncation marker (entries from index i on are
//! gone). [`LogStore::persist`] writes everything a `Ready` asks for as ONE frame with ONE
//! `pwrite` and ONE `fdatasync`; nothing is acknowledged before that returns. A frame is all or
//! nothing: a torn or corrupt frame at the tail of the newest segment (a crash in the middle of
//! a write) is cut away on open; anything wrong before the tail is an error.
//!
//! Replaying the segments in order rebuilds the state: the last hard state, conf state,
//! compaction point and meta keys win; an entry whose index is at or below the last one
//! replaces that suffix (a new leader overwrote uncommitted entries).
//!
//! Segments are allocated ahead of time (`fallocate`) by a helper thread (`spare.tmp`, renamed
//! into place when the log rolls over to it), so a write leaves the file's size alone and needs
//! no block allocation: `fdatasync` then has less to write than for a file that grows (a third
//! fewer disk writes per flush, measured). Space allocated but not written reads as zeros, so
//! zeros after the last frame are the end of a segment. The first spare is small and each next
//! one twice the last, so a member that writes little reserves little.
//!
//! Segments roll at about 64 MiB. Each one starts with a header frame holding the whole state
//! (hard state, conf state, compaction point, meta keys), so an older segment is needed only
//! for its entries: once the compaction point on disk covers all of them it is deleted, off the
//! Raft thread. Compaction is logical at once (raft is told the entries are gone) and written
//! to disk with the next `persist`.
//!
//! Memory stays bounded whatever `--snapshot-count` is: only the newest entries are cached
//! (`raft` reads them back right after they are written, to apply them and to send them to
//! peers); for the others an index keeps where each one lies (segment, offset, length — since
//! the compaction point only) and they are read with `pread` when asked for. The snapshot's
//! data is read from disk when someone needs it.

mod crc32c;
mod entries;
mod error;
mod frame;
mod replay;
mod segments;
mod spare;
mod storage;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use ::raft::Storage;
use ::raft::eraftpb::{ConfState, Entry, HardState, Snapshot, SnapshotMetadata};

use super::snap_store::SnapStore;
use entries::Loc;
pub use error::LogError;
use error::io_err;
pub use frame::frame_for_fuzzing;
use frame::{Frame, REC_CONF_STATE, REC_HARD_STATE, REC_TRUNCATE};
use segments::{SEGMENT_BYTES, Segment, sync_dir};
use spare::{FIRST_SPARE, SPARE_NAME};

pub struct LogStore {
    /// Set when Raft asked for a snapshot this store cannot give (one that does not include
    /// the peer, e.g. a member just added); the Raft thread then has the applier take one.
    pub snapshot_wanted: std::sync::atomic::AtomicBool,
    dir: PathBuf,
    segments: BTreeMap<u64, Segment>,
    /// The segment being appended to, and its length.
    tail_seq: u64,
    tail_len: u64,
    segment_bytes: u64,
    snaps: Arc<SnapStore>,
    hard_state: HardState,
    conf_state: ConfState,
    /// The latest snapshot's metadata; its data stays on disk until someone needs it.
    snapshot_meta: SnapshotMetadata,
    /// Index and term of the last entry compacted away (0, 0 for a fresh log).
    offset: u64,
    offset_term: u64,
    /// The compaction point as last written to disk: segments wholly behind it can go.
    durable_offset: u64,
    /// The compaction point must be written with the next frame.
    compacted_dirty: bool,
    meta: HashMap<String, Vec<u8>>,
    /// Where entries `first..` lie on disk; `first == offset + 1` except while replaying.
    first: u64,
    locs: VecDeque<Loc>,
    /// While replaying: entries up to here were in deleted segments, so the compaction point
    /// must reach it.
    replay_gap: u64,
    /// The newest entries: cache.back().index == last index, contiguous.
    cache: VecDeque<Entry>,
    cache_bytes: usize,
    /// Deletes segments the compaction point has passed.
    deleter: Option<JoinHandle<()>>,
    /// Whether segments are allocated ahead (see the module's documentation).
    preallocate: bool,
    /// The thread allocating the next spare segment, and how big it makes it.
    spare: Option<(JoinHandle<std::io::Result<()>>, u64)>,
    spare_size: u64,
    /// After the file system was too full for a spare: not before then.
    spare_after: Option<Instant>,
}

impl LogStore {
    /// Opens (or creates) the log in the directory `dir` and replays it.
    pub fn open(dir: &Path, snaps: Arc<SnapStore>) -> Result<LogStore, LogError> {
        Self::open_with(dir, snaps, true)
    }

    /// `open`, with or without segments allocated ahead.
    fn open_with(dir: &Path, snaps: Arc<SnapStore>, preallocate: bool) -> Result<LogStore, LogError> {
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io_err(dir))?;
            if let Some(parent) = dir.parent() {
                sync_dir(parent)?;
            }
        }
        let mut seqs = Vec::new();
        for de in std::fs::read_dir(dir).map_err(io_err(dir))? {
            let de = de.map_err(io_err(dir))?;
            let name = de.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(hex) = name.strip_suffix(".wal")
                && hex.len() == 16
                && let Ok(seq) = u64::from_str_radix(hex, 16)
            {
                seqs.push(seq);
            }
        }
        seqs.sort_unstable();
        let snapshot_meta = snaps.metadata()?;
        let mut s = LogStore {
            snapshot_wanted: Default::default(),
            dir: dir.to_path_buf(),
            segments: BTreeMap::new(),
            tail_seq: 0,
            tail_len: 0,
            segment_bytes: SEGMENT_BYTES,
            snaps,
            hard_state: HardState::default(),
            conf_state: ConfState::default(),
            snapshot_meta,
            offset: 0,
            offset_term: 0,
            durable_offset: 0,
            compacted_dirty: false,
            meta: HashMap::new(),
            first: 1,
            locs: VecDeque::new(),
            replay_gap: 0,
            cache: VecDeque::new(),
            cache_bytes: 0,
            deleter: None,
            preallocate,
            spare: None,
            spare_size: FIRST_SPARE,
            spare_after: None,
        };
        // A spare left by the last run may be half filled.
        let spare = dir.join(SPARE_NAME);
        if spare.exists() {
            std::fs::remove_file(&spare).map_err(io_err(&spare))?;
        }
        for (i, &seq) in seqs.iter().enumerate() {
            s.replay_segment(seq, i + 1 == seqs.len())?;
        }
        if s.replay_gap > s.offset {
            return Err(LogError::Wal(format!(
                "{}: entries {}..={} are missing (deleted segments not covered by the compaction point)",
                dir.display(),
                s.offset + 1,
                s.replay_gap
            )));
        }
        s.replay_gap = 0;
        if s.segments.is_empty() {
            s.create_segment(0)?;
        }
        if s.tail_len == 0 {
            // A new segment (or one whose first write was torn) starts with the state header.
            let mut f = s.begin_frame()?;
            s.write_frame(&mut f)?;
        }
        // A snapshot from the leader is saved before the frame that replaces the log with it;
        // a crash between the two leaves a log that ends before the snapshot. Finish the job,
        // or Raft would find its commit index past its last entry.
        // The same when the log is long enough but disagrees with the snapshot at its index
        // (a leader's snapshot replacing a diverged suffix).
        let m = s.snapshot_meta.clone();
        if m.index > s.offset && (m.index > s.last() || Storage::term(&s, m.index).ok() != Some(m.term)) {
            log::warn!(
                "the log (last entry {}) does not hold the snapshot at {}: replacing it with the snapshot",
                s.last(),
                m.index
            );
            let mut hs = s.hard_state.clone();
            if hs.term < m.term {
                hs.term = m.term;
                hs.vote = 0;
            }
            hs.commit = hs.commit.max(m.index);
            let mut f = s.begin_frame()?;
            s.put_snapshot_records(&mut f, &m);
            f.put_message(REC_HARD_STATE, &hs);
            s.write_frame(&mut f)?;
            s.adopt_snapshot(&m);
            s.hard_state = hs;
        }
        // The snapshot holds only committed entries; the commit index on disk may lag it.
        if s.hard_state.commit < s.snapshot_meta.index {
            s.hard_state.commit = s.snapshot_meta.index;
        }
        Ok(s)
    }

    /// The records that replace the whole log with a snapshot.
    fn put_snapshot_records(&self, f: &mut Frame, m: &SnapshotMetadata) {
        f.put(REC_TRUNCATE, &(self.offset + 1).to_le_bytes());
        f.put_message(REC_CONF_STATE, m.get_conf_state());
        f.put_compacted(m.index, m.term);
    }

    /// In memory, what those records do.
    fn adopt_snapshot(&mut self, m: &SnapshotMetadata) {
        self.snapshot_meta = m.clone();
        self.conf_state = m.get_conf_state().clone();
        self.mem_truncate(self.offset + 1);
        self.mem_compact(m.index, m.term);
        self.compacted_dirty = false;
        if self.hard_state.commit < m.index {
            self.hard_state.commit = m.index;
        }
    }

    /// True when the log holds nothing yet (a brand-new member).
    pub fn is_empty(&self) -> bool {
        self.last() == 0 && self.snapshot_meta.index == 0 && self.hard_state == HardState::default()
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

    /// The commit index only moves forward in memory between `Ready`s; it is written with the
    /// next hard state (Raft never needs a durable commit index to be safe).
    pub fn set_commit(&mut self, commit: u64) {
        self.hard_state.commit = commit;
    }

    /// Everything one `Ready` asks to persist, in one write and one fdatasync.
    pub fn persist(
        &mut self,
        snapshot: Option<&Snapshot>,
        entries: &[Entry],
        hard_state: Option<&HardState>,
    ) -> Result<(), LogError> {
        // As etcd's `MustSync`: a hard state whose only news is a higher commit index need not
        // be on disk (Raft never needs a durable commit index); it goes with the next write.
        // (A compaction point waiting to be written still goes now, as before.)
        let must_write = hard_state.is_some_and(|hs| {
            hs.term != self.hard_state.term || hs.vote != self.hard_state.vote || self.compacted_dirty
        });
        if snapshot.is_none() && entries.is_empty() && !must_write {
            if let Some(hs) = hard_state {
                self.hard_state.commit = self.hard_state.commit.max(hs.commit);
            }
            return Ok(());
        }
        if let Some(snap) = snapshot {
            // A snapshot from the leader: durable in its own file before the log forgets.
            self.snaps.save(snap)?;
        }
        let mut f = self.begin_frame()?;
        if let Some(snap) = snapshot {
            // ...and it replaces the whole log.
            self.put_snapshot_records(&mut f, snap.get_metadata());
        } else if self.compacted_dirty {
            f.put_compacted(self.offset, self.offset_term);
        }
        let mut locs = Vec::with_capacity(entries.len());
        if let Some(first) = entries.first() {
            // Entries from `first.index` on are replaced (a new leader may overwrite an
            // uncommitted suffix).
            if first.index <= self.last() {
                f.put(REC_TRUNCATE, &first.index.to_le_bytes());
            }
            for e in entries {
                locs.push(f.put_entry(e));
            }
        }
        if let Some(hs) = hard_state {
            f.put_message(REC_HARD_STATE, hs);
        }
        self.write_frame(&mut f)?;
        // (from the first write of Raft's on: a member that is only opened allocates nothing)
        self.start_spare();

        if let Some(snap) = snapshot {
            self.adopt_snapshot(snap.get_metadata());
        }
        if let Some(last) = entries.last() {
            for (e, loc) in entries.iter().zip(locs) {
                self.mem_append(e.clone(), loc).map_err(LogError::Wal)?;
            }
            let tail = self.segments.get_mut(&self.tail_seq).unwrap();
            tail.max_index = tail.max_index.max(last.index);
        }
        if let Some(hs) = hard_state {
            self.hard_state = hs.clone();
        }
        self.release_segments();
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
        let mut f = self.begin_frame()?;
        f.put_message(REC_HARD_STATE, &hs);
        f.put_message(REC_CONF_STATE, &cs);
        f.put(REC_TRUNCATE, &(self.offset + 1).to_le_bytes());
        f.put_compacted(meta.index, meta.term);
        self.write_frame(&mut f)?;
        self.hard_state = hs;
        self.conf_state = cs;
        self.mem_truncate(self.offset + 1);
        self.mem_compact(meta.index, meta.term);
        self.compacted_dirty = false;
        self.snapshot_meta = meta.clone();
        Ok(())
    }

    /// Reads a small record of the member's own (e.g. its identity or the bootstrap cluster).
    pub fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self.meta.get(key).cloned())
    }

    /// Writes a small record durably.
    pub fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), LogError> {
        if key.len() > u16::MAX as usize {
            return Err(LogError::Wal(format!("meta key too long ({} bytes)", key.len())));
        }
        let mut f = self.begin_frame()?;
        f.put_meta(key, value);
        self.write_frame(&mut f)?;
        self.meta.insert(key.to_string(), value.to_vec());
        Ok(())
    }

    /// Records a configuration change applied from the log.
    pub fn set_conf_state(&mut self, cs: ConfState) -> Result<(), LogError> {
        let mut f = self.begin_frame()?;
        f.put_message(REC_CONF_STATE, &cs);
        self.write_frame(&mut f)?;
        self.conf_state = cs;
        Ok(())
    }

    /// A snapshot at `meta.index` is durable in the snapshot store: remember its metadata and
    /// forget the log up to `compact_to` (≤ its index), keeping the entries after that for
    /// peers that lag. The compaction point is written with the next `persist`, after which
    /// segments wholly behind it are deleted.
    pub fn snapshot_saved(&mut self, meta: SnapshotMetadata, compact_to: u64) {
        if meta.index < self.snapshot_meta.index {
            // A leader's newer snapshot was installed while ours was being written.
            return;
        }
        let compact_to = compact_to.min(meta.index);
        if compact_to > self.offset
            && compact_to <= self.last()
            && let Ok(term) = self.term(compact_to)
        {
            self.mem_compact(compact_to, term);
            self.compacted_dirty = true;
        }
        self.snapshot_meta = meta;
    }
}

impl Drop for LogStore {
    fn drop(&mut self) {
        if let Some(h) = self.deleter.take() {
            let _ = h.join();
        }
        // No thread may go on writing into the directory of a closed log.
        if let Some((h, _)) = self.spare.take() {
            let _ = h.join();
        }
    }
}
