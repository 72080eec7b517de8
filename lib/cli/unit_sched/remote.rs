//! `status` and `journal` of units on other machines, from their agents' HTTP ports — no SSH,
//! no ssh-agent (fleet's `status`/`journal` failed with exit 255 without one). `UNIT@MACHINE`
//! picks one machine (an ID prefix) for a global unit, or any unit.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use super::create::mangle;
use super::states::{current, live_states, machine_legend};
use super::{Ctx, Res};
use crate::agent::journal::Record;
use crate::agent::protocol::UnitStatus;
use crate::sched::records::{Desired, MachineRecord, UnitRecord, UnitState};

/// `croc.service@1fe6d5` → (`croc.service`, Some(`1fe6d5`)). A template instance keeps its
/// own `@`: only an `@` after the unit's suffix names a machine.
pub fn split_target(arg: &str) -> (String, Option<String>) {
    if let Some((unit, machine)) = arg.rsplit_once('@')
        && !machine.is_empty()
        && !machine.contains(['.', '/'])
        && crate::unit::name::UnitName::parse(unit).is_ok()
    {
        return (mangle(unit), Some(machine.to_string()));
    }
    (mangle(arg), None)
}

fn agent(tls: &crate::tls::ClientTls) -> ureq::Agent {
    ureq::Agent::config_builder()
        .tls_config(tls.ureq())
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(3)))
        .proxy(None)
        .build()
        .into()
}

struct Target {
    unit: UnitRecord,
    /// The machines to ask, with their records.
    on: Vec<MachineRecord>,
}

/// Where `arg`'s unit is, or fleetctl's message.
fn locate(ctx: &mut Ctx, arg: &str, verb: &str) -> Result<Target, super::Stop> {
    let (name, pick) = split_target(arg);
    let u = match ctx.reg.unit(&name) {
        Ok(Some((u, _))) => u,
        Ok(None) => return Err(ctx.fail(format!("Unit {name} does not exist."))),
        Err(e) => return Err(ctx.fail(format!("Error retrieving unit: {e}"))),
    };
    let machines = ctx.reg.machines().map_err(|e| ctx.fail(format!("Error retrieving unit: {e}")))?;
    let states = ctx.reg.states_of(&name).map_err(|e| ctx.fail(format!("Error retrieving unit: {e}")))?;
    let live: Vec<&UnitState> = live_states(&u, &states, &machines);
    let mut on: Vec<MachineRecord> = match &pick {
        Some(prefix) => {
            let found: Vec<&MachineRecord> =
                machines.values().filter(|m| m.id.starts_with(prefix.as_str())).collect();
            match found.as_slice() {
                [] => return Err(ctx.fail(format!("No machine {prefix} in the cluster."))),
                [m] if live.iter().any(|s| s.machine == m.id) => vec![(*m).clone()],
                [m] => {
                    return Err(ctx.fail(format!(
                        "Unit {name} does not run on {}.",
                        machine_legend(&m.id, &machines, false)
                    )));
                }
                _ => return Err(ctx.fail(format!("Machine ID prefix {prefix} matches several machines."))),
            }
        }
        None if u.requirements.global => {
            live.iter().filter_map(|s| machines.get(&s.machine)).cloned().collect()
        }
        None => {
            let (cur, machine) = current(&u, &states, &machines);
            if cur == Desired::Inactive {
                let what = if verb == "journal" { "running" } else { "loaded" };
                return Err(ctx.fail(format!("Unit {name} does not appear to be {what}.")));
            }
            machine.and_then(|m| machines.get(&m).cloned()).into_iter().collect()
        }
    };
    if on.is_empty() {
        return Err(ctx.fail(format!("Unit {name} does not appear to be loaded.")));
    }
    on.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Target { unit: u, on })
}

#[derive(serde::Deserialize)]
struct StatusAnswer {
    status: UnitStatus,
    #[serde(default)]
    journal: Vec<Record>,
}

