//! `disco`: the discovery service (`serve`), tokens (`new`), and service discovery through
//! the store (`announce`, `list`, `render`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};

use super::{Stop, exit};
use crate::client::{self, Client};
use crate::discovery::{announce, health, limit, registry, render, serve, services, token};
use crate::os::stop;
use crate::tls::ClientTls;

/// Bootstraps clusters from a token, and lets backends announce themselves to a load balancer.
///
/// `disco serve` is a discovery service that etcd members cannot tell from discovery.etcd.io;
/// `disco new` makes a token for `kv-serve --discovery` (or etcd's); `disco announce` keeps a
/// backend's address in the store while it is healthy; `disco render --watch` keeps a config
/// file (nginx, haproxy…) rendered from the store and reloads its program after each change.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "disco",
    version,
    about = "Bootstraps clusters from a token; lets backends announce themselves to a load balancer",
    long_about,
    max_term_width = 100
)]
pub struct Args {
    /// Output format of the commands that print data (`new`, `list`).
    #[arg(long, short = 'o', global = true, value_enum, default_value = "text", value_name = "FORMAT")]
    pub output: Output,

    /// Same as `-o json`.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(flatten)]
    pub tls: crate::cli::security::TlsFlags,

    #[command(subcommand)]
    pub command: Command,
}

pub use crate::cli::Output;

