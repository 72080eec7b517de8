//! Tokens and discovery URLs.
//!
//! A token is 16 random bytes in lower-case hex (32 characters), as discovery.etcd.io makes
//! them. Its entries live in the store under [`REGISTRY`]:
//!
//! ```text
//! /_etcd/registry/<token>/_config/size   = "3"
//! /_etcd/registry/<token>/<member ID>    = "name=http://10.0.0.1:2380"
//! /_disco/owners/<token>/<member ID>     = the client address that registered it (disco serve)
//! ```
//!
//! A discovery URL is `scheme://host[:port]/path`: the members talk to `scheme://host[:port]`
//! and the path names the token's directory there — `/<token>` on a discovery service,
//! `/v2/keys/discovery/<id>` straight on a store.

use std::io::Read;

/// Where discovery.etcd.io keeps tokens in its store.
pub const REGISTRY: &str = "/_etcd/registry";

/// Length of a token in hex characters.
pub const TOKEN_LEN: usize = 32;

/// A token could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot read random bytes for a token: {0}")]
pub struct NoRandomness(#[from] std::io::Error);

/// A new token from the kernel's random source (never from anything guessable).
pub fn generate() -> Result<String, NoRandomness> {
    let mut buf = [0u8; TOKEN_LEN / 2];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `s` is a token as the service's routes accept it (`[a-f0-9]{32}`).
pub fn is_token(s: &str) -> bool {
    s.len() == TOKEN_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The store directory of `token`.
pub fn registry_dir(token: &str) -> String {
    format!("{REGISTRY}/{token}")
}

/// A discovery URL split into where to connect and which directory to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveryUrl {
    /// The whole URL, as given (etcd hashes it into the member IDs).
    pub url: String,
    /// `scheme://host[:port]`.
    pub endpoint: String,
    /// The path: the token's directory at the endpoint, e.g. `/3e86…` or `/v2/keys/discovery/x`.
    pub dir: String,
}

impl DiscoveryUrl {
    /// Parses `http[s]://host[:port]/path` (https checked against the Mozilla roots, as a
    /// public discovery service is); a URL without a path names no token.
    pub fn parse(url: &str) -> Result<DiscoveryUrl, String> {
        let (scheme, rest) =
            url.split_once("://").ok_or_else(|| format!("discovery URL {url:?} is not an http:// URL"))?;
        if !matches!(scheme, "http" | "https") {
            return Err(format!("discovery URL {url:?} is not an http:// or https:// URL"));
        }
        if rest.contains(['?', '#']) {
            return Err(format!("discovery URL {url:?} must not have a query or fragment"));
        }
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(format!("discovery URL {url:?} names no host"));
        }
        let dir = path.trim_end_matches('/');
        if dir.is_empty() {
            return Err(format!("discovery URL {url:?} names no token (expected http://HOST/TOKEN)"));
        }
        Ok(DiscoveryUrl {
            url: url.to_string(),
            endpoint: format!("{scheme}://{host}"),
            dir: dir.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_lower_hex() {
        let t = generate().unwrap();
        assert!(is_token(&t), "{t}");
        assert_ne!(t, generate().unwrap());
        assert!(!is_token("3E86B59982E49066C5D813AF1C2E2579"));
        assert!(!is_token("3e86"));
        assert_eq!(registry_dir(&t), format!("/_etcd/registry/{t}"));
    }

    #[test]
    fn discovery_urls() {
        let d = DiscoveryUrl::parse("http://127.0.0.1:8087/3e86b59982e49066c5d813af1c2e2579").unwrap();
        assert_eq!(d.endpoint, "http://127.0.0.1:8087");
        assert_eq!(d.dir, "/3e86b59982e49066c5d813af1c2e2579");
        let d = DiscoveryUrl::parse("http://etcd:2379/v2/keys/discovery/abc/").unwrap();
        assert_eq!(d.endpoint, "http://etcd:2379");
        assert_eq!(d.dir, "/v2/keys/discovery/abc");
        assert_eq!(
            DiscoveryUrl::parse("https://discovery.etcd.io/x").unwrap().endpoint,
            "https://discovery.etcd.io"
        );
        assert!(DiscoveryUrl::parse("http://host:1").unwrap_err().contains("no token"));
        assert!(DiscoveryUrl::parse("http://host/x?y").is_err());
        assert!(DiscoveryUrl::parse("host/x").is_err());
    }
}
