//! Units named on the command line: their names (`croc` is `croc.service`, a path's base name
//! is the unit's name), their files (a local file, else the template of an instance — from the
//! registry, else beside the path), checked as unit-run will read them, then submitted.
//! Every file is checked before anything is written: one bad file submits nothing.

use std::path::Path;

use super::{Ctx, Stop};
use crate::sched::records::{Desired, UnitRecord, text_hash};
use crate::sched::requirements;
use crate::unit::name::UnitName;
use crate::unit::service::parse_unit;
use crate::unit::specifier::SpecifierContext;

/// fleetctl's name rule: the argument's base name, `.service` added when it has no known
/// suffix.
pub fn mangle(arg: &str) -> String {
    let base = Path::new(arg).file_name().map(|b| b.to_string_lossy().into_owned()).unwrap_or_default();
    if UnitName::parse(&base).is_ok() { base } else { format!("{base}.service") }
}

/// A unit file ready to submit.
pub struct Candidate {
    pub record: UnitRecord,
    pub text: String,
    pub warnings: Vec<String>,
}

/// Reads and checks a unit file for unit `name` (`file` names it in messages).
pub fn check(name: &str, file: &str, text: &str) -> Result<Candidate, String> {
    let un = UnitName::parse(name).map_err(|e| format!("{file}: invalid unit name \"{name}\": {e}"))?;
    let mut warnings = Vec::new();
    let mut description = String::new();
    if un.is_template() {
        // A template is checked with a made-up instance, as unit-run does.
        let probe = name.replacen("@.", "@probe.", 1);
        let ctx = SpecifierContext::new(UnitName::parse(&probe).map_err(|e| e.to_string())?);
        let u = parse_unit(&probe, file, text, &ctx).map_err(|e| e.to_string())?;
        warnings.extend(u.warnings.iter().map(|w| w.to_string()));
    } else {
        let ctx = SpecifierContext::new(un.clone());
        let u = parse_unit(name, file, text, &ctx).map_err(|e| e.to_string())?;
        if u.service.is_none() {
            return Err(format!("{file}: unit-run runs only .service units, not {name}"));
        }
        warnings.extend(u.warnings.iter().map(|w| w.to_string()));
        description = u.description.clone().unwrap_or_default();
    }
    let parsed = requirements::parse(name, file, text).map_err(|e| e.to_string())?;
    warnings.extend(parsed.warnings);
    Ok(Candidate {
        record: UnitRecord {
            name: name.to_string(),
            hash: text_hash(text),
            desired: Desired::Inactive,
            requirements: parsed.requirements,
            description,
        },
        text: text.to_string(),
        warnings,
    })
}

/// Templates already read in this command (an instance of each reads its template once).
type Templates = std::collections::HashMap<String, (String, String)>;

/// The file for `arg`: the local file if there is one, else (for an instance) its template
/// from the registry, else the template file beside the path. Err: fleetctl's message.
fn find_text(
    ctx: &Ctx,
    arg: &str,
    name: &str,
    templates: &mut Templates,
) -> Result<(String, String), String> {
    if let Some(un) = UnitName::parse(name).ok().filter(|n| n.is_instance() && !Path::new(arg).is_file())
        && let Some(t) = un.template_name().and_then(|t| templates.get(&t))
    {
        return Ok(t.clone());
    }
    let found = find_text_uncached(ctx, arg, name)?;
    if let Some(t) = UnitName::parse(name).ok().filter(|n| n.is_instance()).and_then(|n| n.template_name())
        && found.0.ends_with(&t)
    {
        templates.insert(t, found.clone());
    }
    Ok(found)
}

