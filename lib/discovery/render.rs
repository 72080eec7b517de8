//! `disco render`: a config file made from the store, kept current — confd's job, without
//! losing updates. One cycle:
//!
//! 1. read everything under the prefix (one recursive GET; if its index is older than the
//!    newest change the watch reported, read again with `quorum=true`);
//! 2. render the template (re-read from disk each cycle, so a fixed template takes effect at
//!    the next change); an error keeps the old file;
//! 3. compare with the file: the same bytes → nothing is written and nothing runs;
//! 4. stage the new content beside the file (fsynced); run `--check-cmd` on it (`{{src}}`
//!    in the command and `$DISCO_SRC` name the staged file); a failure keeps the old file;
//! 5. rename it into place (atomic); run `--exec`; a failure puts the old file back.
//!
//! The staged file is fsynced while the check runs, and before the rename; the directory
//! is fsynced after `--exec`, so neither fsync delays the reload more than it must.
//!
//! With `--watch` a [`super::watch`] thread reports changes. An isolated change is rendered
//! at once; a change that comes within `debounce` of the one before it is part of a burst,
//! and waits until the store has been quiet for `debounce` (at most [`max_delay`]), so a
//! burst of writes costs one or two reloads, not one per write. A failed cycle is retried after 1, 2, 4 …
//! 60 s, and at once on the next change.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::client::{self, Client, GetOptions};
use crate::os::stop::Stop;

use super::command;
use super::template::{Data, Template};
use super::watch::{self, Change};

/// What to render and what to run.
#[derive(Clone, Debug)]
pub struct Render {
    pub template: PathBuf,
    pub out: PathBuf,
    pub prefix: String,
    pub check_cmd: Option<String>,
    pub exec: Option<String>,
    /// The file's mode (default: the existing file's, else 0644).
    pub mode: Option<u32>,
    /// Time limit of the check and exec commands.
    pub cmd_timeout: Duration,
    pub debounce: Duration,
}

/// The longest a burst can hold a render back.
pub fn max_delay(debounce: Duration) -> Duration {
    (debounce * 10).max(Duration::from_secs(1))
}

/// How one cycle ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file already had this content.
    Unchanged,
    /// A new file is in place (and `--exec` ran fine).
    Written,
    /// `--check-cmd` refused the new content; the old file is in place.
    CheckFailed(String),
    /// `--exec` failed after the new file was put in place; the old one is back.
    ExecFailed(String),
}

/// A cycle that could not get as far as a decision.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Template(#[from] super::template::Error),
    #[error("reading {prefix}: {}", .source.to_string().trim_end())]
    Store { prefix: String, source: client::Error },
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// Reads the prefix; the data and the index it was read at. `min_index`: the read must be at
/// least this recent (else it is repeated as a quorum read).
fn read(c: &Client, prefix: &str, min_index: u64) -> Result<Data, Error> {
    let mut quorum = false;
    loop {
        let o = GetOptions { recursive: true, sorted: true, quorum };
        let (node, index) = match c.get(prefix, o) {
            Ok(r) => (Some(r.node), r.index),
            Err(client::Error::Etcd(e)) if e.code == 100 => (None, e.index),
            Err(source) => return Err(Error::Store { prefix: prefix.to_string(), source }),
        };
        if index < min_index && !quorum {
            quorum = true;
            continue;
        }
        return Ok(Data::from_node(prefix, node.as_ref(), index));
    }
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::File { path: path.display().to_string(), message: e.to_string() }
}

/// The command with `{{src}}` (or `{{ src }}`) replaced by the staged file's path, quoted.
fn with_src(cmd: &str, src: &Path) -> String {
    let quoted = format!("'{}'", src.display().to_string().replace('\'', "'\\''"));
    cmd.replace("{{src}}", &quoted).replace("{{ src }}", &quoted)
}

fn describe(o: &command::Outcome) -> String {
    if o.output.is_empty() { o.status.clone() } else { format!("{}: {}", o.status, o.output) }
}

