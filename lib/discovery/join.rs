//! etcd 2's member side of discovery (`discovery.JoinCluster` / `GetCluster`), so that a
//! kv-serve member bootstraps through discovery.etcd.io, `disco serve` or a plain store
//! directory exactly as an etcd member does:
//!
//! 1. check the cluster: read `_config/size` and the entries (sorted by creation index); if
//!    this member is not among the first `size` and there are `size` already, it is full;
//! 2. register: create `<dir>/<member ID>` = `name=peerURL,…` with `prevExist=false` (an
//!    existing entry is etcd's "duplicate id"), then watch the entry until the server shows it;
//! 3. check again, then wait with a recursive watch until `size` entries exist;
//! 4. the first `size` entries, joined with `,`, are the initial cluster.
//!
//! Connection failures and timeouts are retried after 2, 4, 8 … s (capped at 256 s, as etcd
//! 3 caps it); the log lines are etcd's. Where etcd 2 goes wrong this does not: a watch event
//! that is not a new member entry (a `_config` change, a deletion) is not counted as a peer, a
//! deleted entry stops counting, a 401 "event index cleared" re-reads the entries instead of
//! failing, a registration whose answer was lost is retried (and recognised as ours), and a
//! size below 1 is a bad size key rather than a crash.

use std::time::Duration;

use crate::client::{self, Client, GetOptions, Node, PrevExist, SetOptions};

use super::token::DiscoveryUrl;

/// How discovery ended without a cluster. The texts are etcd's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("discovery: invalid URL")]
    InvalidUrl,
    #[error("discovery: size key is bad")]
    BadSizeKey,
    #[error("discovery: size key not found")]
    SizeNotFound,
    #[error("discovery: found duplicate id")]
    DuplicateId,
    #[error("discovery: found duplicate name")]
    DuplicateName,
    #[error("discovery: cluster is full")]
    FullCluster,
    #[error("discovery: bad discovery endpoint")]
    BadDiscoveryEndpoint,
    #[error("{0}")]
    Other(String),
}

/// The longest wait between two attempts (etcd 3's cap).
const MAX_BACKOFF: Duration = Duration::from_secs(256);
/// etcd's v2 client's `DefaultRequestTimeout`.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

struct Discovery<'a> {
    url: &'a DiscoveryUrl,
    client: Client,
    /// This member's ID in hex (empty for a proxy, which does not register).
    id: String,
    retries: u32,
}

/// What `checkCluster` found: the entries (sorted), the size, the store index, and the
/// token directory's key as the server names it (`/_etcd/registry/<token>` behind a
/// discovery service, the URL's path on a plain store).
struct Found {
    nodes: Vec<Node>,
    size: usize,
    index: u64,
    dir_key: String,
}

/// The `name=url,…` a member registers: its name with each of its peer URLs, sorted.
pub fn registration(name: &str, peer_urls: &[String]) -> String {
    let mut urls = peer_urls.to_vec();
    urls.sort();
    urls.iter().map(|u| format!("{name}={u}")).collect::<Vec<_>>().join(",")
}

/// Registers member `id` (with `config`, see [`registration`]) and waits for the cluster;
/// returns the initial cluster (`name=url,…`).
pub fn join_cluster(
    url: &DiscoveryUrl,
    proxy: Option<&str>,
    tls: &crate::tls::ClientTls,
    id: u64,
    config: &str,
) -> Result<String, Error> {
    let mut d = Discovery::new(url, proxy, tls, format!("{id:x}"));
    d.check_cluster()?;
    d.create_self(config)?;
    let found = d.check_cluster()?;
    let all = d.wait_nodes(found)?;
    nodes_to_cluster(&all, all.len())
}

/// Waits for the cluster without registering (a proxy's view); a full cluster gives its
/// first `size` members.
pub fn get_cluster(
    url: &DiscoveryUrl,
    proxy: Option<&str>,
    tls: &crate::tls::ClientTls,
) -> Result<String, Error> {
    let mut d = Discovery::new(url, proxy, tls, String::new());
    match d.check_cluster_full_ok() {
        Ok((found, true)) => nodes_to_cluster(&found.nodes, found.size),
        Ok((found, false)) => {
            let all = d.wait_nodes(found)?;
            nodes_to_cluster(&all, all.len())
        }
        Err(e) => Err(e),
    }
}

