//! The agent's read-only HTTP port: its units' status and journal for `unit-sched` on any
//! machine — fleet needed SSH (and an ssh-agent) for both, its users' longest-running
//! complaint. It serves only the units this agent runs for the cluster.
//!
//! | request | answer |
//! |---|---|
//! | `GET /v1/units/<unit>/status` | `{"status": UnitStatus, "journal": [Record…]}` (the last 10 lines) |
//! | `GET /v1/units/<unit>/journal?lines=N` | the last N journal records, one JSON object per line |
//! | `GET /v1/units/<unit>/journal?lines=N&follow=true` | the same, then every new record as it comes |
//! | `GET /v1/machine` | the machine's facts (ID, hostname, addresses, Docker) |
//!
//! Errors are `{"message": …}` with 404 (no such unit here) or 500.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::{Request, StatusCode};
use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::agent::Handle;
use crate::agent::journal::Record;
use crate::api::http::{self, Resp};

/// The units the agent runs for the cluster, as the reconciler last left them.
pub type Served = Arc<Mutex<std::collections::BTreeSet<String>>>;

/// Binds `addr` and serves from a thread of its own (over TLS with `tls`); returns the bound
/// address.
pub fn spawn(
    addr: SocketAddr,
    handle: Handle,
    served: Served,
    tls: Option<crate::tls::ServerTls>,
) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("agent-http".into()).spawn(move || {
        runtime.block_on(async move {
            let Ok(l) = tokio::net::TcpListener::from_std(listener) else { return };
            let ctx = Arc::new((handle, served));
            let opts = http::Options { tls: tls.map(|t| t.acceptor()), ..Default::default() };
            http::serve_from(l, opts, move |req, _| route(ctx.clone(), req)).await;
        })
    })?;
    Ok(local)
}

fn error(status: StatusCode, message: &str) -> Resp {
    http::json(status, &serde_json::json!({ "message": message }))
}

async fn route(ctx: Arc<(Handle, Served)>, req: Request<Incoming>) -> Resp {
    if req.method() != hyper::Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served here");
    }
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    if path == "/v1/machine" {
        let h = ctx.0.clone();
        return match tokio::task::spawn_blocking(move || h.machine()).await {
            Ok(Ok(m)) => http::json(StatusCode::OK, &m),
            Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    let Some(rest) = path.strip_prefix("/v1/units/") else {
        return error(StatusCode::NOT_FOUND, "no such resource");
    };
    let Some((unit, what)) = rest.rsplit_once('/') else {
        return error(StatusCode::NOT_FOUND, "no such resource");
    };
    let unit = unit.to_string();
    if !ctx.1.lock().contains(&unit) {
        return error(StatusCode::NOT_FOUND, &format!("Unit {unit} does not run on this machine."));
    }
    let param = |k: &str| {
        query.split('&').filter_map(|p| p.split_once('=')).find(|(a, _)| *a == k).map(|(_, v)| v.to_string())
    };
    match what {
        "status" => {
            let h = ctx.0.clone();
            let got = tokio::task::spawn_blocking(move || {
                let st = h.status(&unit)?;
                let journal = h.journal(&unit, Some(10)).unwrap_or_default();
                Ok::<_, crate::agent::Error>((st, journal))
            })
            .await;
            match got {
                Ok(Ok((st, journal))) => {
                    http::json(StatusCode::OK, &serde_json::json!({ "status": st, "journal": journal }))
                }
                Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        "journal" => {
            let lines = param("lines").and_then(|v| v.parse::<usize>().ok()).unwrap_or(10);
            let follow = param("follow").is_some_and(|v| v == "true" || v == "1");
            journal(ctx.0.clone(), unit, lines, follow).await
        }
        _ => error(StatusCode::NOT_FOUND, "no such resource"),
    }
}

async fn journal(h: Handle, unit: String, lines: usize, follow: bool) -> Resp {
    let (tx, rx) = mpsc::channel::<Record>(256);
    let h2 = h.clone();
    let u2 = unit.clone();
    let tail = match tokio::task::spawn_blocking(move || h2.journal(&u2, Some(lines))).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) if !follow => return error(StatusCode::NOT_FOUND, &e.to_string()),
        _ => Vec::new(),
    };
    if follow {
        // The follower stops when the client goes away (its channel closes).
        tokio::task::spawn_blocking(move || {
            let _ = h.follow_journal(&unit, |r| tx.blocking_send(r).is_ok());
        });
    } else {
        drop(tx);
    }
    let mut r = hyper::Response::new(JournalBody { tail: tail.into_iter().collect(), rx }.boxed());
    http::set_header(&mut r, "Content-Type", "application/x-ndjson");
    r
}

/// The journal's tail, then what the follower sends.
struct JournalBody {
    tail: std::collections::VecDeque<Record>,
    rx: mpsc::Receiver<Record>,
}

fn line(r: &Record) -> Bytes {
    let mut b = serde_json::to_vec(r).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

impl hyper::body::Body for JournalBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(r) = self.tail.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(line(&r)))));
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(r)) => Poll::Ready(Some(Ok(Frame::data(line(&r))))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
