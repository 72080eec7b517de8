//! etcd 2's authentication: users with bcrypt passwords, roles with read and write
//! permissions on key patterns, the built-in `root` role and the `guest` role anonymous
//! requests get — replicated through Raft beside the store, and never visible in `/v2/keys`.
//!
//! | module | concept |
//! |---|---|
//! | [`role`] | a role, its permissions, and how a key pattern matches (`/foo/*`, `/exact`) |
//! | [`user`] | a user: password hash and role names |
//! | [`change`] | the replicated operations (enable, disable, put/delete user or role) and their answers, as etcd gives them |
//! | [`access`] | who a request is (Basic credentials, or guest) and what it may do |
//! | [`password`] | bcrypt, as etcd stores passwords, and a cache of verified passwords |
//! | [`json`] | request bodies decoded as Go's `encoding/json` does (keys in any case, first value only) |

pub mod access;
pub mod change;
pub mod json;
pub mod password;
pub mod role;
pub mod user;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use change::{Answer, Change};
pub use role::{Permissions, Role};
pub use user::User;

/// The name of the role with every permission, and of the user that always has it.
pub const ROOT: &str = "root";
/// The role of requests without credentials.
pub const GUEST: &str = "guest";

/// The replicated auth state (etcd keeps it under `/2` in its store; here it sits beside it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth {
    pub enabled: bool,
    pub users: BTreeMap<String, User>,
    /// Stored roles; `root` is built in and never stored.
    pub roles: BTreeMap<String, Role>,
}

/// A refusal, with etcd's status and message (`{"message":"…"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub status: u16,
    pub message: String,
}

impl Error {
    pub fn new(status: u16, message: impl Into<String>) -> Error {
        Error { status, message: message.into() }
    }

    /// An error of the auth store: etcd prefixes them with `auth: `.
    pub fn auth(status: u16, message: impl std::fmt::Display) -> Error {
        Error { status, message: format!("auth: {message}") }
    }
}

impl Auth {
    /// A role by name: `root` is built in.
    pub fn role(&self, name: &str) -> Option<Role> {
        if name == ROOT {
            return Some(Role::root());
        }
        self.roles.get(name).cloned()
    }

    /// A user as etcd reads it: `root` always has the root role.
    pub fn user(&self, name: &str) -> Option<User> {
        self.users.get(name).map(User::read)
    }
}
