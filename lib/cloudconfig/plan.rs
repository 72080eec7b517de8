//! The changes a cloud-config asks for, in coreos-cloudinit's order, each one complete before
//! anything is done: the hostname; users (`useradd`, or `chpasswd -e`), then their keys; the SSH
//! user's keys; `write_files`; the files derived from `coreos.*` (`/etc/oem-release`,
//! `update.conf`, `/etc/hosts`, flannel's `options.env`); `/etc/environment`; the env files of
//! kv-serve and unit-sched; the units (loaded, masked, then their commands in dependency
//! order); the user-data script.
//!
//! Building the plan reads the target (to merge into existing files) but changes nothing, so a
//! plan that cannot be built leaves the machine as it was.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::config::{CloudConfig, UnitSpec};
use super::envfile;
use super::files::{self, under};
use super::metadata::{Metadata, Token};
use super::order;
use super::units::{self, Paths};
use super::users;

/// Where things land.
#[derive(Clone, Debug)]
pub struct Options {
    /// The target's root directory (`/` on the machine itself).
    pub root: PathBuf,
    /// The run dir: env files, the agent's socket.
    pub run_dir: PathBuf,
    /// Where kv-serve, unit-run and unit-sched are (default: beside cfg-init).
    pub bin_dir: PathBuf,
    /// Whose keys `ssh_authorized_keys` are (`core`).
    pub ssh_user: String,
    /// The name of cfg-init's block in authorized_keys (`coreos-cloudinit`).
    pub ssh_key_name: String,
}

impl Options {
    pub fn paths(&self) -> Paths {
        Paths {
            bin_dir: self.bin_dir.clone(),
            run_dir: self.run_dir.clone(),
            state_dir: under(&self.root, "/var/lib/corekit"),
        }
    }
    pub fn kv_serve_env(&self) -> PathBuf {
        self.run_dir.join("kv-serve.env")
    }
    pub fn unit_run_env(&self) -> PathBuf {
        self.run_dir.join("unit-run.env")
    }
}

/// One change.
#[derive(Clone, Debug)]
pub enum Action {
    /// A file written whole (atomically), with its mode and owner (`user[:group]`, resolved when
    /// it is written, so a user made earlier in the plan can own it).
    File { what: String, path: PathBuf, contents: Vec<u8>, mode: u32, owner: Option<String> },
    /// A command; `stdin` is written to it.
    Command { what: String, argv: Vec<String>, stdin: Option<String> },
    /// The running kernel's host name (only when the root is `/`).
    KernelHostname(String),
    /// A user's SSH keys (resolved when applied: the user may be made earlier in the plan).
    Keys { user: String, keys: Vec<String> },
    /// Make sure a unit-run daemon answers on the run dir's socket; start one if not.
    Agent,
    /// Load a unit's text into the agent.
    Load { name: String, text: String, from: String },
    /// Stop and unload a masked unit.
    Mask { name: String },
    /// `start`, `stop`, `restart`, `reload`, `try-restart`, `reload-or-restart`,
    /// `reload-or-try-restart`; `reads` are the files whose change counts as the unit's.
    Job { verb: String, name: String, reads: Vec<PathBuf> },
}

#[derive(Debug, Default)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// Things cfg-init does not do, said once (`coreos.locksmith` has no counterpart…).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Bad(String),
}

struct Builder<'a> {
    opts: &'a Options,
    plan: Plan,
    /// Files planned so far (later steps merge into what earlier ones will write).
    planned: HashMap<PathBuf, Vec<u8>>,
}

impl Builder<'_> {
    fn current(&self, path: &Path) -> String {
        match self.planned.get(path) {
            Some(b) => String::from_utf8_lossy(b).into_owned(),
            None => std::fs::read_to_string(path).unwrap_or_default(),
        }
    }

    fn file(
        &mut self,
        what: impl Into<String>,
        path: PathBuf,
        contents: Vec<u8>,
        mode: u32,
        owner: Option<String>,
    ) {
        self.planned.insert(path.clone(), contents.clone());
        self.plan.actions.push(Action::File { what: what.into(), path, contents, mode, owner });
    }
}

