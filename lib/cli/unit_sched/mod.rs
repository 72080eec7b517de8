//! `unit-sched`: fleetctl for corekit. The verbs, flags, texts and exit statuses of fleetctl
//! v1.0 (`load|start|status|stop|destroy` print what the seed shows), plus `-o json` on every
//! command, `unit@machine` for status and journal, and no SSH: status and journal come from
//! the unit's agent over HTTP. `unit-sched engine` runs the scheduler's engine.
//!
//! | module | part |
//! |---|---|
//! | this file | the command line (clap) and dispatch |
//! | [`create`] | finding unit files (local, template, registry), validating and submitting them |
//! | [`states`] | desired and current states, and the blocking waits of load/start/stop/unload |
//! | [`commands`] | the verbs that change desired states: submit, load, start, stop, unload, destroy, restart, cat |
//! | [`list`] | list-units, list-unit-files, list-machines |
//! | [`remote`] | status and journal, from the unit's agent |
//! | [`daemons`] | `engine` and `daemon` (agent + engine beside a unit-run daemon), until SIGTERM |

pub mod commands;
pub mod create;
pub mod daemons;
pub mod list;
pub mod remote;
pub mod states;

use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::client::{Client, Config as ClientConfig, endpoints};
use crate::sched::keys::{DEFAULT_PREFIX, Keys};
use crate::sched::registry::Registry;

/// Exit statuses: fleetctl's (0 and 1), and 2 for usage errors.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
}

/// Schedules systemd units on a cluster of machines (fleetctl for corekit).
///
/// Units are systemd unit files, kept in the store (the etcd v2 API of kv-serve or etcd) with
/// their desired state; `unit-sched engine` places them on the machines whose `unit-run daemon
/// --endpoints …` agents are registered, which run them. `[X-Fleet]` in a unit says where it
/// may run (MachineID, MachineOf, MachineMetadata, Conflicts, Global, Replaces).
#[derive(Parser, Debug, Clone)]
#[command(
    name = "unit-sched",
    version,
    about = "Schedules systemd units on a cluster of machines (fleetctl for corekit)",
    long_about,
    max_term_width = 100
)]
pub struct Args {
    /// The store's client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT,
    /// $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001].
    #[arg(long, global = true, alias = "endpoint", value_name = "URLS")]
    pub endpoints: Option<String>,

    /// Where the scheduler's keys live in the store.
    #[arg(long, global = true, alias = "etcd-key-prefix", env = "UNIT_SCHED_KEY_PREFIX", default_value = DEFAULT_PREFIX, value_name = "PREFIX")]
    pub key_prefix: String,

    /// Seconds a single request to the store may take.
    #[arg(long, global = true, default_value_t = 3.0, value_name = "SECONDS")]
    pub request_timeout: f64,

    #[command(flatten)]
    pub tls: crate::cli::security::TlsFlags,

    /// fleetctl's driver choice; unit-sched always talks to the store (`API` and `etcd` are
    /// both accepted so fleetctl command lines work).
    #[arg(long, global = true, value_name = "DRIVER", hide = true)]
    pub driver: Option<String>,

    /// Output format.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "text", value_name = "FORMAT")]
    pub output: Output,

