//! Fetching over HTTP(S) — user-data from a URL, the metadata service: each try bounded by a
//! timeout, failures tried again with back-off, and TLS as etcdctl's flags give it (`--ca-file`
//! for a private CA, `--cert-file`/`--key-file` for a client certificate; the Mozilla roots
//! otherwise).

use std::time::Duration;

use crate::tls::ClientTls;

/// How requests go.
#[derive(Clone, Debug)]
pub struct Fetch {
    /// Each try's bound.
    pub timeout: Duration,
    /// How many more times a failed try is made.
    pub retries: u32,
    /// How https:// servers are checked, and the certificate shown to them.
    pub tls: ClientTls,
}

impl Default for Fetch {
    fn default() -> Fetch {
        Fetch { timeout: Duration::from_secs(2), retries: 3, tls: ClientTls::default() }
    }
}

impl Fetch {
    /// GETs `url`: `Some(body)` for 200, `None` for 404; other statuses and failures are retried
    /// (`self.retries` more times, with a back-off from 100 ms doubling to 2 s), each try bounded by
    /// `timeout`.
    pub fn get(&self, url: &str) -> Result<Option<Vec<u8>>, String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .user_agent("cfg-init (corekit)")
            .timeout_global(Some(self.timeout))
            .tls_config(self.tls.ureq())
            .build()
            .into();
        let mut backoff = Duration::from_millis(100);
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                log::debug!("retrying {url} in {backoff:?} ({last})");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            match agent.get(url).call() {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    match status {
                        200 => match resp.body_mut().with_config().limit(64 << 20).read_to_vec() {
                            Ok(b) => return Ok(Some(b)),
                            Err(e) => last = e.to_string(),
                        },
                        404 => return Ok(None),
                        s => last = format!("HTTP status {s}"),
                    }
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("{last} (after {} tries)", self.retries + 1))
    }
}
