//! The side endpoints: `/version`, `/health`, `/v2/members`, `/v2/machines`, `/v2/stats/*`.

use std::sync::atomic::Ordering::{Acquire, Relaxed};

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::json;

use super::Api;
use super::http::{self, Resp};
use crate::raft::membership::id_string;
use crate::raft::node::{ROLE_CANDIDATE, ROLE_LEADER};
use crate::store::time::format_rfc3339_nano;

/// The etcd API version this server speaks (etcd 2's v2 API; etcdctl and client libraries
/// read it from /version).
pub const SERVER_VERSION: &str = "2.3.8";
pub const CLUSTER_VERSION: &str = "2.3.0";

/// What etcd's 405 answers list in `Allow` for the members API.
pub const MEMBERS_METHODS: &str = "GET,POST,DELETE,PUT";

/// Answers the side endpoints' reads, with etcd's method rules: GET only (a HEAD too is
/// answered 405, with etcd's `Allow`), except `/v2/machines`, which takes HEAD as well.
pub fn handle(api: &Api, req: &Request<Incoming>, path: &str) -> Option<Resp> {
    let only = |allowed: &[Method], allow: &'static str, f: &dyn Fn() -> Resp| {
        if allowed.contains(req.method()) { f() } else { http::method_not_allowed(allow) }
    };
    let get = [Method::GET];
    Some(match path {
        "/version" => only(&get, "GET", &|| {
            http::json(StatusCode::OK, &json!({"etcdserver": SERVER_VERSION, "etcdcluster": CLUSTER_VERSION}))
        }),
        "/health" => only(&get, "GET", &|| health(api)),
        "/v2/members" | "/v2/members/" => only(&get, MEMBERS_METHODS, &|| members(api)),
        "/v2/members/leader" => only(&get, MEMBERS_METHODS, &|| leader_member(api)),
        "/v2/machines" => only(&[Method::GET, Method::HEAD], "GET,HEAD", &|| machines(api)),
        "/v2/stats/self" => only(&get, "GET", &|| stats_self(api)),
        "/v2/stats/leader" => http::method_not_allowed("GET"),
        "/v2/stats/store" => only(&get, "GET", &|| {
            let stats = api.shared.sm.read().store.stats();
            http::json(StatusCode::OK, &stats)
        }),
        p if p.starts_with("/v2/members/") => http::method_not_allowed(MEMBERS_METHODS),
        _ => return None,
    })
}

fn health(api: &Api) -> Resp {
    if api.shared.has_leader() {
        http::json(StatusCode::OK, &json!({"health": "true"}))
    } else {
        http::json(StatusCode::SERVICE_UNAVAILABLE, &json!({"health": "false"}))
    }
}

fn members(api: &Api) -> Resp {
    let sm = api.shared.sm.read();
    let list: Vec<_> = sm.cluster.members.values().map(member_json).collect();
    http::json(StatusCode::OK, &json!({ "members": list }))
}

fn member_json(m: &crate::raft::membership::Member) -> serde_json::Value {
    json!({"id": id_string(m.id), "name": m.name, "peerURLs": m.peer_urls, "clientURLs": m.client_urls})
}

fn message(status: StatusCode, msg: impl Into<String>) -> Resp {
    http::json(status, &json!({ "message": msg.into() }))
}

