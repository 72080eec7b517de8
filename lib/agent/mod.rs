//! The node agent behind `unit-run`: a daemon that supervises systemd units on one machine
//! without systemd, as a library with a typed front door. Other programs drive it through a
//! [`Handle`] — in the daemon's process ([`Daemon::handle`]) or over its control socket
//! ([`Handle::connect`]) — and get [`Error`]s, never prints or exits.
//!
//! | module | concern |
//! |---|---|
//! | [`handle`] | the front door: load/unload/start/stop/restart/reload/status/list/journal, subscribe |
//! | [`daemon`] | starting a daemon (lock, subreaper, supervisor thread, socket), shutting it down |
//! | [`supervisor`] | each unit's states, Exec sequences, stop, restart, dependencies (a folder) |
//! | [`protocol`] | requests, typed replies, statuses, state-change events |
//! | [`error`] | what can go wrong, by kind |
//! | [`client`], [`server`] | the control socket: one JSON request line, one JSON reply line |
//! | [`reconcile`] | desired units vs loaded units → tasks (pure; for the scheduler's agent side) |
//! | [`process`] | starting one Exec line: session, cgroup, credentials, output capture |
//! | [`signals`] | the subreaper, reaping children, SIGTERM |
//! | [`cgroup`] | a cgroup per unit: every process found at stop, Tasks/Memory/CPU |
//! | [`journal`] | each unit's output, timestamped, size-capped and rotated |
//! | [`docker`] | the Docker Engine API: a unit's containers, removing leftovers |
//! | [`container_names`] | the containers an Exec line names (`docker run --name`, behind `env` or `sh -c`) |
//! | [`machine`] | machine ID, hostname, addresses, Docker version |
//! | [`status`], [`time`] | `unit-run status` in systemctl's shape |
//! | [`run_dir`] | the files under the run dir |

pub mod cgroup;
pub mod client;
pub mod container_names;
pub mod daemon;
pub mod docker;
pub mod error;
pub mod handle;
pub mod journal;
pub mod machine;
pub mod process;
pub mod protocol;
pub mod reconcile;
pub mod run_dir;
pub mod server;
pub mod signals;
pub mod status;
pub mod supervisor;
pub mod time;

pub use daemon::{Daemon, Options};
pub use error::{Error, ErrorKind, Result};
pub use handle::Handle;
pub use run_dir::RunDir;
pub use supervisor::{ActiveState, LoadState, Sub, UnitResult};
