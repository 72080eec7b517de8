//! The engine's leader lease: a TTL key taken with `prevExist=false` and renewed with
//! compare-and-swap on its index, as fleet's engines share theirs. One engine leads; the
//! others stand by and take over once the key expires (at most `ttl` after the leader died).
//! A renewal that fails because the key changed or vanished ends the leadership at once; a
//! store that does not answer ends it once the TTL has surely run out since the last renewal.

use std::time::{Duration, Instant};

use crate::sched::records::{ENGINE_VERSION, Lease};
use crate::sched::registry::Registry;

/// What this engine knows of its own leadership.
pub struct Leadership {
    me: Lease,
    ttl: Duration,
    /// The lease's index while held, and when the renewal that produced it was sent.
    held: Option<(u64, Instant)>,
}

impl Leadership {
    pub fn new(machine_id: &str, ttl: Duration) -> Leadership {
        Leadership {
            me: Lease { machine_id: machine_id.to_string(), version: ENGINE_VERSION },
            ttl,
            held: None,
        }
    }

    pub fn is_leader(&self) -> bool {
        self.held.is_some_and(|(_, at)| at.elapsed() < self.ttl)
    }

    /// Takes or renews the lease; true while this engine leads. Errors of the store leave the
    /// lease as it was (it lapses by itself when the store stays away for a whole TTL).
    pub fn refresh(&mut self, reg: &Registry) -> bool {
        let sent = Instant::now();
        let result = match self.held {
            Some((index, _)) => reg.renew_lease(&self.me, index, self.ttl),
            None => match reg.lease() {
                // A lease of ours from an earlier life of this engine: take it back.
                Ok(Some((l, index))) if l.machine_id == self.me.machine_id => {
                    reg.renew_lease(&self.me, index, self.ttl)
                }
                Ok(Some((l, _))) if l.version > ENGINE_VERSION => {
                    log::warn!(
                        "the engine lease is held by a newer engine (version {}): standing by",
                        l.version
                    );
                    Ok(None)
                }
                Ok(Some(_)) => Ok(None),
                Ok(None) => reg.take_lease(&self.me, self.ttl),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(Some(index)) => {
                if self.held.is_none() {
                    log::info!("engine: leading (lease {})", reg.keys.lease());
                }
                self.held = Some((index, sent));
            }
            Ok(None) => {
                if self.held.take().is_some() {
                    log::warn!("engine: lost the lease; standing by");
                }
            }
            Err(e) => {
                log::warn!("engine: renewing the lease: {e}");
                if !self.is_leader() {
                    self.held = None;
                }
            }
        }
        self.is_leader()
    }

    /// Gives the lease up (a clean stop), so another engine takes over without waiting.
    pub fn release(&mut self, reg: &Registry) {
        if let Some((index, _)) = self.held.take() {
            let _ = reg.release_lease(index);
        }
    }
}
