//! `cfg-init`: coreos-cloudinit for corekit — `validate`, `apply`, `reindent`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};
use serde_json::json;

use super::{Stop, exit};
use crate::cloudconfig::fetch::Fetch;
use crate::cloudconfig::findings::{Finding, Severity};
use crate::cloudconfig::metadata::{self, Metadata, Token};
use crate::cloudconfig::userdata::{self, Source, UserData};
use crate::cloudconfig::{self as cc, Refusal, apply, plan, reindent, validate};

/// Validates and applies cloud-configs: coreos-cloudinit for corekit.
///
/// `cfg-init validate FILE` checks a `#cloud-config` the way coreos-cloudinit's validator did,
/// pointing at the line and column of every problem. `cfg-init apply FILE` makes the machine
/// what the cloud-config says: hostname, users, SSH keys, files, /etc/hosts, /etc/environment,
/// the env files that configure kv-serve (`coreos.etcd2`) and unit-sched (`coreos.fleet`), and
/// the units of `coreos.units`, run through the node agent (`unit-run daemon`) in dependency
/// order. `$private_ipv4`, `$public_ipv4`, `$private_ipv6` and `$public_ipv6` are substituted
/// from flags, a metadata service, a config drive or `COREOS_*` variables.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "cfg-init",
    version,
    about = "Validates and applies cloud-configs: coreos-cloudinit for corekit",
    long_about,
    max_term_width = 100
)]
pub struct Args {
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
    /// Check user-data: `FILE:LINE:COLUMN: error|warning|info: message` for every finding;
    /// exits 1 if there is an error.
    Validate {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        sources: AddressSources,
    },
    /// Make this machine (or the tree under --root) what the cloud-config says. Nothing is done
    /// if the user-data has an error; a second run changes nothing.
    Apply {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        sources: AddressSources,
        /// Print every change (each file's full contents, each command) and change nothing.
        #[arg(long, short = 'n')]
        dry_run: bool,
        /// The run dir: kv-serve.env, unit-run.env and the agent's socket [default: ROOT/run/corekit].
        #[arg(long, env = "COREKIT_RUN_DIR", value_name = "DIR")]
        run_dir: Option<PathBuf>,
        /// Where kv-serve, unit-run and unit-sched are [default: the directory of cfg-init itself].
        #[arg(long, value_name = "DIR")]
        bin_dir: Option<PathBuf>,
        /// The user `ssh_authorized_keys` are for.
        #[arg(long, default_value = "core", value_name = "USER")]
        ssh_user: String,
        /// The name of cfg-init's block of keys in authorized_keys.
        #[arg(long, default_value = "coreos-cloudinit", value_name = "NAME")]
        ssh_key_name: String,
    },
    /// Print a cloud-config whose indentation was lost, re-indented from the keys' places.
    Reindent {
        /// The cloud-config (`-`: standard input).
        #[arg(value_name = "FILE|-")]
        file: String,
    },
}

/// Where the user-data comes from.
#[derive(ClapArgs, Debug, Clone)]
pub struct Input {
    /// The user-data: a file, `-` for standard input, or an http(s) URL. Without it, the config
    /// drive's `openstack/latest/user_data` (--config-drive).
    #[arg(value_name = "FILE|-|URL")]
    pub file: Option<String>,

    /// The target's root: /etc/environment is read there, and `apply` writes everything under it
    /// (useradd and chpasswd get `--root DIR`).
    #[arg(long, default_value = "/", value_name = "DIR")]
    pub root: PathBuf,
}

/// Where `$private_ipv4` and the others come from, first that has a value wins.
#[derive(ClapArgs, Debug, Clone)]
pub struct AddressSources {
    /// Value of `$private_ipv4`.
    #[arg(long, value_name = "ADDR", help_heading = "Addresses")]
    pub private_ipv4: Option<String>,
    /// Value of `$public_ipv4`.
    #[arg(long, value_name = "ADDR", help_heading = "Addresses")]
    pub public_ipv4: Option<String>,
    /// Value of `$private_ipv6`.
    #[arg(long, value_name = "ADDR", help_heading = "Addresses")]
    pub private_ipv6: Option<String>,
    /// Value of `$public_ipv6`.
    #[arg(long, value_name = "ADDR", help_heading = "Addresses")]
    pub public_ipv6: Option<String>,
    /// An EC2-style metadata service (its root, e.g. http://169.254.169.254): local-ipv4,
    /// public-ipv4, ipv6, hostname and public-keys under /latest/meta-data/.
    #[arg(long, value_name = "URL", help_heading = "Addresses")]
    pub metadata_url: Option<String>,
    /// Seconds each request to the metadata service (or a user-data URL) may take.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS", help_heading = "Addresses")]
    pub metadata_timeout: f64,
    /// How many times a failed request is tried again (with back-off).
    #[arg(long, default_value_t = 3, value_name = "N", help_heading = "Addresses")]
    pub metadata_retries: u32,
    /// An OpenStack config drive (mounted): user-data from openstack/latest/user_data, hostname
    /// and keys from openstack/latest/meta_data.json, addresses from ec2/latest/meta-data.json.
    #[arg(long, value_name = "DIR", help_heading = "Addresses")]
    pub config_drive: Option<PathBuf>,
    /// TLS for an https:// user-data URL or metadata service.
    #[command(flatten)]
    pub tls: super::security::TlsFlags,
}

