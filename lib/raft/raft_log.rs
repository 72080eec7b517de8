//! raft-rs logs through `slog`; this drain hands its lines to the `log` facade the programs
//! configure, under the target `raft`, one level down (raft-rs's `info` — "became leader at
//! term 2" — is our `debug`, shown with `kv-serve --debug`), so nothing it says is dropped
//! and nothing is printed unasked.

use std::fmt::{self, Write};

pub fn logger() -> slog::Logger {
    slog::Logger::root(ToLog, slog::o!())
}

struct ToLog;

impl slog::Drain for ToLog {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record, values: &slog::OwnedKVList) -> Result<(), slog::Never> {
        let level = match record.level() {
            slog::Level::Critical | slog::Level::Error => log::Level::Error,
            slog::Level::Warning => log::Level::Warn,
            slog::Level::Info => log::Level::Debug,
            slog::Level::Debug | slog::Level::Trace => log::Level::Trace,
        };
        if log::log_enabled!(target: "raft", level) {
            let mut kv = Pairs(String::new());
            let _ = slog::KV::serialize(&record.kv(), record, &mut kv);
            let _ = slog::KV::serialize(values, record, &mut kv);
            log::log!(target: "raft", level, "{}{}", record.msg(), kv.0);
        }
        Ok(())
    }
}

/// `, key: value` for each of a record's pairs.
struct Pairs(String);

impl slog::Serializer for Pairs {
    fn emit_arguments(&mut self, key: slog::Key, val: &fmt::Arguments) -> slog::Result {
        let _ = write!(self.0, ", {key}: {val}");
        Ok(())
    }
}
