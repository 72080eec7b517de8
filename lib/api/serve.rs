//! A member, composed: bind the client and peer listeners, boot (or join) the Raft node, run
//! the Raft thread, serve peers, publish this member's client URLs, wait until caught up,
//! serve clients — and stop on SIGTERM/SIGINT, or when the member must halt on its own.
//!
//! Nothing here prints or exits: progress is logged through `log`, and how the member ended
//! is returned for the program to turn into an exit status.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Api;
use crate::raft::membership::id_string;
use crate::raft::node::{Halt, Shared};
use crate::raft::state_machine::Command;
use crate::raft::transport::HttpTransport;
use crate::raft::{self, Boot};

/// What a member is told at start (kv-serve's flags, checked).
#[derive(Clone, Debug)]
pub struct Config {
    pub name: String,
    pub data_dir: PathBuf,
    pub listen_client_urls: Vec<String>,
    pub listen_peer_urls: Vec<String>,
    pub advertise_client_urls: Vec<String>,
    pub initial_advertise_peer_urls: Vec<String>,
    /// `name=peerURL,…`.
    pub initial_cluster: String,
    /// Join a running cluster (`--initial-cluster-state existing`) rather than found one.
    pub join_existing: bool,
    pub initial_cluster_token: String,
    pub heartbeat: Duration,
    pub election_timeout: Duration,
    pub snapshot_count: u64,
    /// `--cors`.
    pub cors: super::cors::Cors,
    /// `--discovery`: bootstrap through a discovery URL instead of `initial_cluster`.
    pub discovery: Option<Discovery>,
    /// `--proxy`: run as etcd 2's proxy instead of a member.
    pub proxy: ProxyMode,
    /// `--proxy-*`.
    pub proxy_timeouts: ProxyTimeouts,
    /// TLS on the listeners and toward peers.
    pub security: Security,
}

/// TLS, from etcd's flags (checked, files read).
#[derive(Clone, Debug, Default)]
pub struct Security {
    /// Served on `https://` client URLs (`--cert-file`…, `--auto-tls`).
    pub client: Option<crate::tls::ServerTls>,
    /// Served on `https://` peer URLs (`--peer-cert-file`…, `--peer-auto-tls`).
    pub peer: Option<crate::tls::ServerTls>,
    /// How this member reaches its peers, and a proxy the members: the peer certificate
    /// presented, the peer CA trusted.
    pub peer_client: crate::tls::ClientTls,
    /// How this member reaches the discovery service: its certificate checked against
    /// `--discovery-ca-file` (else the Mozilla roots), `--discovery-cert-file` shown to it.
    pub discovery_client: crate::tls::ClientTls,
}

/// `--discovery URL`, `--discovery-fallback`, `--discovery-proxy`.
#[derive(Clone, Debug)]
pub struct Discovery {
    pub url: crate::discovery::token::DiscoveryUrl,
    /// A full cluster makes this process a proxy (else it exits).
    pub fallback_proxy: bool,
    /// An HTTP proxy to reach the discovery service through.
    pub http_proxy: Option<String>,
}

/// `--proxy off|on|readonly`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyMode {
    Off,
    On,
    Readonly,
}

/// `--proxy-failure-wait`, `--proxy-refresh-interval`, `--proxy-dial-timeout`,
/// `--proxy-write-timeout`, `--proxy-read-timeout`.
#[derive(Clone, Copy, Debug)]
pub struct ProxyTimeouts {
    pub failure_wait: Duration,
    pub refresh_interval: Duration,
    pub dial: Duration,
    pub write: Duration,
    pub read: Duration,
}

/// How a member that ran ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// SIGTERM or SIGINT.
    Stopped,
    /// The cluster removed it.
    Removed,
}

/// Why a member could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Before anything was served: a port taken, a data dir of another member, no cluster to join.
    #[error("{0}")]
    Start(String),
    /// While serving: a thread the member cannot run without failed.
    #[error("fatal: {0}")]
    Fatal(String),
    /// Discovery did not give a cluster: etcd's lines saying why and what to do.
    #[error("{}", .0.join("\n"))]
    Discovery(Vec<String>),
}

