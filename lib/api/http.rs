//! HTTP plumbing shared by the client and peer listeners: binding URLs, the connection
//! limits that keep one bad client from hurting the others, body reading, responses.
//!
//! Limits (documented in kv-serve(1)):
//! - request line + headers: at most [`MAX_HEAD`] bytes, sent within [`HEADER_TIMEOUT`];
//! - a form body: at most [`MAX_BODY`] bytes, received within [`BODY_TIMEOUT`];
//!   otherwise the request gets an error (or the connection is closed) and nothing changes.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::cutoff::{self, Kind};
use crate::tls::identity::ClientName;

pub type Body = BoxBody<Bytes, Infallible>;
pub type Resp = Response<Body>;

pub const MAX_HEAD: usize = 64 * 1024;
pub const MAX_BODY: usize = 10 * 1024 * 1024;
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
pub const BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// Resolves `http://host:port` to the socket addresses to listen on.
pub fn resolve(url: &str) -> Result<Vec<SocketAddr>, String> {
    crate::raft::membership::check_url(url)?;
    let hostport = url.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
    use std::net::ToSocketAddrs;
    let addrs: Vec<SocketAddr> =
        hostport.to_socket_addrs().map_err(|e| format!("{url}: cannot resolve: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("{url}: resolves to no address"));
    }
    Ok(addrs)
}

/// A socket bound for one listen URL.
pub struct Bound {
    pub listener: TcpListener,
    /// The URL is `https://`.
    pub https: bool,
}

impl Bound {
    /// `https://127.0.0.1:2379`, for the log.
    pub fn describe(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.listener.local_addr() {
            Ok(a) => format!("{scheme}://{a}"),
            Err(_) => format!("{scheme}://?"),
        }
    }

    /// How to serve it: TLS with `tls` if the URL is https.
    pub fn options(&self, tls: Option<&crate::tls::ServerTls>) -> Options {
        Options { tls: tls.filter(|_| self.https).map(|t| t.acceptor()), ..Options::default() }
    }
}

/// Binds every address of every URL. An address family the machine lacks (e.g. `::1` for
/// `localhost` without IPv6) is skipped as long as something else of that URL bound.
pub async fn bind_all(urls: &[String]) -> Result<Vec<Bound>, String> {
    let mut out = Vec::new();
    for url in urls {
        let mut bound = 0;
        let mut last_err = String::new();
        for addr in resolve(url)? {
            match TcpListener::bind(addr).await {
                Ok(listener) => {
                    out.push(Bound { listener, https: is_https(url) });
                    bound += 1;
                }
                Err(e) => last_err = format!("cannot listen on {addr} ({url}): {e}"),
            }
        }
        if bound == 0 {
            return Err(last_err);
        }
    }
    Ok(out)
}

/// Accepts connections forever, serving each with `handler`.
pub async fn serve<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Resp> + Send + 'static,
{
    serve_from(listener, Options::default(), move |req, _| handler(req)).await
}

/// How [`serve_from`] speaks HTTP/1.
#[derive(Clone, Default)]
pub struct Options {
    /// Header names in Go's canonical case (`Content-Type`), for servers whose answers are
    /// compared byte for byte with a Go original.
    pub title_case_headers: bool,
    /// HTTPS: every connection starts with a TLS handshake (which must end within
    /// [`HEADER_TIMEOUT`]); one that fails is logged and closed.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Whether `url` is served with TLS.
pub fn is_https(url: &str) -> bool {
    url.starts_with("https://")
}

/// Accepts connections forever, serving each with `handler`, which also gets the client's
/// address. The one accept loop of every server here: the client and peer API, the proxy,
/// `disco serve`.
pub async fn serve_from<H, F>(listener: TcpListener, opts: Options, handler: H)
where
    H: Fn(Request<Incoming>, SocketAddr) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Resp> + Send + 'static,
{
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                log::warn!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let opts = opts.clone();
        tokio::spawn(async move {
            // A connection whose first line is blank is not HTTP: Go (so etcd) closes it at once,
            // where hyper would wait for a request line until the head timeout. (Waiting for
            // the first byte also keeps an idle connection from holding hyper's or rustls'
            // buffers.)
            let mut first = [0u8; 1];
            match tokio::time::timeout(HEADER_TIMEOUT, stream.peek(&mut first)).await {
                Ok(Ok(1)) if first[0] != b'\r' && first[0] != b'\n' => {}
                _ => return,
            }
            // Each request of a connection whose client certificate names someone carries the name.
            let svc = |name: Option<ClientName>| {
                service_fn(move |mut req: Request<Incoming>| {
                    if let Some(n) = &name {
                        req.extensions_mut().insert(n.clone());
                    }
                    let h = handler.clone();
                    async move { Ok::<_, Infallible>(h(req, peer).await) }
                })
            };
            let served = match &opts.tls {
                None => serve_connection(stream, &opts, svc(None)).await,
                Some(acceptor) => match tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let name = tls
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .and_then(|c| crate::tls::identity::common_name(c))
                            .map(ClientName);
                        serve_connection(tls, &opts, svc(name)).await
                    }
                    Ok(Err(e)) => {
                        cutoff::record(Kind::Handshake, || format!("rejected connection from {peer}: {e}"));
                        return;
                    }
                    Err(_) => {
                        cutoff::record(Kind::Handshake, || {
                            format!(
                                "rejected connection from {peer}: no TLS handshake within {}s",
                                HEADER_TIMEOUT.as_secs()
                            )
                        });
                        return;
                    }
                },
            };
            if let Err(e) = served {
                if e.is_timeout() {
                    cutoff::record(Kind::HeadTimeout, || {
                        format!(
                            "closed the connection from {peer}: no complete request head within {}s",
                            HEADER_TIMEOUT.as_secs()
                        )
                    });
                } else if e.is_parse() || e.is_parse_too_large() {
                    cutoff::record(Kind::BadHead, || format!("closed the connection from {peer}: {e}"));
                }
            }
        });
    }
}

