//! The machine's record in the store (`machines/<id>`, TTL `agent_ttl`), renewed every tenth
//! of the TTL with etcd's `refresh` (which wakes no watcher) — and the fence: the moment by
//! which the record may have expired if no renewal got through. Renewals are timed from when
//! they were *sent*, and the fence falls a twentieth of the TTL before that expiry, so an
//! agent cut off from the store starts stopping its units before the engine can give them to
//! another machine. A store outage shorter than 85% of the TTL (the time between renewals and
//! the margin taken off it: 25.5 s of the default 30 s) stops nothing.

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

    /// When the fence falls: a twentieth of the TTL before the record can expire.
    pub fn fence_at(&self, ttl: Duration) -> Instant {
        self.last_ok + ttl - ttl / 20
    }

    /// Has the fence fallen?
    pub fn past_fence(&self, ttl: Duration) -> bool {
        Instant::now() >= self.fence_at(ttl)
    }
}

/// Renews the record until the agent stops: written whole first (and whenever it expired),
/// refreshed after.
pub fn run(s: Arc<Shared>) {
    let every = s.cfg.ttl / 10;
    let mut written = false;
    while !s.stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        let renewed = if written {
            match s.reg.refresh_machine(&s.cfg.machine_id, s.cfg.ttl) {
                Err(e) if crate::sched::registry::is_code(&e, crate::sched::registry::KEY_NOT_FOUND) => {
                    s.reg.put_machine(&s.record(), s.cfg.ttl)
                }
                r => r,
            }
        } else {
            s.reg.put_machine(&s.record(), s.cfg.ttl)
        };
        written |= renewed.is_ok();
        match renewed {
            Ok(index) => {
                let mut hb = s.heartbeat.lock();
                hb.last_ok = sent;
                hb.index = index;
                let was_fenced = hb.fenced;
                hb.fenced = false;
                drop(hb);
                if was_fenced {
                    log::info!("the machine's record is renewed again: taking units from the cluster");
                    // Only news wakes the reconciler: a thousand agents renewing wake nobody.
                    s.wake();
                }
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
                s.sleep(Duration::from_millis(500).min(every));
            }
        }
    }
}
