//! Raft messages between members, over HTTP on the peer URLs.
//!
//! Each peer has one sender task with a queue: it takes everything queued, sends it as ONE
//! `POST /raft` (length-prefixed protobuf messages) over a kept-alive connection, and goes
//! again — so under load messages are batched per peer, and a slow peer never delays the
//! others. The receiving member checks the cluster ID and hands the messages to its Raft
//! thread. A failed send reports the peer unreachable (and a snapshot as failed) to Raft,
//! which then probes it again instead of streaming appends into the void.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use ::raft::eraftpb::{Message, MessageType};
use bytes::{Buf, Bytes};
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

pub const RAFT_PATH: &str = "/raft";

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

/// What a leader reports about one follower in `/v2/stats/leader`: how long sending to it
/// takes (milliseconds, as etcd reports) and how many sends succeeded or failed.
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
    client: Client<HttpConnector, Full<Bytes>>,
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
    ) -> HttpTransport {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(1)));
        let client = Client::builder(TokioExecutor::new()).build(connector);
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
    client: Client<HttpConnector, Full<Bytes>>,
    reporter: Reporter,
}

impl PeerSender {
    async fn run(self, mut queue: mpsc::UnboundedReceiver<Message>) {
        let mut url_index = 0;
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
            let snapshots = batch.iter().filter(|m| m.get_msg_type() == MessageType::MsgSnapshot).count();
            let url = &self.urls[url_index % self.urls.len()];
            let started = Instant::now();
            let result = self.post(url, encode(&batch)).await;
            if let Some(shared) = self.reporter.get().and_then(Weak::upgrade) {
                shared.peer_stats.lock().entry(self.to).or_default().record(result.is_ok().then(|| started.elapsed()));
            }
            match result {
                Ok(()) => {
                    for _ in 0..snapshots {
                        report(&self.reporter, Input::SnapshotStatus(self.to, true));
                    }
                }
                Err(_) => {
                    url_index += 1; // try the peer's next URL next time
                    report(&self.reporter, Input::Unreachable(self.to));
                    for _ in 0..snapshots {
                        report(&self.reporter, Input::SnapshotStatus(self.to, false));
                    }
                }
            }
        }
    }

    async fn post(&self, url: &str, body: Vec<u8>) -> Result<(), String> {
        let req = hyper::Request::post(format!("{}{RAFT_PATH}", url.trim_end_matches('/')))
            .header("Content-Type", "application/octet-stream")
            .header("X-Etcd-Cluster-ID", id_string(self.cluster_id))
            .header("X-Server-From", id_string(self.from))
            .body(Full::new(Bytes::from(body)))
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
