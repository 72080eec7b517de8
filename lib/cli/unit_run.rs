//! `unit-run`: the node agent (`unit-run daemon`) and the commands that drive it over its
//! control socket: load, unload, start, stop, restart, status, journal, list, machine.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::agent::protocol::{ListEntry, Request, Response, UnitStatus, code};
use crate::agent::{RunDir, daemon, journal, status};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

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

/// How a command ended.
pub struct Stop(pub i32);

impl From<io::Error> for Stop {
    /// A closed stdout ends quietly.
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop(code::OK)
        } else {
            eprintln!("unit-run: writing output: {e}");
            Stop(code::FAILURE)
        }
    }
}

type Res = Result<(), Stop>;

/// Runs a parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    match dispatch(args) {
        Ok(()) => code::OK,
        Err(Stop(c)) => c,
    }
}

struct Ctx {
    run: RunDir,
    json: bool,
    out: io::BufWriter<io::Stdout>,
}

impl Ctx {
    fn ask(&self, req: &Request) -> Result<Response, Stop> {
        ask(&self.run.socket(), req)
    }

    /// Prints a response's warnings; turns a failed response into its exit status.
    fn check(&self, r: Response) -> Result<Response, Stop> {
        for w in &r.warnings {
            eprintln!("unit-run: {w}");
        }
        if r.ok {
            Ok(r)
        } else {
            eprintln!("unit-run: {}", r.error.as_deref().unwrap_or("failed"));
            Err(Stop(if r.code == 0 { code::FAILURE } else { r.code }))
        }
    }

    fn json_line(&mut self, v: &serde_json::Value) -> Res {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
}

/// Sends one request to the daemon and reads its answer.
pub fn ask(sock: &Path, req: &Request) -> Result<Response, Stop> {
    let unreachable = |e: io::Error| {
        eprintln!(
            "unit-run: cannot reach the daemon at {}: {e} (is `unit-run daemon` running with this --run-dir?)",
            sock.display()
        );
        Stop(code::FAILURE)
    };
    let mut conn = UnixStream::connect(sock).map_err(unreachable)?;
    let mut body = serde_json::to_vec(req).expect("requests serialize");
    body.push(b'\n');
    conn.write_all(&body).map_err(unreachable)?;
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).map_err(unreachable)?;
    serde_json::from_str(&line).map_err(|e| {
        eprintln!("unit-run: the daemon's answer is not understood: {e}");
        Stop(code::FAILURE)
    })
}