type Res = Result<(), Stop>;

/// Runs a parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    let json = args.json || args.output == Output::Json;
    let mut out = io::BufWriter::new(io::stdout());
    let r = match args.command {
        Command::Validate { input, sources } => cmd_validate(&mut out, json, &input, &sources),
        Command::Apply { input, sources, dry_run, run_dir, bin_dir, ssh_user, ssh_key_name } => {
            let opts = plan::Options {
                run_dir: run_dir.unwrap_or_else(|| cc::files::under(&input.root, "/run/corekit")),
                bin_dir: bin_dir.unwrap_or_else(own_dir),
                root: input.root.clone(),
                ssh_user,
                ssh_key_name,
            };
            cmd_apply(&mut out, json, &input, &sources, &opts, dry_run)
        }
        Command::Reindent { file } => cmd_reindent(&mut out, &file),
    };
    let r = r.and_then(|()| out.flush().map_err(Stop::from));
    match r {
        Ok(()) => exit::OK,
        Err(Stop(c)) => c,
    }
}

/// The directory cfg-init runs from: corekit's programs are installed side by side.
fn own_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("/usr/local/bin"))
}

/// How user-data and metadata are fetched; a bad TLS file is a usage error before anything else.
fn fetch(s: &AddressSources) -> Result<Fetch, Stop> {
    let tls = s.tls.load(&super::security::KV_ENV).map_err(|e| {
        log::error!("{e}");
        Stop(exit::USAGE)
    })?;
    Ok(Fetch {
        timeout: Duration::from_secs_f64(s.metadata_timeout.clamp(0.05, 3600.0)),
        retries: s.metadata_retries,
        tls,
    })
}

fn load(input: &Input, sources: &AddressSources, fetch: &Fetch) -> Result<UserData, Stop> {
    let source = match (&input.file, &sources.config_drive) {
        (Some(f), _) => Source::from_arg(f, fetch),
        (None, Some(d)) => Source::ConfigDrive(d.clone()),
        (None, None) => {
            log::error!("no user-data: give FILE, `-` (standard input), a URL, or --config-drive DIR");
            return Err(Stop(exit::USAGE));
        }
    };
    source.load().map_err(|e| {
        log::error!("{e}");
        Stop(match e {
            userdata::Error::Fetch(..) => exit::FAILURE,
            _ => exit::USAGE,
        })
    })
}

fn gather(sources: &AddressSources, fetch: &Fetch, root: &std::path::Path) -> Result<Metadata, Stop> {
    let flags = [&sources.private_ipv4, &sources.public_ipv4, &sources.private_ipv6, &sources.public_ipv6];
    for (t, v) in Token::ALL.iter().zip(flags) {
        if let Some(v) = v
            && v.parse::<std::net::IpAddr>().is_err()
        {
            log::error!("{} {v:?}: not an IP address", t.flag());
            return Err(Stop(exit::USAGE));
        }
    }
    let s = metadata::Sources {
        flags: flags.map(|v| v.clone()),
        metadata_url: sources.metadata_url.clone(),
        fetch: fetch.clone(),
        config_drive: sources.config_drive.clone(),
        env: std::env::vars().filter(|(k, _)| k.starts_with("COREOS_")).collect(),
        etc_environment: Some(cc::files::under(root, "/etc/environment")),
    };
    let md = metadata::gather(&s).map_err(|e| {
        log::error!("{e}");
        Stop(exit::FAILURE)
    })?;
    for (t, a) in md.known() {
        if a.value.parse::<std::net::IpAddr>().is_err() {
            log::error!("${} from {}: {:?} is not an IP address", t.name(), a.origin, a.value);
            return Err(Stop(exit::USAGE));
        }
    }
    Ok(md)
}

fn addresses_json(md: &Metadata) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (t, a) in md.known() {
        m.insert(t.name().into(), serde_json::to_value(a).unwrap_or_default());
    }
    serde_json::Value::Object(m)
}

fn counts(f: &[Finding]) -> (usize, usize) {
    (
        f.iter().filter(|x| x.severity == Severity::Error).count(),
        f.iter().filter(|x| x.severity == Severity::Warning).count(),
    )
}

