//! The Raft thread: one thread owns the `RawNode` and runs the whole Ready loop.
//!
//! Everything else talks to it through one channel ([`Input`]) and reads what it publishes in
//! [`Shared`]: the state machine (behind a lock), the waiting requests, and a few atomics for
//! headers and health. The loop, in [`Node::on_ready`], is the one from raft-rs's examples:
//!
//! 1. send the messages a leader may send before persisting;
//! 2. take a snapshot from the leader, if any (it goes to disk with step 4);
//! 3. hand the entries that were already committed and persisted to the applier;
//! 4. persist the snapshot, new entries and the hard state — ONE write and ONE fdatasync
//!    to the WAL (none when only the commit index moved: Raft needs no durable commit index);
//! 5. send the messages that had to wait for that;
//! 6. advance, then send and hand off what advancing released.
//!
//! Applying happens on the [`applier`](super::applier) thread, in log order, while this thread
//! goes on to the next Ready (as etcd overlaps its apply loop with its raft loop). A client is
//! answered by the applier, i.e. only after its entry is durable and applied.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use ::raft::eraftpb::{ConfChange, ConfChangeV2, ConfState, Entry, EntryType, Message, SnapshotMetadata};
use ::raft::{Config, RawNode, StateRole, Storage};
use parking_lot::{Mutex, RwLock};
use protobuf::Message as _;
use tokio::sync::oneshot;

mod leadership;

use super::applier::{Applier, ApplyTask};
use super::log_store::{LogError, LogStore};
use super::snap_store::SnapStore;
use super::state_machine::{self, Command, Outcome, StateMachine};

/// Why a request got no outcome.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposeError {
    #[error("etcdserver: request timed out")]
    Timeout,
    #[error("etcdserver: no leader")]
    NoLeader,
    #[error("etcdserver: server stopped")]
    Stopped,
}

/// Why a member stops on its own. The library never exits the process: the Raft, applier and
/// snapshot threads report here, and the program, waiting on [`Shared::halted`], decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    /// The cluster removed this member; it cannot take part any more (etcd stops too).
    Removed,
    /// A thread the member cannot serve without failed: a disk error, a snapshot that cannot be
    /// installed or written, a panic. Serving on would mean stale reads and a false `/health`.
    Fatal(String),
}

/// What a proposer gets back: the outcome of its command (None for commands without one,
/// like a member publishing its URLs), or why there is none.
pub type Reply = Result<Option<Outcome>, ProposeError>;

/// What the rest of the server sends to the Raft thread.
pub enum Input {
    /// A command; its reply goes to the waiter registered under `id`.
    Propose {
        id: u64,
        data: Vec<u8>,
    },
    /// A linearizable read: answered once the state machine has applied the read index.
    ReadIndex {
        reply: oneshot::Sender<Result<(), ProposeError>>,
    },
    /// A membership change; its reply goes to the waiter registered under `id`.
    ConfChange {
        id: u64,
        cc: ConfChange,
    },
    /// The members or their peer URLs changed: where to send from now on.
    Peers(Vec<(u64, Vec<String>)>),
    /// A Raft message from a peer.
    Step(Message),
    /// The applier wrote a snapshot: the log behind it can be compacted.
    SnapshotSaved(SnapshotMetadata),
    /// A message to this peer could not be delivered.
    Unreachable(u64),
    /// A snapshot sent to this peer arrived (true) or did not (false).
    SnapshotStatus(u64, bool),
    /// The stream of messages from this peer ended: its connection closed (EOF or reset), as
    /// when its process dies. If that peer is the leader, this member campaigns at once (see
    /// [`Node::early_campaign`]).
    StreamEnded(u64),
    /// The member is stopping: a leader hands its leadership to the most up-to-date follower
    /// first; the reply goes when another member leads (or after an election timeout).
    HandOver(oneshot::Sender<()>),
    Shutdown,
}

/// Where messages for other members go ([`super::transport::HttpTransport`]).
pub trait Transport: Send {
    fn send(&mut self, msgs: Vec<Message>);
    /// Every member's ID and peer URLs (this member's own entry is ignored).
    fn set_peers(&mut self, peers: Vec<(u64, Vec<String>)>);
}

/// What a conf-change entry carries in its context: the request to answer and, when a member
/// is added, the member.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct ConfChangeContext {
    pub request: u64,
    pub member: Option<super::membership::Member>,
}

