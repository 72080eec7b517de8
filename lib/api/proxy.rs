//! etcd 2's proxy mode (`--proxy on|readonly`, and the fallback of a member that found its
//! discovery token full): a process without a member of its own that serves the client API
//! by passing every request on to the cluster's members.
//!
//! - It learns the members' client URLs from their peer URLs (`GET PEER/members`, as etcd's
//!   proxy does), at start and every `--proxy-refresh-interval` (every second while it knows
//!   none), and keeps the peer URLs in `DATA_DIR/proxy/cluster` (`{"PeerURLs":[…]}`, written
//!   atomically), which later starts use instead of discovery or `--initial-cluster`.
//! - A request goes to the available members in a shuffled order; one that cannot be
//!   reached is marked unavailable for `--proxy-failure-wait` and the next is tried. The
//!   answer — status, headers, body — is passed back as it streams (watches included).
//! - `--proxy readonly` answers anything but GET with 501. `/v2/config/local/proxy` lists the
//!   endpoints in use. Errors are etcd's: 503 `proxy: zero endpoints currently available`,
//!   502 `proxy: unable to get response from N endpoint(s)`.
//!
//! Time limits: `--proxy-dial-timeout` to connect; `--proxy-write-timeout` for a member to
//! take a request and answer its headers (long polls, `wait=true`, excepted);
//! `--proxy-read-timeout` (0: none) for the longest pause in an answer, headers included.
//! Unlike etcd's, a failed refresh keeps the endpoints it knew rather than dropping them all.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::http::{self, Resp};

/// What a proxy is told.
#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// The cluster's peer URLs to start from.
    pub peer_urls: Vec<String>,
    pub readonly: bool,
    pub failure_wait: Duration,
    pub refresh_interval: Duration,
    pub dial_timeout: Duration,
    pub write_timeout: Duration,
    /// 0: none.
    pub read_timeout: Duration,
    /// `--cors`, as a member applies it.
    pub cors: super::cors::Cors,
    /// TLS toward the members (their peer and client URLs).
    pub tls: crate::tls::ClientTls,
}

/// Where a proxy keeps the cluster's peer URLs, relative to the data dir.
pub const CLUSTER_FILE: &str = "proxy/cluster";

#[derive(Serialize, Deserialize)]
struct ClusterFile {
    #[serde(rename = "PeerURLs")]
    peer_urls: Vec<String>,
}

/// The peer URLs a previous start kept, if any (a data dir that is a proxy's).
pub fn stored_peers(data_dir: &Path) -> Result<Option<Vec<String>>, String> {
    let path = data_dir.join(CLUSTER_FILE);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice::<ClusterFile>(&b)
            .map(|c| Some(c.peer_urls))
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes the peer URLs to the cluster file (creating `DATA_DIR/proxy`, mode 0700).
pub fn store_peers(data_dir: &Path, peer_urls: &[String]) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    let path = data_dir.join(CLUSTER_FILE);
    let dir = path.parent().expect("the cluster file is in a directory");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let body = serde_json::to_vec(&ClusterFile { peer_urls: peer_urls.to_vec() }).expect("serializable");
    crate::os::file::write_atomic(&path, &body).map_err(|e| format!("{}: {e}", path.display()))
}

struct Endpoint {
    url: String,
    failed_until: Option<Instant>,
}

struct Director {
    endpoints: Vec<Endpoint>,
    peer_urls: Vec<String>,
}

/// A running proxy's state.
pub struct Proxy {
    cfg: Config,
    director: Mutex<Director>,
    client: hyper_util::client::legacy::Client<crate::tls::client::Connector, Full<Bytes>>,
    seed: Mutex<u64>,
}

/// Headers of one hop only; never passed on (etcd's list).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

impl Proxy {
    pub fn new(cfg: Config) -> Arc<Proxy> {
        let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
        connector.set_connect_timeout(Some(cfg.dial_timeout));
        connector.set_nodelay(true);
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(128)
            .build(cfg.tls.connector(connector));
        let seed = crate::os::clock::now_micros() | 1;
        let peer_urls = cfg.peer_urls.clone();
        Arc::new(Proxy {
            cfg,
            director: Mutex::new(Director { endpoints: Vec::new(), peer_urls }),
            client,
            seed: Mutex::new(seed),
        })
    }

    fn shuffle<T>(&self, v: &mut [T]) {
        let mut s = self.seed.lock();
        for i in (1..v.len()).rev() {
            *s ^= *s << 13;
            *s ^= *s >> 7;
            *s ^= *s << 17;
            v.swap(i, (*s % (i as u64 + 1)) as usize);
        }
    }

    /// The client URLs in use now.
    pub fn endpoints(&self) -> Vec<String> {
        self.director.lock().endpoints.iter().map(|e| e.url.clone()).collect()
    }

