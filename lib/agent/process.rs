//! Starting one Exec line: a new session (so the unit's processes are a process group of their
//! own), moved into the unit's cgroup before exec, with the unit's environment, working
//! directory and credentials, stdin on /dev/null and stdout/stderr piped into the journal line
//! by line.
//!
//! The daemon reaps every child itself (it is a subreaper; see `signals`). `std::process`
//! reaps a child whose exec failed inside `spawn`, so spawning and reaping take [`REAP_LOCK`]
//! in turn and never race for the same PID.

use std::ffi::CString;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use nix::sys::signal::{kill, killpg};
use nix::unistd::{AccessFlags, Pid, access};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::cgroup::UnitCgroup;
use super::journal::{LineSplitter, Writer};

/// Held while spawning and while reaping (see the module doc).
pub static REAP_LOCK: Mutex<()> = Mutex::new(());

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "code", content = "status")]
pub enum Exit {
    Exited(i32),
    Killed(i32),
    Dumped(i32),
}

impl Exit {
    /// systemd's `code=exited, status=0/SUCCESS`.
    pub fn describe(&self) -> String {
        match *self {
            Exit::Exited(c) => format!(
                "code=exited, status={c}{}",
                exit_name(c).map(|n| format!("/{n}")).unwrap_or_default()
            ),
            Exit::Killed(s) => format!("code=killed, signal={}", signal_short(s)),
            Exit::Dumped(s) => format!("code=dumped, signal={}", signal_short(s)),
        }
    }
}

/// Status 203: the program could not be executed (systemd's EXIT_EXEC).
pub const EXIT_EXEC: i32 = 203;
pub const EXIT_CHDIR: i32 = 200;
pub const EXIT_USER: i32 = 217;

fn exit_name(code: i32) -> Option<&'static str> {
    Some(match code {
        0 => "SUCCESS",
        1 => "FAILURE",
        2 => "INVALIDARGUMENT",
        3 => "NOTIMPLEMENTED",
        4 => "NOPERMISSION",
        5 => "NOTINSTALLED",
        6 => "NOTCONFIGURED",
        7 => "NOTRUNNING",
        200 => "CHDIR",
        203 => "EXEC",
        216 => "GROUP",
        217 => "USER",
        _ => return None,
    })
}

/// `TERM` for SIGTERM (systemd prints signals without the prefix in status lines).
pub fn signal_short(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig)
        .map(|s| s.as_str().trim_start_matches("SIG").to_string())
        .unwrap_or_else(|_| sig.to_string())
}

/// Who a unit's processes run as.
#[derive(Clone, Debug)]
pub struct Creds {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub home: PathBuf,
    pub shell: PathBuf,
}

/// Resolves `User=`/`Group=` (names or numbers).
pub fn resolve_creds(user: Option<&str>, group: Option<&str>) -> Result<Option<Creds>, String> {
    use nix::unistd::{Group, User};
    if user.is_none() && group.is_none() {
        return Ok(None);
    }
    let u = match user {
        Some(u) => {
            let found = match u.parse::<u32>() {
                Ok(id) => User::from_uid(id.into()),
                Err(_) => User::from_name(u),
            };
            Some(
                found
                    .map_err(|e| format!("looking up user {u}: {e}"))?
                    .ok_or(format!("no such user: {u}"))?,
            )
        }
        None => None,
    };
    let gid = match group {
        Some(g) => {
            let found = match g.parse::<u32>() {
                Ok(id) => Group::from_gid(id.into()),
                Err(_) => Group::from_name(g),
            };
            found
                .map_err(|e| format!("looking up group {g}: {e}"))?
                .ok_or(format!("no such group: {g}"))?
                .gid
                .as_raw()
        }
        None => u.as_ref().map(|u| u.gid.as_raw()).unwrap_or(0),
    };
    Ok(Some(match u {
        Some(u) => Creds { uid: u.uid.as_raw(), gid, name: u.name, home: u.dir, shell: u.shell },
        None => Creds {
            uid: nix::unistd::getuid().as_raw(),
            gid,
            name: String::new(),
            home: "/".into(),
            shell: "/bin/sh".into(),
        },
    }))
}

