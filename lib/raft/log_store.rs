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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ::raft::eraftpb::{ConfState, Entry, HardState, Snapshot, SnapshotMetadata};
use ::raft::{GetEntriesContext, RaftState, Storage, StorageError};
use protobuf::Message as _;

use super::snap_store::SnapStore;

/// Newest entries kept in memory: at most this many…
const CACHE_ENTRIES: usize = 1024;
/// …and at most this many bytes of them.
const CACHE_BYTES: usize = 4 << 20;
/// A segment rolls over once it is this big.
const SEGMENT_BYTES: u64 = 64 << 20;
/// The first spare segment is this big; each next one twice the last, up to `SEGMENT_BYTES`.
const FIRST_SPARE: u64 = 1 << 20;
/// The spare segment being allocated (or ready) in the log's directory.
const SPARE_NAME: &str = "spare.tmp";
/// At most this many bytes are read with one `pread` when entries come from disk.
const READ_SPAN: u64 = 4 << 20;

/// Frame header: body length and CRC-32C.
const FRAME_HEADER: usize = 8;
/// Record header: type and payload length.
const RECORD_HEADER: usize = 5;

const REC_ENTRY: u8 = 1;
const REC_HARD_STATE: u8 = 2;
const REC_CONF_STATE: u8 = 3;
/// Index and term of the last entry compacted away (u64 + u64).
const REC_COMPACTED: u8 = 4;
/// u16 key length, key, value.
const REC_META: u8 = 5;
/// Entries from this index (u64) on are gone.
const REC_TRUNCATE: u8 = 6;

/// Errors from the disk. They are fatal for a member: the caller stops rather than go on with
/// a log it could not write.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("raft log database: {0}")]
    Db(#[from] redb::Error),
    #[error("raft log: corrupt record {0}: {1}")]
    Corrupt(&'static str, protobuf::ProtobufError),
    #[error("raft log: {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("raft log: {0}")]
    Wal(String),
    /// A write found the file system full: nothing was written that counts, and the same write
    /// can be tried again once there is room.
    #[error("{0}: no space left on device")]
    NoSpace(PathBuf),
}

impl LogError {
    /// Whether this is the file system being full (or over quota), not a broken disk.
    pub fn is_no_space(&self) -> bool {
        let full = |e: &std::io::Error| matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT));
        match self {
            LogError::NoSpace(_) => true,
            LogError::Io(_, e) => full(e),
            LogError::Db(redb::Error::Io(e)) => full(e),
            LogError::Db(redb::Error::PreviousIo) => true,
            _ => false,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |e| LogError::Io(path.to_path_buf(), e)
}

/// For writes that may be tried again: a full file system is [`LogError::NoSpace`]. (Not for
/// fsync: after a failed fsync the page cache cannot be trusted, so that stays fatal.)
fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |e| match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => LogError::NoSpace(path.to_path_buf()),
        _ => LogError::Io(path.to_path_buf(), e),
    }
}

