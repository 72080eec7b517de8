//! One function per command. Messages, output and exit statuses are etcdctl's (v2 mode), as
//! observed from `ETCDCTL_API=2 etcdctl` 3.4 against the same server.

use std::io::{self, BufWriter, Read, Write};
use std::time::{Duration, Instant};

use super::output::{Format, print_response};
use super::{Args, Command, Global, MemberCommand, exit};
use crate::client::{
    self, Client, Config, DeleteOptions, Error, GetOptions, Health, PrevExist, Response, SetOptions,
    endpoints,
};

pub use crate::cli::Stop;

type Res = Result<(), Stop>;

/// What every command needs: the options, the output, and a way to reach the cluster.
pub struct Ctx {
    pub g: Global,
    pub format: Format,
    pub out: BufWriter<io::Stdout>,
}

impl Ctx {
    fn new(g: Global) -> Ctx {
        let format = if g.json { Format::Json } else { Format::parse(&g.output) };
        Ctx { g, format, out: BufWriter::with_capacity(64 * 1024, io::stdout()) }
    }

    /// etcdctl's `handleError`: `Error:  <error>` (plus one line per endpoint for a cluster
    /// error) on stderr, then exit with `code`.
    pub fn fail(&mut self, code: i32, e: &Error) -> Stop {
        let _ = self.out.flush();
        eprintln!("Error:  {e}");
        if let Some(d) = e.detail() {
            eprintln!("{d}");
        }
        Stop(code)
    }

    fn fail_msg(&mut self, code: i32, msg: &str) -> Stop {
        let _ = self.out.flush();
        eprintln!("Error:  {msg}");
        Stop(code)
    }

    /// A client for the configured endpoints; with `sync` (and without `--no-sync`) it first
    /// learns the members' client URLs, as etcdctl does before every keys or member command.
    pub fn client(&mut self, sync: bool) -> Result<Client, Stop> {
        let list = endpoints::resolve(
            self.g.endpoints.as_deref(),
            self.g.endpoint.as_deref(),
            self.g.peers.as_deref(),
        );
        let eps = match endpoints::parse(&list) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                return Err(Stop(exit::BAD_ARGS));
            }
        };
        let tls = match self.g.tls.load(&crate::cli::security::KV_ENV) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                return Err(Stop(exit::BAD_ARGS));
            }
        };
        let username = self.g.username.clone().or_else(|| {
            ["KV_USERNAME", "ETCDCTL_USERNAME"]
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
        });
        let credentials = match username.as_deref().map(crate::cli::security::credentials) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                eprintln!("{e}");
                return Err(Stop(exit::BAD_ARGS));
            }
        };
        let c = Client::new(Config { endpoints: eps, request_timeout: self.g.timeout, tls, credentials });
        if sync && !self.g.no_sync {
            c.set_deadline(Some(Instant::now() + Duration::from_secs(5)));
            match c.sync() {
                Ok(()) => {}
                Err(Error::NoEndpoints) => {
                    eprintln!("etcd cluster has no published client endpoints.");
                    eprintln!(
                        "Try '--no-sync' if you want to access non-published client endpoints({}).",
                        c.endpoints().join(",")
                    );
                    return Err(self.fail(exit::SERVER_ERROR, &Error::NoEndpoints));
                }
                Err(e) if e.is_connection() => return Err(self.fail(exit::BAD_CONNECTION, &e)),
                Err(_) => {} // like etcdctl: carry on with the endpoints as given
            }
        }
        c.set_deadline(Some(Instant::now() + self.g.total_timeout));
        Ok(c)
    }

    fn print(&mut self, r: &Response) -> Res {
        print_response(&mut self.out, r, &self.format)?;
        Ok(())
    }

    fn json_line(&mut self, v: &serde_json::Value) -> Res {
        writeln!(self.out, "{v}")?;
        Ok(())
    }
}

/// Runs one parsed command line; returns the exit status.
pub fn run(args: Args) -> i32 {
    let mut ctx = Ctx::new(args.global);
    let r = dispatch(&mut ctx, args.command).and_then(|()| ctx.out.flush().map_err(Stop::from));
    match r {
        Ok(()) => exit::SUCCESS,
        Err(Stop(code)) => {
            let _ = ctx.out.flush();
            code
        }
    }
}

