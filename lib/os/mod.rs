//! What every program asks of the operating system, in one place: the clock, the host's
//! identity, and files written so that a crash never leaves half of one.
//!
//! | module | concern |
//! |---|---|
//! | [`clock`] | the wall clock as unix nanoseconds/microseconds, local-time formatting |
//! | [`host`] | host name, boot ID, random IDs from the kernel |
//! | [`file`] | atomic file writes (temp file, fsync, rename, fsync of the directory), staged files |
//! | [`stop`] | a stop request (SIGTERM, SIGINT) that long-running loops wait on |
//! | [`priority`] | a lower priority for background threads (snapshots, log housekeeping) |

pub mod clock;
pub mod file;
pub mod host;
pub mod priority;
pub mod stop;