pub const ROLE_FOLLOWER: u8 = 0;
pub const ROLE_CANDIDATE: u8 = 1;
pub const ROLE_LEADER: u8 = 2;

/// State the Raft thread publishes for the HTTP side.
pub struct Shared {
    pub member_id: u64,
    pub cluster_id: u64,
    pub sm: RwLock<StateMachine>,
    waiters: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    inbox: Mutex<Sender<Input>>,
    next_id: AtomicU64,
    pub commit_index: AtomicU64,
    pub applied_index: AtomicU64,
    pub term: AtomicU64,
    pub leader: AtomicU64,
    pub role: AtomicU8,
    pub recv_append: AtomicU64,
    pub send_append: AtomicU64,
    /// When this member last saw a leader change (unix nanos); for /v2/stats/self.
    pub leader_since: AtomicU64,
    /// Send latency and counts per peer, kept by the transport; for /v2/stats/leader.
    pub peer_stats: Mutex<std::collections::BTreeMap<u64, super::transport::PeerStats>>,
    /// Set once when the member must stop on its own.
    halt: tokio::sync::watch::Sender<Option<Halt>>,
    /// The file system under the data dir is full: the Raft thread is waiting to write the log
    /// (reads go on; writes are refused at once with `no space`) and goes on by itself once
    /// there is room.
    pub no_space: std::sync::atomic::AtomicBool,
    /// Set by `shutdown`: the Raft thread stops waiting for space.
    stopping: std::sync::atomic::AtomicBool,
}

impl Shared {
    fn send(&self, input: Input) -> Result<(), ProposeError> {
        self.inbox.lock().send(input).map_err(|_| ProposeError::Stopped)
    }

    pub(crate) fn send_input(&self, input: Input) {
        let _ = self.send(input);
    }

    /// Hands each applied command's outcome to the request waiting for it (if it is still
    /// waiting here: the request may have come to another member, or timed out).
    pub(crate) fn reply(&self, replies: Vec<(u64, Option<Outcome>)>) {
        if replies.is_empty() {
            return;
        }
        let mut waiters = self.waiters.lock();
        for (id, outcome) in replies {
            if let Some(w) = waiters.remove(&id) {
                let _ = w.send(Ok(outcome));
            }
        }
    }

    /// Proposes `cmd` and waits until it is applied (or `timeout` passes).
    pub async fn propose(&self, cmd: &Command, timeout: Duration) -> Reply {
        self.submit(timeout, |id| Input::Propose { id, data: state_machine::encode(id, cmd) }).await
    }

    /// Proposes a membership change and waits until it is applied.
    pub async fn propose_conf_change(
        &self,
        mut cc: ConfChange,
        member: Option<super::membership::Member>,
        timeout: Duration,
    ) -> Reply {
        self.submit(timeout, |id| {
            cc.context = serde_json::to_vec(&ConfChangeContext { request: id, member })
                .expect("context encodes")
                .into();
            Input::ConfChange { id, cc }
        })
        .await
    }

    /// Registers a waiter under a fresh request ID, sends what `input` builds with that ID to
    /// the Raft thread, and waits for the applier's answer (or `timeout`).
    async fn submit(&self, timeout: Duration, input: impl FnOnce(u64) -> Input) -> Reply {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().insert(id, tx);
        if let Err(e) = self.send(input(id)) {
            self.waiters.lock().remove(&id);
            return Err(e);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(ProposeError::Stopped),
            Err(_) => {
                self.waiters.lock().remove(&id);
                Err(ProposeError::Timeout)
            }
        }
    }

