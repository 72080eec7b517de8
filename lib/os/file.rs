//! Files written whole or not at all: what the run dir, unit files, rendered configs and
//! cloud-config's files need (DESIGN: "files are written atomically").

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `data` to `path` atomically with mode 0600: a temp file in the same directory,
/// fsync, rename over `path`, fsync of the directory.
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_atomic_mode(path, data, 0o600)
}

/// [`write_atomic`] with the file's mode given.
pub fn write_atomic_mode(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    stage(path, data, mode)?.commit()
}

/// A file written beside its destination but not yet in place: something can look at it
/// first (`nginx -t -c STAGED`), then [`Staged::commit`] renames it over the destination, or
/// dropping it removes it and leaves the destination as it was.
pub struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
    /// Set by [`stage_unsynced`]: the open file, for [`Staged::sync_in_background`].
    file: Option<fs::File>,
}

static STAGED: AtomicU64 = AtomicU64::new(0);

/// Writes `data` (mode `mode`) to a hidden temp file in `path`'s directory and fsyncs it.
pub fn stage(path: &Path, data: &[u8], mode: u32) -> std::io::Result<Staged> {
    let mut staged = stage_unsynced(path, data, mode)?;
    if let Some(f) = staged.file.take() {
        f.sync_all()?;
    }
    Ok(staged)
}

/// [`stage`] without the fsync: the caller starts it with [`Staged::sync_in_background`]
/// (so that it overlaps a check of the content) and waits for it before committing.
pub fn stage_unsynced(path: &Path, data: &[u8], mode: u32) -> std::io::Result<Staged> {
    let dir = parent(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = STAGED.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp{}-{n}", std::process::id()));
    let mut staged = Staged { tmp, dest: path.to_path_buf(), committed: false, file: None };
    let mut f =
        fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&staged.tmp)?;
    // The umask may have taken bits away from `mode`: set exactly what was asked.
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
    f.write_all(data)?;
    staged.file = Some(f);
    Ok(staged)
}

/// Fsyncs a directory (after a rename into it, to make the rename durable).
pub fn sync_dir_of(path: &Path) -> std::io::Result<()> {
    fs::File::open(parent(path))?.sync_all()
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

impl Staged {
    /// Where the staged content is.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Starts the fsync of a file from [`stage_unsynced`] in a thread of its own.
    pub fn sync_in_background(&mut self) -> std::thread::JoinHandle<std::io::Result<()>> {
        let f = self.file.take();
        std::thread::spawn(move || match f {
            Some(f) => f.sync_all(),
            None => Ok(()),
        })
    }

    /// Renames the staged file over the destination and fsyncs the directory.
    pub fn commit(self) -> std::io::Result<()> {
        let dest = self.dest.clone();
        self.commit_unsynced_dir()?;
        if let Ok(d) = fs::File::open(parent(&dest)) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Renames the staged file over the destination; the directory's fsync is left to the
    /// caller ([`sync_dir_of`]), who may have something more urgent to do first.
    pub fn commit_unsynced_dir(mut self) -> std::io::Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        fs::rename(&self.tmp, &self.dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_whole_and_sets_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        super::write_atomic(&p, b"one").unwrap();
        super::write_atomic_mode(&p, b"two", 0o644).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o644);
        // No temp file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn staged_files_commit_or_vanish() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        super::write_atomic(&p, b"old").unwrap();
        let s = super::stage(&p, b"new", 0o644).unwrap();
        assert_eq!(std::fs::read(s.path()).unwrap(), b"new");
        drop(s);
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        super::stage(&p, b"new", 0o644).unwrap().commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-dir").join("f");
        assert!(super::write_atomic(&p, b"x").is_err());
    }
}
