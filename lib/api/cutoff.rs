//! What a server cut off — heads that never came, malformed heads, bodies too slow or too
//! large, failed TLS handshakes — logged so an operator sees a broken client or an attack, at
//! most one line per kind a second (with how many more there were), so that a flood of bad
//! connections cannot flood the log as well.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No complete request head within the head timeout (slow-loris, or a silent client).
    HeadTimeout,
    /// A request head that is not HTTP, or too large.
    BadHead,
    /// A body not received within the body timeout.
    BodyTimeout,
    /// A body over the limit.
    BodyTooLarge,
    /// A TLS handshake that failed or never finished.
    Handshake,
}

const KINDS: usize = 5;
const EVERY: Duration = Duration::from_secs(1);

struct Slot {
    last: Option<Instant>,
    suppressed: u64,
    /// A thread will report the suppressed count if no other line does first.
    flush_pending: bool,
}

static SLOTS: [Mutex<Slot>; KINDS] =
    [const { Mutex::new(Slot { last: None, suppressed: 0, flush_pending: false }) }; KINDS];

/// Logs `what` (a warning), unless a line of this kind went out less than a second ago: then
/// it is counted, and the count goes with the next line — or, if none comes within a second,
/// on a line of its own, so the end of a flood is reported too.
pub fn record(kind: Kind, what: impl FnOnce() -> String) {
    let mut s = SLOTS[kind as usize].lock();
    let now = Instant::now();
    if s.last.is_some_and(|t| now.duration_since(t) < EVERY) {
        s.suppressed += 1;
        if !s.flush_pending {
            s.flush_pending = true;
            let spawned = std::thread::Builder::new().name("cutoff-log".into()).spawn(move || {
                std::thread::sleep(EVERY);
                flush(kind);
            });
            if spawned.is_err() {
                s.flush_pending = false;
            }
        }
        return;
    }
    let more = std::mem::take(&mut s.suppressed);
    s.last = Some(now);
    drop(s);
    if more > 0 {
        log::warn!("{} (and {more} more like it since the last such line)", what());
    } else {
        log::warn!("{}", what());
    }
}

fn flush(kind: Kind) {
    let mut s = SLOTS[kind as usize].lock();
    s.flush_pending = false;
    let more = std::mem::take(&mut s.suppressed);
    if more == 0 {
        return;
    }
    s.last = Some(Instant::now());
    drop(s);
    let what = match kind {
        Kind::HeadTimeout => "connections closed without a complete request head",
        Kind::BadHead => "connections closed for a malformed request head",
        Kind::BodyTimeout => "request bodies cut off as too slow",
        Kind::BodyTooLarge => "request bodies refused as too large",
        Kind::Handshake => "TLS handshakes refused",
    };
    log::warn!("{more} more {what} in the last second");
}
