//! Consensus: the `raft` crate driven by one thread, its log in a write-ahead log of our own,
//! and the replicated state machine (the v2 store plus the membership).
//!
//! - [`bootstrap`]: a member's first start and every restart: the data dir, its identity, joining;
//! - [`log_store`]: the Raft log and hard state on disk (`DATA_DIR/wal/`);
//! - [`snap_store`]: the latest snapshot on disk;
//! - [`state_machine`]: what an entry carries and how it is applied;
//! - [`membership`]: members, IDs, the cluster ID;
//! - [`node`]: the thread that owns the `RawNode` and runs the Ready loop;
//! - [`applier`]: the thread that applies committed entries and takes snapshots.

pub mod applier;
pub mod bootstrap;
pub mod log_store;
pub mod membership;
pub mod node;
mod raft_log;
pub mod snap_store;
pub mod state_machine;
pub mod transport;

pub use bootstrap::{Boot, Join, boot, has_identity};