fn find_text_uncached(ctx: &Ctx, arg: &str, name: &str) -> Result<(String, String), String> {
    if Path::new(arg).is_file() {
        let text =
            std::fs::read_to_string(arg).map_err(|e| format!("failed getting Unit({arg}) from file: {e}"))?;
        return Ok((arg.to_string(), text));
    }
    let un =
        UnitName::parse(name).map_err(|_| format!("error extracting information from unit name {name}"))?;
    if !un.is_instance() {
        return Err(format!("unable to find Unit({name}) in Registry or on filesystem"));
    }
    let template = un.template_name().unwrap_or_default();
    match ctx.reg.unit(&template) {
        Ok(Some((t, _))) => match ctx.reg.text(&t.hash) {
            Ok(Some(text)) => return Ok((template, text)),
            Ok(None) => {
                return Err(format!("the text of template Unit({template}) is missing from the Registry"));
            }
            Err(e) => return Err(format!("error retrieving template Unit({template}) from Registry: {e}")),
        },
        Ok(None) => {}
        Err(e) => return Err(format!("error retrieving template Unit({template}) from Registry: {e}")),
    }
    let beside = Path::new(arg).parent().unwrap_or(Path::new("")).join(&template);
    match std::fs::read_to_string(&beside) {
        Ok(text) => Ok((beside.display().to_string(), text)),
        Err(_) => Err(format!("unable to find template Unit({template}) in Registry or on filesystem")),
    }
}

/// Which desired states `--replace` may replace a unit in, per command (fleetctl's table).
fn may_replace(command: &str, d: Desired) -> bool {
    match command {
        "submit" => d == Desired::Inactive,
        "load" => d != Desired::Launched,
        _ => true,
    }
}

/// How many writes `create` keeps in flight when it submits many units.
const WRITERS: usize = 16;

/// fleetctl's `lazyCreateUnits`: submits what is not in the registry yet (printing `Unit X
/// inactive` for each) with desired state `initial`, warns about (or, with `replace`,
/// replaces) units whose local file differs. Returns the units' names, in order. Many units
/// (`start web@{1..1000}.service`) are read in one listing and written several at a time.
pub fn create(
    ctx: &mut Ctx,
    command: &str,
    args: &[String],
    replace: bool,
    initial: Desired,
) -> Result<Vec<String>, Stop> {
    let mut names = Vec::new();
    let mut new: Vec<Candidate> = Vec::new();
    let mut replaced: Vec<(Candidate, u64, Desired)> = Vec::new();
    let mut templates = Templates::new();
    // Many names: one listing of the registry instead of one read each.
    let listed = if args.len() > WRITERS {
        let l = ctx
            .reg
            .list(&ctx.reg.keys.units())
            .map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
        Some(
            l.nodes
                .into_iter()
                .filter_map(|n| {
                    let i = n.modified_index;
                    serde_json::from_str::<UnitRecord>(&n.value).ok().map(|u| (u.name.clone(), (u, i)))
                })
                .collect::<std::collections::HashMap<_, _>>(),
        )
    } else {
        None
    };
    for arg in args {
        let name = mangle(arg);
        let existing = match &listed {
            Some(l) => l.get(&name).cloned(),
            None => ctx.reg.unit(&name).map_err(|e| {
                ctx.fail(format!("Error creating units: error retrieving Unit({name}) from Registry: {e}"))
            })?,
        };
        names.push(name.clone());
        match existing {
            None => {
                let (file, text) = find_text(ctx, arg, &name, &mut templates)
                    .map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
                let c =
                    check(&name, &file, &text).map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
                new.push(c);
            }
            Some((u, index)) => {
                // Only a local file can differ from what is submitted.
                if !Path::new(arg).is_file() {
                    continue;
                }
                let text = std::fs::read_to_string(arg)
                    .map_err(|e| ctx.fail(format!("Error creating units: {arg}: {e}")))?;
                if text_hash(&text) == u.hash {
                    if replace {
                        ctx.say(format!("Found same Unit({name}) in Registry, nothing to do"))?;
                    }
                    continue;
                }
                if !replace {
                    ctx.remark(format!(
                        "WARNING: Unit {name} in registry differs from local unit file {arg}. Add --replace to override."
                    ));
                    continue;
                }
                if !may_replace(command, u.desired) {
                    ctx.remark(format!(
                        "Warning: can not replace Unit({name}) in state '{}', use the appropriate command",
                        u.desired
                    ));
                    continue;
                }
                let c =
                    check(&name, arg, &text).map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
                replaced.push((c, index, u.desired));
            }
        }
    }
    for c in new.iter().chain(replaced.iter().map(|(c, _, _)| c)) {
        for w in &c.warnings {
            ctx.remark(format!("WARNING: {w}"));
        }
    }
    let mut texts: Vec<(&str, &str)> =
        new.iter().map(|c| (c.record.hash.as_str(), c.text.as_str())).collect();
    texts.sort();
    texts.dedup_by_key(|t| t.0);
    for (hash, text) in texts {
        ctx.reg.put_text(hash, text).map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
    }
    for c in &mut new {
        c.record.desired = initial;
    }
    for (c, created) in new.iter().zip(write_all(ctx, &new)) {
        match created {
            Ok(true) => {
                if ctx.json {
                    ctx.print_json(&serde_json::json!({"unit": c.record.name, "state": "inactive"}))?;
                } else {
                    ctx.say(format!("Unit {} inactive", c.record.name))?;
                }
            }
            Ok(false) => {} // someone else submitted it meanwhile
            Err(e) => return Err(ctx.fail(format!("Error creating units: {e}"))),
        }
    }
    for (mut c, index, desired) in replaced {
        ctx.reg
            .put_text(&c.record.hash, &c.text)
            .map_err(|e| ctx.fail(format!("Error creating units: {e}")))?;
        c.record.desired = desired;
        match ctx.reg.replace_unit(&c.record, index) {
            Ok(true) => {}
            Ok(false) => {
                return Err(ctx.fail(format!(
                    "Error creating units: Unit({}) changed meanwhile; try again",
                    c.record.name
                )));
            }
            Err(e) => return Err(ctx.fail(format!("Error creating units: {e}"))),
        }
    }
    Ok(names)
}