/// What this process is to be, once its data dir and flags have been looked at (etcd's
/// `identifyDataDirOrDie` and the discovery that follows).
enum Role {
    /// A member, with the initial cluster and token to boot with.
    Member { initial_cluster: String, token: String },
    /// A proxy to the cluster with these peer URLs.
    Proxy(Vec<String>),
}

fn peer_urls_of(cluster: &str) -> Vec<String> {
    let mut urls: Vec<String> =
        cluster.split(',').filter_map(|p| p.split_once('=').map(|(_, u)| u.trim().to_string())).collect();
    urls.sort();
    urls.dedup();
    urls
}

/// etcd's messages for a discovery that ended without a cluster.
fn discovery_failed(cfg: &Config, url: &str, e: &crate::discovery::join::Error) -> Error {
    use crate::discovery::join::Error as J;
    Error::Discovery(match e {
        J::DuplicateId => vec![
            format!("member {:?} has previously registered with discovery service token ({url}).", cfg.name),
            format!(
                "But etcd could not find valid cluster configuration in the given data dir ({}).",
                cfg.data_dir.display()
            ),
            "Please check the given data dir path if the previous bootstrap succeeded".into(),
            "or use a new discovery token if the previous bootstrap failed.".into(),
        ],
        J::DuplicateName => vec![
            format!("member with duplicated name has registered with discovery service token({url})."),
            "please check (cURL) the discovery token for more information.".into(),
            "please do not reuse the discovery token and generate a new one to bootstrap the cluster.".into(),
        ],
        other => vec![
            format!("failed to join discovery cluster ({other})"),
            format!("discovery token {url} was used, but failed to bootstrap the cluster."),
            "please generate a new discovery token and try to bootstrap again.".into(),
        ],
    })
}

/// Decides what to be: a data dir that holds a member or a proxy stays one; `--proxy` makes
/// a proxy; `--discovery` registers and waits for the cluster (or, when it is full and
/// `--discovery-fallback proxy`, makes a proxy); otherwise the initial cluster as given.
fn decide(cfg: &Config) -> Result<Role, Error> {
    let start = |e: String| Error::Start(e);
    let token_of = |cfg: &Config| match &cfg.discovery {
        Some(d) => d.url.url.clone(),
        None => cfg.initial_cluster_token.clone(),
    };
    let member = raft::has_identity(&cfg.data_dir).map_err(start)?
        || cfg.data_dir.join(raft::bootstrap::LOG_DIR).exists();
    let stored = super::proxy::stored_peers(&cfg.data_dir).map_err(start)?;
    match (member, stored) {
        (true, Some(_)) => {
            return Err(start(format!(
                "invalid data dir {}: it holds both a member and a proxy",
                cfg.data_dir.display()
            )));
        }
        (false, Some(peers)) => {
            log::info!("the server is already initialized as proxy before, starting as etcd proxy...");
            if cfg.discovery.is_some() {
                log::warn!(
                    "discovery token ignored since the proxy has already been initialized. Valid cluster file found at {:?}",
                    cfg.data_dir.join(super::proxy::CLUSTER_FILE)
                );
            }
            return Ok(Role::Proxy(peers));
        }
        (true, None) => {
            if cfg.discovery.is_some() {
                log::warn!(
                    "discovery token ignored since a cluster has already been initialized. Valid log found at {}",
                    cfg.data_dir.display()
                );
            }
            return Ok(Role::Member { initial_cluster: cfg.initial_cluster.clone(), token: token_of(cfg) });
        }
        (false, None) => {}
    }
    let proxy_cluster = |d: &Discovery| -> Result<Vec<String>, Error> {
        crate::discovery::join::get_cluster(&d.url, d.http_proxy.as_deref(), &cfg.security.discovery_client)
            .map(|c| peer_urls_of(&c))
            .map_err(|e| Error::Start(e.to_string()))
    };
    if cfg.proxy != ProxyMode::Off {
        let peers = match &cfg.discovery {
            Some(d) => proxy_cluster(d)?,
            None => peer_urls_of(&cfg.initial_cluster),
        };
        return Ok(Role::Proxy(peers));
    }
    let Some(d) = &cfg.discovery else {
        return Ok(Role::Member { initial_cluster: cfg.initial_cluster.clone(), token: token_of(cfg) });
    };
    let me = crate::raft::membership::Member::new(&cfg.name, &cfg.initial_advertise_peer_urls, &d.url.url);
    let registration = crate::discovery::join::registration(&cfg.name, &cfg.initial_advertise_peer_urls);
    log::info!("joining the cluster through {} as member {}", d.url.url, id_string(me.id));
    match crate::discovery::join::join_cluster(
        &d.url,
        d.http_proxy.as_deref(),
        &cfg.security.discovery_client,
        me.id,
        &registration,
    ) {
        Ok(cluster) => {
            crate::raft::membership::Cluster::from_initial(&cluster, &d.url.url)
                .map_err(|e| Error::Start(format!("discovery cluster {cluster} is not usable: {e}")))?;
            Ok(Role::Member { initial_cluster: cluster, token: d.url.url.clone() })
        }
        Err(crate::discovery::join::Error::FullCluster) if d.fallback_proxy => {
            log::info!("discovery cluster full, falling back to proxy");
            Ok(Role::Proxy(proxy_cluster(d)?))
        }
        Err(e) => Err(discovery_failed(cfg, &d.url.url, &e)),
    }
}

