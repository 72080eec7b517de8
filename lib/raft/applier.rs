//! The applier thread: applies committed entries to the state machine, answers the waiting
//! requests, answers linearizable reads once their index is applied, and snapshots the state
//! machine every `--snapshot-count` entries.
//!
//! It runs beside the Raft thread (as etcd's apply loop runs beside its raft loop), so applying
//! one batch overlaps with the fsync of the next, and a snapshot — serialising the whole store
//! and writing it to `snap.redb` — never stalls the Ready loop. The Raft thread hands it work
//! in log order through one channel; when a snapshot is durable the applier tells the Raft
//! thread, which then compacts the log.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;

use ::raft::eraftpb::{ConfChange, ConfChangeType, ConfState, Entry, EntryType, Snapshot, SnapshotMetadata};
use protobuf::Message as _;
use tokio::sync::oneshot;

use super::node::{ConfChangeContext, Halt, Input, ProposeError, Shared};
use super::snap_store::SnapStore;
use super::state_machine::{self, StateImage, StateMachine};

/// Work for the applier, in log order.
pub enum ApplyTask {
    /// Committed entries; `conf_states` holds the configuration each conf-change entry among
    /// them produced (the Raft thread applied it to Raft already), by entry index.
    Entries { entries: Vec<Entry>, conf_states: Vec<(u64, ConfState)> },
    /// A snapshot from the leader, already durable: it replaces the state machine.
    Install(Snapshot),
    /// Answer once everything up to `index` is applied.
    Read { index: u64, reply: oneshot::Sender<Result<(), ProposeError>> },
    /// A peer needs a snapshot newer than the stored one: take one now.
    SnapshotNow,
}

pub struct Applier {
    shared: Arc<Shared>,
    tasks: Receiver<ApplyTask>,
    snapshot_count: u64,
    last_snapshot: u64,
    /// Snapshots to encode and write, in the order they were taken (see
    /// [`spawn_snapshot_writer`]).
    saver: std::sync::mpsc::Sender<(SnapshotMetadata, StateImage)>,
    applied: u64,
    applied_term: u64,
    /// The configuration as of `applied` (what a snapshot taken now must record).
    conf_state: ConfState,
    reads: Vec<(u64, oneshot::Sender<Result<(), ProposeError>>)>,
    /// A fatal error was reported ([`Halt`]): stop applying.
    halted: bool,
}

impl Applier {
    /// `snapshot` is the metadata of the snapshot the state machine was loaded from (index 0
    /// for none) and `conf_state` the configuration at that point.
    pub fn new(
        shared: Arc<Shared>,
        tasks: Receiver<ApplyTask>,
        snaps: Arc<SnapStore>,
        snapshot_count: u64,
        snapshot: &SnapshotMetadata,
        conf_state: ConfState,
    ) -> Applier {
        let saver = spawn_snapshot_writer(snaps.clone(), shared.clone());
        Applier {
            shared,
            tasks,
            saver,
            snapshot_count,
            last_snapshot: snapshot.index,
            applied: snapshot.index,
            applied_term: snapshot.term,
            conf_state,
            reads: Vec::new(),
            halted: false,
        }
    }

    /// Runs until the Raft thread drops its end of the channel.
    pub fn run(mut self) {
        while let Ok(task) = self.tasks.recv() {
            self.handle(task);
            while let Ok(task) = self.tasks.try_recv() {
                self.handle(task);
            }
            if self.halted {
                // The state machine is not the log's any more: apply nothing else.
                return;
            }
            self.answer_reads();
            self.maybe_snapshot();
        }
    }

    fn handle(&mut self, task: ApplyTask) {
        match task {
            ApplyTask::Entries { entries, conf_states } => self.apply(entries, conf_states),
            ApplyTask::Install(snap) => match StateMachine::recover(&snap.data) {
                Ok(sm) => {
                    *self.shared.sm.write() = sm;
                    let m = snap.get_metadata();
                    self.applied = m.index;
                    self.applied_term = m.term;
                    self.last_snapshot = m.index;
                    self.conf_state = m.get_conf_state().clone();
                    self.shared.applied_index.store(m.index, Ordering::Release);
                    let peers = self.shared.sm.read().cluster.peers();
                    self.shared.send_input(Input::Peers(peers));
                }
                Err(e) => {
                    self.shared.halt(Halt::Fatal(format!("cannot install the leader's snapshot: {e}")));
                    self.halted = true;
                }
            },
            ApplyTask::Read { index, reply } => self.reads.push((index, reply)),
            ApplyTask::SnapshotNow => {
                if self.applied > self.last_snapshot {
                    self.snapshot();
                }
            }
        }
    }

