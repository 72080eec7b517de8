//! The cloud-config's keys: every section and field coreos-cloudinit v1.14 knows, its type,
//! the check its value must pass, its deprecation, and for the `coreos.*` sections the
//! environment name it becomes. Validation walks the YAML against these tables; the man page
//! lists them.
//!
//! Keys are compared with `-` read as `_` (coreos-cloudinit rewrote every `-` in a key).

/// A field's type, named as coreos-cloudinit's validator names it ("want []string").
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Str,
    Int,
    Float,
    Bool,
    StrList,
    Struct(&'static Section),
    List(&'static Section),
}

impl Kind {
    pub fn human(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int => "int",
            Kind::Float => "float64",
            Kind::Bool => "bool",
            Kind::StrList => "[]string",
            Kind::Struct(_) => "struct",
            Kind::List(_) => "[]struct",
        }
    }
}

/// A value check beyond the type (coreos-cloudinit's `valid:` regexes, and corekit's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// `^0?[0-7]{3,4}$`
    Permissions,
    /// `[Day ]HH:MM`
    WindowStart,
    /// A Go duration (`1h30m`).
    WindowLength,
    /// A comma-separated list of URLs (etcd's `*_urls`).
    Urls,
    /// One URL.
    Url,
    /// `NAME=URL,…`
    InitialCluster,
    /// An absolute path.
    AbsPath,
    /// `user`, `user:group`, `uid:gid`.
    Owner,
}

#[derive(Debug)]
pub struct Field {
    /// The key as written in the documentation (with `_`).
    pub name: &'static str,
    pub kind: Kind,
    pub check: Option<Check>,
    pub deprecated: Option<&'static str>,
    /// The environment variable a `coreos.*` field becomes.
    pub env: Option<&'static str>,
}

#[derive(Debug)]
pub struct Section {
    /// The section's path, for messages and the man page (`coreos.etcd2`).
    pub path: &'static str,
    pub fields: &'static [Field],
}

impl Section {
    /// The field a (normalized) key names.
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        let k = normalize(key);
        self.fields.iter().find(|f| f.name == k)
    }
}

/// `advertise-client-urls` → `advertise_client_urls`.
pub fn normalize(key: &str) -> String {
    key.replace('-', "_")
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, check: None, deprecated: None, env: None }
}
const fn fc(name: &'static str, kind: Kind, check: Check) -> Field {
    Field { name, kind, check: Some(check), deprecated: None, env: None }
}
const fn fd(name: &'static str, kind: Kind, why: &'static str) -> Field {
    Field { name, kind, check: None, deprecated: Some(why), env: None }
}
const fn e(name: &'static str, kind: Kind, env: &'static str) -> Field {
    Field { name, kind, check: None, deprecated: None, env: Some(env) }
}
const fn ec(name: &'static str, kind: Kind, env: &'static str, check: Check) -> Field {
    Field { name, kind, check: Some(check), deprecated: None, env: Some(env) }
}
const fn ed(name: &'static str, kind: Kind, env: &'static str, why: &'static str) -> Field {
    Field { name, kind, check: None, deprecated: Some(why), env: Some(env) }
}

use Kind::*;

pub const COMMANDS: &[&str] =
    &["start", "stop", "restart", "reload", "try-restart", "reload-or-restart", "reload-or-try-restart"];