/// Runs the proxy on the client listeners until SIGTERM or SIGINT.
fn run_proxy(
    runtime: tokio::runtime::Runtime,
    cfg: &Config,
    client_listeners: Vec<super::http::Bound>,
    peers: Vec<String>,
) -> Result<Ended, Error> {
    super::proxy::store_peers(&cfg.data_dir, &peers).map_err(Error::Start)?;
    log::info!("proxy: using peer urls {peers:?}");
    let t = cfg.proxy_timeouts;
    let p = super::proxy::Proxy::new(super::proxy::Config {
        data_dir: cfg.data_dir.clone(),
        peer_urls: peers,
        readonly: cfg.proxy == ProxyMode::Readonly,
        failure_wait: t.failure_wait,
        refresh_interval: t.refresh_interval,
        dial_timeout: t.dial,
        write_timeout: t.write,
        read_timeout: t.read,
        cors: cfg.cors.clone(),
        tls: cfg.security.peer_client.clone(),
    });
    runtime.block_on(async {
        tokio::select! {
            _ = stop_signal() => log::info!("stopping"),
            _ = super::proxy::serve(p, client_listeners, cfg.security.client.clone()) => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(Ended::Stopped)
}

/// SIGTERM or SIGINT.
async fn stop_signal() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Runs a member (or a proxy) until it is stopped or must halt. Blocks the calling thread.
pub fn run(cfg: Config) -> Result<Ended, Error> {
    let start = |e: String| Error::Start(e);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| start(format!("cannot start the runtime: {e}")))?;
    // Bind before touching the data dir's state (or a discovery token), so a taken port
    // changes nothing.
    let client_listeners = runtime.block_on(super::http::bind_all(&cfg.listen_client_urls)).map_err(start)?;
    let is_member_dir = raft::has_identity(&cfg.data_dir).map_err(start)?;
    let peer_listeners = if cfg.proxy == ProxyMode::Off || is_member_dir {
        Some(runtime.block_on(super::http::bind_all(&cfg.listen_peer_urls)).map_err(start)?)
    } else {
        None
    };
    let (initial_cluster, token) = match decide(&cfg)? {
        Role::Proxy(peers) => {
            drop(peer_listeners);
            return run_proxy(runtime, &cfg, client_listeners, peers);
        }
        Role::Member { initial_cluster, token } => (initial_cluster, token),
    };
    let peer_listeners = match peer_listeners {
        Some(l) => l,
        None => runtime.block_on(super::http::bind_all(&cfg.listen_peer_urls)).map_err(start)?,
    };
    let join = if cfg.join_existing && !raft::has_identity(&cfg.data_dir).map_err(start)? {
        Some(
            raft::bootstrap::ask_to_join(
                &cfg.name,
                &initial_cluster,
                &cfg.initial_advertise_peer_urls,
                &cfg.security.peer_client,
            )
            .map_err(start)?,
        )
    } else {
        None
    };
    let boot = Boot {
        join,
        name: cfg.name.clone(),
        data_dir: cfg.data_dir.clone(),
        initial_cluster: initial_cluster.clone(),
        initial_cluster_token: token.clone(),
        initial_advertise_peer_urls: cfg.initial_advertise_peer_urls.clone(),
        heartbeat: cfg.heartbeat,
        election_timeout: cfg.election_timeout,
        snapshot_count: cfg.snapshot_count,
    };

    let reporter: crate::raft::transport::Reporter = Default::default();
    let handle = runtime.handle().clone();
    let rep = reporter.clone();
    let peer_tls = cfg.security.peer_client.clone();
    let (node, shared, last_index) = raft::boot(&boot, move |me, cluster| {
        let peers =
            cluster.members.values().filter(|m| m.id != me).map(|m| (m.id, m.peer_urls.clone())).collect();
        Box::new(HttpTransport::new(me, cluster.id, handle, peers, rep, &peer_tls))
    })
    .map_err(start)?;
    let _ = reporter.set(Arc::downgrade(&shared));
    log::info!(
        "member {} ({}) of cluster {}, data in {}",
        id_string(shared.member_id),
        cfg.name,
        id_string(shared.cluster_id),
        cfg.data_dir.display()
    );
    let raft_shared = shared.clone();
    let raft_thread = std::thread::Builder::new()
        .name("raft".into())
        .stack_size(16 << 20)
        .spawn(move || {
            let s = raft_shared.clone();
            raft_shared.guard("raft", move || {
                if let Err(e) = node.run() {
                    s.halt(Halt::Fatal(e.to_string()));
                }
            })
        })
        .map_err(|e| start(format!("cannot start the raft thread: {e}")))?;

    let api = Arc::new(Api {
        shared: shared.clone(),
        name: cfg.name.clone(),
        request_timeout: Duration::from_secs(5) + 2 * cfg.election_timeout,
        start_time: crate::os::clock::now_nanos(),
        initial_cluster_token: token,
        cors: cfg.cors.clone(),
        passwords: Default::default(),
        client: hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(
            cfg.security.peer_client.connector(hyper_util::client::legacy::connect::HttpConnector::new()),
        ),
    });
    let ended = runtime.block_on(serve(api, cfg, client_listeners, peer_listeners, last_index));
    shared.shutdown();
    let _ = raft_thread.join();
    runtime.shutdown_timeout(Duration::from_millis(200));
    ended
}

async fn serve(
    api: Arc<Api>,
    cfg: Config,
    client_listeners: Vec<super::http::Bound>,
    peer_listeners: Vec<super::http::Bound>,
    last_index: u64,
) -> Result<Ended, Error> {
    let shared = api.shared.clone();
    let signals = stop_signal();
    let up = async {
        // Peers first: a restarted member learns its leader (and catches up) through them.
        for b in peer_listeners {
            log::info!("listening for peers on {}", b.describe());
            let api = api.clone();
            let opts = b.options(cfg.security.peer.as_ref());
            tokio::spawn(super::http::serve_from(b.listener, opts, move |req, _| {
                super::peer_route(api.clone(), req)
            }));
        }
        // Like etcd, serve clients only once this member's client URLs are in the cluster's
        // membership (so clients that sync the member list find it) and it has caught up.
        publish(&shared, cfg.name.clone(), cfg.advertise_client_urls.clone()).await;
        wait_caught_up(&shared, last_index, 3 * cfg.election_timeout).await;
        for b in client_listeners {
            log::info!("serving clients on {}", b.describe());
            let api = api.clone();
            let opts = b.options(cfg.security.client.as_ref());
            tokio::spawn(super::http::serve_from(b.listener, opts, move |req, _| {
                super::route(api.clone(), req)
            }));
        }
        tokio::spawn(trim_memory_now_and_then());
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = signals => {
            log::info!("stopping");
            // A leader hands over first (clients are still served meanwhile; their writes
            // wait for the new leader), so a rolling restart costs a round trip, not an election.
            shared.hand_over(2 * cfg.election_timeout).await;
            Ok(Ended::Stopped)
        }
        halt = shared.halted() => match halt {
            Halt::Removed => Ok(Ended::Removed),
            Halt::Fatal(e) => Err(Error::Fatal(e)),
        },
        _ = up => Ok(Ended::Stopped),
    }
}

async fn trim_memory_now_and_then() {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // SAFETY: malloc_trim only releases free memory; it has no preconditions (and nix
        // does not have it).
        let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
    }
}

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
