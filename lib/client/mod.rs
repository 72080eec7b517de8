//! A blocking client for the etcd v2 API, shared by every corekit program that talks to the
//! store (`kv` first). It behaves like etcd's own Go client, so tools built on it report the
//! same answers and errors as `etcdctl`:
//!
//! - a list of endpoints, tried in turn: the endpoint that last answered stays pinned, and a
//!   connection error or 5xx answer moves on to the next (see [`transport`]);
//! - [`Client::sync`] learns the cluster's client URLs from `/v2/members`;
//! - per-request timeout (connect + answer headers) and an optional deadline for a whole
//!   command; long polls (watches) ignore both once connected.
//!
//! | module | concept |
//! |---|---|
//! | [`endpoints`] | where the endpoint list comes from, and URL checks |
//! | [`transport`] | one request with failover, and Go's error texts |
//! | [`keys`] | `/v2/keys`: nodes, get/set/create/delete, watchers |
//! | [`members`] | `/v2/members` and `/health` |
//! | [`error`] | etcd errors and cluster errors |

pub mod endpoints;
pub mod error;
pub mod keys;
pub mod members;
pub mod transport;

use std::time::{Duration, Instant};

use parking_lot::Mutex;

pub use error::{Error, EtcdError};
pub use keys::{DeleteOptions, GetOptions, Node, PrevExist, Response, SetOptions, Watcher};
pub use members::{Health, Member};
pub use transport::{Answer, Request, Timeouts, check_proxy};

/// How to reach the cluster.
#[derive(Clone, Debug)]
pub struct Config {
    pub endpoints: Vec<String>,
    /// Per request: connect and receive the answer's headers (etcdctl's `--timeout`, 2 s).
    pub request_timeout: Duration,
    /// TLS for `https://` endpoints (etcdctl's `--ca-file`, `--cert-file`, `--key-file`).
    pub tls: crate::tls::ClientTls,
    /// HTTP basic auth on every request (etcdctl's `--username user:password`).
    pub credentials: Option<Credentials>,
}

impl Config {
    pub fn new(endpoints: Vec<String>) -> Config {
        Config {
            endpoints,
            request_timeout: Duration::from_secs(2),
            tls: crate::tls::ClientTls::default(),
            credentials: None,
        }
    }
}

/// A user name and password, sent as HTTP basic auth.
pub use crate::auth::access::Credentials;

/// What few clients need ([`Client::with_options`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// What key paths are relative to: `/v2/keys` for a store; `""` for a discovery URL,
    /// whose path already names the keys (etcd's `NewKeysAPIWithPrefix(c, "")`).
    pub key_prefix: String,
    /// An HTTP proxy to reach the endpoints through (`--discovery-proxy`); check it with
    /// [`transport::check_proxy`] first: one that does not parse is not used.
    pub proxy: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options { key_prefix: keys::KEYS_PREFIX.to_string(), proxy: None }
    }
}

struct State {
    endpoints: Vec<String>,
    pinned: usize,
    deadline: Option<Instant>,
}

/// A client for one cluster. Cheap to share by reference; all methods take `&self`.
pub struct Client {
    transport: transport::Transport,
    state: Mutex<State>,
    key_prefix: String,
}

impl Client {
    pub fn new(cfg: Config) -> Client {
        Client::with_options(cfg, Options::default())
    }

    /// A client with a key prefix other than `/v2/keys`, or an HTTP proxy.
    pub fn with_options(cfg: Config, o: Options) -> Client {
        Client {
            transport: transport::Transport::new(
                Timeouts { request: cfg.request_timeout },
                o.proxy.as_deref(),
                &cfg.tls,
                cfg.credentials.as_ref().map(Credentials::header),
            ),
            state: Mutex::new(State { endpoints: cfg.endpoints, pinned: 0, deadline: None }),
            key_prefix: o.key_prefix,
        }
    }

    /// The endpoints in use (after a sync, the cluster's client URLs).
    pub fn endpoints(&self) -> Vec<String> {
        self.state.lock().endpoints.clone()
    }

    /// Every request after this (except long polls) fails with
    /// [`Error::DeadlineExceeded`] once `deadline` has passed; `None` lifts the limit.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.state.lock().deadline = deadline;
    }

    /// The endpoint requests go to first: the one that answered last.
    pub fn pinned_endpoint(&self) -> Option<String> {
        let s = self.state.lock();
        s.endpoints.get(s.pinned).cloned()
    }

    /// Sends `req` to the pinned endpoint, failing over to the others in turn.
    pub fn send(&self, req: &Request) -> Result<Answer, Error> {
        let (eps, start, deadline) = {
            let s = self.state.lock();
            (s.endpoints.clone(), s.pinned, s.deadline)
        };
        let (answer, i) = self.transport.send(&eps, start, req, deadline)?;
        let mut s = self.state.lock();
        if s.endpoints == eps {
            s.pinned = i;
        }
        Ok(answer)
    }

    /// Sends a long poll that ends with [`Error::Idle`] after `idle` without an event.
    pub fn send_watch(&self, req: &Request, idle: Duration) -> Result<Answer, Error> {
        let (eps, start) = {
            let s = self.state.lock();
            (s.endpoints.clone(), s.pinned)
        };
        let (answer, i) = self.transport.send_idle(&eps, start, req, None, Some(idle))?;
        let mut s = self.state.lock();
        if s.endpoints == eps {
            s.pinned = i;
        }
        Ok(answer)
    }

    /// Opens a streaming GET (see [`keys::Client::watch_stream`]), failing over like [`Client::send`].
    pub(crate) fn open_stream(&self, req: &Request, limit: Duration) -> Result<transport::Opened, Error> {
        let (eps, start) = {
            let s = self.state.lock();
            (s.endpoints.clone(), s.pinned)
        };
        let (got, i) = self.transport.open(&eps, start, req, limit)?;
        let mut s = self.state.lock();
        if s.endpoints == eps {
            s.pinned = i;
        }
        Ok(got)
    }

    /// Sends `req` to one URL only; the error is Go's text for what happened.
    pub fn send_to(&self, url: &str, req: &Request) -> Result<Answer, String> {
        let deadline = self.state.lock().deadline;
        match self.transport.send(&[url.to_string()], 0, req, deadline) {
            Ok((a, _)) => Ok(a),
            Err(Error::Cluster(mut errs)) if errs.len() == 1 => Err(errs.remove(0)),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Replaces the endpoints with the client URLs the cluster publishes in `/v2/members`,
    /// keeping the endpoint that answered first. Fails with [`Error::NoEndpoints`] when no
    /// member publishes one.
    pub fn sync(&self) -> Result<(), Error> {
        let (answer, members) = {
            let a = self.send(&Request::get("/v2/members".into()))?;
            if a.status != 200 {
                return Err(Error::UnexpectedStatus(a.status));
            }
            let m: serde_json::Value =
                serde_json::from_str(&a.body).map_err(|e| Error::Decode(e.to_string()))?;
            (a, m)
        };
        let mut urls: Vec<String> = members["members"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["clientURLs"].as_array().into_iter().flatten())
            .filter_map(|u| u.as_str())
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        urls.sort();
        urls.dedup();
        if urls.is_empty() {
            return Err(Error::NoEndpoints);
        }
        // Start with the endpoint that just answered when the cluster publishes it.
        let pinned = urls.iter().position(|u| *u == answer.endpoint).unwrap_or(0);
        let mut s = self.state.lock();
        s.endpoints = urls;
        s.pinned = pinned;
        Ok(())
    }
}
