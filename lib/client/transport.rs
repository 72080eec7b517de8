//! Sending one request to the cluster: try the pinned endpoint, fail over to the next on a
//! connection error or a 5xx answer, pin whichever answered. The error texts are the ones
//! etcd's Go client produces, so `kv` prints what `etcdctl` prints.

use std::borrow::Cow;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

use super::Error;
use super::endpoints::host_port;

/// One HTTP request, relative to an endpoint.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    /// Already-escaped path and query, e.g. `/v2/keys/a%20b?recursive=true`.
    pub target: String,
    /// (content type, body)
    pub body: Option<(Cow<'static, str>, Vec<u8>)>,
    /// A long poll (`wait=true`): no header timeout and no command deadline.
    pub long_poll: bool,
}

impl Request {
    pub fn get(target: String) -> Request {
        Request { method: "GET", target, body: None, long_poll: false }
    }
}

/// An HTTP answer from one endpoint (any status below 500).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    /// `X-Etcd-Index`, when the server sent it.
    pub index: Option<u64>,
    pub body: String,
    /// The endpoint that answered.
    pub endpoint: String,
    /// `X-Etcd-Cluster-ID`, when the server sent it.
    pub cluster_id: Option<String>,
    /// Every header of the answer, names in lower case, in the order received (what a proxy
    /// such as `disco serve` passes on).
    pub headers: Vec<(String, String)>,
}

/// A streaming answer: its body as it comes and the store's index when it began
/// (`X-Etcd-Index`), or an answer other than 200, whole.
pub type Opened = Result<(Box<dyn std::io::BufRead + Send>, u64), Answer>;

/// Timeouts for every request.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Per request: connecting and waiting for the answer's headers (etcdctl's `--timeout`).
    pub request: Duration,
}

/// An HTTP proxy URL (`http://host:port`) the client reaches its endpoints through, as
/// etcd's `--discovery-proxy` does; checked when the client is made.
pub fn check_proxy(url: &str) -> Result<(), Error> {
    ureq::Proxy::new(url)
        .map(|_| ())
        .map_err(|e| Error::BadEndpoint(format!("invalid proxy address {url:?}: {e}")))
}

pub(crate) struct Transport {
    /// The agent, and the client certificate's generation it was made with: a renewed
    /// certificate gets a new agent (connections made with the old one are not reused).
    agent: parking_lot::Mutex<(u64, ureq::Agent)>,
    tls: crate::tls::ClientTls,
    proxy: Option<String>,
    timeouts: Timeouts,
    /// `Authorization` on every request.
    authorization: Option<String>,
}

enum CallError {
    Deadline,
    /// A long poll with an idle limit saw no event within it (the endpoint is alive).
    Idle,
    Endpoint(String),
}

impl Transport {
    pub(crate) fn new(
        timeouts: Timeouts,
        proxy: Option<&str>,
        tls: &crate::tls::ClientTls,
        authorization: Option<String>,
    ) -> Transport {
        let proxy = proxy.map(str::to_string);
        let agent = Self::make_agent(tls, proxy.as_deref());
        Transport {
            agent: parking_lot::Mutex::new((tls.generation(), agent)),
            tls: tls.clone(),
            proxy,
            timeouts,
            authorization,
        }
    }

