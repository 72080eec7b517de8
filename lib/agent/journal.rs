//! The journal: every line a unit's processes write to stdout or stderr, and what the supervisor
//! says about the unit ("Started …"), with a timestamp, the writer's PID and name.
//!
//! One file per unit under `RUN_DIR/journal/`, one JSON object per line:
//! `{"ts":MICROSECONDS,"pid":PID,"id":"docker","stream":"stdout","msg":"CROC Cloud"}` (`stream` is
//! `stdout`, `stderr` or `unit-run` for the supervisor's own lines). When a file would grow past
//! its cap it is renamed to `NAME.log.1` (replacing the previous one) and a new file started, so a
//! unit's journal takes at most twice the cap. Readers (`unit-run journal`) read the files
//! directly, like journalctl, and follow them across rotations.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Longest line kept as one record; longer output is split, as journald splits at LineMax.
pub const LINE_MAX: usize = 48 * 1024;

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Microseconds since the Unix epoch.
    pub ts: u64,
    pub pid: u32,
    /// The writer's name: the basename of the Exec line's argv\[0\], or `unit-run`.
    pub id: String,
    pub stream: String,
    pub msg: String,
}

impl Record {
    /// journalctl's `short` format: `Nov 26 17:50:38 HOST docker[1240]: CROC Cloud`.
    pub fn short(&self, hostname: &str) -> String {
        format!(
            "{} {} {}[{}]: {}",
            crate::os::clock::local(self.ts, "%b %d %H:%M:%S"),
            hostname,
            self.id,
            self.pid,
            self.msg
        )
    }
}

/// The path of a unit's journal file.
pub fn path(dir: &Path, unit: &str) -> PathBuf {
    dir.join(format!("{unit}.log"))
}

fn rotated(dir: &Path, unit: &str) -> PathBuf {
    dir.join(format!("{unit}.log.1"))
}

/// Appends to one unit's journal. Shared by the threads reading a unit's pipes.
pub struct Writer {
    dir: PathBuf,
    unit: String,
    cap: u64,
    file: Mutex<Option<(File, u64)>>,
}

impl Writer {
    pub fn new(dir: &Path, unit: &str, cap: u64) -> Writer {
        Writer { dir: dir.to_path_buf(), unit: unit.to_string(), cap: cap.max(4096), file: Mutex::new(None) }
    }

    /// Appends one record. Errors (a full disk) are logged (the daemon's stderr) and the line
    /// is dropped: a unit must not stop because its log cannot be written.
    pub fn append(&self, pid: u32, id: &str, stream: &str, msg: &str) {
        let rec = Record {
            ts: crate::os::clock::now_micros(),
            pid,
            id: id.to_string(),
            stream: stream.to_string(),
            msg: msg.to_string(),
        };
        let mut line = serde_json::to_vec(&rec).expect("a record serializes");
        line.push(b'\n');
        let mut guard = self.file.lock();
        if let Err(e) = self.write_locked(&mut guard, &line) {
            *guard = None;
            log::warn!("journal of {}: {e}", self.unit);
        }
    }

    fn write_locked(&self, slot: &mut Option<(File, u64)>, line: &[u8]) -> io::Result<()> {
        let current = path(&self.dir, &self.unit);
        if slot.is_none() {
            let f = open_append(&current)?;
            let len = f.metadata()?.len();
            *slot = Some((f, len));
        }
        let (_, len) = slot.as_ref().unwrap();
        if *len > 0 && len + line.len() as u64 > self.cap {
            fs::rename(&current, rotated(&self.dir, &self.unit))?;
            let f = open_append(&current)?;
            *slot = Some((f, 0));
        }
        let (f, len) = slot.as_mut().unwrap();
        f.write_all(line)?;
        *len += line.len() as u64;
        Ok(())
    }
}

/// A journal file is the owner's only: units' output may hold secrets.
fn open_append(p: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().create(true).append(true).mode(0o600).open(p)
}

/// Splits a byte stream into lines for the journal: complete lines as they come, overlong ones
/// cut at [`LINE_MAX`], and what is left at the end of the stream.
#[derive(Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
}

impl LineSplitter {
    pub fn push(&mut self, data: &[u8], mut out: impl FnMut(&str)) {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        while let Some(nl) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let end = start + nl;
            emit(&self.buf[start..end], &mut out);
            start = end + 1;
        }
        self.buf.drain(..start);
        while self.buf.len() >= LINE_MAX {
            let rest = self.buf.split_off(LINE_MAX);
            emit(&self.buf, &mut out);
            self.buf = rest;
        }
    }

    pub fn finish(&mut self, mut out: impl FnMut(&str)) {
        if !self.buf.is_empty() {
            emit(&self.buf, &mut out);
            self.buf.clear();
        }
    }
}

fn emit(line: &[u8], out: &mut impl FnMut(&str)) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    out(&String::from_utf8_lossy(line));
}