    fn apply(&mut self, entries: Vec<Entry>, conf_states: Vec<(u64, ConfState)>) {
        let Some(last) = entries.last() else { return };
        let (last_index, last_term) = (last.index, last.term);
        let now = crate::os::clock::now_nanos();
        let mut replies = Vec::new();
        let mut removed = false;
        let mut peers = None;
        {
            let mut sm = self.shared.sm.write();
            for e in &entries {
                match e.get_entry_type() {
                    EntryType::EntryNormal if e.data.is_empty() => {} // a new leader's empty entry
                    EntryType::EntryNormal => match state_machine::decode(&e.data) {
                        Ok((id, cmd)) => {
                            let outcome = sm.apply(cmd, now);
                            if id != 0 {
                                replies.push((id, outcome));
                            }
                        }
                        Err(err) => log::warn!("skipping entry {}: {err}", e.index),
                    },
                    EntryType::EntryConfChange => {
                        let cc = ConfChange::parse_from_bytes(&e.data).unwrap_or_default();
                        let ctx: ConfChangeContext = serde_json::from_slice(&cc.context).unwrap_or_default();
                        apply_membership(&mut sm, &cc, ctx.member);
                        if cc.get_change_type() == ConfChangeType::RemoveNode
                            && cc.node_id == self.shared.member_id
                        {
                            removed = true;
                        }
                        if ctx.request != 0 {
                            replies.push((ctx.request, None));
                        }
                    }
                    EntryType::EntryConfChangeV2 => {}
                }
            }
            if std::mem::take(&mut sm.membership_changed) {
                peers = Some(sm.cluster.peers());
            }
        }
        if let Some(p) = peers {
            self.shared.send_input(Input::Peers(p));
        }
        if let Some((_, cs)) = conf_states.into_iter().last() {
            self.conf_state = cs;
        }
        self.applied = last_index;
        self.applied_term = last_term;
        self.shared.applied_index.store(last_index, Ordering::Release);
        self.shared.reply(replies);
        if removed {
            // etcd does the same: a removed member cannot take part any more.
            self.shared.halt(Halt::Removed);
        }
    }

    fn answer_reads(&mut self) {
        if self.reads.is_empty() {
            return;
        }
        let applied = self.applied;
        let (done, wait): (Vec<_>, Vec<_>) = self.reads.drain(..).partition(|(i, _)| *i <= applied);
        self.reads = wait;
        for (_, w) in done {
            let _ = w.send(Ok(()));
        }
    }

    fn maybe_snapshot(&mut self) {
        if self.applied >= self.last_snapshot + self.snapshot_count {
            self.snapshot();
        }
    }

    /// Copies the store as of `applied` (it must be consistent, so that happens here), then
    /// lets the snapshot thread encode and write it: applying goes on meanwhile. (Encoding
    /// here too stalled applying — and every write waiting on this member — for 20–50 ms per
    /// snapshot of a 10,000-key store; the copy takes a few.)
    fn snapshot(&mut self) {
        let image = self.shared.sm.read().image();
        let mut meta = SnapshotMetadata::default();
        meta.index = self.applied;
        meta.term = self.applied_term;
        meta.set_conf_state(self.conf_state.clone());
        self.last_snapshot = self.applied;
        let _ = self.saver.send((meta, image));
    }
}

/// The thread that writes the applier's snapshots to the snapshot store and then tells the
/// Raft thread, which may compact the log behind them. The store keeps only the newest
/// snapshot: one older than what is stored (a leader's snapshot installed meanwhile) is dropped.
fn spawn_snapshot_writer(
    snaps: Arc<SnapStore>,
    shared: Arc<Shared>,
) -> std::sync::mpsc::Sender<(SnapshotMetadata, StateImage)> {
    let (tx, rx) = std::sync::mpsc::channel::<(SnapshotMetadata, StateImage)>();
    let thread_shared = shared.clone();
    let write = move || {
        // Encoding and writing a snapshot takes a core for a while: requests come first.
        crate::os::priority::background();
        while let Ok((meta, image)) = rx.recv() {
            let mut snap = Snapshot::default();
            snap.set_metadata(meta);
            snap.data = image.encode().into();
            match snaps.save(&snap) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) if e.is_no_space() => {
                    // The log keeps everything the snapshot would have: it is only not
                    // compacted yet. The next snapshot point tries again.
                    log::warn!("cannot write a snapshot: {e} (the log is kept whole until one is written)");
                    continue;
                }
                Err(e) => {
                    shared.halt(Halt::Fatal(format!("cannot write a snapshot: {e}")));
                    return;
                }
            }
            // (kv-serve hands the pages of its large, short-lived buffers back to the OS
            // every two seconds.)
            shared.send_input(Input::SnapshotSaved(snap.take_metadata()));
        }
    };
    let guard = thread_shared.clone();
    let spawned =
        std::thread::Builder::new().name("snapshot".into()).spawn(move || guard.guard("snapshot", write));
    if let Err(e) = spawned {
        thread_shared.halt(Halt::Fatal(format!("cannot start the snapshot thread: {e}")));
    }
    tx
}

/// Adds (the member from the entry's context) or removes a member.
fn apply_membership(sm: &mut StateMachine, cc: &ConfChange, member: Option<super::membership::Member>) {
    match cc.get_change_type() {
        ConfChangeType::AddNode | ConfChangeType::AddLearnerNode => {
            if let Some(m) = member {
                sm.cluster.members.insert(m.id, m);
            }
        }
        ConfChangeType::RemoveNode => {
            sm.cluster.members.remove(&cc.node_id);
        }
    }
    sm.membership_changed = true;
}
