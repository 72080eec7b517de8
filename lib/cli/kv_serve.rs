//! `kv-serve`: flags (etcd 2's names and `ETCD_*` variables) and the startup sequence.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Parser;

use crate::api::{self, Api};
use crate::raft::membership::{check_url, id_string};
use crate::raft::node::Shared;
use crate::raft::state_machine::Command;
use crate::raft::transport::HttpTransport;
use crate::raft::{self, Boot};

/// The etcd v2 key-value store: a Raft-replicated member serving the etcd v2 HTTP API.
///
/// Every flag also reads the environment variable etcd 2 used (`--data-dir` ← `ETCD_DATA_DIR`),
/// and Go-style single-dash long flags (`-name x`) are accepted, so an etcd 2 configuration works
/// unchanged. With no flags at all, kv-serve is one member named `default`, serving clients on
/// http://localhost:2379 and :4001, peers on :2380, with its data in `./default.kv`.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "kv-serve",
    version,
    about = "The etcd v2 key-value store, replicated with Raft",
    long_about,
    max_term_width = 100
)]
pub struct Args {
    /// Human-readable name of this member.
    #[arg(long, env = "ETCD_NAME", default_value = "default", help_heading = "Member")]
    pub name: String,

    /// Directory for the Raft log, hard state and snapshots [default: ./NAME.kv].
    #[arg(long, env = "ETCD_DATA_DIR", value_name = "DIR", help_heading = "Member")]
    pub data_dir: Option<PathBuf>,

    /// Separate directory for the write-ahead log (etcd); not supported: the log lives in --data-dir.
    #[arg(long, env = "ETCD_WAL_DIR", value_name = "DIR", hide = true)]
    pub wal_dir: Option<PathBuf>,

