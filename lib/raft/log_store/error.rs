//! What can go wrong on disk, and which of it is a full file system that a later write may get
//! past.

use std::path::{Path, PathBuf};

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

pub(super) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |e| LogError::Io(path.to_path_buf(), e)
}

/// For writes that may be tried again: a full file system is [`LogError::NoSpace`]. (Not for
/// fsync: after a failed fsync the page cache cannot be trusted, so that stays fatal.)
pub(super) fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |e| match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => LogError::NoSpace(path.to_path_buf()),
        _ => LogError::Io(path.to_path_buf(), e),
    }
}
