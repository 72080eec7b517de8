//! Where `$private_ipv4` and the other addresses come from, in order of precedence: flags, an
//! EC2-style metadata service, an OpenStack config drive, `COREOS_*` variables in the
//! environment, then in `/etc/environment`. The metadata service and the config drive also give a
//! hostname and SSH keys, as in coreos-cloudinit.

use serde::Serialize;
use std::path::{Path, PathBuf};

use super::fetch::Fetch;

/// The four address tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Token {
    PrivateIpv4,
    PublicIpv4,
    PrivateIpv6,
    PublicIpv6,
}

impl Token {
    pub const ALL: [Token; 4] =
        [Token::PrivateIpv4, Token::PublicIpv4, Token::PrivateIpv6, Token::PublicIpv6];

    /// `private_ipv4`
    pub fn name(self) -> &'static str {
        match self {
            Token::PrivateIpv4 => "private_ipv4",
            Token::PublicIpv4 => "public_ipv4",
            Token::PrivateIpv6 => "private_ipv6",
            Token::PublicIpv6 => "public_ipv6",
        }
    }

    /// `COREOS_PRIVATE_IPV4`
    pub fn env(self) -> String {
        format!("COREOS_{}", self.name().to_uppercase())
    }

    /// The `--private-ipv4` flag.
    pub fn flag(self) -> String {
        format!("--{}", self.name().replace('_', "-"))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "where", rename_all = "kebab-case")]
pub enum Origin {
    Flag,
    Metadata(String),
    ConfigDrive(String),
    Environment,
    EtcEnvironment(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => write!(f, "a flag"),
            Origin::Metadata(u) => write!(f, "the metadata service {u}"),
            Origin::ConfigDrive(d) => write!(f, "the config drive {d}"),
            Origin::Environment => write!(f, "the environment"),
            Origin::EtcEnvironment(p) => write!(f, "{p}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address {
    pub value: String,
    pub origin: Origin,
}

/// What the sources gave.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metadata {
    addresses: [Option<Address>; 4],
    /// A hostname from the metadata service or config drive.
    pub hostname: Option<String>,
    /// SSH keys from the metadata service or config drive (added to the SSH user's).
    pub ssh_public_keys: Vec<String>,
}

impl Metadata {
    pub fn get(&self, t: Token) -> Option<&Address> {
        self.addresses[t.index()].as_ref()
    }
    pub fn set(&mut self, t: Token, value: String, origin: Origin) {
        self.addresses[t.index()] = Some(Address { value, origin });
    }
    fn offer(&mut self, t: Token, value: Option<String>, origin: &Origin) {
        if self.addresses[t.index()].is_none()
            && let Some(v) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
        {
            self.set(t, v, origin.clone());
        }
    }
    /// (token name, address) for every known one, for output.
    pub fn known(&self) -> Vec<(Token, &Address)> {
        Token::ALL.iter().filter_map(|t| self.get(*t).map(|a| (*t, a))).collect()
    }
}

/// Where to look.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// `--private-ipv4` and the others, in [`Token::ALL`]'s order.
    pub flags: [Option<String>; 4],
    /// The metadata service's root (`http://169.254.169.254`).
    pub metadata_url: Option<String>,
    /// How requests to it go (timeout, retries, TLS).
    pub fetch: Fetch,
    pub config_drive: Option<PathBuf>,
    /// The process environment (`COREOS_PRIVATE_IPV4`…).
    pub env: Vec<(String, String)>,
    /// `ROOT/etc/environment`.
    pub etc_environment: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the metadata service {0}: {1}")]
    Metadata(String, String),
    #[error("the config drive: {0}: {1}")]
    ConfigDrive(String, String),
}