fn dispatch(args: Args) -> Res {
    let json = args.json || args.output == Output::Json;
    if let Command::Daemon { machine_id, journal_max_bytes, no_cgroups } = args.command {
        return daemon::run(daemon::Options {
            run_dir: args.run_dir,
            machine_id,
            journal_max_bytes,
            no_cgroups,
        })
        .map_err(|e| {
            eprintln!("unit-run: {e:#}");
            Stop(code::FAILURE)
        });
    }
    let mut ctx = Ctx { run: RunDir::new(&args.run_dir), json, out: io::BufWriter::new(io::stdout()) };
    let r = match args.command {
        Command::Daemon { .. } => unreachable!(),
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
            let r = ctx.check(ctx.ask(&Request::Unload { name: u.to_string() })?)?;
            if ctx.json {
                ctx.json_line(&r.data)
            } else {
                writeln!(ctx.out, "Unit {u} unloaded")?;
                Ok(())
            }
        }),
        Command::Start { units, no_block } => each(&mut ctx, &units, |ctx, u| {
            let name = load_if_path(ctx, u)?;
            job(ctx, Request::Start { name, no_block })
        }),
        Command::Stop { units, no_block } => {
            each(&mut ctx, &units, |ctx, u| job(ctx, Request::Stop { name: u.to_string(), no_block }))
        }
        Command::Restart { units, no_block } => each(&mut ctx, &units, |ctx, u| {
            let name = load_if_path(ctx, u)?;
            job(ctx, Request::Restart { name, no_block })
        }),
        Command::Reload { units } => {
            each(&mut ctx, &units, |ctx, u| job(ctx, Request::Reload { name: u.to_string() }))
        }
        Command::Status { units, lines } => {
            let mut first = true;
            each(&mut ctx, &units, |ctx, u| {
                let r = ctx.check(ctx.ask(&Request::Status { name: u.to_string() })?)?;
                let st: UnitStatus = serde_json::from_value(r.data).map_err(|_| Stop(code::FAILURE))?;
                let tail = journal::tail(&ctx.run.journal(), u, lines).unwrap_or_default();
                if ctx.json {
                    let mut v = serde_json::to_value(&st).unwrap();
                    v["journal"] = serde_json::to_value(&tail).unwrap();
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
            let r = ctx.check(ctx.ask(&Request::List)?)?;
            let list: Vec<ListEntry> = serde_json::from_value(r.data.clone()).unwrap_or_default();
            if ctx.json {
                return ctx.json_line(&r.data);
            }
            let w = list.iter().map(|e| e.unit.len()).max().unwrap_or(4).max(4);
            if !no_legend {
                writeln!(ctx.out, "{:w$} {:6} {:12} {:13} DESCRIPTION", "UNIT", "LOAD", "ACTIVE", "SUB")?;
            }
            for e in &list {
                writeln!(
                    ctx.out,
                    "{:w$} {:6} {:12} {:13} {}",
                    e.unit, e.load, e.active, e.sub, e.description
                )?;
            }
            Ok(())
        }
        Command::Machine => {
            let r = ctx.check(ctx.ask(&Request::Machine)?)?;
            if ctx.json {
                return ctx.json_line(&r.data);
            }
            let d = &r.data;
            writeln!(ctx.out, "Machine ID: {}", d["machine_id"].as_str().unwrap_or(""))?;
            writeln!(ctx.out, "Hostname:   {}", d["hostname"].as_str().unwrap_or(""))?;
            writeln!(ctx.out, "Boot ID:    {}", d["boot_id"].as_str().unwrap_or(""))?;
            let addrs: Vec<&str> = d["addresses"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            writeln!(ctx.out, "Addresses:  {}", addrs.join(" "))?;
            let docker = &d["docker"];
            if docker["available"].as_bool() == Some(true) {
                writeln!(ctx.out, "Docker:     {}", docker["version"].as_str().unwrap_or(""))?;
            } else {
                writeln!(ctx.out, "Docker:     unavailable ({})", docker["error"].as_str().unwrap_or(""))?;
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

fn job(ctx: &mut Ctx, req: Request) -> Res {
    let r = ctx.check(ctx.ask(&req)?)?;
    if ctx.json {
        return ctx.json_line(&r.data);
    }
    let d = &r.data;
    let unit = d["unit"].as_str().unwrap_or("");
    match (d["active"].as_str(), d["sub"].as_str(), d["job"].as_str()) {
        (Some(a), Some(s), _) => writeln!(ctx.out, "Unit {unit} {a} ({s})")?,
        (_, _, Some(j)) => writeln!(ctx.out, "Triggered unit {unit} {j}")?,
        _ => {}
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
    let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
        eprintln!("unit-run: {shown}: not a unit file name");
        return Err(Stop(code::BAD_INPUT));
    };
    if let Err(e) = crate::unit::name::check_name(&name) {
        eprintln!("unit-run: {shown}: invalid unit name \"{name}\": {e}");
        return Err(Stop(code::BAD_INPUT));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        eprintln!("unit-run: {shown}: {e}");
        Stop(code::BAD_INPUT)
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        eprintln!("unit-run: {shown}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to());
        Stop(code::BAD_INPUT)
    })?;
    let r = ctx.check(ctx.ask(&Request::Load { name: name.clone(), file: shown, text })?)?;
    if ctx.json {
        ctx.json_line(&r.data)?;
    } else {
        writeln!(ctx.out, "Unit {name} loaded")?;
    }
    Ok(name)
}

fn show_journal(ctx: &mut Ctx, unit: &str, lines: usize, follow: bool) -> Res {
    if let Err(e) = crate::unit::name::check_name(unit) {
        eprintln!("unit-run: invalid unit name \"{unit}\": {e}");
        return Err(Stop(code::BAD_INPUT));
    }
    let dir = ctx.run.journal();
    let exists = journal::path(&dir, unit).exists();
    if !exists && !follow {
        eprintln!("unit-run: no journal for {unit} in {}", dir.display());
        return Err(Stop(code::NOT_FOUND));
    }
    let records = journal::tail(&dir, unit, if lines == 0 { usize::MAX } else { lines }).map_err(|e| {
        eprintln!("unit-run: reading the journal of {unit}: {e}");
        Stop(code::FAILURE)
    })?;
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
    journal::follow(&dir, unit, |r| {
        let res = if json {
            let mut v = serde_json::to_value(&r).unwrap();
            v["unit"] = unit.into();
            serde_json::to_writer(&mut *out, &v).map_err(io::Error::from).and_then(|_| out.write_all(b"\n"))
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
    })
    .map_err(|e| {
        eprintln!("unit-run: following the journal of {unit}: {e}");
        Stop(code::FAILURE)
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

fn print_record(ctx: &mut Ctx, unit: &str, r: &journal::Record, host: &str) -> Res {
    if ctx.json {
        let mut v = serde_json::to_value(r).unwrap();
        v["unit"] = unit.into();
        return ctx.json_line(&v);
    }
    writeln!(ctx.out, "{}", r.short(host))?;
    Ok(())
}
