//! The store: the key tree, the current index, TTLs, the watcher hub and
//! stats. Writes are applied in log order on every member; `now` is only
//! used to render `ttl` fields.

use serde::{Deserialize, Serialize};
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
    root: Node,
    index: u64,
    ttl_heap: TtlKeyHeap,
    hub: WatcherHub,
    stats: Stats,
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

    /// Snapshot bytes: the tree (as a flat pre-order list of
    /// `{depth, name, ...}` records: no nesting, and no full paths, so deep
    /// trees cost neither recursion nor O(depth²) bytes), the index, the
    /// event history and the stats. Watchers are not saved.
    pub fn save(&self) -> Vec<u8> {
        self.image().encode()
    }

    /// A copy of what `save` writes, to be encoded later (elsewhere): taking it is a fraction
    /// of the cost of encoding it, so a writer holding the store can let go sooner.
    pub fn image(&self) -> StoreImage {
        let mut nodes = Vec::new();
        // Iterative pre-order; children pushed in reverse so they pop sorted.
        // Names and values are shared (`Arc<str>`): this copies pointers, not bytes.
        let mut stack: Vec<(u32, &Arc<str>, &Node)> = Vec::new();
        if let Some(c) = self.root.children() {
            for (name, n) in c.iter().rev() {
                stack.push((1, name, n));
            }
        }
        while let Some((depth, name, n)) = stack.pop() {
            if let Some(c) = n.children() {
                for (cname, child) in c.iter().rev() {
                    stack.push((depth + 1, cname, child));
                }
            }
            nodes.push(SnapNode {
                depth,
                name: name.clone(),
                dir: n.is_dir(),
                value: n.shared_value().cloned(),
                created: n.created,
                modified: n.modified,
                expire: n.expire,
            });
        }
        let history = &self.hub.history;
        let snap = Snapshot {
            version: SNAPSHOT_VERSION,
            index: self.index,
            nodes,
            history: SnapHistory {
                capacity: history.capacity(),
                events: history
                    .iter()
                    .map(|e| SnapEvent {
                        action: e.action,
                        node: e.node.clone(),
                        prev_node: e.prev_node.clone(),
                        etcd_index: e.etcd_index,
                        refresh: e.refresh,
                    })
                    .collect(),
            },
            stats: self.stats.snapshot(0),
        };
        StoreImage(snap)
    }

    /// Rebuilds a store from `save` bytes (no watchers).
    pub fn recover(data: &[u8]) -> Result<Store, String> {
        let snap: Snapshot = serde_json::from_slice(data).map_err(|e| format!("store snapshot: {e}"))?;
        if snap.version != SNAPSHOT_VERSION {
            return Err(format!("store snapshot: unsupported version {}", snap.version));
        }
        let mut ttl_heap = TtlKeyHeap::new();
        // Pre-order rebuild with a stack of open directories (root at the
        // bottom, at depth 0): O(nodes).
        let mut stack: Vec<(Arc<str>, Node)> = vec![("".into(), Node::new_dir(0, None))];
        fn close_top(stack: &mut Vec<(Arc<str>, Node)>) -> Result<(), String> {
            let (name, node) = stack.pop().expect("caller keeps the root");
            let parent = stack.last_mut().expect("caller keeps the root");
            let children = parent
                .1
                .children_mut()
                .ok_or_else(|| format!("store snapshot: parent of {name:?} is a file"))?;
            if children.insert(name.clone(), node).is_some() {
                return Err(format!("store snapshot: duplicate node {name:?}"));
            }
            Ok(())
        }
        for sn in snap.nodes {
            let depth = sn.depth as usize;
            if depth == 0
                || sn.name.is_empty()
                || sn.name.contains('/')
                || &*sn.name == "."
                || &*sn.name == ".."
            {
                return Err(format!("store snapshot: bad node {:?} at depth {}", sn.name, sn.depth));
            }
            if depth > stack.len() {
                return Err(format!(
                    "store snapshot: node {:?} at depth {} has no parent",
                    sn.name, sn.depth
                ));
            }
            while stack.len() > depth {
                close_top(&mut stack)?;
            }
            if !stack.last().expect("root stays").1.is_dir() {
                return Err(format!("store snapshot: parent of {:?} is a file", sn.name));
            }
            let mut node = if sn.dir {
                Node::new_dir(sn.created, sn.expire)
            } else {
                Node::new_file(sn.value.unwrap_or_default(), sn.created, sn.expire)
            };
            node.modified = sn.modified;
            if let Some(t) = sn.expire {
                let mut p = String::new();
                for (name, _) in &stack[1..] {
                    p.push('/');
                    p.push_str(name);
                }
                p.push('/');
                p.push_str(&sn.name);
                ttl_heap.push(t, &p);
            }
            stack.push((sn.name, node));
        }
        while stack.len() > 1 {
            close_top(&mut stack)?;
        }
        let root = stack.pop().expect("root stays").1;

        let mut history = EventHistory::new(snap.history.capacity);
        for se in snap.history.events {
            let mut e = Event::new(se.action, se.node, se.prev_node, se.etcd_index);
            e.refresh = se.refresh;
            history.add(Arc::new(e));
        }
        Ok(Store {
            root,
            index: snap.index,
            ttl_heap,
            hub: WatcherHub::new(history),
            stats: Stats::from_snapshot(&snap.stats),
        })
    }
}