/// `POST /v2/members` (add), `PUT /v2/members/ID` (new peer URLs), `DELETE /v2/members/ID`
/// (remove), as etcd's members API: adding and removing are Raft configuration changes,
/// answered once applied; the body is `{"peerURLs": [...]}`.
pub async fn change_members(api: &Api, req: Request<Incoming>, path: &str) -> Resp {
    use crate::raft::membership::{Member, check_url};
    use crate::raft::state_machine::Command;
    use ::raft::eraftpb::{ConfChange, ConfChangeType};
    if !super::auth::is_root(api, &req).await {
        return super::auth::insufficient();
    }
    let method = req.method().clone();
    let id_part = path.strip_prefix("/v2/members").unwrap_or("").trim_start_matches('/').to_string();
    let timeout = api.request_timeout;
    let failed =
        |e: crate::raft::node::ProposeError| message(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    // A member is updated or removed by its ID: without one, etcd answers 405 (no Allow).
    if (method == Method::PUT || method == Method::DELETE) && id_part.is_empty() {
        let mut r = http::method_not_allowed("");
        r.headers_mut().remove(hyper::header::ALLOW);
        return r;
    }

    // DELETE needs no body.
    if method == Method::DELETE {
        let Ok(id) = u64::from_str_radix(&id_part, 16) else {
            return message(StatusCode::NOT_FOUND, format!("No such member: {id_part}"));
        };
        if !api.shared.sm.read().cluster.members.contains_key(&id) {
            return message(StatusCode::NOT_FOUND, format!("No such member: {id_part}"));
        }
        let mut cc = ConfChange::default();
        cc.set_change_type(ConfChangeType::RemoveNode);
        cc.node_id = id;
        return match api.shared.propose_conf_change(cc, None, timeout).await {
            Ok(_) => {
                let mut r = http::text(StatusCode::NO_CONTENT, "");
                *r.body_mut() = http::empty();
                r
            }
            Err(e) => failed(e),
        };
    }

    let ct = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Bad Content-Type {ct}, accept application/json"),
        );
    }
    let body = match http::read_body(req.into_body()).await {
        Ok(b) => b,
        Err(e) => return message(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return message(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let Some(list) = v.get("peerURLs").and_then(|p| p.as_array()) else {
        return message(StatusCode::BAD_REQUEST, "peerURLs is required");
    };
    let mut urls = Vec::new();
    for u in list {
        let Some(u) = u.as_str() else { return message(StatusCode::BAD_REQUEST, "peerURLs must be strings") };
        if let Err(e) = check_url(u) {
            return message(StatusCode::BAD_REQUEST, e);
        }
        urls.push(u.trim_end_matches('/').to_string());
    }
    if urls.is_empty() {
        return message(StatusCode::BAD_REQUEST, "peerURLs is empty");
    }
    urls.sort();
    let taken_by_other = |except: u64| {
        api.shared
            .sm
            .read()
            .cluster
            .members
            .values()
            .any(|m| m.id != except && m.peer_urls.iter().any(|u| urls.contains(u)))
    };

    if method == Method::POST {
        if !id_part.is_empty() {
            return http::method_not_allowed("GET, HEAD, PUT, DELETE");
        }
        if taken_by_other(0) {
            return message(StatusCode::CONFLICT, "etcdserver: peerURL exists");
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let token = api.initial_cluster_token.clone();
        let m = Member::added(&urls, &token, secs);
        if api.shared.sm.read().cluster.members.contains_key(&m.id) {
            return message(StatusCode::CONFLICT, "etcdserver: member ID already exist");
        }
        let mut cc = ConfChange::default();
        cc.set_change_type(ConfChangeType::AddNode);
        cc.node_id = m.id;
        return match api.shared.propose_conf_change(cc, Some(m.clone()), timeout).await {
            Ok(_) => http::json(StatusCode::CREATED, &member_json(&m)),
            Err(e) => failed(e),
        };
    }

    // PUT: new peer URLs for an existing member.
    let Ok(id) = u64::from_str_radix(&id_part, 16) else {
        return message(StatusCode::NOT_FOUND, format!("No such member: {id_part}"));
    };
    if !api.shared.sm.read().cluster.members.contains_key(&id) {
        return message(StatusCode::NOT_FOUND, format!("No such member: {id_part}"));
    }
    if taken_by_other(id) {
        return message(StatusCode::CONFLICT, "etcdserver: peerURL exists");
    }
    match api.shared.propose(&Command::UpdateMember { id, peer_urls: urls }, timeout).await {
        Ok(_) => {
            let mut r = http::text(StatusCode::NO_CONTENT, "");
            *r.body_mut() = http::empty();
            r
        }
        Err(e) => failed(e),
    }
}

/// `/v2/members/leader`: the leader's member entry (etcdctl's `member list` asks for it).
fn leader_member(api: &Api) -> Resp {
    let leader = api.shared.leader.load(Acquire);
    let sm = api.shared.sm.read();
    match sm.cluster.members.get(&leader) {
        Some(m) => http::json(StatusCode::OK, &member_json(m)),
        None => http::json(StatusCode::SERVICE_UNAVAILABLE, &json!({"message": "During leader election"})),
    }
}

/// The peer port's `/members`: the same members as a bare JSON array.
pub fn peer_members(api: &Api) -> Resp {
    let sm = api.shared.sm.read();
    let list: Vec<_> = sm.cluster.members.values().map(member_json).collect();
    http::json(StatusCode::OK, &list)
}

fn machines(api: &Api) -> Resp {
    let sm = api.shared.sm.read();
    let urls: Vec<&str> =
        sm.cluster.members.values().flat_map(|m| m.client_urls.iter().map(String::as_str)).collect();
    http::text(StatusCode::OK, &urls.join(", "))
}

fn stats_self(api: &Api) -> Resp {
    let s = &api.shared;
    let state = match s.role.load(Acquire) {
        ROLE_LEADER => "StateLeader",
        ROLE_CANDIDATE => "StateCandidate",
        _ => "StateFollower",
    };
    let leader_since = s.leader_since.load(Acquire) as i64;
    let now = crate::os::clock::now_nanos();
    http::json(
        StatusCode::OK,
        &json!({
            "name": api.name,
            "id": id_string(s.member_id),
            "state": state,
            "startTime": format_rfc3339_nano(api.start_time),
            "leaderInfo": {
                "leader": id_string(s.leader.load(Acquire)),
                "uptime": go_duration(now.saturating_sub(leader_since)),
                "startTime": format_rfc3339_nano(leader_since),
            },
            "recvAppendRequestCnt": s.recv_append.load(Relaxed),
            "sendAppendRequestCnt": s.send_append.load(Relaxed),
        }),
    )
}

/// `/v2/stats/leader`: on the leader, each follower's send latency and counts. etcd answers
/// 403 on a follower; kv-serve asks the leader instead, so any member can answer it.
pub async fn stats_leader(api: &Api) -> Resp {
    if api.shared.is_leader() {
        let followers: serde_json::Map<String, serde_json::Value> = {
            let members: Vec<u64> = api.shared.sm.read().cluster.members.keys().copied().collect();
            let stats = api.shared.peer_stats.lock();
            members
                .into_iter()
                .filter(|&id| id != api.shared.member_id)
                .map(|id| (id_string(id), stats.get(&id).cloned().unwrap_or_default().to_json()))
                .collect()
        };
        return http::json(
            StatusCode::OK,
            &json!({"leader": id_string(api.shared.member_id), "followers": followers}),
        );
    }
    let not_leader = || http::json(StatusCode::FORBIDDEN, &json!({"message": "not current leader"}));
    let leader = api.shared.leader.load(Acquire);
    let url = {
        let sm = api.shared.sm.read();
        match sm.cluster.members.get(&leader).and_then(|m| m.client_urls.first()) {
            Some(u) => format!("{}/v2/stats/leader", u.trim_end_matches('/')),
            None => return not_leader(),
        }
    };
    let Ok(req) = hyper::Request::get(url).body(http_body_util::Full::new(bytes::Bytes::new())) else {
        return not_leader();
    };
    match tokio::time::timeout(std::time::Duration::from_secs(2), api.client.request(req)).await {
        Ok(Ok(resp)) if resp.status() == StatusCode::OK => {
            use http_body_util::BodyExt;
            match tokio::time::timeout(std::time::Duration::from_secs(2), resp.into_body().collect()).await {
                Ok(Ok(body)) => http::response(StatusCode::OK, "application/json", body.to_bytes()),
                _ => not_leader(),
            }
        }
        _ => not_leader(),
    }
}

/// A duration the way Go prints one (`1h2m3.5s`, `250ms`), as etcd's stats show uptimes.
pub fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let neg = nanos < 0;
    let n = nanos.unsigned_abs();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if n < 1_000_000_000 {
        let (unit, div) = if n < 1_000 {
            ("ns", 1)
        } else if n < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        s.push_str(&frac(n, div));
        s.push_str(unit);
        return s;
    }
    let h = n / 3_600_000_000_000;
    let m = (n / 60_000_000_000) % 60;
    let rest = n % 60_000_000_000;
    if h > 0 {
        s.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        s.push_str(&format!("{m}m"));
    }
    s.push_str(&frac(rest, 1_000_000_000));
    s.push('s');
    s
}

fn frac(n: u64, div: u64) -> String {
    let whole = n / div;
    let rem = n % div;
    if rem == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rem:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(250_000_000), "250ms");
        assert_eq!(go_duration(3_500_000_000), "3.5s");
        assert_eq!(go_duration(3_723_000_000_000), "1h2m3s");
        assert_eq!(go_duration(61_000_000_000), "1m1s");
    }
}
