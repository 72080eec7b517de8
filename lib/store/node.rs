//! The tree: internal nodes (which do not store their own path; keys are
//! computed while walking), their external JSON form, and path helpers.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::time::{format_rfc3339_nano, ttl_seconds};

/// Cleans a key like Go's `path.Clean(path.Join("/", p))`: always rooted, no
/// empty or "." segments, ".." resolved but never above the root, no
/// trailing slash ("" → "/").
pub fn clean_path(p: &str) -> String {
    let mut segs: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    if segs.is_empty() {
        return "/".to_string();
    }
    let mut out = String::with_capacity(p.len() + 1);
    for s in segs {
        out.push('/');
        out.push_str(s);
    }
    out
}

/// The segments of a cleaned path ("/" has none).
pub(super) fn segments(clean: &str) -> impl Iterator<Item = &str> {
    clean.split('/').filter(|s| !s.is_empty())
}

/// Splits a cleaned, non-root path into (parent path, last segment).
pub(super) fn split_parent(clean: &str) -> (&str, &str) {
    match clean.rfind('/') {
        Some(0) => ("/", &clean[1..]),
        Some(i) => (&clean[..i], &clean[i + 1..]),
        None => ("/", clean),
    }
}

/// Joins a cleaned parent path and a child name.
pub(super) fn join(parent: &str, name: &str) -> String {
    if parent == "/" { format!("/{name}") } else { format!("{parent}/{name}") }
}

/// A node name is hidden when it starts with '_'.
pub(super) fn is_hidden_name(name: &str) -> bool {
    name.starts_with('_')
}

/// Names and values are shared strings: a snapshot's image of the tree copies pointers, not
/// the bytes (the applier takes it while writes wait; see `Store::image`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum NodeKind {
    File(Arc<str>),
    Dir(BTreeMap<Arc<str>, Node>),
}

/// An internal node.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub created: u64,
    pub modified: u64,
    /// Absolute unix nanoseconds; None = permanent.
    pub expire: Option<i64>,
    pub kind: NodeKind,
}

impl Node {
    pub fn new_file(value: impl Into<Arc<str>>, index: u64, expire: Option<i64>) -> Node {
        Node { created: index, modified: index, expire, kind: NodeKind::File(value.into()) }
    }