const SNAPSHOT_VERSION: u32 = 1;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A store as `Store::image` copied it; `encode` gives `Store::save`'s bytes.
pub struct StoreImage(Snapshot);

impl StoreImage {
    pub fn encode(self) -> Vec<u8> {
        serde_json::to_vec(&self.0).expect("snapshot serialization cannot fail")
    }
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    index: u64,
    nodes: Vec<SnapNode>,
    history: SnapHistory,
    stats: StoreStats,
}

#[derive(Serialize, Deserialize)]
struct SnapNode {
    depth: u32,
    name: Arc<str>,
    #[serde(default, skip_serializing_if = "is_false")]
    dir: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Arc<str>>,
    created: u64,
    modified: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expire: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct SnapHistory {
    capacity: usize,
    events: Vec<SnapEvent>,
}

#[derive(Serialize, Deserialize)]
struct SnapEvent {
    action: Action,
    node: NodeExtern,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prev_node: Option<NodeExtern>,
    etcd_index: u64,
    #[serde(default, skip_serializing_if = "is_false")]
    refresh: bool,
}

#[cfg(test)]
mod tests {
    use super::super::error::*;
    use super::*;
    use tokio::sync::mpsc::error::TryRecvError;

    const S: i64 = NANOS_PER_SEC;
    /// 2033-05-18T03:33:20Z
    const NOW: i64 = 2_000_000_000 * S;

    fn perm() -> TtlOptions {
        TtlOptions::permanent()
    }

    fn ttl(secs: i64) -> TtlOptions {
        TtlOptions::expire_at(NOW + secs * S)
    }

    fn refresh(secs: i64) -> TtlOptions {
        TtlOptions { expire_time: Some(NOW + secs * S), refresh: true }
    }

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    fn err_of<T: std::fmt::Debug>(r: Result<T, Error>) -> (u32, String, u64) {
        let e = r.unwrap_err();
        (e.code, e.cause, e.index)
    }

    fn next_event(w: &mut Watcher) -> Option<Arc<Event>> {
        w.events.try_recv().ok()
    }

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Store>();
        check::<Arc<Event>>();
        check::<Watcher>();
    }

