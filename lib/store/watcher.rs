//! Watchers: the receiving end handed to the HTTP layer, and the hub's
//! sending end.

use std::sync::Arc;
use tokio::sync::mpsc;

use super::event::Event;

/// Events buffered per watcher; a stream watcher that falls this far behind
/// is dropped (its stream ends).
pub const WATCHER_CHANNEL_CAPACITY: usize = 100;

/// What `Store::watch` returns. `start_index` is the store index at watch
/// time (for the X-Etcd-Index header). `events` ends (recv returns None)
/// once the hub drops the watcher: after the one event of a non-stream
/// watcher, or when a stream watcher overflows or is removed.
#[derive(Debug)]
pub struct Watcher {
    pub id: u64,
    pub start_index: u64,
    pub events: mpsc::Receiver<Arc<Event>>,
}

/// The hub's side of a registered watcher.
#[derive(Debug)]
pub(super) struct WatcherEntry {
    pub id: u64,
    pub recursive: bool,
    pub stream: bool,
    pub since: u64,
    pub sender: mpsc::Sender<Arc<Event>>,
}

/// Outcome of offering an event to a watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Notified {
    /// Not interested in this event.
    Skipped,
    /// Delivered; keep the watcher registered.
    Keep,
    /// Delivered (or undeliverable); unregister the watcher.
    Remove,
}

impl WatcherEntry {
    /// Offers `e`. `original_path`: the watcher sits at the event's key;
    /// `deleted`: the watcher sits below a removed directory.
    pub fn notify(&self, e: &Arc<Event>, original_path: bool, deleted: bool) -> Notified {
        if !((self.recursive || original_path || deleted) && e.index() >= self.since) {
            return Notified::Skipped;
        }
        match self.sender.try_send(e.clone()) {
            Ok(()) if self.stream => Notified::Keep,
            Ok(()) => Notified::Remove,
            // Full (a stream watcher that fell behind) or closed (client gone).
            Err(_) => Notified::Remove,
        }
    }
}