fn fetch_status(tls: &crate::tls::ClientTls, m: &MachineRecord, unit: &str) -> Result<StatusAnswer, String> {
    if m.agent_url.is_empty() {
        return Err(format!("the agent on {} serves no status (it has no HTTP port)", m.id));
    }
    let url = format!("{}/v1/units/{unit}/status", m.agent_url.trim_end_matches('/'));
    let mut r = agent(tls)
        .get(&url)
        .config()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().map_err(|e| format!("{url}: {e}"))?;
    if status != 200 {
        let msg = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or(body);
        return Err(format!("{url}: {msg}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("{url}: {e}"))
}

pub fn status(ctx: &mut Ctx, args: &[String]) -> Res {
    let mut first = true;
    for arg in args {
        let t = locate(ctx, arg, "status")?;
        let several = t.on.len() > 1;
        let machines: BTreeMap<String, MachineRecord> =
            t.on.iter().map(|m| (m.id.clone(), m.clone())).collect();
        for m in &t.on {
            let got = fetch_status(&ctx.tls, m, &t.unit.name)
                .map_err(|e| ctx.fail(format!("Error retrieving the status of {}: {e}", t.unit.name)))?;
            if ctx.json {
                ctx.print_json(&serde_json::json!({
                    "unit": t.unit.name, "machine": m.id, "status": got.status, "journal": got.journal,
                }))?;
                continue;
            }
            if !first {
                writeln!(ctx.out)?;
            }
            first = false;
            if several {
                writeln!(ctx.out, "==> {} <==", machine_legend(&m.id, &machines, false))?;
            }
            let text =
                crate::agent::status::render(&got.status, &got.journal, crate::os::clock::now_micros());
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

pub fn journal(ctx: &mut Ctx, arg: &str, lines: usize, follow: bool) -> Res {
    let (_, pick) = split_target(arg);
    let t = locate(ctx, arg, "journal")?;
    if t.unit.requirements.global && pick.is_none() {
        return Err(ctx.fail(format!(
            "Unable to retrieve journal of global unit {}: name a machine ({}@MACHINE).",
            t.unit.name, t.unit.name
        )));
    }
    let Some(m) = t.on.first().cloned() else { return Err(ctx.fail("no machine")) };
    if m.agent_url.is_empty() {
        return Err(ctx.fail(format!("the agent on {} serves no journal (it has no HTTP port)", m.id)));
    }
    let url = format!(
        "{}/v1/units/{}/journal?lines={lines}{}",
        m.agent_url.trim_end_matches('/'),
        t.unit.name,
        if follow { "&follow=true" } else { "" }
    );
    let mut r = agent(&ctx.tls)
        .get(&url)
        .config()
        .timeout_global(if follow { None } else { Some(Duration::from_secs(10)) })
        .build()
        .call()
        .map_err(|e| ctx.fail(format!("Error retrieving the journal of {}: {url}: {e}", t.unit.name)))?;
    if r.status().as_u16() != 200 {
        let body = r.body_mut().read_to_string().unwrap_or_default();
        return Err(ctx.fail(format!("Error retrieving the journal of {}: {body}", t.unit.name)));
    }
    let host = if m.hostname.is_empty() { m.id.clone() } else { m.hostname.clone() };
    let reader = BufReader::new(r.body_mut().with_config().limit(u64::MAX).reader());
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let Ok(rec) = serde_json::from_str::<Record>(&line) else { continue };
        if ctx.json {
            ctx.print_json(&rec)?;
        } else {
            writeln!(ctx.out, "{}", rec.short(&host))?;
            if follow {
                ctx.out.flush()?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn unit_at_machine() {
        assert_eq!(split_target("croc.service@1fe6d5"), ("croc.service".into(), Some("1fe6d5".into())));
        assert_eq!(split_target("croc.service"), ("croc.service".into(), None));
        assert_eq!(split_target("web@1.service"), ("web@1.service".into(), None));
        assert_eq!(split_target("web@1.service@ab12"), ("web@1.service".into(), Some("ab12".into())));
        assert_eq!(split_target("croc"), ("croc.service".into(), None));
    }
}
