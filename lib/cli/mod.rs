//! What every program's command line shares: flag definitions (so man pages and completions
//! come from the same place as the parser), exit codes, and small conveniences.

pub mod cfg_init;
pub mod cluster_agent;
pub mod disco;
pub mod docs;
pub mod kv;
pub mod kv_serve;
pub mod logging;
pub mod security;
pub mod table;
pub mod unit_run;
pub mod unit_sched;

/// `-o text|json`, as every corekit program that prints data takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Exit codes of the corekit family — every program but `kv`, which keeps etcdctl's own
/// (`kv::exit`) so that scripts written for etcdctl read it the same (DESIGN: "use etcdctl's
/// own codes where it has them"). These are the two tables; no program has a third.
pub mod exit {
    pub const OK: i32 = 0;
    /// A negative answer that is not an error (key not found, unit not found…).
    pub const NEGATIVE: i32 = 1;
    /// Usage or bad input (flags, unit files, cloud-configs): nothing was changed.
    pub const USAGE: i32 = 2;
    /// Unreachable cluster or daemon, or an internal error (including a failed write to
    /// standard output other than a closed pipe).
    pub const FAILURE: i32 = 3;
    /// A unit's start (or stop) job failed: the unit is failed (`unit-run`, `unit-sched`).
    pub const UNIT_FAILED: i32 = 4;
}

/// How a command ended early: its exit status (whatever had to be said has been said).
/// Every program's commands return `Result<_, Stop>`, so `?` on a write to stdout works.
#[derive(Debug)]
pub struct Stop(pub i32);

impl From<std::io::Error> for Stop {
    /// A closed standard output (`kv ls -r / | head`) is a quiet, successful end (ripgrep's
    /// rule); any other write error is reported and ends with [`exit::FAILURE`].
    fn from(e: std::io::Error) -> Stop {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Stop(exit::OK)
        } else {
            log::error!("writing output: {e}");
            Stop(exit::FAILURE)
        }
    }
}

/// Go programs (etcd among them) accept long flags with one dash (`-name x`). So that an
/// etcd command line works unchanged, rewrite `-name` to `--name` when `name` is one of the
/// command's (or a subcommand's) long flags. Everything after `--` is left alone.
pub fn normalize_go_flags(cmd: &clap::Command, args: Vec<String>) -> Vec<String> {
    fn collect(cmd: &clap::Command, out: &mut Vec<String>) {
        out.extend(cmd.get_arguments().filter_map(|a| a.get_long().map(str::to_string)));
        for sub in cmd.get_subcommands() {
            collect(sub, out);
        }
    }
    let mut longs = Vec::new();
    collect(cmd, &mut longs);
    let mut out = Vec::with_capacity(args.len());
    let mut rest = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || rest {
            out.push(a);
            continue;
        }
        if a == "--" {
            rest = true;
            out.push(a);
            continue;
        }
        if let Some(body) = a.strip_prefix('-')
            && !body.starts_with('-')
            && body.len() > 1
        {
            let name = body.split('=').next().unwrap_or(body);
            if longs.iter().any(|l| l == name) {
                out.push(format!("-{a}"));
                continue;
            }
        }
        out.push(a);
    }
    out
}

/// Raises the soft open-files limit to the hard limit: a server holding thousands of idle
/// watchers needs more than the usual 1024 descriptors.
pub fn raise_fd_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft < hard
    {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