/// Finds `program` on `PATH` (from the unit's environment) when it is not absolute.
pub fn resolve_path(program: &str, env: &[(String, String)]) -> Option<PathBuf> {
    let executable = |p: &Path| p.is_file() && access(p, AccessFlags::X_OK).is_ok();
    if program.starts_with('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let path = env.iter().rev().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str()).unwrap_or(DEFAULT_PATH);
    path.split(':').map(|d| Path::new(d).join(program)).find(|p| executable(p))
}

/// systemd's PATH for services.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Everything needed to start one process of a unit.
pub struct Spawn<'a> {
    pub program: &'a Path,
    /// argv, argv\[0\] included.
    pub argv: &'a [String],
    pub env: &'a [(String, String)],
    pub cwd: &'a Path,
    pub creds: Option<&'a Creds>,
    pub cgroup: Option<&'a UnitCgroup>,
    pub journal: Arc<Writer>,
    /// The name journal lines carry (the basename of argv\[0\]).
    pub ident: String,
}

/// Starts the process and the threads that copy its output into the journal. Returns its PID.
pub fn spawn(s: Spawn) -> std::io::Result<i32> {
    let mut cmd = Command::new(s.program);
    cmd.arg0(&s.argv[0]).args(&s.argv[1..]).env_clear().envs(s.env.iter().map(|(k, v)| (k, v)));
    cmd.current_dir(s.cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let procs: Vec<CString> = s.cgroup.map(|c| c.procs_files()).unwrap_or_default();
    let creds = s.creds.cloned();
    let groups: Option<Vec<libc::gid_t>> = creds.as_ref().map(|c| {
        let name = CString::new(c.name.clone()).unwrap_or_default();
        if c.name.is_empty() {
            return vec![c.gid];
        }
        nix::unistd::getgrouplist(&name, c.gid.into())
            .map(|g| g.into_iter().map(|g| g.as_raw()).collect())
            .unwrap_or_else(|_| vec![c.gid])
    });
    // SAFETY: between fork and exec only async-signal-safe calls are made (setsid, open, write,
    // close, sigprocmask, setgroups, setgid, setuid), on data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The first file is the unit's v2 cgroup: a process that can't be put there would
            // be invisible to stop, so that is an error. The v1 memory group is best effort.
            for (i, p) in procs.iter().enumerate() {
                let fd = libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                let ok = fd >= 0 && libc::write(fd, b"0".as_ptr().cast(), 1) == 1;
                if fd >= 0 {
                    libc::close(fd);
                }
                if !ok && i == 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
            if let (Some(c), Some(g)) = (&creds, &groups)
                && (libc::setgroups(g.len(), g.as_ptr()) != 0
                    || libc::setgid(c.gid) != 0
                    || libc::setuid(c.uid) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = {
        let _g = REAP_LOCK.lock();
        cmd.spawn()?
    };
    let pid = child.id() as i32;
    for (pipe, stream) in [
        (child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>), "stdout"),
        (child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>), "stderr"),
    ] {
        let Some(mut pipe) = pipe else { continue };
        let journal = s.journal.clone();
        let ident = s.ident.clone();
        std::thread::Builder::new().name(format!("out-{pid}")).spawn(move || {
            let mut split = LineSplitter::default();
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => split.push(&buf[..n], |l| journal.append(pid as u32, &ident, stream, l)),
                }
            }
            split.finish(|l| journal.append(pid as u32, &ident, stream, l));
        })?;
    }
    // The daemon reaps it (signals.rs); dropping Child neither waits nor kills.
    drop(child);
    Ok(pid)
}

/// Is there a process group with this ID?
pub fn group_alive(pgid: i32) -> bool {
    pgid > 0 && killpg(Pid::from_raw(pgid), None).is_ok()
}

/// Is there a process with this PID (a zombie not yet reaped counts)?
pub fn alive(pid: i32) -> bool {
    pid > 0 && kill(Pid::from_raw(pid), None).is_ok()
}

/// Every live process whose environment carries `INVOCATION_ID=id` (how units are found where
/// no cgroup could be made).
pub fn pids_with_invocation(id: &str) -> Vec<i32> {
    let needle = format!("INVOCATION_ID={id}");
    let Ok(rd) = std::fs::read_dir("/proc") else { return Vec::new() };
    rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|&b| b == 0).any(|kv| kv == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// `/proc/PID/cmdline` as one line (for status's process list).
pub fn cmdline(pid: i32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let parts: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `/proc/PID/comm`.
pub fn comm(pid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).ok().map(|s| s.trim_end().to_string())
}
