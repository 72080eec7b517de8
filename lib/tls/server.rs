//! A server's side of TLS: its certificate (reloaded when its files change, so a renewed
//! certificate needs no restart) and, with client-certificate authentication on, the CA every
//! client's certificate must chain to.

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;

use super::Error;
use super::files::{self, Named};
use super::reload::Reloading;

/// The files behind a server's TLS, as named by its flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerFiles {
    pub cert: Named,
    pub key: Named,
    /// The CA client certificates are checked against (`--trusted-ca-file`).
    pub trusted_ca: Option<Named>,
    /// Refuse clients without a certificate that chains to `trusted_ca` (`--client-cert-auth`).
    pub client_cert_auth: bool,
}

/// A server's TLS, ready for an acceptor.
#[derive(Clone)]
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls")
    }
}

impl ServerTls {
    /// Reads and checks every file (so a bad one is reported before anything is bound).
    pub fn load(f: &ServerFiles) -> Result<ServerTls, Error> {
        let resolver = Arc::new(Reloading::new(f.cert.clone(), f.key.clone())?);
        let builder = ServerConfig::builder_with_provider(super::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(e.to_string()))?;
        let builder = match (&f.trusted_ca, f.client_cert_auth) {
            (Some(ca), auth) => {
                let roots = Arc::new(files::roots(ca)?);
                let v = WebPkiClientVerifier::builder_with_provider(roots, super::provider());
                let v = if auth { v } else { v.allow_unauthenticated() };
                builder.with_client_cert_verifier(v.build().map_err(|e| Error::Config(e.to_string()))?)
            }
            (None, true) => {
                return Err(Error::Config(
                    "client certificate authentication needs a CA to check them against (--trusted-ca-file)"
                        .into(),
                ));
            }
            (None, false) => builder.with_no_client_auth(),
        };
        let mut config = builder.with_cert_resolver(resolver);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls { config: Arc::new(config) })
    }

    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}
