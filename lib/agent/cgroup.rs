//! Control groups: each unit's processes in a cgroup of their own, so that stop finds every
//! process the unit made (double-forked daemons included) and status can show Tasks, Memory
//! and CPU.
//!
//! Where a cgroup v2 hierarchy is mounted and writable (pure v2 at /sys/fs/cgroup, or the
//! hybrid layout's /sys/fs/cgroup/unified), the daemon makes `unit-run-TAG/` under its own
//! cgroup and `unit-run-TAG/UNIT/` per unit; processes are moved there before they exec. On a
//! hybrid machine whose v2 hierarchy has no memory controller, a parallel group in the v1
//! memory hierarchy gives Memory. Where nothing can be made (no cgroupfs, no permission),
//! units still run, tracked by process group and INVOCATION_ID (see `supervisor`), and status
//! leaves Tasks/Memory/CPU out.

use std::ffi::CString;
use std::fs;
use std::path::{Path, PathBuf};

use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// Where this daemon makes its units' cgroups.
#[derive(Clone, Debug, Default)]
pub struct Cgroups {
    v2: Option<PathBuf>,
    memory_v1: Option<PathBuf>,
    /// The v2 path as /proc/PID/cgroup shows it (for status's `CGroup:` line).
    v2_relative: String,
}

/// One unit's cgroup(s).
#[derive(Clone, Debug)]
pub struct UnitCgroup {
    v2: Option<PathBuf>,
    memory_v1: Option<PathBuf>,
    pub relative: String,
}

fn mounts() -> Vec<(PathBuf, String, String)> {
    // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS
    let text = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let mnt = left.split(' ').nth(4)?;
            let mut r = right.split(' ');
            let fstype = r.next()?.to_string();
            let superopts = r.nth(1).unwrap_or("").to_string();
            Some((PathBuf::from(mnt.replace("\\040", " ")), fstype, superopts))
        })
        .collect()
}

fn own_cgroup(controller: Option<&str>) -> Option<String> {
    let text = fs::read_to_string("/proc/self/cgroup").ok()?;
    text.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
        let hit = match controller {
            None => ctrls.is_empty(),
            Some(c) => ctrls.split(',').any(|x| x == c),
        };
        hit.then(|| path.to_string())
    })
}

fn join(base: &Path, rel: &str) -> PathBuf {
    base.join(rel.trim_start_matches('/'))
}

impl Cgroups {
    /// Finds (and makes) this daemon's cgroup dirs. `tag` tells daemons on one machine apart.
    pub fn detect(tag: &str) -> Cgroups {
        let mounts = mounts();
        let mut cg = Cgroups::default();
        let dir = format!("unit-run-{tag}");
        if let Some((mnt, _, _)) = mounts.iter().find(|(_, t, _)| t == "cgroup2")
            && let Some(own) = own_cgroup(None)
        {
            let base = join(&join(mnt, &own), &dir);
            if fs::create_dir_all(&base).is_ok() && base.join("cgroup.procs").exists() {
                // Best effort: the controllers our parent delegates, for memory.current etc.
                let offered = fs::read_to_string(base.join("cgroup.controllers")).unwrap_or_default();
                for c in ["memory", "pids", "cpu"] {
                    if offered.split_whitespace().any(|x| x == c) {
                        let _ = fs::write(base.join("cgroup.subtree_control"), format!("+{c}"));
                    }
                }
                cg.v2_relative = format!("{}/{dir}", own.trim_end_matches('/'));
                cg.v2 = Some(base);
            }
        }
        let v2_has_memory = cg
            .v2
            .as_ref()
            .map(|b| {
                fs::read_to_string(b.join("cgroup.subtree_control")).unwrap_or_default().contains("memory")
            })
            .unwrap_or(false);
        if !v2_has_memory
            && let Some((mnt, _, _)) =
                mounts.iter().find(|(_, t, o)| t == "cgroup" && o.split(',').any(|x| x == "memory"))
            && let Some(own) = own_cgroup(Some("memory"))
        {
            let base = join(&join(mnt, &own), &dir);
            if fs::create_dir_all(&base).is_ok() && base.join("cgroup.procs").exists() {
                cg.memory_v1 = Some(base);
            }
        }
        cg
    }

