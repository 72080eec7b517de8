//! Events: the result of every store operation and what watchers receive.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde::Deserialize;
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
    json: OnceLock<Vec<u8>>,
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

    /// Serialized JSON, computed once and cached.
    pub fn to_json(&self) -> &[u8] {
        self.json.get_or_init(|| serde_json::to_vec(self).expect("event serialization cannot fail"))
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
    fn is_created() {
        assert!(Event::new(Action::Create, node("/a", "1", 2), None, 2).is_created());
        assert!(Event::new(Action::Set, node("/a", "1", 2), None, 2).is_created());
        assert!(!Event::new(Action::Set, node("/a", "1", 2), Some(node("/a", "0", 1)), 2).is_created());
        assert!(!Event::new(Action::Update, node("/a", "1", 2), None, 2).is_created());
    }
}