/// Puts `content` in place of the file (steps 3–5 above).
pub fn install(r: &Render, content: &[u8]) -> Result<Outcome, Error> {
    let old = match std::fs::read(&r.out) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(file_err(&r.out, e)),
    };
    if old.as_deref() == Some(content) {
        return Ok(Outcome::Unchanged);
    }
    let mode = r.mode.unwrap_or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&r.out).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644)
    });
    // The staged file's fsync runs while the check reads it (from the page cache); the rename
    // waits for it, and the directory's fsync waits until the reload has run.
    let t0 = Instant::now();
    let mut staged =
        crate::os::file::stage_unsynced(&r.out, content, mode).map_err(|e| file_err(&r.out, e))?;
    let synced = staged.sync_in_background();
    let t_staged = t0.elapsed();
    if let Some(check) = &r.check_cmd {
        let src = staged.path().display().to_string();
        let out = r.out.display().to_string();
        let o = command::run(
            &with_src(check, staged.path()),
            &[("DISCO_SRC", &src), ("DISCO_OUT", &out)],
            r.cmd_timeout,
        );
        if !o.success {
            return Ok(Outcome::CheckFailed(describe(&o)));
        }
    }
    let t_checked = t0.elapsed();
    synced.join().unwrap_or(Ok(())).map_err(|e| file_err(&r.out, e))?;
    let t_synced = t0.elapsed();
    staged.commit_unsynced_dir().map_err(|e| file_err(&r.out, e))?;
    let _dir_synced = DirSync(&r.out);
    log::debug!(
        "{}: staged in {t_staged:?}, checked at {t_checked:?}, synced at {t_synced:?}, in place at {:?}",
        r.out.display(),
        t0.elapsed()
    );
    if let Some(exec) = &r.exec {
        let out = r.out.display().to_string();
        let o = command::run(exec, &[("DISCO_OUT", &out)], r.cmd_timeout);
        if !o.success {
            let restored = match &old {
                Some(b) => crate::os::file::write_atomic_mode(&r.out, b, mode),
                None => std::fs::remove_file(&r.out),
            };
            if let Err(e) = restored {
                return Err(file_err(
                    &r.out,
                    format!("--exec failed ({}) and the old file could not be put back: {e}", describe(&o)),
                ));
            }
            return Ok(Outcome::ExecFailed(describe(&o)));
        }
    }
    Ok(Outcome::Written)
}

/// Fsyncs the directory of the file when dropped (after `--exec`, whatever it did).
struct DirSync<'a>(&'a Path);

impl Drop for DirSync<'_> {
    fn drop(&mut self) {
        if let Err(e) = crate::os::file::sync_dir_of(self.0) {
            log::warn!("{}: cannot fsync its directory: {e}", self.0.display());
        }
    }
}

/// One cycle: read, render, install. Returns the outcome and the index rendered.
pub fn once(c: &Client, r: &Render, min_index: u64) -> Result<(Outcome, u64), Error> {
    let t0 = Instant::now();
    let t = Template::load(&r.template)?;
    let data = read(c, &r.prefix, min_index)?;
    log::debug!("read {} at index {} in {:?}", r.prefix, data.index, t0.elapsed());
    render_data(r, &t, &data)
}

/// Renders data already read, and installs the result.
fn render_data(r: &Render, t: &Template, data: &Data) -> Result<(Outcome, u64), Error> {
    let content = t.render(data)?;
    let outcome = install(r, content.as_bytes())?;
    Ok((outcome, data.index))
}

/// Logs a cycle's result; true when it succeeded.
fn report(r: &Render, result: &Result<(Outcome, u64), Error>) -> bool {
    let out = r.out.display();
    match result {
        Ok((Outcome::Unchanged, i)) => {
            log::debug!("{out} is current (index {i})");
            true
        }
        Ok((Outcome::Written, i)) => {
            log::info!("{out} rendered from index {i}{}", if r.exec.is_some() { "; --exec ran" } else { "" });
            true
        }
        Ok((Outcome::CheckFailed(why), i)) => {
            log::error!("{out} kept: --check-cmd refused what index {i} renders to: {why}");
            false
        }
        Ok((Outcome::ExecFailed(why), i)) => {
            log::error!("{out} put back as it was: --exec failed after rendering index {i}: {why}");
            false
        }
        Err(e) => {
            log::error!("{out} kept: {e}");
            false
        }
    }
}

