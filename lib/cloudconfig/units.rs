//! `coreos.units` meets the node agent: corekit's own units (what `etcd2.service` and
//! `fleet.service` mean here), drop-ins, and the one seam through which cfg-init drives a
//! `unit-run daemon` — the [`Agent`] trait, implemented by [`Socket`] over the agent
//! library's [`Handle`](crate::agent::Handle).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::agent::Handle;

/// corekit's unit files (`units/` in the repository), with `@BINDIR@`, `@RUNDIR@` and
/// `@STATEDIR@` to fill in.
pub const SHIPPED: &[(&str, &str)] = &[
    ("kv-serve.service", include_str!("../../units/kv-serve.service")),
    ("unit-sched.service", include_str!("../../units/unit-sched.service")),
];

/// The CoreOS names that mean corekit's own units.
pub const ALIASES: &[(&str, &str)] =
    &[("etcd2.service", "kv-serve.service"), ("fleet.service", "unit-sched.service")];

/// The corekit unit a name stands for (`etcd2.service` → `kv-serve.service`), else the name.
pub fn canonical(name: &str) -> &str {
    ALIASES.iter().find(|(a, _)| *a == name).map(|(_, c)| *c).unwrap_or(name)
}

/// Where the shipped units find things.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The directory holding kv-serve, unit-run, unit-sched (by default, cfg-init's own).
    pub bin_dir: PathBuf,
    pub run_dir: PathBuf,
    /// `ROOT/var/lib/corekit`: kv-serve's data lives in `STATEDIR/kv-serve`.
    pub state_dir: PathBuf,
}

/// The shipped unit `name` with its paths filled in.
pub fn shipped(name: &str, p: &Paths) -> Option<String> {
    let (_, text) = SHIPPED.iter().find(|(n, _)| *n == name)?;
    Some(
        text.replace("@BINDIR@", &p.bin_dir.display().to_string())
            .replace("@RUNDIR@", &p.run_dir.display().to_string())
            .replace("@STATEDIR@", &p.state_dir.display().to_string()),
    )
}

/// unit-run has no drop-in directories: a unit's drop-ins (in the order given) are appended to
/// its text, each starting on a line of its own. systemd reads a drop-in as if its lines came
/// after the unit's — a later `Key=` overrides a single value, adds to a list, and an empty
/// `Key=` resets a list — and lib/unit's parser gives appended lines exactly that meaning.
pub fn with_drop_ins(text: &str, drop_ins: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (name, content) in drop_ins {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("# drop-in {name}\n"));
        out.push_str(content);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `.network`, `.netdev`, `.link`: systemd-networkd's, written as files only.
pub fn is_network_unit(name: &str) -> bool {
    [".network", ".netdev", ".link"].iter().any(|s| name.ends_with(s))
}

/// A unit's state as the agent reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub active: String,
    pub sub: String,
}

impl State {
    pub fn is_active(&self) -> bool {
        matches!(self.active.as_str(), "active" | "activating" | "reloading")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot reach the unit-run daemon at {0}: {1}")]
    Unreachable(String, std::io::Error),
    #[error("{0}")]
    Refused(String),
    #[error("the unit-run daemon's answer is not understood: {0}")]
    Protocol(String),
    #[error("starting `{0}`: {1}")]
    Spawn(String, std::io::Error),
    #[error("the unit-run daemon started with `{0}` did not answer within 20 s (its log: {1})")]
    NoAnswer(String, String),
}

/// What cfg-init asks of the node agent.
pub trait Agent {
    /// The unit's state; `None` when it is not loaded.
    fn state(&self, name: &str) -> Result<Option<State>, Error>;
    /// The text the agent has loaded for the unit.
    fn loaded_text(&self, name: &str) -> Option<String>;
    /// Loads (or replaces) a unit; returns the agent's warnings.
    fn load(&self, name: &str, text: &str) -> Result<Vec<String>, Error>;
    fn unload(&self, name: &str) -> Result<(), Error>;
    /// `start`, `stop`, `restart` or `reload`, waiting for the job to finish.
    fn job(&self, verb: &str, name: &str) -> Result<(), Error>;
}

/// The daemon whose control socket is `RUN_DIR/unit-run.sock`, through a [`Handle`].
pub struct Socket {
    run_dir: PathBuf,
    handle: Handle,
}

impl Socket {
    pub fn new(run_dir: &Path) -> Socket {
        Socket { run_dir: run_dir.to_path_buf(), handle: Handle::connect(run_dir) }
    }

    /// Whether a daemon answers.
    pub fn answers(&self) -> bool {
        self.handle.list().is_ok()
    }

    fn err(&self, e: crate::agent::Error) -> Error {
        match e {
            crate::agent::Error::Unavailable(m) => Error::Unreachable(
                self.run_dir.join("unit-run.sock").display().to_string(),
                std::io::Error::other(m),
            ),
            other => Error::Refused(other.to_string()),
        }
    }
}

impl Agent for Socket {
    fn state(&self, name: &str) -> Result<Option<State>, Error> {
        match self.handle.status(name) {
            Ok(st) => Ok(Some(State {
                active: st.active_state.name().to_string(),
                sub: st.sub_state.name().to_string(),
            })),
            Err(crate::agent::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(self.err(e)),
        }
    }

    fn loaded_text(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.run_dir.join("units").join(name)).ok()
    }

    fn load(&self, name: &str, text: &str) -> Result<Vec<String>, Error> {
        self.handle.load(name, name, text).map(|l| l.warnings).map_err(|e| self.err(e))
    }

    fn unload(&self, name: &str) -> Result<(), Error> {
        self.handle.unload(name).map_err(|e| self.err(e))
    }