/// Plans a cloud-config (already substituted and valid). `script` is a script user-data.
pub fn build(cfg: &CloudConfig, md: &Metadata, script: Option<&str>, opts: &Options) -> Result<Plan, Error> {
    let mut b = Builder { opts, plan: Plan::default(), planned: HashMap::new() };
    let root = &opts.root;

    // 1. Hostname (the cloud-config's, else the metadata's).
    let hostname = cfg.hostname.clone().or_else(|| md.hostname.clone());
    if let Some(h) = &hostname {
        b.file("hostname", under(root, "/etc/hostname"), format!("{h}\n").into_bytes(), 0o644, None);
        if root == Path::new("/") {
            b.plan.actions.push(Action::KernelHostname(h.clone()));
        }
    }

    // 2. Users, then their keys.
    for u in &cfg.users {
        match files::passwd(root, &u.name) {
            None => b.plan.actions.push(Action::Command {
                what: format!("users: create {}", u.name),
                argv: users::useradd(u, root),
                stdin: None,
            }),
            Some(_) => {
                if let Some(hash) = &u.passwd
                    && users::shadow_hash(root, &u.name).as_deref() != Some(hash.as_str())
                {
                    b.plan.actions.push(Action::Command {
                        what: format!("users: password of {}", u.name),
                        argv: users::chpasswd(root),
                        stdin: Some(format!("{}:{hash}\n", u.name)),
                    });
                }
            }
        }
        if !u.ssh_authorized_keys.is_empty() {
            b.plan.actions.push(Action::Keys { user: u.name.clone(), keys: u.ssh_authorized_keys.clone() });
        }
    }

    // 3. The SSH user's keys (the cloud-config's, then the metadata's).
    let mut keys = cfg.ssh_authorized_keys.clone();
    keys.extend(md.ssh_public_keys.iter().cloned());
    if !keys.is_empty() {
        b.plan.actions.push(Action::Keys { user: opts.ssh_user.clone(), keys });
    }

    // 4. write_files.
    let mut wrote_environment = false;
    for f in &cfg.write_files {
        let contents = files::decode(&f.content, f.encoding.as_deref().unwrap_or(""))
            .map_err(|e| Error::Bad(format!("write_files {}: {e}", f.path)))?;
        let mode = files::permissions(f.permissions.as_deref())
            .map_err(|e| Error::Bad(format!("write_files {}: {e}", f.path)))?;
        wrote_environment |= Path::new(&f.path) == Path::new("/etc/environment");
        b.file(format!("write_files {}", f.path), under(root, &f.path), contents, mode, f.owner.clone());
    }

    // 5. Files derived from coreos.*.
    if !cfg.oem.is_empty() {
        let text: String =
            cfg.oem.iter().map(|(f, v)| format!("{}={v}\n", f.env.unwrap_or_default())).collect();
        b.file("coreos.oem", under(root, "/etc/oem-release"), text.into_bytes(), 0o644, None);
    }
    if !cfg.update.is_empty() {
        let path = under(root, "/etc/coreos/update.conf");
        let pairs: Vec<(String, String)> =
            cfg.update.iter().map(|(f, v)| (f.env.unwrap_or_default().to_string(), v.clone())).collect();
        let merged = merge_plain(&b.current(&path), &pairs);
        b.file("coreos.update", path, merged.into_bytes(), 0o644, None);
        b.plan.notes.push(
            "coreos.update: update.conf is written; corekit has no update-engine or locksmithd to restart"
                .into(),
        );
    }
    if cfg.manage_etc_hosts.as_deref() == Some("localhost") {
        let name = hostname.clone().unwrap_or_else(|| {
            std::fs::read_to_string(under(root, "/etc/hostname"))
                .map(|h| h.trim().to_string())
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(crate::os::host::hostname)
        });
        let path = under(root, "/etc/hosts");
        let text = super::hosts::with_localhost(&b.current(&path), &name);
        b.file("manage_etc_hosts", path, text.into_bytes(), 0o644, None);
    }
    if !cfg.flannel.is_empty() {
        let text =
            envfile::render("Written by cfg-init from coreos.flannel.", &cfg.flannel).map_err(Error::Bad)?;
        b.file("coreos.flannel", under(root, "/run/flannel/options.env"), text.into_bytes(), 0o644, None);
    }
    if !cfg.locksmith.is_empty() {
        b.plan.notes.push("coreos.locksmith is ignored: corekit has no locksmithd".into());
    }
    if !cfg.etcd.is_empty() {
        b.plan
            .notes
            .push("coreos.etcd (etcd 0.4) is ignored: use coreos.etcd2, which configures kv-serve".into());
    }

    // 6. /etc/environment: the COREOS_* addresses, unless write_files wrote it.
    let pairs: Vec<(String, String)> =
        Token::ALL.iter().filter_map(|t| md.get(*t).map(|a| (t.env(), a.value.clone()))).collect();
    if !pairs.is_empty() && !wrote_environment {
        let path = under(root, "/etc/environment");
        let text = envfile::merge(&b.current(&path), &pairs).map_err(Error::Bad)?;
        b.file("/etc/environment (COREOS_* addresses)", path, text.into_bytes(), 0o644, None);
    }

    // 7. kv-serve's and unit-sched's env files.
    if cfg.has_etcd2 {
        let text = envfile::render(
            "Written by cfg-init from the cloud-config's coreos.etcd2: kv-serve.service reads it.\nDo not edit: cfg-init apply rewrites it.",
            &cfg.etcd2,
        )
        .map_err(|e| Error::Bad(format!("coreos.etcd2: {e}")))?;
        b.file("coreos.etcd2 → kv-serve", opts.kv_serve_env(), text.into_bytes(), 0o600, None);
    }
    if cfg.has_fleet {
        let text = envfile::render(
            "Written by cfg-init from the cloud-config's coreos.fleet: unit-run and unit-sched read it.\nDo not edit: cfg-init apply rewrites it.",
            &cfg.fleet,
        )
        .map_err(|e| Error::Bad(format!("coreos.fleet: {e}")))?;
        b.file("coreos.fleet → unit-run, unit-sched", opts.unit_run_env(), text.into_bytes(), 0o600, None);
    }

    // 8. Units.
    plan_units(&mut b, &cfg.units)?;

    // 9. The script.
    if let Some(s) = script {
        let path = under(root, "/var/lib/cfg-init/scripts/user-data");
        b.file("the user-data script", path.clone(), s.as_bytes().to_vec(), 0o755, None);
        let name = "cfg-init-script.service";
        let text = format!(
            "# The user-data script, run once by cfg-init.\n[Unit]\nDescription=cfg-init user-data script\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart={}\n",
            path.display()
        );
        b.plan.actions.push(Action::Agent);
        b.plan.actions.push(Action::Load { name: name.into(), text, from: "the user-data script".into() });
        b.plan.actions.push(Action::Job { verb: "start".into(), name: name.into(), reads: vec![path] });
    }
    Ok(b.plan)
}