    /// Same as `-o json`.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

pub use crate::cli::Output;

/// How long `load`, `start`, `stop`, `unload` and `destroy` wait.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Block {
    /// Do not wait until the units reach their state.
    #[arg(long)]
    pub no_block: bool,
    /// Wait for the units' state this many times (about 2 s each), then give up; 0 waits as
    /// long as it takes (a unit that cannot be placed or fails is reported, not waited for).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub block_attempts: u32,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Fields {
    /// Do not shorten machine IDs and hashes.
    #[arg(long, short = 'l')]
    pub full: bool,
    /// Do not print the header line.
    #[arg(long)]
    pub no_legend: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Upload unit files to the cluster without placing them (desired state inactive).
    Submit {
        #[arg(required = true, value_name = "UNIT|FILE")]
        units: Vec<String>,
        /// Replace submitted units whose local file differs.
        #[arg(long)]
        replace: bool,
    },
    /// Place units on machines, loading them there, submitting them first if needed.
    Load {
        #[arg(required = true, value_name = "UNIT|FILE")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
        /// Replace submitted units whose local file differs.
        #[arg(long)]
        replace: bool,
    },
    /// Start units in the cluster, submitting and loading them first if needed.
    Start {
        #[arg(required = true, value_name = "UNIT|FILE")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
        /// Replace units whose local file differs (they restart with the new file).
        #[arg(long)]
        replace: bool,
    },
    /// Stop units (they stay loaded where they are).
    Stop {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
    },
    /// Unschedule units (desired state inactive: stopped and unloaded everywhere).
    Unload {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
    },
    /// Remove units from the cluster (stopped and unloaded wherever they run).
    Destroy {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
    },
    /// Stop units, then start them again.
    Restart {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        #[command(flatten)]
        block: Block,
    },
    /// Print a submitted unit's file.
    Cat {
        #[arg(value_name = "UNIT")]
        unit: String,
    },
    /// List the state of units on the machines that have them.
    ListUnits {
        /// Columns: unit, machine, active, sub, load, hash.
        #[arg(long, default_value = "unit,machine,active,sub", value_name = "FIELDS")]
        fields: String,
        #[command(flatten)]
        f: Fields,
    },
    /// List the units submitted to the cluster.
    ListUnitFiles {
        /// Columns: unit, hash, dstate, state, target, global, desc (tmachine: old name of target).
        #[arg(long, default_value = "unit,hash,dstate,state,target", value_name = "FIELDS")]
        fields: String,
        #[command(flatten)]
        f: Fields,
    },
    /// List the machines whose agents are alive.
    ListMachines {
        /// Columns: machine, ip, metadata.
        #[arg(long, default_value = "machine,ip,metadata", value_name = "FIELDS")]
        fields: String,
        #[command(flatten)]
        f: Fields,
    },
    /// Show units' status (as unit-run status shows it on their machine), with their journal's
    /// last lines; a global unit shows one section per machine; UNIT@MACHINE picks one.
    Status {
        #[arg(required = true, value_name = "UNIT[@MACHINE]")]
        units: Vec<String>,
    },
    /// Print a unit's journal from its machine.
    Journal {
        #[arg(value_name = "UNIT[@MACHINE]")]
        unit: String,
        /// How many lines.
        #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
        lines: usize,
        /// Keep printing new lines as they come.
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Run the engine: take the lease (or stand by) and place units, until SIGTERM.
    Engine {
        /// The ID this engine goes by in the lease [default: /etc/machine-id].
        #[arg(long, env = "FLEET_MACHINE_ID", value_name = "ID")]
        machine_id: Option<String>,
        /// How often the leader reconciles without news (fleet: 2 s).
        #[arg(long, env = "FLEET_ENGINE_RECONCILE_INTERVAL", default_value_t = 2.0, value_name = "SECONDS")]
        reconcile_interval: f64,
    },
    /// fleetd for a machine whose `unit-run daemon` runs locally: the cluster agent, attached
    /// to that daemon through its control socket, and the engine — what corekit's
    /// `fleet.service` (units/unit-sched.service) runs. SIGTERM hands the machine's units back.
    Daemon {
        /// The run dir of the machine's unit-run daemon.
        #[arg(long, env = "COREKIT_RUN_DIR", default_value = "/run/corekit", value_name = "DIR")]
        run_dir: std::path::PathBuf,
        /// Run the agent only, no engine (fleet.conf's disable_engine).
        #[arg(long, env = "FLEET_DISABLE_ENGINE")]
        disable_engine: bool,
        /// How often the leading engine reconciles without news.
        #[arg(long, env = "FLEET_ENGINE_RECONCILE_INTERVAL", default_value_t = 2.0, value_name = "SECONDS")]
        reconcile_interval: f64,
        #[command(flatten)]
        agent: crate::cli::cluster_agent::AgentFlags,
    },
    /// For the scale benchmark: AGENTS simulated machines in this process, each running the
    /// real agent (registration, watches, reconcile, state publishing) on a machine that runs
    /// nothing, until SIGTERM (bench/unit-sched-scale.sh).
    #[command(hide = true)]
    SimulateAgents {
        #[arg(long, default_value_t = 100, value_name = "N")]
        agents: usize,
        #[arg(long, default_value = "30s", value_name = "DURATION")]
        agent_ttl: String,
    },
    /// Print the version.
    Version,
}

/// What every command needs.
pub struct Ctx {
    pub reg: Arc<Registry>,
    pub json: bool,
    pub out: BufWriter<io::Stdout>,
    pub timeout: Duration,
    /// TLS toward the store and the agents' ports.
    pub tls: crate::tls::ClientTls,
}

pub use crate::cli::Stop;

pub type Res = Result<(), Stop>;

impl Ctx {
    /// Prints to stderr and ends the command with status 1 (fleetctl's way).
    pub fn fail(&mut self, msg: impl std::fmt::Display) -> Stop {
        let _ = self.out.flush();
        eprintln!("{msg}");
        Stop(exit::FAILED)
    }

