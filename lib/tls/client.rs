//! A client's side of TLS, from etcdctl's flags: the CA bundle to check servers against
//! (`--ca-file`; else the Mozilla roots, for public https endpoints), the certificate to present
//! (`--cert-file`, `--key-file`), or no check at all (`--insecure-skip-tls-verify`).
//! One set of files gives both the blocking client's (ureq) and the async one's (hyper) config.

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use rustls::ClientConfig;

use super::Error;
use super::files::{self, Named};
use super::reload::Reloading;

/// The files behind a client's TLS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientFiles {
    pub ca: Option<Named>,
    pub cert: Option<Named>,
    pub key: Option<Named>,
    /// Accept any server certificate (still checking the handshake's signature).
    pub insecure_skip_verify: bool,
}

impl ClientFiles {
    /// etcdctl's three flags, named as given.
    pub fn from_flags(ca: Option<PathBuf>, cert: Option<PathBuf>, key: Option<PathBuf>) -> ClientFiles {
        ClientFiles {
            ca: ca.map(|p| Named::new("--ca-file", p)),
            cert: cert.map(|p| Named::new("--cert-file", p)),
            key: key.map(|p| Named::new("--key-file", p)),
            insecure_skip_verify: false,
        }
    }
}

/// A client's TLS, loaded and checked. Its certificate is reloaded when the files change (see
/// [`super::reload`]): the hyper connector's config asks for it on every handshake, and
/// [`ClientTls::ureq`] gives a config with the current one (a blocking client that lives long
/// rebuilds its agent when [`ClientTls::generation`] moves).
#[derive(Clone)]
pub struct ClientTls {
    rustls: Arc<ClientConfig>,
    files: Arc<ClientFiles>,
    reload: Option<Arc<Reloading>>,
    /// The blocking client's config, and the certificate generation it was made with.
    ureq: Arc<Mutex<(u64, ureq::tls::TlsConfig)>>,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientTls")
    }
}

impl Default for ClientTls {
    /// The defaults (Mozilla roots, no certificate), built once: every client config starts
    /// from them.
    fn default() -> ClientTls {
        static DEFAULT: std::sync::OnceLock<ClientTls> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(|| ClientTls::load(&ClientFiles::default()).expect("the defaults read no file"))
            .clone()
    }
}

impl ClientTls {
    pub fn load(f: &ClientFiles) -> Result<ClientTls, Error> {
        let provider = super::provider();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(e.to_string()))?;
        let builder = if f.insecure_skip_verify {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(super::verify::AnyCertificate(provider.clone())))
        } else if let Some(ca) = &f.ca {
            builder.with_root_certificates(files::roots(ca)?)
        } else {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            builder.with_root_certificates(roots)
        };
        let (config, reload) = match (&f.cert, &f.key) {
            (Some(cert), Some(key)) => {
                let reload = Arc::new(Reloading::new(cert.clone(), key.clone())?);
                (builder.with_client_cert_resolver(reload.clone()), Some(reload))
            }
            // Named as the program names the pair (`--peer-cert-file`, `--discovery-key-file`…).
            (Some(cert), None) => {
                let key = cert.flag.replace("cert-file", "key-file");
                return Err(Error::Config(format!("{} needs {key}", cert.flag)));
            }
            (None, Some(key)) => {
                let cert = key.flag.replace("key-file", "cert-file");
                return Err(Error::Config(format!("{} needs {cert}", key.flag)));
            }
            (None, None) => (builder.with_no_client_auth(), None),
        };
        let ureq = ureq_config(f)?;
        Ok(ClientTls {
            rustls: Arc::new(config),
            files: Arc::new(f.clone()),
            reload,
            ureq: Arc::new(Mutex::new((0, ureq))),
        })
    }

    /// How many times the client certificate was replaced since it was loaded (0 without one).
    pub fn generation(&self) -> u64 {
        self.reload.as_ref().map_or(0, |r| r.current().1)
    }

    /// For the blocking client: the current certificate's config.
    pub fn ureq(&self) -> ureq::tls::TlsConfig {
        let generation = self.generation();
        let mut u = self.ureq.lock();
        if u.0 != generation {
            match ureq_config(&self.files) {
                Ok(c) => *u = (generation, c),
                Err(e) => log::warn!("keeping the client certificate in use: {e}"),
            }
        }
        u.1.clone()
    }

    /// A connector for hyper's client that speaks http:// and https://.
    pub fn connector(
        &self,
        http: hyper_util::client::legacy::connect::HttpConnector,
    ) -> hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector> {
        let mut http = http;
        http.enforce_http(false);
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*self.rustls).clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http)
    }
}

/// The blocking client's config from the files (read again each time: it is made anew only
/// when the certificate changed).
fn ureq_config(f: &ClientFiles) -> Result<ureq::tls::TlsConfig, Error> {
    let mut b = ureq::tls::TlsConfig::builder().unversioned_rustls_crypto_provider(super::provider());
    if f.insecure_skip_verify {
        b = b.disable_verification(true);
    } else if let Some(ca) = &f.ca {
        let certs: Vec<ureq::tls::Certificate<'static>> =
            files::certs(ca)?.iter().map(|c| ureq::tls::Certificate::from_der(c).to_owned()).collect();
        b = b.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    if let (Some(cert), Some(key)) = (&f.cert, &f.key) {
        let chain: Vec<ureq::tls::Certificate<'static>> =
            files::certs(cert)?.iter().map(|c| ureq::tls::Certificate::from_der(c).to_owned()).collect();
        let pem = std::fs::read(&key.path).map_err(|err| Error::Read {
            flag: key.flag.clone(),
            path: key.path.display().to_string(),
            err,
        })?;
        let pk = ureq::tls::PrivateKey::from_pem(&pem)
            .map_err(|e| Error::Config(format!("{} {}: {e}", key.flag, key.path.display())))?;
        b = b.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, pk)));
    }
    Ok(b.build())
}

/// The connector type of every hyper client here.
pub type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
