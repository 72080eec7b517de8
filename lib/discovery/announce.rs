//! Keeping an instance's key alive while the backend is healthy — the sidekick unit fleet
//! users wrote by hand (`while true; do etcdctl set /services/web/x … --ttl 30; sleep 20; done`),
//! done properly:
//!
//! - every `interval` the health check runs; while it passes, the key's TTL is refreshed
//!   (`refresh=true`, which wakes no watcher, so renderers are not disturbed by heartbeats);
//!   if the key expired meanwhile (the store was away longer than the TTL) it is set again;
//! - when the check fails the key is deleted at once — the load balancer drops the backend
//!   now, not a TTL later — and set again when the check passes again;
//! - on stop (SIGTERM, SIGINT) the key is deleted; if the process dies without a word, the
//!   TTL removes the key.
//!
//! Each change of state is logged once, and so is the store going away and coming back.

use std::time::Duration;

use crate::client::{Client, DeleteOptions, Error, PrevExist, SetOptions};
use crate::os::stop::Stop;

use super::health::{self, Check};

/// What to announce and how.
#[derive(Clone, Debug)]
pub struct Announce {
    pub key: String,
    pub value: String,
    /// Seconds the key lives without a refresh.
    pub ttl: u64,
    /// Between two checks (and refreshes); less than the TTL.
    pub interval: Duration,
    pub check: Option<Check>,
    /// Time limit of one check.
    pub check_timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not known to be in the store.
    Absent,
    Announced,
}

/// Announces until `stop`, then withdraws. Returns when stopped.
pub fn run(c: &Client, a: &Announce, stop: &Stop) {
    let mut state = State::Absent;
    let mut first = true;
    let mut store_failing = false;
    loop {
        let healthy = match &a.check {
            Some(check) => health::run(check, a.check_timeout),
            None => Ok(()),
        };
        let result = match (&healthy, state) {
            (Ok(()), State::Absent) => set(c, a).map(|()| {
                log::info!("announced {} = {} (ttl {}s)", a.key, a.value, a.ttl);
                state = State::Announced;
            }),
            (Ok(()), State::Announced) => match refresh(c, a) {
                Err(Error::Etcd(e)) if e.code == 100 => set(c, a).map(|()| {
                    log::warn!(
                        "{} had expired (the store was out of reach too long); announced again",
                        a.key
                    );
                }),
                other => other,
            },
            (Err(why), State::Announced) => withdraw(c, a).map(|()| {
                log::warn!("withdrew {}: health check failed: {why}", a.key);
                state = State::Absent;
            }),
            (Err(why), State::Absent) => {
                if first {
                    // A key left by an earlier run must not outlive a failing check.
                    log::warn!("not announcing {}: health check failed: {why}", a.key);
                    withdraw(c, a)
                } else {
                    Ok(())
                }
            }
        };
        match result {
            Ok(()) => {
                if store_failing {
                    log::info!("the store answers again");
                    store_failing = false;
                }
                first = false;
            }
            Err(e) => {
                if !store_failing {
                    log::warn!(
                        "cannot update {} in the store (will keep trying): {}",
                        a.key,
                        e.to_string().trim_end()
                    );
                    store_failing = true;
                }
            }
        }
        if stop.wait(a.interval) {
            break;
        }
    }
    match withdraw(c, a) {
        Ok(()) => log::info!("withdrew {}: stopping", a.key),
        Err(e) => log::warn!("cannot withdraw {} (its TTL will): {}", a.key, e.to_string().trim_end()),
    }
}

fn set(c: &Client, a: &Announce) -> Result<(), Error> {
    c.set(&a.key, &a.value, &SetOptions { ttl: a.ttl, ..Default::default() }).map(|_| ())
}

fn refresh(c: &Client, a: &Announce) -> Result<(), Error> {
    let o = SetOptions { ttl: a.ttl, refresh: true, prev_exist: PrevExist::MustExist, ..Default::default() };
    c.set(&a.key, "", &o).map(|_| ())
}

fn withdraw(c: &Client, a: &Announce) -> Result<(), Error> {
    // Only our own value: another instance may have taken the name since.
    let o = DeleteOptions { prev_value: Some(a.value.clone()), ..Default::default() };
    match c.delete(&a.key, &o) {
        Ok(_) => Ok(()),
        Err(Error::Etcd(e)) if e.code == 100 || e.code == 101 => Ok(()),
        Err(e) => Err(e),
    }
}