/// The store to use, as every client tool takes it.
#[derive(ClapArgs, Debug, Clone)]
pub struct Store {
    /// The store's client URLs, comma separated (tried in turn) [default: http://127.0.0.1:2379].
    #[arg(long = "kv", visible_alias = "endpoints", env = "KV_ENDPOINTS", value_name = "URLS")]
    pub kv: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the discovery service (discovery.etcd.io's routes and answers) on a store.
    #[command(disable_help_flag = true)]
    Serve(ServeArgs),
    /// Make a discovery token and print its URL.
    New {
        /// The number of members the cluster will have.
        #[arg(long, default_value_t = 3, value_name = "N", allow_negative_numbers = true)]
        size: i64,
        /// Ask this discovery service (disco serve, discovery.etcd.io) for the token
        /// [default: http://127.0.0.1:8087 unless --kv is given].
        #[arg(long, env = "DISCO_SERVER", value_name = "URL", conflicts_with = "kv")]
        server: Option<String>,
        /// Make the token straight in this store instead (private discovery: the URL printed is
        /// the token's directory in the store's keys API).
        #[arg(long = "kv", value_name = "URLS")]
        kv: Option<String>,
        /// With --kv: the store directory tokens go under.
        #[arg(long, default_value = "/discovery", value_name = "DIR")]
        dir: String,
        /// With --kv: seconds until the token and its entries expire (0: never).
        #[arg(long, default_value_t = 0, value_name = "SECS")]
        token_ttl: u64,
        /// The largest size accepted.
        #[arg(long, default_value_t = registry::DEFAULT_MAX_SIZE, value_name = "N")]
        max_size: u64,
    },
    /// Keep SERVICE/INSTANCE = ADDR[:PORT] in the store while the backend is healthy; withdraw
    /// it when the check fails and on SIGTERM.
    Announce {
        /// The service's name (a directory under --prefix).
        #[arg(value_name = "SERVICE")]
        service: String,
        /// The address load balancers send requests to.
        #[arg(value_name = "ADDR[:PORT]")]
        addr: String,
        /// Seconds the key lives without a refresh (what is left when this process dies).
        #[arg(long, default_value_t = 30, value_name = "SECS")]
        ttl: u64,
        /// Seconds between checks and refreshes [default: a third of --ttl].
        #[arg(long, value_name = "SECS")]
        interval: Option<f64>,
        /// Healthy while this URL answers below 400.
        #[arg(long, value_name = "URL", conflicts_with = "health_cmd")]
        health_url: Option<String>,
        /// Healthy while this command (run with sh -c) exits 0.
        #[arg(long, value_name = "CMD")]
        health_cmd: Option<String>,
        /// Seconds a check may take.
        #[arg(long, default_value_t = 5.0, value_name = "SECS")]
        health_timeout: f64,
        /// The instance's name [default: ADDR[:PORT]].
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
        /// Where services live in the store.
        #[arg(long, default_value = services::DEFAULT_PREFIX, value_name = "DIR")]
        prefix: String,
        #[command(flatten)]
        store: Store,
    },
    /// List a service's announced instances.
    List {
        #[arg(value_name = "SERVICE")]
        service: String,
        /// Where services live in the store.
        #[arg(long, default_value = services::DEFAULT_PREFIX, value_name = "DIR")]
        prefix: String,
        #[command(flatten)]
        store: Store,
    },
    /// Render a template from the store into a file; with --watch, again after every change.
    Render {
        /// The template (Jinja2 syntax; see TEMPLATES in disco(1)).
        #[arg(long, value_name = "FILE")]
        template: PathBuf,
        /// The file to write (atomically, and only when its content changes).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// What the template sees: everything under this store directory.
        #[arg(long, default_value = services::DEFAULT_PREFIX, value_name = "DIR")]
        prefix: String,
        /// Run (sh -c) on the staged new file before it replaces the old; `{{src}}` and
        /// $DISCO_SRC name it. A failure keeps the old file.
        #[arg(long, value_name = "CMD")]
        check_cmd: Option<String>,
        /// Run (sh -c) after the file changed, e.g. `nginx -s reload`. A failure puts the old file back.
        #[arg(long, value_name = "CMD")]
        exec: Option<String>,
        /// Keep running: render again after every change under --prefix.
        #[arg(long)]
        watch: bool,
        /// Milliseconds of quiet a burst of changes must end with before it is rendered (an
        /// isolated change is rendered at once).
        #[arg(long, default_value_t = 20, value_name = "MS")]
        debounce: u64,
        /// The file's mode, octal [default: the existing file's, else 0644].
        #[arg(long, value_name = "MODE")]
        mode: Option<String>,
        /// Seconds --check-cmd and --exec may take.
        #[arg(long, default_value_t = 60.0, value_name = "SECS")]
        cmd_timeout: f64,
        #[command(flatten)]
        store: Store,
    },
}

/// `disco serve`'s flags: discovery.etcd.io's (`-e`, `-h`, `-a` and `DISC_*`) and the limits it lacked.
#[derive(ClapArgs, Debug, Clone)]
pub struct ServeArgs {
    /// The store's client URLs, comma separated (tried in turn); also read from DISC_ETCD
    /// (discovery.etcd.io's variable) [default: http://127.0.0.1:2379].
    #[arg(long = "kv", short = 'e', visible_alias = "etcd", env = "KV_ENDPOINTS", value_name = "URLS")]
    pub kv: Option<String>,
    /// The URL prefix of the tokens handed out, as clients reach this service (a path is fine,
    /// behind a reverse proxy) [default: http://HOSTNAME:PORT of --addr].
    #[arg(long, short = 'h', env = "DISC_HOST", value_name = "URL")]
    pub host: Option<String>,
    /// Where to listen (Go style: `:8087` is every address).
    #[arg(long, short = 'a', env = "DISC_ADDR", default_value = ":8087", value_name = "ADDR")]
    pub addr: String,
    /// Seconds until a token and its entries expire (0: never, as discovery.etcd.io).
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    pub token_ttl: u64,
    /// The largest size `/new` accepts (the smallest is 1).
    #[arg(long, default_value_t = registry::DEFAULT_MAX_SIZE, value_name = "N")]
    pub max_size: u64,
    /// Requests per second each client address may make on average (0: no limit).
    #[arg(long, default_value_t = 20.0, value_name = "N")]
    pub rate_limit: f64,
    /// Requests each client address may make in a burst.
    #[arg(long, default_value_t = 100.0, value_name = "N")]
    pub rate_burst: f64,
    /// Requests (long polls included) each client address may have open at once (0: no limit).
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_open: u32,
    /// Take the client's address from this header (the last address in it), for a reverse
    /// proxy in front that sets it (e.g. X-Forwarded-For).
    #[arg(long, value_name = "HEADER")]
    pub client_header: Option<String>,
    /// Seconds a store request may take (long polls excepted).
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub timeout: f64,
    /// Seconds a long poll (`wait=true`) may wait before it is answered empty (etcd's clients
    /// then poll again); bounds what a watch whose client went away costs.
    #[arg(long, default_value_t = 120.0, value_name = "SECS")]
    pub watch_limit: f64,
    /// Serve over HTTPS with this certificate (PEM; reloaded when it changes).
    #[arg(long, env = "DISC_SERVER_CERT_FILE", value_name = "FILE")]
    pub server_cert_file: Option<std::path::PathBuf>,
    /// The key of --server-cert-file.
    #[arg(long, env = "DISC_SERVER_KEY_FILE", value_name = "FILE")]
    pub server_key_file: Option<std::path::PathBuf>,
    /// Serve only clients whose certificate this CA signed.
    #[arg(long, env = "DISC_SERVER_TRUSTED_CA_FILE", value_name = "FILE")]
    pub server_trusted_ca_file: Option<std::path::PathBuf>,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

type Res = Result<(), Stop>;

/// Runs a parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    let json = args.json || args.output == Output::Json;
    let tls = match args.tls.load(&crate::cli::security::KV_ENV) {
        Ok(t) => t,
        Err(e) => {
            log::error!("{e}");
            return exit::USAGE;
        }
    };
    match dispatch(args.command, json, &tls) {
        Ok(()) => exit::OK,
        Err(Stop(c)) => c,
    }
}

fn usage(msg: impl std::fmt::Display) -> Stop {
    log::error!("{msg}");
    Stop(exit::USAGE)
}

/// The store endpoints: the flag (or KV_ENDPOINTS, through clap), then `extra_env`, then the default.
fn endpoints(flag: Option<&str>, extra_env: Option<&str>) -> Result<Vec<String>, Stop> {
    let env = extra_env.and_then(|k| std::env::var(k).ok()).filter(|v| !v.is_empty());
    let list =
        flag.filter(|s| !s.is_empty()).map(str::to_string).or(env).unwrap_or("http://127.0.0.1:2379".into());
    client::endpoints::parse(&list).map_err(usage)
}

fn store_client(s: &Store, tls: &ClientTls) -> Result<Client, Stop> {
    let eps = endpoints(s.kv.as_deref(), None)?;
    Ok(Client::new(client::Config { tls: tls.clone(), ..client::Config::new(eps) }))
}

fn secs(what: &str, v: f64) -> Result<Duration, Stop> {
    Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| usage(format!("{what} must be a positive number of seconds")))
}

