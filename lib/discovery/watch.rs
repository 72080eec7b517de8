//! A recursive watch on a prefix that never loses a change — what confd's etcd v2 watcher
//! got wrong (it started every watch "from now", after rendering, and its 401 handling was
//! dead code). Here:
//!
//! - every watch continues from the index after the last event it delivered, so writes that
//!   land while the renderer renders, checks or reloads are delivered next;
//! - a failed watch (the store restarting, a member dying: lib/client fails over to the next
//!   endpoint) is retried with back-off from that same index; before the first retry the
//!   store is asked for its index, and one that went *back* (a wiped store) or a different
//!   cluster ID means the history is not ours: everything is read again;
//! - a 401 "event index cleared" (the store's 1000-event history moved past us) continues
//!   from the index the error names and asks for everything to be read again.
//!
//! The order matters: the index to continue from is settled *before* the re-read is asked
//! for, so whatever the re-read misses is after that index and comes through the watch.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crate::client::{Client, Error, GetOptions};

/// What the watch tells the renderer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Something under the prefix changed at this index (reported at that instant).
    Event(u64, Instant),
    /// Changes may have been missed: read everything again (the reason, for the log).
    Reread(String),
}

/// Back-off between failed watches.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Watches `prefix` (recursively) for changes after index `after`, sending each on `tx`,
/// in a thread of its own, until the receiver is gone.
pub fn spawn(client: Arc<Client>, prefix: String, after: u64, tx: Sender<Change>) -> std::io::Result<()> {
    std::thread::Builder::new().name("watch".into()).spawn(move || run(&client, &prefix, after, &tx))?;
    Ok(())
}

/// The store's index and cluster ID now (a cheap GET of the prefix).
fn probe(c: &Client, prefix: &str) -> Result<(u64, Option<String>), Error> {
    match c.get(prefix, GetOptions::default()) {
        Ok(r) => Ok((r.index, r.cluster_id)),
        Err(Error::Etcd(e)) if e.code == 100 => Ok((e.index, None)),
        Err(e) => Err(e),
    }
}

fn run(c: &Client, prefix: &str, mut after: u64, tx: &Sender<Change>) {
    let mut cluster: Option<String> = None;
    let mut backoff = FIRST_BACKOFF;
    let mut failing: Option<String> = None;
    loop {
        if failing.is_some() {
            // Back after a failure: is this still the store (and the history) we watched?
            match probe(c, prefix) {
                Err(_) => {
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                Ok((index, cid)) => {
                    let other_cluster = cid.is_some() && cluster.is_some() && cid != cluster;
                    if other_cluster || index < after {
                        let why = if other_cluster {
                            format!("the store is another cluster now ({})", cid.clone().unwrap_or_default())
                        } else {
                            format!("the store's index went back from {after} to {index}")
                        };
                        after = index;
                        if cid.is_some() {
                            cluster = cid;
                        }
                        if tx.send(Change::Reread(why)).is_err() {
                            return;
                        }
                    }
                    log::info!("watching {prefix} again from index {}", after + 1);
                    failing = None;
                    backoff = FIRST_BACKOFF;
                }
            }
        }
        let mut w = c.watcher_after(prefix, after, true);
        let change = match w.next_change() {
            Ok(r) => {
                if let Some(cid) = &r.cluster_id {
                    if cluster.as_ref().is_some_and(|c| c != cid) {
                        // Answered by another cluster than before: its indexes mean nothing here.
                        failing = Some("answered by another cluster".into());
                        continue;
                    }
                    cluster = Some(cid.clone());
                }
                after = r.node.modified_index.max(after + 1);
                Change::Event(after, Instant::now())
            }
            Err(Error::Etcd(e)) if e.code == 401 => {
                after = e.index;
                Change::Reread(format!("the watch fell behind the store's history ({e})"))
            }
            Err(e) => {
                let text = e.to_string().trim_end().to_string();
                if failing.as_deref() != Some(text.as_str()) {
                    log::warn!("watch on {prefix} failed (retrying from index {}): {text}", after + 1);
                }
                failing = Some(text);
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        if tx.send(change).is_err() {
            return;
        }
    }
}