fn dispatch(ctx: &mut Ctx, cmd: Command) -> Res {
    match cmd {
        Command::Set { ttl, swap_with_value, swap_with_index, key, value } => {
            let key = need_key(ctx, key)?;
            let value = arg_or_stdin(ctx, value)?;
            let c = ctx.client(true)?;
            let o = SetOptions {
                ttl,
                prev_value: Some(swap_with_value),
                prev_index: swap_with_index,
                ..Default::default()
            };
            let r = c.set(&key, &value, &o).map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            ctx.print(&r)
        }
        Command::Get { sort, quorum, key } => {
            let key = need_key(ctx, key)?;
            let c = ctx.client(true)?;
            let r = c
                .get(&key, GetOptions { sorted: sort, quorum, recursive: false })
                .map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            if r.node.dir {
                ctx.out.flush()?;
                eprintln!("{}: is a directory", r.node.key);
                return Err(Stop(exit::BAD_ARGS));
            }
            ctx.print(&r)
        }
        Command::Mk { in_order, ttl, key, value } => {
            let key = need_key(ctx, key)?;
            let value = arg_or_stdin(ctx, value)?;
            let c = ctx.client(true)?;
            let r = if in_order {
                c.create_in_order(&key, &value, ttl)
            } else {
                c.set(
                    &key,
                    &value,
                    &SetOptions { ttl, prev_exist: PrevExist::MustNotExist, ..Default::default() },
                )
            };
            let r = r.map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            ctx.print(&r)
        }
        Command::Mkdir { ttl, key } => dir_command(ctx, key, ttl, PrevExist::MustNotExist),
        Command::Setdir { ttl, key } => dir_command(ctx, key, ttl, PrevExist::Ignore),
        Command::Updatedir { ttl, key } => dir_command(ctx, key, ttl, PrevExist::MustExist),
        Command::Update { ttl, key, value } => {
            let key = need_key(ctx, key)?;
            let value = arg_or_stdin(ctx, value)?;
            let c = ctx.client(true)?;
            let o = SetOptions { ttl, prev_exist: PrevExist::MustExist, ..Default::default() };
            let r = c.set(&key, &value, &o).map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            ctx.print(&r)
        }
        Command::Rm { dir, recursive, with_value, with_index, key } => {
            let key = need_key(ctx, key)?;
            let c = ctx.client(true)?;
            let o = DeleteOptions { prev_value: Some(with_value), prev_index: with_index, dir, recursive };
            let r = c.delete(&key, &o).map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            if !r.node.dir || ctx.format != Format::Simple {
                ctx.print(&r)?;
            }
            Ok(())
        }
        Command::Rmdir { key } => {
            let key = need_key(ctx, key)?;
            let c = ctx.client(true)?;
            let r = c
                .delete(&key, &DeleteOptions { dir: true, ..Default::default() })
                .map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            if !r.node.dir || ctx.format != Format::Simple {
                ctx.print(&r)?;
            }
            Ok(())
        }
        Command::Ls { sort, recursive, p, quorum, key } => {
            let key = key.unwrap_or_else(|| "/".to_string());
            let c = ctx.client(true)?;
            let r = c
                .get(&key, GetOptions { sorted: sort, recursive, quorum })
                .map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
            if ctx.format == Format::Simple {
                if !r.node.dir {
                    writeln!(ctx.out, "{}", r.node.key)?;
                }
                for n in r.node.nodes.iter().flatten() {
                    print_tree(&mut ctx.out, n, p)?;
                }
                Ok(())
            } else {
                ctx.print(&r)
            }
        }
        Command::Watch { forever, after_index, recursive, key } => {
            let key = need_key(ctx, key)?;
            let c = ctx.client(true)?;
            exit_zero_on_sigint();
            let mut w = c.watcher(&key, after_index, recursive);
            loop {
                let r = w.next_change().map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
                if r.node.dir {
                    continue;
                }
                // etcdctl prints `[action] key` first when recursive; in JSON the object says it.
                if recursive && ctx.format != Format::Json {
                    writeln!(ctx.out, "[{}] {}", r.action, r.node.key)?;
                }
                ctx.print(&r)?;
                ctx.out.flush()?;
                if !forever {
                    return Ok(());
                }
            }
        }
        Command::ExecWatch { after_index, recursive, args } => exec_watch(ctx, after_index, recursive, args),
        Command::ClusterHealth { forever } => cluster_health(ctx, forever),
        Command::Member { command } => member(ctx, command),
        Command::Auth { command } => super::auth::auth(ctx, command),
        Command::User { command } => super::auth::user(ctx, command),
        Command::Role { command } => super::auth::role(ctx, command),
        Command::Dump { prefix } => super::dump::dump(ctx, prefix.as_deref().unwrap_or("/")),
        Command::Load => super::dump::load(ctx),
    }
}

