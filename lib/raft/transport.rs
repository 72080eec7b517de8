//! Raft messages between members, over HTTP on the peer URLs.
//!
//! Each peer has one sender task with a queue: it takes everything queued and writes it, as
//! length-prefixed protobuf messages, into one long-lived streaming `POST /raft/stream` — so
//! under load messages are batched per peer, a batch costs one write rather than a request and
//! its answer, and a slow peer never delays the others. Snapshots go as single `POST /raft`
//! requests, whose answer says whether they arrived. The receiving member checks the cluster
//! ID and hands the messages to its Raft thread. A broken stream or failed send reports the
//! peer unreachable (and a snapshot as failed) to Raft, which then probes it again; the
//! stream is reopened with the next batch.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use ::raft::eraftpb::{Message, MessageType};
use bytes::{Buf, Bytes};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use protobuf::Message as _;
use tokio::sync::mpsc;

use super::membership::id_string;
use super::node::{Input, Shared, Transport};

/// A send (snapshots included) that takes longer than this counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages per POST, at most.
const MAX_BATCH: usize = 4096;

/// One batch of messages per request (used for snapshots).
pub const RAFT_PATH: &str = "/raft";
/// A long-lived request carrying every other message.
pub const STREAM_PATH: &str = "/raft/stream";
/// The largest single message accepted on a stream (a snapshot goes by `RAFT_PATH`).
const MAX_MESSAGE: usize = 64 << 20;

/// Encodes messages as a POST body: for each, a 4-byte big-endian length and the protobuf.
pub fn encode(msgs: &[Message]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        let b = m.write_to_bytes().expect("raft messages encode");
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(&b);
    }
    out
}

pub fn decode(mut body: Bytes) -> Result<Vec<Message>, String> {
    let mut out = Vec::new();
    while body.has_remaining() {
        if body.remaining() < 4 {
            return Err("truncated message length".into());
        }
        let n = body.get_u32() as usize;
        if body.remaining() < n {
            return Err("truncated message".into());
        }
        let m = Message::parse_from_bytes(&body[..n]).map_err(|e| format!("bad raft message: {e}"))?;
        body.advance(n);
        out.push(m);
    }
    Ok(out)
}

/// Where a member learns of send failures; set once the node exists.
pub type Reporter = Arc<OnceLock<Weak<Shared>>>;

/// What a leader reports about one follower in `/v2/stats/leader`: the round trip of its
/// heartbeats (milliseconds, as etcd reports latency) and how many were answered or failed.
#[derive(Clone, Debug, Default)]
pub struct PeerStats {
    pub success: u64,
    pub fail: u64,
    current: f64,
    min: f64,
    max: f64,
    sum: f64,
    sum_sq: f64,
}

impl PeerStats {
    pub fn record(&mut self, took: Option<Duration>) {
        let Some(d) = took else {
            self.fail += 1;
            return;
        };
        let ms = d.as_secs_f64() * 1000.0;
        if self.success == 0 || ms < self.min {
            self.min = ms;
        }
        if ms > self.max {
            self.max = ms;
        }
        self.success += 1;
        self.current = ms;
        self.sum += ms;
        self.sum_sq += ms * ms;
    }

    pub fn to_json(&self) -> serde_json::Value {
        let n = self.success.max(1) as f64;
        let avg = self.sum / n;
        let sd = (self.sum_sq / n - avg * avg).max(0.0).sqrt();
        serde_json::json!({
            "latency": {"current": self.current, "average": avg, "standardDeviation": sd, "minimum": self.min, "maximum": self.max},
            "counts": {"fail": self.fail, "success": self.success},
        })
    }
}

pub struct HttpTransport {
    member_id: u64,
    cluster_id: u64,
    runtime: tokio::runtime::Handle,
    client: Client<crate::tls::client::Connector, BoxBody<Bytes, Infallible>>,
    reporter: Reporter,
    peers: HashMap<u64, mpsc::UnboundedSender<Message>>,
    peer_urls: HashMap<u64, Vec<String>>,
}

