//! Desired and current states, and what `load`, `start`, `stop` and `unload` wait for.
//!
//! A unit's current state is fleet's: `inactive` while no machine reports it (with the
//! submitted file), else what its agent did — `loaded`, or `launched` once started. The waits
//! look every 250 ms, about 2 s per attempt (`--block-attempts`), and — unlike fleetctl, which
//! waited in silence forever — stop with the reason when the engine cannot place the unit, no
//! engine runs, or the unit failed to start.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{Block, Ctx, Res, Stop};
use crate::sched::records::{Desired, MachineRecord, UnitRecord, UnitState};

/// How a machine is shown: `1fe6d57e.../172.30.0.11` (the full ID with `full`).
pub fn machine_legend(id: &str, machines: &BTreeMap<String, MachineRecord>, full: bool) -> String {
    let short = if full || id.len() <= 8 { id.to_string() } else { format!("{}...", &id[..8]) };
    match machines.get(id) {
        Some(m) if !m.public_ip.is_empty() => format!("{short}/{}", m.public_ip),
        _ => short,
    }
}

/// The reports that count for `u`: from live machines, about the file submitted now.
pub fn live_states<'a>(
    u: &UnitRecord,
    states: &'a BTreeMap<String, UnitState>,
    machines: &BTreeMap<String, MachineRecord>,
) -> Vec<&'a UnitState> {
    states.values().filter(|s| machines.contains_key(&s.machine) && s.hash == u.hash).collect()
}

/// fleet's current state, and the machine it is on (the most advanced report wins while a
/// unit moves).
pub fn current(
    u: &UnitRecord,
    states: &BTreeMap<String, UnitState>,
    machines: &BTreeMap<String, MachineRecord>,
) -> (Desired, Option<String>) {
    live_states(u, states, machines)
        .into_iter()
        .max_by_key(|s| (s.job, s.active == "active"))
        .map(|s| (s.job, Some(s.machine.clone())))
        .unwrap_or((Desired::Inactive, None))
}

/// What one look at a unit found.
enum Look {
    Reached(Option<String>),
    Waiting,
    Gone,
}

const TICK: Duration = Duration::from_millis(250);
const ATTEMPT: Duration = Duration::from_secs(2);
/// A reason or a missing engine is reported once it has lasted this long.
const PATIENCE: Duration = Duration::from_secs(2);

/// Waits until every unit's current state is `want`, printing `Unit X loaded on M` (fleet's
/// line) for each as it gets there; with `--no-block`, prints `Triggered unit X VERB` instead.
pub fn wait(ctx: &mut Ctx, names: &[String], want: Desired, block: &Block, verb: &str) -> Res {
    if block.no_block {
        for n in names {
            if ctx.json {
                ctx.print_json(&serde_json::json!({"unit": n, "triggered": verb}))?;
            } else {
                ctx.say(format!("Triggered unit {n} {verb}"))?;
            }
        }
        return Ok(());
    }
    for n in names {
        wait_one(ctx, n, want, block.block_attempts)?;
    }
    Ok(())
}

fn look(ctx: &Ctx, name: &str, want: Desired) -> Result<(Look, BTreeMap<String, MachineRecord>), String> {
    let Some((u, _)) =
        ctx.reg.unit(name).map_err(|e| format!("Error retrieving Unit({name}) from Registry: {e}"))?
    else {
        return Ok((Look::Gone, BTreeMap::new()));
    };
    let machines = ctx.reg.machines().map_err(|e| e.to_string())?;
    let states = ctx.reg.states_of(name).map_err(|e| e.to_string())?;
    let (cur, machine) = current(&u, &states, &machines);
    Ok((if cur == want { Look::Reached(machine) } else { Look::Waiting }, machines))
}

fn wait_one(ctx: &mut Ctx, name: &str, want: Desired, attempts: u32) -> Res {
    let start = Instant::now();
    let mut trouble: Option<(String, Instant)> = None;
    loop {
        match look(ctx, name, want) {
            Ok((Look::Reached(machine), machines)) => {
                let mut line = format!("Unit {name} {want}");
                if let Some(m) = &machine {
                    line.push_str(&format!(" on {}", machine_legend(m, &machines, false)));
                }
                return if ctx.json {
                    ctx.print_json(
                        &serde_json::json!({"unit": name, "state": want.name(), "machine": machine}),
                    )
                } else {
                    ctx.say(line)
                };
            }
            Ok((Look::Gone, _)) => return Err(ctx.fail(format!("Unit {name} not found"))),
            Ok((Look::Waiting, _)) => {}
            Err(e) => log::debug!("{e}"),
        }
        if want != Desired::Inactive
            && let Some(why) = obstacle(ctx, name)
        {
            match &trouble {
                Some((w, since)) if *w == why && since.elapsed() >= PATIENCE => {
                    return Err(ctx.fail(format!("Unit {name} cannot be placed: {why}")));
                }
                Some((w, _)) if *w == why => {}
                _ => trouble = Some((why, Instant::now())),
            }
        } else {
            trouble = None;
        }
        if attempts > 0 && start.elapsed() >= ATTEMPT * attempts {
            ctx.remark(format!(
                "Error waiting for units: timed out waiting for unit {name} to report state {want}"
            ));
            return Err(ctx.fail("Error waiting for unit states, exit status: 1"));
        }
        std::thread::sleep(TICK);
    }
}

