//! The cluster agent's flags (fleet.conf's names, each with its `FLEET_*` variable) and how a
//! program runs it beside a supervisor: `unit-run daemon --endpoints …` (in the daemon's own
//! process) and `unit-sched daemon` (attached to a running `unit-run daemon` through its
//! socket, with the engine, as fleetd ran both halves).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::agent::Handle;
use crate::client::{Client, Config as ClientConfig};
use crate::sched::agent::{Agent, Config};
use crate::sched::keys::{DEFAULT_PREFIX, Keys};
use crate::sched::registry::Registry;

/// The port an agent serves status and journal on, unless told otherwise (fleet's API socket
/// listened on 49153 in its reference setup).
pub const DEFAULT_AGENT_PORT: u16 = 49153;

/// `unit-run daemon`'s: where the store is, and the agent's own flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClusterFlags {
    /// Join the cluster whose store answers at these client URLs (comma-separated): register
    /// this machine and run what the scheduler places on it. Without it the daemon stays local.
    #[arg(long, env = "FLEET_ETCD_SERVERS", value_name = "URLS", help_heading = "Cluster")]
    pub endpoints: Option<String>,
    /// Where the scheduler's keys live in the store.
    #[arg(long, env = "FLEET_ETCD_KEY_PREFIX", default_value = DEFAULT_PREFIX, value_name = "PREFIX", help_heading = "Cluster")]
    pub key_prefix: String,
    #[command(flatten)]
    pub tls: crate::cli::security::TlsFlags,
    #[command(flatten)]
    pub agent: AgentFlags,
}

/// The agent's flags (fleet.conf's settings).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AgentFlags {
    /// The address listings show for this machine, and where the agent's HTTP port listens
    /// [default: the first non-loopback address].
    #[arg(long, env = "FLEET_PUBLIC_IP", value_name = "IP", help_heading = "Cluster")]
    pub public_ip: Option<String>,
    /// This machine's metadata for MachineMetadata= (`k=v,k2=v2`).
    #[arg(long, env = "FLEET_METADATA", value_name = "K=V,...", help_heading = "Cluster")]
    pub metadata: Option<String>,
    /// How long this machine's record (and its units' states) outlive the agent's last renewal.
    #[arg(
        long,
        env = "FLEET_AGENT_TTL",
        default_value = "30s",
        value_name = "DURATION",
        help_heading = "Cluster"
    )]
    pub agent_ttl: String,
    /// Where the agent serves its units' status and journal [default: PUBLIC_IP:49153].
    #[arg(long, env = "FLEET_AGENT_ADDR", value_name = "IP:PORT", help_heading = "Cluster")]
    pub agent_addr: Option<String>,
    /// Seconds a single request to the store may take.
    #[arg(
        long,
        env = "FLEET_ETCD_REQUEST_TIMEOUT",
        default_value_t = 1.0,
        value_name = "SECONDS",
        help_heading = "Cluster"
    )]
    pub etcd_request_timeout: f64,
    /// Serve the agent's port over HTTPS with this certificate (PEM; reloaded when it changes).
    #[arg(long, env = "FLEET_AGENT_CERT_FILE", value_name = "FILE", help_heading = "Cluster")]
    pub agent_cert_file: Option<PathBuf>,
    /// The key of --agent-cert-file.
    #[arg(long, env = "FLEET_AGENT_KEY_FILE", value_name = "FILE", help_heading = "Cluster")]
    pub agent_key_file: Option<PathBuf>,
    /// Serve only clients (unit-sched) whose certificate this CA signed.
    #[arg(long, env = "FLEET_AGENT_TRUSTED_CA_FILE", value_name = "FILE", help_heading = "Cluster")]
    pub agent_trusted_ca_file: Option<PathBuf>,
}

/// Flags checked and turned into what the agent needs.
pub struct Checked {
    pub endpoints: Vec<String>,
    pub ttl: Duration,
    pub public_ip: String,
    pub metadata: BTreeMap<String, String>,
    pub agent_addr: SocketAddr,
    pub keys: Keys,
    pub timeout: Duration,
    /// TLS toward the store.
    pub tls: crate::tls::ClientTls,
    /// TLS on the agent's port (client certificates required with a trusted CA).
    pub agent_tls: Option<crate::tls::ServerTls>,
}

