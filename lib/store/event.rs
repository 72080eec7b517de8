//! Events: the result of every store operation and what watchers receive.

use serde::Deserialize;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::sync::OnceLock;

use super::node::NodeExtern;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Get,
    Set,
    Create,
    Update,
    Delete,
    CompareAndSwap,
    CompareAndDelete,
    Expire,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Get => "get",
            Action::Set => "set",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::CompareAndSwap => "compareAndSwap",
            Action::CompareAndDelete => "compareAndDelete",
            Action::Expire => "expire",
        }
    }

    /// Actions that remove a node (and, for a directory, its subtree).
    pub fn is_removal(self) -> bool {
        matches!(self, Action::Delete | Action::CompareAndDelete | Action::Expire)
    }
}

/// One store event. Serializes as `{"action":..,"node":..,"prevNode":..}`;
/// `etcd_index` and `refresh` are never serialized.
///
/// `to_json` caches its bytes: do not mutate an event after calling it (a
/// `clone()` starts with an empty cache, so clone-then-modify is fine).
#[derive(Debug)]
pub struct Event {
    pub action: Action,
    pub node: NodeExtern,
    pub prev_node: Option<NodeExtern>,
    pub etcd_index: u64,
    pub refresh: bool,
    /// The JSON and a newline (a watch answer's line), shared by every watcher.
    json: OnceLock<bytes::Bytes>,
}

impl Event {
    pub fn new(action: Action, node: NodeExtern, prev_node: Option<NodeExtern>, etcd_index: u64) -> Event {
        Event { action, node, prev_node, etcd_index, refresh: false, json: OnceLock::new() }
    }

    /// The event's index: its node's modified index (as etcd's Event.Index()).
    pub fn index(&self) -> u64 {
        self.node.modified_index
    }

    /// The key the event is about.
    pub fn key(&self) -> &str {
        &self.node.key
    }

    pub fn is_created(&self) -> bool {
        self.action == Action::Create || (self.action == Action::Set && self.prev_node.is_none())
    }

    /// Serialized JSON (same bytes as the `Serialize` impl), computed once
    /// and cached. Written without recursion, so arbitrarily deep recursive
    /// listings cannot overflow the stack (prefer this to serde for events).
    pub fn to_json(&self) -> &[u8] {
        let line = self.to_json_line_ref();
        &line[..line.len() - 1]
    }

    /// The JSON and a newline, as a watch answers it: shared, not copied, by every watcher the
    /// event wakes.
    pub fn to_json_line(&self) -> bytes::Bytes {
        self.to_json_line_ref().clone()
    }

