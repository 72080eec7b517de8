//! Carrying out a [`Plan`]: each action first compares what is there with what it would make,
//! and does nothing when they are the same — so a second `apply` changes nothing and says so.
//! With `dry_run`, nothing is changed at all: every action is reported with what it would do
//! (each file with its full new contents, each command line).
//!
//! Unit commands follow systemd's meaning where the state allows it, and converge: `start`
//! starts a unit that is not running, and restarts a running one whose unit file, drop-ins or
//! environment file changed in this run (systemd would keep the old configuration running);
//! `restart` and `reload` act when the unit is down or its configuration changed; `stop` stops
//! a running unit.

use std::collections::HashSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::files::{self, under};
use super::plan::{Action, Options, Plan};
use super::units::{self, Agent, State};

/// What one action did (or, in a dry run, would do).
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// What asked for it (`hostname`, `write_files /etc/motd`, `coreos.etcd2 → kv-serve`…).
    pub what: String,
    /// `file`, `command`, `hostname`, `keys`, `agent`, `load`, `mask`, `job`.
    pub kind: &'static str,
    /// The file, command line, unit…
    pub target: String,
    /// Whether anything changed (or would change).
    pub changed: bool,
    /// One line for people: `written (0644, 12 bytes)`, `already running`…
    pub summary: String,
    /// In a dry run: the file's full new contents, the command's standard input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("`{0}` failed: {1}")]
    Command(String, String),
    #[error("{0}")]
    Agent(#[from] units::Error),
    #[error("{0}")]
    Other(String),
}

/// What was done before an error stopped the rest.
#[derive(Debug)]
pub struct Failed {
    pub done: Vec<Change>,
    pub error: Error,
}

struct Cx<'a> {
    opts: &'a Options,
    dry_run: bool,
    agent: units::Socket,
    agent_up: bool,
    changed_paths: HashSet<PathBuf>,
    changed_units: HashSet<String>,
    created_users: Vec<String>,
}

/// Carries out `plan`; `dry_run` changes nothing.
pub fn apply(plan: &Plan, opts: &Options, dry_run: bool) -> Result<Vec<Change>, Failed> {
    let mut cx = Cx {
        opts,
        dry_run,
        agent: units::Socket::new(&opts.run_dir),
        agent_up: false,
        changed_paths: HashSet::new(),
        changed_units: HashSet::new(),
        created_users: Vec::new(),
    };
    let mut done = Vec::new();
    for a in &plan.actions {
        match cx.run(a) {
            Ok(Some(c)) => {
                log::debug!("{}: {} {}", c.what, c.target, c.summary);
                done.push(c);
            }
            Ok(None) => {}
            Err(error) => return Err(Failed { done, error }),
        }
    }
    Ok(done)
}

fn show(contents: &[u8]) -> String {
    match std::str::from_utf8(contents) {
        Ok(s) => s.to_string(),
        Err(_) => {
            use base64::Engine;
            format!(
                "(binary, {} bytes, base64) {}",
                contents.len(),
                base64::engine::general_purpose::STANDARD.encode(contents)
            )
        }
    }
}

