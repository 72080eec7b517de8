//! The one place a program's diagnostics are printed: the library logs through the `log`
//! facade and never prints; each program installs this logger, which writes
//! `PROGRAM: message` lines on stderr (DESIGN: "diagnostics go to stderr as `PROGRAM: message`").
//!
//! The level is `info` unless the program asks for `debug` (kv-serve's `--debug`), or
//! `COREKIT_LOG` names one (`error`, `warn`, `info`, `debug`, `trace`, `off`).

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Stderr {
    program: &'static str,
}

impl Log for Stderr {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level()
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let prefix = match r.level() {
            Level::Error | Level::Warn | Level::Info => String::new(),
            // Debug lines name where they come from ("raft: became leader at term 2").
            Level::Debug | Level::Trace => format!("{}: ", r.target().rsplit("::").next().unwrap_or("")),
        };
        // One write per line, so lines of concurrent threads don't interleave; a closed
        // stderr is not worth dying for.
        let line = format!("{}: {prefix}{}\n", self.program, r.args());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

/// Installs the stderr logger for `program`, at `debug` when `debug`, else `info` (or what
/// `COREKIT_LOG` says). A second call changes nothing.
pub fn init(program: &'static str, debug: bool) {
    let level = std::env::var("COREKIT_LOG")
        .ok()
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(if debug { LevelFilter::Debug } else { LevelFilter::Info });
    if log::set_boxed_logger(Box::new(Stderr { program })).is_ok() {
        log::set_max_level(level);
    }
}