    fn to_json_line_ref(&self) -> &bytes::Bytes {
        self.json.get_or_init(|| {
            // Sized for the usual event so that the buffer is not regrown while it is written.
            let guess = |n: &NodeExtern| {
                160 + 2 * n.key.len() + n.value.as_ref().map_or(0, |v| v.len() + v.len() / 8)
            };
            let mut out = Vec::with_capacity(guess(&self.node) + self.prev_node.as_ref().map_or(0, guess));
            out.extend_from_slice(b"{\"action\":\"");
            out.extend_from_slice(self.action.as_str().as_bytes());
            out.extend_from_slice(b"\",\"node\":");
            write_node_json(&mut out, &self.node);
            if let Some(p) = &self.prev_node {
                out.extend_from_slice(b",\"prevNode\":");
                write_node_json(&mut out, p);
            }
            out.push(b'}');
            out.push(b'\n');
            bytes::Bytes::from(out)
        })
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// Writes the fields before "nodes"; returns whether any was written.
fn write_node_head(out: &mut Vec<u8>, n: &NodeExtern) -> bool {
    let mut any = false;
    let mut sep = |out: &mut Vec<u8>, name: &str| {
        if any {
            out.push(b',');
        }
        any = true;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    out.push(b'{');
    if !n.key.is_empty() {
        sep(out, "key");
        write_str(out, &n.key);
    }
    if let Some(v) = &n.value {
        sep(out, "value");
        write_str(out, v);
    }
    if n.dir {
        sep(out, "dir");
        out.extend_from_slice(b"true");
    }
    if let Some(e) = &n.expiration {
        sep(out, "expiration");
        write_str(out, e);
    }
    if n.ttl != 0 {
        sep(out, "ttl");
        out.extend_from_slice(n.ttl.to_string().as_bytes());
    }
    any
}

/// Writes the fields after "nodes" and closes the object.
fn write_node_tail(out: &mut Vec<u8>, n: &NodeExtern, mut any: bool) {
    for (name, v) in [("modifiedIndex", n.modified_index), ("createdIndex", n.created_index)] {
        if v != 0 {
            if any {
                out.push(b',');
            }
            any = true;
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(v.to_string().as_bytes());
        }
    }
    out.push(b'}');
}

/// NodeExtern as JSON, byte-identical to its derived `Serialize`, using an
/// explicit stack instead of recursion.
pub fn write_node_json(out: &mut Vec<u8>, node: &NodeExtern) {
    // (node, index of the next child to write)
    let mut stack: Vec<(&NodeExtern, usize)> = Vec::new();
    let open = |out: &mut Vec<u8>, n: &NodeExtern| -> bool {
        let any = write_node_head(out, n);
        match &n.nodes {
            Some(list) if !list.is_empty() => {
                if any {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"nodes\":[");
                true
            }
            _ => {
                write_node_tail(out, n, any);
                false
            }
        }
    };
    if open(out, node) {
        stack.push((node, 0));
    }
    while let Some((n, i)) = stack.pop() {
        let list = n.nodes.as_deref().unwrap_or(&[]);
        if i < list.len() {
            if i > 0 {
                out.push(b',');
            }
            stack.push((n, i + 1));
            if open(out, &list[i]) {
                stack.push((&list[i], 0));
            }
        } else {
            out.push(b']');
            write_node_tail(out, n, true);
        }
    }
}

impl Clone for Event {
    fn clone(&self) -> Event {
        Event {
            action: self.action,
            node: self.node.clone(),
            prev_node: self.prev_node.clone(),
            etcd_index: self.etcd_index,
            refresh: self.refresh,
            json: OnceLock::new(),
        }
    }
}

impl PartialEq for Event {
    fn eq(&self, o: &Event) -> bool {
        self.action == o.action
            && self.node == o.node
            && self.prev_node == o.prev_node
            && self.etcd_index == o.etcd_index
            && self.refresh == o.refresh
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = if self.prev_node.is_some() { 3 } else { 2 };
        let mut st = s.serialize_struct("Event", n)?;
        st.serialize_field("action", &self.action)?;
        st.serialize_field("node", &self.node)?;
        if let Some(p) = &self.prev_node {
            st.serialize_field("prevNode", p)?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str, v: &str, idx: u64) -> NodeExtern {
        NodeExtern {
            key: key.into(),
            value: Some(v.into()),
            modified_index: idx,
            created_index: idx,
            ..Default::default()
        }
    }

    #[test]
    fn action_names() {
        let names: Vec<String> = [
            Action::Get,
            Action::Set,
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::CompareAndSwap,
            Action::CompareAndDelete,
            Action::Expire,
        ]
        .iter()
        .map(|a| {
            let s = serde_json::to_string(a).unwrap();
            assert_eq!(s, format!("\"{}\"", a.as_str()));
            s
        })
        .collect();
        assert_eq!(
            names.join(","),
            r#""get","set","create","update","delete","compareAndSwap","compareAndDelete","expire""#
        );
    }

    #[test]
    fn serializes_without_index_and_refresh() {
        let mut e = Event::new(Action::Set, node("/a", "1", 2), None, 2);
        e.refresh = true;
        assert_eq!(
            std::str::from_utf8(e.to_json()).unwrap(),
            r#"{"action":"set","node":{"key":"/a","value":"1","modifiedIndex":2,"createdIndex":2}}"#
        );
        let e2 = Event::new(Action::Update, node("/a", "2", 3), Some(node("/a", "1", 2)), 3);
        assert_eq!(
            serde_json::to_string(&e2).unwrap(),
            r#"{"action":"update","node":{"key":"/a","value":"2","modifiedIndex":3,"createdIndex":3},"prevNode":{"key":"/a","value":"1","modifiedIndex":2,"createdIndex":2}}"#
        );
    }

    #[test]
    fn json_is_cached_and_clone_resets() {
        let e = Event::new(Action::Create, node("/a", "1", 2), None, 2);
        let p1 = e.to_json().as_ptr();
        let p2 = e.to_json().as_ptr();
        assert_eq!(p1, p2);
        let mut c = e.clone();
        c.node.value = Some("changed".into());
        assert!(std::str::from_utf8(c.to_json()).unwrap().contains("changed"));
        assert_eq!(c.index(), 2);
    }

    #[test]
    fn hand_written_json_matches_serde() {
        let leaf = |k: &str| NodeExtern {
            key: k.into(),
            value: Some("q\"\\✓\n".into()),
            ttl: -2,
            expiration: Some("x".into()),
            modified_index: 3,
            ..Default::default()
        };
        let dir = NodeExtern {
            key: "/d".into(),
            dir: true,
            nodes: Some(vec![
                leaf("/d/a"),
                NodeExtern { key: "/d/e".into(), dir: true, nodes: Some(vec![]), ..Default::default() },
                NodeExtern {
                    key: "/d/s".into(),
                    dir: true,
                    nodes: Some(vec![leaf("/d/s/x"), leaf("/d/s/y")]),
                    created_index: 9,
                    ..Default::default()
                },
            ]),
            modified_index: 4,
            created_index: 2,
            ..Default::default()
        };
        let root = NodeExtern { dir: true, nodes: Some(vec![dir.clone(), leaf("/z")]), ..Default::default() };
        for (n, p) in [
            (root.clone(), None),
            (dir.clone(), Some(leaf("/p"))),
            (NodeExtern::default(), Some(NodeExtern::default())),
        ] {
            let e = Event::new(Action::Get, n, p, 0);
            assert_eq!(std::str::from_utf8(e.to_json()).unwrap(), serde_json::to_string(&e).unwrap());
        }
    }

    #[test]
    fn is_created() {
        assert!(Event::new(Action::Create, node("/a", "1", 2), None, 2).is_created());
        assert!(Event::new(Action::Set, node("/a", "1", 2), None, 2).is_created());
        assert!(!Event::new(Action::Set, node("/a", "1", 2), Some(node("/a", "0", 1)), 2).is_created());
        assert!(!Event::new(Action::Update, node("/a", "1", 2), None, 2).is_created());
    }
}