    /// Applied entries between two snapshots; the log is compacted behind each snapshot
    /// (etcd 3.4's default; the log stays on disk, so a larger count costs no memory).
    #[arg(
        long,
        env = "ETCD_SNAPSHOT_COUNT",
        default_value_t = 100000,
        value_name = "N",
        help_heading = "Member"
    )]
    pub snapshot_count: u64,

    /// Milliseconds between leader heartbeats.
    #[arg(
        long,
        env = "ETCD_HEARTBEAT_INTERVAL",
        default_value_t = 100,
        value_name = "MS",
        help_heading = "Member"
    )]
    pub heartbeat_interval: u64,

    /// Milliseconds a follower waits without hearing from a leader before it stands for election.
    #[arg(
        long,
        env = "ETCD_ELECTION_TIMEOUT",
        default_value_t = 1000,
        value_name = "MS",
        help_heading = "Member"
    )]
    pub election_timeout: u64,

    /// URLs to listen on for peer (Raft) traffic, comma separated.
    #[arg(
        long,
        env = "ETCD_LISTEN_PEER_URLS",
        value_delimiter = ',',
        default_value = "http://localhost:2380",
        value_name = "URLS",
        help_heading = "Member"
    )]
    pub listen_peer_urls: Vec<String>,

    /// URLs to listen on for client traffic, comma separated.
    #[arg(
        long,
        env = "ETCD_LISTEN_CLIENT_URLS",
        value_delimiter = ',',
        default_value = "http://localhost:2379,http://localhost:4001",
        value_name = "URLS",
        help_heading = "Member"
    )]
    pub listen_client_urls: Vec<String>,

    /// Accepted for etcd compatibility; kv-serve keeps one snapshot.
    #[arg(long, env = "ETCD_MAX_SNAPSHOTS", value_name = "N", hide = true)]
    pub max_snapshots: Option<u64>,

    /// Accepted for etcd compatibility; kv-serve has no WAL files to rotate.
    #[arg(long, env = "ETCD_MAX_WALS", value_name = "N", hide = true)]
    pub max_wals: Option<u64>,

    /// Cross-origin resource sharing origins (not supported).
    #[arg(long, env = "ETCD_CORS", value_name = "ORIGINS", hide = true)]
    pub cors: Option<String>,

    /// This member's peer URLs, as advertised to the rest of the cluster.
    #[arg(
        long,
        env = "ETCD_INITIAL_ADVERTISE_PEER_URLS",
        value_delimiter = ',',
        default_value = "http://localhost:2380",
        value_name = "URLS",
        help_heading = "Clustering"
    )]
    pub initial_advertise_peer_urls: Vec<String>,

    /// Initial cluster configuration, NAME=PEER_URL pairs comma separated [default: NAME=each --initial-advertise-peer-urls].
    #[arg(long, env = "ETCD_INITIAL_CLUSTER", value_name = "CLUSTER", help_heading = "Clustering")]
    pub initial_cluster: Option<String>,

    /// `new` to bootstrap a cluster, `existing` to join one.
    #[arg(long, env = "ETCD_INITIAL_CLUSTER_STATE", default_value = "new", value_parser = ["new", "existing"], help_heading = "Clustering")]
    pub initial_cluster_state: String,

    /// Token that makes the IDs of a new cluster unique.
    #[arg(
        long,
        env = "ETCD_INITIAL_CLUSTER_TOKEN",
        default_value = "etcd-cluster",
        value_name = "TOKEN",
        help_heading = "Clustering"
    )]
    pub initial_cluster_token: String,

    /// This member's client URLs, as advertised to clients and the rest of the cluster.
    #[arg(
        long,
        env = "ETCD_ADVERTISE_CLIENT_URLS",
        value_delimiter = ',',
        default_value = "http://localhost:2379,http://localhost:4001",
        value_name = "URLS",
        help_heading = "Clustering"
    )]
    pub advertise_client_urls: Vec<String>,

    /// Discovery URL used to bootstrap the cluster (not supported yet).
    #[arg(long, env = "ETCD_DISCOVERY", value_name = "URL", help_heading = "Clustering")]
    pub discovery: Option<String>,

    /// DNS SRV domain used to bootstrap the cluster (not supported).
    #[arg(long, env = "ETCD_DISCOVERY_SRV", value_name = "DOMAIN", hide = true)]
    pub discovery_srv: Option<String>,

    /// What to do when discovery fails: `exit` or `proxy`.
    #[arg(long, env = "ETCD_DISCOVERY_FALLBACK", default_value = "proxy", value_parser = ["exit", "proxy"], hide = true)]
    pub discovery_fallback: String,

    /// HTTP proxy for the discovery service (not supported).
    #[arg(long, env = "ETCD_DISCOVERY_PROXY", value_name = "URL", hide = true)]
    pub discovery_proxy: Option<String>,

    /// Reject reconfiguration requests that would cause quorum loss.
    #[arg(long, env = "ETCD_STRICT_RECONFIG_CHECK", hide = true)]
    pub strict_reconfig_check: bool,

    /// Proxy mode (`off` only: kv-serve is always a full member).
    #[arg(long, env = "ETCD_PROXY", default_value = "off", value_parser = ["off", "readonly", "on"], hide = true)]
    pub proxy: String,

    /// TLS and authentication flags of etcd; kv-serve speaks plain HTTP only and refuses them.
    #[arg(long, env = "ETCD_CERT_FILE", hide = true)]
    pub cert_file: Option<String>,
    #[arg(long, env = "ETCD_KEY_FILE", hide = true)]
    pub key_file: Option<String>,
    #[arg(long, env = "ETCD_CLIENT_CERT_AUTH", hide = true)]
    pub client_cert_auth: bool,
    #[arg(long, env = "ETCD_TRUSTED_CA_FILE", hide = true)]
    pub trusted_ca_file: Option<String>,
    #[arg(long, env = "ETCD_CA_FILE", hide = true)]
    pub ca_file: Option<String>,
    #[arg(long, env = "ETCD_PEER_CERT_FILE", hide = true)]
    pub peer_cert_file: Option<String>,
    #[arg(long, env = "ETCD_PEER_KEY_FILE", hide = true)]
    pub peer_key_file: Option<String>,
    #[arg(long, env = "ETCD_PEER_CLIENT_CERT_AUTH", hide = true)]
    pub peer_client_cert_auth: bool,
    #[arg(long, env = "ETCD_PEER_TRUSTED_CA_FILE", hide = true)]
    pub peer_trusted_ca_file: Option<String>,
    #[arg(long, env = "ETCD_PEER_CA_FILE", hide = true)]
    pub peer_ca_file: Option<String>,

    /// Start a new one-member cluster from this member's data (not supported yet).
    #[arg(long, env = "ETCD_FORCE_NEW_CLUSTER", hide = true)]
    pub force_new_cluster: bool,

    /// Accepted for etcd 3 compatibility: the v2 API is the only one kv-serve serves.
    #[arg(long, env = "ETCD_ENABLE_V2", hide = true, num_args = 0..=1, default_missing_value = "true")]
    pub enable_v2: Option<String>,

    /// More logging on stderr.
    #[arg(long, env = "ETCD_DEBUG", help_heading = "Logging")]
    pub debug: bool,

    /// Accepted for etcd compatibility (per-package log levels); ignored.
    #[arg(long, env = "ETCD_LOG_PACKAGE_LEVELS", hide = true)]
    pub log_package_levels: Option<String>,
}

