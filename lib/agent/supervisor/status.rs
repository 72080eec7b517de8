//! The answers to status and list: a unit's state, processes, resources (from its cgroup) and
//! warnings; the containers are filled in outside the supervisor thread (see
//! `crate::agent::handle`), so a slow Docker engine never holds up units.

use super::Supervisor;
use super::state::LoadState;
use crate::agent::process;
use crate::agent::protocol::{ListEntry, UnitStatus};

impl Supervisor {
    pub(super) fn status(&self, n: &str) -> Option<UnitStatus> {
        let rt = self.units.get(n)?;
        let live = if rt.sub.is_down() { Vec::new() } else { self.unit_pids(n, true) };
        let mut cgroup_processes: Vec<(i32, String)> =
            live.iter().filter_map(|p| process::cmdline(*p).map(|c| (*p, c))).collect();
        cgroup_processes.sort();
        let cg = rt.cgroup.as_ref().filter(|_| !rt.sub.is_down());
        Some(UnitStatus {
            name: n.to_string(),
            description: rt.def.description().to_string(),
            load_state: LoadState::Loaded,
            path: rt.file.display().to_string(),
            active_state: rt.sub.active(),
            sub_state: rt.sub,
            result: rt.result,
            since: rt.since,
            main_pid: rt.main_pid,
            main_comm: rt.main_pid.and_then(process::comm),
            main_exit: rt.main_exit.map(|e| e.describe()),
            last_main_pid: rt.last_main_pid,
            processes: rt.processes.clone(),
            tasks: cg.and_then(|c| c.tasks()),
            memory_bytes: cg.and_then(|c| c.memory_bytes()),
            cpu_usec: cg.and_then(|c| c.cpu_usec()),
            cgroup: cg.map(|c| c.relative.clone()),
            cgroup_processes,
            container_names: rt.def.container_names.clone(),
            containers: Vec::new(),
            docker_error: None,
            restarts: rt.restarts,
            hostname: self.hostname.clone(),
            warnings: rt.def.unit.warnings.iter().map(|w| w.to_string()).collect(),
        })
    }

    pub(super) fn list(&self) -> Vec<ListEntry> {
        self.units
            .iter()
            .map(|(n, rt)| ListEntry {
                unit: n.clone(),
                load: LoadState::Loaded,
                active: rt.sub.active(),
                sub: rt.sub,
                description: rt.def.description().to_string(),
                main_pid: rt.main_pid,
                hash: rt.loaded_hash().to_string(),
            })
            .collect()
    }
}
