//! The etcd v2 HTTP API served on the client URLs.
//!
//! - [`http`]: listeners, limits, body reading, response helpers;
//! - [`auth`]: `/v2/auth` (users, roles, enable) and who may do what elsewhere;
//! - [`form`]: Go-compatible form and query parsing;
//! - [`keys`]: `/v2/keys` (reads, watches, writes through Raft);
//! - [`cors`]: `--cors`: cross-origin headers and `OPTIONS` preflights;
//! - [`cutoff`]: what the servers cut off (slow heads and bodies, bad heads, failed handshakes), logged;
//! - [`cluster`]: `/version`, `/health`, `/v2/members`, `/v2/machines`, `/v2/stats/*`.
//! - [`serve`]: a member composed: listeners, the Raft node, peers, then clients, until stopped
//!   (or, in proxy mode, no member at all);
//! - [`proxy`]: etcd 2's proxy mode: client requests passed on to the cluster's members.

pub mod auth;
pub mod cluster;
pub mod cors;
pub mod cutoff;
pub mod form;
pub mod http;
pub mod keys;
pub mod proxy;
pub mod serve;

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};

use crate::raft::membership::id_string;
use crate::raft::node::Shared;
use http::Resp;

/// What the client API needs to answer.
pub struct Api {
    pub shared: Arc<Shared>,
    pub name: String,
    /// How long a write or quorum read may wait for Raft (etcd: 5 s + 2 election timeouts).
    pub request_timeout: Duration,
    /// Unix nanos when the member started.
    pub start_time: i64,
    /// Hashed into the IDs of members added later, as etcd does.
    pub initial_cluster_token: String,
    /// `--cors`.
    pub cors: cors::Cors,
    /// Passwords that checked out, so a user's next request costs no bcrypt.
    pub passwords: Arc<crate::auth::password::Verifier>,
    /// For asking the leader what only it knows (its followers' stats).
    pub client:
        hyper_util::client::legacy::Client<crate::tls::client::Connector, http_body_util::Full<bytes::Bytes>>,
}

pub const KEYS: &str = "/v2/keys";

/// Routes one request. Paths are decoded and, like Go's `ServeMux`, an unclean path
/// (`//`, `.`, `..`) is answered with a 301 to its clean form, query kept.
pub async fn route(api: Arc<Api>, req: Request<Incoming>) -> Resp {
    if let Some(r) = http::missing_host(&req) {
        return r;
    }
    if let Some(r) = api.cors.preflight(&req) {
        return r;
    }
    let origin = cors::origin(&req);
    let mut resp = route_request(&api, req).await;
    api.cors.decorate(origin.as_ref(), &mut resp);
    resp
}

async fn route_request(api: &Arc<Api>, req: Request<Incoming>) -> Resp {
    // hyper stops reading a head somewhere past its buffer size; hold it to the exact limit.
    let head: usize = req.uri().to_string().len()
        + req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>();
    if head > http::MAX_HEAD {
        let mut r =
            http::text(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "431 Request Header Fields Too Large\n");
        http::set_header(&mut r, "Connection", "close");
        return r;
    }
    let raw = req.uri().path();
    let decoded = match form::unescape_path(raw) {
        Ok(p) => p,
        Err(e) => return http::text(StatusCode::BAD_REQUEST, &format!("400 Bad Request: {e}\n")),
    };
    let clean = clean_keep_trailing(&decoded);
    if clean != decoded {
        let mut location = form::escape_path(&clean);
        if let Some(q) = req.uri().query() {
            location.push('?');
            location.push_str(q);
        }
        let mut r = http::text(StatusCode::MOVED_PERMANENTLY, "");
        http::set_header(&mut r, "Location", location);
        return r;
    }
    let mut resp = if decoded == KEYS || decoded.starts_with("/v2/keys/") {
        let key = decoded[KEYS.len()..].to_string();
        keys::handle(api, req, key).await
    } else if (decoded == "/v2/members" || decoded.starts_with("/v2/members/"))
        && matches!(*req.method(), hyper::Method::POST | hyper::Method::PUT | hyper::Method::DELETE)
    {
        cluster::change_members(api, req, &decoded).await
    } else if decoded.starts_with("/v2/auth/") {
        match auth::handle(api, req, &decoded).await {
            Some(r) => r,
            None => http::not_found(),
        }
    } else if decoded == "/v2/stats/leader" && req.method() == hyper::Method::GET {
        cluster::stats_leader(api).await
    } else {
        match cluster::handle(api, &req, &decoded) {
            Some(r) => r,
            None => http::not_found(),
        }
    };
    // (etcd's refusal of a membership change carries no cluster ID.)
    let refused = resp.status() == StatusCode::UNAUTHORIZED && !decoded.starts_with("/v2/keys");
    if (decoded.starts_with("/v2/keys") || decoded.starts_with("/v2/members")) && !refused {
        http::set_header(&mut resp, "X-Etcd-Cluster-ID", id_string(api.shared.cluster_id));
    }
    resp
}

