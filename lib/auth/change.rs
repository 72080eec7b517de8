//! The replicated operations on the auth state, and their answers as etcd gives them. A
//! password is hashed by the member that took the request (bcrypt salts at random), so every
//! member applies the same hash; everything else is decided here, deterministically.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::role::RoleRequest;
use super::user::UserRequest;
use super::{Auth, Error, GUEST, ROOT, Role, User};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// `PUT /v2/auth/enable`.
    Enable,
    /// `DELETE /v2/auth/enable`.
    Disable,
    /// `PUT /v2/auth/users/NAME`; the request's password is in `hash`, hashed (None: none given).
    PutUser {
        request: UserRequest,
        hash: Option<String>,
    },
    DeleteUser {
        name: String,
    },
    /// `PUT /v2/auth/roles/NAME`.
    PutRole {
        request: RoleRequest,
    },
    DeleteRole {
        name: String,
    },
}

/// A successful answer: its status and JSON body (none: an empty body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

fn ok(status: u16, body: Value) -> Result<Answer, Error> {
    Ok(Answer { status, body: Some(body) })
}

fn empty() -> Result<Answer, Error> {
    Ok(Answer { status: 200, body: None })
}

fn non_empty(l: &Option<Vec<String>>) -> bool {
    l.as_ref().is_some_and(|l| !l.is_empty())
}

impl Auth {
    pub fn apply(&mut self, change: Change) -> Result<Answer, Error> {
        match change {
            Change::Enable => {
                if self.enabled {
                    return Err(Error::auth(409, "already enabled"));
                }
                if !self.users.contains_key(ROOT) {
                    return Err(Error::auth(409, "No root user available, please create one"));
                }
                self.roles.entry(GUEST.into()).or_insert_with(Role::default_guest);
                self.enabled = true;
                empty()
            }
            Change::Disable => {
                if !self.enabled {
                    return Err(Error::auth(409, "already disabled"));
                }
                self.enabled = false;
                empty()
            }
            Change::PutUser { request, hash } => self.put_user(request, hash),
            Change::DeleteUser { name } => {
                if self.enabled && name == ROOT {
                    return Err(Error::auth(403, "Cannot delete root user while auth is enabled."));
                }
                if self.users.remove(&name).is_none() {
                    return Err(Error::auth(404, format!("User {name} does not exist")));
                }
                empty()
            }
            Change::PutRole { request } => self.put_role(request),
            Change::DeleteRole { name } => {
                if name == ROOT {
                    return Err(Error::auth(403, "Cannot modify role root: is root role."));
                }
                if self.roles.remove(&name).is_none() {
                    return Err(Error::auth(404, format!("Role {name} doesn't exist.")));
                }
                empty()
            }
        }
    }

    fn put_user(&mut self, r: UserRequest, hash: Option<String>) -> Result<Answer, Error> {
        let grant_revoke = non_empty(&r.grant) || non_empty(&r.revoke);
        if grant_revoke && non_empty(&r.roles) {
            return Err(Error::new(400, "User JSON contains both roles and grant/revoke"));
        }
        let name = r.user.clone();
        if !grant_revoke && non_empty(&r.roles) {
            // etcd's CreateUser: a list of roles means a new user.
            return self.create_user(r, hash, 200);
        }
        let Some(old) = self.user(&name) else {
            if grant_revoke {
                return Err(Error::auth(404, format!("User {name} does not exist.")));
            }
            return self.create_user(r, hash, 201);
        };
        let new = old.merged(hash, r.grant.as_deref().unwrap_or(&[]), r.revoke.as_deref().unwrap_or(&[]))?;
        let answer = json!({"user": name, "roles": new.roles});
        self.users.insert(name, new);
        ok(200, answer)
    }

    fn create_user(&mut self, r: UserRequest, hash: Option<String>, status: u16) -> Result<Answer, Error> {
        let Some(password) = hash else {
            return Err(Error::auth(400, format!("Cannot create user {} with an empty password", r.user)));
        };
        if self.users.contains_key(&r.user) {
            return Err(Error::auth(409, format!("User {} already exists.", r.user)));
        }
        let user = User { user: r.user.clone(), password, roles: r.roles }.read();
        let answer = json!({"user": user.user, "roles": user.roles});
        self.users.insert(r.user, user);
        ok(status, answer)
    }

