//! The cluster scheduler behind `unit-sched` (fleet's engine and registry): which units the
//! cluster should run, where, and what each machine reports of them — all of it in the
//! store, under one documented prefix.
//!
//! | module | concern |
//! |---|---|
//! | [`keys`] | the key layout in the store (`man corekit-keys`) |
//! | [`records`] | what those keys hold: units, machines, assignments, states, the lease |
//! | [`requirements`] | a unit's `[X-Fleet]` section: where it may run |
//! | [`agent`] | the cluster agent beside a machine's supervisor: heartbeat and fence, scoped watches, reconcile, states, its HTTP port |
//! | [`engine`] | `unit-sched engine`: the lease, the leader's picture of the cluster, planning and writing |
//! | [`glob`] | Go's `path.Match`, for `Conflicts=` and `Replaces=` |
//! | [`registry`] | typed reads and writes of those keys, over the etcd v2 client |
//! | [`plan`] | the engine's decisions as a pure function (fleet's reconciler) |

pub mod agent;
pub mod engine;
pub mod glob;
pub mod keys;
pub mod plan;
pub mod records;
pub mod registry;
pub mod requirements;
