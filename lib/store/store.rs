//! The store: the key tree, the current index, TTLs, the watcher hub and
//! stats. Writes are applied in log order on every member; `now` is only
//! used to render `ttl` fields.

use std::sync::Arc;

use super::error::{
    DIR_NOT_EMPTY, Error, KEY_NOT_FOUND, NODE_EXIST, NOT_DIR, NOT_FILE, ROOT_READ_ONLY, TEST_FAILED,
};
use super::event::{Action, Event};
use super::event_history::{EventHistory, HISTORY_CAPACITY};
use super::node::{Node, NodeExtern, NodeKind, clean_path, segments, split_parent};
use super::stats::{Stat, Stats, StoreStats};
use super::time::NANOS_PER_SEC;
use super::ttl_key_heap::TtlKeyHeap;
use super::watcher::Watcher;
use super::watcher_hub::WatcherHub;

/// Expire times before 2000-01-01T00:00:00Z are taken as "permanent".
pub const MIN_EXPIRE_TIME: i64 = 946_684_800 * NANOS_PER_SEC;

/// TTL part of a write. `expire_time` is absolute unix nanoseconds (UTC);
/// None = permanent. `refresh` keeps the current value and records the
/// event without notifying watchers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TtlOptions {
    pub expire_time: Option<i64>,
    pub refresh: bool,
}

impl TtlOptions {
    pub fn permanent() -> TtlOptions {
        TtlOptions::default()
    }

    pub fn expire_at(expire_time: i64) -> TtlOptions {
        TtlOptions { expire_time: Some(expire_time), refresh: false }
    }
}

fn normalize_expire(e: Option<i64>) -> Option<i64> {
    e.filter(|&t| t >= MIN_EXPIRE_TIME)
}

/// Walks to `path`: a file in the way → 104 (cause: the file's path); a
/// missing segment → 100 (cause: the path up to and including it).
fn lookup<'a>(root: &'a Node, path: &str, index: u64) -> Result<&'a Node, Error> {
    let mut cur = root;
    let mut end = 0;
    for seg in segments(path) {
        let Some(children) = cur.children() else {
            return Err(Error::new(NOT_DIR, &path[..end], index));
        };
        end += 1 + seg.len();
        match children.get(seg) {
            Some(c) => cur = c,
            None => return Err(Error::new(KEY_NOT_FOUND, &path[..end], index)),
        }
    }
    Ok(cur)
}

fn lookup_mut<'a>(root: &'a mut Node, path: &str, index: u64) -> Result<&'a mut Node, Error> {
    lookup(root, path, index)?;
    let mut cur = root;
    for seg in segments(path) {
        cur = cur.children_mut().and_then(|c| c.get_mut(seg)).expect("checked by lookup");
    }
    Ok(cur)
}

/// Walks to the directory `parent`, creating missing directories with
/// created = modified = `next`. A file in the way → 104 with its path.
fn walk_create<'a>(root: &'a mut Node, parent: &str, next: u64, index: u64) -> Result<&'a mut Node, Error> {
    let mut cur = root;
    let mut end = 0;
    for seg in segments(parent) {
        end += 1 + seg.len();
        let children = cur.children_mut().expect("walk only descends into directories");
        if !children.contains_key(seg) {
            children.insert(seg.into(), Node::new_dir(next, None));
        }
        let child = children.get_mut(seg).expect("just ensured");
        if !child.is_dir() {
            return Err(Error::new(NOT_DIR, &parent[..end], index));
        }
        cur = child;
    }
    Ok(cur)
}

/// etcd's compare: `prev_value` "" and `prev_index` 0 mean "don't check".
fn compare_fail_cause(n: &Node, prev_value: &str, prev_index: u64) -> Option<String> {
    let index_ok = prev_index == 0 || n.modified == prev_index;
    let value_ok = prev_value.is_empty() || n.value() == prev_value;
    match (value_ok, index_ok) {
        (true, true) => None,
        (false, true) => Some(format!("[{} != {}]", prev_value, n.value())),
        (true, false) => Some(format!("[{} != {}]", prev_index, n.modified)),
        (false, false) => {
            Some(format!("[{} != {}] [{} != {}]", prev_value, n.value(), prev_index, n.modified))
        }
    }
}

