//! `kv`: the etcdctl (v2 mode) replacement. Flags, commands, output and exit statuses follow
//! `ETCDCTL_API=2 etcdctl`; on top of that `-o json` works on every command, and `dump`/`load`
//! move a whole tree as JSON lines.
//!
//! | module | part |
//! |---|---|
//! | this file | the command line (clap), Go-style flag spelling, Go durations |
//! | [`commands`] | one function per command, etcdctl's messages and exit statuses |
//! | [`output`] | `simple`/`extended`/`json` renderings, JSON as Go writes it |
//! | [`dump`] | `dump` and `load` |

pub mod auth;
pub mod commands;
pub mod dump;
pub mod output;

use std::time::Duration;

use clap::{Parser, Subcommand};

pub use commands::run;

/// Exit statuses, etcdctl's own.
pub mod exit {
    pub const SUCCESS: i32 = 0;
    /// Bad arguments, "is a directory", member command failures.
    pub const BAD_ARGS: i32 = 1;
    /// No endpoint could be reached while learning the cluster's members.
    pub const BAD_CONNECTION: i32 = 2;
    /// The server answered with an error (or the cluster did not answer the command).
    pub const SERVER_ERROR: i32 = 4;
    /// `cluster-health` found a member that is not healthy.
    pub const CLUSTER_NOT_HEALTHY: i32 = 5;
}

