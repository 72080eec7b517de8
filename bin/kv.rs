//! kv: parse the command line (etcdctl's spelling accepted), run the command, exit with its status.

use clap::{CommandFactory, FromArgMatches};
use corekit::cli::{self, kv};

fn main() {
    let cmd = kv::Args::command();
    let argv = cli::normalize_go_flags(&cmd, std::env::args().collect());
    let args = match cmd.try_get_matches_from(argv).and_then(|m| kv::Args::from_arg_matches(&m)) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            // etcdctl's status for bad usage is 1 (its ExitBadArgs).
            std::process::exit(if e.use_stderr() { kv::exit::BAD_ARGS } else { kv::exit::SUCCESS });
        }
    };
    cli::logging::init("kv", false);
    std::process::exit(kv::run(args));
}