    fn make_agent(tls: &crate::tls::ClientTls, proxy: Option<&str>) -> ureq::Agent {
        ureq::Agent::config_builder()
            .tls_config(tls.ureq())
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy.and_then(|p| ureq::Proxy::new(p).ok()))
            .user_agent("kv (corekit)")
            .build()
            .into()
    }

    /// The agent for the next request (a cheap handle on the shared one).
    fn agent(&self) -> ureq::Agent {
        let generation = self.tls.generation();
        let mut a = self.agent.lock();
        if a.0 != generation {
            *a = (generation, Self::make_agent(&self.tls, self.proxy.as_deref()));
        }
        a.1.clone()
    }

    /// Tries `endpoints` in order starting at `start`; returns the answer and the position of
    /// the endpoint that gave it.
    pub(crate) fn send(
        &self,
        endpoints: &[String],
        start: usize,
        req: &Request,
        deadline: Option<Instant>,
    ) -> Result<(Answer, usize), Error> {
        self.send_idle(endpoints, start, req, deadline, None)
    }

    /// [`Transport::send`] for a long poll that gives up after `idle` without an answer body
    /// ([`Error::Idle`]); the answer's headers must still come within the request timeout, so a
    /// dead or cut-off member is failed over from rather than waited on forever.
    pub(crate) fn send_idle(
        &self,
        endpoints: &[String],
        start: usize,
        req: &Request,
        deadline: Option<Instant>,
        idle: Option<Duration>,
    ) -> Result<(Answer, usize), Error> {
        let n = endpoints.len();
        if n == 0 {
            return Err(Error::NoEndpoints);
        }
        let mut errors = Vec::new();
        for k in 0..n {
            let i = (start + k) % n;
            let ep = &endpoints[i];
            match self.call(ep, req, deadline, idle) {
                Ok(a) if a.status / 100 == 5 => {
                    errors.push(match a.status {
                        500 | 503 => format!("client: etcd member {ep} has no leader"),
                        s => format!("client: etcd member {ep} returns server error [{}]", status_text(s)),
                    });
                }
                Ok(a) => return Ok((a, i)),
                Err(CallError::Deadline) => return Err(Error::DeadlineExceeded),
                Err(CallError::Idle) => return Err(Error::Idle),
                Err(CallError::Endpoint(e)) => errors.push(e),
            }
        }
        Err(Error::Cluster(errors))
    }

    /// Opens a streaming GET (a `stream=true` watch) on the first endpoint, from `start`, that
    /// answers 200 within the request timeout: its body, read as it comes, for at most `limit`.
    /// An answer other than 200 is returned whole (an etcd error, e.g. 401).
    pub(crate) fn open(
        &self,
        endpoints: &[String],
        start: usize,
        req: &Request,
        limit: Duration,
    ) -> Result<(Opened, usize), Error> {
        let n = endpoints.len();
        if n == 0 {
            return Err(Error::NoEndpoints);
        }
        let mut errors = Vec::new();
        for k in 0..n {
            let i = (start + k) % n;
            let ep = &endpoints[i];
            let url = format!("{ep}{}", req.target);
            let t = self.timeouts.request;
            let got = self
                .with_auth(self.agent().get(&url))
                .config()
                .timeout_connect(Some(t))
                .timeout_recv_response(Some(t))
                .timeout_global(Some(limit))
                .build()
                .call();
            let resp = match got {
                Ok(r) => r,
                Err(e) => {
                    errors.push(describe(ep, e));
                    continue;
                }
            };
            let status = resp.status().as_u16();
            if status / 100 == 5 {
                errors.push(format!("client: etcd member {ep} has no leader"));
                continue;
            }
            let index = resp
                .headers()
                .get("X-Etcd-Index")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            if status != 200 {
                let mut resp = resp;
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                let answer = Answer {
                    status,
                    index,
                    body,
                    endpoint: ep.clone(),
                    cluster_id: None,
                    headers: Vec::new(),
                };
                return Ok((Err(answer), i));
            }
            let reader =
                std::io::BufReader::new(resp.into_body().into_with_config().limit(u64::MAX).reader());
            return Ok((Ok((Box::new(reader), index.unwrap_or(0))), i));
        }
        Err(Error::Cluster(errors))
    }

    fn with_auth<B>(&self, b: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(a) => b.header("Authorization", a),
            None => b,
        }
    }

    fn call(
        &self,
        ep: &str,
        req: &Request,
        deadline: Option<Instant>,
        idle: Option<Duration>,
    ) -> Result<Answer, CallError> {
        let remaining = match deadline {
            Some(d) if !req.long_poll => {
                let now = Instant::now();
                if now >= d {
                    return Err(CallError::Deadline);
                }
                Some(d - now)
            }
            _ => None,
        };
        let url = format!("{ep}{}", req.target);
        let t = self.timeouts.request;
        let recv = if req.long_poll && idle.is_none() { None } else { Some(t) };
        let agent = self.agent();
        let result = match req.method {
            "POST" | "PUT" | "PATCH" => {
                let b = match req.method {
                    "POST" => agent.post(&url),
                    "PATCH" => agent.patch(&url),
                    _ => agent.put(&url),
                };
                let (ctype, body) = match &req.body {
                    Some((c, b)) => (Some(c.as_ref()), &b[..]),
                    None => (None, &[][..]),
                };
                let b = match ctype {
                    Some(c) => b.header("Content-Type", c),
                    None => b,
                };
                let b = self.with_auth(b);
                b.config()
                    .timeout_connect(Some(t))
                    .timeout_recv_response(recv)
                    .timeout_recv_body(idle)
                    .timeout_global(remaining)
                    .build()
                    .send(body)
            }
            method => {
                let b = match method {
                    "DELETE" => agent.delete(&url),
                    "HEAD" => agent.head(&url),
                    _ => agent.get(&url),
                };
                let b = self.with_auth(b);
                b.config()
                    .timeout_connect(Some(t))
                    .timeout_recv_response(recv)
                    .timeout_recv_body(idle)
                    .timeout_global(remaining)
                    .build()
                    .call()
            }
        };
        let past_deadline = || deadline.is_some_and(|d| !req.long_poll && Instant::now() >= d);
        let mut resp = match result {
            Ok(r) => r,
            Err(e) => {
                if past_deadline() {
                    return Err(CallError::Deadline);
                }
                return Err(CallError::Endpoint(describe(ep, e)));
            }
        };
        let status = resp.status().as_u16();
        let index = resp
            .headers()
            .get("X-Etcd-Index")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let cluster_id = resp
            .headers()
            .get("X-Etcd-Cluster-ID")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string());
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = match resp.body_mut().with_config().limit(u64::MAX).read_to_string() {
            Ok(b) => b,
            Err(ureq::Error::Timeout(ureq::Timeout::RecvBody)) if idle.is_some() => {
                return Err(CallError::Idle);
            }
            Err(e) => {
                if past_deadline() {
                    return Err(CallError::Deadline);
                }
                return Err(CallError::Endpoint(describe(ep, e)));
            }
        };
        Ok(Answer { status, index, body, endpoint: ep.to_string(), cluster_id, headers })
    }
}

