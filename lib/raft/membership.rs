//! Who is in the cluster: members, their IDs and URLs, and the cluster ID.
//!
//! IDs are derived the way etcd derives them, so a corekit member started with the same
//! `--initial-cluster` and `--initial-cluster-token` as an etcd member gets the same ID:
//! member ID = first 8 bytes (big-endian) of SHA-1(sorted peer URLs ++ cluster token),
//! cluster ID = first 8 bytes of SHA-1(sorted member IDs, 8 bytes big-endian each).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: u64,
    pub name: String,
    #[serde(rename = "peerURLs")]
    pub peer_urls: Vec<String>,
    #[serde(rename = "clientURLs")]
    pub client_urls: Vec<String>,
}

impl Member {
    /// A member of the initial cluster: its ID comes from its peer URLs and the token.
    pub fn new(name: &str, peer_urls: &[String], token: &str) -> Member {
        Member::with_salt(name, peer_urls, token, None)
    }

    /// A member added to a running cluster (`POST /v2/members`): as in etcd, the current
    /// unix time is hashed in too, so re-adding the same URLs later gives a new ID.
    pub fn added(peer_urls: &[String], token: &str, unix_secs: u64) -> Member {
        Member::with_salt("", peer_urls, token, Some(unix_secs))
    }

    fn with_salt(name: &str, peer_urls: &[String], token: &str, salt: Option<u64>) -> Member {
        let mut urls = peer_urls.to_vec();
        urls.sort();
        let mut h = Sha1::new();
        for u in &urls {
            h.update(u.as_bytes());
        }
        h.update(token.as_bytes());
        if let Some(t) = salt {
            h.update(t.to_string().as_bytes());
        }
        let d = h.finalize();
        Member {
            id: u64::from_be_bytes(d[..8].try_into().unwrap()),
            name: name.to_string(),
            peer_urls: urls,
            client_urls: Vec::new(),
        }
    }
}

/// The replicated membership. It is part of the state machine: saved in snapshots and
/// changed only by entries applied from the log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: u64,
    pub members: BTreeMap<u64, Member>,
}

impl Cluster {
    /// The cluster described by `--initial-cluster name=url,name=url,…` and the token.
    pub fn from_initial(initial: &str, token: &str) -> Result<Cluster, String> {
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for part in initial.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, url) =
                part.split_once('=').ok_or_else(|| format!("--initial-cluster: {part:?} is not NAME=URL"))?;
            if name.is_empty() {
                return Err(format!("--initial-cluster: {part:?} has an empty name"));
            }
            crate::raft::membership::check_url(url).map_err(|e| format!("--initial-cluster: {e}"))?;
            by_name.entry(name.to_string()).or_default().push(url.to_string());
        }
        if by_name.is_empty() {
            return Err("--initial-cluster is empty".into());
        }
        let mut members = BTreeMap::new();
        for (name, urls) in by_name {
            let m = Member::new(&name, &urls, token);
            if members.contains_key(&m.id) {
                return Err(format!("--initial-cluster: member {name} has the same peer URLs as another"));
            }
            members.insert(m.id, m);
        }
        let mut c = Cluster { id: 0, members };
        c.id = c.compute_id();
        Ok(c)
    }

    fn compute_id(&self) -> u64 {
        let mut h = Sha1::new();
        for id in self.members.keys() {
            h.update(id.to_be_bytes());
        }
        let d = h.finalize();
        u64::from_be_bytes(d[..8].try_into().unwrap())
    }

    pub fn member_by_name(&self, name: &str) -> Option<&Member> {
        self.members.values().find(|m| m.name == name)
    }

    /// Every member's ID and peer URLs (what the transport needs).
    pub fn peers(&self) -> Vec<(u64, Vec<String>)> {
        self.members.values().map(|m| (m.id, m.peer_urls.clone())).collect()
    }
}

/// Checks that `url` is an `http://host:port` URL (corekit speaks plain HTTP only).
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{url}: not an http:// or https:// URL"))?;
    let hostport = rest.trim_end_matches('/');
    if hostport.is_empty() || hostport.contains('/') {
        return Err(format!("{url}: expected http://HOST:PORT or https://HOST:PORT"));
    }
    let port = hostport.rsplit_once(':').map(|(_, p)| p).ok_or_else(|| format!("{url}: no port"))?;
    port.parse::<u16>().map_err(|_| format!("{url}: bad port {port:?}"))?;
    Ok(())
}

/// IDs print as etcd prints them: lowercase hex without leading zeros.
pub fn id_string(id: u64) -> String {
    format!("{id:x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_etcd_defaults() {
        // etcd's default single member: name "default", peer URL http://localhost:2380,
        // token "etcd-cluster" → member 8e9e05c52164694d, cluster cdf818194e3a8c32.
        let c = Cluster::from_initial("default=http://localhost:2380", "etcd-cluster").unwrap();
        let m = c.member_by_name("default").unwrap();
        assert_eq!(id_string(m.id), "8e9e05c52164694d");
        assert_eq!(id_string(c.id), "cdf818194e3a8c32");
    }

    #[test]
    fn bad_initial_cluster() {
        assert!(Cluster::from_initial("", "t").is_err());
        assert!(Cluster::from_initial("a", "t").is_err());
        assert!(Cluster::from_initial("a=https://x:1", "t").is_ok(), "https peer URLs are fine");
        assert!(Cluster::from_initial("a=ftp://x:1", "t").unwrap_err().contains("not an http"));
        assert!(Cluster::from_initial("a=http://x", "t").is_err());
        assert!(Cluster::from_initial("a=http://x:1,b=http://x:1", "t").is_err());
    }
}