/// Asks every source, in order of precedence; the first to give a value wins.
pub fn gather(s: &Sources) -> Result<Metadata, Error> {
    let mut md = Metadata::default();
    for t in Token::ALL {
        if let Some(v) = &s.flags[t.index()] {
            md.set(t, v.clone(), Origin::Flag);
        }
    }
    if let Some(url) = &s.metadata_url {
        ec2(&mut md, url.trim_end_matches('/'), &s.fetch)?;
    }
    if let Some(dir) = &s.config_drive {
        config_drive(&mut md, dir)?;
    }
    for t in Token::ALL {
        let v = s.env.iter().find(|(k, _)| *k == t.env()).map(|(_, v)| v.clone());
        md.offer(t, v, &Origin::Environment);
    }
    if let Some(path) = &s.etc_environment
        && let Ok(text) = std::fs::read_to_string(path)
    {
        let origin = Origin::EtcEnvironment(path.display().to_string());
        let pairs = crate::unit::environment::parse_environment_file(&text).unwrap_or_default();
        for t in Token::ALL {
            let v = pairs.iter().rev().find(|(k, _)| *k == t.env()).map(|(_, v)| v.clone());
            md.offer(t, v, &origin);
        }
    }
    Ok(md)
}

/// EC2's instance metadata (`/latest/meta-data/…`): `local-ipv4`, `public-ipv4`, `ipv6`,
/// `hostname`, `public-keys/N/openssh-key`. A path answered 404 is simply absent.
fn ec2(md: &mut Metadata, root: &str, fetch: &Fetch) -> Result<(), Error> {
    let origin = Origin::Metadata(root.to_string());
    let get = |path: &str| -> Result<Option<String>, Error> {
        let url = format!("{root}/latest/meta-data/{path}");
        fetch
            .get(&url)
            .map(|b| b.map(|b| String::from_utf8_lossy(&b).trim().to_string()))
            .map_err(|e| Error::Metadata(root.to_string(), e))
    };
    md.offer(Token::PrivateIpv4, get("local-ipv4")?, &origin);
    md.offer(Token::PublicIpv4, get("public-ipv4")?, &origin);
    md.offer(Token::PublicIpv6, get("ipv6")?, &origin);
    if md.hostname.is_none() {
        md.hostname = get("hostname")?.filter(|h| !h.is_empty());
    }
    if let Some(list) = get("public-keys")? {
        for line in list.lines() {
            let idx = line.split('=').next().unwrap_or("").trim();
            if idx.is_empty() || !idx.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some(k) = get(&format!("public-keys/{idx}/openssh-key"))? {
                md.ssh_public_keys.push(k);
            }
        }
    }
    Ok(())
}

/// An OpenStack config drive: `openstack/latest/meta_data.json` (`hostname`, `public_keys`)
/// and the EC2-compatible `ec2/latest/meta-data.json` (`local-ipv4`, `public-ipv4`) that
/// OpenStack writes beside it.
fn config_drive(md: &mut Metadata, dir: &Path) -> Result<(), Error> {
    let origin = Origin::ConfigDrive(dir.display().to_string());
    let read = |rel: &str| -> Result<Option<serde_json::Value>, Error> {
        let p = dir.join(rel);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| Error::ConfigDrive(p.display().to_string(), e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::ConfigDrive(p.display().to_string(), e.to_string())),
        }
    };
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    if let Some(ec2) = read("ec2/latest/meta-data.json")? {
        md.offer(Token::PrivateIpv4, s(&ec2, "local-ipv4"), &origin);
        md.offer(Token::PublicIpv4, s(&ec2, "public-ipv4"), &origin);
        md.offer(Token::PublicIpv6, s(&ec2, "ipv6"), &origin);
    }
    if let Some(meta) = read("openstack/latest/meta_data.json")? {
        if md.hostname.is_none() {
            md.hostname = s(&meta, "hostname");
        }
        if let Some(keys) = meta.get("public_keys").and_then(|k| k.as_object()) {
            let mut names: Vec<_> = keys.keys().collect();
            names.sort();
            for n in names {
                if let Some(k) = keys[n].as_str() {
                    md.ssh_public_keys.push(k.trim().to_string());
                }
            }
        }
    }
    Ok(())
}
