//! A certificate and key reloaded when their files change, so a renewed certificate needs no
//! restart — on either side of a connection: presented by a server on a handshake, and by a
//! client when a server asks for one (a member dialling its peers, a daemon talking to the
//! store). The files are looked at again on a handshake, at most once a second; a replacement
//! that does not load (half written, or a key that does not match) is logged and the
//! certificate in use kept.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::Error;
use super::files::{self, Named};

/// Files are looked at again at most this often.
const RECHECK: Duration = Duration::from_secs(1);

type Stamp = Option<(u64, std::time::SystemTime, u64)>;

#[derive(Debug)]
pub struct Reloading {
    cert: Named,
    key: Named,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    current: Arc<CertifiedKey>,
    stamps: (Stamp, Stamp),
    checked: Instant,
    /// How many times the certificate was replaced.
    generation: u64,
}

impl Reloading {
    pub fn new(cert: Named, key: Named) -> Result<Reloading, Error> {
        let stamps = (files::stamp(&cert.path), files::stamp(&key.path));
        let current = files::certified_key(&cert, &key)?;
        let state = State { current, stamps, checked: Instant::now(), generation: 0 };
        Ok(Reloading { cert, key, state: Mutex::new(state) })
    }

    /// The files behind it.
    pub fn files(&self) -> (&Named, &Named) {
        (&self.cert, &self.key)
    }

    /// The certificate to present now, and its generation.
    pub fn current(&self) -> (Arc<CertifiedKey>, u64) {
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
                        s.generation += 1;
                    }
                    Err(e) => log::warn!("keeping the certificate in use: {e}"),
                }
            }
        }
        (s.current.clone(), s.generation)
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current().0)
    }
}

impl ResolvesClientCert for Reloading {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let (key, _) = self.current();
        // A server that takes none of our key's schemes gets no certificate (and refuses us, if
        // it requires one), as rustls does with a fixed certificate.
        key.key.choose_scheme(sigschemes).is_some().then_some(key)
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate and its key as PEM.
    fn pair(name: &str) -> (String, String) {
        let params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn a_certificate_is_reloaded_when_its_files_change_and_kept_when_they_are_bad() {
        let d = tempfile::tempdir().unwrap();
        let (cert, key) = (d.path().join("c.pem"), d.path().join("k.pem"));
        let (c1, k1) = pair("one");
        std::fs::write(&cert, &c1).unwrap();
        std::fs::write(&key, &k1).unwrap();
        let r = Reloading::new(Named::new("--cert-file", &cert), Named::new("--key-file", &key)).unwrap();
        let (first, g) = r.current();
        assert_eq!(g, 0);
        let schemes = first.key.algorithm();
        assert!(matches!(schemes, rustls::SignatureAlgorithm::ECDSA));
        let ecdsa = [SignatureScheme::ECDSA_NISTP256_SHA256];
        let as_client: &dyn ResolvesClientCert = &r;
        assert!(as_client.has_certs());
        assert_eq!(as_client.resolve(&[], &ecdsa).unwrap().cert, first.cert);
        assert!(as_client.resolve(&[], &[SignatureScheme::ED25519]).is_none(), "no scheme in common");

        let (c2, k2) = pair("two");
        std::fs::write(&key, &k2).unwrap();
        std::fs::write(&cert, &c2).unwrap();
        std::thread::sleep(RECHECK + Duration::from_millis(100));
        let (second, g) = r.current();
        assert_eq!(g, 1);
        assert_ne!(second.cert, first.cert);
        assert_eq!(as_client.resolve(&[], &ecdsa).unwrap().cert, second.cert);

        // A half-written replacement (a key that is not the certificate's) is not taken.
        std::fs::write(&key, &k1).unwrap();
        std::thread::sleep(RECHECK + Duration::from_millis(100));
        let (kept, g) = r.current();
        assert_eq!((kept.cert.clone(), g), (second.cert.clone(), 1));
    }
}
