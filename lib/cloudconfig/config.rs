//! The cloud-config as typed values, read from a YAML tree that passed validation (keys with
//! `-` or `_`, the last of duplicate keys, YAML 1.1 booleans).

use super::schema::{self, Field, Kind, Section};
use super::yaml::{Mark, Node, Scalar};

#[derive(Clone, Debug, Default)]
pub struct CloudConfig {
    pub hostname: Option<String>,
    pub ssh_authorized_keys: Vec<String>,
    pub users: Vec<User>,
    pub write_files: Vec<WriteFile>,
    pub manage_etc_hosts: Option<String>,
    /// `coreos.etcd2`, `coreos.fleet`…: (field, value as text) in the section's field order.
    pub etcd2: Vec<(&'static Field, String)>,
    pub etcd: Vec<(&'static Field, String)>,
    pub fleet: Vec<(&'static Field, String)>,
    pub flannel: Vec<(&'static Field, String)>,
    pub locksmith: Vec<(&'static Field, String)>,
    pub update: Vec<(&'static Field, String)>,
    pub oem: Vec<(&'static Field, String)>,
    pub units: Vec<UnitSpec>,
    /// Which sections were given at all (an empty `etcd2:` still asks for the env file).
    pub has_etcd2: bool,
    pub has_fleet: bool,
}

#[derive(Clone, Debug, Default)]
pub struct User {
    pub name: String,
    pub passwd: Option<String>,
    pub ssh_authorized_keys: Vec<String>,
    pub gecos: Option<String>,
    pub homedir: Option<String>,
    pub no_create_home: bool,
    pub primary_group: Option<String>,
    pub groups: Vec<String>,
    pub no_user_group: bool,
    pub system: bool,
    pub no_log_init: bool,
    pub shell: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct WriteFile {
    pub path: String,
    /// As given (a `!!binary` scalar already base64-decoded); `encoding` still to apply.
    pub content: Vec<u8>,
    pub encoding: Option<String>,
    pub permissions: Option<String>,
    pub owner: Option<String>,
    pub mark: Mark,
}

#[derive(Clone, Debug, Default)]
pub struct UnitSpec {
    pub name: String,
    pub content: Option<String>,
    pub drop_ins: Vec<(String, String)>,
    pub command: Option<String>,
    pub enable: bool,
    pub mask: bool,
    pub runtime: bool,
    pub mark: Mark,
}

fn get<'n>(map: &'n Node, key: &str) -> Option<&'n Node> {
    map.entries()?
        .iter()
        .rev()
        .find(|e| e.key.text().is_some_and(|k| schema::normalize(k) == key))
        .map(|e| &e.value)
        .filter(|v| !v.is_null())
}

fn text(map: &Node, key: &str) -> Option<String> {
    get(map, key).and_then(|v| v.text()).map(str::to_string)
}

fn flag(map: &Node, key: &str) -> bool {
    get(map, key).and_then(|v| v.scalar()) == Some(Scalar::Bool(true))
}

fn list(map: &Node, key: &str) -> Vec<String> {
    get(map, key)
        .and_then(|v| v.items())
        .map(|items| items.iter().filter_map(|i| i.text().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn items<'n>(map: &'n Node, key: &str) -> Vec<&'n Node> {
    get(map, key)
        .and_then(|v| v.items())
        .map(|i| i.iter().filter(|n| n.entries().is_some()).collect())
        .unwrap_or_default()
}

/// A `coreos.*` section's scalar fields as text: booleans as `true`/`false`, integers in
/// decimal, everything else as written.
fn section(map: Option<&Node>, sec: &'static Section) -> Vec<(&'static Field, String)> {
    let Some(map) = map else { return Vec::new() };
    let mut out = Vec::new();
    for f in sec.fields {
        let Some(v) = get(map, f.name) else { continue };
        let value = match (f.kind, v.scalar()) {
            (Kind::Bool, Some(Scalar::Bool(b))) => b.to_string(),
            (Kind::Int, Some(Scalar::Int(i))) => i.to_string(),
            (_, Some(_)) => v.text().unwrap_or_default().to_string(),
            (_, None) => continue,
        };
        out.push((f, value));
    }
    out
}

impl CloudConfig {
    pub fn from_yaml(root: Option<&Node>) -> CloudConfig {
        let Some(root) = root.filter(|r| r.entries().is_some()) else { return CloudConfig::default() };
        let coreos = get(root, "coreos");
        let sub = |k: &str| coreos.and_then(|c| get(c, k));
        CloudConfig {
            hostname: text(root, "hostname"),
            ssh_authorized_keys: list(root, "ssh_authorized_keys"),
            users: items(root, "users")
                .into_iter()
                .map(|u| User {
                    name: text(u, "name").unwrap_or_default(),
                    passwd: text(u, "passwd"),
                    ssh_authorized_keys: list(u, "ssh_authorized_keys"),
                    gecos: text(u, "gecos"),
                    homedir: text(u, "homedir"),
                    no_create_home: flag(u, "no_create_home"),
                    primary_group: text(u, "primary_group"),
                    groups: list(u, "groups"),
                    no_user_group: flag(u, "no_user_group"),
                    system: flag(u, "system"),
                    no_log_init: flag(u, "no_log_init"),
                    shell: text(u, "shell"),
                })
                .collect(),
            write_files: items(root, "write_files")
                .into_iter()
                .map(|f| WriteFile {
                    path: text(f, "path").unwrap_or_default(),
                    content: get(f, "content").and_then(|c| c.bytes()).unwrap_or_default(),
                    encoding: text(f, "encoding"),
                    permissions: text(f, "permissions"),
                    owner: text(f, "owner"),
                    mark: f.mark,
                })
                .collect(),
            manage_etc_hosts: text(root, "manage_etc_hosts"),
            etcd2: section(sub("etcd2"), &schema::ETCD2),
            etcd: section(sub("etcd"), &schema::ETCD),
            fleet: section(sub("fleet"), &schema::FLEET),
            flannel: section(sub("flannel"), &schema::FLANNEL),
            locksmith: section(sub("locksmith"), &schema::LOCKSMITH),
            update: section(sub("update"), &schema::UPDATE),
            oem: section(sub("oem"), &schema::OEM),
            has_etcd2: coreos.is_some_and(|c| {
                c.entries().is_some_and(|e| e.iter().any(|e| e.key.text() == Some("etcd2")))
            }),
            has_fleet: coreos.is_some_and(|c| {
                c.entries().is_some_and(|e| e.iter().any(|e| e.key.text() == Some("fleet")))
            }),
            units: coreos
                .map(|c| {
                    items(c, "units")
                        .into_iter()
                        .map(|u| UnitSpec {
                            name: text(u, "name").unwrap_or_default(),
                            content: text(u, "content"),
                            drop_ins: items(u, "drop_ins")
                                .into_iter()
                                .filter_map(|d| {
                                    Some((text(d, "name")?, text(d, "content").unwrap_or_default()))
                                })
                                .collect(),
                            command: text(u, "command"),
                            enable: flag(u, "enable"),
                            mask: flag(u, "mask"),
                            runtime: flag(u, "runtime"),
                            mark: u.mark,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cloudconfig/corpus/seed.yml"
        ))
        .unwrap();
        let doc = super::super::yaml::parse(&text).unwrap();
        let c = CloudConfig::from_yaml(doc.root.as_ref());
        assert!(c.has_etcd2);
        assert_eq!(c.etcd2.len(), 5);
        assert_eq!(c.etcd2[0].0.env, Some("ETCD_ADVERTISE_CLIENT_URLS"));
        assert_eq!(c.etcd2[0].1, "http://$private_ipv4:2379,http://$private_ipv4:4001");
        assert_eq!(
            c.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
            ["etcd2.service", "fleet.service"]
        );
        assert_eq!(c.units[0].command.as_deref(), Some("start"));
        assert_eq!(c.ssh_authorized_keys, ["ssh-rsa AAAA..."]);
    }
}