fn dispatch(cmd: Command, json: bool, tls: &ClientTls) -> Res {
    match cmd {
        Command::Serve(a) => serve_cmd(a, tls),
        Command::New { size, server, kv, dir, token_ttl, max_size } => {
            new_cmd(NewArgs { size, server, kv, dir: &dir, ttl: token_ttl, max: max_size, json }, tls)
        }
        Command::Announce {
            service,
            addr,
            ttl,
            interval,
            health_url,
            health_cmd,
            health_timeout,
            instance,
            prefix,
            store,
        } => {
            services::check_name("service", &service).map_err(usage)?;
            if addr.is_empty() || addr.contains('/') || addr.contains(char::is_whitespace) {
                return Err(usage(format!("ADDR[:PORT] {addr:?} is not an address")));
            }
            let instance = instance.unwrap_or_else(|| addr.clone());
            services::check_name("instance", &instance).map_err(usage)?;
            if ttl == 0 {
                return Err(usage("--ttl must be at least 1"));
            }
            let interval = match interval {
                Some(s) => secs("--interval", s)?,
                None => Duration::from_secs_f64((ttl as f64 / 3.0).max(0.5)),
            };
            if interval >= Duration::from_secs(ttl) {
                return Err(usage(
                    "--interval must be shorter than --ttl, or the key expires between refreshes",
                ));
            }
            let check = match (health_url, health_cmd) {
                (Some(u), _) => Some(health::Check::Url(u)),
                (_, Some(c)) => Some(health::Check::Command(c)),
                _ => None,
            };
            let a = announce::Announce {
                key: services::instance_key(&prefix, &service, &instance),
                value: addr,
                ttl,
                interval,
                check,
                check_timeout: secs("--health-timeout", health_timeout)?,
            };
            let stop = stop::Stop::new();
            stop.on_signals().map_err(|e| {
                log::error!("cannot take SIGTERM: {e}");
                Stop(exit::FAILURE)
            })?;
            let c = store_client(&store, tls)?;
            announce::run(&c, &a, &stop);
            Ok(())
        }
        Command::List { service, prefix, store } => {
            services::check_name("service", &service).map_err(usage)?;
            let c = store_client(&store, tls)?;
            let list = match services::list(&c, &prefix, &service) {
                Ok(l) => l,
                Err(e) => {
                    log::error!("{}", e.to_string().trim_end());
                    return Err(Stop(exit::FAILURE));
                }
            };
            let list = list.unwrap_or_default();
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer(&mut out, &list).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            } else {
                for i in &list {
                    writeln!(out, "{}\t{}", i.name, i.value)?;
                }
            }
            out.flush()?;
            if list.is_empty() {
                log::info!("{service}: no instance announced");
                return Err(Stop(exit::NEGATIVE));
            }
            Ok(())
        }
        Command::Render {
            template,
            out,
            prefix,
            check_cmd,
            exec,
            watch,
            debounce,
            mode,
            cmd_timeout,
            store,
        } => {
            let mode = match mode {
                Some(m) => Some(
                    u32::from_str_radix(m.trim_start_matches("0o"), 8)
                        .ok()
                        .filter(|m| *m <= 0o7777)
                        .ok_or_else(|| usage(format!("--mode {m:?} is not an octal file mode")))?,
                ),
                None => None,
            };
            let r = render::Render {
                template,
                out,
                prefix,
                check_cmd,
                exec,
                mode,
                cmd_timeout: secs("--cmd-timeout", cmd_timeout)?,
                debounce: Duration::from_millis(debounce),
            };
            // The template must at least parse before anything else happens.
            crate::discovery::template::Template::load(&r.template).map_err(usage)?;
            if watch {
                let stop = stop::Stop::new();
                stop.on_signals().map_err(|e| {
                    log::error!("cannot take SIGTERM: {e}");
                    Stop(exit::FAILURE)
                })?;
                let c = Arc::new(store_client(&store, tls)?);
                return match render::watch(c, &r, &stop) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        log::error!("{e}");
                        Err(Stop(if matches!(e, render::Error::Template(_)) {
                            exit::USAGE
                        } else {
                            exit::FAILURE
                        }))
                    }
                };
            }
            let c = store_client(&store, tls)?;
            match render::once(&c, &r, 0) {
                Ok((render::Outcome::Unchanged, i)) => {
                    log::info!("{} is current (index {i})", r.out.display());
                    Ok(())
                }
                Ok((render::Outcome::Written, i)) => {
                    log::info!("{} rendered from index {i}", r.out.display());
                    Ok(())
                }
                Ok((render::Outcome::CheckFailed(why), _)) => {
                    log::error!("{} kept: --check-cmd refused the new content: {why}", r.out.display());
                    Err(Stop(exit::NEGATIVE))
                }
                Ok((render::Outcome::ExecFailed(why), _)) => {
                    log::error!("{} put back as it was: --exec failed: {why}", r.out.display());
                    Err(Stop(exit::NEGATIVE))
                }
                Err(e @ render::Error::Template(_)) => Err(usage(e)),
                Err(e) => {
                    log::error!("{} kept: {e}", r.out.display());
                    Err(Stop(exit::FAILURE))
                }
            }
        }
    }
}

