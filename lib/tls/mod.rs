//! TLS for every port and every client: kv-serve's client and peer URLs, the agent's remote
//! port, `disco serve`, and every program's connections to them. rustls with the `ring`
//! provider (it builds with the C compiler alone; aws-lc-rs, rustls' default, needs cmake).
//!
//! | module | concept |
//! |---|---|
//! | [`files`] | certificates and keys read from PEM files, with errors that name the flag and file |
//! | [`reload`] | a certificate reloaded when its files change, presented by a server or a client |
//! | [`server`] | a server's side: its certificate; client certificates required or not |
//! | [`client`] | a client's side: the CA to trust, the certificate to present |
//! | [`auto`] | self-signed certificates for `--auto-tls` and `--peer-auto-tls` |
//! | [`identity`] | who a client certificate names (its common name) |
//! | [`verify`] | the verifier behind `--insecure-skip-tls-verify` (signatures checked, the chain not) |

pub mod auto;
pub mod client;
pub mod files;
pub mod identity;
pub mod reload;
pub mod server;
pub mod verify;

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

pub use client::{ClientFiles, ClientTls};
pub use server::{ServerFiles, ServerTls};

/// The one crypto provider every TLS config here uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Why TLS could not be set up. Every message names the flag and the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{flag} {path}: cannot read: {err}")]
    Read { flag: String, path: String, err: std::io::Error },
    #[error("{flag} {path}: {what}")]
    Content { flag: String, path: String, what: String },
    #[error("{key_flag} {key} does not match {cert_flag} {cert}: the key is not the certificate's")]
    Mismatch { cert_flag: String, cert: String, key_flag: String, key: String },
    #[error("{0}")]
    Config(String),
}
