//! The watcher hub: registered watchers keyed by watch path, plus the event
//! history used to answer watches on past indexes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc;

use super::error::Error;
use super::event::Event;
use super::event_history::{EventHistory, event_matches};
use super::node::clean_path;
use super::watcher::{Notified, WATCHER_CHANNEL_CAPACITY, Watcher, WatcherEntry};

#[derive(Debug, Default)]
pub struct WatcherHub {
    watchers: BTreeMap<String, Vec<WatcherEntry>>,
    /// id → watch path, for removal by id.
    paths: HashMap<u64, String>,
    next_id: u64,
    pub history: EventHistory,
}

/// Whether the part of `key` below `watch_path` has a hidden segment
/// (a watcher deeper than the key, i.e. below a removed directory, never
/// filters).
fn is_hidden(watch_path: &str, key: &str) -> bool {
    if watch_path.len() > key.len() {
        return false;
    }
    let rest = key.get(watch_path.len()..).unwrap_or("");
    rest.split('/').any(|s| s.starts_with('_'))
}

/// "/", "/a", "/a/b" for "/a/b".
fn prefixes(key: &str) -> Vec<&str> {
    let mut out = vec!["/"];
    for (i, b) in key.bytes().enumerate() {
        if b == b'/' && i > 0 {
            out.push(&key[..i]);
        }
    }
    if key != "/" {
        out.push(key);
    }
    out
}

impl WatcherHub {
    pub fn new(history: EventHistory) -> WatcherHub {
        WatcherHub { history, ..Default::default() }
    }

    /// Number of registered watchers.
    pub fn count(&self) -> usize {
        self.paths.len()
    }

    /// Registers (or immediately answers) a watch. `since` must already be
    /// resolved (never 0); `store_index` is the current store index.
    ///
    /// A non-stream watcher whose event is already in the history gets it
    /// queued and is not registered. A stream watcher gets every matching
    /// event from the history queued and is then registered for new ones
    /// (if more than the channel capacity match, it is not registered and
    /// its stream ends after those; the client resumes from a later index).
    pub fn watch(
        &mut self,
        key: &str,
        recursive: bool,
        stream: bool,
        since: u64,
        store_index: u64,
    ) -> Result<Watcher, Error> {
        let key = clean_path(key);
        let found = self.history.scan(&key, recursive, since, store_index)?;
        let (tx, rx) = mpsc::channel(WATCHER_CHANNEL_CAPACITY);
        self.next_id += 1;
        let id = self.next_id;
        let watcher = Watcher { id, start_index: store_index, events: rx };
        let mut since = since;
        if let Some(e) = found {
            let _ = tx.try_send(e.clone());
            if !stream {
                return Ok(watcher);
            }
            since = e.index() + 1;
            // Replay the rest of the history for the stream.
            let rest: Vec<Arc<Event>> = self
                .history
                .iter()
                .filter(|h| h.index() >= since && event_matches(h, &key, recursive))
                .cloned()
                .collect();
            for h in rest {
                if tx.try_send(h).is_err() {
                    return Ok(watcher);
                }
            }
            since = since.max(self.history.last_index + 1);
        }
        self.paths.insert(id, key.clone());
        self.watchers.entry(key).or_default().push(WatcherEntry { id, recursive, stream, since, sender: tx });
        Ok(watcher)
    }

    /// Unregisters a watcher (dropping its sender). Idempotent.
    pub fn remove(&mut self, id: u64) {
        let Some(path) = self.paths.remove(&id) else {
            return;
        };
        if let Some(list) = self.watchers.get_mut(&path) {
            list.retain(|w| w.id != id);
            if list.is_empty() {
                self.watchers.remove(&path);
            }
        }
    }

    /// Records a refresh event in the history without notifying anyone.
    pub fn add_refresh(&mut self, e: Arc<Event>) {
        self.history.add(e);
    }

    /// Records `e` in the history and delivers it to matching watchers.
    pub fn notify(&mut self, e: Arc<Event>) {
        self.history.add(e.clone());
        let key = e.key().to_string();
        for p in prefixes(&key) {
            let original = p == key;
            if !original && is_hidden(p, &key) {
                continue;
            }
            self.notify_path(&e, p, original, false);
        }
        // Removing a directory also answers every watcher below it.
        if e.action.is_removal() && e.node.dir {
            let lo = format!("{key}/");
            let hi = format!("{key}0"); // '0' is the byte after '/'
            let below: Vec<String> = self.watchers.range(lo..hi).map(|(k, _)| k.clone()).collect();
            for p in below {
                self.notify_path(&e, &p, false, true);
            }
        }
    }