/// A configuration that passed validation, with defaults filled in.
pub struct Config {
    pub args: Args,
    pub data_dir: PathBuf,
    pub initial_cluster: String,
}

/// Checks every flag before anything is created on disk or bound.
pub fn validate(args: Args) -> Result<Config, String> {
    let mut errors = Vec::new();
    let unsupported = [
        (
            args.wal_dir.is_some(),
            "--wal-dir: the log lives in --data-dir; a separate WAL directory is not supported",
        ),
        (args.cors.as_deref().is_some_and(|c| !c.is_empty()), "--cors is not supported"),
        (
            args.discovery.as_deref().is_some_and(|d| !d.is_empty()),
            "--discovery is not supported yet; use --initial-cluster",
        ),
        (args.discovery_srv.as_deref().is_some_and(|d| !d.is_empty()), "--discovery-srv is not supported"),
        (
            args.discovery_proxy.as_deref().is_some_and(|d| !d.is_empty()),
            "--discovery-proxy is not supported",
        ),
        (args.proxy != "off", "--proxy: kv-serve is always a full member; only --proxy=off is supported"),
        (args.force_new_cluster, "--force-new-cluster is not supported yet"),
        (
            [
                &args.cert_file,
                &args.key_file,
                &args.trusted_ca_file,
                &args.ca_file,
                &args.peer_cert_file,
                &args.peer_key_file,
                &args.peer_trusted_ca_file,
                &args.peer_ca_file,
            ]
            .iter()
            .any(|f| f.as_deref().is_some_and(|v| !v.is_empty()))
                || args.client_cert_auth
                || args.peer_client_cert_auth,
            "TLS flags are not supported: kv-serve speaks plain HTTP (put it behind a TLS proxy)",
        ),
    ];
    for (bad, msg) in unsupported {
        if bad {
            errors.push(msg.to_string());
        }
    }
    if args.name.is_empty() {
        errors.push("--name must not be empty".into());
    }
    if args.heartbeat_interval == 0 {
        errors.push("--heartbeat-interval must be at least 1 ms".into());
    }
    if args.election_timeout < 5 * args.heartbeat_interval {
        errors.push(format!(
            "--election-timeout ({} ms) must be at least 5 times --heartbeat-interval ({} ms)",
            args.election_timeout, args.heartbeat_interval
        ));
    }
    if args.election_timeout > 50_000 {
        errors.push("--election-timeout is longer than 50000 ms".into());
    }
    if args.snapshot_count == 0 {
        errors.push("--snapshot-count must be at least 1".into());
    }
    for (flag, urls) in [
        ("--listen-peer-urls", &args.listen_peer_urls),
        ("--listen-client-urls", &args.listen_client_urls),
        ("--initial-advertise-peer-urls", &args.initial_advertise_peer_urls),
        ("--advertise-client-urls", &args.advertise_client_urls),
    ] {
        if urls.is_empty() {
            errors.push(format!("{flag} is empty"));
        }
        for u in urls {
            if let Err(e) = check_url(u) {
                errors.push(format!("{flag}: {e}"));
            }
        }
    }
    let initial_cluster = args.initial_cluster.clone().unwrap_or_else(|| {
        args.initial_advertise_peer_urls
            .iter()
            .map(|u| format!("{}={u}", args.name))
            .collect::<Vec<_>>()
            .join(",")
    });
    if let Err(e) =
        crate::raft::membership::Cluster::from_initial(&initial_cluster, &args.initial_cluster_token)
    {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let data_dir = args.data_dir.clone().unwrap_or_else(|| PathBuf::from(format!("{}.kv", args.name)));
    Ok(Config { args, data_dir, initial_cluster })
}

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Runs a member until SIGTERM or SIGINT.
pub fn run(cfg: Config) -> anyhow::Result<()> {
    let a = &cfg.args;
    super::raise_fd_limit();
    // A panic in the Raft, applier or snapshot thread (raft-rs panics on a storage error it
    // cannot handle) must stop the member: without those threads it would serve stale reads
    // and claim to be healthy.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        if matches!(std::thread::current().name(), Some("raft" | "apply" | "snapshot")) {
            eprintln!("kv-serve: fatal: the {} thread panicked", std::thread::current().name().unwrap_or(""));
            std::process::exit(3);
        }
    }));
    // glibc gives every thread that allocates an arena of its own; with the Raft, applier and
    // HTTP threads freeing each other's buffers, that doubled the RSS after a write load.
    // Two arenas cost no measurable throughput (bench/kv-serve-vs-etcd.sh).
    // SAFETY: mallopt only tunes the allocator; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let heartbeat = Duration::from_millis(a.heartbeat_interval);
    let election = Duration::from_millis(a.election_timeout);
    let join = if a.initial_cluster_state == "existing" && !raft::has_identity(&cfg.data_dir)? {
        Some(fetch_join(a, &cfg.initial_cluster).map_err(anyhow::Error::msg)?)
    } else {
        None
    };
    let boot = Boot {
        join,
        name: a.name.clone(),
        data_dir: cfg.data_dir.clone(),
        initial_cluster: cfg.initial_cluster.clone(),
        initial_cluster_token: a.initial_cluster_token.clone(),
        initial_advertise_peer_urls: a.initial_advertise_peer_urls.clone(),
        heartbeat,
        election_timeout: election,
        snapshot_count: a.snapshot_count,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // Bind before touching the data dir's state, so a taken port changes nothing.
    let (client_listeners, peer_listeners) = runtime
        .block_on(async {
            let c = api::http::bind_all(&a.listen_client_urls).await?;
            let p = api::http::bind_all(&a.listen_peer_urls).await?;
            Ok::<_, String>((c, p))
        })
        .map_err(anyhow::Error::msg)?;

    let reporter: crate::raft::transport::Reporter = Default::default();
    let handle = runtime.handle().clone();
    let rep = reporter.clone();
    let (node, shared, last_index) = raft::boot(&boot, move |me, cluster| {
        let peers =
            cluster.members.values().filter(|m| m.id != me).map(|m| (m.id, m.peer_urls.clone())).collect();
        Box::new(HttpTransport::new(me, cluster.id, handle, peers, rep))
    })
    .map_err(anyhow::Error::msg)?;
    let _ = reporter.set(Arc::downgrade(&shared));
    eprintln!(
        "kv-serve: member {} ({}) of cluster {}, data in {}",
        id_string(shared.member_id),
        a.name,
        id_string(shared.cluster_id),
        cfg.data_dir.display()
    );
    let raft_thread =
        std::thread::Builder::new().name("raft".into()).stack_size(16 << 20).spawn(move || {
            if let Err(e) = node.run() {
                eprintln!("kv-serve: fatal: {e}");
                std::process::exit(3);
            }
        })?;

    let api = Arc::new(Api {
        shared: shared.clone(),
        name: a.name.clone(),
        request_timeout: Duration::from_secs(5) + 2 * election,
        start_time: now_nanos(),
        initial_cluster_token: a.initial_cluster_token.clone(),
        client: hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(hyper_util::client::legacy::connect::HttpConnector::new()),
    });
    let advertise = a.advertise_client_urls.clone();
    let name = a.name.clone();
    runtime.block_on(async move {
        // Peers first: a restarted member learns its leader (and catches up) through them.
        for l in peer_listeners {
            eprintln!("kv-serve: listening for peers on http://{}", l.local_addr()?);
            let api = api.clone();
            tokio::spawn(api::http::serve(l, move |req| api::peer_route(api.clone(), req)));
        }
        // Like etcd, serve clients only once this member's client URLs are in the cluster's
        // membership (so clients that sync the member list find it) and it has caught up.
        publish(&shared, name, advertise).await;
        wait_caught_up(&shared, last_index, 3 * election).await;
        for l in client_listeners {
            eprintln!("kv-serve: serving clients on http://{}", l.local_addr()?);
            let api = api.clone();
            tokio::spawn(api::http::serve(l, move |req| api::route(api.clone(), req)));
        }
        tokio::spawn(trim_memory_now_and_then());
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        eprintln!("kv-serve: stopping");
        shared.shutdown();
        Ok::<_, anyhow::Error>(())
    })?;
    let _ = raft_thread.join();
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// Every two seconds, memory freed since goes back to the OS. glibc keeps what a thread frees
/// in that thread's arena: after one big answer (a recursive GET of a 10,000-key directory is
/// ~4 MB of small allocations on a worker thread) the member's RSS stayed ~10 MiB higher for
/// good. (A trim walks the arenas' free lists: well under a millisecond here.)
async fn trim_memory_now_and_then() {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // SAFETY: malloc_trim only releases free memory; it has no preconditions.
        let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
    }
}