/// Reads every record of a unit's journal, oldest first (the rotated file, then the current).
/// Lines that are not records (a torn last line after a crash) are skipped.
pub fn read_all(dir: &Path, unit: &str) -> io::Result<Vec<Record>> {
    let mut out = Vec::new();
    for p in [rotated(dir, unit), path(dir, unit)] {
        match File::open(&p) {
            Ok(f) => {
                for line in BufReader::new(f).split(b'\n') {
                    if let Ok(r) = serde_json::from_slice::<Record>(&line?) {
                        out.push(r);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The last `n` records.
pub fn tail(dir: &Path, unit: &str, n: usize) -> io::Result<Vec<Record>> {
    let mut all = read_all(dir, unit)?;
    let skip = all.len().saturating_sub(n);
    Ok(all.split_off(skip))
}

/// Follows a unit's journal from its current end, calling `each` for every new record until
/// `each` returns false. Survives rotation (the old file is read to its end, then the new one
/// from its start) and a journal that does not exist yet.
pub fn follow(dir: &Path, unit: &str, mut each: impl FnMut(Record) -> bool) -> io::Result<()> {
    let p = path(dir, unit);
    let mut file: Option<(File, u64)> = None;
    if let Ok(mut f) = File::open(&p) {
        let ino = f.metadata()?.ino();
        f.seek(SeekFrom::End(0))?;
        file = Some((f, ino));
    }
    let mut pending = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // Set when the path names a new file: the old one is drained once more before switching,
    // so lines written just before the rotation are not lost.
    let mut switching = false;
    loop {
        let mut progressed = false;
        if let Some((f, _)) = file.as_mut() {
            loop {
                let n = f.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                progressed = true;
                pending.extend_from_slice(&chunk[..n]);
                while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=nl).collect();
                    if let Ok(r) = serde_json::from_slice::<Record>(&line[..line.len() - 1])
                        && !each(r)
                    {
                        return Ok(());
                    }
                }
            }
        }
        // Rotated or created since we opened it? Switch once the old file is drained.
        match fs::metadata(&p) {
            Ok(m) if file.as_ref().map(|(_, ino)| *ino) != Some(m.ino()) => {
                if file.is_some() && !switching {
                    switching = true;
                    continue;
                }
                switching = false;
                // Rotated twice since we looked? Then the file in between is NAME.log.1: read
                // it whole before the current one.
                let old_ino = file.as_ref().map(|(_, ino)| *ino);
                if let Ok(mut mid) = File::open(rotated(dir, unit))
                    && old_ino.is_some()
                    && Some(mid.metadata()?.ino()) != old_ino
                {
                    let mut buf = Vec::new();
                    mid.read_to_end(&mut buf)?;
                    pending.clear();
                    for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                        if let Ok(r) = serde_json::from_slice::<Record>(line)
                            && !each(r)
                        {
                            return Ok(());
                        }
                    }
                }
                if let Ok(f) = File::open(&p) {
                    let ino = f.metadata()?.ino();
                    file = Some((f, ino));
                    pending.clear();
                    continue;
                }
            }
            _ => {}
        }
        if !progressed {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitter_keeps_lines_and_cuts_long_ones() {
        let mut s = LineSplitter::default();
        let mut got = Vec::new();
        s.push(b"one\ntw", |l| got.push(l.to_string()));
        s.push(b"o\r\nthree", |l| got.push(l.to_string()));
        assert_eq!(got, ["one", "two"]);
        s.finish(|l| got.push(l.to_string()));
        assert_eq!(got, ["one", "two", "three"]);
        let mut got = Vec::new();
        s.push(&vec![b'x'; LINE_MAX + 10], |l| got.push(l.len()));
        s.finish(|l| got.push(l.len()));
        assert_eq!(got, [LINE_MAX, 10]);
    }

    #[test]
    fn rotates_at_the_cap_and_reads_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let w = Writer::new(dir.path(), "a.service", 4096);
        for i in 0..200 {
            w.append(7, "sh", "stdout", &format!("line {i}"));
        }
        let cur = fs::metadata(path(dir.path(), "a.service")).unwrap().len();
        let old = fs::metadata(rotated(dir.path(), "a.service")).unwrap().len();
        assert!(cur <= 4096 && old <= 4096, "{cur} {old}");
        let all = read_all(dir.path(), "a.service").unwrap();
        assert_eq!(all.last().unwrap().msg, "line 199");
        // Oldest first and contiguous: what was kept is a suffix of what was written.
        let first: usize = all[0].msg[5..].parse().unwrap();
        for (k, r) in all.iter().enumerate() {
            assert_eq!(r.msg, format!("line {}", first + k));
        }
        let t = tail(dir.path(), "a.service", 3).unwrap();
        assert_eq!(
            t.iter().map(|r| r.msg.as_str()).collect::<Vec<_>>(),
            ["line 197", "line 198", "line 199"]
        );
    }

    #[test]
    fn follow_sees_new_lines_across_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let w = Writer::new(&d, "f.service", 4096);
        w.append(1, "sh", "stdout", "before");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            follow(&d, "f.service", |r| {
                got.push(r.msg);
                got.len() < 150
            })
            .unwrap();
            got
        });
        std::thread::sleep(Duration::from_millis(300));
        for i in 0..150 {
            w.append(1, "sh", "stdout", &format!("after {i}"));
            if i % 20 == 0 {
                std::thread::sleep(Duration::from_millis(120));
            }
        }
        let got = reader.join().unwrap();
        assert_eq!(got.len(), 150);
        assert_eq!(got[0], "after 0");
        assert_eq!(got[149], "after 149");
    }
}
