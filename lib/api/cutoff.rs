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
}

static SLOTS: [Mutex<Slot>; KINDS] = [const { Mutex::new(Slot { last: None, suppressed: 0 }) }; KINDS];

/// Logs `what` (a warning), unless a line of this kind went out less than a second ago: then
/// it is counted, and the count goes with the next line.
pub fn record(kind: Kind, what: impl FnOnce() -> String) {
    let mut s = SLOTS[kind as usize].lock();
    let now = Instant::now();
    if s.last.is_some_and(|t| now.duration_since(t) < EVERY) {
        s.suppressed += 1;
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
