//! `disco serve`: the discovery service. Real etcd members and clients cannot tell it from
//! discovery.etcd.io: the same routes and method rules (gorilla/mux's), the same answers byte
//! for byte (see [`super::gohttp`]), the same token format and key layout in any etcd v2
//! store. What it adds: sizes checked (1–max), tokens that can expire, member entries that
//! only their registrant can change or delete ([`super::guard`]), a per-client request limit
//! ([`super::limit`]), several store endpoints with failover, and a clear 503 when the store
//! is down (the original dropped the connection).
//!
//! | route | methods | answer |
//! |---|---|---|
//! | `/new?size=N` | any | a new token URL, `HOST/<token>`, no newline |
//! | `/<token>`, `/<token>/` | GET, PUT | the store's `/v2/keys/_etcd/registry/<token>` |
//! | `/<token>/<id>` | GET, PUT, DELETE | the store's `…/<token>/<id>` |
//! | `/<token>/_config/size` | GET | the store's `…/<token>/_config/size` |
//! | `/health` | any | `OK` after making and deleting a token |
//! | `/robots.txt` | any | no robots |
//! | `/` | any | 301 to the cluster-discovery documentation |
//! | `/metrics` | any | request counters (Prometheus text) |

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response};
use parking_lot::Mutex;

use super::forward::{self, Forward};
use super::gohttp::{self, GoResponse, Shape};
use super::limit::{Limiter, Limits, Permit};
use super::{guard, registry, token};
use crate::api::http::Body;
use crate::client::{self, Client};

/// Where `/` sends visitors (the original's target).
pub const HOME: &str = "https://coreos.com/docs/cluster-management/setup/cluster-discovery/";

/// What `disco serve` is told.
#[derive(Clone, Debug)]
pub struct Config {
    /// The store's client URLs (tried in turn).
    pub endpoints: Vec<String>,
    /// `scheme://host[:port]` that token URLs start with.
    pub host: String,
    /// Where to listen.
    pub addrs: Vec<SocketAddr>,
    /// Seconds a token lives (0: forever, as the original).
    pub token_ttl: u64,
    /// The largest size `/new` accepts.
    pub max_size: u64,
    pub limits: Limits,
    /// Read the client's address from this header (set by a reverse proxy in front).
    pub client_header: Option<String>,
    /// Per store request (long polls excepted).
    pub request_timeout: Duration,
    /// A long poll (`wait=true`) the store has not answered within this is answered with an
    /// empty 200, on which etcd's clients (and lib/client) simply poll again: a watch whose
    /// client went away holds its thread no longer than this.
    pub watch_limit: Duration,
    /// HTTPS (with client certificates when it has a trusted CA).
    pub tls: Option<crate::tls::ServerTls>,
    /// TLS toward the store.
    pub client_tls: crate::tls::ClientTls,
}

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Start(String),
}

