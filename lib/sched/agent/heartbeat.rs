//! The machine's record in the store (`machines/<id>`, TTL `agent_ttl`), renewed every third
//! of the TTL — and the fence: the time by which the record has surely expired if no renewal
//! got through. Renewals are timed from when they were *sent*, so the fence falls at or
//! before the store's expiry: an agent cut off from the store stops its units no later than
//! the engine can give them to another machine. A store outage shorter than the TTL changes
//! nothing.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::Shared;

/// What the agent knows of its own record.
pub struct Heartbeat {
    /// When the last renewal that got through was sent (at start: the start, so a daemon that
    /// restarts during a store outage keeps its units for one TTL).
    last_ok: Instant,
    /// The store index of the last renewal (a read at or after it has seen everything the
    /// engine did while this machine was away).
    pub index: u64,
    /// True once the fence fell, until the next renewal gets through.
    pub fenced: bool,
}

impl Heartbeat {
    pub fn new() -> Mutex<Heartbeat> {
        Mutex::new(Heartbeat { last_ok: Instant::now(), index: 0, fenced: false })
    }

    /// Has the record surely expired?
    pub fn past_fence(&self, ttl: Duration) -> bool {
        self.last_ok.elapsed() >= ttl
    }
}

/// Renews the record until the agent stops.
pub fn run(s: Arc<Shared>) {
    let every = s.cfg.ttl / 3;
    while !s.stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        match s.reg.put_machine(&s.record(), s.cfg.ttl) {
            Ok(index) => {
                let mut hb = s.heartbeat.lock();
                hb.last_ok = sent;
                hb.index = index;
                if hb.fenced {
                    log::info!("the machine's record is renewed again: taking units from the cluster");
                }
                hb.fenced = false;
                drop(hb);
                s.wake();
                s.sleep(every);
            }
            Err(e) => {
                let late = s.heartbeat.lock().last_ok.elapsed();
                log::warn!(
                    "renewing the machine's record ({:.1}s since the last renewal): {e}",
                    late.as_secs_f64()
                );
                s.wake();
                // Retry soon: several attempts fit in what is left of the TTL.
                s.sleep(Duration::from_secs(1).min(every));
            }
        }
    }
}