    pub fn say(&mut self, line: impl std::fmt::Display) -> Res {
        writeln!(self.out, "{line}")?;
        self.out.flush()?;
        Ok(())
    }

    /// A line on stderr (fleetctl prints its progress remarks there).
    pub fn remark(&mut self, line: impl std::fmt::Display) {
        let _ = self.out.flush();
        eprintln!("{line}");
    }

    pub fn print_json<T: serde::Serialize>(&mut self, v: &T) -> Res {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::from)?;
        writeln!(self.out)?;
        self.out.flush()?;
        Ok(())
    }
}

/// The endpoint list: the flag, then `KV_ENDPOINTS`, `FLEETCTL_ENDPOINT`, `FLEET_ETCD_SERVERS`,
/// `ETCDCTL_ENDPOINTS`, else the etcd defaults.
pub fn endpoint_list(flag: Option<&str>) -> Result<Vec<String>, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let list = flag
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| env("KV_ENDPOINTS"))
        .or_else(|| env("FLEETCTL_ENDPOINT"))
        .or_else(|| {
            env("FLEET_ETCD_SERVERS").map(|v| v.trim_matches(|c| c == '[' || c == ']').replace('"', ""))
        })
        .or_else(|| env("ETCDCTL_ENDPOINTS"))
        .unwrap_or_else(|| endpoints::DEFAULT_ENDPOINTS.to_string());
    endpoints::parse(&list).map_err(|e| e.to_string())
}

/// Runs a parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    if let Some(d) = &args.driver
        && !d.eq_ignore_ascii_case("api")
        && !d.eq_ignore_ascii_case("etcd")
    {
        eprintln!("unit-sched: --driver must be API or etcd (unit-sched always talks to the store)");
        return exit::USAGE;
    }
    if !(args.request_timeout > 0.0 && args.request_timeout.is_finite()) {
        eprintln!("unit-sched: --request-timeout must be a positive number of seconds");
        return exit::USAGE;
    }
    let eps = match endpoint_list(args.endpoints.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("unit-sched: {e}");
            return exit::USAGE;
        }
    };
    let tls = match args.tls.load(&crate::cli::security::FLEET_ENV) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("unit-sched: {e}");
            return exit::USAGE;
        }
    };
    let timeout = Duration::from_secs_f64(args.request_timeout);
    let client =
        Client::new(ClientConfig { request_timeout: timeout, tls: tls.clone(), ..ClientConfig::new(eps) });
    let reg = Arc::new(Registry::new(client, Keys::new(&args.key_prefix)));
    let mut ctx = Ctx {
        reg,
        json: args.json || args.output == Output::Json,
        out: BufWriter::new(io::stdout()),
        timeout,
        tls,
    };
    let r = match args.command {
        Command::Submit { units, replace } => commands::submit(&mut ctx, &units, replace),
        Command::Load { units, block, replace } => commands::load(&mut ctx, &units, &block, replace),
        Command::Start { units, block, replace } => commands::start(&mut ctx, &units, &block, replace),
        Command::Stop { units, block } => commands::stop(&mut ctx, &units, &block),
        Command::Unload { units, block } => commands::unload(&mut ctx, &units, &block),
        Command::Destroy { units, block } => commands::destroy(&mut ctx, &units, &block),
        Command::Restart { units, block } => commands::restart(&mut ctx, &units, &block),
        Command::Cat { unit } => commands::cat(&mut ctx, &unit),
        Command::ListUnits { fields, f } => list::units(&mut ctx, &fields, &f),
        Command::ListUnitFiles { fields, f } => list::unit_files(&mut ctx, &fields, &f),
        Command::ListMachines { fields, f } => list::machines(&mut ctx, &fields, &f),
        Command::Status { units } => remote::status(&mut ctx, &units),
        Command::Journal { unit, lines, follow } => remote::journal(&mut ctx, &unit, lines, follow),
        Command::Engine { machine_id, reconcile_interval } => {
            daemons::engine(&mut ctx, machine_id.as_deref(), reconcile_interval)
        }
        Command::Daemon { run_dir, disable_engine, reconcile_interval, agent } => {
            daemons::daemon(&mut ctx, &run_dir, disable_engine, reconcile_interval, &agent)
        }
        Command::SimulateAgents { agents, agent_ttl } => daemons::simulate(&mut ctx, agents, &agent_ttl),
        Command::Version => ctx.say(format!("unit-sched version {}", env!("CARGO_PKG_VERSION"))),
    };
    let _ = ctx.out.flush();
    match r {
        Ok(()) => exit::OK,
        Err(Stop(c)) => c,
    }
}