/// CRC-32C (Castagnoli), slicing by 8.
fn crc32c(data: &[u8]) -> u32 {
    const fn tables() -> [[u32; 256]; 8] {
        let mut t = [[0u32; 256]; 8];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
                k += 1;
            }
            t[0][i] = c;
            i += 1;
        }
        let mut i = 0;
        while i < 256 {
            let mut j = 1;
            while j < 8 {
                t[j][i] = (t[j - 1][i] >> 8) ^ t[0][(t[j - 1][i] & 0xff) as usize];
                j += 1;
            }
            i += 1;
        }
        t
    }
    static T: [[u32; 256]; 8] = tables();
    let mut crc = !0u32;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ crc;
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = T[7][(lo & 0xff) as usize]
            ^ T[6][((lo >> 8) & 0xff) as usize]
            ^ T[5][((lo >> 16) & 0xff) as usize]
            ^ T[4][(lo >> 24) as usize]
            ^ T[3][(hi & 0xff) as usize]
            ^ T[2][((hi >> 8) & 0xff) as usize]
            ^ T[1][((hi >> 16) & 0xff) as usize]
            ^ T[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = T[0][((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

fn segment_name(seq: u64) -> String {
    format!("{seq:016x}.wal")
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().unwrap()))
}

/// Where an entry's protobuf lies on disk: 3 integers per entry.
#[derive(Clone, Copy, Debug)]
struct Loc {
    seg: u64,
    off: u64,
    len: u64,
}

struct Segment {
    file: File,
    path: PathBuf,
    /// The highest entry index written to it (0 for none).
    max_index: u64,
    /// How many bytes of it were allocated ahead (0: it grows as it is written).
    prealloc: u64,
}

/// One write being built: the frame header, then records.
struct Frame {
    buf: Vec<u8>,
    seg: u64,
    /// File offset of `buf[0]`.
    base: u64,
    /// The compaction point it records, if any.
    compacted: Option<u64>,
}

impl Frame {
    fn new(seg: u64, base: u64) -> Frame {
        Frame { buf: vec![0; FRAME_HEADER], seg, base, compacted: None }
    }

    /// Starts a record; returns where its payload begins. `end_record` fills in its length.
    fn begin_record(&mut self, ty: u8) -> usize {
        self.buf.push(ty);
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.len()
    }

    fn end_record(&mut self, start: usize) -> u64 {
        let len = self.buf.len() - start;
        self.buf[start - 4..start].copy_from_slice(&(len as u32).to_le_bytes());
        len as u64
    }

    fn put(&mut self, ty: u8, payload: &[u8]) {
        let start = self.begin_record(ty);
        self.buf.extend_from_slice(payload);
        self.end_record(start);
    }

    fn put_message(&mut self, ty: u8, m: &impl protobuf::Message) {
        let start = self.begin_record(ty);
        m.write_to_vec(&mut self.buf).expect("encode raft record");
        self.end_record(start);
    }

    fn put_entry(&mut self, e: &Entry) -> Loc {
        let start = self.begin_record(REC_ENTRY);
        e.write_to_vec(&mut self.buf).expect("encode entry");
        let len = self.end_record(start);
        Loc { seg: self.seg, off: self.base + start as u64, len }
    }

    fn put_compacted(&mut self, index: u64, term: u64) {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&index.to_le_bytes());
        b[8..].copy_from_slice(&term.to_le_bytes());
        self.put(REC_COMPACTED, &b);
        self.compacted = Some(index);
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) {
        let start = self.begin_record(REC_META);
        self.buf.extend_from_slice(&(key.len() as u16).to_le_bytes());
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(value);
        self.end_record(start);
    }

    fn finish(&mut self) {
        let len = (self.buf.len() - FRAME_HEADER) as u32;
        let crc = crc32c(&self.buf[FRAME_HEADER..]);
        self.buf[..4].copy_from_slice(&len.to_le_bytes());
        self.buf[4..8].copy_from_slice(&crc.to_le_bytes());
    }
}

/// A frame around `body` with a valid checksum: what the fuzz target `wal_records` writes so
/// that its records get past the CRC to the decoder.
pub fn frame_for_fuzzing(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER + body.len());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The body of the frame at `p`, if it is whole and intact.
fn check_frame(data: &[u8], p: usize) -> Option<&[u8]> {
    let h = data.get(p..p + FRAME_HEADER)?;
    let len = u32::from_le_bytes(h[..4].try_into().unwrap()) as usize;
    let crc = u32::from_le_bytes(h[4..].try_into().unwrap());
    if len == 0 {
        return None;
    }
    let body = data.get(p + FRAME_HEADER..p + FRAME_HEADER + len)?;
    (crc32c(body) == crc).then_some(body)
}

/// Makes `dir/SPARE_NAME` a file of `size` bytes whose blocks are allocated (`fallocate`),
/// How long to wait before allocating a spare again, after the file system was full.
const SPARE_RETRY: Duration = Duration::from_secs(5);

/// and makes that durable.
fn allocate_spare(dir: &Path, size: u64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd as _;
    let path = dir.join(SPARE_NAME);
    let file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path)?;
    let len = libc::off_t::try_from(size).map_err(std::io::Error::other)?;
    nix::fcntl::fallocate(file.as_raw_fd(), nix::fcntl::FallocateFlags::empty(), 0, len)?;
    file.sync_all()
}

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
            use std::os::unix::fs::DirBuilderExt as _;
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
            let path = dir.join(segment_name(seq));
            let data = std::fs::read(&path).map_err(io_err(&path))?;
            let file = OpenOptions::new().read(true).write(true).open(&path).map_err(io_err(&path))?;
            // Zeros at the end are space filled ahead, not yet written.
            let written = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            s.segments.insert(seq, Segment { file, path: path.clone(), max_index: 0, prealloc: 0 });
            let newest = i + 1 == seqs.len();
            let mut p = 0;
            while p < written {
                if let Some(body) = check_frame(&data, p) {
                    s.replay_frame(seq, (p + FRAME_HEADER) as u64, body).map_err(|e| {
                        LogError::Wal(format!("{}: record at offset {p}: {e}", path.display()))
                    })?;
                    p += FRAME_HEADER + body.len();
                    continue;
                }
                // A torn write — cut short, or only partly on disk — can only be the last
                // frame of the newest segment: an intact frame after it means the damage is
                // in the middle, and nothing may be cut.
                let intact_after = (p + 1..written).any(|q| check_frame(&data, q).is_some());
                if !newest || intact_after {
                    return Err(LogError::Wal(format!(
                        "{}: corrupt record at offset {p} (before the end of the log)",
                        path.display()
                    )));
                }
                log::warn!(
                    "{}: cutting off a torn write at offset {p} ({} bytes)",
                    path.display(),
                    written - p
                );
                let seg = &s.segments[&seq];
                if written < data.len() {
                    seg.file.write_all_at(&vec![0u8; written - p], p as u64).map_err(io_err(&path))?;
                } else {
                    seg.file.set_len(p as u64).map_err(io_err(&path))?;
                }
                seg.file.sync_all().map_err(io_err(&path))?;
                break;
            }
            if p < data.len() && written < data.len() {
                s.segments.get_mut(&seq).unwrap().prealloc = data.len() as u64;
            }
            s.tail_seq = seq;
            s.tail_len = p as u64;
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

    /// Applies one frame's records to the in-memory state.
    fn replay_frame(&mut self, seq: u64, base: u64, body: &[u8]) -> Result<(), String> {
        let mut p = 0;
        while p < body.len() {
            if body.len() - p < RECORD_HEADER {
                return Err("truncated record header".into());
            }
            let ty = body[p];
            let len = u32::from_le_bytes(body[p + 1..p + 5].try_into().unwrap()) as usize;
            let start = p + RECORD_HEADER;
            let Some(payload) = body.get(start..start + len) else {
                return Err("record longer than its frame".into());
            };
            match ty {
                REC_ENTRY => {
                    let e = Entry::parse_from_bytes(payload).map_err(|e| format!("entry: {e}"))?;
                    let index = e.index;
                    self.mem_append(e, Loc { seg: seq, off: base + start as u64, len: len as u64 })?;
                    let seg = self.segments.get_mut(&seq).unwrap();
                    seg.max_index = seg.max_index.max(index);
                }
                REC_HARD_STATE => {
                    self.hard_state =
                        HardState::parse_from_bytes(payload).map_err(|e| format!("hard state: {e}"))?
                }
                REC_CONF_STATE => {
                    self.conf_state =
                        ConfState::parse_from_bytes(payload).map_err(|e| format!("conf state: {e}"))?
                }
                REC_COMPACTED => {
                    let (Some(index), Some(term)) = (u64_at(payload, 0), u64_at(payload, 8)) else {
                        return Err("short compaction record".into());
                    };
                    self.mem_compact(index, term);
                    self.durable_offset = index;
                }
                REC_META => {
                    let klen = payload
                        .get(..2)
                        .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
                        .ok_or("short meta record")?;
                    let key = payload.get(2..2 + klen).ok_or("short meta record")?;
                    let key = std::str::from_utf8(key).map_err(|_| "meta key is not UTF-8")?;
                    self.meta.insert(key.to_string(), payload[2 + klen..].to_vec());
                }
                REC_TRUNCATE => {
                    let from = u64_at(payload, 0).ok_or("short truncation record")?;
                    self.mem_truncate(from);
                }
                t => return Err(format!("unknown record type {t}")),
            }
            p = start + len;
        }
        Ok(())
    }

    fn create_segment(&mut self, seq: u64) -> Result<(), LogError> {
        let path = self.dir.join(segment_name(seq));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(write_err(&path))?;
        sync_dir(&self.dir)?;
        self.segments.insert(seq, Segment { file, path, max_index: 0, prealloc: 0 });
        self.tail_seq = seq;
        self.tail_len = 0;
        Ok(())
    }

    /// Starts allocating the next spare segment, unless one is on its way.
    fn start_spare(&mut self) {
        if !self.preallocate || self.spare.is_some() {
            return;
        }
        if self.spare_after.is_some_and(|t| Instant::now() < t) {
            return;
        }
        self.spare_after = None;
        let size = self.spare_size.min(self.segment_bytes).max(1);
        let dir = self.dir.clone();
        let allocator = std::thread::Builder::new().name("wal-spare".into()).spawn(move || {
            crate::os::priority::background();
            allocate_spare(&dir, size)
        });
        match allocator {
            Ok(h) => self.spare = Some((h, size)),
            Err(e) => log::warn!("cannot start the thread that allocates spare log segments: {e}"),
        }
    }

    fn spare_is_ready(&self) -> bool {
        self.spare.as_ref().is_some_and(|(h, _)| h.is_finished())
    }

    /// The spare segment, if it is ready (never waits for it): its size.
    fn take_spare(&mut self) -> Option<u64> {
        if !self.spare_is_ready() {
            return None;
        }
        let (h, size) = self.spare.take().unwrap();
        match h.join() {
            Ok(Ok(())) => Some(size),
            Ok(Err(e)) if matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT)) => {
                // A full file system: give the space back, try again a while later.
                let _ = std::fs::remove_file(self.dir.join(SPARE_NAME));
                self.spare_size = (size / 2).max(1);
                self.spare_after = Some(Instant::now() + SPARE_RETRY);
                None
            }
            Ok(Err(e)) => {
                // Not fatal: segments then grow as they are written, as without preallocation.
                log::warn!(
                    "{}: cannot allocate a spare log segment (segments will grow as they are written): {e}",
                    self.dir.display()
                );
                self.preallocate = false;
                None
            }
            Err(_) => None,
        }
    }

    /// Moves on to the next segment: the spare if it is ready, else a new empty file.
    fn roll(&mut self) -> Result<(), LogError> {
        let seq = self.tail_seq + 1;
        match self.take_spare() {
            Some(size) => {
                let path = self.dir.join(segment_name(seq));
                let spare = self.dir.join(SPARE_NAME);
                std::fs::rename(&spare, &path).map_err(io_err(&path))?;
                sync_dir(&self.dir)?;
                let file = OpenOptions::new().read(true).write(true).open(&path).map_err(io_err(&path))?;
                self.segments.insert(seq, Segment { file, path, max_index: 0, prealloc: size });
                self.tail_seq = seq;
                self.tail_len = 0;
                self.spare_size = (size * 2).min(self.segment_bytes);
            }
            None => self.create_segment(seq)?,
        }
        self.start_spare();
        Ok(())
    }

    /// Starts the next write, rolling over to a new segment first if the tail is full — or,
    /// for a segment that grows as it is written, as soon as an allocated one is ready. A
    /// new segment starts with the whole state, so that older ones are needed only for entries.
    fn begin_frame(&mut self) -> Result<Frame, LogError> {
        let prealloc = self.segments[&self.tail_seq].prealloc;
        let full = if prealloc > 0 { self.tail_len >= prealloc } else { self.tail_len >= self.segment_bytes };
        let spare_ready = prealloc == 0 && self.tail_len > 0 && self.spare_is_ready();
        if full || spare_ready {
            self.roll()?;
        }
        let mut f = Frame::new(self.tail_seq, self.tail_len);
        if self.tail_len == 0 {
            f.put_message(REC_HARD_STATE, &self.hard_state);
            f.put_message(REC_CONF_STATE, &self.conf_state);
            f.put_compacted(self.offset, self.offset_term);
            let mut keys: Vec<&String> = self.meta.keys().collect();
            keys.sort();
            for k in keys {
                f.put_meta(k, &self.meta[k]);
            }
        }
        Ok(f)
    }

    /// ONE write and ONE fdatasync; durable when this returns.
    fn write_frame(&mut self, f: &mut Frame) -> Result<(), LogError> {
        if f.buf.len() - FRAME_HEADER > u32::MAX as usize {
            // Its length would wrap: it could be written but never read back.
            return Err(LogError::Wal(format!(
                "a batch of {} bytes is larger than a log frame can hold",
                f.buf.len()
            )));
        }
        f.finish();
        let seg = &self.segments[&self.tail_seq];
        seg.file.write_all_at(&f.buf, self.tail_len).map_err(write_err(&seg.path))?;
        seg.file.sync_data().map_err(io_err(&seg.path))?;
        self.tail_len += f.buf.len() as u64;
        if let Some(index) = f.compacted {
            self.durable_offset = index;
            if index == self.offset {
                self.compacted_dirty = false;
            }
        }
        Ok(())
    }

    /// Deletes (on another thread) the oldest segments whose entries are all behind the
    /// compaction point on disk; the newer segments' headers hold the rest of the state.
    fn release_segments(&mut self) {
        let mut doomed = Vec::new();
        while let Some((&seq, seg)) = self.segments.first_key_value() {
            if seq == self.tail_seq || seg.max_index > self.durable_offset {
                break;
            }
            doomed.push(self.segments.remove(&seq).unwrap().path);
        }
        if doomed.is_empty() {
            return;
        }
        if let Some(h) = self.deleter.take() {
            let _ = h.join();
        }
        let dir = self.dir.clone();
        self.deleter = Some(std::thread::spawn(move || {
            for p in doomed {
                if let Err(e) = std::fs::remove_file(&p) {
                    log::warn!("cannot delete {}: {e}", p.display());
                }
            }
            let _ = sync_dir(&dir);
        }));
    }

    fn last(&self) -> u64 {
        self.first + self.locs.len() as u64 - 1
    }

    /// Forgets entries from `from` on.
    fn mem_truncate(&mut self, from: u64) {
        let keep = from.saturating_sub(self.first).min(self.locs.len() as u64);
        self.locs.truncate(keep as usize);
        while self.cache.back().is_some_and(|e| e.index >= from) {
            let old = self.cache.pop_back().unwrap();
            self.cache_bytes -= old.data.len() + 32;
        }
    }

    /// Appends an entry, replacing any at or after its index.
    fn mem_append(&mut self, e: Entry, loc: Loc) -> Result<(), String> {
        if e.index <= self.offset {
            return Err(format!("entry {} is at or before the compaction point {}", e.index, self.offset));
        }
        let last = self.last();
        if e.index <= last {
            self.mem_truncate(e.index);
        } else if e.index > last + 1 {
            // Only while replaying: the entries before were in deleted segments, and a later
            // compaction record must cover them.
            self.locs.clear();
            self.first = e.index;
            self.cache.clear();
            self.cache_bytes = 0;
            self.replay_gap = self.replay_gap.max(e.index - 1);
        }
        if self.cache.back().is_some_and(|c| c.index + 1 != e.index) {
            self.cache.clear();
            self.cache_bytes = 0;
        }
        self.locs.push_back(loc);
        self.push_cache(e);
        Ok(())
    }

    /// Moves the compaction point to `index`.
    fn mem_compact(&mut self, index: u64, term: u64) {
        self.offset = index;
        self.offset_term = term;
        while !self.locs.is_empty() && self.first <= index {
            self.locs.pop_front();
            self.first += 1;
        }
        if self.locs.is_empty() {
            self.first = index + 1;
        }
        while self.cache.front().is_some_and(|e| e.index <= index) {
            let old = self.cache.pop_front().unwrap();
            self.cache_bytes -= old.data.len() + 32;
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

    fn cache_first(&self) -> u64 {
        self.last() + 1 - self.cache.len() as u64
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

    /// Entries [low, high) (all within `first..=last`), from the cache or read from disk,
    /// stopping early past `max` bytes.
    fn read_entries(&self, low: u64, high: u64, max: Option<u64>) -> Result<Vec<Entry>, LogError> {
        let mut out = Vec::with_capacity((high - low).min(1024) as usize);
        let mut size: u64 = 0;
        let over = |size: u64, out: &Vec<Entry>| !out.is_empty() && max.is_some_and(|m| size > m);
        let cache_first = self.cache_first();
        let mut idx = low;
        while idx < high {
            if idx >= cache_first {
                let e = &self.cache[(idx - cache_first) as usize];
                size += e.compute_size() as u64;
                if over(size, &out) {
                    break;
                }
                out.push(e.clone());
                idx += 1;
                continue;
            }
            // A run of entries in one segment, read with one pread.
            let at = |i: u64| self.locs[(i - self.first) as usize];
            let start = at(idx);
            let budget = max.map_or(READ_SPAN, |m| m.saturating_sub(size).clamp(1, READ_SPAN));
            let mut end = idx + 1;
            let mut span_end = start.off + start.len;
            let mut run_bytes = start.len;
            while end < high.min(cache_first) && run_bytes < budget {
                let l = at(end);
                if l.seg != start.seg || l.off < span_end || l.off + l.len - start.off > READ_SPAN {
                    break;
                }
                span_end = l.off + l.len;
                run_bytes += l.len;
                end += 1;
            }
            let seg = self
                .segments
                .get(&start.seg)
                .ok_or_else(|| LogError::Wal(format!("entry {idx}: segment {} is gone", start.seg)))?;
            let mut buf = vec![0u8; (span_end - start.off) as usize];
            seg.file.read_exact_at(&mut buf, start.off).map_err(io_err(&seg.path))?;
            for i in idx..end {
                let l = at(i);
                size += l.len;
                if over(size, &out) {
                    return Ok(out);
                }
                let b = &buf[(l.off - start.off) as usize..(l.off - start.off + l.len) as usize];
                let e = Entry::parse_from_bytes(b).map_err(|e| LogError::Corrupt("entry", e))?;
                if e.index != i {
                    return Err(LogError::Wal(format!(
                        "{}: expected entry {i}, found {}",
                        seg.path.display(),
                        e.index
                    )));
                }
                out.push(e);
            }
            idx = end;
        }
        Ok(out)
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

    fn cached(&self, idx: u64) -> Option<&Entry> {
        if idx < self.cache_first() || idx > self.last() {
            return None;
        }
        self.cache.get((idx - self.cache_first()) as usize)
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
        if high > self.last() + 1 {
            return Err(::raft::Error::Store(StorageError::Unavailable));
        }
        self.read_entries(low, high, max_size.into())
            .map_err(|e| ::raft::Error::Store(StorageError::Other(Box::new(e))))
    }

    fn term(&self, idx: u64) -> ::raft::Result<u64> {
        if idx == self.offset {
            return Ok(self.offset_term);
        }
        if idx < self.offset {
            return Err(::raft::Error::Store(StorageError::Compacted));
        }
        if idx > self.last() {
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
        Ok(self.last())
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

    /// Opens the log without segments allocated ahead, so that files end where the log does.
    fn try_open(dir: &Path) -> Result<LogStore, LogError> {
        let snaps = Arc::new(SnapStore::open(&dir.join("snap.redb")).unwrap());
        LogStore::open_with(&dir.join("wal"), snaps, false)
    }

    /// Opens the log as kv-serve does, with segments allocated ahead.
    fn open_prealloc(dir: &Path) -> LogStore {
        let snaps = Arc::new(SnapStore::open(&dir.join("snap.redb")).unwrap());
        LogStore::open(&dir.join("wal"), snaps).unwrap()
    }

    fn open(dir: &Path) -> LogStore {
        try_open(dir).unwrap()
    }

    fn data(s: &LogStore, low: u64, high: u64) -> Vec<Vec<u8>> {
        s.entries(low, high, None, GetEntriesContext::empty(false))
            .unwrap()
            .iter()
            .map(|e| e.data.to_vec())
            .collect()
    }

    fn segment_files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
            .unwrap()
            .map(|d| d.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "wal"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn crc32c_known_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn entries_hard_state_and_meta_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            assert!(s.is_empty());
            let mut hs = HardState::default();
            hs.term = 2;
            hs.vote = 1;
            hs.commit = 2;
            s.persist(None, &[entry(1, 1, b"a"), entry(2, 2, b"b"), entry(3, 2, b"c")], Some(&hs)).unwrap();
            s.put_meta("identity", b"me").unwrap();
            let mut cs = ConfState::default();
            cs.voters = vec![1, 2];
            s.set_conf_state(cs).unwrap();
        }
        let s = open(dir.path());
        assert!(!s.is_empty());
        assert_eq!(s.hard_state().term, 2);
        assert_eq!(s.hard_state().vote, 1);
        assert_eq!(s.conf_state().voters, vec![1, 2]);
        assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
        assert_eq!(s.get_meta("other").unwrap(), None);
        assert_eq!(s.last_index().unwrap(), 3);
        assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn a_new_leader_overwrites_the_suffix() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            s.persist(
                None,
                &[entry(1, 1, b"a"), entry(2, 1, b"b"), entry(3, 1, b"c"), entry(4, 1, b"d")],
                None,
            )
            .unwrap();
            s.persist(None, &[entry(3, 3, b"C")], None).unwrap();
            assert_eq!(s.last_index().unwrap(), 3);
            assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"C".to_vec()]);
            s.persist(None, &[entry(4, 3, b"D")], None).unwrap();
        }
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), 4);
        assert_eq!(data(&s, 1, 5), vec![b"a".to_vec(), b"b".to_vec(), b"C".to_vec(), b"D".to_vec()]);
        assert_eq!(s.term(3).unwrap(), 3);
        assert_eq!(s.term(2).unwrap(), 1);
    }

    #[test]
    fn a_torn_tail_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
            s.persist(None, &[entry(3, 1, b"c")], None).unwrap();
        }
        let seg = segment_files(dir.path()).pop().unwrap();
        let len = std::fs::metadata(&seg).unwrap().len();
        // the last write only partly made it to disk
        OpenOptions::new().write(true).open(&seg).unwrap().set_len(len - 3).unwrap();
        {
            let mut s = open(dir.path());
            assert_eq!(s.last_index().unwrap(), 2);
            assert_eq!(std::fs::metadata(&seg).unwrap().len(), s.tail_len);
            s.persist(None, &[entry(3, 1, b"c2")], None).unwrap();
        }
        // a write whose length made it but not its data (zeros), after an intact one
        let len = std::fs::metadata(&seg).unwrap().len();
        {
            let f = OpenOptions::new().write(true).open(&seg).unwrap();
            f.write_all_at(&[40, 0, 0, 0, 1, 2, 3, 4], len).unwrap();
            f.set_len(len + 48).unwrap();
        }
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), 3);
        assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"c2".to_vec()]);
        assert_eq!(s.tail_len, len);
        // (the zeros after it read as space filled ahead)
        assert!(std::fs::read(&seg).unwrap()[len as usize..].iter().all(|&b| b == 0));
    }

    /// Waits until the spare segment being allocated, if any, is ready.
    fn spare_ready(s: &LogStore) {
        while s.spare.is_some() && !s.spare_is_ready() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn segments_are_allocated_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let mut written = Vec::new();
        {
            let mut s = open_prealloc(dir.path());
            s.segment_bytes = 64 << 10;
            s.spare_size = 16 << 10;
            for i in 1..=600u64 {
                let e = entry(i, 1, &[i as u8; 300]);
                s.persist(None, std::slice::from_ref(&e), None).unwrap();
                written.push(e.data.to_vec());
                spare_ready(&s);
            }
            // the first segment grew as it was written and gave way to a spare at once; the
            // others were allocated ahead, doubling up to the segment size
            let sizes: Vec<u64> = s.segments.values().map(|g| g.prealloc).collect();
            assert_eq!(sizes[0], 0, "{sizes:?}");
            assert_eq!(sizes[1..4], [16 << 10, 32 << 10, 64 << 10], "{sizes:?}");
            assert!(sizes[4..].iter().all(|&n| n == 64 << 10), "{sizes:?}");
            for g in s.segments.values().skip(1) {
                // (the frame that crosses a segment's end makes it a little longer)
                let len = std::fs::metadata(&g.path).unwrap().len();
                assert!(len >= g.prealloc && len < g.prealloc + 1024, "{}: {len}", g.path.display());
            }
            assert!(s.tail_len < s.segments[&s.tail_seq].prealloc);
        }
        assert!(!segment_files(dir.path()).is_empty());
        let tail = segment_files(dir.path()).pop().unwrap();
        let size = std::fs::metadata(&tail).unwrap().len();
        {
            let mut s = open_prealloc(dir.path());
            assert_eq!(data(&s, 1, 601), written, "zeros after the last frame are not entries");
            assert_eq!(s.segments[&s.tail_seq].prealloc, size);
            let at = s.tail_len;
            s.persist(None, &[entry(601, 1, b"after reopen")], None).unwrap();
            assert!(s.tail_len > at);
            assert_eq!(
                std::fs::metadata(&tail).unwrap().len(),
                size,
                "written into the space allocated ahead"
            );
            written.push(b"after reopen".to_vec());
        }
        // a torn write in space allocated ahead: its first page made it, the rest did not
        let end = {
            let s = open_prealloc(dir.path());
            s.tail_len
        };
        let f = OpenOptions::new().write(true).open(&tail).unwrap();
        f.write_all_at(&[200, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3], end).unwrap();
        let s = open_prealloc(dir.path());
        assert_eq!(data(&s, 1, 602), written);
        assert_eq!(s.tail_len, end);
        assert_eq!(std::fs::metadata(&tail).unwrap().len(), size, "cut by zeroing, still allocated ahead");
        assert!(std::fs::read(&tail).unwrap()[end as usize..].iter().all(|&b| b == 0));
        assert!(s.spare.is_none(), "opening allocates nothing");
        assert!(!dir.path().join("wal").join(SPARE_NAME).exists(), "the last run's spare is deleted on open");
    }

    #[test]
    fn corruption_before_the_tail_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            s.persist(None, &[entry(1, 1, b"first write")], None).unwrap();
            s.persist(None, &[entry(2, 1, b"second write")], None).unwrap();
        }
        let seg = segment_files(dir.path()).pop().unwrap();
        let mut bytes = std::fs::read(&seg).unwrap();
        let at = bytes.windows(11).position(|w| w == b"first write").unwrap();
        bytes[at] ^= 0xff;
        std::fs::write(&seg, &bytes).unwrap();
        let err = try_open(dir.path()).err().expect("corruption must be an error");
        assert!(err.to_string().contains("corrupt"), "{err}");
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
    fn compaction_deletes_old_segments() {
        let dir = tempfile::tempdir().unwrap();
        let n = 2000u64;
        let mut hs = HardState::default();
        hs.term = 1;
        {
            let mut s = open(dir.path());
            s.segment_bytes = 16 << 10;
            s.put_meta("identity", b"me").unwrap();
            for i in 1..=n {
                hs.commit = i;
                s.persist(None, &[entry(i, 1, &[7u8; 100])], Some(&hs)).unwrap();
            }
            let before = segment_files(dir.path()).len();
            assert!(before > 10, "{before} segments");
            let snap = snapshot(n - 10, 1, b"state");
            s.snaps.save(&snap).unwrap();
            s.snapshot_saved(snap.get_metadata().clone(), n - 50);
            // logical at once
            assert_eq!(s.first_index().unwrap(), n - 49);
            assert_eq!(s.term(n - 50).unwrap(), 1);
            assert!(matches!(s.term(n - 51), Err(::raft::Error::Store(StorageError::Compacted))));
            // physical after the next write
            s.persist(None, &[entry(n + 1, 1, b"y")], None).unwrap();
            if let Some(h) = s.deleter.take() {
                h.join().unwrap();
            }
            let after = segment_files(dir.path()).len();
            assert!(after <= 3, "{before} -> {after} segments");
            // entries behind the cache but after the compaction point still read back
            assert_eq!(s.entries(n - 49, n + 2, None, GetEntriesContext::empty(false)).unwrap().len(), 51);
        }
        let mut s = open(dir.path());
        assert_eq!(s.first_index().unwrap(), n - 49);
        assert_eq!(s.last_index().unwrap(), n + 1);
        assert_eq!(s.term(n - 50).unwrap(), 1);
        assert_eq!(s.hard_state().commit, n);
        assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
        assert_eq!(s.conf_state(), &ConfState::default());
        let got = s.entries(n - 49, n + 2, None, GetEntriesContext::empty(false)).unwrap();
        assert_eq!(got.first().unwrap().index, n - 49);
        assert_eq!(got.last().unwrap().data.to_vec(), b"y".to_vec());
        assert_eq!(&s.snapshot(0, 1).unwrap().data[..], b"state");
        // a peer the snapshot does not know gets none, and a newer one is asked for
        assert!(s.snapshot(0, 9).is_err());
        assert!(s.snapshot_wanted.load(std::sync::atomic::Ordering::Acquire));
        assert_eq!(s.snapshot_metadata().index, n - 10);
        // and it goes on
        s.persist(None, &[entry(n + 2, 2, b"z")], None).unwrap();
        drop(s);
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), n + 2);
        assert_eq!(s.term(n + 2).unwrap(), 2);
    }

    #[test]
    fn a_segment_created_just_before_a_crash_gets_the_state_header() {
        let dir = tempfile::tempdir().unwrap();
        let mut hs = HardState::default();
        hs.term = 3;
        hs.vote = 2;
        {
            let mut s = open(dir.path());
            s.put_meta("identity", b"me").unwrap();
            s.persist(None, &[entry(1, 3, b"a"), entry(2, 3, b"b")], Some(&hs)).unwrap();
        }
        // the crash came after the new segment's file was made, before anything was written to it
        let last = segment_files(dir.path()).pop().unwrap();
        let name = last.file_name().unwrap().to_str().unwrap();
        let seq = u64::from_str_radix(name.strip_suffix(".wal").unwrap(), 16).unwrap();
        File::create(dir.path().join("wal").join(segment_name(seq + 1))).unwrap();
        {
            let mut s = open(dir.path());
            assert_eq!(s.tail_seq, seq + 1);
            assert!(s.tail_len > 0, "the header was written");
            s.persist(None, &[entry(3, 3, b"c")], None).unwrap();
            // once the compaction point passes the old segment's entries, it goes
            s.snapshot_saved(snapshot(3, 3, b"").get_metadata().clone(), 2);
            s.persist(None, &[entry(4, 3, b"d")], None).unwrap();
        }
        assert_eq!(segment_files(dir.path()).len(), 1);
        let s = open(dir.path());
        assert_eq!(s.hard_state().vote, 2);
        assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
        assert_eq!(s.first_index().unwrap(), 3);
        assert_eq!(data(&s, 3, 5), vec![b"c".to_vec(), b"d".to_vec()]);
    }

    /// A long run of appends, overwrites, compactions, leader snapshots and meta writes over
    /// small segments, reopened now and then, against a model of what the log must hold.
    #[test]
    fn random_operations_match_a_model_across_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut s = open_prealloc(dir.path());
        s.segment_bytes = 2048;
        // the model: entries offset+1..=last as (term, data)
        let (mut offset, mut offset_term) = (0u64, 0u64);
        let mut model: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut meta: HashMap<String, Vec<u8>> = HashMap::new();
        let mut hs = HardState::default();
        let mut term = 1;
        let mut segments_seen = 0;
        for step in 0..3000u64 {
            let last = offset + model.len() as u64;
            match next(100) {
                0..=59 => {
                    let ents: Vec<Entry> = (0..1 + next(5))
                        .map(|k| entry(last + 1 + k, term, format!("{step}.{k}").as_bytes()))
                        .collect();
                    model.extend(ents.iter().map(|e| (e.term, e.data.to_vec())));
                    hs.term = term;
                    s.persist(None, &ents, Some(&hs)).unwrap();
                }
                60..=69 if !model.is_empty() => {
                    // a new leader overwrites an uncommitted suffix
                    term += 1;
                    let from = last - next(model.len().min(5) as u64);
                    model.truncate((from - offset - 1) as usize);
                    let ents: Vec<Entry> = (0..1 + next(3))
                        .map(|k| entry(from + k, term, format!("o{step}.{k}").as_bytes()))
                        .collect();
                    model.extend(ents.iter().map(|e| (e.term, e.data.to_vec())));
                    s.persist(None, &ents, None).unwrap();
                }
                70..=79 if model.len() > 1 => {
                    let to = offset + 1 + next(model.len() as u64 - 1);
                    let mut m = SnapshotMetadata::default();
                    m.index = to;
                    m.term = model[(to - offset - 1) as usize].0;
                    s.snapshot_saved(m.clone(), to);
                    // (the compaction point goes to disk with the next write)
                    s.persist(None, &[], Some(&hs)).unwrap();
                    offset_term = m.term;
                    model.drain(..(to - offset) as usize);
                    offset = to;
                }
                80..=81 => {
                    term += 1;
                    let snap = snapshot(last + 1 + next(20), term, b"leader");
                    s.persist(Some(&snap), &[], None).unwrap();
                    offset = snap.get_metadata().index;
                    offset_term = term;
                    model.clear();
                }
                82..=86 => {
                    let (k, v) = (format!("k{}", next(4)), step.to_le_bytes().to_vec());
                    s.put_meta(&k, &v).unwrap();
                    meta.insert(k, v);
                }
                87..=89 => {
                    drop(s);
                    s = open_prealloc(dir.path());
                    s.segment_bytes = 2048;
                }
                _ => {}
            }
            segments_seen = segments_seen.max(s.tail_seq + 1);
            let last = offset + model.len() as u64;
            assert_eq!(
                (s.first_index().unwrap(), s.last_index().unwrap()),
                (offset + 1, last),
                "step {step}"
            );
            assert_eq!(s.term(offset).unwrap(), offset_term, "step {step}");
            if step % 50 == 0 || !model.is_empty() && next(10) == 0 {
                let got = s.entries(offset + 1, last + 1, None, GetEntriesContext::empty(false)).unwrap();
                let got: Vec<(u64, Vec<u8>)> = got.iter().map(|e| (e.term, e.data.to_vec())).collect();
                assert_eq!(got, model, "step {step}");
                assert_eq!(s.hard_state().term, hs.term, "step {step}");
                assert_eq!(s.meta, meta, "step {step}");
            }
        }
        assert!(segments_seen > 20, "segments rolled ({segments_seen})");
        drop(s);
        assert!(segment_files(dir.path()).len() < 20, "old segments are deleted");
    }

    /// etcd's `MustSync`: a higher commit index alone is not worth a write and an fdatasync;
    /// a new term or vote is, and the commit index then goes along.
    #[test]
    fn a_commit_index_alone_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut hs = HardState::default();
        {
            let mut s = open(dir.path());
            hs.term = 2;
            hs.vote = 1;
            hs.commit = 1;
            s.persist(None, &[entry(1, 2, b"a"), entry(2, 2, b"b")], Some(&hs)).unwrap();
            let written = s.tail_len;
            hs.commit = 2;
            s.persist(None, &[], Some(&hs)).unwrap();
            assert_eq!(s.tail_len, written, "nothing written for a commit index");
            assert_eq!(s.hard_state().commit, 2, "but it is known in memory");
        }
        {
            let mut s = open(dir.path());
            assert_eq!((s.hard_state().term, s.hard_state().vote, s.hard_state().commit), (2, 1, 1));
            let written = s.tail_len;
            hs.term = 3;
            hs.vote = 0;
            s.persist(None, &[], Some(&hs)).unwrap();
            assert!(s.tail_len > written, "a new term is written");
        }
        let s = open(dir.path());
        assert_eq!((s.hard_state().term, s.hard_state().vote, s.hard_state().commit), (3, 0, 2));
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
                let ents: Vec<Entry> =
                    chunk.iter().map(|&i| entry(i, 1 + i / 1000, &i.to_be_bytes())).collect();
                s.persist(None, &ents, None).unwrap();
            }
            assert!(s.cache.len() <= CACHE_ENTRIES);
            assert!(s.cache_first() > 1);
            let all = s.entries(1, n + 1, None, GetEntriesContext::empty(false)).unwrap();
            assert_eq!(all.len() as u64, n);
            assert!(
                all.iter()
                    .enumerate()
                    .all(|(i, e)| e.index == i as u64 + 1 && e.data[..] == (i as u64 + 1).to_be_bytes())
            );
            assert_eq!(s.term(5).unwrap(), 1);
            assert_eq!(s.term(n).unwrap(), 1 + n / 1000);
            // a size limit stops early but always returns one entry
            let some = s.entries(1, n + 1, Some(200), GetEntriesContext::empty(false)).unwrap();
            assert!(!some.is_empty() && some.len() < 20, "{}", some.len());
            assert_eq!(s.entries(1, n + 1, Some(0), GetEntriesContext::empty(false)).unwrap().len(), 1);
        }
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), n);
        assert_eq!(s.entries(n - 1, n + 1, None, GetEntriesContext::empty(false)).unwrap().len(), 2);
        assert_eq!(s.entries(2, 4, None, GetEntriesContext::empty(false)).unwrap()[0].index, 2);
        assert_eq!(s.term(1500).unwrap(), 2);
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
        s.persist(None, &[entry(51, 4, b"after")], None).unwrap();
        drop(s);
        let s = open(dir.path());
        assert_eq!(s.first_index().unwrap(), 51);
        assert_eq!(s.last_index().unwrap(), 51);
        assert_eq!(s.hard_state().commit, 50);
        assert_eq!(s.conf_state().voters, vec![1]);
        assert_eq!(data(&s, 51, 52), vec![b"after".to_vec()]);
    }

    #[test]
    fn a_snapshot_saved_just_before_a_crash_replaces_the_log_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
        }
        // persist() saves a leader's snapshot first; here the crash comes before its frame.
        SnapStore::open(&dir.path().join("snap.redb")).unwrap().save(&snapshot(50, 4, b"remote")).unwrap();
        let s = open(dir.path());
        assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (51, 50));
        assert_eq!(s.term(50).unwrap(), 4);
        assert_eq!(s.hard_state().commit, 50);
        drop(s);
        // And that was written down: the next open finds the same.
        let s = open(dir.path());
        assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (51, 50));
    }

    #[test]
    fn a_snapshot_that_disagrees_with_the_log_replaces_it_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            let es: Vec<Entry> = (1..=10).map(|i| entry(i, 1, b"old")).collect();
            s.persist(None, &es, None).unwrap();
        }
        // A leader's snapshot at 5, term 3: our entry 5 (term 1) was never committed.
        SnapStore::open(&dir.path().join("snap.redb")).unwrap().save(&snapshot(5, 3, b"leader")).unwrap();
        let s = open(dir.path());
        assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (6, 5));
        assert_eq!(s.term(5).unwrap(), 3);
        assert_eq!(s.hard_state().term, 3);
        drop(s);
        let s = open(dir.path());
        assert_eq!((s.last_index().unwrap(), s.hard_state().term, s.hard_state().commit), (5, 3, 5));
    }

    #[test]
    fn a_damaged_length_in_the_middle_is_not_taken_for_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            for i in 1..=5 {
                s.persist(None, &[entry(i, 1, b"payload")], None).unwrap();
            }
        }
        let seg = segment_files(dir.path()).pop().unwrap();
        let mut data = std::fs::read(&seg).unwrap();
        // Find the second frame and make its length point past the end of the file.
        let first_len = u32::from_le_bytes(data[0..4].try_into().unwrap()) as usize;
        let second = FRAME_HEADER + first_len;
        data[second + 3] = 0x7f;
        std::fs::write(&seg, &data).unwrap();
        assert!(try_open(dir.path()).is_err(), "intact frames follow: this is corruption, not a torn write");
    }

    #[test]
    fn bootstrap_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path());
            let snap = snapshot(1, 1, b"");
            s.bootstrap(snap.get_metadata()).unwrap();
            assert_eq!(s.last_index().unwrap(), 1);
            assert_eq!(s.first_index().unwrap(), 2);
        }
        let s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), 1);
        assert_eq!(s.term(1).unwrap(), 1);
        assert_eq!(s.hard_state().term, 1);
        assert_eq!(s.conf_state().voters, vec![1]);
    }
}
