//! kv-serve: parse flags, run the member, map the outcome to an exit code.

use clap::{CommandFactory, FromArgMatches};
use corekit::cli::{self, exit, kv_serve};

fn main() {
    let cmd = kv_serve::Args::command();
    let argv = cli::normalize_go_flags(&cmd, std::env::args().collect());
    let args = match cmd.try_get_matches_from(argv).and_then(|m| kv_serve::Args::from_arg_matches(&m)) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let cfg = match kv_serve::validate(args) {
        Ok(c) => c,
        Err(e) => {
            for line in e.lines() {
                eprintln!("kv-serve: {line}");
            }
            std::process::exit(exit::USAGE);
        }
    };
    corekit::cli::logging::init("kv-serve", cfg.args.debug);
    match kv_serve::run(cfg) {
        Ok(kv_serve::Ended::Stopped) => {}
        Ok(kv_serve::Ended::Removed) => log::info!("this member has been removed from the cluster; stopping"),
        Err(e) => {
            for line in e.to_string().lines() {
                log::error!("{line}");
            }
            std::process::exit(exit::FAILURE);
        }
    }
}