fn plan_units(b: &mut Builder, specs: &[UnitSpec]) -> Result<(), Error> {
    if specs.is_empty() {
        return Ok(());
    }
    let paths = b.opts.paths();
    struct U {
        name: String,
        text: Option<String>,
        spec: UnitSpec,
    }
    let mut list: Vec<U> = Vec::new();
    for s in specs {
        if units::is_network_unit(&s.name) {
            let dir = if s.runtime { "/run/systemd/network" } else { "/etc/systemd/network" };
            let dir = under(&b.opts.root, dir);
            if let Some(c) = &s.content {
                b.file(
                    format!("coreos.units {}", s.name),
                    dir.join(&s.name),
                    c.clone().into_bytes(),
                    0o644,
                    None,
                );
            }
            for (n, c) in &s.drop_ins {
                b.file(
                    format!("coreos.units {} drop-in {n}", s.name),
                    dir.join(format!("{}.d", s.name)).join(n),
                    c.clone().into_bytes(),
                    0o644,
                    None,
                );
            }
            b.plan
                .notes
                .push(format!("{}: written for systemd-networkd; cfg-init does not restart it", s.name));
            continue;
        }
        let name = units::canonical(&s.name).to_string();
        if !name.ends_with(".service") {
            return Err(Error::Bad(format!("{}: corekit's agent runs only .service units", s.name)));
        }
        let base = match &s.content {
            Some(c) => Some(c.clone()),
            None => units::shipped(&name, &paths),
        };
        if base.is_none() && !s.drop_ins.is_empty() {
            return Err(Error::Bad(format!("{}: drop-ins need the unit's text: give `content`", s.name)));
        }
        if s.content.is_none()
            && let Some(text) = &base
        {
            // corekit's own unit: its program must be installed.
            let prog = text
                .lines()
                .find_map(|l| l.strip_prefix("ExecStart="))
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or("");
            if !Path::new(prog).is_file() {
                return Err(Error::Bad(format!(
                    "{} is corekit's {name}, which runs {prog}: it is not installed (corekit's programs sit beside cfg-init; --bin-dir names another directory)",
                    s.name
                )));
            }
        }
        let text = base.map(|t| {
            let t = units::with_drop_ins(&t, &s.drop_ins);
            // A user unit ordered after etcd2.service/fleet.service is ordered after corekit's.
            rename_deps(&t)
        });
        list.push(U { name, text, spec: s.clone() });
    }
    if list.is_empty() {
        return Ok(());
    }
    b.plan.actions.push(Action::Agent);
    for u in &list {
        if u.spec.mask {
            b.plan.actions.push(Action::Mask { name: u.name.clone() });
            continue;
        }
        if let Some(t) = &u.text {
            let from = if u.spec.content.is_some() {
                format!("coreos.units {}", u.spec.name)
            } else {
                format!("corekit's {} (for {})", u.name, u.spec.name)
            };
            if !u.spec.runtime && u.spec.content.is_some() {
                b.file(
                    format!("coreos.units {} (kept across reboots)", u.spec.name),
                    under(&b.opts.root, "/etc/corekit/units").join(&u.name),
                    t.clone().into_bytes(),
                    0o644,
                    None,
                );
            }
            b.plan.actions.push(Action::Load { name: u.name.clone(), text: t.clone(), from });
        }
    }
    let items: Vec<order::Item> = list
        .iter()
        .map(|u| order::Item { name: u.name.clone(), text: u.text.as_deref(), mark: u.spec.mark })
        .collect();
    let seq = order::order(&items).map_err(|c| Error::Bad(c.message))?;
    let job = |u: &U, verb: &str| Action::Job {
        verb: verb.to_string(),
        name: u.name.clone(),
        reads: u.text.as_deref().map(env_files).unwrap_or_default(),
    };
    // Stops first, the dependents before what they depend on; then the rest in order.
    for &i in seq.iter().rev() {
        let u = &list[i];
        if u.spec.command.as_deref() == Some("stop") && !u.spec.mask {
            b.plan.actions.push(job(u, "stop"));
        }
    }
    for &i in &seq {
        let u = &list[i];
        if u.spec.mask {
            continue;
        }
        match u.spec.command.as_deref() {
            Some("stop") => {}
            Some(v) => b.plan.actions.push(job(u, v)),
            None if u.spec.enable => b.plan.actions.push(job(u, "start")),
            None => {}
        }
    }
    Ok(())
}