    /// Waits until this member has applied everything committed when the call was made
    /// (Raft's ReadIndex), so a read that follows is linearizable.
    pub async fn read_barrier(&self, timeout: Duration) -> Result<(), ProposeError> {
        let (tx, rx) = oneshot::channel();
        self.send(Input::ReadIndex { reply: tx })?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(ProposeError::Stopped),
            Err(_) => Err(ProposeError::Timeout),
        }
    }

    pub fn step(&self, msg: Message) {
        let _ = self.send(Input::Step(msg));
    }

    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
        let _ = self.send(Input::Shutdown);
    }

    /// Before a stop: if this member leads, hands leadership over to the most up-to-date
    /// follower and waits until another member leads (at most an election timeout, or
    /// `limit`), so writes through the other members pause for a round trip rather than an
    /// election timeout. A follower returns at once.
    pub async fn hand_over(&self, limit: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.send(Input::HandOver(tx)).is_ok() {
            let _ = tokio::time::timeout(limit, rx).await;
        }
    }

    /// Asks the program to stop this member (the first reason given is kept).
    pub fn halt(&self, why: Halt) {
        self.halt.send_if_modified(|h| {
            if h.is_none() {
                *h = Some(why);
                true
            } else {
                false
            }
        });
    }

    /// Resolves when the member must stop on its own, with the reason.
    pub async fn halted(&self) -> Halt {
        let mut rx = self.halt.subscribe();
        match rx.wait_for(Option::is_some).await {
            Ok(h) => h.clone().unwrap_or_else(|| Halt::Fatal("halted".into())),
            // The sender lives in `self`, so this cannot happen while we are borrowed.
            Err(_) => std::future::pending().await,
        }
    }

    /// Runs `body` as the named thread's whole work: a panic in it halts the member instead of
    /// leaving it serving without that thread.
    pub fn guard(self: &Arc<Self>, thread: &str, body: impl FnOnce()) {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_err() {
            self.halt(Halt::Fatal(format!("the {thread} thread panicked")));
        }
    }

    pub fn has_leader(&self) -> bool {
        self.leader.load(Ordering::Acquire) != 0
    }

    pub fn is_leader(&self) -> bool {
        self.role.load(Ordering::Acquire) == ROLE_LEADER
    }

    fn fail_waiter(&self, id: u64, e: ProposeError) {
        if let Some(w) = self.waiters.lock().remove(&id) {
            let _ = w.send(Err(e));
        }
    }
}

pub struct NodeConfig {
    pub member_id: u64,
    pub heartbeat: Duration,
    pub election_ticks: usize,
    pub snapshot_count: u64,
    /// Entries kept behind a snapshot for peers that lag (etcd keeps 5000).
    pub catch_up_entries: u64,
}

/// How often the leader proposes its clock so TTL keys expire (etcd: 500 ms).
const SYNC_INTERVAL: Duration = Duration::from_millis(500);
/// At most this many inputs are taken before the next Ready, to bound latency.
const MAX_BATCH: usize = 4096;

pub struct Node {
    raw: RawNode<LogStore>,
    shared: Arc<Shared>,
    inbox: Receiver<Input>,
    transport: Box<dyn Transport>,
    cfg: NodeConfig,
    /// Work for the applier thread, in log order.
    apply: Sender<ApplyTask>,
    /// The applier, until `run` starts it.
    applier: Option<Applier>,
    /// Read requests by context, until their read index is known, with when they were (last)
    /// handed to Raft.
    reads_pending: HashMap<u64, (oneshot::Sender<Result<(), ProposeError>>, Instant)>,
    next_read: u64,
    last_sync: Instant,
    /// When the heartbeat now awaiting an answer was sent to each peer: the round trip is the
    /// latency `/v2/stats/leader` reports.
    heartbeats: HashMap<u64, Instant>,
    /// Proposals taken from the inbox, not yet handed to Raft (see `flush_proposals`).
    proposals: Vec<(u64, Vec<u8>)>,
    /// Proposals made while no leader was known (an election, a leadership transfer), with
    /// when they came: they go to Raft once a leader is known, or fail with `no leader` after
    /// [`HOLD_LIMIT`] election timeouts (as etcd holds a write rather than refuse it).
    held: Vec<(u64, Vec<u8>, Instant)>,
    /// The same for proposals other members forwarded here (their clients wait there): a
    /// leader handing over would drop them, and their writers would wait out their timeout.
    held_forwarded: Vec<(Message, Instant)>,
    /// When the leader last sent this member anything.
    leader_heard: Instant,
    /// Until when writes made without a known leader are held rather than refused: a leadership
    /// change this member knows is under way and quick — its own hand-over, or the election it
    /// started because the leader's connection closed.
    hold_until: Option<Instant>,
    /// The Raft term last seen, and when it began here (a vote this member gave in a term
    /// that began lately is an election about to finish: writes wait for it too).
    term_seen: (u64, Instant),
    /// A campaign to start early, because the leader's stream ended: (that leader, when to
    /// start, when its stream ended).
    early: Option<(u64, Instant, Instant)>,
    /// A stop waiting for leadership to move away: the reply, and when to give up.
    handing_over: Option<(oneshot::Sender<()>, Instant)>,
}

