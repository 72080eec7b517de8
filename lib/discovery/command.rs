//! Running a check, health or reload command: `sh -c COMMAND` in a process group of its
//! own, with a time limit (the whole group is killed when it passes), its standard output and
//! error collected together for the log.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Exited with status 0.
    pub success: bool,
    /// "exit status 1", "killed by signal 9", "timed out after 60s", "cannot run sh: …".
    pub status: String,
    /// Standard output and error, interleaved as written (trimmed).
    pub output: String,
}

/// Runs `sh -c cmd` with `env` added, for at most `limit`.
pub fn run(cmd: &str, env: &[(&str, &str)], limit: Duration) -> Outcome {
    let (mut reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => {
            return Outcome {
                success: false,
                status: format!("cannot make a pipe: {e}"),
                output: String::new(),
            };
        }
    };
    let writer2 = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => {
            return Outcome {
                success: false,
                status: format!("cannot make a pipe: {e}"),
                output: String::new(),
            };
        }
    };
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(cmd).stdin(Stdio::null()).stdout(writer).stderr(writer2).process_group(0);
    for (k, v) in env {
        c.env(k, v);
    }
    // SAFETY: only async-signal-safe calls (sigprocmask) between fork and exec.
    unsafe {
        c.pre_exec(crate::os::stop::unblock_in_child);
    }
    let child = match c.spawn() {
        Ok(ch) => ch,
        Err(e) => {
            return Outcome {
                success: false,
                status: format!("cannot run /bin/sh: {e}"),
                output: String::new(),
            };
        }
    };
    drop(c); // our copies of the pipe's write end
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = reader.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    // Wait in a thread of its own, so the exit is seen the moment it happens (no polling).
    let pid = child.id() as i32;
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut child = child;
        let _ = done_tx.send(child.wait().ok());
    });
    let mut timed_out = false;
    let status = match done_rx.recv_timeout(limit) {
        Ok(st) => st,
        Err(_) => {
            timed_out = true;
            // SAFETY: kill(2) on the group this child leads.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            done_rx.recv().ok().flatten()
        }
    };
    // A process the command left in the background may hold the pipe open: its output is
    // then not waited for (and the process is left alone: starting one may be the point).
    let output = rx
        .recv_timeout(Duration::from_millis(500))
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (success, status) = match status {
        _ if timed_out => (false, format!("timed out after {}s", limit.as_secs_f64())),
        Some(st) if st.success() => (true, "exit status 0".to_string()),
        Some(st) => match (st.code(), st.signal()) {
            (Some(c), _) => (false, format!("exit status {c}")),
            (_, Some(s)) => (false, format!("killed by signal {s}")),
            _ => (false, st.to_string()),
        },
        None => (false, "lost track of the command".to_string()),
    };
    Outcome { success, status, output }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_failure_output_and_time_limit() {
        use std::time::Instant;
        let o = run("echo out; echo err >&2; exit 0", &[], Duration::from_secs(5));
        assert!(o.success, "{o:?}");
        assert_eq!(o.output, "out\nerr");
        let o = run("echo \"$X\"; exit 3", &[("X", "y")], Duration::from_secs(5));
        assert_eq!((o.success, o.status.as_str(), o.output.as_str()), (false, "exit status 3", "y"));
        let t = Instant::now();
        let o = run("sleep 5", &[], Duration::from_millis(200));
        assert!(!o.success && o.status.starts_with("timed out"), "{o:?}");
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
