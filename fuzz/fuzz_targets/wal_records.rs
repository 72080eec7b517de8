//! The write-ahead log replayed from disk: the input, cut into frames with valid checksums
//! (so records get past the CRC), written as a segment and opened as kv-serve opens its log.
#![no_main]

use std::sync::Arc;

use corekit::raft::log_store::{LogStore, frame_for_fuzzing};
use corekit::raft::snap_store::SnapStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // tmpfs: the log fsyncs what it writes.
    let Ok(dir) = tempfile_in_shm() else { return };
    let mut segment = Vec::new();
    for body in data.split(|&b| b == 0xFF).filter(|b| !b.is_empty()) {
        segment.extend_from_slice(&frame_for_fuzzing(body));
    }
    let wal = dir.join("wal");
    std::fs::create_dir_all(&wal).unwrap();
    std::fs::write(wal.join("0000000000000000.wal"), &segment).unwrap();
    if let Ok(snaps) = SnapStore::open(&dir.join("snap.redb")) {
        let _ = LogStore::open(&wal, Arc::new(snaps));
    }
    let _ = std::fs::remove_dir_all(&dir);
});

fn tempfile_in_shm() -> std::io::Result<std::path::PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
    let dir = std::path::PathBuf::from(format!(
        "{base}/corekit-fuzz-wal-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
