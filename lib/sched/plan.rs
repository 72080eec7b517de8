//! The engine's decisions as a pure function: the cluster as the store shows it (units and
//! their desired states, live machines, the current schedule) in, the changes to make out.
//! fleet's reconciler, with its rules:
//!
//! 1. a placed unit is unscheduled when it was destroyed or unloaded (`inactive`), when its
//!    machine went away, or when its machine can no longer run it (ID, metadata, a peer it
//!    must run beside moved, a conflict);
//! 2. each unplaced unit whose desired state is not `inactive` goes to the least-loaded
//!    machine that can run it (fewest units, then the lower machine ID); a unit that
//!    `Replaces=` another takes that unit's machine and the other moves;
//! 3. a unit that cannot be placed gets a reason (fleet left `start` hanging silently);
//! 4. global units are not placed: they are mirrored for every agent to decide.
//!
//! Only a machine's loss (or a change of the unit's own requirements) moves a unit; a unit
//! that fails where it runs stays there (restarts are the agent's business).

use std::collections::{BTreeMap, BTreeSet};

use super::records::{Assignment, Desired, GlobalUnit, MachineRecord, UnitRecord};

/// The cluster as the engine last read it.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub units: BTreeMap<String, UnitRecord>,
    /// Live machines (their keys have not expired).
    pub machines: BTreeMap<String, MachineRecord>,
    /// unit → (machine, assignment), from `schedule/<machine>/<unit>`.
    pub schedule: BTreeMap<String, (String, Assignment)>,
    pub globals: BTreeMap<String, GlobalUnit>,
    pub reasons: BTreeMap<String, String>,
}

/// One change to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Unschedule {
        unit: String,
        machine: String,
        reason: String,
    },
    Schedule {
        unit: String,
        machine: String,
        assignment: Assignment,
    },
    /// The unit stays where it is; its hash or desired state changed.
    Update {
        unit: String,
        machine: String,
        assignment: Assignment,
    },
    SetGlobal {
        unit: String,
        global: GlobalUnit,
    },
    RemoveGlobal {
        unit: String,
    },
    SetReason {
        unit: String,
        reason: String,
    },
    ClearReason {
        unit: String,
    },
}

/// The working schedule while planning: where each unit is, and what each machine runs.
struct Placement<'a> {
    c: &'a Cluster,
    at: BTreeMap<String, String>,
    on: BTreeMap<String, BTreeSet<String>>,
    /// (units on it, machine ID), for least-loaded order.
    load: BTreeSet<(usize, String)>,
}

