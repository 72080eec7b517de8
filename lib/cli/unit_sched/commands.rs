//! The verbs that change what the cluster wants: fleetctl's texts and statuses.

use super::create::{create, mangle, refuse_template};
use super::states::{self, current};
use super::{Block, Ctx, Res};
use crate::sched::records::{Desired, UnitRecord};

pub fn submit(ctx: &mut Ctx, args: &[String], replace: bool) -> Res {
    create(ctx, "submit", args, replace, Desired::Inactive).map(|_| ())
}

/// Sets `want` on each unit whose desired state differs (fleetctl's setTargetStateOfUnits);
/// returns every unit named (fleetctl waited only for those it changed, so a second `start` of
/// a unit that never came up said nothing).
fn set_desired(
    ctx: &mut Ctx,
    names: &[String],
    want: Desired,
    verb: &str,
) -> Result<Vec<UnitRecord>, super::Stop> {
    let mut changed = Vec::new();
    // Many names: one listing instead of a read each.
    let listed = if names.len() > 16 {
        match ctx.reg.units() {
            Ok((all, _)) => Some(all),
            Err(e) => return Err(ctx.fail(format!("Error {verb} units: {e}"))),
        }
    } else {
        None
    };
    for n in names {
        let got = match &listed {
            Some(all) => Ok(all.get(n).cloned().map(|u| (u, 0))),
            None => ctx.reg.unit(n),
        };
        let u = match got {
            Ok(Some((u, _))) => u,
            Ok(None) => return Err(ctx.fail(format!("Error {verb} units: unable to find unit {n}"))),
            Err(e) => {
                return Err(
                    ctx.fail(format!("Error {verb} units: error retrieving unit {n} from registry: {e}"))
                );
            }
        };
        if u.desired == want {
            changed.push(u);
            continue;
        }
        match ctx.reg.set_desired(n, want) {
            Ok(Some(u)) => changed.push(u),
            Ok(None) => return Err(ctx.fail(format!("Error {verb} units: unable to find unit {n}"))),
            Err(e) => return Err(ctx.fail(format!("Error {verb} units: {e}"))),
        }
    }
    Ok(changed)
}

/// Global units are not waited for: fleetctl says `Triggered global unit X VERB`.
fn split_global(ctx: &mut Ctx, units: Vec<UnitRecord>, verb: &str) -> Result<Vec<String>, super::Stop> {
    let mut wait = Vec::new();
    for u in units {
        if u.requirements.global {
            if ctx.json {
                ctx.print_json(&serde_json::json!({"unit": u.name, "triggered": verb, "global": true}))?;
            } else {
                ctx.say(format!("Triggered global unit {} {verb}", u.name))?;
            }
        } else {
            wait.push(u.name);
        }
    }
    Ok(wait)
}

pub fn load(ctx: &mut Ctx, args: &[String], block: &Block, replace: bool) -> Res {
    for a in args {
        refuse_template(ctx, &mangle(a), "load")?;
    }
    let names = create(ctx, "load", args, replace, Desired::Loaded)?;
    let changed = set_desired(ctx, &names, Desired::Loaded, "loading")?;
    let wait = split_global(ctx, changed, "load")?;
    states::wait(ctx, &wait, Desired::Loaded, block, "load")
}

pub fn start(ctx: &mut Ctx, args: &[String], block: &Block, replace: bool) -> Res {
    for a in args {
        refuse_template(ctx, &mangle(a), "start")?;
    }
    let names = create(ctx, "start", args, replace, Desired::Launched)?;
    let changed = set_desired(ctx, &names, Desired::Launched, "starting")?;
    let wait = split_global(ctx, changed, "start")?;
    states::wait(ctx, &wait, Desired::Launched, block, "start")?;
    states::wait_active(ctx, &wait, block)
}