    fn put_role(&mut self, r: RoleRequest) -> Result<Answer, Error> {
        let name = r.role.clone();
        let grant = r.grant.unwrap_or_default();
        let revoke = r.revoke.unwrap_or_default();
        if grant.is_empty() && revoke.is_empty() {
            if name == ROOT {
                return Err(Error::auth(403, "Cannot modify role root: is root role."));
            }
            if self.roles.contains_key(&name) {
                return Err(Error::auth(409, format!("Role {name} already exists.")));
            }
            let role = Role { role: name.clone(), permissions: r.permissions.unwrap_or_default() };
            let answer = serde_json::to_value(&role).expect("roles serialize");
            self.roles.insert(name, role);
            return ok(201, answer);
        }
        if r.permissions.as_ref().is_some_and(|p| !p.is_empty()) {
            return Err(Error::new(400, "Role JSON contains both permissions and grant/revoke"));
        }
        if name == ROOT {
            return Err(Error::auth(403, "Cannot modify role root: is root role."));
        }
        let Some(old) = self.roles.get(&name) else {
            return Err(Error::auth(404, format!("Role {name} does not exist.")));
        };
        let new = old.merged(&grant, &revoke)?;
        if new == *old {
            return Err(Error::auth(400, "Role not updated. Use grant/revoke to update the role."));
        }
        let answer = serde_json::to_value(&new).expect("roles serialize");
        self.roles.insert(name, new);
        ok(200, answer)
    }

    /// `GET /v2/auth/users/NAME`: the user with its roles in full; a role that does not exist
    /// fails the whole answer, as in etcd.
    pub fn show_user(&self, name: &str) -> Result<Value, Error> {
        let u = self.user(name).ok_or_else(|| Error::auth(404, format!("User {name} does not exist.")))?;
        let mut roles = Vec::new();
        for r in u.role_names() {
            roles.push(self.role(r).ok_or_else(|| Error::auth(404, format!("Role {r} does not exist.")))?);
        }
        Ok(user_json(&u.user, roles))
    }

    /// `GET /v2/auth/users`: every user, sorted, with the roles that exist.
    pub fn show_users(&self) -> Value {
        let list: Vec<Value> = self
            .users
            .values()
            .map(User::read)
            .map(|u| user_json(&u.user, u.role_names().iter().filter_map(|r| self.role(r)).collect()))
            .collect();
        json!({"users": if list.is_empty() { Value::Null } else { Value::Array(list) }})
    }

    /// `GET /v2/auth/roles/NAME`.
    pub fn show_role(&self, name: &str) -> Result<Value, Error> {
        let r = self.role(name).ok_or_else(|| Error::auth(404, format!("Role {name} does not exist.")))?;
        Ok(serde_json::to_value(r).expect("roles serialize"))
    }

    /// `GET /v2/auth/roles`: root and the stored roles, sorted by name.
    pub fn show_roles(&self) -> Value {
        let mut all: Vec<Role> = self.roles.values().cloned().collect();
        all.push(Role::root());
        all.sort_by(|a, b| a.role.cmp(&b.role));
        json!({"roles": all})
    }
}

