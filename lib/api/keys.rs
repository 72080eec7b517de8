//! `/v2/keys`: parse and validate a request exactly as etcd does, then read the store, watch
//! it, or propose a write through Raft and answer once it is applied.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, StatusCode};
use tokio::sync::mpsc;

use super::Api;
use super::form::Form;
use super::http::{self, Resp};
use crate::raft::node::{ProposeError, Shared};
use crate::raft::state_machine::{Command, Outcome};
use crate::store::{self, Event};

/// Keys deeper than this are refused (code 209) so that no request can make the server
/// recurse without bound. Documented in kv-serve(1).
pub const MAX_KEY_DEPTH: usize = 1024;

const ALLOW: &str = "GET, HEAD, PUT, POST, DELETE";

/// A validated request (etcd's `parseKeyRequest`).
#[derive(Debug, Default)]
struct KeyRequest {
    path: String,
    value: String,
    dir: bool,
    prev_value: String,
    prev_index: u64,
    prev_exist: Option<bool>,
    wait: bool,
    wait_index: u64,
    recursive: bool,
    sorted: bool,
    quorum: bool,
    stream: bool,
    refresh: bool,
    ttl: Option<u64>,
    no_value_on_success: bool,
}

fn request_error(code: u32, cause: impl Into<String>) -> store::Error {
    store::Error::new(code, cause.into(), 0)
}

/// Checks a `/v2/keys` request as the server does before anything is proposed: the raw path
/// (escaped, as on the request line), query and form body. What the fuzz target `v2_request`
/// drives; the server itself goes through [`handle`].
pub fn check_request(method: &str, raw_path: &str, query: &[u8], body: &[u8]) -> Result<(), String> {
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let path = super::form::unescape_path(raw_path)?;
    let key = path.strip_prefix(super::KEYS).ok_or("not under /v2/keys")?;
    let mut form = Form::default();
    form.parse_into(body)?;
    form.parse_into(query)?;
    parse(&form, &method, if key.is_empty() { "/" } else { key }).map(|_| ()).map_err(|e| e.to_string())
}