/// fleet's `metadata` format: `k=v,k2=v2`.
pub fn parse_metadata(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .filter(|(k, v)| !k.is_empty() && !v.is_empty() && !v.contains('='))
            .ok_or_else(|| format!("--metadata: {pair:?} is not key=value"))?;
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

impl ClusterFlags {
    /// Checks every flag (nothing is started when one is wrong); None without `--endpoints`.
    pub fn check(&self) -> Result<Option<Checked>, String> {
        let Some(eps) = self.endpoints.as_deref().filter(|e| !e.is_empty()) else { return Ok(None) };
        // fleet.conf wrote the list as `["http://a:2379","http://b:2379"]`.
        let eps = eps.trim_matches(|c| c == '[' || c == ']').replace('"', "");
        let endpoints = crate::client::endpoints::parse(&eps).map_err(|e| format!("--endpoints: {e}"))?;
        let tls = self.tls.load(&crate::cli::security::FLEET_ENV)?;
        self.agent.check(endpoints, Keys::new(&self.key_prefix), tls).map(Some)
    }
}

impl AgentFlags {
    /// Checks the agent's flags for a store at `endpoints`.
    pub fn check(
        &self,
        endpoints: Vec<String>,
        keys: Keys,
        tls: crate::tls::ClientTls,
    ) -> Result<Checked, String> {
        let ttl = super::kv::parse_duration(&self.agent_ttl).map_err(|e| format!("--agent-ttl: {e}"))?;
        if ttl < Duration::from_secs(3) {
            return Err("--agent-ttl must be at least 3s".into());
        }
        let public_ip = match &self.public_ip {
            Some(ip) => {
                ip.parse::<std::net::IpAddr>()
                    .map_err(|_| format!("--public-ip: {ip:?} is not an IP address"))?;
                ip.clone()
            }
            None => crate::agent::machine::addresses()
                .into_iter()
                .find(|a| a.parse::<std::net::Ipv4Addr>().is_ok_and(|v| !v.is_loopback()))
                .unwrap_or_else(|| "127.0.0.1".into()),
        };
        let metadata = parse_metadata(self.metadata.as_deref().unwrap_or(""))?;
        let agent_addr = match &self.agent_addr {
            Some(a) => a.parse::<SocketAddr>().map_err(|_| format!("--agent-addr: {a:?} is not IP:PORT"))?,
            None => format!("{public_ip}:{DEFAULT_AGENT_PORT}")
                .parse::<SocketAddr>()
                .or_else(|_| format!("[{public_ip}]:{DEFAULT_AGENT_PORT}").parse())
                .map_err(|_| format!("--public-ip {public_ip} makes no agent address"))?,
        };
        if !(self.etcd_request_timeout > 0.0 && self.etcd_request_timeout.is_finite()) {
            return Err("--etcd-request-timeout must be a positive number of seconds".into());
        }
        let agent_tls = crate::cli::security::server_tls(
            self.agent_cert_file.as_deref(),
            self.agent_key_file.as_deref(),
            self.agent_trusted_ca_file.as_deref(),
            self.agent_trusted_ca_file.is_some(),
            ["--agent-cert-file", "--agent-key-file", "--agent-trusted-ca-file"],
        )?;
        Ok(Checked {
            endpoints,
            ttl,
            public_ip,
            metadata,
            agent_addr,
            keys,
            timeout: Duration::from_secs_f64(self.etcd_request_timeout),
            tls,
            agent_tls,
        })
    }
}

impl Checked {
    pub fn registry(&self) -> Arc<Registry> {
        let client = Client::new(ClientConfig {
            request_timeout: self.timeout,
            tls: self.tls.clone(),
            ..ClientConfig::new(self.endpoints.clone())
        });
        Arc::new(Registry::new(client, self.keys.clone()))
    }
}

/// Starts the agent on `handle`'s machine and its HTTP port.
pub fn start(
    c: &Checked,
    handle: Handle,
    machine_id: &str,
    state_dir: Option<PathBuf>,
) -> Result<Agent, String> {
    let served = crate::sched::agent::http::Served::default();
    let bound =
        crate::sched::agent::http::spawn(c.agent_addr, handle.clone(), served.clone(), c.agent_tls.clone())
            .map_err(|e| format!("cannot serve the agent's HTTP port on {}: {e}", c.agent_addr))?;
    let scheme = if c.agent_tls.is_some() { "https" } else { "http" };
    let cfg = Config {
        machine_id: machine_id.to_string(),
        hostname: crate::os::host::hostname(),
        public_ip: c.public_ip.clone(),
        metadata: c.metadata.clone(),
        agent_url: format!("{scheme}://{bound}"),
        ttl: c.ttl,
        interval: Duration::from_secs(5),
        state_dir,
    };
    let agent = Agent::start_with(c.registry(), Arc::new(handle), cfg, served)
        .map_err(|e| format!("cannot start the cluster agent: {e}"))?;
    log::info!(
        "machine {machine_id} ({}) joins the cluster at {}; status and journal on {scheme}://{bound}",
        c.public_ip,
        c.endpoints.join(",")
    );
    Ok(agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_like_fleet_conf() {
        let m = parse_metadata("region=us-west,disk=ssd").unwrap();
        assert_eq!(m["region"], "us-west");
        assert_eq!(m["disk"], "ssd");
        assert!(parse_metadata("region").is_err());
        assert!(parse_metadata("").unwrap().is_empty());
    }

    #[test]
    fn flags_are_checked_before_anything_starts() {
        let mut f = ClusterFlags {
            endpoints: Some("http://127.0.0.1:2379".into()),
            key_prefix: DEFAULT_PREFIX.into(),
            tls: Default::default(),
            agent: AgentFlags {
                agent_ttl: "30s".into(),
                etcd_request_timeout: 1.0,
                public_ip: Some("127.0.0.31".into()),
                ..Default::default()
            },
        };
        let c = f.check().unwrap().unwrap();
        assert_eq!(c.agent_addr.to_string(), "127.0.0.31:49153");
        assert_eq!(c.ttl, Duration::from_secs(30));
        f.agent.agent_ttl = "1s".into();
        assert!(f.check().is_err());
        f.agent.agent_ttl = "30s".into();
        f.agent.public_ip = Some("nope".into());
        assert!(f.check().is_err());
        f.endpoints = None;
        assert!(f.check().unwrap().is_none());
    }
}
