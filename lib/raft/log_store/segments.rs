//! The segment files (`<seq as 16 hex digits>.wal`): the tail written to, rolling over to the
//! next (each starts with the whole state), and deleting the ones the compaction point passed.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use super::error::{io_err, write_err};
use super::frame::{FRAME_HEADER, Frame, REC_CONF_STATE, REC_HARD_STATE};
use super::spare::SPARE_NAME;
use super::{LogError, LogStore};

/// A segment rolls over once it is this big.
pub(super) const SEGMENT_BYTES: u64 = 64 << 20;

pub(super) fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

pub(super) fn segment_name(seq: u64) -> String {
    format!("{seq:016x}.wal")
}

pub(super) struct Segment {
    pub(super) file: File,
    pub(super) path: PathBuf,
    /// The highest entry index written to it (0 for none).
    pub(super) max_index: u64,
    /// How many bytes of it were allocated ahead (0: it grows as it is written).
    pub(super) prealloc: u64,
}

impl LogStore {
    pub(super) fn create_segment(&mut self, seq: u64) -> Result<(), LogError> {
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

    /// Moves on to the next segment: the spare if it is ready, else a new empty file.
    pub(super) fn roll(&mut self) -> Result<(), LogError> {
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
    pub(super) fn begin_frame(&mut self) -> Result<Frame, LogError> {
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
    pub(super) fn write_frame(&mut self, f: &mut Frame) -> Result<(), LogError> {
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
    pub(super) fn release_segments(&mut self) {
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
}