fn parse(form: &Form, method: &Method, key: &str) -> Result<KeyRequest, store::Error> {
    use store::error::*;
    let mut r = KeyRequest { path: key.to_string(), ..Default::default() };
    r.prev_index =
        form.u64("prevIndex").map_err(|_| request_error(INDEX_NAN, r#"invalid value for "prevIndex""#))?;
    r.wait_index =
        form.u64("waitIndex").map_err(|_| request_error(INDEX_NAN, r#"invalid value for "waitIndex""#))?;
    let flag = |name: &'static str| {
        form.bool(name).map_err(|_| request_error(INVALID_FIELD, format!("invalid value for {name:?}")))
    };
    r.recursive = flag("recursive")?;
    r.sorted = flag("sorted")?;
    r.wait = flag("wait")?;
    r.dir = flag("dir")?;
    r.quorum = flag("quorum")?;
    r.stream = flag("stream")?;
    if r.wait && method != Method::GET {
        return Err(request_error(INVALID_FIELD, r#""wait" can only be used with GET requests"#));
    }
    if form.has("prevValue") && form.value("prevValue").is_empty() {
        return Err(request_error(PREV_VALUE_REQUIRED, r#""prevValue" cannot be empty"#));
    }
    r.prev_value = form.value("prevValue").to_string();
    r.no_value_on_success = flag("noValueOnSuccess")?;
    if !form.value("ttl").is_empty() {
        r.ttl = Some(form.u64("ttl").map_err(|_| request_error(TTL_NAN, r#"invalid value for "ttl""#))?);
    }
    if form.has("prevExist") {
        r.prev_exist = Some(
            form.bool("prevExist")
                .map_err(|_| request_error(INVALID_FIELD, "invalid value for prevExist"))?,
        );
    }
    if form.has("refresh") {
        r.refresh =
            form.bool("refresh").map_err(|_| request_error(INVALID_FIELD, "invalid value for refresh"))?;
        if r.refresh {
            if form.has("value") && !form.value("value").is_empty() {
                return Err(request_error(REFRESH_VALUE, "A value was provided on a refresh"));
            }
            if r.ttl.is_none() {
                return Err(request_error(REFRESH_TTL_REQUIRED, "No TTL value set"));
            }
        }
    }
    r.value = form.value("value").to_string();
    Ok(r)
}

fn is_form(req: &Request<Incoming>) -> bool {
    req.headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
        .unwrap_or(false)
}

/// Serves one request under /v2/keys; `key` is the decoded, clean path after "/v2/keys".
pub async fn handle(api: &Api, req: Request<Incoming>, key: String) -> Resp {
    let method = req.method().clone();
    if !matches!(method, Method::GET | Method::HEAD | Method::PUT | Method::POST | Method::DELETE) {
        return http::method_not_allowed(ALLOW);
    }
    let mut form = Form::default();
    let query = req.uri().query().map(|q| q.as_bytes().to_vec());
    let authorization = req.headers().get(hyper::header::AUTHORIZATION).cloned();
    let certificate = req.extensions().get::<crate::tls::identity::ClientName>().cloned();
    if matches!(method, Method::PUT | Method::POST) && is_form(&req) {
        match http::read_body(req.into_body()).await {
            Ok(body) => {
                if let Err(e) = form.parse_into(&body) {
                    return error_response(api, &request_error(store::error::INVALID_FORM, e));
                }
            }
            Err(e) => {
                let mut r = error_response(api, &request_error(store::error::INVALID_FORM, e.to_string()));
                // The rest of the body may still be on the wire: don't reuse the connection.
                http::set_header(&mut r, "Connection", "close");
                return r;
            }
        }
    }
    if let Some(q) = query
        && let Err(e) = form.parse_into(&q)
    {
        return error_response(api, &request_error(store::error::INVALID_FORM, e));
    }
    let depth = key.bytes().filter(|&b| b == b'/').count();
    if depth > MAX_KEY_DEPTH {
        return error_response(
            api,
            &request_error(
                store::error::INVALID_FIELD,
                format!("key has {depth} path segments; at most {MAX_KEY_DEPTH} are allowed"),
            ),
        );
    }
    let r = match parse(&form, &method, if key.is_empty() { "/" } else { &key }) {
        Ok(r) => r,
        Err(e) => return error_response(api, &e),
    };
    let writes = !matches!(method, Method::GET | Method::HEAD);
    if let Some(refused) =
        super::auth::check_key(api, authorization.as_ref(), certificate.as_ref(), &key, writes, r.recursive)
            .await
    {
        return refused;
    }
    match method {
        Method::GET | Method::HEAD => {
            if r.wait {
                watch(api, &r).await
            } else {
                get(api, &r, method == Method::HEAD).await
            }
        }
        _ => write(api, &method, r).await,
    }
}

async fn get(api: &Api, r: &KeyRequest, head: bool) -> Resp {
    let shared = &api.shared;
    if r.quorum
        && let Err(e) = shared.read_barrier(api.request_timeout).await
    {
        return propose_error(api, e);
    }
    let result = shared.sm.read().store.get(&r.path, r.recursive, r.sorted, crate::os::clock::now_nanos());
    match result {
        Ok(ev) => {
            let mut resp = event_response(api, &ev, StatusCode::OK, false);
            if head {
                *resp.body_mut() = http::empty();
            }
            resp
        }
        Err(e) => error_response(api, &e),
    }
}

async fn write(api: &Api, method: &Method, r: KeyRequest) -> Resp {
    let expire = r.ttl.map(|t| {
        crate::os::clock::now_nanos()
            .saturating_add(i64::try_from(t).unwrap_or(i64::MAX).saturating_mul(1_000_000_000))
    });
    let cmd = match *method {
        Method::PUT => Command::Put {
            path: r.path,
            value: r.value,
            dir: r.dir,
            prev_value: r.prev_value,
            prev_index: r.prev_index,
            prev_exist: r.prev_exist,
            expire,
            refresh: r.refresh,
        },
        Method::POST => Command::Post { path: r.path, value: r.value, dir: r.dir, expire },
        _ => Command::Delete {
            path: r.path,
            dir: r.dir,
            recursive: r.recursive,
            prev_value: r.prev_value,
            prev_index: r.prev_index,
        },
    };
    if api.shared.no_space.load(std::sync::atomic::Ordering::Acquire) {
        // The data dir's file system is full: refused now, not after the request timeout.
        let e = store::Error::new(store::error::RAFT_INTERNAL, "etcdserver: no space left on device", 0);
        return error_response(api, &e);
    }
    match api.shared.propose(&cmd, api.request_timeout).await {
        Ok(Some(Outcome::Store(Ok(ev)))) => {
            let status = if ev.is_created() { StatusCode::CREATED } else { StatusCode::OK };
            event_response(api, &ev, status, r.no_value_on_success)
        }
        Ok(Some(Outcome::Store(Err(e)))) => error_response(api, &e),
        Ok(Some(Outcome::Auth(_)) | None) => propose_error(api, ProposeError::Stopped),
        Err(e) => propose_error(api, e),
    }
}

fn raft_headers(api: &Api, resp: &mut Resp) {
    use std::sync::atomic::Ordering::Acquire;
    http::set_header(resp, "X-Raft-Index", api.shared.commit_index.load(Acquire));
    http::set_header(resp, "X-Raft-Term", api.shared.term.load(Acquire));
}

fn event_response(api: &Api, ev: &Event, status: StatusCode, no_value: bool) -> Resp {
    let body: Bytes =
        if no_value && matches!(ev.action.as_str(), "set" | "compareAndSwap" | "create" | "update") {
            Bytes::from(format!("{{\"action\":\"{}\"}}\n", ev.action.as_str()))
        } else {
            let json = ev.to_json();
            let mut b = Vec::with_capacity(json.len() + 1);
            b.extend_from_slice(json);
            b.push(b'\n');
            Bytes::from(b)
        };
    let mut resp = http::response(status, "application/json", body);
    http::set_header(&mut resp, "X-Etcd-Index", ev.etcd_index);
    raft_headers(api, &mut resp);
    resp
}

pub fn error_response(_api: &Api, e: &store::Error) -> Resp {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = http::json(status, e);
    http::set_header(&mut resp, "X-Etcd-Index", e.index);
    resp
}

fn propose_error(api: &Api, e: ProposeError) -> Resp {
    error_response(api, &store::Error::new(store::error::RAFT_INTERNAL, e.to_string(), 0))
}

/// Removes the watcher from the hub when the response (and so the client) goes away.
struct WatchGuard {
    shared: Arc<Shared>,
    id: u64,
    /// Still in the hub (a stream watcher, or a long poll not yet answered).
    registered: bool,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        if self.registered {
            self.shared.sm.write().store.remove_watcher(self.id);
        }
    }
}

/// The body of a watch: one event (or, with `stream=true`, every event as a JSON line).
struct WatchBody {
    events: mpsc::Receiver<Arc<Event>>,
    stream: bool,
    done: bool,
    _guard: WatchGuard,
}

impl hyper::body::Body for WatchBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.events.poll_recv(cx) {
            Poll::Ready(Some(ev)) => {
                if !self.stream {
                    // The hub unregistered the watcher as it handed over the event: there is
                    // nothing left for the guard to remove (and no lock to take per watcher
                    // when one write wakes thousands).
                    self.done = true;
                    self._guard.registered = false;
                }
                Poll::Ready(Some(Ok(Frame::data(ev.to_json_line()))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

async fn watch(api: &Api, r: &KeyRequest) -> Resp {
    let result = api.shared.sm.write().store.watch(&r.path, r.recursive, r.stream, r.wait_index);
    let w = match result {
        Ok(w) => w,
        Err(e) => return error_response(api, &e),
    };
    let body = WatchBody {
        events: w.events,
        stream: r.stream,
        done: false,
        _guard: WatchGuard { shared: api.shared.clone(), id: w.id, registered: true },
    };
    let mut resp = hyper::Response::new(body.boxed());
    resp.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    http::set_header(&mut resp, "X-Etcd-Index", w.start_index);
    raft_headers(api, &mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Form {
        let mut f = Form::default();
        f.parse_into(s.as_bytes()).unwrap();
        f
    }

    #[test]
    fn parse_errors_match_etcd() {
        let cases = [
            ("prevIndex=x", Method::PUT, 203, r#"invalid value for "prevIndex""#),
            ("waitIndex=abc&wait=true", Method::GET, 203, r#"invalid value for "waitIndex""#),
            ("recursive=yes", Method::GET, 209, r#"invalid value for "recursive""#),
            ("wait=true", Method::PUT, 209, r#""wait" can only be used with GET requests"#),
            ("prevValue=", Method::PUT, 201, r#""prevValue" cannot be empty"#),
            ("ttl=1.5", Method::PUT, 202, r#"invalid value for "ttl""#),
            ("ttl=-1", Method::PUT, 202, r#"invalid value for "ttl""#),
            ("prevExist=maybe", Method::PUT, 209, "invalid value for prevExist"),
            ("refresh=true&ttl=5&value=x", Method::PUT, 211, "A value was provided on a refresh"),
            ("refresh=true", Method::PUT, 212, "No TTL value set"),
        ];
        for (q, m, code, cause) in cases {
            let e = parse(&form(q), &m, "/k").unwrap_err();
            assert_eq!((e.code, e.cause.as_str(), e.index), (code, cause, 0), "{q}");
        }
    }

    #[test]
    fn parse_ok() {
        let r = parse(&form("value=v&ttl=&prevExist=false&dir=true"), &Method::PUT, "/k").unwrap();
        assert_eq!(r.value, "v");
        assert_eq!(r.ttl, None);
        assert_eq!(r.prev_exist, Some(false));
        assert!(r.dir);
        let r = parse(&form("refresh=true&ttl=5&prevExist=true"), &Method::PUT, "/k").unwrap();
        assert!(r.refresh);
        assert_eq!(r.ttl, Some(5));
    }
}