fn need_key(ctx: &mut Ctx, key: Option<String>) -> Result<String, Stop> {
    key.ok_or_else(|| ctx.fail_msg(exit::BAD_ARGS, "key required"))
}

/// The value argument, else all of stdin (kept as is, newline included), like etcdctl.
fn arg_or_stdin(ctx: &mut Ctx, value: Option<String>) -> Result<String, Stop> {
    if let Some(v) = value {
        return Ok(v);
    }
    let mut buf = Vec::new();
    match io::stdin().read_to_end(&mut buf) {
        Ok(_) if !buf.is_empty() => Ok(String::from_utf8_lossy(&buf).into_owned()),
        _ => Err(ctx.fail_msg(exit::BAD_ARGS, "value required")),
    }
}

fn dir_command(ctx: &mut Ctx, key: Option<String>, ttl: u64, prev_exist: PrevExist) -> Res {
    let key = need_key(ctx, key)?;
    let c = ctx.client(true)?;
    let o = SetOptions { ttl, dir: true, prev_exist, ..Default::default() };
    let r = c.set(&key, "", &o).map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
    if ctx.format != Format::Simple {
        ctx.print(&r)?;
    }
    Ok(())
}

fn print_tree(out: &mut dyn Write, n: &client::Node, slash: bool) -> io::Result<()> {
    if n.dir && slash {
        writeln!(out, "{}/", n.key)?;
    } else {
        writeln!(out, "{}", n.key)?;
    }
    for c in n.nodes.iter().flatten() {
        print_tree(out, c, slash)?;
    }
    Ok(())
}

extern "C" fn on_sigint(_: libc::c_int) {
    // SAFETY: _exit is async-signal-safe (nix has no _exit); nothing is left to flush that
    // a watch would miss.
    unsafe { libc::_exit(0) }
}

/// etcdctl's watch commands end with status 0 on Ctrl-C.
fn exit_zero_on_sigint() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: the handler only calls the async-signal-safe _exit.
    unsafe {
        let _ = signal(Signal::SIGINT, SigHandler::Handler(on_sigint));
    }
}

fn exec_watch(ctx: &mut Ctx, after_index: u64, recursive: bool, mut args: Vec<String>) -> Res {
    if args.len() > 1 && args[1] == "--" {
        args.remove(1);
    }
    if args.len() < 2 {
        return Err(ctx.fail_msg(exit::BAD_ARGS, "key and command to exec required"));
    }
    let key = args.remove(0);
    let c = ctx.client(true)?;
    exit_zero_on_sigint();
    let mut w = c.watcher(&key, after_index, recursive);
    loop {
        let r = w.next_change().map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
        ctx.out.flush()?;
        if r.node.dir {
            eprintln!("Ignored dir {} change", r.node.key);
            continue;
        }
        let mut cmd = std::process::Command::new(&args[0]);
        cmd.args(&args[1..])
            .env("ETCD_WATCH_ACTION", &r.action)
            .env("ETCD_WATCH_MODIFIED_INDEX", r.node.modified_index.to_string())
            .env("ETCD_WATCH_KEY", &r.node.key)
            .env("ETCD_WATCH_VALUE", &r.node.value);
        match cmd.spawn() {
            // Like etcdctl, don't wait: the next change may start the command again meanwhile.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => {
                if e.kind() == io::ErrorKind::NotFound {
                    eprint!("exec: {:?}: executable file not found in $PATH", args[0]);
                } else {
                    eprint!("fork/exec {}: {e}", args[0]);
                }
                return Err(Stop(exit::BAD_ARGS));
            }
        }
    }
}