/// Joining a running cluster: ask the other members listed in --initial-cluster (on their
/// peer URLs, `GET /members`) for the membership, and find this member in it by its peer URLs
/// (it must have been added with `POST /v2/members` / `kv member add` first).
fn fetch_join(a: &Args, initial_cluster: &str) -> Result<raft::Join, String> {
    use crate::raft::membership::{Cluster, Member};
    let mut mine = a.initial_advertise_peer_urls.clone();
    mine.sort();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(3)))
        .build()
        .new_agent();
    let mut errors = Vec::new();
    for part in initial_cluster.split(',').map(str::trim) {
        let Some((_, url)) = part.split_once('=') else { continue };
        if mine.iter().any(|u| u == url) {
            continue;
        }
        let got = agent.get(format!("{}/members", url.trim_end_matches('/'))).call();
        let mut resp = match got {
            Ok(r) if r.status() == 200 => r,
            Ok(r) => {
                errors.push(format!("{url}: answered {}", r.status()));
                continue;
            }
            Err(e) => {
                errors.push(format!("{url}: {e}"));
                continue;
            }
        };
        let cluster_id = resp
            .headers()
            .get("X-Etcd-Cluster-ID")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| u64::from_str_radix(v, 16).ok());
        let body = resp.body_mut().read_to_string().map_err(|e| format!("{url}: {e}"))?;
        let list: Vec<serde_json::Value> = serde_json::from_str(&body).map_err(|e| format!("{url}: {e}"))?;
        let mut cluster =
            Cluster { id: cluster_id.ok_or_else(|| format!("{url}: no cluster ID"))?, ..Default::default() };
        for m in list {
            let id = m["id"]
                .as_str()
                .and_then(|s| u64::from_str_radix(s, 16).ok())
                .ok_or("member without an ID")?;
            let strings = |k: &str| -> Vec<String> {
                m[k].as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                    .unwrap_or_default()
            };
            let mut peer_urls = strings("peerURLs");
            peer_urls.sort();
            let name = m["name"].as_str().unwrap_or("").to_string();
            cluster.members.insert(id, Member { id, name, peer_urls, client_urls: strings("clientURLs") });
        }
        let me = cluster.members.values().find(|m| m.peer_urls == mine).map(|m| m.id).ok_or_else(|| {
            format!(
                "the cluster has no member with peer URLs {}; add it first (kv member add {} {})",
                mine.join(","),
                a.name,
                mine.join(",")
            )
        })?;
        return Ok(raft::Join { member_id: me, cluster });
    }
    Err(format!("--initial-cluster-state=existing: no existing member answered: {}", errors.join("; ")))
}

/// After a restart, wait (bounded) until there is a leader and the entries that were in the
/// log at boot, and those the leader has since said are committed, are applied — so plain
/// reads do not go back in time.
async fn wait_caught_up(shared: &Shared, last_index: u64, limit: Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        let applied = shared.applied_index.load(Ordering::Acquire);
        let commit = shared.commit_index.load(Ordering::Acquire);
        if shared.has_leader() && applied >= last_index && applied >= commit {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Publishes this member's name and client URLs through the log (etcd's "attributes"), retrying
/// until it is applied, so every member and client sees them in /v2/members.
async fn publish(shared: &Shared, name: String, client_urls: Vec<String>) {
    let cmd = Command::Publish { id: shared.member_id, name, client_urls };
    loop {
        if shared.has_leader()
            && let Ok(_) = shared.propose(&cmd, Duration::from_secs(5)).await
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
