//! `/v2/auth` (users, roles, `enable`) and the checks the other endpoints make, as etcd 2
//! answers them: 401 `{"message":"Insufficient credentials"}` (no newline, no cluster ID) on
//! `/v2/auth` and membership changes, errorCode 110 on `/v2/keys`, and never a
//! `WWW-Authenticate` header. Passwords are hashed and checked off the async threads.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde_json::Value;

use super::Api;
use super::http::{self, Resp};
use crate::auth::access::{self, Caller};
use crate::auth::role::RoleRequest;
use crate::auth::user::UserRequest;
use crate::auth::{Answer, Change, Error};
use crate::raft::membership::id_string;
use crate::raft::state_machine::{Command, Outcome};
use crate::tls::identity::ClientName;

/// Who sent the request. Credentials are only looked at while auth is on (etcd ignores them
/// otherwise). Without an `Authorization` header, a verified client certificate whose common
/// name is a user's acts as that user (etcd 2 with `--client-cert-auth`), else it is the guest.
pub async fn caller(
    api: &Api,
    authorization: Option<&HeaderValue>,
    certificate: Option<&ClientName>,
) -> Caller {
    let Some(h) = authorization else {
        let named = certificate.and_then(|c| api.shared.sm.read().auth.user(&c.0));
        return named.map_or(Caller::Guest, Caller::User);
    };
    let Some(c) = access::basic(h.as_bytes()) else {
        log::warn!("auth: malformed basic auth encoding");
        return Caller::Refused;
    };
    let user = {
        let sm = api.shared.sm.read();
        if !sm.auth.enabled {
            return Caller::Guest;
        }
        sm.auth.user(&c.user)
    };
    let Some(user) = user else {
        log::warn!("auth: no such user: {}", c.user);
        return Caller::Refused;
    };
    if api.passwords.remembered(&user.user, &c.password, &user.password) {
        return Caller::User(user);
    }
    let verifier = api.passwords.clone();
    let (name, hash) = (user.user.clone(), user.password.clone());
    let ok = tokio::task::spawn_blocking(move || verifier.verify(&name, &c.password, &hash)).await;
    if ok.unwrap_or(false) {
        Caller::User(user)
    } else {
        log::warn!("auth: incorrect password for user: {}", user.user);
        Caller::Refused
    }
}

fn who(c: &Caller) -> String {
    match c {
        Caller::Guest => "unauthenticated user".into(),
        Caller::User(u) => format!("user {}", u.user),
        Caller::Refused => "unauthenticated request".into(),
    }
}

/// etcd's `{"message":"…"}`: no trailing newline.
fn message(status: u16, msg: &str) -> Resp {
    let body = serde_json::to_vec(&serde_json::json!({ "message": msg })).expect("serializes");
    http::response(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), "application/json", body)
}

/// The refusal of `/v2/auth` and of membership changes.
pub fn insufficient() -> Resp {
    message(401, "Insufficient credentials")
}

/// `/v2/keys`' refusal: errorCode 110, index 0.
pub fn keys_refused() -> Resp {
    let e = crate::store::Error::new(crate::store::error::UNAUTHORIZED, "Insufficient credentials", 0);
    let mut r = http::json(StatusCode::UNAUTHORIZED, &e);
    http::set_header(&mut r, "X-Etcd-Index", 0);
    r
}

/// May this request read or write `key` (`""` for `/v2/keys` itself)? None: yes; else the
/// refusal to send.
pub async fn check_key(
    api: &Api,
    authorization: Option<&HeaderValue>,
    certificate: Option<&ClientName>,
    key: &str,
    write: bool,
    recursive: bool,
) -> Option<Resp> {
    if !api.shared.sm.read().auth.enabled {
        return None;
    }
    let who = caller(api, authorization, certificate).await;
    let allowed = api.shared.sm.read().auth.may_access_key(&who, key, write, recursive);
    if !allowed {
        log::warn!("auth: invalid access for {} on key {key:?}", self::who(&who));
    }
    (!allowed).then(keys_refused)
}

/// Whether the request comes from a user with the root role (or auth is off).
pub async fn is_root(api: &Api, req: &Request<Incoming>) -> bool {
    if !api.shared.sm.read().auth.enabled {
        return true;
    }
    let who = caller(api, req.headers().get(AUTHORIZATION), req.extensions().get::<ClientName>()).await;
    let root = api.shared.sm.read().auth.is_root(&who);
    if !root {
        log::warn!("auth: {} does not have the root role", self::who(&who));
    }
    root
}

fn success(api: &Api, a: Answer) -> Resp {
    let mut r = match a.body {
        Some(v) => http::json(StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK), &v),
        None => {
            http::response(StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK), "application/json", "")
        }
    };
    cluster_id(api, &mut r);
    r
}

fn failure(api: &Api, e: &Error) -> Resp {
    let mut r = message(e.status, &e.message);
    cluster_id(api, &mut r);
    r
}

fn cluster_id(api: &Api, r: &mut Resp) {
    if let Ok(v) = HeaderValue::from_str(&id_string(api.shared.cluster_id)) {
        r.headers_mut().insert("X-Etcd-Cluster-Id", v);
    }
}

