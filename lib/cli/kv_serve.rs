//! `kv-serve`: flags (etcd 2's names and `ETCD_*` variables) and the startup sequence.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::api::serve;
pub use crate::api::serve::Ended;
use crate::raft::membership::check_url;

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

    /// Origins whose browser pages may use the client API (CORS), comma separated, each
    /// `scheme://host:port`; `*` or empty: any. Preflight `OPTIONS` requests are answered 200.
    #[arg(long, env = "ETCD_CORS", value_name = "ORIGINS", default_value = "*", help_heading = "Member")]
    pub cors: String,

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

    /// Discovery URL used to bootstrap the cluster instead of --initial-cluster: a `disco new`
    /// token URL (http://HOST/TOKEN), or a store directory (http://STORE/v2/keys/DIR/ID).
    #[arg(long, env = "ETCD_DISCOVERY", value_name = "URL", help_heading = "Clustering")]
    pub discovery: Option<String>,

    /// DNS SRV domain used to bootstrap the cluster (not supported).
    #[arg(long, env = "ETCD_DISCOVERY_SRV", value_name = "DOMAIN", hide = true)]
    pub discovery_srv: Option<String>,

    /// What to do when the discovery token's cluster is already full: `exit`, or run as a
    /// `proxy` to it.
    #[arg(long, env = "ETCD_DISCOVERY_FALLBACK", default_value = "proxy", value_parser = ["exit", "proxy"], help_heading = "Clustering")]
    pub discovery_fallback: String,

    /// HTTP proxy (http://HOST:PORT, CONNECT) to reach the discovery service through.
    #[arg(long, env = "ETCD_DISCOVERY_PROXY", value_name = "URL", help_heading = "Clustering")]
    pub discovery_proxy: Option<String>,

    /// Check an https:// discovery service's certificate against this CA bundle (default: the
    /// Mozilla roots, as for a public service).
    #[arg(long, env = "ETCD_DISCOVERY_CA_FILE", value_name = "FILE", help_heading = "Security")]
    pub discovery_ca_file: Option<String>,
    /// Show this certificate to a discovery service that asks for one (`disco serve
    /// --server-trusted-ca-file`).
    #[arg(long, env = "ETCD_DISCOVERY_CERT_FILE", value_name = "FILE", help_heading = "Security")]
    pub discovery_cert_file: Option<String>,
    /// The key of --discovery-cert-file.
    #[arg(long, env = "ETCD_DISCOVERY_KEY_FILE", value_name = "FILE", help_heading = "Security")]
    pub discovery_key_file: Option<String>,

    /// Reject reconfiguration requests that would cause quorum loss.
    #[arg(long, env = "ETCD_STRICT_RECONFIG_CHECK", hide = true)]
    pub strict_reconfig_check: bool,

    /// `on`: run as a proxy that passes client requests to the cluster's members instead of as a
    /// member; `readonly`: a proxy that passes GETs only; `off`: a member.
    #[arg(long, env = "ETCD_PROXY", default_value = "off", value_parser = ["off", "readonly", "on"], help_heading = "Proxy")]
    pub proxy: String,

    /// Milliseconds an endpoint that failed is left alone.
    #[arg(
        long,
        env = "ETCD_PROXY_FAILURE_WAIT",
        default_value_t = 5000,
        value_name = "MS",
        help_heading = "Proxy"
    )]
    pub proxy_failure_wait: u64,

    /// Milliseconds between two refreshes of the members' client URLs.
    #[arg(
        long,
        env = "ETCD_PROXY_REFRESH_INTERVAL",
        default_value_t = 30000,
        value_name = "MS",
        help_heading = "Proxy"
    )]
    pub proxy_refresh_interval: u64,

    /// Milliseconds to connect to a member.
    #[arg(
        long,
        env = "ETCD_PROXY_DIAL_TIMEOUT",
        default_value_t = 1000,
        value_name = "MS",
        help_heading = "Proxy"
    )]
    pub proxy_dial_timeout: u64,

    /// Milliseconds for a member to take a request and answer its headers (watches excepted).
    #[arg(
        long,
        env = "ETCD_PROXY_WRITE_TIMEOUT",
        default_value_t = 5000,
        value_name = "MS",
        help_heading = "Proxy"
    )]
    pub proxy_write_timeout: u64,

    /// Milliseconds a member's answer may pause, headers included (0: no limit).
    #[arg(
        long,
        env = "ETCD_PROXY_READ_TIMEOUT",
        default_value_t = 0,
        value_name = "MS",
        help_heading = "Proxy"
    )]
    pub proxy_read_timeout: u64,

    /// The certificate served on https:// client URLs (PEM; reloaded when the file changes).
    #[arg(long, env = "ETCD_CERT_FILE", value_name = "FILE", help_heading = "Security")]
    pub cert_file: Option<String>,
    /// The key of --cert-file (PEM).
    #[arg(long, env = "ETCD_KEY_FILE", value_name = "FILE", help_heading = "Security")]
    pub key_file: Option<String>,
    /// Refuse clients without a certificate signed by --trusted-ca-file.
    #[arg(long, env = "ETCD_CLIENT_CERT_AUTH", help_heading = "Security")]
    pub client_cert_auth: bool,
    /// The CA client certificates are checked against.
    #[arg(long, env = "ETCD_TRUSTED_CA_FILE", value_name = "FILE", help_heading = "Security")]
    pub trusted_ca_file: Option<String>,
    /// etcd 2's spelling: --trusted-ca-file and --client-cert-auth in one.
    #[arg(long, env = "ETCD_CA_FILE", value_name = "FILE", help_heading = "Security")]
    pub ca_file: Option<String>,
    /// Serve https:// client URLs with a self-signed certificate (made in DATA_DIR/fixtures/client).
    #[arg(long, env = "ETCD_AUTO_TLS", help_heading = "Security")]
    pub auto_tls: bool,
    /// The certificate served on https:// peer URLs, and presented to peers.
    #[arg(long, env = "ETCD_PEER_CERT_FILE", value_name = "FILE", help_heading = "Security")]
    pub peer_cert_file: Option<String>,
    /// The key of --peer-cert-file.
    #[arg(long, env = "ETCD_PEER_KEY_FILE", value_name = "FILE", help_heading = "Security")]
    pub peer_key_file: Option<String>,
    /// Refuse peers without a certificate signed by --peer-trusted-ca-file.
    #[arg(long, env = "ETCD_PEER_CLIENT_CERT_AUTH", help_heading = "Security")]
    pub peer_client_cert_auth: bool,
    /// The CA peers' certificates (as servers and as clients) are checked against.
    #[arg(long, env = "ETCD_PEER_TRUSTED_CA_FILE", value_name = "FILE", help_heading = "Security")]
    pub peer_trusted_ca_file: Option<String>,
    /// etcd 2's spelling: --peer-trusted-ca-file and --peer-client-cert-auth in one.
    #[arg(long, env = "ETCD_PEER_CA_FILE", value_name = "FILE", help_heading = "Security")]
    pub peer_ca_file: Option<String>,
    /// Serve https:// peer URLs with a self-signed certificate (DATA_DIR/fixtures/peer); peers'
    /// certificates are then not checked.
    #[arg(long, env = "ETCD_PEER_AUTO_TLS", help_heading = "Security")]
    pub peer_auto_tls: bool,

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
    pub security: serve::Security,
}