    fn available(&self) -> Vec<String> {
        let now = Instant::now();
        let mut d = self.director.lock();
        for e in d.endpoints.iter_mut() {
            if e.failed_until.is_some_and(|t| now >= t) {
                e.failed_until = None;
                log::info!("proxy: marked endpoint {} available, to retest connectivity", e.url);
            }
        }
        d.endpoints.iter().filter(|e| e.failed_until.is_none()).map(|e| e.url.clone()).collect()
    }

    fn failed(&self, url: &str) {
        let mut d = self.director.lock();
        if let Some(e) = d.endpoints.iter_mut().find(|e| e.url == url)
            && e.failed_until.is_none()
        {
            e.failed_until = Some(Instant::now() + self.cfg.failure_wait);
            log::info!("proxy: marked endpoint {url} unavailable");
        }
    }

    /// Asks the members (through their peer URLs) for the cluster; updates the endpoints and
    /// the cluster file. Blocking: run it off the async threads.
    pub fn refresh(&self) {
        let peers = self.director.lock().peer_urls.clone();
        let c = crate::client::Client::new(crate::client::Config {
            request_timeout: Duration::from_secs(10).min(self.cfg.dial_timeout * 10),
            tls: self.cfg.tls.clone(),
            ..crate::client::Config::new(Vec::new())
        });
        for p in &peers {
            let members = match c.peer_members(p) {
                Ok((_, m)) => m,
                Err(e) => {
                    log::warn!("proxy: could not get cluster response from {p}: {e}");
                    continue;
                }
            };
            if members.is_empty() {
                continue;
            }
            let mut clients: Vec<String> = members
                .iter()
                .flat_map(|m| m.client_urls.iter().map(|u| u.trim_end_matches('/').to_string()))
                .collect();
            clients.sort();
            clients.dedup();
            let mut new_peers: Vec<String> = members.iter().flat_map(|m| m.peer_urls.clone()).collect();
            new_peers.sort();
            new_peers.dedup();
            if let Err(e) = store_peers(&self.cfg.data_dir, &new_peers) {
                log::warn!("proxy: error on writing urls {e}");
            }
            self.shuffle(&mut clients);
            let mut d = self.director.lock();
            if new_peers != d.peer_urls {
                log::info!(
                    "proxy: updated peer urls in cluster file from {:?} to {:?}",
                    d.peer_urls,
                    new_peers
                );
                d.peer_urls = new_peers;
            }
            let mut old: Vec<String> = d.endpoints.iter().map(|e| e.url.clone()).collect();
            old.sort();
            let mut now = clients.clone();
            now.sort();
            if old != now {
                log::info!("proxy: endpoints found {clients:?}");
            }
            // Keep what is known about an endpoint's failure across refreshes.
            let previous = std::mem::take(&mut d.endpoints);
            d.endpoints = clients
                .into_iter()
                .map(|url| {
                    let failed_until = previous.iter().find(|e| e.url == url).and_then(|e| e.failed_until);
                    Endpoint { url, failed_until }
                })
                .collect();
            return;
        }
    }

    /// Refreshes forever: every `refresh_interval`, or every second while no endpoint is known.
    pub async fn refresh_forever(self: Arc<Self>) {
        loop {
            let me = self.clone();
            let _ = tokio::task::spawn_blocking(move || me.refresh()).await;
            let none = self.director.lock().endpoints.is_empty();
            let wait = if none {
                self.cfg.refresh_interval.min(Duration::from_secs(1))
            } else {
                self.cfg.refresh_interval
            };
            tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
        }
    }
}

fn json_error(status: StatusCode, msg: &str) -> Resp {
    http::json(status, &serde_json::json!({ "message": msg }))
}

/// Serves one client request.
pub async fn route(p: Arc<Proxy>, req: Request<Incoming>, peer: std::net::SocketAddr) -> Resp {
    if let Some(r) = http::missing_host(&req) {
        return r;
    }
    if let Some(r) = p.cfg.cors.preflight(&req) {
        return r;
    }
    let origin = super::cors::origin(&req);
    let cors = p.cfg.cors.clone();
    let mut resp = route_request(p, req, peer).await;
    cors.decorate(origin.as_ref(), &mut resp);
    resp
}

