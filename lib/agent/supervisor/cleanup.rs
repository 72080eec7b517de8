//! Containers: the last step of a stop removes the containers the unit named (`docker run
//! --name X`) or labelled (`corekit.unit=%n`) that are still there — on a thread of its own,
//! so a slow Docker engine never holds up other units; it reports back with
//! [`super::Event::Cleaned`]. At daemon start, containers left by units not meant to run are
//! reported.

use std::time::Duration;

use super::{Event, Supervisor};

/// The longest a container is given to stop before it is removed anyway.
const MAX_GRACE: Duration = Duration::from_secs(10);

impl Supervisor {
    pub(super) fn cleanup_containers(&mut self, n: &str) {
        let Some(rt) = self.units.get_mut(n) else { return };
        rt.cleanup_gen += 1;
        let generation = rt.cleanup_gen;
        let mut targets = rt.def.container_names.clone();
        let grace = rt.def.service.timeout_stop.unwrap_or(MAX_GRACE).min(MAX_GRACE);
        let (docker, tx, journal, pid) =
            (self.docker.clone(), self.tx.clone(), rt.journal.clone(), self.daemon_pid);
        let unit = n.to_string();
        let spawned = std::thread::Builder::new().name("cleanup".into()).spawn(move || {
            // Named containers, and any container labelled with this unit.
            if let Ok(all) = docker.all() {
                for c in all {
                    if c.unit_label.as_deref() == Some(unit.as_str()) && !targets.contains(&c.name) {
                        targets.push(c.name);
                    }
                }
            } else if targets.is_empty() {
                let _ = tx.send(Event::Cleaned(unit, generation));
                return;
            }
            for name in targets {
                let line = match docker.remove(&name, grace) {
                    Ok(true) => format!("{unit}: Removed container {name} left behind by the unit."),
                    Ok(false) => continue,
                    Err(e) => format!("{unit}: {e}"),
                };
                journal.append(pid, "unit-run", "unit-run", &line);
            }
            let _ = tx.send(Event::Cleaned(unit, generation));
        });
        if let Err(e) = spawned {
            // No thread, no cleanup: the stop goes on without it.
            self.log(n, &format!("Cannot remove the unit's containers: {e}"));
            self.finish(n);
        }
    }

    /// Logs containers on the engine that belong to a loaded unit (by name or label) or carry a
    /// unit's label, when that unit is not among those about to start.
    pub(super) fn report_leftover_containers(&self, desired: &[String]) {
        let Ok(all) = self.docker.all() else { return };
        for c in all {
            let owner = self
                .units
                .iter()
                .find(|(n, rt)| {
                    rt.def.container_names.contains(&c.name) || c.unit_label.as_deref() == Some(n.as_str())
                })
                .map(|(n, _)| n.clone())
                .or_else(|| c.unit_label.clone());
            if let Some(owner) = owner
                && !desired.contains(&owner)
            {
                log::info!(
                    "container {} ({}, {}) was left by {owner}, which is not running",
                    c.name,
                    c.image,
                    c.state
                );
            }
        }
    }
}
