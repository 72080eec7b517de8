//! unit-run: parse the command line, run the command, exit with its status.

use clap::Parser;
use corekit::cli::unit_run;

fn main() {
    let args = match unit_run::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() {
                corekit::cli::exit::USAGE
            } else {
                corekit::cli::exit::OK
            });
        }
    };
    corekit::cli::logging::init("unit-run", false);
    std::process::exit(unit_run::run(args));
}