impl HttpTransport {
    /// `peers`: every other member's ID and peer URLs.
    pub fn new(
        member_id: u64,
        cluster_id: u64,
        runtime: tokio::runtime::Handle,
        peers: Vec<(u64, Vec<String>)>,
        reporter: Reporter,
        tls: &crate::tls::ClientTls,
    ) -> HttpTransport {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(1)));
        let client = Client::builder(TokioExecutor::new()).build(tls.connector(connector));
        let mut t = HttpTransport {
            member_id,
            cluster_id,
            runtime,
            client,
            reporter,
            peers: HashMap::new(),
            peer_urls: HashMap::new(),
        };
        t.set_peers(peers);
        t
    }

    fn add_peer(&mut self, id: u64, urls: Vec<String>) {
        if id == self.member_id || urls.is_empty() {
            return;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let sender = PeerSender {
            to: id,
            urls,
            from: self.member_id,
            cluster_id: self.cluster_id,
            client: self.client.clone(),
            reporter: self.reporter.clone(),
        };
        self.runtime.spawn(sender.run(rx));
        self.peers.insert(id, tx);
    }
}

impl Transport for HttpTransport {
    fn set_peers(&mut self, peers: Vec<(u64, Vec<String>)>) {
        let mut keep = HashMap::new();
        for (id, mut urls) in peers {
            if id == self.member_id {
                continue;
            }
            urls.sort();
            match self.peer_urls.get(&id) {
                Some(old) if *old == urls && self.peers.contains_key(&id) => {
                    keep.insert(id, self.peers.remove(&id).unwrap());
                }
                _ => {
                    // New member, or new URLs: a fresh sender (the old one ends with its queue).
                    self.peers.remove(&id);
                    self.add_peer(id, urls.clone());
                    keep.insert(id, self.peers.remove(&id).unwrap());
                }
            }
            self.peer_urls.insert(id, urls);
        }
        self.peer_urls.retain(|id, _| keep.contains_key(id));
        self.peers = keep;
    }

    fn send(&mut self, msgs: Vec<Message>) {
        for m in msgs {
            match self.peers.get(&m.to) {
                Some(q) => {
                    let _ = q.send(m);
                }
                None => report(&self.reporter, Input::Unreachable(m.to)),
            }
        }
    }
}

fn report(reporter: &Reporter, input: Input) {
    if let Some(shared) = reporter.get().and_then(Weak::upgrade) {
        shared.send_input(input);
    }
}

struct PeerSender {
    to: u64,
    urls: Vec<String>,
    from: u64,
    cluster_id: u64,
    client: Client<crate::tls::client::Connector, BoxBody<Bytes, Infallible>>,
    reporter: Reporter,
}

/// The body of a long-lived `POST /raft/stream`: whatever the sender pushes, as it comes.
struct StreamBody {
    frames: mpsc::UnboundedReceiver<Bytes>,
}

