//! unit-sched: parse the command line, run the command, exit with its status.

use clap::Parser;
use corekit::cli::unit_sched;

fn main() {
    let args = match unit_sched::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { unit_sched::exit::USAGE } else { unit_sched::exit::OK });
        }
    };
    corekit::cli::logging::init("unit-sched", false);
    std::process::exit(unit_sched::run(args));
}
