//! A user: a name, a bcrypt hash of the password, and the names of its roles (not checked to
//! exist, as etcd does not). `roles` stays `null` until a grant or revoke, as etcd keeps it.

use serde::{Deserialize, Serialize};

use super::Error;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user: String,
    /// The bcrypt hash.
    pub password: String,
    pub roles: Option<Vec<String>>,
}

/// A user as a request gives it (`PUT /v2/auth/users/NAME`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRequest {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    pub grant: Option<Vec<String>>,
    #[serde(default)]
    pub revoke: Option<Vec<String>>,
}

impl User {
    /// As etcd reads a user: `root` always has the root role.
    pub fn read(&self) -> User {
        let mut u = self.clone();
        if u.user == super::ROOT && !u.roles.as_ref().is_some_and(|r| r.iter().any(|r| r == super::ROOT)) {
            u.roles.get_or_insert_with(Vec::new).push(super::ROOT.into());
        }
        u
    }

    pub fn role_names(&self) -> &[String] {
        self.roles.as_deref().unwrap_or(&[])
    }

    /// A new password (if any), then `grant`, then `revoke`, as etcd merges them; the roles
    /// come out sorted. The same user back is "not updated".
    pub fn merged(&self, hash: Option<String>, grant: &[String], revoke: &[String]) -> Result<User, Error> {
        let mut out = self.clone();
        if let Some(h) = hash {
            out.password = h;
        }
        let mut roles = out.roles.take().unwrap_or_default();
        for r in grant {
            if roles.contains(r) {
                return Err(Error::auth(409, format!("Granting duplicate role {r} for user {}", self.user)));
            }
            roles.push(r.clone());
        }
        for r in revoke {
            let Some(i) = roles.iter().position(|x| x == r) else {
                return Err(Error::auth(409, format!("Revoking ungranted role {r} for user {}", self.user)));
            };
            roles.remove(i);
        }
        roles.sort();
        out.roles = Some(roles);
        if out == *self {
            return Err(Error::auth(400, "User not updated. Use grant/revoke/password to update the user."));
        }
        Ok(out)
    }
}
