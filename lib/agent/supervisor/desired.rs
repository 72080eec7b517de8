//! The units meant to be running, kept in `RUN_DIR/unit-run/desired.json` whenever that
//! changes, so that the next daemon on the run dir starts them again ([`Supervisor::restore`]).
//! A shutdown stops units but keeps the file as it was.

use nix::sys::signal::Signal;

use super::Supervisor;
use super::jobs::nobody;
use super::state::Sub;
use super::unit::Definition;
use crate::unit::name::UnitName;
use crate::unit::service::parse_unit;

impl Supervisor {
    pub(super) fn save_desired(&self) {
        if self.shutting_down {
            return;
        }
        let started: Vec<&str> = self
            .units
            .iter()
            .filter(|(_, rt)| {
                rt.pending_start
                    || rt.then_start
                    || ((rt.sub.is_up() || rt.sub.is_starting() || rt.sub == Sub::AutoRestart)
                        && !rt.pending_stop)
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if let Err(e) = self.run.write_desired(&started) {
            log::warn!("saving desired states: {e}");
        }
    }

    /// Loads the unit files kept in the run dir and starts those that were meant to run.
    /// What an earlier daemon left running is stopped, never adopted: its processes are
    /// killed and the unit started afresh.
    pub(crate) fn restore(&mut self) {
        let desired = self.run.read_desired();
        let Ok(rd) = std::fs::read_dir(self.run.units()) else { return };
        let mut names: Vec<String> = rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        names.sort();
        for name in names {
            if name.starts_with('.') || crate::unit::name::check_name(&name).is_err() {
                continue;
            }
            let path = self.run.units().join(&name);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            if UnitName::parse(&name).map(|n| n.is_template()).unwrap_or(true) {
                continue;
            }
            match self.ctx(&name).and_then(|ctx| {
                parse_unit(&name, &path.display().to_string(), &text, &ctx).map_err(|e| e.to_string())
            }) {
                Ok(unit) => {
                    if let Some(def) = Definition::new(unit) {
                        self.install(name, def, path);
                    }
                }
                Err(e) => log::warn!("{e}"),
            }
        }
        for name in self.cgroups.populated_units() {
            if let Some(cg) = self.cgroups.unit(&name) {
                log::info!("{name}: killing {} process(es) left by an earlier daemon", cg.pids().len());
                cg.kill(Signal::SIGKILL);
            }
        }
        self.report_leftover_containers(&desired);
        for name in desired {
            if self.units.contains_key(&name) {
                self.request_start(&name, nobody(), true);
            }
        }
    }
}
