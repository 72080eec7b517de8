//! The per-client request limit of `disco serve` (the original had none): each client
//! address gets a token bucket — `rate` requests a second on average, bursts of up to
//! `burst` — and at most `max_open` requests open at once (long polls included). A request
//! over either limit is answered 429 at once and costs the store nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The limits, the same for every client. A `rate` of 0 turns the rate limit off, a
/// `max_open` of 0 the limit on open requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub rate: f64,
    pub burst: f64,
    pub max_open: u32,
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// More requests than the rate allows.
    Rate,
    /// Too many requests open at once.
    Open,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Rate => write!(f, "too many requests from this address; slow down"),
            Refusal::Open => write!(f, "too many open requests from this address"),
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
    open: u32,
}

pub struct Limiter {
    limits: Limits,
    clients: Mutex<(HashMap<IpAddr, Bucket>, Instant)>,
}

/// An admitted request; dropping it ends it.
pub struct Permit {
    limiter: Arc<Limiter>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut g = self.limiter.clients.lock();
        if let Some(b) = g.0.get_mut(&self.ip) {
            b.open = b.open.saturating_sub(1);
        }
    }
}

/// How often idle clients with a full bucket are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

impl Limiter {
    pub fn new(limits: Limits) -> Arc<Limiter> {
        Arc::new(Limiter { limits, clients: Mutex::new((HashMap::new(), Instant::now())) })
    }

    /// Admits a request from `ip`, or says why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Permit, Refusal> {
        self.admit_at(ip, Instant::now())
    }

    fn admit_at(self: &Arc<Self>, ip: IpAddr, now: Instant) -> Result<Permit, Refusal> {
        let l = self.limits;
        let mut g = self.clients.lock();
        if now.duration_since(g.1) > PRUNE_EVERY {
            let full = |b: &Bucket| {
                b.open == 0
                    && (l.rate <= 0.0
                        || b.tokens + now.duration_since(b.last).as_secs_f64() * l.rate >= l.burst)
            };
            g.0.retain(|_, b| !full(b));
            g.1 = now;
        }
        let b = g.0.entry(ip).or_insert(Bucket { tokens: l.burst, last: now, open: 0 });
        if l.max_open > 0 && b.open >= l.max_open {
            return Err(Refusal::Open);
        }
        if l.rate > 0.0 {
            b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * l.rate).min(l.burst.max(1.0));
            b.last = now;
            if b.tokens < 1.0 {
                return Err(Refusal::Rate);
            }
            b.tokens -= 1.0;
        }
        b.open += 1;
        drop(g);
        Ok(Permit { limiter: self.clone(), ip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_the_rate() {
        let l = Limiter::new(Limits { rate: 10.0, burst: 3.0, max_open: 0 });
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t = Instant::now();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(l.admit_at(ip, t).unwrap());
        }
        assert_eq!(l.admit_at(ip, t).err(), Some(Refusal::Rate));
        assert!(l.admit_at(other, t).is_ok(), "another client has its own bucket");
        assert!(l.admit_at(ip, t + Duration::from_millis(110)).is_ok(), "a token back after 1/rate");
    }

    #[test]
    fn open_requests_are_capped() {
        let l = Limiter::new(Limits { rate: 0.0, burst: 0.0, max_open: 2 });
        let ip: IpAddr = "::1".parse().unwrap();
        let a = l.admit(ip).unwrap();
        let _b = l.admit(ip).unwrap();
        assert_eq!(l.admit(ip).err(), Some(Refusal::Open));
        drop(a);
        assert!(l.admit(ip).is_ok());
    }
}