/// Checks every flag before anything is created on disk or bound.
pub fn validate(args: Args) -> Result<Config, String> {
    let mut errors = Vec::new();
    let unsupported = [
        (
            args.wal_dir.is_some(),
            "--wal-dir: the log lives in --data-dir; a separate WAL directory is not supported",
        ),
        (args.discovery_srv.as_deref().is_some_and(|d| !d.is_empty()), "--discovery-srv is not supported"),
        (args.force_new_cluster, "--force-new-cluster is not supported yet"),
    ];
    for (bad, msg) in unsupported {
        if bad {
            errors.push(msg.to_string());
        }
    }
    if let Err(e) = crate::api::cors::Cors::parse(&args.cors) {
        errors.push(format!("invalid value {:?} for flag --cors: {e}", args.cors));
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
    let discovery = args.discovery.as_deref().filter(|d| !d.is_empty());
    if discovery.is_some() && args.initial_cluster.as_deref().is_some_and(|c| !c.is_empty()) {
        errors.push(
            "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\""
                .into(),
        );
    }
    if let Some(d) = discovery
        && let Err(e) = crate::discovery::token::DiscoveryUrl::parse(d)
    {
        errors.push(format!("--discovery: {e}"));
    }
    if let Some(p) = args.discovery_proxy.as_deref().filter(|p| !p.is_empty())
        && let Err(e) = crate::client::check_proxy(p)
    {
        errors.push(format!("--discovery-proxy: {e}"));
    }
    if args.proxy_dial_timeout == 0 || args.proxy_write_timeout == 0 || args.proxy_refresh_interval == 0 {
        errors.push(
            "--proxy-dial-timeout, --proxy-write-timeout and --proxy-refresh-interval must be at least 1 ms"
                .into(),
        );
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
    let security = security(&args, &data_dir).map_err(|e| e.join("\n"))?;
    Ok(Config { args, data_dir, initial_cluster, security })
}

fn given(f: &Option<String>) -> Option<&str> {
    f.as_deref().filter(|v| !v.is_empty())
}

fn hosts(urls: &[String]) -> Vec<String> {
    urls.iter()
        .filter_map(|u| {
            let hp = u.split_once("://")?.1.trim_end_matches('/');
            let host = hp.rsplit_once(':').map_or(hp, |(h, _)| h);
            Some(host.trim_matches(|c| c == '[' || c == ']').to_string())
        })
        .collect()
}

/// One side's (client or peer) TLS flags, as etcd reads them.
struct Side<'a> {
    urls: &'a [String],
    url_flag: &'static str,
    cert: Option<&'a str>,
    key: Option<&'a str>,
    trusted_ca: Option<&'a str>,
    ca: Option<&'a str>,
    cert_auth: bool,
    auto: bool,
    flags: [&'static str; 5],
    fixtures: &'static str,
}

impl Side<'_> {
    fn https(&self) -> bool {
        self.urls.iter().any(|u| crate::api::http::is_https(u))
    }

    fn trusted(&self) -> Option<(&'static str, &str)> {
        match (self.trusted_ca, self.ca) {
            (Some(t), _) => Some((self.flags[2], t)),
            (None, Some(c)) => Some((self.flags[3], c)),
            (None, None) => None,
        }
    }

    /// The server side, when some listen URL is https.
    fn server(&self, data_dir: &std::path::Path) -> Result<Option<crate::tls::ServerTls>, String> {
        use crate::tls::files::Named;
        let [cert_flag, key_flag, ..] = self.flags;
        let files = match (self.cert, self.key) {
            (Some(c), Some(k)) => crate::tls::ServerFiles {
                cert: Named::new(cert_flag, c),
                key: Named::new(key_flag, k),
                trusted_ca: self.trusted().map(|(f, p)| Named::new(f, p)),
                client_cert_auth: self.cert_auth || self.ca.is_some(),
            },
            (Some(_), None) => return Err(format!("{cert_flag} is given without {key_flag}")),
            (None, Some(_)) => return Err(format!("{key_flag} is given without {cert_flag}")),
            (None, None) if self.https() && self.auto => {
                if self.cert_auth {
                    log::warn!("{}: ignored with self-signed certificates", self.flags[4]);
                }
                crate::tls::auto::self_signed(&data_dir.join(self.fixtures), &hosts(self.urls), self.flags[4])
                    .map_err(|e| e.to_string())?
            }
            (None, None) if self.https() => {
                let u = self.urls.iter().find(|u| crate::api::http::is_https(u)).cloned().unwrap_or_default();
                return Err(format!(
                    "TLS key/cert ({cert_flag}, {key_flag}) must be provided for {} {u} with HTTPS scheme",
                    self.url_flag
                ));
            }
            (None, None) => return Ok(None),
        };
        if !self.https() {
            log::warn!("{}: no https:// URL to serve {cert_flag} on", self.url_flag);
            return Ok(None);
        }
        crate::tls::ServerTls::load(&files).map(Some).map_err(|e| e.to_string())
    }
}

/// Reads and checks every TLS file (making self-signed ones first when asked to).
fn security(a: &Args, data_dir: &std::path::Path) -> Result<serve::Security, Vec<String>> {
    let client = Side {
        urls: &a.listen_client_urls,
        url_flag: "--listen-client-urls",
        cert: given(&a.cert_file),
        key: given(&a.key_file),
        trusted_ca: given(&a.trusted_ca_file),
        ca: given(&a.ca_file),
        cert_auth: a.client_cert_auth,
        auto: a.auto_tls,
        flags: ["--cert-file", "--key-file", "--trusted-ca-file", "--ca-file", "--auto-tls"],
        fixtures: "fixtures/client",
    };
    let peer = Side {
        urls: &a.listen_peer_urls,
        url_flag: "--listen-peer-urls",
        cert: given(&a.peer_cert_file),
        key: given(&a.peer_key_file),
        trusted_ca: given(&a.peer_trusted_ca_file),
        ca: given(&a.peer_ca_file),
        cert_auth: a.peer_client_cert_auth,
        auto: a.peer_auto_tls,
        flags: [
            "--peer-cert-file",
            "--peer-key-file",
            "--peer-trusted-ca-file",
            "--peer-ca-file",
            "--peer-auto-tls",
        ],
        fixtures: "fixtures/peer",
    };
    let mut errors = Vec::new();
    let mut server = |side: &Side| side.server(data_dir).map_err(|e| errors.push(e)).ok().flatten();
    let (client_tls, peer_tls) = (server(&client), server(&peer));
    use crate::tls::files::Named;
    let peer_client = crate::tls::ClientFiles {
        ca: peer.trusted().map(|(f, p)| Named::new(f, p)),
        cert: peer.cert.map(|c| Named::new("--peer-cert-file", c)),
        key: peer.key.map(|k| Named::new("--peer-key-file", k)),
        insecure_skip_verify: a.peer_auto_tls && peer.cert.is_none(),
    };
    let peer_client = crate::tls::ClientTls::load(&peer_client).map_err(|e| errors.push(e.to_string())).ok();
    let discovery_client = crate::tls::ClientFiles {
        ca: given(&a.discovery_ca_file).map(|p| Named::new("--discovery-ca-file", p)),
        cert: given(&a.discovery_cert_file).map(|p| Named::new("--discovery-cert-file", p)),
        key: given(&a.discovery_key_file).map(|p| Named::new("--discovery-key-file", p)),
        insecure_skip_verify: false,
    };
    let discovery_client =
        crate::tls::ClientTls::load(&discovery_client).map_err(|e| errors.push(e.to_string())).ok();
    match (peer_client, discovery_client) {
        (Some(peer_client), Some(discovery_client)) if errors.is_empty() => {
            Ok(serve::Security { client: client_tls, peer: peer_tls, peer_client, discovery_client })
        }
        _ => Err(errors),
    }
}

/// Runs the member (see [`crate::api::serve`]) and says how it ended.
pub fn run(cfg: Config) -> Result<Ended, serve::Error> {
    let a = cfg.args;
    super::raise_fd_limit();
    // glibc gives every thread that allocates an arena of its own; with the Raft, applier and
    // HTTP threads freeing each other's buffers, that doubled the RSS after a write load.
    // Two arenas cost no measurable throughput (bench/kv-serve-vs-etcd.sh).
    // SAFETY: mallopt only tunes the allocator; called before the member starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    serve::run(serve::Config {
        name: a.name,
        data_dir: cfg.data_dir,
        listen_client_urls: a.listen_client_urls,
        listen_peer_urls: a.listen_peer_urls,
        advertise_client_urls: a.advertise_client_urls,
        initial_advertise_peer_urls: a.initial_advertise_peer_urls,
        initial_cluster: cfg.initial_cluster,
        join_existing: a.initial_cluster_state == "existing",
        initial_cluster_token: a.initial_cluster_token,
        heartbeat: Duration::from_millis(a.heartbeat_interval),
        election_timeout: Duration::from_millis(a.election_timeout),
        snapshot_count: a.snapshot_count,
        cors: crate::api::cors::Cors::parse(&a.cors).expect("checked by validate"),
        discovery: a.discovery.filter(|d| !d.is_empty()).map(|d| serve::Discovery {
            url: crate::discovery::token::DiscoveryUrl::parse(&d).expect("checked by validate"),
            fallback_proxy: a.discovery_fallback == "proxy",
            http_proxy: a.discovery_proxy.filter(|p| !p.is_empty()),
        }),
        proxy: match a.proxy.as_str() {
            "on" => serve::ProxyMode::On,
            "readonly" => serve::ProxyMode::Readonly,
            _ => serve::ProxyMode::Off,
        },
        proxy_timeouts: serve::ProxyTimeouts {
            failure_wait: Duration::from_millis(a.proxy_failure_wait),
            refresh_interval: Duration::from_millis(a.proxy_refresh_interval),
            dial: Duration::from_millis(a.proxy_dial_timeout),
            write: Duration::from_millis(a.proxy_write_timeout),
            read: Duration::from_millis(a.proxy_read_timeout),
        },
        security: cfg.security,
    })
}
