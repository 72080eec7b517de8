//! The members API (`/v2/members`) and each member's `/health`.

use serde::{Deserialize, Serialize};

use super::transport::Request;
use super::{Client, Error};

/// One member of the cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "peerURLs")]
    pub peer_urls: Vec<String>,
    #[serde(default, rename = "clientURLs")]
    pub client_urls: Vec<String>,
}

#[derive(Deserialize)]
struct MemberList {
    #[serde(default)]
    members: Option<Vec<Member>>,
}

#[derive(Deserialize)]
struct MembersError {
    #[serde(default)]
    message: String,
}

fn json_body(peer_urls: &[String]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "peerURLs": peer_urls })).expect("serialize")
}

fn expect(status: u16, want: &[u16]) -> Result<(), Error> {
    if want.contains(&status) { Ok(()) } else { Err(Error::UnexpectedStatus(status)) }
}

fn members_error(body: &str) -> Error {
    match serde_json::from_str::<MembersError>(body) {
        Ok(m) => Error::Members(m.message),
        Err(_) => Error::Decode(go_json_error(body)),
    }
}

/// The message Go's `json.Unmarshal` gives for a body that is not a JSON object (etcdctl
/// prints it as is, e.g. for a plain-text 404 page).
fn go_json_error(body: &str) -> String {
    let trimmed = body.trim_start();
    let Some(first) = trimmed.chars().next() else {
        return "unexpected end of JSON input".into();
    };
    let mut values = serde_json::Deserializer::from_str(trimmed).into_iter::<serde_json::Value>();
    match values.next() {
        Some(Ok(v)) => {
            let rest = trimmed[values.byte_offset()..].trim_start();
            if let Some(c) = rest.chars().next() {
                format!("invalid character '{c}' after top-level value")
            } else {
                let kind = match v {
                    serde_json::Value::Number(_) => "number",
                    serde_json::Value::String(_) => "string",
                    serde_json::Value::Bool(_) => "bool",
                    serde_json::Value::Array(_) => "array",
                    _ => "object",
                };
                format!("json: cannot unmarshal {kind} into Go value of type client.membersError")
            }
        }
        _ => format!("invalid character '{first}' looking for beginning of value"),
    }
}

/// Result of one member's `/health` check on one of its client URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    Healthy,
    Unhealthy,
    /// The URL could not be asked, or answered something else (Go's error text).
    Failed(String),
}

impl Client {
    /// The members of the cluster.
    pub fn members(&self) -> Result<Vec<Member>, Error> {
        let a = self.send(&Request::get("/v2/members".into()))?;
        expect(a.status, &[200])?;
        let l: MemberList = serde_json::from_str(&a.body).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(l.members.unwrap_or_default())
    }

    /// The current leader.
    pub fn leader(&self) -> Result<Member, Error> {
        let a = self.send(&Request::get("/v2/members/leader".into()))?;
        expect(a.status, &[200])?;
        serde_json::from_str(&a.body).map_err(|e| Error::Decode(e.to_string()))
    }

    /// Announces a new member with one peer URL; returns it (with its new ID).
    pub fn add_member(&self, peer_url: &str) -> Result<Member, Error> {
        check_url(peer_url)?;
        let req = Request {
            method: "POST",
            target: "/v2/members".into(),
            body: Some(("application/json".into(), json_body(&[peer_url.to_string()]))),
            long_poll: false,
        };
        let a = self.send(&req)?;
        expect(a.status, &[201, 409])?;
        if a.status != 201 {
            return Err(members_error(&a.body));
        }
        serde_json::from_str(&a.body).map_err(|e| Error::Decode(e.to_string()))
    }

    /// Removes the member with this (hex) ID.
    pub fn remove_member(&self, id: &str) -> Result<(), Error> {
        let req =
            Request { method: "DELETE", target: format!("/v2/members/{id}"), body: None, long_poll: false };
        let a = self.send(&req)?;
        expect(a.status, &[204, 410])
    }

    /// Replaces a member's peer URLs.
    pub fn update_member(&self, id: &str, peer_urls: &[String]) -> Result<(), Error> {
        for u in peer_urls {
            check_url(u)?;
        }
        let req = Request {
            method: "PUT",
            target: format!("/v2/members/{id}"),
            body: Some(("application/json".into(), json_body(peer_urls))),
            long_poll: false,
        };
        let a = self.send(&req)?;
        expect(a.status, &[204, 404, 409])?;
        if a.status != 204 {
            return Err(members_error(&a.body));
        }
        Ok(())
    }

    /// Asks one member's peer URL for the cluster it belongs to: its ID (`X-Etcd-Cluster-ID`)
    /// and its members (the peer API's `/members`, as a joining etcd member asks). No failover.
    pub fn peer_members(&self, peer_url: &str) -> Result<(u64, Vec<Member>), String> {
        let url = peer_url.trim_end_matches('/');
        let a = self.send_to(url, &Request::get("/members".into()))?;
        if a.status != 200 {
            return Err(format!("answered {}", a.status));
        }
        let id = a
            .cluster_id
            .as_deref()
            .and_then(|v| u64::from_str_radix(v, 16).ok())
            .ok_or_else(|| "no cluster ID in the answer".to_string())?;
        let members: Vec<Member> = serde_json::from_str(&a.body).map_err(|e| e.to_string())?;
        Ok((id, members))
    }

    /// Asks one client URL for `/health` (no failover: this is about that URL).
    pub fn health_of(&self, client_url: &str) -> Health {
        let url = client_url.trim_end_matches('/').to_string();
        match self.send_to(&url, &Request::get("/health".into())) {
            Err(e) => Health::Failed(e),
            Ok(a) => {
                let v: serde_json::Value = match serde_json::from_str(&a.body) {
                    Ok(v) => v,
                    Err(e) => return Health::Failed(e.to_string()),
                };
                match &v["health"] {
                    serde_json::Value::String(s) if s == "true" => Health::Healthy,
                    serde_json::Value::Bool(true) => Health::Healthy,
                    _ => Health::Unhealthy,
                }
            }
        }
    }
}

/// Peer URLs must be absolute http(s) URLs with a host:port (etcd's `types.NewURLs`).
fn check_url(u: &str) -> Result<(), Error> {
    let Some((scheme, rest)) = u.split_once("://") else {
        return Err(Error::BadEndpoint(format!("URL scheme must be http, https, unix, or unixs: {u}")));
    };
    if !matches!(scheme, "http" | "https" | "unix" | "unixs") {
        return Err(Error::BadEndpoint(format!("URL scheme must be http, https, unix, or unixs: {u}")));
    }
    let host = rest.split('/').next().unwrap_or("");
    if !host.contains(':') {
        return Err(Error::BadEndpoint(format!("URL address does not have the form \"host:port\": {u}")));
    }
    Ok(())
}