async fn propose(api: &Api, change: Change) -> Resp {
    match api.shared.propose(&Command::Auth(change), api.request_timeout).await {
        Ok(Some(Outcome::Auth(Ok(a)))) => success(api, a),
        Ok(Some(Outcome::Auth(Err(e)))) => failure(api, &e),
        Ok(_) => message(500, "etcdserver: server stopped"),
        Err(e) => message(500, &e.to_string()),
    }
}

/// What a path under `/v2/auth` names.
enum Target {
    Enable,
    Users,
    User(String),
    Roles,
    Role(String),
}

/// `path`: the clean path (`/v2/auth/users/alice`). None: not an auth path (404); Err: more
/// pieces than a name (`Invalid path`).
fn target(path: &str) -> Option<Result<Target, ()>> {
    if path == "/v2/auth/enable" {
        return Some(Ok(Target::Enable));
    }
    for (collection, is_users) in [("/v2/auth/users", true), ("/v2/auth/roles", false)] {
        let Some(rest) = path.strip_prefix(collection) else { continue };
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        let rest = rest.trim_matches('/');
        return Some(match (rest.is_empty(), rest.contains('/'), is_users) {
            (true, _, true) => Ok(Target::Users),
            (true, _, false) => Ok(Target::Roles),
            (false, true, _) => Err(()),
            (false, false, true) => Ok(Target::User(rest.to_string())),
            (false, false, false) => Ok(Target::Role(rest.to_string())),
        });
    }
    None
}

/// Serves `/v2/auth/…`; None when the path is not one of its endpoints.
pub async fn handle(api: &Arc<Api>, req: Request<Incoming>, path: &str) -> Option<Resp> {
    let target = match target(path)? {
        Ok(t) => t,
        Err(()) => return Some(message(400, "Invalid path")),
    };
    let method = req.method().clone();
    let allowed: &[Method] = match target {
        Target::Users | Target::Roles => &[Method::GET],
        _ => &[Method::GET, Method::PUT, Method::DELETE],
    };
    if !allowed.contains(&method) {
        return Some(http::method_not_allowed(if allowed.len() == 1 { "GET" } else { "GET,PUT,DELETE" }));
    }
    // Anyone may ask whether auth is on; everything else takes root.
    let open = matches!(target, Target::Enable) && method == Method::GET;
    if !open && !is_root(api, &req).await {
        return Some(insufficient());
    }
    Some(match (target, method) {
        (Target::Enable, Method::GET) => {
            let on = api.shared.sm.read().auth.enabled;
            success(api, Answer { status: 200, body: Some(serde_json::json!({ "enabled": on })) })
        }
        (Target::Enable, Method::PUT) => propose(api, Change::Enable).await,
        (Target::Enable, _) => propose(api, Change::Disable).await,
        (Target::Users, _) => {
            let v = api.shared.sm.read().auth.show_users();
            success(api, Answer { status: 200, body: Some(v) })
        }
        (Target::Roles, _) => {
            let v = api.shared.sm.read().auth.show_roles();
            success(api, Answer { status: 200, body: Some(v) })
        }
        (Target::User(name), Method::GET) => shown(api, |a| a.show_user(&name)),
        (Target::Role(name), Method::GET) => shown(api, |a| a.show_role(&name)),
        (Target::User(name), Method::DELETE) => propose(api, Change::DeleteUser { name }).await,
        (Target::Role(name), Method::DELETE) => propose(api, Change::DeleteRole { name }).await,
        (Target::User(name), _) => put_user(api, req, name).await,
        (Target::Role(name), _) => put_role(api, req, name).await,
    })
}

fn shown(api: &Api, f: impl FnOnce(&crate::auth::Auth) -> Result<Value, Error>) -> Resp {
    let got = f(&api.shared.sm.read().auth);
    match got {
        Ok(v) => success(api, Answer { status: 200, body: Some(v) }),
        Err(e) => failure(api, &e),
    }
}

async fn body(req: Request<Incoming>) -> Result<Bytes, Resp> {
    http::read_body(req.into_body()).await.map_err(|e| message(400, &e.to_string()))
}

fn invalid_json(api: &Api) -> Resp {
    failure(api, &Error::new(400, "Invalid JSON in request body."))
}

async fn put_user(api: &Api, req: Request<Incoming>, name: String) -> Resp {
    let b = match body(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(mut request) = crate::auth::json::decode::<UserRequest>(&b) else { return invalid_json(api) };
    if request.user != name {
        return failure(api, &Error::new(400, "User JSON name does not match the name in the URL"));
    }
    let password = std::mem::take(&mut request.password);
    let hash = if password.is_empty() {
        None
    } else {
        match tokio::task::spawn_blocking(move || crate::auth::password::hash(&password)).await {
            Ok(Ok(h)) => Some(h),
            Ok(Err(e)) => return message(500, &e),
            Err(e) => return message(500, &e.to_string()),
        }
    };
    propose(api, Change::PutUser { request, hash }).await
}

async fn put_role(api: &Api, req: Request<Incoming>, name: String) -> Resp {
    let b = match body(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(request) = crate::auth::json::decode::<RoleRequest>(&b) else { return invalid_json(api) };
    if request.role != name {
        return failure(api, &Error::new(400, "Role JSON name does not match the name in the URL"));
    }
    propose(api, Change::PutRole { request }).await
}
