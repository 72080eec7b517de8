//! Who may change what under a token. discovery.etcd.io passes every PUT and DELETE on to
//! the store, so anyone who knows a token can delete or overwrite the members' entries (or
//! put a TTL on the token's directory). `disco serve` keeps the protocol — members register
//! with `PUT /<token>/<id>?prevExist=false` and read with GET, exactly as before — and adds:
//!
//! - a new entry can only be registered under a token that exists (has `_config/size`);
//! - the client address that registered an entry is recorded outside the token, under
//!   [`OWNERS`] (with the token's TTL), and only that address may overwrite or delete the entry;
//! - the token's directory itself and its `_`-names (`_config`) are not writable through the
//!   service at all.
//!
//! The records live outside the token's directory because a member's recursive watch on the
//! token would otherwise see them: a store hands out a hidden key's events from its history
//! like any other's, and etcd 2 members count every event as a peer.

use crate::client::{Client, Error, GetOptions, SetOptions};

use super::token;

/// A write the service refuses, with the reason (answered 403).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// Where the records of who registered what are kept: `/_disco/owners/<token>/<entry>`.
pub const OWNERS: &str = "/_disco/owners";

/// The key recording who registered `entry` under `token`.
pub fn owner_key(token: &str, entry: &str) -> String {
    format!("{OWNERS}/{token}/{entry}")
}

fn exists(c: &Client, key: &str) -> Result<Option<String>, Error> {
    match c.get(key, GetOptions::default()) {
        Ok(r) => Ok(Some(r.node.value)),
        Err(Error::Etcd(e)) if e.code == 100 => Ok(None),
        Err(e) => Err(e),
    }
}

/// May `client` do `method` on `entry` (None: the token's directory) under `token`?
/// `create_only` is a PUT with `prevExist=false`. GETs never come here.
pub fn check(
    c: &Client,
    token: &str,
    method: &str,
    entry: Option<&str>,
    create_only: bool,
    client: &str,
) -> Result<Result<(), Refused>, Error> {
    let Some(entry) = entry else {
        return Ok(Err(Refused("the token's directory is kept by the discovery service".into())));
    };
    if entry.starts_with('_') {
        return Ok(Err(Refused(format!("{entry} is kept by the discovery service"))));
    }
    let dir = token::registry_dir(token);
    if method == "PUT" && exists(c, &format!("{dir}/_config/size"))?.is_none() {
        return Ok(Err(Refused(format!("no such token: {token}"))));
    }
    if create_only {
        return Ok(Ok(()));
    }
    if exists(c, &format!("{dir}/{entry}"))?.is_none() {
        // Nothing to protect: a PUT creates it, a DELETE gets the store's "not found".
        return Ok(Ok(()));
    }
    match exists(c, &owner_key(token, entry))? {
        Some(owner) if owner == client => Ok(Ok(())),
        _ => Ok(Err(Refused(format!(
            "only the address that registered {entry} may {} it",
            if method == "DELETE" { "delete" } else { "change" }
        )))),
    }
}

/// Records (after a successful PUT) or forgets (after a successful DELETE) who registered
/// `entry`; the record lives `ttl` seconds (0: forever), as the token. A failure here is
/// logged, not answered: the member's own request succeeded.
pub fn record(c: &Client, token: &str, method: &str, entry: &str, client: &str, ttl: u64) {
    let key = owner_key(token, entry);
    let result = if method == "DELETE" {
        c.delete(&key, &Default::default()).map(|_| ())
    } else {
        c.set(&key, client, &SetOptions { ttl, ..Default::default() }).map(|_| ())
    };
    match result {
        Ok(()) => {}
        Err(Error::Etcd(e)) if e.code == 100 => {}
        Err(e) => log::warn!("cannot record who registered {entry} under {token}: {e}"),
    }
}
