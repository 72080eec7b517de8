//! The entries in memory: where each one since the compaction point lies on disk, the newest
//! ones themselves (a bounded cache), and reading the others back with `pread`.

use std::os::unix::fs::FileExt as _;

use ::raft::eraftpb::Entry;
use protobuf::Message as _;

use super::error::io_err;
use super::{LogError, LogStore};

/// Newest entries kept in memory: at most this many…
pub(super) const CACHE_ENTRIES: usize = 1024;
/// …and at most this many bytes of them.
pub(super) const CACHE_BYTES: usize = 4 << 20;
/// At most this many bytes are read with one `pread` when entries come from disk.
const READ_SPAN: u64 = 4 << 20;

/// Where an entry's protobuf lies on disk: 3 integers per entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Loc {
    pub(super) seg: u64,
    pub(super) off: u64,
    pub(super) len: u64,
}

impl LogStore {
    pub(super) fn last(&self) -> u64 {
        self.first + self.locs.len() as u64 - 1
    }

    /// Forgets entries from `from` on.
    pub(super) fn mem_truncate(&mut self, from: u64) {
        let keep = from.saturating_sub(self.first).min(self.locs.len() as u64);
        self.locs.truncate(keep as usize);
        while self.cache.back().is_some_and(|e| e.index >= from) {
            let old = self.cache.pop_back().unwrap();
            self.cache_bytes -= old.data.len() + 32;
        }
    }

    /// Appends an entry, replacing any at or after its index.
    pub(super) fn mem_append(&mut self, e: Entry, loc: Loc) -> Result<(), String> {
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
    pub(super) fn mem_compact(&mut self, index: u64, term: u64) {
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

    pub(super) fn cache_first(&self) -> u64 {
        self.last() + 1 - self.cache.len() as u64
    }

    pub(super) fn push_cache(&mut self, e: Entry) {
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
    pub(super) fn read_entries(&self, low: u64, high: u64, max: Option<u64>) -> Result<Vec<Entry>, LogError> {
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

    pub(super) fn cached(&self, idx: u64) -> Option<&Entry> {
        if idx < self.cache_first() || idx > self.last() {
            return None;
        }
        self.cache.get((idx - self.cache_first()) as usize)
    }
}