fn base(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// Connection failures, timeouts and 5xx answers: worth retrying.
fn is_cluster_error(e: &client::Error) -> bool {
    matches!(e, client::Error::Cluster(_) | client::Error::DeadlineExceeded | client::Error::EmptyBody)
}

impl<'a> Discovery<'a> {
    fn new(
        url: &'a DiscoveryUrl,
        proxy: Option<&str>,
        tls: &crate::tls::ClientTls,
        id: String,
    ) -> Discovery<'a> {
        if let Some(p) = proxy {
            log::info!("using proxy {p:?}");
        }
        let client = Client::with_options(
            client::Config {
                request_timeout: REQUEST_TIMEOUT,
                tls: tls.clone(),
                ..client::Config::new(vec![url.endpoint.clone()])
            },
            client::Options { key_prefix: String::new(), proxy: proxy.map(str::to_string) },
        );
        Discovery { url, client, id, retries: 0 }
    }

    fn self_key(&self) -> String {
        format!("{}/{}", self.url.dir, self.id)
    }

    fn backoff(&mut self, step: &str, e: &client::Error) {
        if let Some(d) = e.detail() {
            for line in d.lines() {
                log::error!("{line}");
            }
        } else {
            log::error!("{e}");
        }
        self.retries += 1;
        let wait = Duration::from_secs(1u64 << self.retries.min(30)).min(MAX_BACKOFF);
        log::info!("{step}: error connecting to {}, retrying in {}s", self.url.endpoint, wait.as_secs());
        std::thread::sleep(wait);
    }

    /// etcd's `checkCluster`: a full cluster is an error.
    fn check_cluster(&mut self) -> Result<Found, Error> {
        match self.check_cluster_full_ok()? {
            (_, true) => Err(Error::FullCluster),
            (found, false) => Ok(found),
        }
    }

    /// `checkCluster`, with "full" as a flag (and the first `size` entries) instead of an error.
    fn check_cluster_full_ok(&mut self) -> Result<(Found, bool), Error> {
        loop {
            let size_key = format!("{}/_config/size", self.url.dir);
            let size = match self.client.get(&size_key, GetOptions::default()) {
                Ok(r) => r.node.value,
                Err(client::Error::Etcd(e)) if e.code == 100 => return Err(Error::SizeNotFound),
                Err(client::Error::Decode(_)) => return Err(Error::BadDiscoveryEndpoint),
                Err(e) if is_cluster_error(&e) => {
                    self.backoff("cluster status check", &e);
                    continue;
                }
                Err(e) => return Err(Error::Other(e.to_string())),
            };
            let size: usize = match size.parse::<i64>() {
                Ok(n) if n >= 1 => n as usize,
                _ => return Err(Error::BadSizeKey),
            };
            let resp = match self.client.get(&self.url.dir, GetOptions::default()) {
                Ok(r) => r,
                Err(client::Error::Decode(_)) => return Err(Error::BadDiscoveryEndpoint),
                Err(e) if is_cluster_error(&e) => {
                    self.backoff("cluster status check", &e);
                    continue;
                }
                Err(e) => return Err(Error::Other(e.to_string())),
            };
            let mut nodes: Vec<Node> = resp
                .node
                .nodes
                .unwrap_or_default()
                .into_iter()
                .filter(|n| !base(&n.key).starts_with('_'))
                .collect();
            nodes.sort_by_key(|n| n.created_index);
            let me = nodes.iter().position(|n| !self.id.is_empty() && base(&n.key) == self.id);
            let full = match me {
                Some(i) => i >= size,
                None => nodes.len() >= size,
            };
            if full {
                nodes.truncate(size);
            }
            let dir_key = resp.node.key.trim_end_matches('/').to_string();
            return Ok((Found { nodes, size, index: resp.index, dir_key }, full));
        }
    }

    /// etcd's `createSelf`, retried when the store could not be reached.
    fn create_self(&mut self, config: &str) -> Result<(), Error> {
        let key = self.self_key();
        // Set once an attempt failed without an answer: it may have been applied all the same.
        let mut maybe_sent = false;
        let created = loop {
            let o = SetOptions { prev_exist: PrevExist::MustNotExist, ..Default::default() };
            match self.client.set(&key, config, &o) {
                Ok(r) => break r.node.created_index,
                Err(client::Error::Etcd(e)) if e.code == 105 => {
                    // Ours, if an earlier attempt of this process got through unanswered.
                    if maybe_sent
                        && let Ok(r) = self.client.get(&key, GetOptions::default())
                        && r.node.value == config
                    {
                        break r.node.created_index;
                    }
                    return Err(Error::DuplicateId);
                }
                Err(client::Error::Decode(_)) => return Err(Error::BadDiscoveryEndpoint),
                Err(e) if is_cluster_error(&e) => {
                    maybe_sent = true;
                    self.backoff("registering", &e);
                }
                Err(e) => return Err(Error::Other(e.to_string())),
            }
        };
        // Make sure the entry shows on the server we talk to.
        let mut w = self.client.watcher_after(&key, created.saturating_sub(1), false);
        w.next_change().map(|_| ()).map_err(|e| Error::Other(e.to_string()))
    }

    /// etcd's `waitNodes`: the first `size` entries, waiting with a watch for the missing ones.
    fn wait_nodes(&mut self, found: Found) -> Result<Vec<Node>, Error> {
        let Found { mut nodes, mut size, mut index, mut dir_key } = found;
        'again: loop {
            nodes.truncate(size);
            for n in &nodes {
                if base(&n.key) == self.id {
                    log::info!("found self {} in the cluster", self.id);
                } else {
                    log::info!("found peer {} in the cluster", base(&n.key));
                }
            }
            let mut w = self.client.watcher_after(&self.url.dir, index, true);
            while nodes.len() < size {
                log::info!("found {} peer(s), waiting for {} more", nodes.len(), size - nodes.len());
                let ev = match w.next_change() {
                    Ok(ev) => ev,
                    Err(client::Error::Etcd(e)) if e.code == 401 => {
                        // The store's history moved past us: read the entries again.
                        log::info!("the discovery watch fell behind ({e}); reading the entries again");
                        let f = self.check_cluster()?;
                        (nodes, size, index, dir_key) = (f.nodes, f.size, f.index, f.dir_key);
                        continue 'again;
                    }
                    Err(e) if is_cluster_error(&e) => {
                        self.backoff("waiting for other nodes", &e);
                        let f = self.check_cluster()?;
                        (nodes, size, index, dir_key) = (f.nodes, f.size, f.index, f.dir_key);
                        continue 'again;
                    }
                    Err(e) => return Err(Error::Other(e.to_string())),
                };
                let key = ev.node.key.trim_end_matches('/');
                if key == dir_key {
                    if matches!(ev.action.as_str(), "delete" | "expire" | "compareAndDelete") {
                        return Err(Error::Other(format!(
                            "the discovery token {} was removed",
                            self.url.url
                        )));
                    }
                    continue;
                }
                // Only the token's own entries count: not `_config`, not anything deeper (a
                // store's history hands out hidden keys' events too).
                let direct = key.rsplit_once('/').is_some_and(|(parent, _)| parent == dir_key);
                let name = base(key);
                if !direct || name.starts_with('_') {
                    continue;
                }
                match ev.action.as_str() {
                    "delete" | "expire" | "compareAndDelete" => {
                        if let Some(i) = nodes.iter().position(|n| base(&n.key) == name) {
                            log::info!("peer {name} left the discovery token");
                            nodes.remove(i);
                        }
                    }
                    _ => {
                        if let Some(n) = nodes.iter_mut().find(|n| base(&n.key) == name) {
                            n.value = ev.node.value.clone();
                        } else {
                            log::info!("found peer {name} in the cluster");
                            nodes.push(ev.node);
                        }
                    }
                }
            }
            log::info!("found {} needed peer(s)", nodes.len());
            return Ok(nodes);
        }
    }
}

