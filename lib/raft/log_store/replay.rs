//! Rebuilding the state from the segments on open: each frame's records applied in order.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt as _;

use ::raft::eraftpb::{ConfState, Entry, HardState};
use protobuf::Message as _;

use super::entries::Loc;
use super::error::io_err;
use super::frame::{FRAME_HEADER, check_frame};
use super::frame::{
    REC_COMPACTED, REC_CONF_STATE, REC_ENTRY, REC_HARD_STATE, REC_META, REC_TRUNCATE, RECORD_HEADER, u64_at,
};
use super::segments::{Segment, segment_name};
use super::{LogError, LogStore};

impl LogStore {
    /// Replays segment `seq`'s frames. A torn write at the end of the `newest` segment is cut
    /// away; anything else wrong is an error.
    pub(super) fn replay_segment(&mut self, seq: u64, newest: bool) -> Result<(), LogError> {
        let path = self.dir.join(segment_name(seq));
        let data = std::fs::read(&path).map_err(io_err(&path))?;
        let file = OpenOptions::new().read(true).write(true).open(&path).map_err(io_err(&path))?;
        // Zeros at the end are space filled ahead, not yet written.
        let written = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        self.segments.insert(seq, Segment { file, path: path.clone(), max_index: 0, prealloc: 0 });
        let mut p = 0;
        while p < written {
            if let Some(body) = check_frame(&data, p) {
                self.replay_frame(seq, (p + FRAME_HEADER) as u64, body)
                    .map_err(|e| LogError::Wal(format!("{}: record at offset {p}: {e}", path.display())))?;
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
            log::warn!("{}: cutting off a torn write at offset {p} ({} bytes)", path.display(), written - p);
            let seg = &self.segments[&seq];
            if written < data.len() {
                seg.file.write_all_at(&vec![0u8; written - p], p as u64).map_err(io_err(&path))?;
            } else {
                seg.file.set_len(p as u64).map_err(io_err(&path))?;
            }
            seg.file.sync_all().map_err(io_err(&path))?;
            break;
        }
        if p < data.len() && written < data.len() {
            self.segments.get_mut(&seq).unwrap().prealloc = data.len() as u64;
        }
        self.tail_seq = seq;
        self.tail_len = p as u64;
        Ok(())
    }

    /// Applies one frame's records to the in-memory state.
    pub(super) fn replay_frame(&mut self, seq: u64, base: u64, body: &[u8]) -> Result<(), String> {
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
}