    pub fn new_dir(index: u64, expire: Option<i64>) -> Node {
        Node { created: index, modified: index, expire, kind: NodeKind::Dir(BTreeMap::new()) }
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Dir(_))
    }

    /// The value of a file; "" for a directory (as etcd's node.Value).
    pub fn value(&self) -> &str {
        match &self.kind {
            NodeKind::File(v) => v,
            NodeKind::Dir(_) => "",
        }
    }

    /// The shared value of a file.
    pub fn shared_value(&self) -> Option<&Arc<str>> {
        match &self.kind {
            NodeKind::File(v) => Some(v),
            NodeKind::Dir(_) => None,
        }
    }

    pub fn children(&self) -> Option<&BTreeMap<Arc<str>, Node>> {
        match &self.kind {
            NodeKind::Dir(c) => Some(c),
            NodeKind::File(_) => None,
        }
    }

    pub fn children_mut(&mut self) -> Option<&mut BTreeMap<Arc<str>, Node>> {
        match &mut self.kind {
            NodeKind::Dir(c) => Some(c),
            NodeKind::File(_) => None,
        }
    }

    /// (expiration, ttl) as rendered at `now`.
    pub fn expiration_and_ttl(&self, now: i64) -> (Option<String>, i64) {
        match self.expire {
            Some(t) => (Some(format_rfc3339_nano(t)), ttl_seconds(t, now)),
            None => (None, 0),
        }
    }

    /// The external form of this node at `key`.
    ///
    /// `expand`: a directory lists its (non-hidden) children; each child
    /// directory is itself expanded only when `recursive`. etcd's `Repr(r)`
    /// is `to_extern(key, r, r, now)`; its `loadInternalNode(r)` (used by
    /// get) is `to_extern(key, true, r, now)`.
    pub fn to_extern(&self, key: &str, expand: bool, recursive: bool, now: i64) -> NodeExtern {
        // Iterative (explicit stack), so deep trees cannot overflow the
        // call stack.
        struct Frame<'a> {
            path: String,
            ext: NodeExtern,
            children: Option<std::collections::btree_map::Iter<'a, Arc<str>, Node>>,
            list: Vec<NodeExtern>,
        }
        let mut stack = vec![Frame {
            path: key.to_string(),
            ext: self.shallow_extern(key, now),
            children: if expand { self.children().map(|c| c.iter()) } else { None },
            list: Vec::new(),
        }];
        loop {
            let top = stack.last_mut().expect("loop returns when the stack empties");
            let next = top.children.as_mut().and_then(|it| it.find(|(name, _)| !is_hidden_name(name)));
            if let Some((name, child)) = next {
                let path = join(&top.path, name);
                let ext = child.shallow_extern(&path, now);
                let children = if recursive { child.children().map(|c| c.iter()) } else { None };
                stack.push(Frame { path, ext, children, list: Vec::new() });
                continue;
            }
            let mut done = stack.pop().expect("non-empty");
            if !done.list.is_empty() {
                done.ext.nodes = Some(done.list);
            }
            match stack.last_mut() {
                Some(parent) => parent.list.push(done.ext),
                None => return done.ext,
            }
        }
    }

    /// This node alone: key, value or dir flag, TTL fields and indexes.
    fn shallow_extern(&self, key: &str, now: i64) -> NodeExtern {
        let (expiration, ttl) = self.expiration_and_ttl(now);
        NodeExtern {
            key: if key == "/" { String::new() } else { key.to_string() },
            value: match &self.kind {
                NodeKind::File(v) => Some(v.to_string()),
                NodeKind::Dir(_) => None,
            },
            dir: self.is_dir(),
            expiration,
            ttl,
            nodes: None,
            modified_index: self.modified,
            created_index: self.created,
        }
    }

    /// Calls `f(path, expire)` for this node (at `path`) and every
    /// descendant that has an expire time. Iterative, with one shared path
    /// buffer, so deep trees neither overflow the stack nor cost
    /// O(depth²) in path building.
    pub fn for_each_ttl(&self, path: &str, mut f: impl FnMut(&str, i64)) {
        let base = path.trim_end_matches('/');
        let mut buf = String::from(base);
        // (parent path length, name, node); the start node has no name.
        let mut stack: Vec<(usize, &str, &Node)> = vec![(base.len(), "", self)];
        while let Some((parent_len, name, n)) = stack.pop() {
            buf.truncate(parent_len);
            if !name.is_empty() {
                buf.push('/');
                buf.push_str(name);
            }
            if let Some(t) = n.expire {
                f(if buf.is_empty() { "/" } else { &buf }, t);
            }
            if let NodeKind::Dir(children) = &n.kind {
                for (cname, c) in children {
                    stack.push((buf.len(), cname, c));
                }
            }
        }
    }
}