/// The in-memory etcd v2 store.
#[derive(Debug)]
pub struct Store {
    pub(super) root: Node,
    pub(super) index: u64,
    pub(super) ttl_heap: TtlKeyHeap,
    pub(super) hub: WatcherHub,
    pub(super) stats: Stats,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        Store {
            root: Node::new_dir(0, None),
            index: 0,
            ttl_heap: TtlKeyHeap::new(),
            hub: WatcherHub::new(EventHistory::new(HISTORY_CAPACITY)),
            stats: Stats::new(),
        }
    }

    /// etcd's CurrentIndex.
    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn get(&self, path: &str, recursive: bool, _sorted: bool, now: i64) -> Result<Event, Error> {
        let p = clean_path(path);
        // Children live in BTreeMaps, so listings are always sorted.
        let r = lookup(&self.root, &p, self.index)
            .map(|n| Event::new(Action::Get, n.to_extern(&p, true, recursive, now), None, self.index));
        self.stats.count(&r, Stat::GetSuccess, Stat::GetFail);
        r
    }

    pub fn set(
        &mut self,
        path: &str,
        dir: bool,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let r = self.set_inner(path, dir, value, ttl, now);
        self.stats.count(&r, Stat::SetSuccess, Stat::SetFail);
        r
    }

    fn set_inner(
        &mut self,
        path: &str,
        dir: bool,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let p = clean_path(path);
        let mut value = value.to_string();
        if ttl.refresh {
            value = lookup(&self.root, &p, self.index)?.value().to_string();
        }
        self.internal_create(&p, dir, value, false, true, ttl, Action::Set, now)
    }

    pub fn create(
        &mut self,
        path: &str,
        dir: bool,
        value: &str,
        unique: bool,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let r = self.internal_create(path, dir, value.to_string(), unique, false, ttl, Action::Create, now);
        self.stats.count(&r, Stat::CreateSuccess, Stat::CreateFail);
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn internal_create(
        &mut self,
        path: &str,
        dir: bool,
        value: String,
        unique: bool,
        replace: bool,
        ttl: TtlOptions,
        action: Action,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let cur = self.index;
        let next = cur + 1;
        let p = if unique { clean_path(&format!("{path}/{next:020}")) } else { clean_path(path) };
        if p == "/" {
            return Err(Error::new(ROOT_READ_ONLY, "/", cur));
        }
        let expire = normalize_expire(ttl.expire_time);
        let (parent, name) = split_parent(&p);
        let d = walk_create(&mut self.root, parent, next, cur)?;
        let children = d.children_mut().expect("walk_create returns a directory");
        let mut prev = None;
        if let Some(existing) = children.get(name) {
            if !replace {
                return Err(Error::new(NODE_EXIST, p, cur));
            }
            if existing.is_dir() {
                return Err(Error::new(NOT_FILE, p, cur));
            }
            prev = Some(existing.to_extern(&p, false, false, now));
            if let Some(t) = existing.expire {
                self.ttl_heap.remove(t, &p);
            }
            children.remove(name);
        }
        let node = if dir { Node::new_dir(next, expire) } else { Node::new_file(value, next, expire) };
        let ext = node.to_extern(&p, false, false, now);
        children.insert(name.into(), node);
        if let Some(t) = expire {
            self.ttl_heap.push(t, &p);
        }
        self.index = next;
        let mut e = Event::new(action, ext, prev, next);
        e.refresh = ttl.refresh;
        Ok(self.publish(e))
    }

    pub fn update(
        &mut self,
        path: &str,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let r = self.update_inner(path, value, ttl, now);
        self.stats.count(&r, Stat::UpdateSuccess, Stat::UpdateFail);
        r
    }

    fn update_inner(
        &mut self,
        path: &str,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let p = clean_path(path);
        let cur = self.index;
        if p == "/" {
            return Err(Error::new(ROOT_READ_ONLY, "/", cur));
        }
        let next = cur + 1;
        let n = lookup_mut(&mut self.root, &p, cur)?;
        if n.is_dir() && !value.is_empty() {
            return Err(Error::new(NOT_FILE, p, cur));
        }
        let prev = n.to_extern(&p, false, false, now);
        let new_value = if ttl.refresh { n.value().to_string() } else { value.to_string() };
        // As in etcd, a directory's own modified index is left alone (only
        // its TTL changes); the event still carries the new index.
        if let NodeKind::File(v) = &mut n.kind {
            *v = new_value.as_str().into();
            n.modified = next;
        }
        let old_expire = n.expire;
        n.expire = normalize_expire(ttl.expire_time);
        let (expiration, ttl_secs) = n.expiration_and_ttl(now);
        let node = NodeExtern {
            key: p.clone(),
            value: (!n.is_dir()).then_some(new_value),
            dir: n.is_dir(),
            expiration,
            ttl: ttl_secs,
            nodes: None,
            modified_index: next,
            created_index: n.created,
        };
        let new_expire = n.expire;
        self.ttl_heap.update(old_expire, new_expire, &p);
        self.index = next;
        let mut e = Event::new(Action::Update, node, Some(prev), next);
        e.refresh = ttl.refresh;
        Ok(self.publish(e))
    }

    pub fn compare_and_swap(
        &mut self,
        path: &str,
        prev_value: &str,
        prev_index: u64,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let r = self.cas_inner(path, prev_value, prev_index, value, ttl, now);
        self.stats.count(&r, Stat::CompareAndSwapSuccess, Stat::CompareAndSwapFail);
        r
    }

    fn cas_inner(
        &mut self,
        path: &str,
        prev_value: &str,
        prev_index: u64,
        value: &str,
        ttl: TtlOptions,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let p = clean_path(path);
        let cur = self.index;
        if p == "/" {
            return Err(Error::new(ROOT_READ_ONLY, "/", cur));
        }
        let next = cur + 1;
        let n = lookup_mut(&mut self.root, &p, cur)?;
        if n.is_dir() {
            return Err(Error::new(NOT_FILE, p, cur));
        }
        if let Some(cause) = compare_fail_cause(n, prev_value, prev_index) {
            return Err(Error::new(TEST_FAILED, cause, cur));
        }
        let prev = n.to_extern(&p, false, false, now);
        let new_value = if ttl.refresh { n.value().to_string() } else { value.to_string() };
        n.kind = NodeKind::File(new_value.into());
        n.modified = next;
        let old_expire = n.expire;
        n.expire = normalize_expire(ttl.expire_time);
        let node = n.to_extern(&p, false, false, now);
        let new_expire = n.expire;
        self.ttl_heap.update(old_expire, new_expire, &p);
        self.index = next;
        let mut e = Event::new(Action::CompareAndSwap, node, Some(prev), next);
        e.refresh = ttl.refresh;
        Ok(self.publish(e))
    }

    pub fn delete(&mut self, path: &str, dir: bool, recursive: bool, now: i64) -> Result<Arc<Event>, Error> {
        let r = self.delete_inner(path, dir, recursive, now);
        self.stats.count(&r, Stat::DeleteSuccess, Stat::DeleteFail);
        r
    }

    fn delete_inner(
        &mut self,
        path: &str,
        dir: bool,
        recursive: bool,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let dir = dir || recursive;
        let p = clean_path(path);
        let cur = self.index;
        if p == "/" {
            return Err(Error::new(ROOT_READ_ONLY, "/", cur));
        }
        let next = cur + 1;
        let n = lookup(&self.root, &p, cur)?;
        if let Some(children) = n.children() {
            if !dir {
                return Err(Error::new(NOT_FILE, p, cur));
            }
            if !children.is_empty() && !recursive {
                return Err(Error::new(DIR_NOT_EMPTY, p, cur));
            }
        }
        let prev = n.to_extern(&p, false, false, now);
        let node = NodeExtern {
            key: p.clone(),
            dir: n.is_dir(),
            modified_index: next,
            created_index: n.created,
            ..Default::default()
        };
        self.remove_subtree(&p);
        self.index = next;
        Ok(self.publish(Event::new(Action::Delete, node, Some(prev), next)))
    }

    pub fn compare_and_delete(
        &mut self,
        path: &str,
        prev_value: &str,
        prev_index: u64,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let r = self.cad_inner(path, prev_value, prev_index, now);
        self.stats.count(&r, Stat::CompareAndDeleteSuccess, Stat::CompareAndDeleteFail);
        r
    }

    fn cad_inner(
        &mut self,
        path: &str,
        prev_value: &str,
        prev_index: u64,
        now: i64,
    ) -> Result<Arc<Event>, Error> {
        let p = clean_path(path);
        let cur = self.index;
        if p == "/" {
            return Err(Error::new(ROOT_READ_ONLY, "/", cur));
        }
        let next = cur + 1;
        let n = lookup(&self.root, &p, cur)?;
        if n.is_dir() {
            return Err(Error::new(NOT_FILE, p, cur));
        }
        if let Some(cause) = compare_fail_cause(n, prev_value, prev_index) {
            return Err(Error::new(TEST_FAILED, cause, cur));
        }
        let prev = n.to_extern(&p, false, false, now);
        let node = NodeExtern {
            key: p.clone(),
            modified_index: next,
            created_index: n.created,
            ..Default::default()
        };
        self.remove_subtree(&p);
        self.index = next;
        Ok(self.publish(Event::new(Action::CompareAndDelete, node, Some(prev), next)))
    }

    /// Expires every key whose expire time is <= `cutoff` (unix nanos),
    /// earliest first, one index and one `expire` event each.
    pub fn delete_expired_keys(&mut self, cutoff: i64) {
        while let Some((t, path)) = self.ttl_heap.peek().map(|(t, p)| (t, p.to_string())) {
            if t > cutoff {
                break;
            }
            self.ttl_heap.remove(t, &path);
            let Ok(n) = lookup(&self.root, &path, self.index) else {
                continue;
            };
            if n.expire != Some(t) {
                continue; // stale entry; cannot happen while the heap is kept in step
            }
            let idx = self.index + 1;
            let prev = n.to_extern(&path, false, false, cutoff);
            let node = NodeExtern {
                key: path.clone(),
                dir: n.is_dir(),
                modified_index: idx,
                created_index: n.created,
                ..Default::default()
            };
            self.remove_subtree(&path);
            self.index = idx;
            self.stats.inc(Stat::ExpireCount);
            self.publish(Event::new(Action::Expire, node, Some(prev), idx));
        }
    }

    pub fn has_ttl_keys(&self) -> bool {
        !self.ttl_heap.is_empty()
    }

    /// The earliest expire time of any key (unix nanos), for scheduling
    /// the next expiry sync.
    pub fn next_expiry(&self) -> Option<i64> {
        self.ttl_heap.peek().map(|(t, _)| t)
    }

    /// Watches `path`. `since_index` 0 means "the next change".
    pub fn watch(
        &mut self,
        path: &str,
        recursive: bool,
        stream: bool,
        since_index: u64,
    ) -> Result<Watcher, Error> {
        let since = if since_index == 0 { self.index + 1 } else { since_index };
        self.hub.watch(path, recursive, stream, since, self.index)
    }

    /// Unregisters a watcher; idempotent.
    pub fn remove_watcher(&mut self, id: u64) {
        self.hub.remove(id);
    }

    pub fn watcher_count(&self) -> usize {
        self.hub.count()
    }

    pub fn stats(&self) -> StoreStats {
        self.stats.snapshot(self.hub.count() as u64)
    }

    /// Removes the node at `p` with its descendants, keeping the TTL heap
    /// in step.
    fn remove_subtree(&mut self, p: &str) -> Option<Node> {
        let (parent, name) = split_parent(p);
        let parent = lookup_mut(&mut self.root, parent, self.index).ok()?;
        let removed = parent.children_mut()?.remove(name)?;
        let heap = &mut self.ttl_heap;
        removed.for_each_ttl(p, |path, t| {
            heap.remove(t, path);
        });
        Some(removed)
    }

    fn publish(&mut self, e: Event) -> Arc<Event> {
        let e = Arc::new(e);
        if e.refresh {
            self.hub.add_refresh(e.clone());
        } else {
            self.hub.notify(e.clone());
        }
        e
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
