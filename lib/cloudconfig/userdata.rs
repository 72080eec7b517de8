//! User-data: where it comes from (a file, stdin, a URL, an OpenStack config drive, an EC2-style
//! metadata service) and what it is — classified as coreos-cloudinit classifies it, by its first
//! line after gunzipping.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::fetch::Fetch;

/// What the user-data is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// First line exactly `#cloud-config` (trailing whitespace ignored).
    CloudConfig,
    /// First line starts with `#!`: run as a unit.
    Script,
    /// JSON with `ignition.version` or `ignitionVersion`: not for cfg-init (nothing is done).
    Ignition,
    /// Nothing (or only whitespace).
    Empty,
    /// Anything else.
    Unrecognized,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CloudConfig => "cloud-config",
            Kind::Script => "script",
            Kind::Ignition => "ignition",
            Kind::Empty => "empty",
            Kind::Unrecognized => "unrecognized",
        }
    }
}

/// User-data read and decoded.
#[derive(Clone, Debug)]
pub struct UserData {
    /// Where it came from, for messages (`cloud-config.yml`, `-`, a URL).
    pub origin: String,
    pub text: String,
    pub kind: Kind,
    /// It was gzipped.
    pub gzipped: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0}: {1}")]
    Fetch(String, String),
    #[error("{0}: not valid gzip data: {1}")]
    Gzip(String, std::io::Error),
    #[error("{0}: the user-data is not UTF-8 text (byte {1})")]
    NotText(String, usize),
}

/// Where to read user-data from.
#[derive(Clone, Debug)]
pub enum Source {
    File(PathBuf),
    Stdin,
    Url {
        url: String,
        fetch: Fetch,
    },
    /// `DIR/openstack/latest/user_data`
    ConfigDrive(PathBuf),
}

impl Source {
    /// A file name, `-`, or an `http://`/`https://` URL.
    pub fn from_arg(arg: &str, fetch: &Fetch) -> Source {
        if arg == "-" {
            Source::Stdin
        } else if arg.starts_with("http://") || arg.starts_with("https://") {
            Source::Url { url: arg.to_string(), fetch: fetch.clone() }
        } else {
            Source::File(PathBuf::from(arg))
        }
    }

    pub fn origin(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin => "-".into(),
            Source::Url { url, .. } => url.clone(),
            Source::ConfigDrive(d) => config_drive_user_data(d).display().to_string(),
        }
    }

    /// Reads the raw bytes. A config drive without user-data, or a URL answering 404, is empty
    /// user-data (as coreos-cloudinit treats a datasource without any).
    pub fn read(&self) -> Result<Vec<u8>, Error> {
        let origin = self.origin();
        match self {
            Source::File(p) => std::fs::read(p).map_err(|e| Error::Read(origin, e)),
            Source::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).map_err(|e| Error::Read(origin, e))?;
                Ok(buf)
            }
            Source::Url { url, fetch } => match fetch.get(url) {
                Ok(Some(body)) => Ok(body),
                Ok(None) => Ok(Vec::new()),
                Err(e) => Err(Error::Fetch(origin, e)),
            },
            Source::ConfigDrive(d) => match std::fs::read(config_drive_user_data(d)) {
                Ok(b) => Ok(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(Error::Read(origin, e)),
            },
        }
    }

    pub fn load(&self) -> Result<UserData, Error> {
        decode(self.origin(), self.read()?)
    }
}

pub fn config_drive_user_data(dir: &Path) -> PathBuf {
    dir.join("openstack/latest/user_data")
}

/// Gunzips (when gzipped), checks it is text, and classifies it.
pub fn decode(origin: String, bytes: Vec<u8>) -> Result<UserData, Error> {
    let gzipped = bytes.starts_with(&[0x1f, 0x8b]);
    let bytes = if gzipped {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::Gzip(origin.clone(), e))?;
        out
    } else {
        bytes
    };
    let text =
        String::from_utf8(bytes).map_err(|e| Error::NotText(origin.clone(), e.utf8_error().valid_up_to()))?;
    let kind = classify(&text);
    Ok(UserData { origin, text, kind, gzipped })
}

/// coreos-cloudinit's rules (`initialize/user_data.go`), on already gunzipped text.
pub fn classify(text: &str) -> Kind {
    if text.trim().is_empty() {
        return Kind::Empty;
    }
    let first = text.split('\n').next().unwrap_or("");
    if first.trim_end() == "#cloud-config" {
        return Kind::CloudConfig;
    }
    if first.starts_with("#!") {
        return Kind::Script;
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text)
        && (v.get("ignitionVersion").is_some() || v.pointer("/ignition/version").is_some())
    {
        return Kind::Ignition;
    }
    Kind::Unrecognized
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("#cloud-config\nhostname: x\n"), Kind::CloudConfig);
        assert_eq!(classify("#cloud-config  \r\nhostname: x\r\n"), Kind::CloudConfig);
        assert_eq!(classify("\u{feff}#cloud-config\n"), Kind::Unrecognized);
        assert_eq!(classify("#!/bin/sh\necho hi\n"), Kind::Script);
        assert_eq!(classify(""), Kind::Empty);
        assert_eq!(classify("  \n"), Kind::Empty);
        assert_eq!(classify("{\"ignition\":{\"version\":\"2.0.0\"}}"), Kind::Ignition);
        assert_eq!(classify("{\"ignitionVersion\":1}"), Kind::Ignition);
        assert_eq!(classify("[Unit]\nDescription=x\n"), Kind::Unrecognized);
        assert_eq!(classify("#cloud-configX\n"), Kind::Unrecognized);
    }

    #[test]
    fn gzipped_user_data_is_unpacked() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"#cloud-config\nhostname: a\n").unwrap();
        let ud = decode("x".into(), gz.finish().unwrap()).unwrap();
        assert!(ud.gzipped);
        assert_eq!(ud.kind, Kind::CloudConfig);
        assert!(decode("x".into(), vec![0x1f, 0x8b, 1, 2]).is_err());
    }
}
