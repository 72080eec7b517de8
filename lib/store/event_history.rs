//! A bounded ring of the most recent events, scanned by watchers that ask
//! for a past index.

use std::collections::VecDeque;
use std::sync::Arc;

use super::error::{EVENT_INDEX_CLEARED, Error};
use super::event::Event;
use super::node::clean_path;

pub const HISTORY_CAPACITY: usize = 1000;

#[derive(Debug, Clone)]
pub struct EventHistory {
    events: VecDeque<Arc<Event>>,
    capacity: usize,
    /// Index of the oldest kept event (0 while empty).
    pub start_index: u64,
    /// Index of the newest kept event (0 while empty).
    pub last_index: u64,
}

impl Default for EventHistory {
    fn default() -> Self {
        EventHistory::new(HISTORY_CAPACITY)
    }
}

/// Whether `e` answers a watch on `key` (already cleaned).
pub(super) fn event_matches(e: &Event, key: &str, recursive: bool) -> bool {
    if e.refresh {
        return false;
    }
    let ekey = e.key();
    if ekey == key {
        return true;
    }
    if recursive {
        if key == "/" {
            return true;
        }
        if ekey.len() > key.len() && ekey.starts_with(key) && ekey.as_bytes()[key.len()] == b'/' {
            return true;
        }
    }
    // The removal of a directory answers watches on anything under it.
    if matches!(e.action, super::event::Action::Delete | super::event::Action::Expire)
        && (e.node.dir || e.prev_node.as_ref().is_some_and(|p| p.dir))
    {
        return key.len() > ekey.len() && key.starts_with(ekey) && key.as_bytes()[ekey.len()] == b'/';
    }
    false
}

impl EventHistory {
    pub fn new(capacity: usize) -> EventHistory {
        let capacity = capacity.max(1);
        EventHistory { events: VecDeque::with_capacity(capacity), capacity, start_index: 0, last_index: 0 }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Event>> {
        self.events.iter()
    }

    /// Appends an event, dropping the oldest once full.
    pub fn add(&mut self, e: Arc<Event>) {
        if self.events.len() == self.capacity {
            self.events.pop_front();
        }
        self.last_index = e.index();
        self.events.push_back(e);
        self.start_index = self.events.front().map(|e| e.index()).unwrap_or(0);
    }

    /// The first (non-refresh) event at or after `since` that answers a
    /// watch on `key`. `Err(401)` when `since` is older than the history;
    /// `Ok(None)` when nothing matches yet (the watcher should wait).
    /// `store_index` is put in the error.
    pub fn scan(
        &self,
        key: &str,
        recursive: bool,
        since: u64,
        store_index: u64,
    ) -> Result<Option<Arc<Event>>, Error> {
        if since < self.start_index {
            return Err(Error::new(
                EVENT_INDEX_CLEARED,
                format!("the requested history has been cleared [{}/{}]", self.start_index, since),
                store_index,
            ));
        }
        if self.events.is_empty() || since > self.last_index {
            return Ok(None);
        }
        let key = clean_path(key);
        // Indexes are contiguous in practice; skip by offset, then scan.
        let skip = (since - self.start_index) as usize;
        let start = if self.events.get(skip).is_some_and(|e| e.index() <= since) { skip } else { 0 };
        Ok(self
            .events
            .iter()
            .skip(start)
            .filter(|e| e.index() >= since)
            .find(|e| event_matches(e, &key, recursive))
            .cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::Action;
    use super::super::node::NodeExtern;
    use super::*;

    fn ev(action: Action, key: &str, idx: u64, dir: bool) -> Arc<Event> {
        let node =
            NodeExtern { key: key.into(), dir, modified_index: idx, created_index: 1, ..Default::default() };
        Arc::new(Event::new(action, node, None, idx))
    }

    #[test]
    fn scan_basic() {
        let mut h = EventHistory::new(HISTORY_CAPACITY);
        assert_eq!(h.scan("/foo", false, 1, 0).unwrap(), None);
        h.add(ev(Action::Create, "/foo", 1, false));
        h.add(ev(Action::Create, "/foo/bar", 2, false));
        h.add(ev(Action::Create, "/foo/foo/foo", 3, false));
        h.add(ev(Action::Create, "/foobar", 4, false));

        assert_eq!(h.scan("/foo", false, 1, 4).unwrap().unwrap().index(), 1);
        assert_eq!(h.scan("/foo/bar", false, 1, 4).unwrap().unwrap().index(), 2);
        assert_eq!(h.scan("/foo", true, 2, 4).unwrap().unwrap().index(), 2);
        assert_eq!(h.scan("/foo", false, 2, 4).unwrap(), None);
        assert_eq!(h.scan("/foo/", true, 3, 4).unwrap().unwrap().index(), 3);
        // "/foobar" is not under "/foo".
        assert_eq!(h.scan("/foo", true, 4, 4).unwrap(), None);
        assert_eq!(h.scan("/", true, 4, 4).unwrap().unwrap().index(), 4);
        // future index
        assert_eq!(h.scan("/foo", true, 5, 4).unwrap(), None);
        assert_eq!(h.scan("/nothing", true, 1, 4).unwrap(), None);
    }

    #[test]
    fn scan_skips_refresh_events() {
        let mut h = EventHistory::default();
        let mut e = Event::new(
            Action::Set,
            NodeExtern { key: "/a".into(), modified_index: 1, ..Default::default() },
            None,
            1,
        );
        e.refresh = true;
        h.add(Arc::new(e));
        h.add(ev(Action::Set, "/a", 2, false));
        assert_eq!(h.scan("/a", false, 1, 2).unwrap().unwrap().index(), 2);
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn dir_delete_matches_keys_below() {
        let mut h = EventHistory::default();
        h.add(ev(Action::Delete, "/dir", 1, true));
        h.add(ev(Action::Expire, "/d2", 2, true));
        h.add(ev(Action::Delete, "/file", 3, false));
        assert_eq!(h.scan("/dir/a/b", false, 1, 3).unwrap().unwrap().index(), 1);
        assert_eq!(h.scan("/d2/x", false, 1, 3).unwrap().unwrap().index(), 2);
        assert_eq!(h.scan("/file/x", false, 1, 3).unwrap(), None);
        assert_eq!(h.scan("/dirx", false, 1, 3).unwrap(), None);
    }

    #[test]
    fn ring_keeps_last_1000_and_reports_cleared() {
        let mut h = EventHistory::new(HISTORY_CAPACITY);
        for i in 1..=1500u64 {
            h.add(ev(Action::Set, &format!("/k{}", i % 7), i, false));
        }
        assert_eq!(h.len(), 1000);
        assert_eq!(h.start_index, 501);
        assert_eq!(h.last_index, 1500);
        let err = h.scan("/k1", false, 500, 1500).unwrap_err();
        assert_eq!(err.code, 401);
        assert_eq!(err.cause, "the requested history has been cleared [501/500]");
        assert_eq!(err.index, 1500);
        let e = h.scan("/k1", false, 501, 1500).unwrap().unwrap();
        assert_eq!(e.index() % 7, 1);
        assert!(e.index() >= 501);
        assert_eq!(h.scan("/k3", false, 1500, 1500).unwrap(), None);
        assert_eq!(h.scan("/k2", false, 1500, 1500).unwrap().unwrap().index(), 1500);
    }
}