fn cluster_health(ctx: &mut Ctx, forever: bool) -> Res {
    if forever {
        exit_zero_on_sigint();
    }
    let c = ctx.client(false)?;
    c.set_deadline(None);
    let json = ctx.format == Format::Json;
    let members = match c.members() {
        Ok(m) => m,
        Err(e) => {
            if json {
                ctx.json_line(&serde_json::json!({"cluster": "unknown", "error": e.to_string()}))?;
            } else {
                writeln!(ctx.out, "cluster may be unhealthy: failed to list members")?;
            }
            return Err(ctx.fail(exit::SERVER_ERROR, &e));
        }
    };
    loop {
        let mut healthy = 0;
        for m in &members {
            if m.client_urls.is_empty() {
                if json {
                    ctx.json_line(&serde_json::json!({"id": m.id, "name": m.name, "health": "unreachable", "error": "no available published client urls"}))?;
                } else {
                    writeln!(ctx.out, "member {} is unreachable: no available published client urls", m.id)?;
                }
                continue;
            }
            let mut checked = false;
            for url in &m.client_urls {
                match c.health_of(url) {
                    Health::Failed(e) => {
                        let e = format!("Get \"{url}/health\": {e}");
                        if json {
                            ctx.json_line(&serde_json::json!({"id": m.id, "name": m.name, "url": url, "health": "failed", "error": e}))?;
                        } else {
                            writeln!(ctx.out, "failed to check the health of member {} on {url}: {e}", m.id)?;
                        }
                        continue;
                    }
                    h => {
                        checked = true;
                        let ok = h == Health::Healthy;
                        if ok {
                            healthy += 1;
                        }
                        if json {
                            ctx.json_line(&serde_json::json!({"id": m.id, "name": m.name, "url": url, "health": if ok { "healthy" } else { "unhealthy" }}))?;
                        } else if ok {
                            writeln!(ctx.out, "member {} is healthy: got healthy result from {url}", m.id)?;
                        } else {
                            writeln!(
                                ctx.out,
                                "member {} is unhealthy: got unhealthy result from {url}",
                                m.id
                            )?;
                        }
                        break;
                    }
                }
            }
            if !checked && !json {
                writeln!(
                    ctx.out,
                    "member {} is unreachable: [{}] are all unreachable",
                    m.id,
                    m.client_urls.join(" ")
                )?;
            }
        }
        let verdict = if healthy == members.len() {
            "healthy"
        } else if healthy == 0 {
            "unavailable"
        } else {
            "degraded"
        };
        if json {
            ctx.json_line(&serde_json::json!({ "cluster": verdict }))?;
        } else {
            writeln!(ctx.out, "cluster is {verdict}")?;
        }
        ctx.out.flush()?;
        if !forever {
            return if healthy == members.len() { Ok(()) } else { Err(Stop(exit::CLUSTER_NOT_HEALTHY)) };
        }
        if !json {
            write!(ctx.out, "\nnext check after 10 second...\n\n")?;
            ctx.out.flush()?;
        }
        std::thread::sleep(Duration::from_secs(10));
    }
}

/// A member command's own failure: the message alone on stderr, status 1.
fn member_fail(ctx: &mut Ctx, msg: &str) -> Stop {
    let _ = ctx.out.flush();
    eprintln!("{msg}");
    Stop(exit::BAD_ARGS)
}

