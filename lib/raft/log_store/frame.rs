//! One write to the log: a frame (`[u32 body length][u32 CRC-32C][body]`) whose body is typed
//! records (`[u8 type][u32 length][payload]`), built in memory and checked when read back.

use ::raft::eraftpb::Entry;
use protobuf::Message as _;

use super::crc32c::crc32c;
use super::entries::Loc;

/// Frame header: body length and CRC-32C.
pub(super) const FRAME_HEADER: usize = 8;
/// Record header: type and payload length.
pub(super) const RECORD_HEADER: usize = 5;

pub(super) const REC_ENTRY: u8 = 1;
pub(super) const REC_HARD_STATE: u8 = 2;
pub(super) const REC_CONF_STATE: u8 = 3;
/// Index and term of the last entry compacted away (u64 + u64).
pub(super) const REC_COMPACTED: u8 = 4;
/// u16 key length, key, value.
pub(super) const REC_META: u8 = 5;
/// Entries from this index (u64) on are gone.
pub(super) const REC_TRUNCATE: u8 = 6;

pub(super) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().unwrap()))
}

/// One write being built: the frame header, then records.
pub(super) struct Frame {
    pub(super) buf: Vec<u8>,
    seg: u64,
    /// File offset of `buf[0]`.
    base: u64,
    /// The compaction point it records, if any.
    pub(super) compacted: Option<u64>,
}

impl Frame {
    pub(super) fn new(seg: u64, base: u64) -> Frame {
        Frame { buf: vec![0; FRAME_HEADER], seg, base, compacted: None }
    }

    /// Starts a record; returns where its payload begins. `end_record` fills in its length.
    pub(super) fn begin_record(&mut self, ty: u8) -> usize {
        self.buf.push(ty);
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.len()
    }

    pub(super) fn end_record(&mut self, start: usize) -> u64 {
        let len = self.buf.len() - start;
        self.buf[start - 4..start].copy_from_slice(&(len as u32).to_le_bytes());
        len as u64
    }

    pub(super) fn put(&mut self, ty: u8, payload: &[u8]) {
        let start = self.begin_record(ty);
        self.buf.extend_from_slice(payload);
        self.end_record(start);
    }

    pub(super) fn put_message(&mut self, ty: u8, m: &impl protobuf::Message) {
        let start = self.begin_record(ty);
        m.write_to_vec(&mut self.buf).expect("encode raft record");
        self.end_record(start);
    }

    pub(super) fn put_entry(&mut self, e: &Entry) -> Loc {
        let start = self.begin_record(REC_ENTRY);
        e.write_to_vec(&mut self.buf).expect("encode entry");
        let len = self.end_record(start);
        Loc { seg: self.seg, off: self.base + start as u64, len }
    }

    pub(super) fn put_compacted(&mut self, index: u64, term: u64) {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&index.to_le_bytes());
        b[8..].copy_from_slice(&term.to_le_bytes());
        self.put(REC_COMPACTED, &b);
        self.compacted = Some(index);
    }

    pub(super) fn put_meta(&mut self, key: &str, value: &[u8]) {
        let start = self.begin_record(REC_META);
        self.buf.extend_from_slice(&(key.len() as u16).to_le_bytes());
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(value);
        self.end_record(start);
    }

    pub(super) fn finish(&mut self) {
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
pub(super) fn check_frame(data: &[u8], p: usize) -> Option<&[u8]> {
    let h = data.get(p..p + FRAME_HEADER)?;
    let len = u32::from_le_bytes(h[..4].try_into().unwrap()) as usize;
    let crc = u32::from_le_bytes(h[4..].try_into().unwrap());
    if len == 0 {
        return None;
    }
    let body = data.get(p + FRAME_HEADER..p + FRAME_HEADER + len)?;
    (crc32c(body) == crc).then_some(body)
}
