//! A role and its permissions: lists of key patterns for reading and for writing. A pattern
//! that ends in `*` is a prefix (`/foo/*` grants `/foo/a` and `/foo/b/c`, not `/foo`); any
//! other pattern names one key. Read does not imply write, nor write read.

use serde::{Deserialize, Serialize};

use super::Error;

/// `{"kv":{"read":[…],"write":[…]}}`; a list never set is `null`, as etcd keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub kv: Patterns,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patterns {
    #[serde(default)]
    pub read: Option<Vec<String>>,
    #[serde(default)]
    pub write: Option<Vec<String>>,
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.kv.read.as_ref().is_none_or(Vec::is_empty) && self.kv.write.as_ref().is_none_or(Vec::is_empty)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub role: String,
    #[serde(default)]
    pub permissions: Permissions,
}

/// A role as a request gives it: a new role's permissions, or what to grant or revoke.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRequest {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub permissions: Option<Permissions>,
    #[serde(default)]
    pub grant: Option<Permissions>,
    #[serde(default)]
    pub revoke: Option<Permissions>,
}

fn matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        // (An empty pattern matches nothing: etcd crashes on it.)
        None => !pattern.is_empty() && key == pattern,
    }
}

impl Role {
    /// The built-in role that may do anything.
    pub fn root() -> Role {
        Role {
            role: super::ROOT.into(),
            permissions: Permissions {
                kv: Patterns { read: Some(vec!["/*".into()]), write: Some(vec!["/*".into()]) },
            },
        }
    }

    /// The role a first `auth enable` gives guests: everything.
    pub fn default_guest() -> Role {
        Role { role: super::GUEST.into(), ..Role::root() }
    }

    fn patterns(&self, write: bool) -> &[String] {
        let p = if write { &self.permissions.kv.write } else { &self.permissions.kv.read };
        p.as_deref().unwrap_or(&[])
    }

    /// May this role read (or write) `key` itself?
    pub fn has_key_access(&self, key: &str, write: bool) -> bool {
        self.role == super::ROOT || self.patterns(write).iter().any(|p| matches(p, key))
    }

    /// May it read (or write) `key` and everything under it? Only a `*` pattern grants that.
    pub fn has_recursive_access(&self, key: &str, write: bool) -> bool {
        self.role == super::ROOT || self.patterns(write).iter().any(|p| p.ends_with('*') && matches(p, key))
    }

    /// `grant` then `revoke` applied, as etcd merges them: a pattern granted twice is refused,
    /// one revoked that was not granted is ignored; the lists come out sorted.
    pub fn merged(&self, grant: &Permissions, revoke: &Permissions) -> Result<Role, Error> {
        let mut out = self.clone();
        for (kind, have, add, remove) in [
            ("read", &mut out.permissions.kv.read, &grant.kv.read, &revoke.kv.read),
            ("write", &mut out.permissions.kv.write, &grant.kv.write, &revoke.kv.write),
        ] {
            let mut list = have.take().unwrap_or_default();
            for p in add.iter().flatten() {
                if list.contains(p) {
                    return Err(Error::auth(409, format!("Granting duplicate {kind} permission {p}")));
                }
                list.push(p.clone());
            }
            list.retain(|p| !remove.iter().flatten().any(|r| r == p));
            list.sort();
            *have = Some(list);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(read: &[&str], write: &[&str]) -> Role {
        let v = |l: &[&str]| Some(l.iter().map(|s| s.to_string()).collect());
        Role {
            role: "r".into(),
            permissions: Permissions { kv: Patterns { read: v(read), write: v(write) } },
        }
    }

    #[test]
    fn patterns_match_as_etcd_matches_them() {
        let r = role(&["/foo/*", "/exact", "/wild*"], &["/foo"]);
        assert!(r.has_key_access("/foo/a", false));
        assert!(!r.has_key_access("/foo", false), "/foo/* does not grant the dir itself");
        assert!(r.has_recursive_access("/foo/", false));
        assert!(!r.has_recursive_access("/foo", false));
        assert!(r.has_key_access("/exact", false));
        assert!(!r.has_recursive_access("/exact", false), "only a * pattern grants recursion");
        assert!(!r.has_key_access("/exact", true), "read does not imply write");
        assert!(r.has_key_access("/wild", false) && r.has_key_access("/wild1", false));
        assert!(r.has_key_access("/foo", true));
        assert!(!r.has_key_access("/foo/a", true));
        let all = role(&["*"], &[]);
        assert!(all.has_key_access("", false) && all.has_recursive_access("/", false));
        assert!(!role(&["/*"], &[]).has_key_access("", false), "the key of GET /v2/keys is \"\"");
        assert!(!role(&[""], &[]).has_key_access("", false));
        assert!(Role::root().has_key_access("", true));
    }

    #[test]
    fn grants_and_revokes_merge_sorted() {
        let r = Role { role: "r".into(), permissions: Permissions::default() };
        let g = role(&["/pub/*", "/exact"], &[]).permissions;
        let m = r.merged(&g, &Permissions::default()).unwrap();
        assert_eq!(m.permissions.kv.read, Some(vec!["/exact".to_string(), "/pub/*".to_string()]));
        assert_eq!(m.permissions.kv.write, Some(vec![]));
        let e = m.merged(&role(&["/pub/*"], &[]).permissions, &Permissions::default()).unwrap_err();
        assert_eq!(e, Error::auth(409, "Granting duplicate read permission /pub/*"));
        let back = m.merged(&Permissions::default(), &role(&["/exact", "/never"], &[]).permissions).unwrap();
        assert_eq!(back.permissions.kv.read, Some(vec!["/pub/*".to_string()]));
    }
}