fn serve_cmd(a: ServeArgs, tls: &ClientTls) -> Res {
    let server_tls = crate::cli::security::server_tls(
        a.server_cert_file.as_deref(),
        a.server_key_file.as_deref(),
        a.server_trusted_ca_file.as_deref(),
        a.server_trusted_ca_file.is_some(),
        ["--server-cert-file", "--server-key-file", "--server-trusted-ca-file"],
    )
    .map_err(usage)?;
    let scheme = if server_tls.is_some() { "https" } else { "http" };
    let env = std::env::var("DISC_ETCD").ok().filter(|v| !v.is_empty());
    let given = a.kv.clone().filter(|s| !s.is_empty()).or(env);
    // Each URL as the original checks it (its messages), before the client's own parsing.
    for e in given.iter().flat_map(|l| l.split(',')).map(str::trim).filter(|e| !e.is_empty()) {
        serve::host_only_url(e).map_err(usage)?;
    }
    let eps = endpoints(given.as_deref(), None)?;
    let addrs = serve::listen_addrs(&a.addr).map_err(usage)?;
    let host = match &a.host {
        // Debian's discovery.etcd.io takes any prefix (a path too: a service behind a
        // reverse proxy at https://example.com/discovery); it must still be a URL.
        Some(h) => match h.split_once("://") {
            Some(("http" | "https", rest)) if !rest.is_empty() && !rest.starts_with('/') => {
                h.trim_end_matches('/').to_string()
            }
            _ => return Err(usage(format!("--host {h:?} is not an http:// or https:// URL"))),
        },
        None => {
            let port = addrs[0].port();
            let ip = addrs[0].ip();
            let name = if ip.is_unspecified() { crate::os::host::hostname() } else { ip.to_string() };
            use std::net::ToSocketAddrs;
            if (name.as_str(), port).to_socket_addrs().map(|mut a| a.next().is_none()).unwrap_or(true) {
                log::warn!(
                    "tokens will be {scheme}://{name}:{port}/TOKEN, but {name} does not resolve here: give --host"
                );
            }
            format!("{scheme}://{name}:{port}")
        }
    };
    if a.max_size == 0 {
        return Err(usage("--max-size must be at least 1"));
    }
    if !(a.rate_limit >= 0.0 && a.rate_burst >= 1.0) {
        return Err(usage("--rate-limit must be 0 or more and --rate-burst at least 1"));
    }
    let cfg = serve::Config {
        tls: server_tls,
        client_tls: tls.clone(),
        endpoints: eps,
        host,
        addrs,
        token_ttl: a.token_ttl,
        max_size: a.max_size,
        limits: limit::Limits { rate: a.rate_limit, burst: a.rate_burst, max_open: a.max_open },
        client_header: a.client_header,
        request_timeout: secs("--timeout", a.timeout)?,
        watch_limit: secs("--watch-limit", a.watch_limit)?,
    };
    super::raise_fd_limit();
    serve::run(cfg).map_err(|e| {
        log::error!("{e}");
        Stop(exit::FAILURE)
    })
}