/// Creates the records of `new`, [`WRITERS`] at a time: for each, whether it was created.
fn write_all(ctx: &Ctx, new: &[Candidate]) -> Vec<Result<bool, crate::client::Error>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: parking_lot::Mutex<Vec<Option<Result<bool, crate::client::Error>>>> =
        parking_lot::Mutex::new((0..new.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..WRITERS.min(new.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(c) = new.get(i) else { return };
                    let r = ctx.reg.create_unit(&c.record);
                    results.lock()[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().into_iter().map(|r| r.unwrap_or(Ok(false))).collect()
}

/// A name that is a template (`web@.service`) cannot be loaded or started.
pub fn refuse_template(ctx: &mut Ctx, name: &str, verb: &str) -> Result<(), Stop> {
    if UnitName::parse(name).is_ok_and(|n| n.is_template()) {
        return Err(ctx.fail(format!(
            "Unable to {verb} template unit {name}: {verb} an instance of it, e.g. {}",
            name.replacen("@.", "@1.", 1)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_fleetctl() {
        assert_eq!(mangle("croc"), "croc.service");
        assert_eq!(mangle("./units/croc.service"), "croc.service");
        assert_eq!(mangle("web@1"), "web@1.service");
        assert_eq!(mangle("db.socket"), "db.socket");
    }

    #[test]
    fn check_reads_requirements_and_refuses_bad_files() {
        let c = check(
            "croc.service",
            "croc.service",
            "[Unit]\nDescription=CROC\n[Service]\nExecStart=/bin/true\n[X-Fleet]\nConflicts=croc@*.service\n",
        )
        .unwrap();
        assert_eq!(c.record.description, "CROC");
        assert_eq!(c.record.requirements.conflicts, ["croc@*.service"]);
        let e = check("x.service", "x.service", "[Service]\nRestart=sometimes\nExecStart=/bin/true\n")
            .err()
            .unwrap();
        assert!(e.starts_with("x.service:2:9: "), "{e}");
        assert!(check("t@.service", "t@.service", "[Service]\nExecStart=/bin/echo %i\n").is_ok());
    }
}