impl hyper::body::Body for StreamBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        self.frames.poll_recv(cx).map(|f| f.map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

/// An open stream to the peer: push frames into it; `broken` is set when it ends.
struct Stream {
    frames: mpsc::UnboundedSender<Bytes>,
    broken: Arc<AtomicBool>,
}

impl PeerSender {
    /// Messages go over one long-lived streaming request (as etcd's peer streams do), so a
    /// batch costs a write, not a request and its answer; snapshots, which must report how
    /// they went, go as single requests. A broken stream is reported and reopened.
    async fn run(self, mut queue: mpsc::UnboundedReceiver<Message>) {
        let mut url_index = 0;
        let mut stream: Option<Stream> = None;
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
            let (snapshots, msgs): (Vec<Message>, Vec<Message>) =
                batch.into_iter().partition(|m| m.get_msg_type() == MessageType::MsgSnapshot);
            for snap in snapshots {
                let ok = self.post(&self.urls[url_index % self.urls.len()], encode(&[snap])).await.is_ok();
                if !ok {
                    url_index += 1;
                    report(&self.reporter, Input::Unreachable(self.to));
                }
                report(&self.reporter, Input::SnapshotStatus(self.to, ok));
            }
            if msgs.is_empty() {
                continue;
            }
            if stream.as_ref().is_none_or(|s| s.broken.load(Ordering::Acquire)) {
                if stream.take().is_some() {
                    url_index += 1; // the last one broke: try the peer's next URL
                }
                stream = Some(self.open(&self.urls[url_index % self.urls.len()]));
            }
            let s = stream.as_ref().unwrap();
            if s.frames.send(Bytes::from(encode(&msgs))).is_err() {
                s.broken.store(true, Ordering::Release);
                report(&self.reporter, Input::Unreachable(self.to));
            }
        }
    }

    fn open(&self, url: &str) -> Stream {
        let (tx, rx) = mpsc::unbounded_channel();
        let broken = Arc::new(AtomicBool::new(false));
        let req = hyper::Request::post(format!("{}{STREAM_PATH}", url.trim_end_matches('/')))
            .header("Content-Type", "application/octet-stream")
            .header("X-Etcd-Cluster-ID", id_string(self.cluster_id))
            .header("X-Server-From", id_string(self.from))
            .body(StreamBody { frames: rx }.boxed())
            .expect("a valid request");
        let (client, flag, reporter, to) =
            (self.client.clone(), broken.clone(), self.reporter.clone(), self.to);
        tokio::spawn(async move {
            // The request ends only when the stream breaks (or the peer refuses it).
            let _ = client.request(req).await;
            flag.store(true, Ordering::Release);
            report(&reporter, Input::Unreachable(to));
        });
        Stream { frames: tx, broken }
    }

    async fn post(&self, url: &str, body: Vec<u8>) -> Result<(), String> {
        let req = hyper::Request::post(format!("{}{RAFT_PATH}", url.trim_end_matches('/')))
            .header("Content-Type", "application/octet-stream")
            .header("X-Etcd-Cluster-ID", id_string(self.cluster_id))
            .header("X-Server-From", id_string(self.from))
            .body(Full::new(Bytes::from(body)).boxed())
            .map_err(|e| e.to_string())?;
        let resp = tokio::time::timeout(SEND_TIMEOUT, self.client.request(req))
            .await
            .map_err(|_| "timed out".to_string())?
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        // Read the (empty) body so the connection goes back to the pool.
        let _ = resp.into_body().collect().await;
        if status.is_success() { Ok(()) } else { Err(format!("peer answered {status}")) }
    }
}

/// Reads a peer's stream: length-prefixed messages, possibly split across chunks, handed to
/// `step` as each completes. Returns when the stream ends, or at the first malformed message.
pub async fn read_stream(
    mut body: hyper::body::Incoming,
    mut step: impl FnMut(Message),
) -> Result<(), String> {
    let mut buf = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        let Some(data) = frame.data_ref() else { continue };
        buf.extend_from_slice(data);
        while buf.len() >= 4 {
            let n = u32::from_be_bytes(buf[..4].try_into().unwrap()) as usize;
            if n > MAX_MESSAGE {
                return Err(format!("a message of {n} bytes is over the limit"));
            }
            if buf.len() < 4 + n {
                break;
            }
            let chunk = buf.split_to(4 + n);
            let m = Message::parse_from_bytes(&chunk[4..]).map_err(|e| format!("bad raft message: {e}"))?;
            step(m);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut a = Message::default();
        a.set_msg_type(MessageType::MsgAppend);
        a.to = 2;
        a.from = 1;
        a.term = 7;
        let mut b = Message::default();
        b.set_msg_type(MessageType::MsgHeartbeat);
        b.to = 3;
        let back = decode(Bytes::from(encode(&[a.clone(), b.clone()]))).unwrap();
        assert_eq!(back, vec![a, b]);
        assert!(decode(Bytes::from_static(&[0, 0, 0, 9, 1])).is_err());
        assert!(decode(Bytes::from_static(&[0, 0])).is_err());
        assert!(decode(Bytes::new()).unwrap().is_empty());
    }
}