/// `mustHostOnlyURL` (of the store's URL): `scheme://host[:port]`, with the original's
/// messages for a query, a fragment or no host; a path, which the original drops silently,
/// is refused too (a store URL with a path is a mistake).
pub fn host_only_url(u: &str) -> Result<String, String> {
    let (scheme, rest) = match u.split_once("://") {
        Some((s, r)) if !s.is_empty() => (s, r),
        _ => ("", u),
    };
    if scheme.is_empty() && u.split('/').next().unwrap_or("").contains(':') {
        return Err(format!(
            "Invalid url given: parse {u:?}: first path segment in URL cannot contain colon"
        ));
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.find('/') {
        Some(i) if !scheme.is_empty() => (&rest[..i], &rest[i..]),
        _ if scheme.is_empty() => ("", rest),
        _ => (rest, ""),
    };
    if !query.is_empty() {
        return Err(format!("Expected url without query (?{query})"));
    }
    if !fragment.is_empty() {
        return Err(format!("Expected url without fragment ({fragment})"));
    }
    if host.is_empty() {
        return Err("Expected hostname (none given)".into());
    }
    if !path.is_empty() && path != "/" {
        return Err(format!("Expected url without path ({path})"));
    }
    Ok(format!("{scheme}://{host}"))
}

/// Go's listen address: `:8087` (every address), `127.0.0.1:8087`, `[::1]:8087`, `host:port`.
pub fn listen_addrs(addr: &str) -> Result<Vec<SocketAddr>, String> {
    let (host, port) =
        addr.rsplit_once(':').ok_or_else(|| format!("address {addr}: missing port in address"))?;
    let port: u16 = port.parse().map_err(|_| format!("address {addr}: bad port {port:?}"))?;
    if host.is_empty() {
        return Ok(vec![SocketAddr::from(([0, 0, 0, 0], port))]);
    }
    use std::net::ToSocketAddrs;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| format!("address {addr}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("address {addr}: resolves to no address"));
    }
    Ok(addrs)
}

/// Counters for `/metrics`: (endpoint, code, method) → requests.
type Counters = Mutex<BTreeMap<(&'static str, u16, String), u64>>;

struct State {
    cfg: Config,
    client: Client,
    limiter: Arc<Limiter>,
    counters: Counters,
}

/// Runs the service until SIGTERM or SIGINT. Blocks the calling thread.
pub fn run(cfg: Config) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .map_err(|e| Error::Start(format!("cannot start the runtime: {e}")))?;
    let client = Client::new(client::Config {
        request_timeout: cfg.request_timeout,
        tls: cfg.client_tls.clone(),
        ..client::Config::new(cfg.endpoints.clone())
    });
    let state =
        Arc::new(State { limiter: Limiter::new(cfg.limits), client, counters: Default::default(), cfg });
    runtime.block_on(async move {
        let mut listeners = Vec::new();
        for a in &state.cfg.addrs {
            let l = tokio::net::TcpListener::bind(a)
                .await
                .map_err(|e| Error::Start(format!("cannot listen on {a}: {e}")))?;
            listeners.push(l);
        }
        log::info!(
            "discovery server started with etcd {:?} and host {:?}",
            state.cfg.endpoints.join(","),
            state.cfg.host
        );
        for l in listeners {
            if let Ok(a) = l.local_addr() {
                log::info!("discovery serving on {a}");
            }
            let state = state.clone();
            let opts = crate::api::http::Options {
                title_case_headers: true,
                tls: state.cfg.tls.as_ref().map(|t| t.acceptor()),
            };
            tokio::spawn(crate::api::http::serve_from(l, opts, move |req, peer| {
                handle(state.clone(), req, peer)
            }));
        }
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            return Err(Error::Start("cannot handle SIGTERM".into()));
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        log::info!("stopping");
        Ok(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// The client's address: the peer's, or what the configured header says.
fn client_ip(cfg: &Config, req: &Request<Incoming>, peer: SocketAddr) -> IpAddr {
    if let Some(h) = &cfg.client_header
        && let Some(v) = req.headers().get(h.as_str()).and_then(|v| v.to_str().ok())
        && let Some(ip) = v.rsplit(',').next().and_then(|s| s.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

async fn handle(state: Arc<State>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let shape = Shape { head: req.method() == hyper::Method::HEAD };
    let ip = client_ip(&state.cfg, &req, peer);
    let permit = match state.limiter.admit(ip) {
        Ok(p) => p,
        Err(why) => {
            log::debug!("{ip}: {} {}: refused: {why}", req.method(), req.uri());
            return GoResponse::error(429, &format!("429 Too Many Requests: {why}"))
                .add("Retry-After", "1")
                .into_hyper(shape);
        }
    };
    route(&state, req, ip, permit).await.into_hyper(shape)
}

/// The service's answer to one request, before the server's additions. `permit` is the
/// request's place in its client's limit: a token request hands it to the thread that talks
/// to the store, so a request whose client left still counts until that thread is done.
async fn route(state: &Arc<State>, req: Request<Incoming>, ip: IpAddr, permit: Permit) -> GoResponse {
    let method = req.method().as_str().to_string();
    let Ok(path) = crate::api::form::unescape_path(req.uri().path()) else {
        return GoResponse::error(400, "400 Bad Request");
    };
    // Go's ServeMux: an unclean path is redirected to its clean form, query kept.
    let clean = gohttp::clean_path(&path);
    if clean != path && method != "CONNECT" {
        let mut url = crate::api::form::escape_path(&clean);
        if let Some(q) = req.uri().query() {
            url.push('?');
            url.push_str(q);
        }
        return GoResponse::redirect(&method, &url, 301);
    }
    match path.as_str() {
        "/metrics" => return metrics(state),
        "/" => return GoResponse::redirect(&method, HOME, 301),
        "/new" => {
            let r = new_token(state, req).await;
            count(state, "new", r.status, &method);
            return r;
        }
        "/health" => {
            let r = health(state).await;
            count(state, "health", r.status, &method);
            return r;
        }
        "/robots.txt" => return GoResponse::new(200).body("User-agent: *\nDisallow: /"),
        _ => {}
    }
    // The token routes, in gorilla/mux's order; a path that matches with another method is 405.
    let segs: Vec<&str> = path[1..].split('/').collect();
    let (tok, rest, allowed): (&str, String, &[&str]) = match segs.as_slice() {
        [t] if token::is_token(t) => (t, String::new(), &["GET", "PUT"]),
        [t, ""] if token::is_token(t) => (t, String::new(), &["GET", "PUT"]),
        [t, m] if token::is_token(t) => (t, m.to_string(), &["GET", "PUT", "DELETE"]),
        [t, "_config", "size"] if token::is_token(t) => (t, "_config/size".into(), &["GET"]),
        _ => return GoResponse::not_found(),
    };
    if !allowed.contains(&method.as_str()) {
        return GoResponse::method_not_allowed();
    }
    let r = token_request(state, req, &method, tok.to_string(), rest, ip, permit).await;
    count(state, "token", r.status, &method);
    r
}

fn count(state: &State, endpoint: &'static str, code: u16, method: &str) {
    *state.counters.lock().entry((endpoint, code, method.to_string())).or_default() += 1;
}

fn metrics(state: &State) -> GoResponse {
    let mut out = String::new();
    for endpoint in ["health", "new", "token"] {
        out.push_str(&format!(
            "# HELP endpoint_{endpoint}_requests_total How many /{endpoint} requests processed, partitioned by status code and HTTP method.\n# TYPE endpoint_{endpoint}_requests_total counter\n"
        ));
        for ((e, code, method), n) in state.counters.lock().iter() {
            if *e == endpoint {
                out.push_str(&format!(
                    "endpoint_{endpoint}_requests_total{{code=\"{code}\",method=\"{method}\"}} {n}\n"
                ));
            }
        }
    }
    GoResponse::new(200).add("Content-Type", "text/plain; version=0.0.4; charset=utf-8").body(out)
}

/// Reads a request body of at most 1 MiB (a registration is a few hundred bytes).
async fn body_of(req: Request<Incoming>) -> Result<(Option<String>, Bytes), GoResponse> {
    let ct = req.headers().get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    match crate::api::http::read_body_limited(req.into_body(), 1 << 20).await {
        Ok(b) => Ok((ct, b)),
        Err(e) => Err(GoResponse::error(400, &e.to_string())),
    }
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

fn store_down(e: &client::Error) -> GoResponse {
    log::warn!("the store did not answer: {e}");
    GoResponse::error(
        503,
        &format!("503 Service Unavailable: the discovery store did not answer: {}", e.to_string().trim_end()),
    )
}

async fn new_token(state: &Arc<State>, req: Request<Incoming>) -> GoResponse {
    let query = req.uri().query().unwrap_or("").to_string();
    let method = req.method().clone();
    let (ct, body) = match body_of(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Go's FormValue: a form body's values first, then the query's.
    let mut pairs = Vec::new();
    let is_form = ct
        .as_deref()
        .is_some_and(|c| c.split(';').next().unwrap_or("").trim() == "application/x-www-form-urlencoded");
    if is_form && matches!(method, hyper::Method::POST | hyper::Method::PUT | hyper::Method::PATCH) {
        pairs = gohttp::query_pairs(&String::from_utf8_lossy(&body));
    }
    pairs.extend(gohttp::query_pairs(&query));
    let size = match pairs.iter().find(|(k, _)| k == "size").map(|(_, v)| v.as_str()).unwrap_or("") {
        "" => 3,
        s => match gohttp::atoi(s) {
            Ok(n) => n,
            Err(e) => return GoResponse::error(400, &e),
        },
    };
    if let Err(e) = registry::check_size(size, state.cfg.max_size) {
        return GoResponse::error(400, &e);
    }
    let st = state.clone();
    match blocking(move || registry::new_token(&st.client, size, st.cfg.token_ttl)).await {
        Some(Ok(t)) => {
            log::info!("New cluster created {t}");
            GoResponse::new(200).body(format!("{}/{t}", state.cfg.host.trim_end_matches('/')))
        }
        Some(Err(e)) => {
            log::warn!("setupToken returned: {e}");
            GoResponse::error(400, "Unable to generate token")
        }
        None => GoResponse::error(500, "internal error"),
    }
}

async fn health(state: &Arc<State>) -> GoResponse {
    let st = state.clone();
    let r = blocking(move || {
        let t = registry::new_token(&st.client, 0, 0).map_err(|e| ("health failed to setupToken", e))?;
        registry::delete(&st.client, &token::registry_dir(&t))
            .map_err(|e| ("health failed to deleteToken", e))
    })
    .await;
    match r {
        Some(Ok(())) => GoResponse::new(200).body("OK"),
        Some(Err((what, e))) => {
            log::warn!("{what} {e}");
            GoResponse::error(400, what)
        }
        None => GoResponse::error(500, "internal error"),
    }
}

async fn token_request(
    state: &Arc<State>,
    req: Request<Incoming>,
    method: &str,
    tok: String,
    rest: String,
    ip: IpAddr,
    permit: Permit,
) -> GoResponse {
    let query = req.uri().query().map(str::to_string);
    let (content_type, body) = match body_of(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let method = method.to_string();
    let st = state.clone();
    let client_addr = ip.to_string();
    let answer = blocking(move || {
        let _permit = permit;
        let c = &st.client;
        let writes = method == "PUT" || method == "DELETE";
        let entry = (!rest.is_empty()).then_some(rest.as_str());
        if writes {
            let create_only = gohttp::query_pairs(query.as_deref().unwrap_or(""))
                .iter()
                .any(|(k, v)| k == "prevExist" && crate::api::form::parse_bool(v) == Ok(false));
            match guard::check(c, &tok, &method, entry, create_only, &client_addr) {
                Ok(Ok(())) => {}
                Ok(Err(refused)) => {
                    log::info!("{client_addr}: {method} /{tok}/{rest} refused: {}", refused.0);
                    return GoResponse::error(403, &format!("403 Forbidden: {}", refused.0));
                }
                Err(e) => return store_down(&e),
            }
        }
        let f = Forward {
            method: &method,
            token: &tok,
            rest: &rest,
            query: query.as_deref(),
            content_type,
            body,
        };
        match forward::forward(c, &f, st.cfg.watch_limit) {
            Ok(r) => {
                if writes
                    && (200..300).contains(&r.status)
                    && let Some(entry) = entry
                {
                    guard::record(c, &tok, &method, entry, &client_addr, st.cfg.token_ttl);
                }
                r
            }
            Err(e) => store_down(&e),
        }
    })
    .await;
    answer.unwrap_or_else(|| GoResponse::error(500, "internal error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_urls_like_the_original() {
        assert_eq!(host_only_url("http://127.0.0.1:2379").unwrap(), "http://127.0.0.1:2379");
        assert_eq!(host_only_url("https://discovery.example.com/").unwrap(), "https://discovery.example.com");
        assert_eq!(host_only_url("http://h/x").unwrap_err(), "Expected url without path (/x)");
        assert_eq!(host_only_url("http://h?a=1").unwrap_err(), "Expected url without query (?a=1)");
        assert_eq!(host_only_url("http://h#f").unwrap_err(), "Expected url without fragment (f)");
        assert_eq!(host_only_url("h").unwrap_err(), "Expected hostname (none given)");
        assert_eq!(host_only_url("http://").unwrap_err(), "Expected hostname (none given)");
        assert!(host_only_url("127.0.0.1:2379").unwrap_err().starts_with("Invalid url given"));
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_addrs(":8087").unwrap(), vec![SocketAddr::from(([0, 0, 0, 0], 8087))]);
        assert_eq!(listen_addrs("127.0.0.5:1").unwrap(), vec![SocketAddr::from(([127, 0, 0, 5], 1))]);
        assert!(listen_addrs("8087").is_err());
    }
}