    fn job(&self, verb: &str, name: &str) -> Result<(), Error> {
        let r = match verb {
            "start" => self.handle.start(name, true).map(drop),
            "stop" => self.handle.stop(name, true).map(drop),
            "restart" => self.handle.restart(name, true).map(drop),
            "reload" => self.handle.reload(name).map(drop),
            other => return Err(Error::Refused(format!("unknown job {other}"))),
        };
        r.map_err(|e| self.err(e))
    }
}

/// Starts `BIN_DIR/unit-run --run-dir RUN_DIR daemon` detached (its own session, output to
/// `RUN_DIR/unit-run.log`) and waits until it answers — or, when a daemon is already starting
/// there, waits for that one.
pub fn spawn_daemon(bin_dir: &Path, run_dir: &Path) -> Result<Spawned, Error> {
    use std::os::unix::process::CommandExt;
    let exe = bin_dir.join("unit-run");
    let shown = format!("{} --run-dir {} daemon", exe.display(), run_dir.display());
    super::files::make_dirs(run_dir, 0o755).map_err(|e| Error::Spawn(shown.clone(), e))?;
    let log_path = run_dir.join("unit-run.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| Error::Spawn(shown.clone(), e))?;
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg("--run-dir").arg(run_dir).arg("daemon");
    cmd.stdin(std::process::Stdio::null())
        .stdout(log.try_clone().map_err(|e| Error::Spawn(shown.clone(), e))?)
        .stderr(log);
    // SAFETY: setsid is async-signal-safe; it detaches the daemon from cfg-init's session so
    // it outlives cfg-init and its terminal.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let sock = Socket::new(run_dir);
    let run = crate::agent::RunDir::new(run_dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    let no_answer = || Error::NoAnswer(shown.clone(), log_path.display().to_string());
    // A daemon started just before (by a boot script, a service manager) holds the run dir's
    // lock before it answers: wait for that one rather than start a second, which would lose
    // the lock and exit — or win it and make the first one exit. Ours is started only while no
    // daemon holds the lock.
    let mut child: Option<std::process::Child> = None;
    while Instant::now() < deadline {
        if sock.answers() {
            return Ok(match child {
                Some(mut c) => {
                    if matches!(c.try_wait(), Ok(None)) {
                        // The daemon lives on; its exit status is never collected by cfg-init
                        // (it is reparented to init when cfg-init exits).
                        std::mem::forget(c);
                        Spawned::Ours(shown)
                    } else {
                        Spawned::Other
                    }
                }
                None => Spawned::Other,
            });
        }
        let held = run.daemon_holds_lock();
        match child.as_mut() {
            None if !held => child = Some(cmd.spawn().map_err(|e| Error::Spawn(shown.clone(), e))?),
            // Ours exited: if a daemon started at the same moment holds the lock, that one will
            // answer; if none does, ours failed.
            Some(c) if !held => {
                if let Ok(Some(_)) = c.try_wait() {
                    return Err(no_answer());
                }
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if let Some(mut c) = child {
        let _ = c.kill();
        let _ = c.wait();
    }
    Err(no_answer())
}

/// What [`spawn_daemon`] did.
#[derive(Debug, PartialEq)]
pub enum Spawned {
    /// Started this command, which now answers.
    Ours(String),
    /// Found another daemon starting on the run dir, and waited until it answered.
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::name::UnitName;
    use crate::unit::specifier::SpecifierContext;

    fn parse(text: &str) -> crate::unit::Unit {
        let ctx = SpecifierContext::new(UnitName::parse("a.service").unwrap());
        crate::unit::parse_unit("a.service", "a.service", text, &ctx).unwrap()
    }

    #[test]
    fn drop_ins_mean_what_systemd_makes_of_them() {
        let base = "[Unit]\nDescription=base\n[Service]\nExecStart=/bin/true\nEnvironment=A=1\nRestart=no";
        let unit = with_drop_ins(
            base,
            &[
                ("10-env.conf".into(), "[Service]\nEnvironment=B=2\nRestart=always\n".into()),
                ("20-exec.conf".into(), "[Service]\nExecStart=\nExecStart=/bin/false\n".into()),
                ("30-desc.conf".into(), "[Unit]\nDescription=overridden".into()),
            ],
        );
        let u = parse(&unit);
        assert_eq!(u.description.as_deref(), Some("overridden"));
        let svc = u.service.unwrap();
        // A later single value overrides; a list grows; an empty assignment resets it.
        assert_eq!(format!("{:?}", svc.restart), "Always");
        assert_eq!(svc.exec_start.len(), 1);
        assert_eq!(svc.exec_start[0].argv[0], "/bin/false");
        assert_eq!(svc.environment.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    }

    #[test]
    fn shipped_units_parse_with_paths_filled_in() {
        let p = Paths {
            bin_dir: "/opt/ck/bin".into(),
            run_dir: "/run/ck".into(),
            state_dir: "/var/lib/ck".into(),
        };
        for (name, _) in SHIPPED {
            let text = shipped(name, &p).unwrap();
            assert!(!text.contains('@'), "{name}: {text}");
            let ctx = SpecifierContext::new(UnitName::parse(name).unwrap());
            let u = crate::unit::parse_unit(name, name, &text, &ctx).unwrap();
            let svc = u.service.unwrap();
            assert!(svc.exec_start[0].argv[0].starts_with("/opt/ck/bin/"), "{name}");
            assert!(svc.environment_files.iter().any(|f| f.path.starts_with("/run/ck/")), "{name}");
        }
        assert_eq!(canonical("etcd2.service"), "kv-serve.service");
        assert_eq!(canonical("fleet.service"), "unit-sched.service");
        assert_eq!(canonical("x.service"), "x.service");
    }
}