/// The peer listener: Raft messages from the other members (`POST /raft`), and what etcd's
/// peer port answers to anyone: the member list and the version.
pub async fn peer_route(api: Arc<Api>, req: Request<Incoming>) -> Resp {
    match req.uri().path() {
        crate::raft::transport::RAFT_PATH => raft_messages(&api, req).await,
        crate::raft::transport::STREAM_PATH => raft_stream(&api, req).await,
        "/members" => {
            let mut r = cluster::peer_members(&api);
            http::set_header(&mut r, "X-Etcd-Cluster-ID", id_string(api.shared.cluster_id));
            r
        }
        "/version" => cluster::handle(&api, &req, "/version").unwrap_or_else(http::not_found),
        _ => http::not_found(),
    }
}

/// A peer's batch may carry a snapshot of the whole store.
const MAX_PEER_BODY: usize = 1 << 30;

/// Refuses what is not a POST from a member of this cluster.
fn check_peer(api: &Api, req: &Request<Incoming>) -> Option<Resp> {
    if req.method() != hyper::Method::POST {
        return Some(http::method_not_allowed("POST"));
    }
    let cid = req.headers().get("X-Etcd-Cluster-ID").and_then(|v| v.to_str().ok()).unwrap_or("");
    if cid != id_string(api.shared.cluster_id) {
        return Some(http::text(
            StatusCode::PRECONDITION_FAILED,
            &format!("cluster ID mismatch: this member is in cluster {}\n", id_string(api.shared.cluster_id)),
        ));
    }
    None
}

/// A peer's long-lived stream of messages; answered when the stream ends.
async fn raft_stream(api: &Api, req: Request<Incoming>) -> Resp {
    if let Some(refused) = check_peer(api, &req) {
        return refused;
    }
    let mut from = 0;
    let read = crate::raft::transport::read_stream(req.into_body(), |m| {
        from = m.from;
        api.shared.step(m)
    })
    .await;
    // The peer closed its end (or its process died): if it led, this member need not wait
    // for the election timeout.
    if from != 0 {
        api.shared.send_input(crate::raft::node::Input::StreamEnded(from));
    }
    match read {
        Ok(()) => http::text(StatusCode::OK, ""),
        Err(e) => http::text(StatusCode::BAD_REQUEST, &format!("{e}\n")),
    }
}

async fn raft_messages(api: &Api, req: Request<Incoming>) -> Resp {
    if let Some(refused) = check_peer(api, &req) {
        return refused;
    }
    let body = match http::read_body_limited(req.into_body(), MAX_PEER_BODY).await {
        Ok(b) => b,
        Err(e) => return http::text(StatusCode::BAD_REQUEST, &format!("{e}\n")),
    };
    match crate::raft::transport::decode(body) {
        Ok(msgs) => {
            for m in msgs {
                api.shared.step(m);
            }
            let mut r = http::text(StatusCode::NO_CONTENT, "");
            *r.body_mut() = http::empty();
            r
        }
        Err(e) => http::text(StatusCode::BAD_REQUEST, &format!("{e}\n")),
    }
}

/// Go's `path.Clean`, keeping a trailing slash (as `ServeMux` does).
fn clean_keep_trailing(p: &str) -> String {
    let mut c = crate::store::clean_path(p);
    if p.ends_with('/') && c != "/" {
        c.push('/');
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(clean_keep_trailing("/v2/keys/a//b"), "/v2/keys/a/b");
        assert_eq!(clean_keep_trailing("/v2/keys/a/"), "/v2/keys/a/");
        assert_eq!(clean_keep_trailing("/v2/keys/./a/../b"), "/v2/keys/b");
        assert_eq!(clean_keep_trailing("/"), "/");
        assert_eq!(clean_keep_trailing("//"), "/");
        assert_eq!(crate::store::clean_path("/../.."), "/");
    }
}
