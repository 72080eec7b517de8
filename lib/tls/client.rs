//! A client's side of TLS, from etcdctl's flags: the CA bundle to check servers against
//! (`--ca-file`; else the Mozilla roots, for public https endpoints), the certificate to present
//! (`--cert-file`, `--key-file`), or no check at all (`--insecure-skip-tls-verify`).
//! One set of files gives both the blocking client's (ureq) and the async one's (hyper) config.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::ClientConfig;

use super::Error;
use super::files::{self, Named};

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

/// A client's TLS, loaded and checked.
#[derive(Clone)]
pub struct ClientTls {
    rustls: Arc<ClientConfig>,
    ureq: ureq::tls::TlsConfig,
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
        let mut ureq_b = ureq::tls::TlsConfig::builder().unversioned_rustls_crypto_provider(provider.clone());
        let builder = if f.insecure_skip_verify {
            ureq_b = ureq_b.disable_verification(true);
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(super::verify::AnyCertificate(provider.clone())))
        } else if let Some(ca) = &f.ca {
            let roots = files::roots(ca)?;
            let certs: Vec<ureq::tls::Certificate<'static>> =
                files::certs(ca)?.iter().map(|c| ureq::tls::Certificate::from_der(c).to_owned()).collect();
            ureq_b = ureq_b.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
            builder.with_root_certificates(roots)
        } else {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            builder.with_root_certificates(roots)
        };
        let config = match (&f.cert, &f.key) {
            (Some(cert), Some(key)) => {
                let ck = files::certified_key(cert, key)?;
                let der = files::key(key)?;
                let chain: Vec<ureq::tls::Certificate<'static>> =
                    ck.cert.iter().map(|c| ureq::tls::Certificate::from_der(c).to_owned()).collect();
                let pem = std::fs::read(&key.path).unwrap_or_default();
                let pk = ureq::tls::PrivateKey::from_pem(&pem)
                    .map_err(|e| Error::Config(format!("{} {}: {e}", key.flag, key.path.display())))?;
                ureq_b = ureq_b.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, pk)));
                builder
                    .with_client_auth_cert(ck.cert.clone(), der.clone_key())
                    .map_err(|e| Error::Config(format!("{}: {e}", key.path.display())))?
            }
            (Some(_), None) => return Err(Error::Config("--cert-file needs --key-file".into())),
            (None, Some(_)) => return Err(Error::Config("--key-file needs --cert-file".into())),
            (None, None) => builder.with_no_client_auth(),
        };
        Ok(ClientTls { rustls: Arc::new(config), ureq: ureq_b.build() })
    }

    /// For the blocking client.
    pub fn ureq(&self) -> ureq::tls::TlsConfig {
        self.ureq.clone()
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

/// The connector type of every hyper client here.
pub type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