impl<'a> Placement<'a> {
    fn new(c: &'a Cluster) -> Placement<'a> {
        let mut p = Placement { c, at: BTreeMap::new(), on: BTreeMap::new(), load: BTreeSet::new() };
        for id in c.machines.keys() {
            p.on.insert(id.clone(), BTreeSet::new());
        }
        for (unit, (machine, _)) in &c.schedule {
            if c.machines.contains_key(machine) {
                p.at.insert(unit.clone(), machine.clone());
                p.on.entry(machine.clone()).or_default().insert(unit.clone());
            }
        }
        for (id, units) in &p.on {
            p.load.insert((units.len(), id.clone()));
        }
        p
    }

    fn place(&mut self, unit: &str, machine: &str) {
        self.remove(unit);
        let set = self.on.entry(machine.to_string()).or_default();
        self.load.remove(&(set.len(), machine.to_string()));
        set.insert(unit.to_string());
        self.load.insert((set.len(), machine.to_string()));
        self.at.insert(unit.to_string(), machine.to_string());
    }

    fn remove(&mut self, unit: &str) {
        if let Some(m) = self.at.remove(unit)
            && let Some(set) = self.on.get_mut(&m)
        {
            self.load.remove(&(set.len(), m.clone()));
            set.remove(unit);
            self.load.insert((set.len(), m));
        }
    }

    /// Why `machine` cannot run `unit` beside what it runs now (ignoring `unit` itself and
    /// `ignore`, a unit about to leave it), or None when it can.
    fn refuses(&self, unit: &UnitRecord, machine: &str, ignore: Option<&str>) -> Option<String> {
        let m = self.c.machines.get(machine)?;
        let r = &unit.requirements;
        if let Some(want) = &r.machine_id
            && want != machine
        {
            return Some(format!("agent ID {machine:?} does not match required {want:?}"));
        }
        if !r.accepts_machine(machine, &m.metadata) {
            return Some("local Machine metadata insufficient".into());
        }
        for peer in &r.machine_of {
            if self.at.get(peer).map(String::as_str) != Some(machine) {
                return Some(format!("required peer Unit({peer}) is not scheduled locally"));
            }
        }
        let here = self.on.get(machine)?;
        for other in here {
            if other == &unit.name || Some(other.as_str()) == ignore {
                continue;
            }
            let other_req = self.c.units.get(other).map(|u| &u.requirements);
            let conflict = match other_req {
                Some(o) => r.conflicts_with(&unit.name, other, o),
                None => r.conflicts.iter().any(|g| super::glob::matches(g, other)),
            };
            if conflict {
                return Some(format!("found conflict with locally-scheduled Unit({other})"));
            }
        }
        None
    }

    /// The least-loaded machine that can run `unit`, skipping `not`.
    fn choose(&self, unit: &UnitRecord, not: Option<&str>) -> Option<String> {
        self.load
            .iter()
            .map(|(_, id)| id)
            .filter(|id| Some(id.as_str()) != not)
            .find(|id| self.refuses(unit, id, None).is_none())
            .cloned()
    }
}

fn assignment(u: &UnitRecord) -> Assignment {
    Assignment { hash: u.hash.clone(), desired: u.desired }
}

/// Why no machine can take `unit` (for `unit-sched status` and a blocking `start`).
fn why_unplaceable(p: &Placement, unit: &UnitRecord) -> String {
    let r = &unit.requirements;
    if p.c.machines.is_empty() {
        return "no machines are registered (is an agent running?)".into();
    }
    if let Some(id) = &r.machine_id
        && !p.c.machines.contains_key(id)
    {
        return format!("no live machine has MachineID={id}");
    }
    if !r.metadata.is_empty() && !p.c.machines.iter().any(|(id, m)| r.accepts_machine(id, &m.metadata)) {
        let want: Vec<String> = r
            .metadata
            .iter()
            .map(|(k, vs)| format!("{k}={}", vs.iter().cloned().collect::<Vec<_>>().join("|")))
            .collect();
        return format!("no live machine has metadata {}", want.join(","));
    }
    for peer in &r.machine_of {
        if !p.at.contains_key(peer) {
            return format!("waiting for MachineOf={peer} to be placed");
        }
    }
    let peers: BTreeSet<&String> = r.machine_of.iter().filter_map(|peer| p.at.get(peer)).collect();
    if peers.len() > 1 {
        return format!("its MachineOf= units run on different machines ({})", r.machine_of.join(", "));
    }
    // Every candidate refused: say what the first refusal was.
    let first = p.load.iter().find_map(|(_, id)| p.refuses(unit, id, None).map(|why| format!("{id}: {why}")));
    format!("no machine can run it ({})", first.unwrap_or_else(|| "no candidate".into()))
}

/// The changes that bring the schedule in line with the units and machines.
pub fn plan(c: &Cluster) -> Vec<Action> {
    let mut out = Vec::new();
    let mut p = Placement::new(c);

    // Global units: mirrored for the agents, never placed.
    for (name, u) in &c.units {
        if !u.requirements.global {
            continue;
        }
        let want =
            GlobalUnit { hash: u.hash.clone(), desired: u.desired, requirements: u.requirements.clone() };
        if u.desired == Desired::Inactive {
            if c.globals.contains_key(name) {
                out.push(Action::RemoveGlobal { unit: name.clone() });
            }
        } else if c.globals.get(name) != Some(&want) {
            out.push(Action::SetGlobal { unit: name.clone(), global: want });
        }
    }
    for name in c.globals.keys() {
        if !c.units.get(name).is_some_and(|u| u.requirements.global) {
            out.push(Action::RemoveGlobal { unit: name.clone() });
        }
    }

    // 1. What is placed: keep, update or unschedule. Units are looked at in name order, so of
    // two conflicting units on one machine the first stays.
    for (name, (machine, current)) in &c.schedule {
        let reason = match c.units.get(name) {
            None => Some("unit destroyed".to_string()),
            Some(u) if u.desired == Desired::Inactive => Some("target state inactive".into()),
            Some(u) if u.requirements.global => Some("unit is global".into()),
            Some(_) if !c.machines.contains_key(machine) => {
                Some(format!("target Machine({machine}) went away"))
            }
            Some(u) => p
                .refuses(u, machine, None)
                .map(|why| format!("target Machine({machine}) unable to run unit: {why}")),
        };
        match reason {
            Some(reason) => {
                p.remove(name);
                out.push(Action::Unschedule { unit: name.clone(), machine: machine.clone(), reason });
            }
            None => {
                let u = &c.units[name];
                if *current != assignment(u) {
                    out.push(Action::Update {
                        unit: name.clone(),
                        machine: machine.clone(),
                        assignment: assignment(u),
                    });
                }
            }
        }
    }

    // 2. What is not placed: place it, peers first (a MachineOf= unit waits for its peer).
    // (A template, `name@.service`, is never placed: its instances are.)
    let mut waiting: Vec<&UnitRecord> = c
        .units
        .values()
        .filter(|u| u.desired != Desired::Inactive && !u.requirements.global && !p.at.contains_key(&u.name))
        .filter(|u| !u.name.contains("@."))
        .collect();
    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let before = waiting.len();
        let mut still = Vec::new();
        for u in waiting {
            match place(&mut p, u, &mut out, &mut reasons) {
                true => {
                    reasons.remove(&u.name);
                }
                false => {
                    reasons.insert(u.name.clone(), why_unplaceable(&p, u));
                    still.push(u);
                }
            }
        }
        waiting = still;
        if waiting.is_empty() || waiting.len() == before {
            break;
        }
    }