fn cmd_validate(out: &mut impl Write, json: bool, input: &Input, sources: &AddressSources) -> Res {
    let fetch = fetch(sources)?;
    let ud = load(input, sources, &fetch)?;
    let md = gather(sources, &fetch, &input.root)?;
    let report = validate::validate(&ud, &md, validate::Mode::Validate);
    let (errors, warnings) = counts(&report.findings);
    if json {
        let v = json!({
            "file": ud.origin,
            "kind": ud.kind.as_str(),
            "gzipped": ud.gzipped,
            "valid": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "findings": report.findings,
            "addresses": addresses_json(&md),
        });
        serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for f in &report.findings {
            writeln!(out, "{}", f.render(&ud.origin))?;
        }
        log::info!(
            "{}: {}{}, {errors} error{}, {warnings} warning{}",
            ud.origin,
            ud.kind.as_str(),
            if ud.gzipped { " (gzipped)" } else { "" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    if errors > 0 { Err(Stop(exit::NEGATIVE)) } else { Ok(()) }
}

fn cmd_apply(
    out: &mut impl Write,
    json: bool,
    input: &Input,
    sources: &AddressSources,
    opts: &plan::Options,
    dry_run: bool,
) -> Res {
    let fetch = fetch(sources)?;
    let ud = load(input, sources, &fetch)?;
    let md = gather(sources, &fetch, &input.root)?;
    let prepared = match cc::prepare(&ud, &md, opts) {
        Ok(p) => p,
        Err(Refusal::Invalid(findings)) => {
            let (errors, _) = counts(&findings);
            if json {
                let v = json!({"file": ud.origin, "applied": false, "errors": errors, "findings": findings});
                serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::from)?;
                writeln!(out)?;
            } else {
                for f in &findings {
                    writeln!(out, "{}", f.render(&ud.origin))?;
                }
            }
            log::error!(
                "{}: {errors} error{}: nothing was changed",
                ud.origin,
                if errors == 1 { "" } else { "s" }
            );
            return Err(Stop(exit::NEGATIVE));
        }
        Err(e) => {
            log::error!("{}: {e}: nothing was changed", ud.origin);
            return Err(Stop(exit::USAGE));
        }
    };
    if !json {
        for f in &prepared.report.findings {
            log::warn!("{}", f.render(&ud.origin));
        }
    }
    for n in &prepared.plan.notes {
        log::info!("{n}");
    }
    let (changes, failure) = match apply::apply(&prepared.plan, opts, dry_run) {
        Ok(c) => (c, None),
        Err(f) => (f.done, Some(f.error)),
    };
    let changed = changes.iter().filter(|c| c.changed).count();
    if json {
        let v = json!({
            "file": ud.origin,
            "kind": ud.kind.as_str(),
            "dry_run": dry_run,
            "applied": failure.is_none() && !dry_run,
            "changed": changed,
            "unchanged": changes.len() - changed,
            "changes": changes,
            "warnings": prepared.report.findings,
            "notes": prepared.plan.notes,
            "addresses": addresses_json(&md),
            "error": failure.as_ref().map(|e| e.to_string()),
        });
        serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for c in &changes {
            let tag = match (c.changed, dry_run) {
                (false, _) => "ok     ",
                (true, false) => "changed",
                (true, true) => "would  ",
            };
            writeln!(out, "{tag} {}: {}: {}", c.what, c.target, c.summary)?;
            if let Some(d) = &c.detail {
                for l in d.lines() {
                    writeln!(out, "        | {l}")?;
                }
            }
        }
        let what = if dry_run { "would change" } else { "changed" };
        if changed == 0 && failure.is_none() {
            writeln!(
                out,
                "nothing {what}: everything is already as the user-data says ({} checked)",
                changes.len()
            )?;
        } else {
            writeln!(out, "{changed} {what}, {} already as the user-data says", changes.len() - changed)?;
        }
    }
    if let Some(e) = failure {
        log::error!("{e}");
        return Err(Stop(exit::FAILURE));
    }
    Ok(())
}

fn cmd_reindent(out: &mut impl Write, file: &str) -> Res {
    let source = if file == "-" { Source::Stdin } else { Source::File(PathBuf::from(file)) };
    let ud = source.load().map_err(|e| {
        log::error!("{e}");
        Stop(exit::USAGE)
    })?;
    let text = reindent::reindent(&ud.text);
    out.write_all(text.as_bytes())?;
    if let Err(e) = crate::cloudconfig::yaml::parse(&text) {
        log::warn!(
            "the re-indented text still has a YAML error at {}:{}: {}",
            e.mark.line,
            e.mark.column,
            e.message
        );
    }
    Ok(())
}