/// `After=etcd2.service` → `After=kv-serve.service` (and fleet), in `[Unit]` dependency lines.
fn rename_deps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or("").trim();
        if matches!(
            key,
            "After" | "Before" | "Requires" | "Wants" | "BindsTo" | "Conflicts" | "PartOf" | "Requisite"
        ) {
            let (k, v) = line.split_once('=').expect("has =");
            let renamed: Vec<&str> = v.trim_end_matches('\n').split(' ').map(units::canonical).collect();
            out.push_str(k);
            out.push('=');
            out.push_str(&renamed.join(" "));
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The `EnvironmentFile=` paths of a unit's text.
fn env_files(text: &str) -> Vec<PathBuf> {
    crate::unit::syntax::parse_syntax("unit", text)
        .map(|f| {
            f.section("Service")
                .filter(|e| e.key == "EnvironmentFile" && !e.value.is_empty())
                .map(|e| PathBuf::from(e.value.trim_start_matches('-')))
                .collect()
        })
        .unwrap_or_default()
}

/// `KEY=value` lines (update.conf's format): a key's line replaced, missing keys appended.
fn merge_plain(existing: &str, pairs: &[(String, String)]) -> String {
    let mut lines: Vec<String> = existing.lines().map(str::to_string).collect();
    for (k, v) in pairs {
        let line = format!("{k}={v}");
        match lines.iter().position(|l| l.split_once('=').is_some_and(|(lk, _)| lk.trim() == k)) {
            Some(i) => lines[i] = line,
            None => lines.push(line),
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_names_follow_corekit() {
        assert_eq!(
            rename_deps(
                "[Unit]\nAfter=etcd2.service docker.service\nRequires=fleet.service\nDescription=etcd2.service\n"
            ),
            "[Unit]\nAfter=kv-serve.service docker.service\nRequires=unit-sched.service\nDescription=etcd2.service\n"
        );
        assert_eq!(
            merge_plain(
                "GROUP=stable\nSERVER=x\n",
                &[("GROUP".into(), "beta".into()), ("REBOOT_STRATEGY".into(), "off".into())]
            ),
            "GROUP=beta\nSERVER=x\nREBOOT_STRATEGY=off\n"
        );
        assert_eq!(
            env_files("[Service]\nEnvironmentFile=-/run/a.env\nEnvironmentFile=/b\n"),
            [PathBuf::from("/run/a.env"), PathBuf::from("/b")]
        );
    }
}