/// Held proposals fail after this many election timeouts without a leader.
const HOLD_LIMIT: u32 = 3;
/// Forwarded proposals held at most (each is a batch from one member).
const MAX_HELD_FORWARDED: usize = 10_000;

impl Node {
    /// Builds the node from what is on disk. `sm` must be the state at the log's snapshot and
    /// `conf_state` the configuration at that point.
    pub fn new(
        log: LogStore,
        snaps: Arc<SnapStore>,
        sm: StateMachine,
        conf_state: ConfState,
        cluster_id: u64,
        cfg: NodeConfig,
        transport: Box<dyn Transport>,
    ) -> Result<(Node, Arc<Shared>), String> {
        let snapshot_meta = log.snapshot_metadata().clone();
        let snapshot_index = snapshot_meta.index;
        let hs = log.hard_state().clone();
        let raft_cfg = Config {
            id: cfg.member_id,
            election_tick: cfg.election_ticks,
            heartbeat_tick: 1,
            applied: snapshot_index,
            max_size_per_msg: 1024 * 1024,
            max_inflight_msgs: 256,
            check_quorum: true,
            pre_vote: true,
            read_only_option: ::raft::ReadOnlyOption::Safe,
            // Appends to one peer produced in one round go as one message (the commit index a
            // leader broadcasts rides along with new entries).
            batch_append: true,
            ..Default::default()
        };
        raft_cfg.validate().map_err(|e| format!("raft config: {e}"))?;
        let logger = super::raft_log::logger();
        let voters = log.conf_state().voters.clone();
        let mut raw = RawNode::new(&raft_cfg, log, &logger).map_err(|e| format!("raft: {e}"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let seed = (cfg.member_id << 48) ^ ((crate::os::clock::now_nanos() as u64 / 1_000_000) << 8);
        let shared = Arc::new(Shared {
            member_id: cfg.member_id,
            cluster_id,
            sm: RwLock::new(sm),
            waiters: Mutex::new(HashMap::new()),
            inbox: Mutex::new(tx),
            next_id: AtomicU64::new(seed),
            commit_index: AtomicU64::new(hs.commit),
            applied_index: AtomicU64::new(snapshot_index),
            term: AtomicU64::new(hs.term),
            leader: AtomicU64::new(0),
            role: AtomicU8::new(ROLE_FOLLOWER),
            recv_append: AtomicU64::new(0),
            send_append: AtomicU64::new(0),
            leader_since: AtomicU64::new(crate::os::clock::now_nanos() as u64),
            peer_stats: Mutex::new(Default::default()),
            halt: tokio::sync::watch::channel(None).0,
            no_space: Default::default(),
            stopping: Default::default(),
        });
        // A cluster of one needs no election timeout to find its leader.
        if voters == [cfg.member_id] {
            let _ = raw.campaign();
        }
        let (apply_tx, apply_rx) = std::sync::mpsc::channel();
        let applier =
            Applier::new(shared.clone(), apply_rx, snaps, cfg.snapshot_count, &snapshot_meta, conf_state);
        let node = Node {
            raw,
            shared: shared.clone(),
            inbox: rx,
            transport,
            cfg,
            apply: apply_tx,
            applier: Some(applier),
            reads_pending: HashMap::new(),
            next_read: 1,
            proposals: Vec::new(),
            held: Vec::new(),
            held_forwarded: Vec::new(),
            leader_heard: Instant::now(),
            hold_until: None,
            term_seen: (0, Instant::now()),
            early: None,
            handing_over: None,
            last_sync: Instant::now(),
            heartbeats: HashMap::new(),
        };
        Ok((node, shared))
    }

    /// Runs the loop (and the applier thread) until `Input::Shutdown` or a disk error
    /// (returned).
    pub fn run(mut self) -> Result<(), LogError> {
        let applier = self.applier.take().expect("run once");
        let applier = std::thread::Builder::new()
            .name("apply".into())
            .stack_size(16 << 20)
            .spawn({
                let shared = self.shared.clone();
                move || shared.guard("apply", || applier.run())
            })
            .map_err(|e| LogError::Wal(format!("cannot start the applier thread: {e}")))?;
        let result = self.run_loop();
        // Dropping the node closes the applier's channel; it finishes what it was given.
        let shared = self.shared.clone();
        drop(self);
        let _ = applier.join();
        for (_, w) in shared.waiters.lock().drain() {
            let _ = w.send(Err(ProposeError::Stopped));
        }
        result
    }

    fn run_loop(&mut self) -> Result<(), LogError> {
        let tick = self.cfg.heartbeat;
        let mut next_tick = Instant::now() + tick;
        loop {
            let wake = match self.early {
                Some((_, at, _)) => at.min(next_tick),
                None => next_tick,
            };
            let wait = wake.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(wait) {
                Ok(Input::Shutdown) => break,
                Ok(input) => {
                    self.handle(input);
                    let mut n = 1;
                    while n < MAX_BATCH {
                        match self.inbox.try_recv() {
                            Ok(Input::Shutdown) => return Ok(()),
                            Ok(input) => self.handle(input),
                            Err(_) => break,
                        }
                        n += 1;
                    }
                    self.flush_proposals();
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let now = Instant::now();
            if now >= next_tick {
                self.raw.tick();
                next_tick = now + tick;
                self.maybe_sync();
                self.retry_reads();
                self.expire_held(now);
            }
            self.early_campaign(now);
            if self.raw.raft.term != self.term_seen.0 {
                self.term_seen = (self.raw.raft.term, now);
            }
            self.release_held();
            self.on_ready()?;
            self.check_hand_over(now);
        }
        Ok(())
    }

    /// Steps the proposals gathered by `handle` as one MsgPropose; while no leader is known
    /// (or earlier ones are still held) they are held, in order.
    fn flush_proposals(&mut self) {
        if self.proposals.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.proposals);
        let now = Instant::now();
        if !self.can_propose() && !self.holding(now) {
            // No leader, and none known to be on its way: say so now, so that clients try
            // another member (a member cut off from the others must not make them wait).
            for (id, _) in batch {
                self.shared.fail_waiter(id, ProposeError::NoLeader);
            }
            return;
        }
        if !self.held.is_empty() || !self.can_propose() {
            self.held.extend(batch.into_iter().map(|(id, d)| (id, d, now)));
            return;
        }
        self.step_proposals(batch);
    }

    /// Steps proposals as one MsgPropose (a leader is known: see `can_propose`); if Raft drops
    /// them all the same, they fail.
    fn step_proposals(&mut self, batch: Vec<(u64, Vec<u8>)>) {
        let mut m = Message::default();
        m.set_msg_type(::raft::eraftpb::MessageType::MsgPropose);
        m.from = self.raw.raft.id;
        let ids: Vec<u64> = batch.iter().map(|(id, _)| *id).collect();
        m.set_entries(
            batch
                .into_iter()
                .map(|(_, data)| {
                    let mut e = Entry::default();
                    e.data = data.into();
                    e
                })
                .collect::<Vec<_>>()
                .into(),
        );
        if self.raw.raft.step(m).is_err() {
            for id in ids {
                self.shared.fail_waiter(id, ProposeError::NoLeader);
            }
        }
    }

    fn handle(&mut self, input: Input) {
        if !matches!(input, Input::Propose { .. }) {
            // Keep the order of proposals and what follows them (a conf change, a read).
            self.flush_proposals();
        }
        match input {
            // Proposals that arrive together go to Raft as one message: a follower forwards
            // one MsgProp to the leader instead of one per write.
            Input::Propose { id, data } => self.proposals.push((id, data)),
            Input::ReadIndex { reply } => {
                let ctx = self.next_read;
                self.next_read += 1;
                self.reads_pending.insert(ctx, (reply, Instant::now()));
                self.raw.read_index(ctx.to_be_bytes().to_vec());
            }
            Input::ConfChange { id, cc } => {
                if self.raw.propose_conf_change(vec![], cc).is_err() {
                    self.shared.fail_waiter(id, ProposeError::NoLeader);
                }
            }
            Input::Peers(peers) => self.transport.set_peers(peers),
            Input::Step(msg) => {
                if msg.get_msg_type() == ::raft::eraftpb::MessageType::MsgHeartbeatResponse
                    && let Some(sent) = self.heartbeats.remove(&msg.from)
                {
                    self.shared.peer_stats.lock().entry(msg.from).or_default().record(Some(sent.elapsed()));
                }
                if msg.get_msg_type() == ::raft::eraftpb::MessageType::MsgAppend {
                    self.shared.recv_append.fetch_add(1, Ordering::Relaxed);
                }
                let now = Instant::now();
                if msg.from == self.raw.raft.leader_id {
                    self.leader_heard = now;
                }
                if msg.get_msg_type() == ::raft::eraftpb::MessageType::MsgPropose
                    && !self.can_propose()
                    && self.holding(Instant::now())
                {
                    if self.held_forwarded.len() < MAX_HELD_FORWARDED {
                        self.held_forwarded.push((msg, Instant::now()));
                    }
                    return;
                }
                let _ = self.raw.step(msg);
            }
            Input::SnapshotSaved(meta) => {
                let compact_to = meta.index.saturating_sub(self.cfg.catch_up_entries);
                self.raw.mut_store().snapshot_saved(meta, compact_to);
            }
            Input::Unreachable(id) => {
                self.raw.report_unreachable(id);
                self.heartbeats.remove(&id);
                self.shared.peer_stats.lock().entry(id).or_default().record(None);
            }
            Input::SnapshotStatus(id, ok) => {
                let status =
                    if ok { ::raft::SnapshotStatus::Finish } else { ::raft::SnapshotStatus::Failure };
                self.raw.report_snapshot(id, status);
            }
            Input::StreamEnded(from) => self.stream_ended(from),
            Input::HandOver(reply) => self.hand_over(reply),
            Input::Shutdown => {}
        }
    }

    /// The leader proposes its clock now and then, while there are keys that can expire.
    fn maybe_sync(&mut self) {
        if self.raw.raft.state != StateRole::Leader || self.last_sync.elapsed() < SYNC_INTERVAL {
            return;
        }
        self.last_sync = Instant::now();
        if !self.shared.sm.read().store.has_ttl_keys() {
            return;
        }
        let cmd = Command::Sync { now: crate::os::clock::now_nanos() };
        let _ = self.raw.propose(vec![], state_machine::encode(0, &cmd));
    }

    fn send(&mut self, msgs: Vec<Message>) {
        if msgs.is_empty() {
            return;
        }
        let appends =
            msgs.iter().filter(|m| m.get_msg_type() == ::raft::eraftpb::MessageType::MsgAppend).count();
        let now = Instant::now();
        for m in msgs.iter().filter(|m| m.get_msg_type() == ::raft::eraftpb::MessageType::MsgHeartbeat) {
            self.heartbeats.entry(m.to).or_insert(now);
        }
        self.shared.send_append.fetch_add(appends as u64, Ordering::Relaxed);
        self.transport.send(msgs);
    }

    fn on_ready(&mut self) -> Result<(), LogError> {
        if !self.raw.has_ready() {
            return Ok(());
        }
        let mut ready = self.raw.ready();
        if let Some(ss) = ready.ss() {
            self.publish_role(ss.leader_id, ss.raft_state);
        }

        // 1. A leader can send appends before its own disk write (etcd's optimisation).
        self.send(ready.take_messages());

        // 2. A snapshot from the leader (the log is behind it).
        let snapshot = if ready.snapshot().is_empty() { None } else { Some(ready.snapshot().clone()) };

        // 3. Entries committed in an earlier round and already on disk.
        self.hand_off(ready.take_committed_entries())?;
        for rs in ready.take_read_states() {
            self.read_index_known(&rs.request_ctx, rs.index);
        }

        // 4. Persist: one write, one fdatasync (the snapshot, if any, just before it); nothing
        //    if only the commit index moved.
        self.persist(snapshot.as_ref(), ready.entries(), ready.hs())?;
        if let Some(hs) = ready.hs() {
            self.shared.term.store(hs.term, Ordering::Release);
            self.shared.commit_index.store(hs.commit, Ordering::Release);
        }
        if let Some(snap) = snapshot {
            let _ = self.apply.send(ApplyTask::Install(snap));
        }

        // 5. Messages that must follow the write (votes, follower acks).
        self.send(ready.take_persisted_messages());

        // 6. Advance; hand off what that committed.
        let mut light = self.raw.advance(ready);
        if let Some(commit) = light.commit_index() {
            self.raw.mut_store().set_commit(commit);
            self.shared.commit_index.store(commit, Ordering::Release);
        }
        self.send(light.take_messages());
        self.hand_off(light.take_committed_entries())?;
        self.raw.advance_apply();
        if self.raw.store().snapshot_wanted.swap(false, Ordering::AcqRel) {
            let _ = self.apply.send(ApplyTask::SnapshotNow);
        }
        Ok(())
    }

    /// Writes a Ready's snapshot, entries and hard state; on a full file system, waits (the
    /// write is tried again every half second, the same write) until there is room, so nothing
    /// is lost and nothing is acknowledged before it is on disk. Meanwhile `no_space` is set:
    /// the HTTP side refuses writes at once and serves reads.
    fn persist(
        &mut self,
        snapshot: Option<&::raft::eraftpb::Snapshot>,
        entries: &[Entry],
        hs: Option<&::raft::eraftpb::HardState>,
    ) -> Result<(), LogError> {
        let mut since: Option<Instant> = None;
        loop {
            match self.raw.mut_store().persist(snapshot, entries, hs) {
                Ok(()) => break,
                Err(e) if e.is_no_space() && !self.shared.stopping.load(Ordering::Acquire) => {
                    if since.is_none() {
                        log::error!("{e}: writes are refused until there is room (reads go on)");
                        self.shared.no_space.store(true, Ordering::Release);
                        since = Some(Instant::now());
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(t) = since {
            self.shared.no_space.store(false, Ordering::Release);
            log::info!("there is room again after {:.1} s: writes are accepted", t.elapsed().as_secs_f64());
        }
        Ok(())
    }

    /// Gives committed entries to the applier. Configuration changes are applied to Raft here,
    /// in commit order, as raft-rs requires; the applier gets the resulting configurations.
    fn hand_off(&mut self, entries: Vec<Entry>) -> Result<(), LogError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut conf_states = Vec::new();
        for e in &entries {
            let cs = match e.get_entry_type() {
                EntryType::EntryNormal => continue,
                EntryType::EntryConfChange => {
                    let cc = ConfChange::parse_from_bytes(&e.data).unwrap_or_default();
                    self.raw.apply_conf_change(&cc)
                }
                EntryType::EntryConfChangeV2 => {
                    let cc = ConfChangeV2::parse_from_bytes(&e.data).unwrap_or_default();
                    self.raw.apply_conf_change(&cc)
                }
            };
            let cs = cs.map_err(|err| LogError::Wal(format!("conf change at {}: {err}", e.index)))?;
            self.raw.mut_store().set_conf_state(cs.clone())?;
            conf_states.push((e.index, cs));
        }
        let _ = self.apply.send(ApplyTask::Entries { entries, conf_states });
        Ok(())
    }

    fn publish_role(&mut self, leader: u64, role: StateRole) {
        let r = match role {
            StateRole::Leader => ROLE_LEADER,
            StateRole::Candidate | StateRole::PreCandidate => ROLE_CANDIDATE,
            StateRole::Follower => ROLE_FOLLOWER,
        };
        if self.shared.leader.swap(leader, Ordering::AcqRel) != leader {
            self.shared.leader_since.store(crate::os::clock::now_nanos() as u64, Ordering::Release);
        }
        self.shared.role.store(r, Ordering::Release);
    }

    /// raft-rs drops a read-index request it cannot serve yet — a leader that has not
    /// committed an entry of its own term, a follower that knows no leader — without a word.
    /// So reads still waiting after a couple of ticks are asked again (etcd keeps such reads
    /// pending until the new leader's first commit); those whose client gave up are dropped.
    fn retry_reads(&mut self) {
        let now = Instant::now();
        let stale = 2 * self.cfg.heartbeat;
        self.reads_pending.retain(|_, (reply, _)| !reply.is_closed());
        for (ctx, (_, issued)) in self.reads_pending.iter_mut() {
            if now.duration_since(*issued) >= stale {
                *issued = now;
                self.raw.read_index(ctx.to_be_bytes().to_vec());
            }
        }
    }

    fn read_index_known(&mut self, ctx: &[u8], index: u64) {
        let Ok(bytes) = <[u8; 8]>::try_from(ctx) else { return };
        if let Some((reply, _)) = self.reads_pending.remove(&u64::from_be_bytes(bytes)) {
            let _ = self.apply.send(ApplyTask::Read { index, reply });
        }
    }

    /// The last index in the log when the node was built (to know when a restart caught up).
    pub fn last_index(&self) -> u64 {
        self.raw.store().last_index().unwrap_or(0)
    }
}