/// A command-line client for the etcd v2 API, compatible with `ETCDCTL_API=2 etcdctl`.
///
/// Global options go anywhere on the line. Long options may also be written with one dash
/// (`-ttl 5`), as etcdctl accepts them. Endpoints come from `--endpoints`, else `KV_ENDPOINTS`,
/// else `ETCDCTL_ENDPOINTS`, else http://127.0.0.1:2379,http://127.0.0.1:4001. Unless
/// `--no-sync` is given, kv first asks the cluster for its members' client URLs and uses those,
/// failing over from one to the next when a member does not answer.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "kv",
    version,
    about = "A command-line client for the etcd v2 API (etcdctl v2 compatible)",
    long_about,
    max_term_width = 100,
    args_override_self = true
)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct Global {
    /// Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001].
    #[arg(long, global = true, value_name = "URLS")]
    pub endpoints: Option<String>,

    /// Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT).
    #[arg(long, global = true, value_name = "URLS", hide = true)]
    pub endpoint: Option<String>,

    /// Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS).
    #[arg(long, short = 'C', global = true, value_name = "URLS", hide = true)]
    pub peers: Option<String>,

    /// Use the endpoints as given; don't ask the cluster for its members' client URLs first.
    #[arg(long, global = true)]
    pub no_sync: bool,

    /// Output format: simple, extended or json.
    #[arg(long, short = 'o', global = true, default_value = "simple", value_name = "FORMAT")]
    pub output: String,

    /// Same as `-o json`.
    #[arg(long, global = true)]
    pub json: bool,

    /// Per request: time to connect and get the answer's headers (Go duration: 2s, 500ms, 1m).
    #[arg(long, global = true, default_value = "2s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Time limit of the whole command, except watches.
    #[arg(long, global = true, default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub total_timeout: Duration,

    #[command(flatten)]
    pub tls: crate::cli::security::TlsFlags,

    /// Authenticate as USER (HTTP basic auth); the password is asked for when not given
    /// [env: KV_USERNAME, ETCDCTL_USERNAME].
    #[arg(long, short = 'u', global = true, value_name = "USER[:PASSWORD]", help_heading = "Security")]
    pub username: Option<String>,

    /// Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored.
    #[arg(long, global = true, hide = true)]
    pub debug: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Set the value of a key (the value is read from stdin when not given).
    Set {
        /// Key time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        /// Only set if the current value is this.
        #[arg(long, default_value = "", value_name = "VALUE")]
        swap_with_value: String,
        /// Only set if the current modified index is this.
        #[arg(long, default_value_t = 0, value_name = "INDEX")]
        swap_with_index: u64,
        key: Option<String>,
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// Retrieve the value of a key.
    Get {
        /// Return the result in sorted order.
        #[arg(long)]
        sort: bool,
        /// Require quorum (a linearizable read).
        #[arg(long, short = 'q')]
        quorum: bool,
        key: Option<String>,
    },
    /// Make a new key with a given value (fails if it exists; value from stdin when not given).
    Mk {
        /// Create a key named after its index inside directory KEY.
        #[arg(long)]
        in_order: bool,
        /// Key time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        key: Option<String>,
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// Make a new directory (fails if it exists).
    Mkdir {
        /// Directory time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        key: Option<String>,
    },
    /// Create a new directory or update an existing directory's TTL.
    Setdir {
        /// Directory time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        key: Option<String>,
    },
    /// Update an existing key with a given value (value from stdin when not given).
    Update {
        /// Key time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        key: Option<String>,
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// Update an existing directory (its TTL).
    Updatedir {
        /// Directory time-to-live in seconds.
        #[arg(long, default_value_t = 0, value_name = "SECONDS")]
        ttl: u64,
        key: Option<String>,
    },
    /// Remove a key or a directory.
    Rm {
        /// Remove the key if it is an empty directory or a key-value pair.
        #[arg(long)]
        dir: bool,
        /// Remove the key and all its children.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// Only remove if the current value is this.
        #[arg(long, default_value = "", value_name = "VALUE")]
        with_value: String,
        /// Only remove if the current modified index is this.
        #[arg(long, default_value_t = 0, value_name = "INDEX")]
        with_index: u64,
        key: Option<String>,
    },
    /// Remove the key if it is an empty directory or a key-value pair.
    Rmdir { key: Option<String> },
    /// List a directory (default /).
    Ls {
        /// Return the result in sorted order.
        #[arg(long)]
        sort: bool,
        /// List all children recursively.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// Append a slash to directories.
        #[arg(short = 'p')]
        p: bool,
        /// Require quorum (a linearizable read).
        #[arg(long, short = 'q')]
        quorum: bool,
        key: Option<String>,
    },
    /// Watch a key for changes.
    Watch {
        /// Keep watching after the first change (Ctrl-C ends it).
        #[arg(long, short = 'f')]
        forever: bool,
        /// Watch changes after this index.
        #[arg(long, default_value_t = 0, value_name = "INDEX")]
        after_index: u64,
        /// Watch every key under KEY.
        #[arg(long, short = 'r')]
        recursive: bool,
        key: Option<String>,
    },
    /// Watch a key for changes and run a command on each, with ETCD_WATCH_ACTION,
    /// ETCD_WATCH_KEY, ETCD_WATCH_VALUE and ETCD_WATCH_MODIFIED_INDEX in its environment.
    #[command(name = "exec-watch")]
    ExecWatch {
        /// Watch changes after this index.
        #[arg(long, default_value_t = 0, value_name = "INDEX")]
        after_index: u64,
        /// Watch every key under KEY.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// KEY [--] COMMAND [ARGS...]
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "KEY -- COMMAND")]
        args: Vec<String>,
    },
    /// Check the health of every member of the cluster.
    #[command(name = "cluster-health")]
    ClusterHealth {
        /// Check again every 10 seconds, until Ctrl-C.
        #[arg(long, short = 'f')]
        forever: bool,
    },
    /// List, add, remove or update members.
    Member {
        #[command(subcommand)]
        command: MemberCommand,
    },
    /// Turn authentication on or off (etcd 2's users and roles).
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// List, add, show, remove users; grant and revoke their roles; change passwords.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// List, add, show, remove roles; grant and revoke their permissions on key paths.
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// Write every node under PREFIX (default /) as JSON lines {key, value, ttl, dir}.
    Dump { prefix: Option<String> },
    /// Read JSON lines written by `kv dump` from stdin and create them (all lines are checked
    /// before anything is written).
    Load,
}

#[derive(Subcommand, Debug, Clone)]
pub enum MemberCommand {
    /// List the members: ID, name, peer and client URLs, leadership.
    List { args: Vec<String> },
    /// Add a member: kv member add NAME PEER_URL.
    Add { args: Vec<String> },
    /// Remove a member: kv member remove ID.
    Remove { args: Vec<String> },
    /// Change a member's peer URLs: kv member update ID URL[,URL...].
    Update { args: Vec<String> },
}

#[derive(Subcommand, Debug, Clone)]
pub enum AuthCommand {
    /// Enable authentication (a root user must exist; requests without credentials get the
    /// guest role).
    Enable { args: Vec<String> },
    /// Disable authentication.
    Disable { args: Vec<String> },
}

#[derive(Subcommand, Debug, Clone)]
pub enum UserCommand {
    /// Add a user: kv user add NAME[:PASSWORD] (the password is asked for when not given).
    Add { args: Vec<String> },
    /// Show a user and its roles.
    Get { args: Vec<String> },
    /// List the users.
    List { args: Vec<String> },
    /// Remove a user.
    Remove { args: Vec<String> },
    /// Grant roles to a user.
    Grant {
        /// A role to grant (repeat the flag for more).
        #[arg(long = "roles", value_name = "ROLE")]
        roles: Vec<String>,
        args: Vec<String>,
    },
    /// Revoke roles from a user.
    Revoke {
        /// A role to revoke (repeat the flag for more).
        #[arg(long = "roles", value_name = "ROLE")]
        roles: Vec<String>,
        args: Vec<String>,
    },
    /// Change a user's password (asked for on the terminal, or read from stdin).
    Passwd { args: Vec<String> },
}

/// What `role grant` and `role revoke` take.
#[derive(clap::Args, Debug, Clone)]
pub struct PathFlags {
    /// The key path (a trailing `*` covers everything below it: /foo/*).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// Reading only.
    #[arg(long)]
    pub read: bool,
    /// Writing only.
    #[arg(long)]
    pub write: bool,
    /// Reading and writing.
    #[arg(long, alias = "rw")]
    pub readwrite: bool,
    pub args: Vec<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RoleCommand {
    /// Add a role (with no permissions).
    Add { args: Vec<String> },
    /// Show a role's permissions.
    Get { args: Vec<String> },
    /// List the roles.
    List { args: Vec<String> },
    /// Remove a role.
    Remove { args: Vec<String> },
    /// Grant a role read and/or write access to a path: kv role grant ROLE --path /foo/* --read.
    Grant(PathFlags),
    /// Revoke a role's access to a path.
    Revoke(PathFlags),
}

/// A Go duration: `2s`, `500ms`, `1m30s`, `1.5h`, `0`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {s:?} (examples: 2s, 500ms, 1m30s)");
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn go_flags() {
        use clap::CommandFactory;
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let out = crate::cli::normalize_go_flags(
            &Args::command(),
            v(&["kv", "set", "-ttl", "5", "-o", "json", "/a", "-x"]),
        );
        assert_eq!(out, v(&["kv", "set", "--ttl", "5", "-o", "json", "/a", "-x"]));
    }
}
