//! Who a request is and what it may do, as etcd 2 decides: no `Authorization` header is the
//! guest; a header is Basic credentials that must check out (there is no fallback to guest);
//! with auth disabled anyone may do anything.

use base64::Engine;

use super::{Auth, GUEST, ROOT, User};

/// A user name and password: what a Basic `Authorization` header carries.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({:?}, <password>)", self.user)
    }
}

impl Credentials {
    /// The `Authorization` header's value that carries them.
    pub fn header(&self) -> String {
        let raw = format!("{}:{}", self.user, self.password);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }
}

/// The `Authorization` header's credentials; None when it is not Basic `user:password`.
pub fn basic(header: &[u8]) -> Option<Credentials> {
    let s = std::str::from_utf8(header).ok()?;
    let (scheme, rest) = s.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (user, password) = raw.split_once(':')?;
    // (An empty user name crashes etcd; here it is simply nobody.)
    (!user.is_empty()).then(|| Credentials { user: user.into(), password: password.into() })
}

/// Who sent a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header.
    Guest,
    /// Credentials that checked out.
    User(User),
    /// A header that is not usable credentials, an unknown user, a wrong password.
    Refused,
}

impl Auth {
    /// May `caller` read (or write) `key` (and, with `recursive`, all under it)? etcd's
    /// `hasKeyPrefixAccess`: the guest role always uses the non-recursive rule.
    pub fn may_access_key(&self, caller: &Caller, key: &str, write: bool, recursive: bool) -> bool {
        if !self.enabled {
            return true;
        }
        match caller {
            Caller::Refused => false,
            Caller::Guest => self.role(GUEST).is_some_and(|g| g.has_key_access(key, write)),
            Caller::User(u) => u.role_names().iter().any(|name| {
                name == ROOT
                    || self.role(name).is_some_and(|r| {
                        if recursive {
                            r.has_recursive_access(key, write)
                        } else {
                            r.has_key_access(key, write)
                        }
                    })
            }),
        }
    }

    /// May `caller` change users, roles, auth itself or the membership? Only a user with the
    /// root role, once auth is on.
    pub fn is_root(&self, caller: &Caller) -> bool {
        !self.enabled || matches!(caller, Caller::User(u) if u.role_names().iter().any(|r| r == ROOT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials() {
        let h = |s: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(s));
        let c = basic(h("colon:a:b").as_bytes()).unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("colon", "a:b"));
        assert!(basic(h(":x").as_bytes()).is_none());
        assert!(basic(h("nocolon").as_bytes()).is_none());
        assert!(basic(b"Bearer xyz").is_none());
        assert!(basic(b"Basic !!!").is_none());
        assert_eq!(basic(c.header().as_bytes()), Some(c), "what a client sends, the server reads");
    }

    #[test]
    fn guests_and_users() {
        let mut a = Auth::default();
        assert!(a.may_access_key(&Caller::Refused, "/x", true, false), "auth off: anyone");
        a.enabled = true;
        assert!(!a.may_access_key(&Caller::Guest, "/x", false, false), "no guest role: no guest");
        a.roles.insert(GUEST.into(), super::super::Role::default_guest());
        assert!(a.may_access_key(&Caller::Guest, "/x", true, true));
        assert!(!a.may_access_key(&Caller::Guest, "", false, false));
        assert!(!a.may_access_key(&Caller::Refused, "/x", false, false));
        let root = User { user: "root".into(), password: String::new(), roles: None }.read();
        assert!(a.may_access_key(&Caller::User(root.clone()), "", true, true));
        assert!(a.is_root(&Caller::User(root)));
        assert!(!a.is_root(&Caller::Guest));
    }
}
