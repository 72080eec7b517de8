//! Certificates and keys read from PEM files, as etcd's flags name them, with errors that say
//! which flag, which file and what is wrong with it — checked before anything is bound.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::Error;

/// A file named by a flag (`--cert-file /etc/kv/server.pem`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub flag: String,
    pub path: PathBuf,
}

impl Named {
    pub fn new(flag: &str, path: impl Into<PathBuf>) -> Named {
        Named { flag: flag.to_string(), path: path.into() }
    }

    fn read(&self) -> Result<Vec<u8>, Error> {
        std::fs::read(&self.path).map_err(|err| Error::Read {
            flag: self.flag.clone(),
            path: self.path.display().to_string(),
            err,
        })
    }

    fn content(&self, what: impl Into<String>) -> Error {
        Error::Content { flag: self.flag.clone(), path: self.path.display().to_string(), what: what.into() }
    }
}

/// Every certificate in a PEM file (a chain: the end entity first).
pub fn certs(f: &Named) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem = f.read()?;
    let mut out = Vec::new();
    for c in CertificateDer::pem_slice_iter(&pem) {
        out.push(c.map_err(|e| f.content(format!("not a PEM certificate file: {e}")))?);
    }
    if out.is_empty() {
        return Err(f.content("no certificate in it (expected -----BEGIN CERTIFICATE-----)"));
    }
    Ok(out)
}

/// The private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn key(f: &Named) -> Result<PrivateKeyDer<'static>, Error> {
    let pem = f.read()?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => {
            f.content("no private key in it (expected -----BEGIN PRIVATE KEY----- or a RSA/EC key)")
        }
        e => f.content(format!("not a PEM private key: {e}")),
    })
}

/// A certificate chain with its key, checked to belong together.
pub fn certified_key(cert: &Named, key_file: &Named) -> Result<Arc<CertifiedKey>, Error> {
    let chain = certs(cert)?;
    let der = key(key_file)?;
    let signing = super::provider()
        .key_provider
        .load_private_key(der)
        .map_err(|e| key_file.content(format!("unusable private key: {e}")))?;
    let ck = CertifiedKey::new(chain, signing);
    match ck.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(Arc::new(ck)),
        Err(rustls::Error::InconsistentKeys(_)) => Err(Error::Mismatch {
            cert_flag: cert.flag.clone(),
            cert: cert.path.display().to_string(),
            key_flag: key_file.flag.clone(),
            key: key_file.path.display().to_string(),
        }),
        Err(e) => Err(cert.content(format!("unusable certificate: {e}"))),
    }
}

/// The trust anchors of a CA bundle.
pub fn roots(f: &Named) -> Result<RootCertStore, Error> {
    let mut store = RootCertStore::empty();
    for c in certs(f)? {
        store.add(c).map_err(|e| f.content(format!("not a usable CA certificate: {e}")))?;
    }
    Ok(store)
}

/// What changes when a file is replaced or rewritten: size, modification time, inode.
pub fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?, m.ino()))
}
