//! raft-rs's view of the log.

use ::raft::eraftpb::{Entry, Snapshot};
use ::raft::{GetEntriesContext, RaftState, Storage, StorageError};

use super::LogStore;

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
