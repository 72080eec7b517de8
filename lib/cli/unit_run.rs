//! `unit-run`: the node agent (`unit-run daemon`) and the commands that drive it over its
//! control socket: load, unload, start, stop, restart, status, journal, list, machine.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::agent::protocol::{JobOutcome, UnitState};
use crate::agent::{Error, ErrorKind, Handle, daemon, journal, status};

/// Runs systemd units and Docker containers on this machine, without systemd.
///
/// `unit-run daemon` supervises units; the other commands talk to it over the control socket
/// in the run dir (RUN_DIR/unit-run.sock, mode 0600). A unit is a systemd unit file:
/// `unit-run start ./croc.service` loads and starts it, `unit-run status croc.service` shows
/// it as `systemctl status` would, `unit-run journal -f croc.service` follows its output.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "unit-run",
    version,
    about = "Runs systemd units and Docker containers on this machine, without systemd",
    long_about,
    max_term_width = 100
)]
pub struct Args {
    /// Where the control socket, unit files and journals live.
    #[arg(long, global = true, env = "COREKIT_RUN_DIR", default_value = "/run/corekit", value_name = "DIR")]
    pub run_dir: PathBuf,

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

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the node agent: supervise units until SIGTERM, which stops them all.
    Daemon {
        /// The machine ID to report [default: /etc/machine-id, else one kept in the run dir].
        #[arg(long, env = "UNIT_RUN_MACHINE_ID", value_name = "ID")]
        machine_id: Option<String>,
        /// Largest size of a unit's journal file before it is rotated (one older file is kept).
        #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
        journal_max_bytes: u64,
        /// Don't make cgroups: track units by session and INVOCATION_ID only (as where no
        /// cgroup can be made).
        #[arg(long)]
        no_cgroups: bool,
        #[command(flatten)]
        cluster: Box<crate::cli::cluster_agent::ClusterFlags>,
    },
    /// Load unit files (or replace loaded ones); a template (name@.service) is kept for its instances.
    Load {
        /// Unit files; the unit's name is the file's name.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Stop units if they run, then forget them.
    Unload {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Start units and wait until they are active (or have failed). A path (with a '/') is loaded first.
    Start {
        #[arg(required = true, value_name = "UNIT|FILE")]
        units: Vec<String>,
        /// Don't wait for the start to finish.
        #[arg(long)]
        no_block: bool,
    },
    /// Stop units and wait until they are down: ExecStop, KillSignal, SIGKILL after TimeoutStopSec, containers removed.
    Stop {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        /// Don't wait for the stop to finish.
        #[arg(long)]
        no_block: bool,
    },
    /// Stop units if they run, then start them. A path (with a '/') is loaded first.
    Restart {
        #[arg(required = true, value_name = "UNIT|FILE")]
        units: Vec<String>,
        /// Don't wait for the restart to finish.
        #[arg(long)]
        no_block: bool,
    },
    /// Run units' ExecReload lines (with $MAINPID) and wait for them.
    Reload {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Show units' state, processes, resources, containers and last journal lines.
    Status {
        #[arg(required = true, value_name = "UNIT")]
        units: Vec<String>,
        /// How many journal lines to show.
        #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
        lines: usize,
    },
    /// Show a unit's journal: what its processes wrote, with timestamps.
    Journal {
        #[arg(value_name = "UNIT")]
        unit: String,
        /// How many lines to show (0: all).
        #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
        lines: usize,
        /// Keep printing new lines as they come.
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// List loaded units and their states.
    List {
        /// Leave out the header line.
        #[arg(long)]
        no_legend: bool,
    },
    /// Show this machine's ID, hostname, addresses and Docker engine.
    Machine,
}

/// Exit statuses of the `unit-run` commands (see `unit-run(1)`): the corekit family's table.
pub use crate::cli::exit as code;

/// The exit status an error of `kind` ends a command with.
pub fn exit_code(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::NotFound => code::NEGATIVE,
        ErrorKind::BadInput => code::USAGE,
        ErrorKind::UnitFailed => code::UNIT_FAILED,
        ErrorKind::Unavailable | ErrorKind::Internal => code::FAILURE,
    }
}

pub use crate::cli::Stop;

impl From<Error> for Stop {
    /// An error is printed and ends the command with its kind's status.
    fn from(e: Error) -> Stop {
        log::error!("{e}");
        Stop(exit_code(e.kind()))
    }
}

type Res = Result<(), Stop>;

/// `unit-run daemon`, and with `--endpoints` the cluster agent beside it: SIGTERM first hands
/// the cluster's units back (as fleetd does), then stops the daemon.
fn run_daemon(mut opts: daemon::Options, cluster: &crate::cli::cluster_agent::ClusterFlags) -> Res {
    let checked = cluster.check().map_err(|e| {
        eprintln!("unit-run: {e}");
        Stop(code::USAGE)
    })?;
    let fail = |e: String| {
        eprintln!("unit-run: {e}");
        Stop(code::FAILURE)
    };
    let Some(c) = checked else {
        return daemon::run(opts).map_err(|e| fail(e.to_string()));
    };
    let (sig_tx, sig_rx) = std::sync::mpsc::channel();
    opts.stop_signal = Some(sig_tx);
    let state_dir = opts.run_dir.join("unit-sched");
    let d = daemon::start(opts).map_err(|e| fail(e.to_string()))?;
    let agent =
        crate::cli::cluster_agent::start(&c, d.handle(), d.machine_id(), Some(state_dir)).map_err(fail)?;
    let _ = sig_rx.recv();
    log::info!("handing this machine's units back to the cluster");
    agent.stop(true);
    d.shutdown();
    d.wait().map_err(|e| fail(e.to_string()))
}

/// Runs a parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    match dispatch(args) {
        Ok(()) => code::OK,
        Err(Stop(c)) => c,
    }
}

struct Ctx {
    agent: Handle,
    json: bool,
    out: io::BufWriter<io::Stdout>,
}

impl Ctx {
    fn json_line(&mut self, v: &impl serde::Serialize) -> Res {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
}

fn dispatch(args: Args) -> Res {
    let json = args.json || args.output == Output::Json;
    let command = match args.command {
        Command::Daemon { machine_id, journal_max_bytes, no_cgroups, cluster } => {
            let opts = daemon::Options {
                machine_id,
                journal_max_bytes,
                no_cgroups,
                ..daemon::Options::new(args.run_dir)
            };
            return run_daemon(opts, &cluster);
        }
        c => c,
    };
    let mut ctx = Ctx { agent: Handle::connect(&args.run_dir), json, out: io::BufWriter::new(io::stdout()) };
    let r = match command {
        Command::Daemon { .. } => Ok(()),
        Command::Load { files } => {
            let mut status = Ok(());
            for f in files {
                if let Err(e) = load_file(&mut ctx, &f) {
                    status = Err(e);
                }
            }
            status
        }
        Command::Unload { units } => each(&mut ctx, &units, |ctx, u| {
            ctx.agent.unload(u)?;
            if ctx.json {
                ctx.json_line(&json!({ "unit": u, "loaded": false }))
            } else {
                writeln!(ctx.out, "Unit {u} unloaded")?;
                Ok(())
            }
        }),
        Command::Start { units, no_block } => each(&mut ctx, &units, |ctx, u| {
            let name = load_if_path(ctx, u)?;
            let done = ctx.agent.start(&name, !no_block)?;
            job(ctx, done)
        }),
        Command::Stop { units, no_block } => each(&mut ctx, &units, |ctx, u| {
            let done = ctx.agent.stop(u, !no_block)?;
            job(ctx, done)
        }),
        Command::Restart { units, no_block } => each(&mut ctx, &units, |ctx, u| {
            let name = load_if_path(ctx, u)?;
            let done = ctx.agent.restart(&name, !no_block)?;
            job(ctx, done)
        }),
        Command::Reload { units } => each(&mut ctx, &units, |ctx, u| {
            let done = ctx.agent.reload(u)?;
            job(ctx, JobOutcome::Done(done))
        }),
        Command::Status { units, lines } => {
            let mut first = true;
            each(&mut ctx, &units, |ctx, u| {
                let st = ctx.agent.status(u)?;
                let tail = ctx.agent.journal(u, Some(lines)).unwrap_or_default();
                if ctx.json {
                    let mut v = serde_json::to_value(&st).map_err(io::Error::from)?;
                    v["journal"] = serde_json::to_value(&tail).map_err(io::Error::from)?;
                    return ctx.json_line(&v);
                }
                if !first {
                    writeln!(ctx.out)?;
                }
                first = false;
                write!(ctx.out, "{}", status::render(&st, &tail, crate::os::clock::now_micros()))?;
                Ok(())
            })
        }
        Command::Journal { unit, lines, follow } => show_journal(&mut ctx, &unit, lines, follow),
        Command::List { no_legend } => {
            let list = ctx.agent.list()?;
            if ctx.json {
                let v: Vec<serde_json::Value> = list
                    .iter()
                    .map(|e| {
                        json!({
                            "unit": e.unit, "load": e.load, "active": e.active, "sub": e.sub,
                            "description": e.description, "main_pid": e.main_pid,
                        })
                    })
                    .collect();
                return ctx.json_line(&v);
            }
            let w = list.iter().map(|e| e.unit.len()).max().unwrap_or(4).max(4);
            if !no_legend {
                writeln!(ctx.out, "{:w$} {:6} {:12} {:13} DESCRIPTION", "UNIT", "LOAD", "ACTIVE", "SUB")?;
            }
            for e in &list {
                writeln!(
                    ctx.out,
                    "{:w$} {:6} {:12} {:13} {}",
                    e.unit,
                    e.load.name(),
                    e.active.name(),
                    e.sub.name(),
                    e.description
                )?;
            }
            Ok(())
        }
        Command::Machine => {
            let m = ctx.agent.machine()?;
            if ctx.json {
                return ctx.json_line(&m);
            }
            writeln!(ctx.out, "Machine ID: {}", m.machine_id)?;
            writeln!(ctx.out, "Hostname:   {}", m.hostname)?;
            writeln!(ctx.out, "Boot ID:    {}", m.boot_id)?;
            writeln!(ctx.out, "Addresses:  {}", m.addresses.join(" "))?;
            if m.docker.available {
                writeln!(ctx.out, "Docker:     {}", m.docker.version.as_deref().unwrap_or(""))?;
            } else {
                writeln!(ctx.out, "Docker:     unavailable ({})", m.docker.error.as_deref().unwrap_or(""))?;
            }
            Ok(())
        }
    };
    let flushed = ctx.out.flush();
    r?;
    flushed.map_err(Stop::from)
}

/// Runs `f` for each unit; the exit status is the first failure's, after trying them all.
fn each(ctx: &mut Ctx, units: &[String], mut f: impl FnMut(&mut Ctx, &str) -> Res) -> Res {
    let mut status = Ok(());
    for u in units {
        match f(ctx, u) {
            Err(Stop(c)) if c == code::OK => return Ok(()), // closed pipe
            Err(e) => {
                if status.is_ok() {
                    status = Err(e);
                }
            }
            Ok(()) => {}
        }
    }
    status
}

/// Prints how a job ended: `Unit a.service active (running)`, or `Triggered unit a.service start`.
fn job(ctx: &mut Ctx, done: JobOutcome) -> Res {
    match done {
        JobOutcome::Done(st) => {
            if ctx.json {
                return ctx.json_line(&st);
            }
            let UnitState { unit, active, sub, .. } = st;
            writeln!(ctx.out, "Unit {unit} {active} ({sub})")?;
        }
        JobOutcome::Queued { unit, job } => {
            if ctx.json {
                return ctx.json_line(&json!({ "unit": unit, "job": job }));
            }
            writeln!(ctx.out, "Triggered unit {unit} {}", job.name())?;
        }
    }
    Ok(())
}

/// `start ./x.service`: a path (with a '/') is loaded first; its name is the file name.
fn load_if_path(ctx: &mut Ctx, arg: &str) -> Result<String, Stop> {
    if !arg.contains('/') {
        return Ok(arg.to_string());
    }
    load_file(ctx, Path::new(arg))
}

fn load_file(ctx: &mut Ctx, file: &Path) -> Result<String, Stop> {
    let shown = file.display().to_string();
    let bad = |msg: String| Stop::from(Error::BadInput(msg));
    let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
        return Err(bad(format!("{shown}: not a unit file name")));
    };
    if let Err(e) = crate::unit::name::check_name(&name) {
        return Err(bad(format!("{shown}: invalid unit name \"{name}\": {e}")));
    }
    let bytes = std::fs::read(file).map_err(|e| bad(format!("{shown}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| bad(format!("{shown}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))?;
    let loaded = ctx.agent.load(&name, &shown, &text)?;
    for w in &loaded.warnings {
        eprintln!("unit-run: {w}");
    }
    if ctx.json {
        let v = if loaded.template {
            json!({ "unit": name, "loaded": true, "template": true })
        } else {
            json!({ "unit": name, "loaded": true })
        };
        ctx.json_line(&v)?;
    } else {
        writeln!(ctx.out, "Unit {name} loaded")?;
    }
    Ok(name)
}

fn show_journal(ctx: &mut Ctx, unit: &str, lines: usize, follow: bool) -> Res {
    let lines = if lines == 0 { None } else { Some(lines) };
    let records = match ctx.agent.journal(unit, lines) {
        Err(Error::NotFound(_)) if follow => Vec::new(),
        r => r?,
    };
    let host = crate::os::host::hostname();
    for r in &records {
        print_record(ctx, unit, r, &host)?;
    }
    ctx.out.flush()?;
    if !follow {
        return Ok(());
    }
    let mut failed: Option<io::Error> = None;
    let json = ctx.json;
    let out = &mut ctx.out;
    ctx.agent.follow_journal(unit, |r| {
        let res = if json {
            record_json(unit, &r).and_then(|v| {
                serde_json::to_writer(&mut *out, &v)
                    .map_err(io::Error::from)
                    .and_then(|_| out.write_all(b"\n"))
            })
        } else {
            writeln!(out, "{}", r.short(&host))
        };
        match res.and_then(|_| out.flush()) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// A journal record as `-o json` prints it: the record with its unit.
fn record_json(unit: &str, r: &journal::Record) -> io::Result<serde_json::Value> {
    let mut v = serde_json::to_value(r)?;
    v["unit"] = unit.into();
    Ok(v)
}

fn print_record(ctx: &mut Ctx, unit: &str, r: &journal::Record, host: &str) -> Res {
    if ctx.json {
        let v = record_json(unit, r)?;
        return ctx.json_line(&v);
    }
    writeln!(ctx.out, "{}", r.short(host))?;
    Ok(())
}