/// What Go's HTTP client would say for this failure.
fn describe(ep: &str, e: ureq::Error) -> String {
    let hp = host_port(ep);
    match e {
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => format!("dial tcp {hp}: connect: connection refused"),
            ErrorKind::ConnectionReset => format!("read tcp {hp}: read: connection reset by peer"),
            ErrorKind::UnexpectedEof => format!("Get {ep:?}: EOF"),
            ErrorKind::TimedOut => format!("dial tcp {hp}: i/o timeout"),
            _ => format!("dial tcp {hp}: {io}"),
        },
        ureq::Error::ConnectionFailed => format!("dial tcp {hp}: connect: connection refused"),
        ureq::Error::HostNotFound => {
            let host = hp.rsplit_once(':').map(|(h, _)| h).unwrap_or(&hp);
            format!("dial tcp: lookup {host}: no such host")
        }
        ureq::Error::Timeout(ureq::Timeout::Connect) | ureq::Error::Timeout(ureq::Timeout::Resolve) => {
            format!("dial tcp {hp}: i/o timeout")
        }
        ureq::Error::Timeout(_) => format!("client: endpoint {ep} exceeded header timeout"),
        other => format!("{ep}: {other}"),
    }
}

fn status_text(s: u16) -> &'static str {
    match s {
        501 => "Not Implemented",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => "",
    }
}