/// Renders once, then after every change until `stop`. Returns when stopped.
pub fn watch(c: Arc<Client>, r: &Render, stop: &Stop) -> Result<(), Error> {
    // The first read settles the index the watch starts from; until the store answers, keep
    // trying (a renderer started before its store is normal at boot). A template that fails
    // on this data (a key it needs is not there yet) is retried like any failed cycle.
    let mut backoff = Duration::from_secs(1);
    let data = loop {
        match read(&c, &r.prefix, 0) {
            Ok(d) => break d,
            Err(e) => {
                report(r, &Err(e));
                if stop.wait(backoff) {
                    return Ok(());
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    };
    let index = data.index;
    let first = Template::load(&r.template).map_err(Error::from).and_then(|t| render_data(r, &t, &data));
    let mut ok = report(r, &first);
    let (tx, rx) = mpsc::channel();
    watch::spawn(c.clone(), r.prefix.clone(), index, tx).map_err(|e| file_err(Path::new("watch"), e))?;
    log::info!("watching {} from index {}", r.prefix, index + 1);
    let mut min_index = index;
    let mut backoff = Duration::from_secs(1);
    let mut retry_at = (!ok).then(|| Instant::now() + backoff);
    let mut last_event: Option<Instant> = None;
    let tick = Duration::from_millis(100);
    loop {
        // Wait for a change, a retry, or the stop.
        let wait = retry_at.map(|t| t.saturating_duration_since(Instant::now()).min(tick)).unwrap_or(tick);
        let first = match rx.recv_timeout(wait) {
            Ok(ch) => Some(ch),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(file_err(Path::new("watch"), "the watch ended"));
            }
        };
        if stop.stopped().is_some() {
            return Ok(());
        }
        let due = retry_at.is_some_and(|t| Instant::now() >= t);
        let Some(first) = first else {
            if !due {
                continue;
            }
            let result = once(&c, r, min_index);
            ok = report(r, &result);
            (retry_at, backoff) = next_retry(ok, backoff);
            continue;
        };
        // Part of a burst (close behind the change before it)? Then wait for quiet.
        let burst = match (&first, last_event) {
            (Change::Event(_, at), Some(prev)) => at.saturating_duration_since(prev) < r.debounce,
            _ => false,
        };
        if let (Change::Event(i, at), Some(prev)) = (&first, last_event) {
            let gap = at.saturating_duration_since(prev);
            log::debug!(
                "change at index {i}, {gap:?} after the one before{}",
                if burst { ": a burst" } else { "" }
            );
        }
        note(&first, &mut min_index, &mut last_event);
        let started = Instant::now();
        loop {
            match rx.try_recv() {
                Ok(ch) => {
                    note(&ch, &mut min_index, &mut last_event);
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => break,
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if !burst || started.elapsed() >= max_delay(r.debounce) {
                break;
            }
            match rx.recv_timeout(r.debounce) {
                Ok(ch) => note(&ch, &mut min_index, &mut last_event),
                Err(_) => break,
            }
        }
        let result = once(&c, r, min_index);
        ok = report(r, &result);
        (retry_at, backoff) = next_retry(ok, backoff);
    }
}

fn note(ch: &Change, min_index: &mut u64, last_event: &mut Option<Instant>) {
    match ch {
        Change::Event(i, at) => {
            *min_index = (*min_index).max(*i);
            *last_event = Some(last_event.map_or(*at, |l| l.max(*at)));
        }
        Change::Reread(why) => log::info!("reading everything again: {why}"),
    }
}

fn next_retry(ok: bool, backoff: Duration) -> (Option<Instant>, Duration) {
    if ok {
        (None, Duration::from_secs(1))
    } else {
        (Some(Instant::now() + backoff), (backoff * 2).min(Duration::from_secs(60)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(dir: &Path) -> Render {
        Render {
            template: dir.join("t"),
            out: dir.join("out.conf"),
            prefix: "/services".into(),
            check_cmd: None,
            exec: None,
            mode: None,
            cmd_timeout: Duration::from_secs(10),
            debounce: Duration::from_millis(20),
        }
    }

    #[test]
    fn install_writes_only_changes_and_keeps_the_old_file_on_failure() {
        let d = tempfile::tempdir().unwrap();
        let mut r = render(d.path());
        let count = d.path().join("count");
        r.exec = Some(format!("echo x >> {}", count.display()));
        assert_eq!(install(&r, b"one\n").unwrap(), Outcome::Written);
        assert_eq!(install(&r, b"one\n").unwrap(), Outcome::Unchanged);
        assert_eq!(std::fs::read_to_string(&count).unwrap(), "x\n", "exec runs after a change only");
        r.check_cmd = Some("grep -q good {{src}} && test \"$DISCO_SRC\" != \"$DISCO_OUT\"".into());
        assert!(matches!(install(&r, b"bad\n").unwrap(), Outcome::CheckFailed(_)));
        assert_eq!(std::fs::read(&r.out).unwrap(), b"one\n");
        assert_eq!(install(&r, b"good\n").unwrap(), Outcome::Written);
        r.exec = Some("echo reload failed; exit 1".into());
        match install(&r, b"good too\n").unwrap() {
            Outcome::ExecFailed(why) => assert_eq!(why, "exit status 1: reload failed"),
            o => panic!("{o:?}"),
        }
        assert_eq!(std::fs::read(&r.out).unwrap(), b"good\n", "the old file is back");
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no staged file left behind: {names:?}");
    }
}