impl Drop for Node {
    // Dismantle deep trees iteratively so dropping them cannot overflow the stack.
    fn drop(&mut self) {
        let NodeKind::Dir(children) = &mut self.kind else {
            return;
        };
        if children.values().all(|c| c.children().is_none_or(|cc| cc.is_empty())) {
            return;
        }
        let mut stack: Vec<Node> = std::mem::take(children).into_values().collect();
        while let Some(mut n) = stack.pop() {
            if let NodeKind::Dir(c) = &mut n.kind {
                stack.extend(std::mem::take(c).into_values());
            }
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}
fn no_nodes(v: &Option<Vec<NodeExtern>>) -> bool {
    v.as_ref().is_none_or(|v| v.is_empty())
}

/// The JSON form of a node, as in etcd's v2 API responses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeExtern {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub dir: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub ttl: i64,
    #[serde(default, skip_serializing_if = "no_nodes")]
    pub nodes: Option<Vec<NodeExtern>>,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub modified_index: u64,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub created_index: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_path_like_go() {
        assert_eq!(clean_path(""), "/");
        assert_eq!(clean_path("/"), "/");
        assert_eq!(clean_path("a//b/"), "/a/b");
        assert_eq!(clean_path("/a/./b/../c"), "/a/c");
        assert_eq!(clean_path("../../x"), "/x");
        assert_eq!(clean_path("/.."), "/");
        assert_eq!(clean_path("foo"), "/foo");
        assert_eq!(clean_path("/a/b/.."), "/a");
        assert_eq!(clean_path("/_hidden/..."), "/_hidden/...");
    }

    #[test]
    fn split_and_join() {
        assert_eq!(split_parent("/a"), ("/", "a"));
        assert_eq!(split_parent("/a/b/c"), ("/a/b", "c"));
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b"), "/a/b");
        assert_eq!(segments("/").count(), 0);
        assert_eq!(segments("/a/b").collect::<Vec<_>>(), vec!["a", "b"]);
    }

    #[test]
    fn extern_field_order_and_omissions() {
        let n = NodeExtern {
            key: "/foo".into(),
            value: Some("".into()),
            modified_index: 3,
            created_index: 2,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"key":"/foo","value":"","modifiedIndex":3,"createdIndex":2}"#
        );
        let d = NodeExtern {
            key: "/d".into(),
            dir: true,
            expiration: Some("2000-01-01T00:00:00Z".into()),
            ttl: 5,
            nodes: Some(vec![n.clone()]),
            modified_index: 4,
            created_index: 4,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"key":"/d","dir":true,"expiration":"2000-01-01T00:00:00Z","ttl":5,"nodes":[{"key":"/foo","value":"","modifiedIndex":3,"createdIndex":2}],"modifiedIndex":4,"createdIndex":4}"#
        );
        let back: NodeExtern = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        let empty = NodeExtern { dir: true, nodes: Some(vec![]), ..Default::default() };
        assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"dir":true}"#);
    }

    #[test]
    fn to_extern_skips_hidden_and_respects_recursion() {
        let mut root = Node::new_dir(0, None);
        let c = root.children_mut().unwrap();
        let mut d = Node::new_dir(2, None);
        d.children_mut().unwrap().insert("x".into(), Node::new_file("1", 3, None));
        c.insert("d".into(), d);
        c.insert("_h".into(), Node::new_file("h", 4, None));
        c.insert("a".into(), Node::new_file("v", 5, Some(10_000_000_000)));

        let flat = root.to_extern("/", true, false, 0);
        assert_eq!(
            serde_json::to_string(&flat).unwrap(),
            r#"{"dir":true,"nodes":[{"key":"/a","value":"v","expiration":"1970-01-01T00:00:10Z","ttl":10,"modifiedIndex":5,"createdIndex":5},{"key":"/d","dir":true,"modifiedIndex":2,"createdIndex":2}]}"#
        );
        let deep = root.to_extern("/", true, true, 0);
        let nodes = deep.nodes.unwrap();
        assert_eq!(nodes[1].nodes.as_ref().unwrap()[0].key, "/d/x");
        // Repr(false) of a dir: no children.
        let repr = root.children().unwrap()["d"].to_extern("/d", false, false, 0);
        assert!(repr.nodes.is_none());
    }

    #[test]
    fn for_each_ttl_reports_full_paths() {
        let mut d = Node::new_dir(1, Some(5));
        let c = d.children_mut().unwrap();
        c.insert("x".into(), Node::new_file("", 2, Some(6)));
        c.insert("p".into(), Node::new_file("", 2, None));
        let mut sub = Node::new_dir(3, None);
        sub.children_mut().unwrap().insert("y".into(), Node::new_file("", 4, Some(8)));
        c.insert("s".into(), sub);
        let mut seen = Vec::new();
        d.for_each_ttl("/d", |p, t| seen.push((p.to_string(), t)));
        seen.sort();
        assert_eq!(seen, vec![("/d".to_string(), 5), ("/d/s/y".to_string(), 8), ("/d/x".to_string(), 6)]);
    }

    #[test]
    fn deep_tree_drops_without_overflow() {
        let mut root = Node::new_dir(0, None);
        let mut cur = &mut root;
        for _ in 0..200_000 {
            cur = cur.children_mut().unwrap().entry("a".into()).or_insert_with(|| Node::new_dir(1, None));
        }
        let mut leaf = &mut root;
        for _ in 0..3 {
            leaf = leaf.children_mut().unwrap().get_mut("a").unwrap();
        }
        leaf.expire = Some(7);
        let mut seen = Vec::new();
        root.for_each_ttl("/", |p, t| seen.push((p.to_string(), t)));
        assert_eq!(seen, vec![("/a/a/a".to_string(), 7)]);
        drop(root);
    }
}