async fn route_request(p: Arc<Proxy>, req: Request<Incoming>, peer: std::net::SocketAddr) -> Resp {
    if req.uri().path() == "/v2/config/local/proxy" {
        if req.method() != hyper::Method::GET {
            let mut r = http::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
            http::set_header(&mut r, "Allow", "GET");
            return r;
        }
        let eps: Vec<String> = p.available();
        return http::json(StatusCode::OK, &serde_json::json!({ "endpoints": eps }));
    }
    if p.cfg.readonly && req.method() != hyper::Method::GET {
        let mut r = http::text(StatusCode::NOT_IMPLEMENTED, "");
        *r.body_mut() = http::empty();
        r.headers_mut().remove(hyper::header::CONTENT_TYPE);
        return r;
    }
    let (parts, body) = req.into_parts();
    let body = match http::read_body(body).await {
        Ok(b) => b,
        Err(e) => {
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("proxy: failed to read request body: {e}"),
            );
        }
    };
    let endpoints = p.available();
    if endpoints.is_empty() {
        log::warn!("proxy: zero endpoints currently available");
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "proxy: zero endpoints currently available");
    }
    let long_poll = parts
        .uri
        .query()
        .map(|q| q.split('&').any(|kv| matches!(kv.split_once('='), Some(("wait", v)) if crate::api::form::parse_bool(v) == Ok(true))))
        .unwrap_or(false);
    let path_and_query = parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let mut forwarded = peer.ip().to_string();
    if let Some(prior) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        forwarded = format!("{prior}, {forwarded}");
    }
    for ep in &endpoints {
        let uri: hyper::Uri = match format!("{ep}{path_and_query}").parse() {
            Ok(u) => u,
            Err(_) => continue,
        };
        let mut out =
            Request::builder().method(parts.method.clone()).uri(uri).version(hyper::Version::HTTP_11);
        for (k, v) in parts.headers.iter() {
            if !HOP_BY_HOP.contains(&k.as_str()) && k != hyper::header::HOST {
                out = out.header(k, v);
            }
        }
        out = out.header("X-Forwarded-For", forwarded.as_str());
        let Ok(out) = out.body(Full::new(body.clone())) else { continue };
        let send = p.client.request(out);
        let limit = match (long_poll, p.cfg.read_timeout.is_zero()) {
            (true, true) => None,
            (true, false) => Some(p.cfg.read_timeout),
            (false, true) => Some(p.cfg.write_timeout),
            (false, false) => Some(p.cfg.write_timeout.min(p.cfg.read_timeout)),
        };
        let answer = match limit {
            Some(l) => match tokio::time::timeout(l, send).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no answer within {l:?}")),
            },
            None => send.await.map_err(|e| e.to_string()),
        };
        match answer {
            Ok(resp) => {
                let (rparts, rbody) = resp.into_parts();
                let mut r = Response::new(
                    IdleLimited { inner: rbody, idle: p.cfg.read_timeout, timer: None }.boxed(),
                );
                *r.status_mut() = rparts.status;
                for (k, v) in rparts.headers.iter() {
                    if !HOP_BY_HOP.contains(&k.as_str()) {
                        r.headers_mut().append(k, v.clone());
                    }
                }
                return r;
            }
            Err(e) => {
                log::warn!("proxy: failed to direct request to {ep}: {e}");
                p.failed(ep);
            }
        }
    }
    let msg = format!("proxy: unable to get response from {} endpoint(s)", endpoints.len());
    log::warn!("{msg}");
    json_error(StatusCode::BAD_GATEWAY, &msg)
}

/// A member's answer streamed on, ended early if it pauses longer than `idle` (0: never) or
/// breaks (the client then sees a short answer, as with etcd's proxy).
struct IdleLimited {
    inner: Incoming,
    idle: Duration,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for IdleLimited {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(f))) => {
                self.timer = None;
                Poll::Ready(Some(Ok(f)))
            }
            Poll::Ready(Some(Err(e))) => {
                log::warn!("proxy: the member's answer broke off: {e}");
                Poll::Ready(None)
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if self.idle.is_zero() {
                    return Poll::Pending;
                }
                let idle = self.idle;
                let t = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match t.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        log::warn!("proxy: the member's answer paused longer than {idle:?}");
                        Poll::Ready(None)
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Serves the proxy on `listeners` until the returned future is dropped.
pub async fn serve(p: Arc<Proxy>, listeners: Vec<http::Bound>, tls: Option<crate::tls::ServerTls>) {
    tokio::spawn(p.clone().refresh_forever());
    for b in listeners {
        log::info!("proxy: listening for client requests on {}", b.describe());
        let p = p.clone();
        let opts = b.options(tls.as_ref());
        tokio::spawn(http::serve_from(b.listener, opts, move |req, peer| route(p.clone(), req, peer)));
    }
    std::future::pending::<()>().await
}

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_file_round_trip() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(super::stored_peers(d.path()).unwrap(), None);
        let peers = vec!["http://127.0.0.1:2380".to_string()];
        super::store_peers(d.path(), &peers).unwrap();
        assert_eq!(super::stored_peers(d.path()).unwrap(), Some(peers));
        let text = std::fs::read_to_string(d.path().join(super::CLUSTER_FILE)).unwrap();
        assert_eq!(text, r#"{"PeerURLs":["http://127.0.0.1:2380"]}"#);
    }
}
