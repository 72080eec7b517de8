//! The etcd v2 store: an in-memory key tree with TTLs, an event history and
//! watchers — the state machine behind /v2/keys.

pub mod error;
pub mod event;
pub mod event_history;
pub mod node;
pub mod snapshot;
pub mod stats;
#[allow(clippy::module_inception)]
pub mod store;
pub mod time;
pub mod ttl_key_heap;
pub mod watcher;
pub mod watcher_hub;

pub use error::Error;
pub use event::{Action, Event};
pub use event_history::{EventHistory, HISTORY_CAPACITY};
pub use node::{NodeExtern, clean_path};
pub use snapshot::StoreImage;
pub use stats::StoreStats;
pub use store::{Store, TtlOptions};
pub use time::format_rfc3339_nano;
pub use watcher::{WATCHER_CHANNEL_CAPACITY, Watcher};