    /// Removes this daemon's (empty) cgroup dirs, at exit.
    pub fn remove_base(&self) {
        for p in [&self.v2, &self.memory_v1].into_iter().flatten() {
            let _ = fs::remove_dir(p);
        }
    }

    pub fn available(&self) -> bool {
        self.v2.is_some()
    }

    /// Makes (or finds) a unit's cgroup.
    pub fn unit(&self, unit: &str) -> Option<UnitCgroup> {
        let v2 = self.v2.as_ref().map(|b| b.join(unit)).filter(|p| fs::create_dir_all(p).is_ok());
        v2.as_ref()?;
        let memory_v1 =
            self.memory_v1.as_ref().map(|b| b.join(unit)).filter(|p| fs::create_dir_all(p).is_ok());
        Some(UnitCgroup { v2, memory_v1, relative: format!("{}/{unit}", self.v2_relative) })
    }

    /// Units whose cgroups still hold processes (left by an earlier daemon).
    pub fn populated_units(&self) -> Vec<String> {
        let Some(base) = &self.v2 else { return Vec::new() };
        let Ok(rd) = fs::read_dir(base) else { return Vec::new() };
        rd.filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|u| self.unit(u).is_some_and(|c| !c.pids().is_empty()))
            .collect()
    }
}

impl UnitCgroup {
    /// The `cgroup.procs` files a new process writes "0" into before it execs.
    pub fn procs_files(&self) -> Vec<CString> {
        [&self.v2, &self.memory_v1]
            .into_iter()
            .flatten()
            .filter_map(|p| CString::new(p.join("cgroup.procs").into_os_string().into_encoded_bytes()).ok())
            .collect()
    }

    /// Every process in the unit's cgroup.
    pub fn pids(&self) -> Vec<i32> {
        let Some(p) = &self.v2 else { return Vec::new() };
        read_ids(&p.join("cgroup.procs"))
    }

    /// Sends `sig` to every process in the cgroup; SIGKILL through `cgroup.kill` where the
    /// kernel has it (no process can fork its way out of that).
    pub fn kill(&self, sig: Signal) {
        if let Some(p) = &self.v2
            && sig == Signal::SIGKILL
            && fs::write(p.join("cgroup.kill"), "1").is_ok()
        {
            return;
        }
        for pid in self.pids() {
            // A stale pid gives ESRCH: nothing to do.
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
        }
    }

    pub fn tasks(&self) -> Option<u64> {
        let p = self.v2.as_ref()?;
        if let Ok(s) = fs::read_to_string(p.join("pids.current")) {
            return s.trim().parse().ok();
        }
        Some(read_ids(&p.join("cgroup.threads")).len() as u64)
    }

    pub fn memory_bytes(&self) -> Option<u64> {
        if let Some(p) = &self.v2
            && let Ok(s) = fs::read_to_string(p.join("memory.current"))
        {
            return s.trim().parse().ok();
        }
        let p = self.memory_v1.as_ref()?;
        fs::read_to_string(p.join("memory.usage_in_bytes")).ok()?.trim().parse().ok()
    }

    pub fn cpu_usec(&self) -> Option<u64> {
        let p = self.v2.as_ref()?;
        let s = fs::read_to_string(p.join("cpu.stat")).ok()?;
        s.lines().find_map(|l| l.strip_prefix("usage_usec ")).and_then(|v| v.trim().parse().ok())
    }

    /// Removes the (empty) cgroup dirs; a populated cgroup stays.
    pub fn remove(&self) {
        for p in [&self.v2, &self.memory_v1].into_iter().flatten() {
            let _ = fs::remove_dir(p);
        }
    }
}

fn read_ids(path: &Path) -> Vec<i32> {
    fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
}
