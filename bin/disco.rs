//! disco: parse the command line, run the command, exit with its status.

use clap::Parser;
use corekit::cli::{self, disco};

fn main() {
    let args = match disco::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { cli::exit::USAGE } else { cli::exit::OK });
        }
    };
    cli::logging::init("disco", false);
    std::process::exit(disco::run(args));
}
