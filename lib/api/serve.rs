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
}

/// Runs a member until it is stopped or must halt. Blocks the calling thread.
pub fn run(cfg: Config) -> Result<Ended, Error> {
    let start = |e: String| Error::Start(e);
    let join = if cfg.join_existing && !raft::has_identity(&cfg.data_dir).map_err(start)? {
        Some(
            raft::bootstrap::ask_to_join(&cfg.name, &cfg.initial_cluster, &cfg.initial_advertise_peer_urls)
                .map_err(start)?,
        )
    } else {
        None
    };
    let boot = Boot {
        join,
        name: cfg.name.clone(),
        data_dir: cfg.data_dir.clone(),
        initial_cluster: cfg.initial_cluster.clone(),
        initial_cluster_token: cfg.initial_cluster_token.clone(),
        initial_advertise_peer_urls: cfg.initial_advertise_peer_urls.clone(),
        heartbeat: cfg.heartbeat,
        election_timeout: cfg.election_timeout,
        snapshot_count: cfg.snapshot_count,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| start(format!("cannot start the runtime: {e}")))?;
    // Bind before touching the data dir's state, so a taken port changes nothing.
    let (client_listeners, peer_listeners) = runtime
        .block_on(async {
            let c = super::http::bind_all(&cfg.listen_client_urls).await?;
            let p = super::http::bind_all(&cfg.listen_peer_urls).await?;
            Ok::<_, String>((c, p))
        })
        .map_err(start)?;

    let reporter: crate::raft::transport::Reporter = Default::default();
    let handle = runtime.handle().clone();
    let rep = reporter.clone();
    let (node, shared, last_index) = raft::boot(&boot, move |me, cluster| {
        let peers =
            cluster.members.values().filter(|m| m.id != me).map(|m| (m.id, m.peer_urls.clone())).collect();
        Box::new(HttpTransport::new(me, cluster.id, handle, peers, rep))
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
        initial_cluster_token: cfg.initial_cluster_token.clone(),
        client: hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(hyper_util::client::legacy::connect::HttpConnector::new()),
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
    client_listeners: Vec<tokio::net::TcpListener>,
    peer_listeners: Vec<tokio::net::TcpListener>,
    last_index: u64,
) -> Result<Ended, Error> {
    let shared = api.shared.clone();
    let signals = async {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    let up = async {
        // Peers first: a restarted member learns its leader (and catches up) through them.
        for l in peer_listeners {
            if let Ok(a) = l.local_addr() {
                log::info!("listening for peers on http://{a}");
            }
            let api = api.clone();
            tokio::spawn(super::http::serve(l, move |req| super::peer_route(api.clone(), req)));
        }
        // Like etcd, serve clients only once this member's client URLs are in the cluster's
        // membership (so clients that sync the member list find it) and it has caught up.
        publish(&shared, cfg.name.clone(), cfg.advertise_client_urls.clone()).await;
        wait_caught_up(&shared, last_index, 3 * cfg.election_timeout).await;
        for l in client_listeners {
            if let Ok(a) = l.local_addr() {
                log::info!("serving clients on http://{a}");
            }
            let api = api.clone();
            tokio::spawn(super::http::serve(l, move |req| super::route(api.clone(), req)));
        }
        tokio::spawn(trim_memory_now_and_then());
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = signals => {
            log::info!("stopping");
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