    #[test]
    fn empty_root_get() {
        let s = Store::new();
        assert_eq!(s.index(), 0);
        let e = s.get("/", false, false, NOW).unwrap();
        assert_eq!(json(&e), r#"{"action":"get","node":{"dir":true}}"#);
        assert_eq!(e.etcd_index, 0);
        assert_eq!(json(&s.get("", true, true, NOW).unwrap()), r#"{"action":"get","node":{"dir":true}}"#);
    }

    #[test]
    fn set_creates_and_replaces() {
        let mut s = Store::new();
        let e = s.set("/foo", false, "bar", perm(), NOW).unwrap();
        assert_eq!(s.index(), 1);
        assert_eq!(e.etcd_index, 1);
        assert!(e.is_created());
        assert_eq!(
            std::str::from_utf8(e.to_json()).unwrap(),
            r#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
        );
        let e = s.set("foo", false, "baz", perm(), NOW).unwrap();
        assert!(!e.is_created());
        assert_eq!(
            json(&*e),
            r#"{"action":"set","node":{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
        );
        // empty value is present in JSON
        let e = s.set("/empty", false, "", perm(), NOW).unwrap();
        assert_eq!(json(&e.node), r#"{"key":"/empty","value":"","modifiedIndex":3,"createdIndex":3}"#);
        assert_eq!(
            json(&s.get("/", false, false, NOW).unwrap()),
            r#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/empty","value":"","modifiedIndex":3,"createdIndex":3},{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2}]}}"#
        );
        let st = s.stats();
        assert_eq!(st.sets_success, 3);
        assert_eq!(st.gets_success, 1);
    }

    #[test]
    fn set_errors() {
        let mut s = Store::new();
        s.set("/dir/file", false, "v", perm(), NOW).unwrap();
        assert_eq!(err_of(s.set("/", false, "v", perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 1));
        assert_eq!(err_of(s.set("/dir", false, "v", perm(), NOW)), (NOT_FILE, "/dir".into(), 1));
        assert_eq!(err_of(s.set("/dir", true, "", perm(), NOW)), (NOT_FILE, "/dir".into(), 1));
        assert_eq!(err_of(s.set("/dir/file/x/y", false, "v", perm(), NOW)), (NOT_DIR, "/dir/file".into(), 1));
        assert_eq!(s.index(), 1);
        let st = s.stats();
        assert_eq!((st.sets_success, st.sets_fail), (1, 4));
        assert_eq!(Error::new(ROOT_READ_ONLY, "/", 1).http_status(), 400);
    }

    #[test]
    fn set_creates_implicit_parent_dirs() {
        let mut s = Store::new();
        s.set("/x", false, "0", perm(), NOW).unwrap();
        let e = s.set("/a/b/c", false, "v", perm(), NOW).unwrap();
        assert_eq!(e.index(), 2);
        let a = s.get("/a", false, false, NOW).unwrap();
        assert_eq!(
            json(&a),
            r#"{"action":"get","node":{"key":"/a","dir":true,"nodes":[{"key":"/a/b","dir":true,"modifiedIndex":2,"createdIndex":2}],"modifiedIndex":2,"createdIndex":2}}"#
        );
        let rec = s.get("/a", true, true, NOW).unwrap();
        assert_eq!(
            rec.node.nodes.as_ref().unwrap()[0].nodes.as_ref().unwrap()[0].value.as_deref(),
            Some("v")
        );
    }

    #[test]
    fn set_dir_and_set_refresh() {
        let mut s = Store::new();
        let e = s.set("/d", true, "", perm(), NOW).unwrap();
        assert_eq!(json(&e.node), r#"{"key":"/d","dir":true,"modifiedIndex":1,"createdIndex":1}"#);
        // refresh of a missing key fails with the lookup error
        assert_eq!(err_of(s.set("/nope", false, "", refresh(5), NOW)).0, KEY_NOT_FOUND);
        s.set("/k", false, "keep", ttl(5), NOW).unwrap();
        let mut w = s.watch("/k", false, false, 0).unwrap();
        let e = s.set("/k", false, "", refresh(50), NOW).unwrap();
        assert!(e.refresh);
        assert_eq!(e.node.value.as_deref(), Some("keep"));
        assert_eq!(e.node.ttl, 50);
        assert_eq!(s.index(), 3);
        // refresh events reach neither watchers nor scans
        assert!(next_event(&mut w).is_none());
        assert_eq!(s.watcher_count(), 1);
        let mut w2 = s.watch("/k", false, false, 3).unwrap();
        assert!(next_event(&mut w2).is_none());
        assert_eq!(s.watcher_count(), 2);
        // the heap moved to the new expire time
        s.delete_expired_keys(NOW + 10 * S);
        assert!(s.get("/k", false, false, NOW).is_ok());
        s.delete_expired_keys(NOW + 50 * S);
        assert_eq!(err_of(s.get("/k", false, false, NOW)).0, KEY_NOT_FOUND);
        assert_eq!(next_event(&mut w).unwrap().action, Action::Expire);
    }

    #[test]
    fn create_semantics() {
        let mut s = Store::new();
        let e = s.create("/foo", false, "bar", false, perm(), NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
        );
        assert!(e.is_created());
        assert_eq!(err_of(s.create("/foo", false, "x", false, perm(), NOW)), (NODE_EXIST, "/foo".into(), 1));
        assert_eq!(err_of(s.create("/foo", true, "", false, perm(), NOW)), (NODE_EXIST, "/foo".into(), 1));
        assert_eq!(err_of(s.create("/foo/bar", false, "x", false, perm(), NOW)), (NOT_DIR, "/foo".into(), 1));
        assert_eq!(err_of(s.create("/", true, "", false, perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 1));
        let d = s.create("/d", true, "", false, perm(), NOW).unwrap();
        assert_eq!(json(&d.node), r#"{"key":"/d","dir":true,"modifiedIndex":2,"createdIndex":2}"#);
        let st = s.stats();
        assert_eq!((st.create_success, st.create_fail), (2, 4));
        assert_eq!(Error::new(NODE_EXIST, "", 0).http_status(), 412);
    }

    #[test]
    fn create_unique_in_order() {
        let mut s = Store::new();
        s.set("/other", false, "", perm(), NOW).unwrap();
        let a = s.create("/queue", false, "a", true, perm(), NOW).unwrap();
        let b = s.create("/queue/", false, "b", true, perm(), NOW).unwrap();
        assert_eq!(a.node.key, "/queue/00000000000000000002");
        assert_eq!(b.node.key, "/queue/00000000000000000003");
        let q = s.get("/queue", false, true, NOW).unwrap();
        let keys: Vec<&str> = q.node.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["/queue/00000000000000000002", "/queue/00000000000000000003"]);
        // the queue dir was created implicitly at index 2
        assert_eq!(q.node.created_index, 2);
        // unique under the root
        let r = s.create("/", false, "r", true, perm(), NOW).unwrap();
        assert_eq!(r.node.key, "/00000000000000000004");
    }

    #[test]
    fn get_errors_and_causes() {
        let mut s = Store::new();
        s.set("/a/file", false, "v", perm(), NOW).unwrap();
        assert_eq!(err_of(s.get("/nothing", false, false, NOW)), (KEY_NOT_FOUND, "/nothing".into(), 1));
        // the cause names the first missing segment, as etcd does
        assert_eq!(err_of(s.get("/a/x/y", false, false, NOW)), (KEY_NOT_FOUND, "/a/x".into(), 1));
        assert_eq!(err_of(s.get("/a/file/x", false, false, NOW)), (NOT_DIR, "/a/file".into(), 1));
        assert_eq!(err_of(s.get("/a/file/x/y", false, false, NOW)), (NOT_DIR, "/a/file".into(), 1));
        let st = s.stats();
        assert_eq!((st.gets_success, st.gets_fail), (0, 4));
        let e = Error::new(KEY_NOT_FOUND, "/nothing", 1);
        assert_eq!(json(&e), r#"{"errorCode":100,"message":"Key not found","cause":"/nothing","index":1}"#);
    }

    #[test]
    fn get_hidden_and_recursive() {
        let mut s = Store::new();
        s.set("/d/_hidden", false, "h", perm(), NOW).unwrap();
        s.set("/d/visible", false, "v", perm(), NOW).unwrap();
        s.set("/d/sub/_h2", false, "h", perm(), NOW).unwrap();
        s.set("/d/sub/x", false, "x", perm(), NOW).unwrap();
        s.set("/d/empty", true, "", perm(), NOW).unwrap();
        let flat = s.get("/d", false, false, NOW).unwrap();
        let keys: Vec<&str> = flat.node.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["/d/empty", "/d/sub", "/d/visible"]);
        assert!(flat.node.nodes.as_ref().unwrap()[1].nodes.is_none());
        let rec = s.get("/d", true, false, NOW).unwrap();
        let sub = &rec.node.nodes.as_ref().unwrap()[1];
        let sub_keys: Vec<&str> = sub.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
        assert_eq!(sub_keys, vec!["/d/sub/x"]);
        // empty dir: no nodes field
        assert_eq!(
            json(&rec.node.nodes.as_ref().unwrap()[0]),
            r#"{"key":"/d/empty","dir":true,"modifiedIndex":5,"createdIndex":5}"#
        );
        // a hidden key can be read directly
        assert_eq!(s.get("/d/_hidden", false, false, NOW).unwrap().node.value.as_deref(), Some("h"));
        // get carries the current index
        assert_eq!(s.get("/d", false, false, NOW).unwrap().etcd_index, 5);
    }

    #[test]
    fn ttl_rendering() {
        let mut s = Store::new();
        let e = s.set("/t", false, "v", TtlOptions::expire_at(NOW + 10 * S + 500_000_000), NOW).unwrap();
        assert_eq!(e.node.ttl, 11);
        assert_eq!(e.node.expiration.as_deref(), Some("2033-05-18T03:33:30.5Z"));
        assert_eq!(
            json(&e.node),
            r#"{"key":"/t","value":"v","expiration":"2033-05-18T03:33:30.5Z","ttl":11,"modifiedIndex":1,"createdIndex":1}"#
        );
        let g = s.get("/t", false, false, NOW + 5 * S).unwrap();
        assert_eq!(g.node.ttl, 6);
        let g = s.get("/", false, false, NOW + 10 * S).unwrap();
        assert_eq!(g.node.nodes.unwrap()[0].ttl, 1);
        // expire times before 2000 are permanent
        let e = s.set("/old", false, "v", TtlOptions::expire_at(5 * S), NOW).unwrap();
        assert_eq!(e.node.ttl, 0);
        assert!(e.node.expiration.is_none());
        let d = s.create("/tdir", true, "", false, ttl(3), NOW).unwrap();
        assert_eq!(d.node.ttl, 3);
        assert!(d.node.dir);
        let heap: Vec<(i64, String)> = s.ttl_heap.iter().map(|(t, p)| (t, p.to_string())).collect();
        assert_eq!(
            heap,
            vec![(NOW + 3 * S, "/tdir".to_string()), (NOW + 10 * S + 500_000_000, "/t".to_string())]
        );
    }

    #[test]
    fn update_semantics() {
        let mut s = Store::new();
        assert_eq!(err_of(s.update("/missing", "v", perm(), NOW)), (KEY_NOT_FOUND, "/missing".into(), 0));
        assert_eq!(err_of(s.update("/", "", perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 0));
        s.set("/f", false, "old", perm(), NOW).unwrap();
        s.set("/d", true, "", perm(), NOW).unwrap();
        let e = s.update("/f", "new", ttl(10), NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"update","node":{"key":"/f","value":"new","expiration":"2033-05-18T03:33:30Z","ttl":10,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/f","value":"old","modifiedIndex":1,"createdIndex":1}}"#
        );
        assert!(s.has_ttl_keys());
        // back to permanent
        let e = s.update("/f", "newer", perm(), NOW).unwrap();
        assert_eq!(e.node.ttl, 0);
        assert_eq!(e.prev_node.as_ref().unwrap().ttl, 10);
        assert!(!s.has_ttl_keys());
        // dirs: value must be empty
        assert_eq!(err_of(s.update("/d", "v", perm(), NOW)), (NOT_FILE, "/d".into(), 4));
        let e = s.update("/d", "", ttl(7), NOW).unwrap();
        assert_eq!(
            json(&e.node),
            r#"{"key":"/d","dir":true,"expiration":"2033-05-18T03:33:27Z","ttl":7,"modifiedIndex":5,"createdIndex":2}"#
        );
        let g = s.get("/d", false, false, NOW).unwrap();
        assert_eq!(g.node.ttl, 7);
        assert_eq!(g.node.modified_index, 2); // etcd leaves a dir's own modified index alone
        // refresh keeps the value and is not delivered
        let mut w = s.watch("/f", false, false, 0).unwrap();
        let e = s.update("/f", "", refresh(20), NOW).unwrap();
        assert!(e.refresh);
        assert_eq!(e.node.value.as_deref(), Some("newer"));
        assert_eq!(e.node.ttl, 20);
        assert!(next_event(&mut w).is_none());
        let st = s.stats();
        assert_eq!((st.update_success, st.update_fail), (4, 3));
    }

    #[test]
    fn compare_and_swap_semantics() {
        let mut s = Store::new();
        assert_eq!(
            err_of(s.compare_and_swap("/x", "a", 0, "b", perm(), NOW)),
            (KEY_NOT_FOUND, "/x".into(), 0)
        );
        s.set("/x", false, "a", perm(), NOW).unwrap();
        s.set("/d", true, "", perm(), NOW).unwrap();
        assert_eq!(
            err_of(s.compare_and_swap("/", "a", 0, "b", perm(), NOW)),
            (ROOT_READ_ONLY, "/".into(), 2)
        );
        assert_eq!(err_of(s.compare_and_swap("/d", "", 2, "b", perm(), NOW)), (NOT_FILE, "/d".into(), 2));
        assert_eq!(
            err_of(s.compare_and_swap("/x", "z", 0, "b", perm(), NOW)),
            (TEST_FAILED, "[z != a]".into(), 2)
        );
        assert_eq!(
            err_of(s.compare_and_swap("/x", "", 9, "b", perm(), NOW)),
            (TEST_FAILED, "[9 != 1]".into(), 2)
        );
        assert_eq!(
            err_of(s.compare_and_swap("/x", "a", 9, "b", perm(), NOW)),
            (TEST_FAILED, "[9 != 1]".into(), 2)
        );
        assert_eq!(
            err_of(s.compare_and_swap("/x", "z", 1, "b", perm(), NOW)),
            (TEST_FAILED, "[z != a]".into(), 2)
        );
        assert_eq!(
            err_of(s.compare_and_swap("/x", "z", 9, "b", perm(), NOW)),
            (TEST_FAILED, "[z != a] [9 != 1]".into(), 2)
        );
        assert_eq!(Error::new(TEST_FAILED, "", 0).http_status(), 412);
        assert_eq!(s.index(), 2);
        let e = s.compare_and_swap("/x", "a", 1, "b", ttl(4), NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"compareAndSwap","node":{"key":"/x","value":"b","expiration":"2033-05-18T03:33:24Z","ttl":4,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/x","value":"a","modifiedIndex":1,"createdIndex":1}}"#
        );
        assert!(s.has_ttl_keys());
        // no conditions at all still succeeds
        let e = s.compare_and_swap("/x", "", 0, "c", perm(), NOW).unwrap();
        assert_eq!(e.node.modified_index, 4);
        assert!(!s.has_ttl_keys());
        // refresh keeps the value
        let e = s.compare_and_swap("/x", "c", 0, "", refresh(9), NOW).unwrap();
        assert!(e.refresh);
        assert_eq!(e.node.value.as_deref(), Some("c"));
        let st = s.stats();
        assert_eq!((st.compare_and_swap_success, st.compare_and_swap_fail), (3, 8));
    }

    #[test]
    fn delete_semantics() {
        let mut s = Store::new();
        assert_eq!(err_of(s.delete("/", true, true, NOW)), (ROOT_READ_ONLY, "/".into(), 0));
        assert_eq!(err_of(s.delete("/nope", false, false, NOW)), (KEY_NOT_FOUND, "/nope".into(), 0));
        s.set("/f", false, "v", perm(), NOW).unwrap();
        s.set("/d/a", false, "1", ttl(5), NOW).unwrap();
        s.set("/d/sub/b", false, "2", ttl(6), NOW).unwrap();
        s.set("/e", true, "", perm(), NOW).unwrap();
        assert_eq!(err_of(s.delete("/d", false, false, NOW)), (NOT_FILE, "/d".into(), 4));
        assert_eq!(err_of(s.delete("/d", true, false, NOW)), (DIR_NOT_EMPTY, "/d".into(), 4));
        assert_eq!(Error::new(DIR_NOT_EMPTY, "", 0).http_status(), 403);
        // file, with the dir flag set: still fine
        let e = s.delete("/f", true, false, NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"delete","node":{"key":"/f","modifiedIndex":5,"createdIndex":1},"prevNode":{"key":"/f","value":"v","modifiedIndex":1,"createdIndex":1}}"#
        );
        // empty dir with dir=true
        let e = s.delete("/e", true, false, NOW).unwrap();
        assert_eq!(json(&e.node), r#"{"key":"/e","dir":true,"modifiedIndex":6,"createdIndex":4}"#);
        // recursive implies dir; TTL'd descendants leave the heap
        assert_eq!(s.ttl_heap.len(), 2);
        let e = s.delete("/d", false, true, NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"delete","node":{"key":"/d","dir":true,"modifiedIndex":7,"createdIndex":2},"prevNode":{"key":"/d","dir":true,"modifiedIndex":2,"createdIndex":2}}"#
        );
        assert!(!s.has_ttl_keys());
        assert_eq!(json(&s.get("/", true, false, NOW).unwrap()), r#"{"action":"get","node":{"dir":true}}"#);
        let st = s.stats();
        assert_eq!((st.delete_success, st.delete_fail), (3, 4));
    }

    #[test]
    fn compare_and_delete_semantics() {
        let mut s = Store::new();
        assert_eq!(err_of(s.compare_and_delete("/x", "a", 0, NOW)), (KEY_NOT_FOUND, "/x".into(), 0));
        s.set("/x", false, "a", ttl(5), NOW).unwrap();
        s.set("/d", true, "", perm(), NOW).unwrap();
        assert_eq!(err_of(s.compare_and_delete("/", "a", 0, NOW)), (ROOT_READ_ONLY, "/".into(), 2));
        assert_eq!(err_of(s.compare_and_delete("/d", "", 0, NOW)), (NOT_FILE, "/d".into(), 2));
        assert_eq!(err_of(s.compare_and_delete("/x", "b", 0, NOW)), (TEST_FAILED, "[b != a]".into(), 2));
        assert_eq!(err_of(s.compare_and_delete("/x", "", 2, NOW)), (TEST_FAILED, "[2 != 1]".into(), 2));
        assert_eq!(
            err_of(s.compare_and_delete("/x", "b", 2, NOW)),
            (TEST_FAILED, "[b != a] [2 != 1]".into(), 2)
        );
        let e = s.compare_and_delete("/x", "a", 1, NOW).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"compareAndDelete","node":{"key":"/x","modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/x","value":"a","expiration":"2033-05-18T03:33:25Z","ttl":5,"modifiedIndex":1,"createdIndex":1}}"#
        );
        assert!(!s.has_ttl_keys());
        let st = s.stats();
        assert_eq!((st.compare_and_delete_success, st.compare_and_delete_fail), (1, 6));
    }

    #[test]
    fn expiry() {
        let mut s = Store::new();
        assert!(!s.has_ttl_keys());
        s.set("/dir/a", false, "1", ttl(5), NOW).unwrap();
        s.set("/dir/b", false, "2", perm(), NOW).unwrap();
        s.set("/c", false, "3", ttl(10), NOW).unwrap();
        assert!(s.has_ttl_keys());
        assert_eq!(s.next_expiry(), Some(NOW + 5 * S));
        let mut w = s.watch("/dir", true, true, 0).unwrap();
        s.delete_expired_keys(NOW + 5 * S - 1);
        assert_eq!(s.index(), 3);
        s.delete_expired_keys(NOW + 5 * S);
        assert_eq!(s.index(), 4);
        let e = next_event(&mut w).unwrap();
        assert_eq!(
            json(&*e),
            r#"{"action":"expire","node":{"key":"/dir/a","modifiedIndex":4,"createdIndex":1},"prevNode":{"key":"/dir/a","value":"1","expiration":"2033-05-18T03:33:25Z","modifiedIndex":1,"createdIndex":1}}"#
        );
        // parent and sibling stay
        assert!(s.get("/dir/b", false, false, NOW).is_ok());
        assert_eq!(err_of(s.get("/dir/a", false, false, NOW)).0, KEY_NOT_FOUND);
        s.delete_expired_keys(NOW + 100 * S);
        assert_eq!(s.index(), 5);
        assert!(!s.has_ttl_keys());
        assert_eq!(s.stats().expire_count, 2);
        // the history has both expire events
        let mut w2 = s.watch("/c", false, false, 4).unwrap();
        assert_eq!(next_event(&mut w2).unwrap().index(), 5);
    }

    #[test]
    fn expiring_a_dir_removes_descendants_and_notifies_below() {
        let mut s = Store::new();
        s.set("/d", true, "", ttl(5), NOW).unwrap();
        s.set("/d/x/y", false, "v", ttl(50), NOW).unwrap();
        s.set("/d/z", false, "v", perm(), NOW).unwrap();
        let mut deep = s.watch("/d/x/y", false, false, 0).unwrap();
        let mut other = s.watch("/dz", true, false, 0).unwrap();
        s.delete_expired_keys(NOW + 5 * S);
        assert_eq!(s.index(), 4);
        assert!(!s.has_ttl_keys()); // /d/x/y went with its parent
        let e = next_event(&mut deep).unwrap();
        assert_eq!(e.action, Action::Expire);
        assert_eq!(json(&e.node), r#"{"key":"/d","dir":true,"modifiedIndex":4,"createdIndex":1}"#);
        assert!(e.prev_node.as_ref().unwrap().dir);
        assert!(next_event(&mut other).is_none());
        assert_eq!(s.watcher_count(), 1);
        // a later watch on a key under the expired dir finds the event
        let mut late = s.watch("/d/z", false, false, 4).unwrap();
        assert_eq!(next_event(&mut late).unwrap().index(), 4);
    }

    #[test]
    fn replacing_a_ttl_key_clears_its_heap_entry() {
        let mut s = Store::new();
        s.set("/k", false, "v", ttl(5), NOW).unwrap();
        s.set("/k", false, "w", perm(), NOW).unwrap();
        assert!(!s.has_ttl_keys());
        s.delete_expired_keys(NOW + 10 * S);
        assert_eq!(s.get("/k", false, false, NOW).unwrap().node.value.as_deref(), Some("w"));
        assert_eq!(s.index(), 2);
    }

    #[test]
    fn watch_through_store() {
        let mut s = Store::new();
        let mut w = s.watch("/foo", false, false, 0).unwrap();
        assert_eq!(w.start_index, 0);
        assert_eq!(s.stats().watchers, 1);
        s.set("/foo", false, "bar", perm(), NOW).unwrap();
        let e = next_event(&mut w).unwrap();
        assert_eq!(e.action, Action::Set);
        assert_eq!(s.stats().watchers, 0);
        assert_eq!(w.events.try_recv().unwrap_err(), TryRecvError::Disconnected);
        // past index answers at once, without registering
        let mut w = s.watch("/foo", false, false, 1).unwrap();
        assert_eq!(w.start_index, 1);
        assert_eq!(next_event(&mut w).unwrap().index(), 1);
        assert_eq!(s.stats().watchers, 0);
        // since 0 waits for the next change
        let mut w = s.watch("/foo", false, false, 0).unwrap();
        assert!(next_event(&mut w).is_none());
        s.remove_watcher(w.id);
        s.remove_watcher(w.id);
        assert_eq!(s.stats().watchers, 0);
        // ids are unique
        let a = s.watch("/a", false, false, 0).unwrap();
        let b = s.watch("/a", false, false, 0).unwrap();
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn watch_delete_of_dir_and_hidden() {
        let mut s = Store::new();
        s.set("/dir/sub/key", false, "v", perm(), NOW).unwrap();
        let mut under = s.watch("/dir/sub/key", false, false, 0).unwrap();
        let mut rec = s.watch("/", true, true, 0).unwrap();
        s.set("/_hidden", false, "h", perm(), NOW).unwrap();
        s.set("/dir/_h/x", false, "h", perm(), NOW).unwrap();
        assert!(next_event(&mut rec).is_none());
        s.delete("/dir", true, true, NOW).unwrap();
        assert_eq!(next_event(&mut under).unwrap().action, Action::Delete);
        assert_eq!(next_event(&mut rec).unwrap().node.key, "/dir");
        assert_eq!(s.watcher_count(), 1);
    }

    #[test]
    fn history_cleared_after_1000_events() {
        let mut s = Store::new();
        for i in 0..1100 {
            s.set("/k", false, &i.to_string(), perm(), NOW).unwrap();
        }
        let e = s.watch("/k", false, false, 100).unwrap_err();
        assert_eq!(e.code, EVENT_INDEX_CLEARED);
        assert_eq!(e.cause, "the requested history has been cleared [101/100]");
        assert_eq!(e.index, 1100);
        let mut w = s.watch("/k", false, false, 101).unwrap();
        assert_eq!(next_event(&mut w).unwrap().node.value.as_deref(), Some("100"));
        assert_eq!(w.start_index, 1100);
    }

    #[test]
    fn stream_watch_replays_then_follows() {
        let mut s = Store::new();
        s.set("/q/1", false, "a", perm(), NOW).unwrap();
        s.set("/other", false, "b", perm(), NOW).unwrap();
        s.set("/q/2", false, "c", perm(), NOW).unwrap();
        let mut w = s.watch("/q", true, true, 1).unwrap();
        assert_eq!(next_event(&mut w).unwrap().index(), 1);
        assert_eq!(next_event(&mut w).unwrap().index(), 3);
        assert!(next_event(&mut w).is_none());
        s.set("/q/3", false, "d", perm(), NOW).unwrap();
        s.set("/q/4", false, "e", perm(), NOW).unwrap();
        assert_eq!(next_event(&mut w).unwrap().index(), 4 + 1 - 1);
        assert_eq!(next_event(&mut w).unwrap().index(), 5);
        assert_eq!(s.watcher_count(), 1);
    }

    fn sample_store() -> Store {
        let mut s = Store::new();
        s.set("/a/b/c", false, "v1", perm(), NOW).unwrap();
        s.set("/a/_hidden", false, "h", ttl(30), NOW).unwrap();
        s.set("/a/d", true, "", ttl(20), NOW).unwrap();
        s.set("/a/d/e", false, "", perm(), NOW).unwrap();
        s.create("/q", false, "x", true, ttl(10), NOW).unwrap();
        s.set("/z", false, "unicode ✓ \"quoted\"", perm(), NOW).unwrap();
        s.update("/z", "", refresh(40), NOW).unwrap();
        s.delete("/a/b", true, true, NOW).unwrap();
        let _ = s.get("/missing", false, false, NOW);
        let _ = s.get("/a", true, true, NOW);
        s
    }

    #[test]
    fn snapshot_round_trip() {
        let mut s = sample_store();
        let _watcher = s.watch("/a", true, true, 0).unwrap();
        let data = s.save();
        let mut r = Store::recover(&data).unwrap();
        // saving again gives the same bytes
        assert!(r.save() == data);
        assert_eq!(r.index(), s.index());
        assert_eq!(r.root, s.root);
        assert_eq!(r.ttl_heap, s.ttl_heap);
        assert_eq!(json(&r.get("/", true, true, NOW).unwrap()), json(&s.get("/", true, true, NOW).unwrap()));
        let (mut rs, mut ss) = (r.stats(), s.stats());
        assert_eq!(ss.watchers, 1);
        assert_eq!(rs.watchers, 0);
        rs.watchers = 0;
        ss.watchers = 0;
        assert_eq!(rs, ss);
        // history came along, refresh flags included
        let rh: Vec<Event> = r.hub.history.iter().map(|e| (**e).clone()).collect();
        let sh: Vec<Event> = s.hub.history.iter().map(|e| (**e).clone()).collect();
        assert_eq!(rh, sh);
        assert!(rh.iter().any(|e| e.refresh));
        assert_eq!(r.hub.history.start_index, s.hub.history.start_index);
        assert_eq!(r.hub.history.last_index, s.hub.history.last_index);
        let mut w = r.watch("/a/b/c", false, false, 1).unwrap();
        assert_eq!(next_event(&mut w).unwrap().index(), 1);
        // TTLs still expire after recovery
        r.delete_expired_keys(NOW + 20 * S);
        assert_eq!(err_of(r.get("/a/d/e", false, false, NOW)).0, KEY_NOT_FOUND);
        assert_eq!(r.stats().expire_count, 2);
        assert_eq!(r.index(), s.index() + 2);
        // and writes continue from the recovered index
        let e = r.set("/new", false, "n", perm(), NOW).unwrap();
        assert_eq!(e.index(), s.index() + 3);
    }

    #[test]
    fn snapshot_of_deep_tree() {
        let mut s = Store::new();
        let deep: String = (0..2000).map(|_| "/x").collect();
        s.set(&format!("{deep}/leaf"), false, "v", ttl(5), NOW).unwrap();
        let data = s.save();
        let r = Store::recover(&data).unwrap();
        // (derived PartialEq on the tree recurses; compare the flat form)
        assert!(r.save() == data);
        assert_eq!(
            r.get(&format!("{deep}/leaf"), false, false, NOW).unwrap().node.value.as_deref(),
            Some("v")
        );
        assert_eq!(r.ttl_heap.peek(), Some((NOW + 5 * S, format!("{deep}/leaf").as_str())));
    }

    #[test]
    fn recover_rejects_garbage() {
        assert!(Store::recover(b"").is_err());
        assert!(Store::recover(b"{}").is_err());
        let bad = br#"{"version":1,"index":1,"nodes":[{"depth":2,"name":"x","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
        assert!(Store::recover(bad).unwrap_err().contains("no parent"));
        let dup = br#"{"version":1,"index":1,"nodes":[{"depth":1,"name":"x","value":"","created":1,"modified":1},{"depth":1,"name":"x","value":"","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
        assert!(Store::recover(dup).unwrap_err().contains("duplicate"));
        let under_file = br#"{"version":1,"index":1,"nodes":[{"depth":1,"name":"x","value":"","created":1,"modified":1},{"depth":2,"name":"y","value":"","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
        assert!(Store::recover(under_file).unwrap_err().contains("is a file"));
    }

    #[test]
    fn paths_are_cleaned() {
        let mut s = Store::new();
        s.set("a//b/../c/", false, "v", perm(), NOW).unwrap();
        assert_eq!(s.get("/a/c", false, false, NOW).unwrap().node.key, "/a/c");
        assert_eq!(s.get("../a/./c", false, false, NOW).unwrap().node.value.as_deref(), Some("v"));
        assert_eq!(err_of(s.set("/a/..", false, "v", perm(), NOW)).0, ROOT_READ_ONLY);
    }

    #[test]
    fn deep_recursive_get_and_to_json() {
        let mut s = Store::new();
        let deep: String = (0..2000).map(|_| "/x").collect();
        s.set(&format!("{deep}/leaf"), false, "v", perm(), NOW).unwrap();
        let e = s.get("/", true, false, NOW).unwrap();
        let j = std::str::from_utf8(e.to_json()).unwrap();
        assert!(j.starts_with(
            r#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/x","dir":true,"nodes":[{"key":"/x/x","#
        ));
        assert!(j.contains(r#""value":"v""#));
    }
}