/// Go's `%q` for the strings member add prints.
fn go_quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn member(ctx: &mut Ctx, cmd: MemberCommand) -> Res {
    let json = ctx.format == Format::Json;
    match cmd {
        MemberCommand::List { args } => {
            if !args.is_empty() {
                return Err(member_fail(ctx, "No arguments accepted"));
            }
            let c = ctx.client(true)?;
            let members = c.members().map_err(|e| member_fail(ctx, &e.to_string()))?;
            let leader = c.leader().map_err(|e| member_fail(ctx, &format!("Failed to get leader:  {e}")))?;
            for m in members {
                let is_leader = m.id == leader.id;
                if json {
                    ctx.json_line(&serde_json::json!({"id": m.id, "name": m.name, "peerURLs": m.peer_urls, "clientURLs": m.client_urls, "isLeader": is_leader}))?;
                } else if m.name.is_empty() {
                    writeln!(ctx.out, "{}[unstarted]: peerURLs={}", m.id, m.peer_urls.join(","))?;
                } else {
                    writeln!(
                        ctx.out,
                        "{}: name={} peerURLs={} clientURLs={} isLeader={is_leader}",
                        m.id,
                        m.name,
                        m.peer_urls.join(","),
                        m.client_urls.join(",")
                    )?;
                }
            }
            Ok(())
        }
        MemberCommand::Add { args } => {
            if args.len() != 2 {
                return Err(member_fail(ctx, "Provide a name and a single member peerURL"));
            }
            let (name, url) = (&args[0], &args[1]);
            let c = ctx.client(true)?;
            let m = c.add_member(url).map_err(|e| member_fail(ctx, &e.to_string()))?;
            let members = c.members().map_err(|e| member_fail(ctx, &e.to_string()))?;
            let mut conf = Vec::new();
            for mm in &members {
                for u in &mm.peer_urls {
                    let n = if mm.id == m.id { name.as_str() } else { mm.name.as_str() };
                    conf.push(format!("{n}={u}"));
                }
            }
            if json {
                return ctx.json_line(&serde_json::json!({"id": m.id, "name": name, "peerURLs": m.peer_urls,
                    "ETCD_NAME": name, "ETCD_INITIAL_CLUSTER": conf.join(","), "ETCD_INITIAL_CLUSTER_STATE": "existing"}));
            }
            writeln!(ctx.out, "Added member named {name} with ID {} to cluster", m.id)?;
            writeln!(ctx.out)?;
            writeln!(ctx.out, "ETCD_NAME={}", go_quote(name))?;
            writeln!(ctx.out, "ETCD_INITIAL_CLUSTER={}", go_quote(&conf.join(",")))?;
            writeln!(ctx.out, "ETCD_INITIAL_CLUSTER_STATE=\"existing\"")?;
            Ok(())
        }
        MemberCommand::Remove { args } => {
            if args.len() != 1 {
                return Err(member_fail(ctx, "Provide a single member ID"));
            }
            let id = &args[0];
            let c = ctx.client(true)?;
            let members = c.members().map_err(|e| {
                member_fail(ctx, &format!("Error while verifying ID against known members: {e}"))
            })?;
            let mut found = false;
            for m in &members {
                if &m.id == id {
                    found = true;
                }
                if &m.name == id {
                    eprint!(
                        "Found a member named {}; if this is correct, please use its ID, eg:\n\tetcdctl member remove {}\n",
                        m.name, m.id
                    );
                    eprint!(
                        "For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n"
                    );
                }
            }
            if !found {
                let _ = ctx.out.flush();
                eprintln!("Couldn't find a member in the cluster with an ID of {id}.");
                return Err(Stop(exit::BAD_ARGS));
            }
            if let Err(e) = c.remove_member(id) {
                let _ = ctx.out.flush();
                eprint!("Received an error trying to remove member {id}: {e}");
                return Err(Stop(exit::BAD_ARGS));
            }
            if json {
                return ctx.json_line(&serde_json::json!({ "removed": id }));
            }
            writeln!(ctx.out, "Removed member {id} from cluster")?;
            Ok(())
        }
        MemberCommand::Update { args } => {
            if args.len() != 2 {
                return Err(member_fail(
                    ctx,
                    "Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)",
                ));
            }
            let id = &args[0];
            let urls: Vec<String> = args[1].split(',').map(str::to_string).collect();
            let c = ctx.client(true)?;
            c.update_member(id, &urls).map_err(|e| member_fail(ctx, &e.to_string()))?;
            if json {
                return ctx.json_line(&serde_json::json!({ "updated": id, "peerURLs": urls }));
            }
            writeln!(ctx.out, "Updated member with ID {id} in cluster")?;
            Ok(())
        }
    }
}
