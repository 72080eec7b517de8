//! Where backends announce themselves: one key per instance, under one directory per
//! service, the value the address a load balancer sends requests to —
//!
//! ```text
//! /services/web/127.0.0.71:8081 = "127.0.0.71:8081"   (TTL 30)
//! ```
//!
//! — the layout confd's nginx examples read, so templates written for it carry over.

use serde::Serialize;

use crate::client::{Client, Error, GetOptions};

/// The default directory of every service.
pub const DEFAULT_PREFIX: &str = "/services";

/// One announced instance of a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instance {
    /// The instance's name (the last part of its key).
    pub name: String,
    pub key: String,
    /// The address it serves on.
    pub value: String,
    /// Seconds left to live (0: no TTL).
    pub ttl: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(rename = "modifiedIndex")]
    pub modified_index: u64,
}

/// A service or instance name must be one path segment, not hidden (`_…`) and not `.`/`..`.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.starts_with('_') {
        return Err(format!("{what} {name:?} must be one non-empty path segment not starting with '_'"));
    }
    Ok(())
}

/// The key of `instance` of `service` under `prefix`.
pub fn instance_key(prefix: &str, service: &str, instance: &str) -> String {
    format!("{}/{service}/{instance}", prefix.trim_end_matches('/'))
}

/// The instances of `service`, sorted by name; `None` when the service has no directory.
pub fn list(c: &Client, prefix: &str, service: &str) -> Result<Option<Vec<Instance>>, Error> {
    let dir = format!("{}/{service}", prefix.trim_end_matches('/'));
    let r = match c.get(&dir, GetOptions { sorted: true, ..Default::default() }) {
        Ok(r) => r,
        Err(Error::Etcd(e)) if e.code == 100 => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut out: Vec<Instance> = r
        .node
        .nodes
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.dir)
        .map(|n| Instance {
            name: n.key.rsplit('/').next().unwrap_or("").to_string(),
            key: n.key,
            value: n.value,
            ttl: n.ttl,
            expiration: n.expiration,
            modified_index: n.modified_index,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_keys() {
        assert!(super::check_name("service", "web").is_ok());
        assert!(super::check_name("service", "a/b").is_err());
        assert!(super::check_name("instance", "_x").is_err());
        assert_eq!(super::instance_key("/services/", "web", "a"), "/services/web/a");
    }
}