#[derive(serde::Serialize)]
struct NewToken<'a> {
    url: &'a str,
    size: i64,
}

/// `disco new`'s arguments.
struct NewArgs<'a> {
    size: i64,
    server: Option<String>,
    kv: Option<String>,
    dir: &'a str,
    ttl: u64,
    max: u64,
    json: bool,
}

fn new_cmd(a: NewArgs, tls: &ClientTls) -> Res {
    let NewArgs { size, server, kv, dir, ttl, max, json } = a;
    let size_u = registry::check_size(size, max).map_err(usage)?;
    let url = if let Some(kv) = kv {
        let eps = endpoints(Some(&kv), None)?;
        let c = Client::new(client::Config { tls: tls.clone(), ..client::Config::new(eps.clone()) });
        let d = registry::new_private(&c, dir, size, ttl).map_err(|e| {
            log::error!("cannot make a token in the store: {}", e.to_string().trim_end());
            Stop(exit::FAILURE)
        })?;
        // The URL names the endpoint that answered first.
        let ep = c.endpoints().into_iter().next().unwrap_or_else(|| eps[0].clone());
        format!("{ep}{}", crate::client::keys::key_path(&d))
    } else {
        let server = server.unwrap_or_else(|| "http://127.0.0.1:8087".into());
        let server = server.trim_end_matches('/');
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls.ureq())
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let url = format!("{server}/new?size={size_u}");
        let mut resp = agent.get(&url).call().map_err(|e| {
            log::error!("cannot reach the discovery service {server}: {e}");
            Stop(exit::FAILURE)
        })?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            log::error!("{url} answered {status}: {}", body.trim_end());
            return Err(Stop(exit::FAILURE));
        }
        body.trim().to_string()
    };
    if token::DiscoveryUrl::parse(&url).is_err() {
        log::warn!("{url} is not a URL kv-serve --discovery can use (it speaks plain http://)");
    }
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &NewToken { url: &url, size }).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    } else {
        writeln!(out, "{url}")?;
    }
    out.flush()?;
    Ok(())
}
