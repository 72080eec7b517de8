//! A token request passed on to the store, and the store's answer passed back, as
//! discovery.etcd.io does it: `/<token>[/<rest>]` becomes `/v2/keys/_etcd/registry/<token>[/<rest>]`
//! with the same method, query and body; the store's status, headers and body come back
//! unchanged (hop-by-hop headers aside). Long polls (`wait=true`) wait as long as the store
//! does. Unlike the original, the store may be several endpoints (lib/client fails over
//! between them), and a store that cannot be reached gets a clear 503 rather than a dropped
//! connection.

use std::time::Duration;

use bytes::Bytes;

use crate::client::{Client, Error, Request};

use super::gohttp::{GoResponse, canonical};
use super::token;

/// Headers that describe one connection, not the answer; never passed on.
const HOP_BY_HOP: &[&str] =
    &["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

/// One request to pass on.
pub struct Forward<'a> {
    pub method: &'a str,
    pub token: &'a str,
    /// What follows the token in the (clean) path, without the slash: "" for the token
    /// itself, `<id>`, or `_config/size`.
    pub rest: &'a str,
    /// The request's raw query, passed on unchanged.
    pub query: Option<&'a str>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// Whether the query asks for a long poll (`wait=true`, with Go's boolean spellings).
pub fn is_long_poll(query: Option<&str>) -> bool {
    super::gohttp::query_pairs(query.unwrap_or(""))
        .iter()
        .any(|(k, v)| k == "wait" && crate::api::form::parse_bool(v) == Ok(true))
}

/// Sends `f` to the store; the answer shaped as the original passes it back. A long poll
/// the store has not answered within `watch_limit` is answered with an empty 200, on which
/// etcd's clients poll again.
pub fn forward(c: &Client, f: &Forward, watch_limit: Duration) -> Result<GoResponse, Error> {
    let mut key = token::registry_dir(f.token);
    if !f.rest.is_empty() {
        key.push('/');
        key.push_str(f.rest);
    }
    let mut target = c.key_path(&key);
    if let Some(q) = f.query.filter(|q| !q.is_empty()) {
        target.push('?');
        target.push_str(q);
    }
    let method = match f.method {
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "POST" => "POST",
        _ => "GET",
    };
    let body = match (&f.content_type, method) {
        (Some(ct), "PUT" | "POST") => Some((ct.clone().into(), f.body.to_vec())),
        _ => None,
    };
    let long_poll = is_long_poll(f.query);
    let req = Request { method, target, body, long_poll };
    let a = if long_poll {
        match c.send_watch(&req, watch_limit) {
            Err(Error::Idle) => return Ok(GoResponse::new(200)),
            other => other?,
        }
    } else {
        c.send(&req)?
    };
    let mut r = GoResponse::new(a.status);
    for (k, v) in &a.headers {
        if !HOP_BY_HOP.contains(&k.as_str()) {
            r = r.add(&canonical(k), v.clone());
        }
    }
    Ok(r.body(a.body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_polls() {
        assert!(super::is_long_poll(Some("wait=true&recursive=true")));
        assert!(super::is_long_poll(Some("waitIndex=3&wait=1")));
        assert!(!super::is_long_poll(Some("wait=false")));
        assert!(!super::is_long_poll(None));
    }
}
