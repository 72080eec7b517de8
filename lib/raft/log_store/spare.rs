//! Segments allocated ahead: a helper thread `fallocate`s the next segment as `spare.tmp`
//! while the log writes into the current one, so a write needs no block allocation.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use super::LogStore;

/// The first spare segment is this big; each next one twice the last, up to `SEGMENT_BYTES`.
pub(super) const FIRST_SPARE: u64 = 1 << 20;
/// The spare segment being allocated (or ready) in the log's directory.
pub(super) const SPARE_NAME: &str = "spare.tmp";
/// How long to wait before allocating a spare again, after the file system was full.
const SPARE_RETRY: Duration = Duration::from_secs(5);

/// Makes `dir/SPARE_NAME` a file of `size` bytes whose blocks are allocated (`fallocate`),
/// and makes that durable.
fn allocate_spare(dir: &Path, size: u64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd as _;
    let path = dir.join(SPARE_NAME);
    let file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path)?;
    let len = libc::off_t::try_from(size).map_err(std::io::Error::other)?;
    nix::fcntl::fallocate(file.as_raw_fd(), nix::fcntl::FallocateFlags::empty(), 0, len)?;
    file.sync_all()
}

impl LogStore {
    /// Starts allocating the next spare segment, unless one is on its way.
    pub(super) fn start_spare(&mut self) {
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

    pub(super) fn spare_is_ready(&self) -> bool {
        self.spare.as_ref().is_some_and(|(h, _)| h.is_finished())
    }

    /// The spare segment, if it is ready (never waits for it): its size.
    pub(super) fn take_spare(&mut self) -> Option<u64> {
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
}