pub const ENCODINGS: &[&str] =
    &["base64", "b64", "gz", "gzip", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64"];

const REMOTE: &str = "trying to fetch from a remote endpoint introduces too many intermittent errors";
const ETCD2_IN_ETCD: &str = "etcd2 options no longer work for etcd";

pub static ROOT: Section = Section {
    path: "",
    fields: &[
        f("ssh_authorized_keys", StrList),
        f("coreos", Struct(&COREOS)),
        f("write_files", List(&FILE)),
        f("hostname", Str),
        f("users", List(&USER)),
        fc("manage_etc_hosts", Str, Check::OneOf(&["localhost"])),
    ],
};

pub static COREOS: Section = Section {
    path: "coreos",
    fields: &[
        fd("etcd", Struct(&ETCD), "etcd 0.4 is not part of corekit; use etcd2, which configures kv-serve"),
        f("etcd2", Struct(&ETCD2)),
        f("flannel", Struct(&FLANNEL)),
        f("fleet", Struct(&FLEET)),
        f("locksmith", Struct(&LOCKSMITH)),
        f("oem", Struct(&OEM)),
        f("update", Struct(&UPDATE)),
        f("units", List(&UNIT)),
    ],
};

pub static FILE: Section = Section {
    path: "write_files[]",
    fields: &[
        fc("encoding", Str, Check::OneOf(ENCODINGS)),
        f("content", Str),
        fc("owner", Str, Check::Owner),
        fc("path", Str, Check::AbsPath),
        fc("permissions", Str, Check::Permissions),
    ],
};

pub static USER: Section = Section {
    path: "users[]",
    fields: &[
        f("name", Str),
        f("passwd", Str),
        f("ssh_authorized_keys", StrList),
        fd("coreos_ssh_import_github", Str, REMOTE),
        fd("coreos_ssh_import_github_users", StrList, REMOTE),
        fd("coreos_ssh_import_url", Str, REMOTE),
        f("gecos", Str),
        f("homedir", Str),
        f("no_create_home", Bool),
        f("primary_group", Str),
        f("groups", StrList),
        f("no_user_group", Bool),
        f("system", Bool),
        f("no_log_init", Bool),
        f("shell", Str),
    ],
};

pub static UNIT: Section = Section {
    path: "coreos.units[]",
    fields: &[
        f("name", Str),
        f("mask", Bool),
        f("enable", Bool),
        f("runtime", Bool),
        f("content", Str),
        fc("command", Str, Check::OneOf(COMMANDS)),
        f("drop_ins", List(&DROP_IN)),
    ],
};

pub static DROP_IN: Section =
    Section { path: "coreos.units[].drop_ins[]", fields: &[f("name", Str), f("content", Str)] };

pub static ETCD2: Section = Section {
    path: "coreos.etcd2",
    fields: &[
        ec("advertise_client_urls", Str, "ETCD_ADVERTISE_CLIENT_URLS", Check::Urls),
        ed("ca_file", Str, "ETCD_CA_FILE", "ca_file obsoleted by trusted_ca_file and client_cert_auth"),
        e("cert_file", Str, "ETCD_CERT_FILE"),
        e("client_cert_auth", Bool, "ETCD_CLIENT_CERT_AUTH"),
        e("cors", Str, "ETCD_CORS"),
        e("data_dir", Str, "ETCD_DATA_DIR"),
        e("debug", Bool, "ETCD_DEBUG"),
        ec("discovery", Str, "ETCD_DISCOVERY", Check::Url),
        ec("discovery_fallback", Str, "ETCD_DISCOVERY_FALLBACK", Check::OneOf(&["exit", "proxy"])),
        e("discovery_srv", Str, "ETCD_DISCOVERY_SRV"),
        ec("discovery_proxy", Str, "ETCD_DISCOVERY_PROXY", Check::Url),
        e("election_timeout", Int, "ETCD_ELECTION_TIMEOUT"),
        e("enable_pprof", Bool, "ETCD_ENABLE_PPROF"),
        e("force_new_cluster", Bool, "ETCD_FORCE_NEW_CLUSTER"),
        e("heartbeat_interval", Int, "ETCD_HEARTBEAT_INTERVAL"),
        ec("initial_advertise_peer_urls", Str, "ETCD_INITIAL_ADVERTISE_PEER_URLS", Check::Urls),
        ec("initial_cluster", Str, "ETCD_INITIAL_CLUSTER", Check::InitialCluster),
        ec("initial_cluster_state", Str, "ETCD_INITIAL_CLUSTER_STATE", Check::OneOf(&["new", "existing"])),
        e("initial_cluster_token", Str, "ETCD_INITIAL_CLUSTER_TOKEN"),
        e("key_file", Str, "ETCD_KEY_FILE"),
        ec("listen_client_urls", Str, "ETCD_LISTEN_CLIENT_URLS", Check::Urls),
        ec("listen_peer_urls", Str, "ETCD_LISTEN_PEER_URLS", Check::Urls),
        e("log_package_levels", Str, "ETCD_LOG_PACKAGE_LEVELS"),
        e("max_snapshots", Int, "ETCD_MAX_SNAPSHOTS"),
        e("max_wals", Int, "ETCD_MAX_WALS"),
        e("name", Str, "ETCD_NAME"),
        ed(
            "peer_ca_file",
            Str,
            "ETCD_PEER_CA_FILE",
            "peer_ca_file obsoleted peer_trusted_ca_file and peer_client_cert_auth",
        ),
        e("peer_cert_file", Str, "ETCD_PEER_CERT_FILE"),
        e("peer_key_file", Str, "ETCD_PEER_KEY_FILE"),
        e("peer_client_cert_auth", Bool, "ETCD_PEER_CLIENT_CERT_AUTH"),
        e("peer_trusted_ca_file", Str, "ETCD_PEER_TRUSTED_CA_FILE"),
        ec("proxy", Str, "ETCD_PROXY", Check::OneOf(&["on", "off", "readonly"])),
        e("proxy_dial_timeout", Int, "ETCD_PROXY_DIAL_TIMEOUT"),
        e("proxy_failure_wait", Int, "ETCD_PROXY_FAILURE_WAIT"),
        e("proxy_read_timeout", Int, "ETCD_PROXY_READ_TIMEOUT"),
        e("proxy_refresh_interval", Int, "ETCD_PROXY_REFRESH_INTERVAL"),
        e("proxy_write_timeout", Int, "ETCD_PROXY_WRITE_TIMEOUT"),
        e("snapshot_count", Int, "ETCD_SNAPSHOT_COUNT"),
        e("strict_reconfig_check", Bool, "ETCD_STRICT_RECONFIG_CHECK"),
        e("trusted_ca_file", Str, "ETCD_TRUSTED_CA_FILE"),
        e("wal_dir", Str, "ETCD_WAL_DIR"),
    ],
};

pub static ETCD: Section = Section {
    path: "coreos.etcd",
    fields: &[
        e("addr", Str, "ETCD_ADDR"),
        ed("advertise_client_urls", Str, "ETCD_ADVERTISE_CLIENT_URLS", ETCD2_IN_ETCD),
        e("bind_addr", Str, "ETCD_BIND_ADDR"),
        e("ca_file", Str, "ETCD_CA_FILE"),
        e("cert_file", Str, "ETCD_CERT_FILE"),
        e("cluster_active_size", Int, "ETCD_CLUSTER_ACTIVE_SIZE"),
        e("cluster_remove_delay", Float, "ETCD_CLUSTER_REMOVE_DELAY"),
        e("cluster_sync_interval", Float, "ETCD_CLUSTER_SYNC_INTERVAL"),
        e("cors", Str, "ETCD_CORS"),
        e("data_dir", Str, "ETCD_DATA_DIR"),
        ec("discovery", Str, "ETCD_DISCOVERY", Check::Url),
        ed("discovery_fallback", Str, "ETCD_DISCOVERY_FALLBACK", ETCD2_IN_ETCD),
        ed("discovery_srv", Str, "ETCD_DISCOVERY_SRV", ETCD2_IN_ETCD),
        ed("discovery_proxy", Str, "ETCD_DISCOVERY_PROXY", ETCD2_IN_ETCD),
        ed("election_timeout", Int, "ETCD_ELECTION_TIMEOUT", ETCD2_IN_ETCD),
        ed("force_new_cluster", Bool, "ETCD_FORCE_NEW_CLUSTER", ETCD2_IN_ETCD),
        e("graphite_host", Str, "ETCD_GRAPHITE_HOST"),
        ed("heartbeat_interval", Int, "ETCD_HEARTBEAT_INTERVAL", ETCD2_IN_ETCD),
        e("http_read_timeout", Float, "ETCD_HTTP_READ_TIMEOUT"),
        e("http_write_timeout", Float, "ETCD_HTTP_WRITE_TIMEOUT"),
        ed("initial_advertise_peer_urls", Str, "ETCD_INITIAL_ADVERTISE_PEER_URLS", ETCD2_IN_ETCD),
        ed("initial_cluster", Str, "ETCD_INITIAL_CLUSTER", ETCD2_IN_ETCD),
        ed("initial_cluster_state", Str, "ETCD_INITIAL_CLUSTER_STATE", ETCD2_IN_ETCD),
        ed("initial_cluster_token", Str, "ETCD_INITIAL_CLUSTER_TOKEN", ETCD2_IN_ETCD),
        e("key_file", Str, "ETCD_KEY_FILE"),
        ed("listen_client_urls", Str, "ETCD_LISTEN_CLIENT_URLS", ETCD2_IN_ETCD),
        ed("listen_peer_urls", Str, "ETCD_LISTEN_PEER_URLS", ETCD2_IN_ETCD),
        e("max_result_buffer", Int, "ETCD_MAX_RESULT_BUFFER"),
        e("max_retry_attempts", Int, "ETCD_MAX_RETRY_ATTEMPTS"),
        ed("max_snapshots", Int, "ETCD_MAX_SNAPSHOTS", ETCD2_IN_ETCD),
        ed("max_wals", Int, "ETCD_MAX_WALS", ETCD2_IN_ETCD),
        e("name", Str, "ETCD_NAME"),
        e("peer_addr", Str, "ETCD_PEER_ADDR"),
        e("peer_bind_addr", Str, "ETCD_PEER_BIND_ADDR"),
        e("peer_ca_file", Str, "ETCD_PEER_CA_FILE"),
        e("peer_cert_file", Str, "ETCD_PEER_CERT_FILE"),
        e("peer_election_timeout", Int, "ETCD_PEER_ELECTION_TIMEOUT"),
        e("peer_heartbeat_interval", Int, "ETCD_PEER_HEARTBEAT_INTERVAL"),
        e("peer_key_file", Str, "ETCD_PEER_KEY_FILE"),
        e("peers", Str, "ETCD_PEERS"),
        e("peers_file", Str, "ETCD_PEERS_FILE"),
        ed("proxy", Str, "ETCD_PROXY", ETCD2_IN_ETCD),
        e("retry_interval", Float, "ETCD_RETRY_INTERVAL"),
        e("snapshot", Bool, "ETCD_SNAPSHOT"),
        e("snapshot_count", Int, "ETCD_SNAPSHOTCOUNT"),
        e("trace", Str, "ETCD_TRACE"),
        e("verbose", Bool, "ETCD_VERBOSE"),
        e("very_verbose", Bool, "ETCD_VERY_VERBOSE"),
        e("very_very_verbose", Bool, "ETCD_VERY_VERY_VERBOSE"),
    ],
};

pub static FLEET: Section = Section {
    path: "coreos.fleet",
    fields: &[
        e("agent_ttl", Str, "FLEET_AGENT_TTL"),
        e("authorized_keys_file", Str, "FLEET_AUTHORIZED_KEYS_FILE"),
        e("disable_engine", Bool, "FLEET_DISABLE_ENGINE"),
        e("engine_reconcile_interval", Float, "FLEET_ENGINE_RECONCILE_INTERVAL"),
        e("etcd_cafile", Str, "FLEET_ETCD_CAFILE"),
        e("etcd_certfile", Str, "FLEET_ETCD_CERTFILE"),
        e("etcd_keyfile", Str, "FLEET_ETCD_KEYFILE"),
        e("etcd_key_prefix", Str, "FLEET_ETCD_KEY_PREFIX"),
        e("etcd_request_timeout", Float, "FLEET_ETCD_REQUEST_TIMEOUT"),
        ec("etcd_servers", Str, "FLEET_ETCD_SERVERS", Check::Urls),
        e("etcd_username", Str, "FLEET_ETCD_USERNAME"),
        e("etcd_password", Str, "FLEET_ETCD_PASSWORD"),
        e("metadata", Str, "FLEET_METADATA"),
        e("public_ip", Str, "FLEET_PUBLIC_IP"),
        e("token_limit", Int, "FLEET_TOKEN_LIMIT"),
        e("verbosity", Int, "FLEET_VERBOSITY"),
        e("verify_units", Bool, "FLEET_VERIFY_UNITS"),
    ],
};

pub static FLANNEL: Section = Section {
    path: "coreos.flannel",
    fields: &[
        e("etcd_endpoints", Str, "FLANNELD_ETCD_ENDPOINTS"),
        e("etcd_cafile", Str, "FLANNELD_ETCD_CAFILE"),
        e("etcd_certfile", Str, "FLANNELD_ETCD_CERTFILE"),
        e("etcd_keyfile", Str, "FLANNELD_ETCD_KEYFILE"),
        e("etcd_prefix", Str, "FLANNELD_ETCD_PREFIX"),
        e("etcd_username", Str, "FLANNELD_ETCD_USERNAME"),
        e("etcd_password", Str, "FLANNELD_ETCD_PASSWORD"),
        e("ip_masq", Str, "FLANNELD_IP_MASQ"),
        e("subnet_file", Str, "FLANNELD_SUBNET_FILE"),
        e("interface", Str, "FLANNELD_IFACE"),
        e("public_ip", Str, "FLANNELD_PUBLIC_IP"),
    ],
};

pub static LOCKSMITH: Section = Section {
    path: "coreos.locksmith",
    fields: &[
        e("endpoint", Str, "LOCKSMITHD_ENDPOINT"),
        e("etcd_cafile", Str, "LOCKSMITHD_ETCD_CAFILE"),
        e("etcd_certfile", Str, "LOCKSMITHD_ETCD_CERTFILE"),
        e("etcd_keyfile", Str, "LOCKSMITHD_ETCD_KEYFILE"),
        e("etcd_username", Str, "LOCKSMITHD_ETCD_USERNAME"),
        e("etcd_password", Str, "LOCKSMITHD_ETCD_PASSWORD"),
        e("group", Str, "LOCKSMITHD_GROUP"),
        ec("window_start", Str, "REBOOT_WINDOW_START", Check::WindowStart),
        ec("window_length", Str, "REBOOT_WINDOW_LENGTH", Check::WindowLength),
    ],
};

pub static UPDATE: Section = Section {
    path: "coreos.update",
    fields: &[
        ec("reboot_strategy", Str, "REBOOT_STRATEGY", Check::OneOf(&["etcd-lock", "reboot", "off"])),
        e("group", Str, "GROUP"),
        e("server", Str, "SERVER"),
    ],
};

pub static OEM: Section = Section {
    path: "coreos.oem",
    fields: &[
        e("id", Str, "ID"),
        e("name", Str, "NAME"),
        e("version_id", Str, "VERSION_ID"),
        e("home_url", Str, "HOME_URL"),
        e("bug_report_url", Str, "BUG_REPORT_URL"),
    ],
};

/// Every section, for the man page and for "this key belongs elsewhere" hints.
pub fn sections() -> [&'static Section; 13] {
    [
        &ROOT, &COREOS, &FILE, &USER, &UNIT, &DROP_IN, &ETCD2, &FLEET, &FLANNEL, &LOCKSMITH, &UPDATE, &OEM,
        &ETCD,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_with_dashes_or_underscores() {
        assert!(ETCD2.field("advertise-client-urls").is_some());
        assert!(ETCD2.field("advertise_client_urls").is_some());
        assert!(ETCD2.field("advertise_client_url").is_none());
        assert_eq!(ETCD.field("snapshot_count").unwrap().env, Some("ETCD_SNAPSHOTCOUNT"));
    }
}
