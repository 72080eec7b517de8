//! Keys with an expire time, ordered by (expire time, path) so the earliest
//! to expire is first.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TtlKeyHeap {
    set: BTreeSet<(i64, String)>,
}

impl TtlKeyHeap {
    pub fn new() -> TtlKeyHeap {
        TtlKeyHeap::default()
    }

    pub fn push(&mut self, expire: i64, path: &str) {
        self.set.insert((expire, path.to_string()));
    }

    /// Removes the entry; returns whether it was there.
    pub fn remove(&mut self, expire: i64, path: &str) -> bool {
        self.set.remove(&(expire, path.to_string()))
    }

    /// Moves `path` from `old` to `new` (either may be None = permanent).
    pub fn update(&mut self, old: Option<i64>, new: Option<i64>, path: &str) {
        if old == new {
            return;
        }
        if let Some(o) = old {
            self.remove(o, path);
        }
        if let Some(n) = new {
            self.push(n, path);
        }
    }

    /// The earliest-expiring entry.
    pub fn peek(&self) -> Option<(i64, &str)> {
        self.set.first().map(|(t, p)| (*t, p.as_str()))
    }

    pub fn pop(&mut self) -> Option<(i64, String)> {
        self.set.pop_first()
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (i64, &str)> {
        self.set.iter().map(|(t, p)| (*t, p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_expire_then_path() {
        let mut h = TtlKeyHeap::new();
        assert!(h.is_empty());
        assert_eq!(h.peek(), None);
        h.push(30, "/c");
        h.push(10, "/b");
        h.push(10, "/a");
        h.push(20, "/d");
        assert_eq!(h.len(), 4);
        assert_eq!(h.peek(), Some((10, "/a")));
        assert_eq!(h.pop(), Some((10, "/a".to_string())));
        assert_eq!(h.pop(), Some((10, "/b".to_string())));
        assert_eq!(h.peek(), Some((20, "/d")));
    }

    #[test]
    fn remove_and_update() {
        let mut h = TtlKeyHeap::new();
        h.push(10, "/a");
        h.push(20, "/b");
        h.update(Some(10), Some(30), "/a");
        assert_eq!(h.peek(), Some((20, "/b")));
        h.update(Some(30), None, "/a");
        assert_eq!(h.len(), 1);
        h.update(None, Some(5), "/c");
        assert_eq!(h.peek(), Some((5, "/c")));
        assert!(h.remove(5, "/c"));
        assert!(!h.remove(5, "/c"));
        assert!(h.remove(20, "/b"));
        assert!(h.is_empty());
    }
}
