//! A server's side of TLS: its certificate (reloaded when its files change, so a renewed
//! certificate needs no restart) and, with client-certificate authentication on, the CA every
//! client's certificate must chain to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;

use super::Error;
use super::files::{self, Named};

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

/// Files are looked at again at most this often (on a handshake).
const RECHECK: Duration = Duration::from_secs(1);

type Stamp = Option<(u64, std::time::SystemTime, u64)>;

/// The certificate, reloaded on a handshake when its files have changed. A replacement that
/// does not load (half written, or a key that does not match) is logged and the certificate
/// in use kept.
#[derive(Debug)]
struct Reloading {
    cert: Named,
    key: Named,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    current: Arc<CertifiedKey>,
    stamps: (Stamp, Stamp),
    checked: Instant,
}

impl Reloading {
    fn new(cert: Named, key: Named) -> Result<Reloading, Error> {
        let stamps = (files::stamp(&cert.path), files::stamp(&key.path));
        let current = files::certified_key(&cert, &key)?;
        Ok(Reloading { cert, key, state: Mutex::new(State { current, stamps, checked: Instant::now() }) })
    }

    fn current(&self) -> Arc<CertifiedKey> {
        let mut s = self.state.lock();
        if s.checked.elapsed() >= RECHECK {
            s.checked = Instant::now();
            let stamps = (files::stamp(&self.cert.path), files::stamp(&self.key.path));
            if stamps != s.stamps {
                s.stamps = stamps;
                match files::certified_key(&self.cert, &self.key) {
                    Ok(k) => {
                        log::info!("reloaded the certificate {}", self.cert.path.display());
                        s.current = k;
                    }
                    Err(e) => log::warn!("keeping the certificate in use: {e}"),
                }
            }
        }
        s.current.clone()
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}