async fn serve_connection<S, Svc>(io: S, opts: &Options, svc: Svc) -> hyper::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    Svc: hyper::service::Service<Request<Incoming>, Response = Resp, Error = Infallible>,
    Svc::Future: Send + 'static,
{
    http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEAD)
        .title_case_headers(opts.title_case_headers)
        .serve_connection(TokioIo::new(io), svc)
        .await
}

#[derive(Debug)]
pub enum BodyError {
    TooLarge,
    Timeout,
    Broken(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "request body larger than {MAX_BODY} bytes"),
            BodyError::Timeout => write!(f, "request body not received within {}s", BODY_TIMEOUT.as_secs()),
            BodyError::Broken(e) => write!(f, "reading request body: {e}"),
        }
    }
}

/// Reads a whole body, bounded in size ([`MAX_BODY`]) and time.
pub async fn read_body(body: Incoming) -> Result<Bytes, BodyError> {
    read_body_limited(body, MAX_BODY).await
}

/// Reads a whole body of at most `limit` bytes, bounded in time.
pub async fn read_body_limited(body: Incoming, limit: usize) -> Result<Bytes, BodyError> {
    let limited = Limited::new(body, limit);
    match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Err(_) => {
            cutoff::record(Kind::BodyTimeout, || {
                format!("cut off a request body not received within {}s", BODY_TIMEOUT.as_secs())
            });
            Err(BodyError::Timeout)
        }
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                cutoff::record(Kind::BodyTooLarge, || format!("refused a request body over {limit} bytes"));
                Err(BodyError::TooLarge)
            } else {
                Err(BodyError::Broken(e.to_string()))
            }
        }
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).boxed()
}

pub fn empty() -> Body {
    full(Bytes::new())
}

pub fn response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// JSON with a trailing newline, as Go's `json.Encoder` writes it.
pub fn json<T: serde::Serialize>(status: StatusCode, v: &T) -> Resp {
    let mut b = serde_json::to_vec(v).expect("serializable");
    b.push(b'\n');
    response(status, "application/json", b)
}

pub fn text(status: StatusCode, s: &str) -> Resp {
    response(status, "text/plain; charset=utf-8", s.to_string())
}

/// Go's `http.NotFound`, as etcd answers a path it does not serve.
pub fn not_found() -> Resp {
    let mut r = text(StatusCode::NOT_FOUND, "404 page not found\n");
    r.headers_mut().insert("X-Content-Type-Options", HeaderValue::from_static("nosniff"));
    r
}

/// Go's answer to an HTTP/1.1 request without `Host` (etcd's server never sees it).
pub fn missing_host<B>(req: &hyper::Request<B>) -> Option<Resp> {
    if req.version() != hyper::Version::HTTP_11 || req.headers().contains_key(hyper::header::HOST) {
        return None;
    }
    let mut r = text(StatusCode::BAD_REQUEST, "400 Bad Request: missing required Host header");
    r.extensions_mut()
        .insert(hyper::ext::ReasonPhrase::from_static(b"Bad Request: missing required Host header"));
    r.headers_mut().insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    Some(r)
}

/// Go's `http.Error(w, "Method Not Allowed", 405)` with an `Allow` header, as etcd answers.
pub fn method_not_allowed(allow: &'static str) -> Resp {
    let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
    r.headers_mut().insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    r.headers_mut().insert("X-Content-Type-Options", HeaderValue::from_static("nosniff"));
    r
}

pub fn set_header(r: &mut Resp, name: &'static str, value: impl std::fmt::Display) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        r.headers_mut().insert(name, v);
    }
}