fn user_json(name: &str, roles: Vec<Role>) -> Value {
    if roles.is_empty() { json!({"user": name}) } else { json!({"user": name, "roles": roles}) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_user(a: &mut Auth, body: Value, hash: Option<&str>) -> Result<Answer, Error> {
        let request: UserRequest = serde_json::from_value(body).unwrap();
        a.apply(Change::PutUser { request, hash: hash.map(str::to_string) })
    }

    #[test]
    fn users_are_created_updated_and_refused_as_etcd_does() {
        let mut a = Auth::default();
        assert_eq!(
            a.apply(Change::Enable).unwrap_err(),
            Error::auth(409, "No root user available, please create one")
        );
        let e = put_user(&mut a, json!({"user": "alice"}), None).unwrap_err();
        assert_eq!(e.message, "auth: Cannot create user alice with an empty password");
        let r = put_user(&mut a, json!({"user": "root"}), Some("h1")).unwrap();
        assert_eq!((r.status, r.body.unwrap()), (201, json!({"user": "root", "roles": ["root"]})));
        let e = put_user(&mut a, json!({"user": "root"}), None).unwrap_err();
        assert_eq!(e, Error::auth(400, "User not updated. Use grant/revoke/password to update the user."));
        let e = put_user(&mut a, json!({"user": "root", "roles": ["root"]}), Some("h")).unwrap_err();
        assert_eq!(e, Error::auth(409, "User root already exists."));
        let r = put_user(&mut a, json!({"user": "alice"}), Some("h2")).unwrap();
        assert_eq!((r.status, r.body.unwrap()), (201, json!({"user": "alice", "roles": null})));
        let r = put_user(&mut a, json!({"user": "carol", "roles": ["ghost"]}), Some("h3")).unwrap();
        assert_eq!(r.status, 200, "a create with roles answers 200, as etcd's does");
        assert_eq!(a.show_user("carol").unwrap_err(), Error::auth(404, "Role ghost does not exist."));
        assert_eq!(a.show_users()["users"][1], json!({"user": "carol"}));
        let e = put_user(&mut a, json!({"user": "nobody", "grant": ["x"]}), None).unwrap_err();
        assert_eq!(e, Error::auth(404, "User nobody does not exist."));
        let r = put_user(&mut a, json!({"user": "alice", "grant": ["b", "a"]}), None).unwrap();
        assert_eq!(r.body.unwrap(), json!({"user": "alice", "roles": ["a", "b"]}));
        let e = put_user(&mut a, json!({"user": "alice", "revoke": ["c"]}), None).unwrap_err();
        assert_eq!(e.message, "auth: Revoking ungranted role c for user alice");
        a.apply(Change::Enable).unwrap();
        assert_eq!(a.role("guest"), Some(Role::default_guest()));
        let e = a.apply(Change::DeleteUser { name: "root".into() }).unwrap_err();
        assert_eq!(e.status, 403);
        // Root keeps the root role even when it is revoked.
        put_user(&mut a, json!({"user": "root", "revoke": ["root"]}), None).unwrap();
        assert_eq!(a.user("root").unwrap().role_names(), ["root"]);
    }

    #[test]
    fn roles_are_created_merged_and_refused_as_etcd_does() {
        let mut a = Auth::default();
        let put = |a: &mut Auth, body: Value| {
            a.apply(Change::PutRole { request: serde_json::from_value(body).unwrap() })
        };
        let r = put(&mut a, json!({"role": "reader"})).unwrap();
        assert_eq!(
            (r.status, r.body.unwrap()),
            (201, json!({"role": "reader", "permissions": {"kv": {"read": null, "write": null}}}))
        );
        assert_eq!(put(&mut a, json!({"role": "reader"})).unwrap_err().status, 409);
        assert_eq!(put(&mut a, json!({"role": "root"})).unwrap_err().status, 403);
        let r = put(&mut a, json!({"role": "reader", "revoke": {"kv": {"write": ["/never"]}}})).unwrap();
        assert_eq!(r.body.unwrap()["permissions"]["kv"], json!({"read": [], "write": []}), "null became []");
        let e = put(&mut a, json!({"role": "reader", "revoke": {"kv": {"write": ["/never"]}}})).unwrap_err();
        assert_eq!(e, Error::auth(400, "Role not updated. Use grant/revoke to update the role."));
        let e = put(&mut a, json!({"role": "nope", "grant": {"kv": {"read": ["/a"]}}})).unwrap_err();
        assert_eq!(e, Error::auth(404, "Role nope does not exist."));
        let e = a.apply(Change::DeleteRole { name: "nope".into() }).unwrap_err();
        assert_eq!(e, Error::auth(404, "Role nope doesn't exist."));
        let names: Vec<Value> =
            a.show_roles()["roles"].as_array().unwrap().iter().map(|r| r["role"].clone()).collect();
        assert_eq!(names, [json!("reader"), json!("root")]);
    }
}
