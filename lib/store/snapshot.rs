//! A store as a snapshot carries it: the tree as a flat pre-order list of `{depth, name, ...}`
//! records (no nesting and no full paths, so deep trees cost neither recursion nor O(depth²)
//! bytes), the index, the event history and the stats. Watchers are not saved.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::event::{Action, Event};
use super::event_history::EventHistory;
use super::node::{Node, NodeExtern};
use super::stats::{Stats, StoreStats};
use super::store::Store;
use super::ttl_key_heap::TtlKeyHeap;
use super::watcher_hub::WatcherHub;

impl Store {
    /// Snapshot bytes (see the module's documentation for what they hold).
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
