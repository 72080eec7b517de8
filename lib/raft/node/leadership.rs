//! Leadership changes, seen from one member: a stopping leader hands over, a follower whose
//! leader's connection closed campaigns at once, and writes made while a new leader is known to
//! be coming are held for it (and fail, or are refused at once, otherwise).

use std::time::{Duration, Instant};

use ::raft::StateRole;
use tokio::sync::oneshot;

use super::{HOLD_LIMIT, Node, ProposeError};

impl Node {
    pub(super) fn election_timeout(&self) -> Duration {
        self.cfg.heartbeat * self.cfg.election_ticks as u32
    }

    /// Whether a proposal stepped now would reach a leader: one is known and it is not
    /// handing its leadership over (raft-rs drops proposals in both cases).
    pub(super) fn can_propose(&self) -> bool {
        let r = &self.raw.raft;
        r.leader_id != ::raft::INVALID_ID && !(r.state == StateRole::Leader && r.lead_transferee.is_some())
    }

    /// Steps the held proposals, in order, once a leader is known.
    pub(super) fn release_held(&mut self) {
        if (self.held.is_empty() && self.held_forwarded.is_empty()) || !self.can_propose() {
            return;
        }
        for (m, _) in std::mem::take(&mut self.held_forwarded) {
            let _ = self.raw.step(m);
        }
        if self.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.held);
        self.step_proposals(held.into_iter().map(|(id, data, _)| (id, data)).collect());
    }

    /// Whether writes made now without a known leader are held: during a leadership change this
    /// member knows is under way (see `hold_until`), or once it has voted in a term that began
    /// within an election timeout. Not while it only waits for a leader that went silent, or
    /// pre-campaigns alone: a member cut off from the others must not make clients wait.
    pub(super) fn holding(&self, now: Instant) -> bool {
        let r = &self.raw.raft;
        self.hold_until.is_some_and(|t| now < t)
            || (r.vote != ::raft::INVALID_ID
                && r.term == self.term_seen.0
                && now.duration_since(self.term_seen.1) < self.election_timeout())
    }

    /// Held proposals whose client gave up are dropped; those held too long, or once no
    /// leadership change is known to be under way, fail.
    pub(super) fn expire_held(&mut self, now: Instant) {
        let limit = if self.holding(now) || self.can_propose() {
            self.election_timeout() * HOLD_LIMIT
        } else {
            Duration::ZERO
        };
        self.held_forwarded.retain(|(_, since)| now.duration_since(*since) < limit);
        if self.held.is_empty() {
            return;
        }
        let shared = self.shared.clone();
        let waiting = shared.waiters.lock();
        let mut failed = Vec::new();
        self.held.retain(|(id, _, since)| {
            if !waiting.contains_key(id) {
                false
            } else if now.duration_since(*since) >= limit {
                failed.push(*id);
                false
            } else {
                true
            }
        });
        drop(waiting);
        for id in failed {
            shared.fail_waiter(id, ProposeError::NoLeader);
        }
    }

    /// A follower whose leader's stream ended — its connection closed, as when the leader's
    /// process dies — need not wait an election timeout to notice: it campaigns at once. The
    /// campaign starts with a pre-vote, and with check-quorum a member that still hears from a
    /// live leader refuses it, so a connection that broke while the leader lives deposes no
    /// one. The followers campaign one heartbeat apart, in member-ID order, so they do not
    /// split the vote: the first pre-candidate forgets the old leader and grants the next
    /// one's pre-vote. A leader that vanishes without closing its connections is still found
    /// out by the election timeout.
    pub(super) fn early_campaign(&mut self, now: Instant) {
        let Some((leader, at, ended)) = self.early else { return };
        if now < at {
            return;
        }
        self.early = None;
        let r = &self.raw.raft;
        if r.state == StateRole::Follower && r.leader_id == leader && self.leader_heard <= ended {
            log::info!(
                "the leader's connection closed: campaigning without waiting for the election timeout"
            );
            self.hold_until = Some(now + self.election_timeout());
            let _ = self.raw.campaign();
        }
    }

    pub(super) fn stream_ended(&mut self, from: u64) {
        let r = &self.raw.raft;
        if r.state != StateRole::Follower || r.leader_id != from || from == ::raft::INVALID_ID {
            return;
        }
        let mut others: Vec<u64> = r.prs().conf().voters().ids().iter().filter(|&id| id != from).collect();
        others.sort_unstable();
        let rank = others.iter().position(|&id| id == r.id).unwrap_or(others.len()) as u32;
        let now = Instant::now();
        self.early = Some((from, now + self.cfg.heartbeat * rank, now));
    }

    /// A stopping leader hands over to the follower that has the most of its log.
    pub(super) fn hand_over(&mut self, reply: oneshot::Sender<()>) {
        let r = &self.raw.raft;
        if r.state != StateRole::Leader {
            let _ = reply.send(());
            return;
        }
        let me = r.id;
        let best = r
            .prs()
            .conf()
            .voters()
            .ids()
            .iter()
            .filter(|&id| id != me)
            .filter_map(|id| r.prs().get(id).map(|p| (p.matched, id)))
            .max();
        let Some((_, to)) = best else {
            let _ = reply.send(());
            return;
        };
        log::info!("stopping: handing leadership over to {}", crate::raft::membership::id_string(to));
        self.raw.transfer_leader(to);
        let deadline = Instant::now() + self.election_timeout();
        self.handing_over = Some((reply, deadline));
        self.hold_until = Some(deadline);
    }

    /// Answers a stop once another member leads (this one follows it), or the time is up.
    pub(super) fn check_hand_over(&mut self, now: Instant) {
        let Some((_, deadline)) = &self.handing_over else { return };
        let r = &self.raw.raft;
        let moved =
            r.state == StateRole::Follower && r.leader_id != ::raft::INVALID_ID && r.leader_id != r.id;
        if moved || now >= *deadline {
            if !moved {
                log::warn!("stopping: leadership did not move within an election timeout");
            }
            let (reply, _) = self.handing_over.take().expect("checked");
            let _ = reply.send(());
        }
    }
}
