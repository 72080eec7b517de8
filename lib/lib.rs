//! corekit: CoreOS's cluster toolkit as small Rust programs sharing one library.
//!
//! | module | concern |
//! |---|---|
//! | [`store`] | the etcd v2 store: tree, TTLs, event history, watchers |
//! | [`raft`] | consensus: the Raft thread, its log on disk, the replicated state machine |
//! | [`api`] | the etcd v2 HTTP API served by `kv-serve` |
//! | [`client`] | a blocking etcd v2 client: endpoints, failover, member sync (used by `kv`, `disco`) |
//! | [`discovery`] | `disco`: the discovery service, etcd's join algorithm, announcing backends, rendering configs |
//! | [`unit`] | systemd unit files: syntax, Exec lines, specifiers, the typed service |
//! | [`sched`] | the cluster scheduler: key layout, `[X-Fleet]`, the engine's decisions |
//! | [`agent`] | `unit-run`: the node agent that supervises units, their journal and containers |
//! | [`cloudconfig`] | `cfg-init`: cloud-configs validated (line and column), substituted and applied |
//! | [`os`] | the clock, the host's identity, atomic file writes |
//! | [`cli`] | flag definitions and what every program's command line shares |

pub mod agent;
pub mod api;
pub mod auth;
pub mod cli;
pub mod client;
pub mod cloudconfig;
pub mod discovery;
pub mod os;
pub mod raft;
pub mod sched;
pub mod store;
pub mod tls;
pub mod unit;