impl Cx<'_> {
    fn would(&self, s: &str) -> String {
        if self.dry_run { format!("would be {s}") } else { s.to_string() }
    }

    fn run(&mut self, a: &Action) -> Result<Option<Change>, Error> {
        Ok(Some(match a {
            Action::File { what, path, contents, mode, owner } => {
                self.file(what, path, contents, *mode, owner.as_deref())?
            }
            Action::Command { what, argv, stdin } => {
                let line = argv.join(" ");
                if let Some(n) = what.strip_prefix("users: create ") {
                    self.created_users.push(n.to_string());
                }
                if !self.dry_run {
                    run_command(argv, stdin.as_deref())?;
                }
                Change {
                    what: what.clone(),
                    kind: "command",
                    target: line,
                    changed: true,
                    summary: self.would("run"),
                    detail: if self.dry_run {
                        stdin.as_ref().map(|s| format!("standard input: {}", redact(s)))
                    } else {
                        None
                    },
                }
            }
            Action::KernelHostname(h) => {
                let now = crate::os::host::hostname();
                let changed = now != *h;
                if changed && !self.dry_run {
                    nix::unistd::sethostname(h)
                        .map_err(|e| Error::Other(format!("setting the host name to {h}: {e}")))?;
                }
                Change {
                    what: "hostname".into(),
                    kind: "hostname",
                    target: h.clone(),
                    changed,
                    summary: if changed {
                        self.would(&format!("set (was {now})"))
                    } else {
                        "already set".into()
                    },
                    detail: None,
                }
            }
            Action::Keys { user, keys } => self.keys(user, keys)?,
            Action::Agent => {
                if self.agent_up {
                    return Ok(None);
                }
                let sock = self.opts.run_dir.join("unit-run.sock").display().to_string();
                if self.agent.answers() {
                    self.agent_up = true;
                    Change {
                        what: "coreos.units".into(),
                        kind: "agent",
                        target: sock,
                        changed: false,
                        summary: "a unit-run daemon answers".into(),
                        detail: None,
                    }
                } else if self.dry_run {
                    let cmd = format!(
                        "{} --run-dir {} daemon",
                        self.opts.bin_dir.join("unit-run").display(),
                        self.opts.run_dir.display()
                    );
                    Change {
                        what: "coreos.units".into(),
                        kind: "agent",
                        target: sock,
                        changed: true,
                        summary: format!("no unit-run daemon answers: would start `{cmd}`"),
                        detail: None,
                    }
                } else {
                    let spawned = units::spawn_daemon(&self.opts.bin_dir, &self.opts.run_dir)?;
                    self.agent_up = true;
                    let (changed, summary) = match spawned {
                        units::Spawned::Ours(cmd) => (
                            true,
                            format!(
                                "no unit-run daemon answered: started `{cmd}` (its log: {})",
                                self.opts.run_dir.join("unit-run.log").display()
                            ),
                        ),
                        units::Spawned::Other => {
                            (false, "a unit-run daemon was starting: it answers now".to_string())
                        }
                    };
                    Change {
                        what: "coreos.units".into(),
                        kind: "agent",
                        target: sock,
                        changed,
                        summary,
                        detail: None,
                    }
                }
            }
            Action::Load { name, text, from } => {
                let state = self.state(name)?;
                let same = state.is_some() && self.agent.loaded_text(name).as_deref() == Some(text.as_str());
                if !same {
                    self.changed_units.insert(name.clone());
                    if !self.dry_run {
                        for w in self.agent.load(name, text)? {
                            log::warn!("{w}");
                        }
                    }
                }
                Change {
                    what: from.clone(),
                    kind: "load",
                    target: name.clone(),
                    changed: !same,
                    summary: if same {
                        "already loaded".into()
                    } else {
                        self.would(if state.is_some() { "reloaded (its text changed)" } else { "loaded" })
                    },
                    detail: if self.dry_run && !same { Some(text.clone()) } else { None },
                }
            }
            Action::Mask { name } => {
                let loaded = self.state(name)?.is_some();
                if loaded && !self.dry_run {
                    self.agent.unload(name)?;
                }
                Change {
                    what: format!("coreos.units {name}"),
                    kind: "mask",
                    target: name.clone(),
                    changed: loaded,
                    summary: if loaded {
                        self.would("stopped and unloaded (masked)")
                    } else {
                        "masked: not loaded".into()
                    },
                    detail: None,
                }
            }
            Action::Job { verb, name, reads } => self.job(verb, name, reads)?,
        }))
    }

    fn state(&self, name: &str) -> Result<Option<State>, Error> {
        if !self.agent_up {
            // A dry run without a daemon: nothing is loaded yet.
            return Ok(None);
        }
        Ok(self.agent.state(name)?)
    }

    fn file(
        &mut self,
        what: &str,
        path: &Path,
        contents: &[u8],
        mode: u32,
        owner: Option<&str>,
    ) -> Result<Change, Error> {
        let resolved = match owner {
            None => None,
            Some(spec) => match files::owner(&self.opts.root, spec) {
                Ok(o) => Some(o),
                Err(_)
                    if self.dry_run
                        && self.created_users.iter().any(|u| spec.split(':').next() == Some(u)) =>
                {
                    None
                }
                Err(e) => return Err(Error::Other(format!("{what}: owner {spec}: {e}"))),
            },
        };
        let current = files::is_current(path, contents, mode, resolved);
        if !current {
            self.changed_paths.insert(path.to_path_buf());
            if !self.dry_run {
                files::write(path, contents, mode, resolved)
                    .map_err(|e| Error::Io(path.display().to_string(), e))?;
            }
        }
        let owner_s = owner.map(|o| format!(", owner {o}")).unwrap_or_default();
        Ok(Change {
            what: what.to_string(),
            kind: "file",
            target: path.display().to_string(),
            changed: !current,
            summary: if current {
                "unchanged".into()
            } else {
                self.would(&format!("written ({mode:04o}{owner_s}, {} bytes)", contents.len()))
            },
            detail: if self.dry_run && !current { Some(show(contents)) } else { None },
        })
    }

    fn keys(&mut self, user: &str, keys: &[String]) -> Result<Change, Error> {
        let root = &self.opts.root;
        let (home, owner) = match files::passwd(root, user) {
            Some(p) => (p.home, Some((p.uid, p.gid))),
            None if self.dry_run && self.created_users.iter().any(|u| u == user) => {
                (format!("/home/{user}"), None)
            }
            None => {
                return Err(Error::Other(format!(
                    "ssh_authorized_keys: there is no user {user:?} in {} (--ssh-user names another)",
                    under(root, "/etc/passwd").display()
                )));
            }
        };
        let dir = under(root, &home).join(".ssh");
        let path = dir.join("authorized_keys");
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        let text = super::users::authorized_keys(&existing, &self.opts.ssh_key_name, keys);
        let current = files::is_current(&path, text.as_bytes(), 0o600, owner);
        if !current && !self.dry_run {
            let made = !dir.exists();
            files::make_dirs(&dir, 0o700).map_err(|e| Error::Io(dir.display().to_string(), e))?;
            if made && let Some((u, g)) = owner {
                std::os::unix::fs::chown(&dir, Some(u), Some(g))
                    .map_err(|e| Error::Io(dir.display().to_string(), e))?;
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| Error::Io(dir.display().to_string(), e))?;
            }
            files::write(&path, text.as_bytes(), 0o600, owner)
                .map_err(|e| Error::Io(path.display().to_string(), e))?;
        }
        Ok(Change {
            what: format!("ssh_authorized_keys of {user}"),
            kind: "keys",
            target: path.display().to_string(),
            changed: !current,
            summary: if current {
                format!("unchanged ({} keys)", keys.len())
            } else {
                self.would(&format!("written ({} keys in the {} block)", keys.len(), self.opts.ssh_key_name))
            },
            detail: if self.dry_run && !current { Some(text) } else { None },
        })
    }

    fn job(&mut self, verb: &str, name: &str, reads: &[PathBuf]) -> Result<Change, Error> {
        let state = self.state(name)?;
        if state.is_none() && !self.dry_run {
            return Err(Error::Other(format!(
                "coreos.units {name}: `command: {verb}` for a unit unit-run has not loaded (give its `content`)"
            )));
        }
        let active = state.as_ref().is_some_and(State::is_active);
        let changed_cfg =
            self.changed_units.contains(name) || reads.iter().any(|p| self.changed_paths.contains(p));
        let has_reload = self.agent.loaded_text(name).is_some_and(|t| t.contains("ExecReload="));
        let reload_or_restart = if has_reload { "reload" } else { "restart" };
        // (what to ask the agent, why) — or None when the unit is already as asked.
        let todo: Option<(&str, &str)> = match verb {
            "start" if !active => Some(("start", "started")),
            "start" if changed_cfg => Some(("restart", "restarted: its configuration changed")),
            "stop" if active => Some(("stop", "stopped")),
            "restart" if !active => Some(("restart", "started")),
            "restart" if changed_cfg => Some(("restart", "restarted")),
            "try-restart" if active && changed_cfg => Some(("restart", "restarted")),
            "reload" if !active => {
                return Err(Error::Other(format!(
                    "coreos.units {name}: cannot reload a unit that is not running"
                )));
            }
            "reload" if changed_cfg => Some(("reload", "reloaded")),
            "reload-or-restart" if !active => Some(("start", "started")),
            "reload-or-restart" | "reload-or-try-restart" if active && changed_cfg => {
                Some((reload_or_restart, "reloaded or restarted"))
            }
            _ => None,
        };
        let label = format!("coreos.units {name}: command {verb}");
        let Some((op, did)) = todo else {
            let why = if active { "already running, configuration unchanged" } else { "not running" };
            return Ok(Change {
                what: label,
                kind: "job",
                target: name.into(),
                changed: false,
                summary: format!("nothing to do ({why})"),
                detail: None,
            });
        };
        if !self.dry_run {
            self.agent.job(op, name)?;
        }
        Ok(Change {
            what: label,
            kind: "job",
            target: name.into(),
            changed: true,
            summary: self.would(did),
            detail: None,
        })
    }
}

/// A password hash is not shown in full.
fn redact(stdin: &str) -> String {
    match stdin.split_once(':') {
        Some((user, _)) => format!("{user}:<the passwd hash>"),
        None => stdin.to_string(),
    }
}

fn run_command(argv: &[String], stdin: Option<&str>) -> Result<(), Error> {
    let line = argv.join(" ");
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::Command(line.clone(), e.to_string()))?;
    if let Some(s) = stdin {
        let mut w = child.stdin.take().expect("piped");
        w.write_all(s.as_bytes()).map_err(|e| Error::Command(line.clone(), e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| Error::Command(line.clone(), e.to_string()))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Error::Command(line, if msg.is_empty() { out.status.to_string() } else { msg }));
    }
    Ok(())
}