    fn notify_path(&mut self, e: &Arc<Event>, path: &str, original: bool, deleted: bool) {
        let Some(list) = self.watchers.get_mut(path) else {
            return;
        };
        let mut removed = Vec::new();
        list.retain(|w| match w.notify(e, original, deleted) {
            Notified::Skipped | Notified::Keep => true,
            Notified::Remove => {
                removed.push(w.id);
                false
            }
        });
        if list.is_empty() {
            self.watchers.remove(path);
        }
        for id in removed {
            self.paths.remove(&id);
        }
    }

    /// Drops every watcher (their streams end).
    pub fn clear_watchers(&mut self) {
        self.watchers.clear();
        self.paths.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::Action;
    use super::super::node::NodeExtern;
    use super::*;
    use tokio::sync::mpsc::error::TryRecvError;

    fn ev(action: Action, key: &str, idx: u64, dir: bool) -> Arc<Event> {
        let node =
            NodeExtern { key: key.into(), dir, modified_index: idx, created_index: 1, ..Default::default() };
        Arc::new(Event::new(action, node, None, idx))
    }

    fn got(w: &mut Watcher) -> Option<u64> {
        match w.events.try_recv() {
            Ok(e) => Some(e.index()),
            Err(_) => None,
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(prefixes("/a/b"), vec!["/", "/a", "/a/b"]);
        assert_eq!(prefixes("/a"), vec!["/", "/a"]);
        assert!(is_hidden("/", "/_a"));
        assert!(is_hidden("/", "/_a/b"));
        assert!(is_hidden("/a", "/a/_b"));
        assert!(!is_hidden("/_a", "/_a/b"));
        assert!(!is_hidden("/a", "/a/b"));
        assert!(!is_hidden("/a/b/c", "/a/b"));
    }

    #[test]
    fn exact_watcher_fires_once_and_is_removed() {
        let mut hub = WatcherHub::default();
        let mut w = hub.watch("/foo", false, false, 1, 0).unwrap();
        assert_eq!(hub.count(), 1);
        hub.notify(ev(Action::Create, "/foo/bar", 1, false)); // not recursive
        assert_eq!(got(&mut w), None);
        hub.notify(ev(Action::Create, "/foo", 2, false));
        assert_eq!(got(&mut w), Some(2));
        assert_eq!(hub.count(), 0);
        // the sender is gone: the channel is closed
        assert_eq!(w.events.try_recv().unwrap_err(), TryRecvError::Disconnected);
    }

    #[test]
    fn recursive_watcher_sees_children() {
        let mut hub = WatcherHub::default();
        let mut w = hub.watch("/foo", true, false, 1, 0).unwrap();
        hub.notify(ev(Action::Create, "/foobar", 1, false));
        assert_eq!(got(&mut w), None);
        hub.notify(ev(Action::Create, "/foo/bar/baz", 2, false));
        assert_eq!(got(&mut w), Some(2));
        let mut root = hub.watch("/", true, false, 3, 2).unwrap();
        hub.notify(ev(Action::Set, "/x", 3, false));
        assert_eq!(got(&mut root), Some(3));
    }

    #[test]
    fn since_index_is_respected() {
        let mut hub = WatcherHub::default();
        let mut w = hub.watch("/foo", false, false, 5, 0).unwrap();
        hub.notify(ev(Action::Set, "/foo", 1, false));
        assert_eq!(got(&mut w), None);
        // history now has index 1 only; a watch from 1 answers immediately
        let mut w2 = hub.watch("/foo", false, false, 1, 1).unwrap();
        assert_eq!(got(&mut w2), Some(1));
        assert_eq!(hub.count(), 1); // only w
    }

    #[test]
    fn hidden_keys_skip_recursive_watchers() {
        let mut hub = WatcherHub::default();
        let mut rec = hub.watch("/foo", true, false, 1, 0).unwrap();
        let mut exact = hub.watch("/foo/_hidden", false, false, 1, 0).unwrap();
        hub.notify(ev(Action::Set, "/foo/_hidden", 1, false));
        assert_eq!(got(&mut rec), None);
        assert_eq!(got(&mut exact), Some(1));
        // a watcher inside a hidden dir is not filtered for keys below it
        let mut inside = hub.watch("/_h", true, false, 2, 1).unwrap();
        hub.notify(ev(Action::Set, "/_h/x", 2, false));
        assert_eq!(got(&mut inside), Some(2));
        hub.notify(ev(Action::Set, "/foo/_dir/x", 3, false));
        assert_eq!(got(&mut rec), None);
        hub.notify(ev(Action::Set, "/foo/x", 4, false));
        assert_eq!(got(&mut rec), Some(4));
    }

    #[test]
    fn dir_removal_notifies_watchers_below() {
        let mut hub = WatcherHub::default();
        let mut a = hub.watch("/dir/a", false, false, 1, 0).unwrap();
        let mut b = hub.watch("/dir/b/c", true, false, 1, 0).unwrap();
        let mut other = hub.watch("/dirx", false, false, 1, 0).unwrap();
        let mut dir = hub.watch("/dir", false, false, 1, 0).unwrap();
        hub.notify(ev(Action::Delete, "/dir", 1, true));
        assert_eq!(got(&mut a), Some(1));
        assert_eq!(got(&mut b), Some(1));
        assert_eq!(got(&mut dir), Some(1));
        assert_eq!(got(&mut other), None);
        assert_eq!(hub.count(), 1);

        // removal of a file does not reach "below" it
        let mut under_file = hub.watch("/f/x", false, false, 2, 1).unwrap();
        hub.notify(ev(Action::Delete, "/f", 2, false));
        assert_eq!(got(&mut under_file), None);
        hub.notify(ev(Action::Expire, "/f", 3, true));
        assert_eq!(got(&mut under_file), Some(3));
    }

    #[test]
    fn stream_watcher_stays_and_overflow_drops_it() {
        let mut hub = WatcherHub::default();
        let mut s = hub.watch("/s", true, true, 1, 0).unwrap();
        hub.notify(ev(Action::Set, "/s/1", 1, false));
        hub.notify(ev(Action::Set, "/s/2", 2, false));
        assert_eq!(got(&mut s), Some(1));
        assert_eq!(got(&mut s), Some(2));
        assert_eq!(hub.count(), 1);
        for i in 3..(3 + WATCHER_CHANNEL_CAPACITY as u64) {
            hub.notify(ev(Action::Set, "/s/x", i, false));
        }
        assert_eq!(hub.count(), 1); // exactly full
        hub.notify(ev(Action::Set, "/s/x", 200, false));
        assert_eq!(hub.count(), 0);
        let mut n = 0;
        while got(&mut s).is_some() {
            n += 1;
        }
        assert_eq!(n, WATCHER_CHANNEL_CAPACITY);
        assert_eq!(s.events.try_recv().unwrap_err(), TryRecvError::Disconnected);
    }

    #[test]
    fn stream_watcher_replays_history_then_registers() {
        let mut hub = WatcherHub::default();
        hub.notify(ev(Action::Set, "/a", 1, false));
        hub.notify(ev(Action::Set, "/b", 2, false));
        hub.notify(ev(Action::Set, "/a", 3, false));
        let mut s = hub.watch("/a", false, true, 1, 3).unwrap();
        assert_eq!(hub.count(), 1);
        assert_eq!(got(&mut s), Some(1));
        assert_eq!(got(&mut s), Some(3));
        assert_eq!(got(&mut s), None);
        hub.notify(ev(Action::Set, "/a", 4, false));
        assert_eq!(got(&mut s), Some(4));
    }

    #[test]
    fn dropped_receiver_and_remove_by_id() {
        let mut hub = WatcherHub::default();
        let w = hub.watch("/a", false, true, 1, 0).unwrap();
        let w2 = hub.watch("/b", false, false, 1, 0).unwrap();
        assert_eq!(hub.count(), 2);
        drop(w);
        hub.notify(ev(Action::Set, "/a", 1, false));
        assert_eq!(hub.count(), 1);
        hub.remove(w2.id);
        hub.remove(w2.id);
        assert_eq!(hub.count(), 0);
        assert!(hub.watchers.is_empty());
    }

    #[test]
    fn watch_cleared_history_errors() {
        let mut hub = WatcherHub::new(EventHistory::new(2));
        for i in 1..=3 {
            hub.notify(ev(Action::Set, "/a", i, false));
        }
        let err = hub.watch("/a", false, false, 1, 3).unwrap_err();
        assert_eq!(err.code, 401);
        assert_eq!(err.index, 3);
        assert_eq!(hub.count(), 0);
    }
}