/// The units named that exist, in order; fleetctl's "Units not found in registry" when none.
fn find(ctx: &mut Ctx, args: &[String]) -> Result<Vec<UnitRecord>, super::Stop> {
    let mut out = Vec::new();
    for a in args {
        let n = mangle(a);
        match ctx.reg.unit(&n) {
            Ok(Some((u, _))) => out.push(u),
            Ok(None) => {}
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    Ok(out)
}

fn current_of(ctx: &mut Ctx, u: &UnitRecord) -> Result<Desired, super::Stop> {
    let machines = ctx.reg.machines().map_err(|e| ctx.fail(e))?;
    let st = ctx.reg.states_of(&u.name).map_err(|e| ctx.fail(e))?;
    Ok(current(u, &st, &machines).0)
}

pub fn stop(ctx: &mut Ctx, args: &[String], block: &Block) -> Res {
    let units = find(ctx, args)?;
    if units.is_empty() {
        ctx.remark("Units not found in registry");
        return Ok(());
    }
    let mut stopping = Vec::new();
    for u in units {
        if !u.requirements.global {
            match current_of(ctx, &u)? {
                Desired::Inactive => {
                    return Err(ctx.fail(format!("Unable to stop unit {} in state inactive", u.name)));
                }
                Desired::Loaded => continue,
                Desired::Launched => {}
            }
        }
        if let Err(e) = ctx.reg.set_desired(&u.name, Desired::Loaded) {
            return Err(ctx.fail(e));
        }
        if u.requirements.global {
            ctx.say(format!("Triggered global unit {} stop", u.name))?;
        } else {
            stopping.push(u.name);
        }
    }
    if let Err(s) = states::wait(ctx, &stopping, Desired::Loaded, block, "stop") {
        ctx.remark(format!("Failed to stop units {}.", go_list(&stopping)));
        return Err(s);
    }
    if !block.no_block {
        ctx.remark(format!("Successfully stopped units {}.", go_list(&stopping)));
    }
    Ok(())
}

pub fn unload(ctx: &mut Ctx, args: &[String], block: &Block) -> Res {
    let units = find(ctx, args)?;
    if units.is_empty() {
        ctx.remark("Units not found in registry");
        return Ok(());
    }
    let mut wait = Vec::new();
    for u in units {
        if !u.requirements.global
            && current_of(ctx, &u)? == Desired::Inactive
            && u.desired == Desired::Inactive
        {
            continue;
        }
        if let Err(e) = ctx.reg.set_desired(&u.name, Desired::Inactive) {
            return Err(ctx.fail(e));
        }
        if u.requirements.global {
            ctx.say(format!("Triggered global unit {} unload", u.name))?;
        } else {
            wait.push(u.name);
        }
    }
    if let Err(s) = states::wait(ctx, &wait, Desired::Inactive, block, "unload") {
        ctx.remark(format!("Failed to unload units {}.", go_list(&wait)));
        return Err(s);
    }
    if !block.no_block {
        ctx.remark(format!("Successfully unloaded units {}.", go_list(&wait)));
    }
    Ok(())
}

pub fn destroy(ctx: &mut Ctx, args: &[String], block: &Block) -> Res {
    let units = find(ctx, args)?;
    if units.is_empty() {
        ctx.remark("Units not found in registry");
        return Ok(());
    }
    let mut status = Ok(());
    for u in units {
        match ctx.reg.destroy_unit(&u.name) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                status = Err(ctx.fail(format!("Error destroying units: {e}")));
                continue;
            }
        }
        // Waiting (unless --no-block) until no machine reports it any more.
        if !block.no_block && !u.requirements.global {
            let start = std::time::Instant::now();
            loop {
                let machines = ctx.reg.machines().unwrap_or_default();
                let left = ctx.reg.states_of(&u.name).unwrap_or_default();
                if !left.values().any(|s| machines.contains_key(&s.machine)) {
                    break;
                }
                if block.block_attempts > 0
                    && start.elapsed() >= std::time::Duration::from_secs(2) * block.block_attempts
                {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        }
        if ctx.json {
            ctx.print_json(&serde_json::json!({"unit": u.name, "destroyed": true}))?;
        } else {
            ctx.say(format!("Destroyed {}", u.name))?;
        }
    }
    status
}

/// fleet v1.0's restart: stop, then start.
pub fn restart(ctx: &mut Ctx, args: &[String], block: &Block) -> Res {
    let units = find(ctx, args)?;
    if units.is_empty() {
        ctx.remark("Units not found in registry");
        return Ok(());
    }
    let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    for u in &units {
        if let Err(e) = ctx.reg.set_desired(&u.name, Desired::Loaded) {
            return Err(ctx.fail(e));
        }
    }
    let plain: Vec<String> =
        units.iter().filter(|u| !u.requirements.global).map(|u| u.name.clone()).collect();
    states::wait(
        ctx,
        &plain,
        Desired::Loaded,
        &Block { no_block: false, block_attempts: block.block_attempts },
        "stop",
    )?;
    let changed = set_desired(ctx, &names, Desired::Launched, "starting")?;
    let wait = split_global(ctx, changed, "start")?;
    states::wait(ctx, &wait, Desired::Launched, block, "start")?;
    states::wait_active(ctx, &wait, block)
}

pub fn cat(ctx: &mut Ctx, arg: &str) -> Res {
    let name = mangle(arg);
    let u = match ctx.reg.unit(&name) {
        Ok(Some((u, _))) => u,
        Ok(None) => return Err(ctx.fail(format!("Unit {name} not found"))),
        Err(e) => return Err(ctx.fail(format!("Error retrieving Unit {name}: {e}"))),
    };
    let text = match ctx.reg.text(&u.hash) {
        Ok(Some(t)) => t,
        Ok(None) => return Err(ctx.fail(format!("the text of Unit {name} is missing from the registry"))),
        Err(e) => return Err(ctx.fail(format!("Error retrieving Unit {name}: {e}"))),
    };
    if ctx.json {
        return ctx.print_json(&serde_json::json!({"unit": name, "hash": u.hash, "text": text}));
    }
    use std::io::Write;
    ctx.out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(ctx.out)?;
    }
    Ok(())
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(names: &[String]) -> String {
    format!("[{}]", names.join(" "))
}