/// etcd's `nodesToCluster`: the entries' values joined; every URL must parse, and there must
/// be `size` distinct names.
pub fn nodes_to_cluster(nodes: &[Node], size: usize) -> Result<String, Error> {
    let joined = nodes.iter().map(|n| n.value.as_str()).collect::<Vec<_>>().join(",");
    let mut names = std::collections::BTreeSet::new();
    for part in joined.split(',').filter(|p| !p.is_empty()) {
        let (name, url) = part.split_once('=').ok_or(Error::InvalidUrl)?;
        let ok = url.split_once("://").is_some_and(|(s, rest)| !s.is_empty() && !rest.is_empty());
        if !ok {
            return Err(Error::InvalidUrl);
        }
        names.insert(name.to_string());
    }
    if names.len() != size {
        return Err(Error::DuplicateName);
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str, value: &str) -> Node {
        Node { key: key.into(), value: value.into(), ..Default::default() }
    }

    #[test]
    fn registration_values() {
        let urls = vec!["http://b:2380".to_string(), "http://a:2380".to_string()];
        assert_eq!(registration("n1", &urls), "n1=http://a:2380,n1=http://b:2380");
    }

    #[test]
    fn cluster_strings() {
        let ns = [node("/t/1", "a=http://a:2380"), node("/t/2", "b=http://b:2380")];
        assert_eq!(nodes_to_cluster(&ns, 2).unwrap(), "a=http://a:2380,b=http://b:2380");
        assert_eq!(nodes_to_cluster(&ns, 3), Err(Error::DuplicateName));
        let dup = [node("/t/1", "a=http://a:2380"), node("/t/2", "a=http://b:2380")];
        assert_eq!(nodes_to_cluster(&dup, 2), Err(Error::DuplicateName));
        assert_eq!(nodes_to_cluster(&[node("/t/1", "garbage")], 1), Err(Error::InvalidUrl));
    }
}
