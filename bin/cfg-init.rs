//! cfg-init: parse the command line, run the command, exit with its status.

use clap::Parser;
use corekit::cli::{self, cfg_init};

fn main() {
    let args = match cfg_init::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { cli::exit::USAGE } else { cli::exit::OK });
        }
    };
    cli::logging::init("cfg-init", false);
    std::process::exit(cfg_init::run(args));
}