    // 3. Reasons, stored only when they change.
    for (unit, reason) in &reasons {
        if c.reasons.get(unit) != Some(reason) {
            out.push(Action::SetReason { unit: unit.clone(), reason: reason.clone() });
        }
    }
    for unit in c.reasons.keys() {
        if !reasons.contains_key(unit) {
            out.push(Action::ClearReason { unit: unit.clone() });
        }
    }
    out
}

/// Places one unit (and moves what it replaces); false when no machine can take it.
fn place(
    p: &mut Placement,
    u: &UnitRecord,
    out: &mut Vec<Action>,
    reasons: &mut BTreeMap<String, String>,
) -> bool {
    // Replaces=: take the replaced unit's machine if it can run this one there, and move the
    // replaced unit elsewhere (or leave it unplaced, with a reason, if nowhere else takes it).
    for victim in &u.requirements.replaces {
        let Some(machine) = p.at.get(victim).cloned() else { continue };
        if p.refuses(u, &machine, Some(victim)).is_some() {
            continue;
        }
        p.remove(victim);
        out.push(Action::Unschedule {
            unit: victim.clone(),
            machine: machine.clone(),
            reason: format!("replaced by Unit({})", u.name),
        });
        p.place(&u.name, &machine);
        out.push(Action::Schedule {
            unit: u.name.clone(),
            machine: machine.clone(),
            assignment: assignment(u),
        });
        if let Some(v) = p.c.units.get(victim) {
            match p.choose(v, Some(&machine)) {
                Some(m) => {
                    p.place(victim, &m);
                    out.push(Action::Schedule {
                        unit: victim.clone(),
                        machine: m,
                        assignment: assignment(v),
                    });
                }
                None => {
                    reasons.insert(
                        victim.clone(),
                        format!("replaced by Unit({}) and no other machine can run it", u.name),
                    );
                }
            }
        }
        return true;
    }
    match p.choose(u, None) {
        Some(m) => {
            p.place(&u.name, &m);
            out.push(Action::Schedule { unit: u.name.clone(), machine: m, assignment: assignment(u) });
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::requirements::Requirements;

    fn unit(name: &str, desired: Desired, r: Requirements) -> UnitRecord {
        UnitRecord {
            name: name.into(),
            hash: format!("h-{name}"),
            desired,
            requirements: r,
            description: String::new(),
        }
    }

    fn machine(id: &str, meta: &[(&str, &str)]) -> MachineRecord {
        MachineRecord {
            id: id.into(),
            metadata: meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    fn cluster(units: Vec<UnitRecord>, machines: Vec<MachineRecord>) -> Cluster {
        Cluster {
            units: units.into_iter().map(|u| (u.name.clone(), u)).collect(),
            machines: machines.into_iter().map(|m| (m.id.clone(), m)).collect(),
            ..Default::default()
        }
    }

    /// Applies a plan to the cluster, as the engine does through the store.
    fn apply(c: &mut Cluster, actions: &[Action]) {
        for a in actions {
            match a {
                Action::Unschedule { unit, .. } => {
                    c.schedule.remove(unit);
                }
                Action::Schedule { unit, machine, assignment }
                | Action::Update { unit, machine, assignment } => {
                    c.schedule.insert(unit.clone(), (machine.clone(), assignment.clone()));
                }
                Action::SetGlobal { unit, global } => {
                    c.globals.insert(unit.clone(), global.clone());
                }
                Action::RemoveGlobal { unit } => {
                    c.globals.remove(unit);
                }
                Action::SetReason { unit, reason } => {
                    c.reasons.insert(unit.clone(), reason.clone());
                }
                Action::ClearReason { unit } => {
                    c.reasons.remove(unit);
                }
            }
        }
    }

    fn settle(c: &mut Cluster) {
        for _ in 0..5 {
            let a = plan(c);
            if a.is_empty() {
                return;
            }
            apply(c, &a);
        }
        panic!("the plan does not settle: {:?}", plan(c));
    }

    fn at(c: &Cluster, u: &str) -> Option<String> {
        c.schedule.get(u).map(|(m, _)| m.clone())
    }

    #[test]
    fn least_loaded_then_lowest_id() {
        let mut c = cluster(
            (0..6)
                .map(|i| unit(&format!("u{i}.service"), Desired::Launched, Requirements::default()))
                .collect(),
            vec![machine("b", &[]), machine("a", &[]), machine("c", &[])],
        );
        settle(&mut c);
        let per: Vec<usize> =
            ["a", "b", "c"].iter().map(|m| c.schedule.values().filter(|(x, _)| x == m).count()).collect();
        assert_eq!(per, [2, 2, 2]);
        assert_eq!(at(&c, "u0.service").as_deref(), Some("a"));
        assert!(plan(&c).is_empty(), "a settled cluster needs nothing");
    }

    #[test]
    fn inactive_units_are_not_placed_and_unloading_unschedules() {
        let mut c =
            cluster(vec![unit("a.service", Desired::Inactive, Default::default())], vec![machine("m", &[])]);
        settle(&mut c);
        assert!(c.schedule.is_empty());
        c.units.get_mut("a.service").unwrap().desired = Desired::Loaded;
        settle(&mut c);
        assert_eq!(at(&c, "a.service").as_deref(), Some("m"));
        assert_eq!(c.schedule["a.service"].1.desired, Desired::Loaded);
        c.units.get_mut("a.service").unwrap().desired = Desired::Launched;
        let a = plan(&c);
        assert!(
            matches!(&a[..], [Action::Update { assignment, .. }] if assignment.desired == Desired::Launched)
        );
        apply(&mut c, &a);
        c.units.get_mut("a.service").unwrap().desired = Desired::Inactive;
        let a = plan(&c);
        assert!(matches!(&a[..], [Action::Unschedule { reason, .. }] if reason == "target state inactive"));
    }

    #[test]
    fn a_lost_machine_loses_its_units_which_move() {
        let mut c = cluster(
            vec![unit("a.service", Desired::Launched, Default::default())],
            vec![machine("m1", &[]), machine("m2", &[])],
        );
        settle(&mut c);
        let first = at(&c, "a.service").unwrap();
        c.machines.remove(&first);
        let a = plan(&c);
        assert!(
            matches!(&a[0], Action::Unschedule { reason, .. } if reason == &format!("target Machine({first}) went away"))
        );
        apply(&mut c, &a);
        assert_ne!(at(&c, "a.service"), Some(first));
        assert!(at(&c, "a.service").is_some());
    }

    #[test]
    fn machine_id_and_metadata() {
        let mut want_meta = Requirements::default();
        want_meta.metadata.insert("disk".into(), ["ssd".to_string()].into());
        let want_id = Requirements { machine_id: Some("m3".into()), ..Default::default() };
        let mut c = cluster(
            vec![
                unit("db.service", Desired::Launched, want_meta),
                unit("pin.service", Desired::Launched, want_id),
            ],
            vec![machine("m1", &[("disk", "hdd")]), machine("m2", &[("disk", "ssd")]), machine("m3", &[])],
        );
        settle(&mut c);
        assert_eq!(at(&c, "db.service").as_deref(), Some("m2"));
        assert_eq!(at(&c, "pin.service").as_deref(), Some("m3"));
        // The pinned machine goes: the unit waits, with a reason.
        c.machines.remove("m3");
        settle(&mut c);
        assert_eq!(at(&c, "pin.service"), None);
        assert_eq!(c.reasons["pin.service"], "no live machine has MachineID=m3");
        c.machines.insert("m3".into(), machine("m3", &[]));
        settle(&mut c);
        assert_eq!(at(&c, "pin.service").as_deref(), Some("m3"));
        assert!(c.reasons.is_empty());
    }

    #[test]
    fn unknown_metadata_gives_a_reason() {
        let mut r = Requirements::default();
        r.metadata.insert("region".into(), ["us".to_string(), "eu".to_string()].into());
        let mut c = cluster(
            vec![unit("a.service", Desired::Launched, r)],
            vec![machine("m1", &[("region", "asia")])],
        );
        settle(&mut c);
        assert_eq!(c.reasons["a.service"], "no live machine has metadata region=eu|us");
    }

    #[test]
    fn machine_of_waits_for_its_peer_and_follows_it() {
        let follow = Requirements { machine_of: vec!["db.service".into()], ..Default::default() };
        let mut c = cluster(
            vec![
                unit("app.service", Desired::Launched, follow),
                unit("db.service", Desired::Inactive, Default::default()),
            ],
            vec![machine("m1", &[]), machine("m2", &[])],
        );
        settle(&mut c);
        assert_eq!(at(&c, "app.service"), None);
        assert_eq!(c.reasons["app.service"], "waiting for MachineOf=db.service to be placed");
        c.units.get_mut("db.service").unwrap().desired = Desired::Launched;
        settle(&mut c);
        let db = at(&c, "db.service").unwrap();
        assert_eq!(at(&c, "app.service"), Some(db.clone()));
        // The peer's machine goes: both move, together.
        c.machines.remove(&db);
        settle(&mut c);
        assert_eq!(at(&c, "app.service"), at(&c, "db.service"));
        assert_ne!(at(&c, "db.service"), Some(db));
    }

    #[test]
    fn conflicts_keep_units_apart_both_ways() {
        let web = |n: &str| {
            unit(
                n,
                Desired::Launched,
                Requirements { conflicts: vec!["web@*.service".into()], ..Default::default() },
            )
        };
        let mut c = cluster(
            vec![web("web@1.service"), web("web@2.service"), web("web@3.service")],
            vec![machine("m1", &[]), machine("m2", &[])],
        );
        settle(&mut c);
        assert_ne!(at(&c, "web@1.service"), at(&c, "web@2.service"));
        assert_eq!(at(&c, "web@3.service"), None);
        assert!(
            c.reasons["web@3.service"].contains("found conflict with locally-scheduled Unit(web@"),
            "{:?}",
            c.reasons
        );
        // A unit without Conflicts= is kept away by the other's.
        let mut c2 = cluster(
            vec![
                unit(
                    "a.service",
                    Desired::Launched,
                    Requirements { conflicts: vec!["b.service".into()], ..Default::default() },
                ),
                unit("b.service", Desired::Launched, Default::default()),
            ],
            vec![machine("m1", &[]), machine("m2", &[])],
        );
        settle(&mut c2);
        assert_ne!(at(&c2, "a.service"), at(&c2, "b.service"));
    }

    #[test]
    fn replaces_takes_the_machine_and_moves_the_other() {
        let mut c = cluster(
            vec![unit("old.service", Desired::Launched, Default::default())],
            vec![machine("m1", &[]), machine("m2", &[])],
        );
        settle(&mut c);
        let old_at = at(&c, "old.service").unwrap();
        c.units.insert(
            "new.service".into(),
            unit(
                "new.service",
                Desired::Launched,
                Requirements { replaces: vec!["old.service".into()], ..Default::default() },
            ),
        );
        settle(&mut c);
        assert_eq!(at(&c, "new.service"), Some(old_at.clone()));
        assert!(at(&c, "old.service").is_some_and(|m| m != old_at));
    }

    #[test]
    fn global_units_are_mirrored_not_placed() {
        let g = Requirements { global: true, ..Default::default() };
        let mut c = cluster(vec![unit("g.service", Desired::Launched, g)], vec![machine("m1", &[])]);
        settle(&mut c);
        assert!(c.schedule.is_empty());
        assert_eq!(c.globals["g.service"].desired, Desired::Launched);
        c.units.remove("g.service");
        settle(&mut c);
        assert!(c.globals.is_empty());
    }

    #[test]
    fn destroyed_units_are_unscheduled_and_no_machines_is_a_reason() {
        let mut c = cluster(vec![unit("a.service", Desired::Launched, Default::default())], vec![]);
        settle(&mut c);
        assert_eq!(c.reasons["a.service"], "no machines are registered (is an agent running?)");
        c.machines.insert("m".into(), machine("m", &[]));
        settle(&mut c);
        assert!(c.reasons.is_empty());
        c.units.clear();
        let a = plan(&c);
        assert!(matches!(&a[..], [Action::Unschedule { reason, .. }] if reason == "unit destroyed"));
    }

    #[test]
    fn ten_thousand_units_on_a_thousand_machines_spread_evenly() {
        let units = (0..10_000)
            .map(|i| unit(&format!("u{i:05}.service"), Desired::Launched, Default::default()))
            .collect();
        let machines = (0..1000).map(|i| machine(&format!("m{i:04}"), &[])).collect();
        let mut c = cluster(units, machines);
        let a = plan(&c);
        assert_eq!(a.len(), 10_000);
        apply(&mut c, &a);
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for (m, _) in c.schedule.values() {
            *per.entry(m).or_default() += 1;
        }
        assert!(per.values().all(|&n| n == 10), "uneven spread");
    }
}