/// Why a unit is not getting placed, if the store says: the engine's stored reason, or no
/// engine at all.
fn obstacle(ctx: &Ctx, name: &str) -> Option<String> {
    if let Ok(Some(r)) = ctx.reg.reason(name) {
        return Some(r);
    }
    match ctx.reg.lease() {
        Ok(None) => Some(format!(
            "no engine is running (nothing holds {}); start `unit-sched engine` on a machine",
            ctx.reg.keys.lease()
        )),
        _ => None,
    }
}

/// After `start`: waits until each unit's machine reports it `active` (silently, as
/// fleetctl), and reports a unit that failed instead.
pub fn wait_active(ctx: &mut Ctx, names: &[String], block: &Block) -> Res {
    if block.no_block {
        return Ok(());
    }
    for name in names {
        let start = Instant::now();
        // Started, then down again (a dependency that failed, a main process that ended at
        // once): said once it has lasted a moment, not waited for forever.
        let mut down_since: Option<Instant> = None;
        loop {
            let got = (|| -> Result<Option<UnitState>, crate::client::Error> {
                let Some((u, _)) = ctx.reg.unit(name)? else { return Ok(None) };
                let machines = ctx.reg.machines()?;
                let states = ctx.reg.states_of(name)?;
                Ok(live_states(&u, &states, &machines).into_iter().max_by_key(|s| s.job).cloned())
            })();
            match got {
                Ok(Some(s)) if s.active == "active" && s.load == "loaded" => break,
                Ok(Some(s)) if s.active == "failed" => {
                    return Err(ctx.fail(format!(
                        "Unit {name} failed to start ({}); see `unit-sched status {name}`",
                        s.sub
                    )));
                }
                Ok(None) => return Err(ctx.fail(format!("Unit {name} not found"))),
                Ok(Some(s)) if s.job == Desired::Launched && s.active == "inactive" => {
                    let since = *down_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= PATIENCE {
                        return Err(ctx.fail(format!(
                            "Unit {name} did not stay up ({} ({})); see `unit-sched status {name}`",
                            s.active, s.sub
                        )));
                    }
                }
                _ => down_since = None,
            }
            if block.block_attempts > 0 && start.elapsed() >= ATTEMPT * block.block_attempts {
                ctx.remark(format!(
                    "Error waiting for units: timed out waiting for unit {name} to report active state"
                ));
                return Err(Stop(super::exit::FAILED));
            }
            std::thread::sleep(TICK);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(machine: &str, job: Desired, hash: &str) -> UnitState {
        UnitState {
            job,
            load: "loaded".into(),
            active: "active".into(),
            sub: "running".into(),
            hash: hash.into(),
            machine: machine.into(),
        }
    }

    #[test]
    fn current_state_counts_live_machines_and_the_submitted_file_only() {
        let u = UnitRecord {
            name: "a.service".into(),
            hash: "h2".into(),
            desired: Desired::Launched,
            requirements: Default::default(),
            description: String::new(),
        };
        let machines: BTreeMap<String, MachineRecord> = [("m1", "10.0.0.1"), ("m2", "10.0.0.2")]
            .iter()
            .map(|(id, ip)| {
                (
                    id.to_string(),
                    MachineRecord { id: id.to_string(), public_ip: ip.to_string(), ..Default::default() },
                )
            })
            .collect();
        let mut states = BTreeMap::new();
        assert_eq!(current(&u, &states, &machines), (Desired::Inactive, None));
        states.insert("m1".into(), state("m1", Desired::Launched, "h1"));
        assert_eq!(current(&u, &states, &machines).0, Desired::Inactive, "an old file does not count");
        states.insert("m2".into(), state("m2", Desired::Loaded, "h2"));
        assert_eq!(current(&u, &states, &machines), (Desired::Loaded, Some("m2".into())));
        states.insert("m3".into(), state("m3", Desired::Launched, "h2"));
        assert_eq!(current(&u, &states, &machines).0, Desired::Loaded, "a dead machine does not count");
        assert_eq!(machine_legend("1fe6d57e76314569b681779222546c4c", &machines, false), "1fe6d57e...");
        assert_eq!(machine_legend("m1", &machines, false), "m1/10.0.0.1");
    }
}
