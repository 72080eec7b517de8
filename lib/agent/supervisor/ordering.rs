//! Dependencies between the units one daemon runs, as decisions over a graph: which units a
//! start pulls in (Requires/Wants/BindsTo, transitively) and which it stops (Conflicts, both
//! ways); which units a stop takes down (those that require or bind to it); and, each time the
//! supervisor looks, whether a pending start or stop must wait (After/Before, reversed for
//! stops; a conflicting unit must be down first). Ordering cycles are broken by ignoring the
//! edge that would close them, so nothing waits forever.
//!
//! Everything here is pure: it reads a [`Graph`] (the supervisor's units, or a table in tests).

use super::state::Sub;
use crate::unit::service::Dependencies;

/// What ordering needs to know of a unit's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Phase {
    pub sub: Sub,
    /// A start is queued and has not begun.
    pub pending_start: bool,
    /// A stop is queued and has not begun.
    pub pending_stop: bool,
    /// The unit's last start got it up.
    pub start_ok: bool,
}

/// The loaded units: their dependencies and where each is.
pub(crate) trait Graph {
    fn deps(&self, n: &str) -> Option<&Dependencies>;
    fn phase(&self, n: &str) -> Option<Phase>;
    fn names(&self) -> impl Iterator<Item = &str>;

    fn has(&self, n: &str) -> bool {
        self.deps(n).is_some()
    }
}

/// The start transaction of `name`: the unit and what it requires, wants or binds to,
/// transitively, among the loaded units. A required unit that is not loaded must be present
/// outside the daemon (`external`, e.g. docker.service); if not, the start fails with its reason.
pub(crate) fn start_set(
    g: &impl Graph,
    name: &str,
    mut external: impl FnMut(&str) -> Result<(), String>,
) -> Result<Vec<String>, String> {
    let mut set = vec![name.to_string()];
    let mut i = 0;
    while i < set.len() {
        let Some(deps) = g.deps(&set[i]) else {
            i += 1;
            continue;
        };
        for d in deps.requires.iter().chain(&deps.binds_to) {
            if g.has(d) {
                if !set.contains(d) {
                    set.push(d.clone());
                }
            } else {
                external(d)?;
            }
        }
        for d in &deps.wants {
            if g.has(d) && !set.contains(d) {
                set.push(d.clone());
            }
        }
        i += 1;
    }
    Ok(set)
}

/// Units outside `set` that are not down and conflict with a unit of it (either side saying so).
pub(crate) fn conflicting(g: &impl Graph, set: &[String]) -> Vec<String> {
    let conflicts = |a: &str, b: &str| g.deps(a).is_some_and(|d| d.conflicts.iter().any(|c| c == b));
    g.names()
        .filter(|n| {
            !set.iter().any(|s| s == n)
                && g.phase(n).is_some_and(|p| !p.sub.is_down())
                && set.iter().any(|s| conflicts(n, s) || conflicts(s, n))
        })
        .map(str::to_string)
        .collect()
}

/// `name` and the units that require or bind to it, transitively: what a stop of `name` stops.
pub(crate) fn stop_set(g: &impl Graph, name: &str) -> Vec<String> {
    let mut set = vec![name.to_string()];
    let mut i = 0;
    while i < set.len() {
        let target = set[i].clone();
        for n in g.names() {
            if !set.iter().any(|s| s == n)
                && g.deps(n).is_some_and(|d| d.requires.contains(&target) || d.binds_to.contains(&target))
            {
                set.push(n.to_string());
            }
        }
        i += 1;
    }
    set
}

/// Units that bind to `n` and are not down: they go down with it.
pub(crate) fn bound_to(g: &impl Graph, n: &str) -> Vec<String> {
    g.names()
        .filter(|o| {
            g.deps(o).is_some_and(|d| d.binds_to.iter().any(|b| b == n))
                && g.phase(o).is_some_and(|p| !p.sub.is_down())
        })
        .map(str::to_string)
        .collect()
}

/// Is `a` ordered after `b` (a After=b, or b Before=a)?
pub(crate) fn ordered_after(g: &impl Graph, a: &str, b: &str) -> bool {
    g.deps(a).is_some_and(|d| d.after.iter().any(|x| x == b))
        || g.deps(b).is_some_and(|d| d.before.iter().any(|x| x == a))
}

/// Does `from` wait, directly or through others, for `to`?
pub(crate) fn waits_for(g: &impl Graph, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_string()];
    let mut seen: Vec<String> = Vec::new();
    while let Some(u) = stack.pop() {
        if u == to {
            return true;
        }
        if seen.contains(&u) {
            continue;
        }
        for o in g.names() {
            if o != u && ordered_after(g, &u, o) {
                stack.push(o.to_string());
            }
        }
        seen.push(u);
    }
    false
}

/// Must the pending start of `n` wait? Yes while a unit it is ordered after is on its way up
/// or down (unless that edge closes a cycle), or a conflicting unit is still going down.
pub(crate) fn start_blocked(g: &impl Graph, n: &str) -> bool {
    let Some(me) = g.deps(n) else { return false };
    g.names().any(|o| {
        let Some(p) = g.phase(o) else { return false };
        if o == n {
            return false;
        }
        let other = g.deps(o);
        let moving = p.pending_start || p.sub.is_starting() || p.sub.is_stopping() || p.pending_stop;
        let ordered =
            me.after.iter().any(|a| a == o) || other.is_some_and(|d| d.before.iter().any(|b| b == n));
        let conflicting =
            me.conflicts.iter().any(|c| c == o) || other.is_some_and(|d| d.conflicts.iter().any(|c| c == n));
        (ordered && moving && !waits_for(g, o, n)) || (conflicting && (p.sub.is_stopping() || p.pending_stop))
    })
}

/// Must the pending stop of `n` wait? Yes while a unit ordered after it is still to stop or
/// stopping (units stop in reverse start order).
pub(crate) fn stop_blocked(g: &impl Graph, n: &str) -> bool {
    let Some(me) = g.deps(n) else { return false };
    g.names().any(|o| {
        let Some(p) = g.phase(o) else { return false };
        o != n
            && (g.deps(o).is_some_and(|d| d.after.iter().any(|a| a == n)) || me.before.iter().any(|b| b == o))
            && (p.pending_stop || p.sub.is_stopping())
            && !waits_for(g, n, o)
    })
}

/// A required unit that `n` is ordered after and that failed to come up: `n`'s start fails
/// with result `dependency`. (systemd fails a start for a dependency only with ordering;
/// without it both start side by side.)
pub(crate) fn failed_requirement(g: &impl Graph, n: &str) -> Option<String> {
    let deps = g.deps(n)?;
    deps.requires
        .iter()
        .chain(&deps.binds_to)
        .find(|d| {
            ordered_after(g, n, d)
                && g.phase(d).is_some_and(|p| {
                    !p.pending_start && (p.sub == Sub::Failed || (p.sub == Sub::Dead && !p.start_ok))
                })
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A table of units: name → (dependencies, phase).
    #[derive(Default)]
    struct Table(BTreeMap<String, (Dependencies, Phase)>);

    impl Graph for Table {
        fn deps(&self, n: &str) -> Option<&Dependencies> {
            self.0.get(n).map(|(d, _)| d)
        }
        fn phase(&self, n: &str) -> Option<Phase> {
            self.0.get(n).map(|(_, p)| *p)
        }
        fn names(&self) -> impl Iterator<Item = &str> {
            self.0.keys().map(String::as_str)
        }
    }

    fn phase(sub: Sub) -> Phase {
        Phase { sub, pending_start: false, pending_stop: false, start_ok: false }
    }

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(|x| format!("{x}.service")).collect()
    }

    /// `unit(t, "app", "requires=db after=db", Sub::Dead)`
    fn unit(t: &mut Table, name: &str, deps: &str, p: Phase) {
        let mut d = Dependencies::default();
        for kv in deps.split_whitespace() {
            let (k, val) = kv.split_once('=').unwrap();
            let list = match k {
                "after" => &mut d.after,
                "before" => &mut d.before,
                "requires" => &mut d.requires,
                "wants" => &mut d.wants,
                "binds" => &mut d.binds_to,
                "conflicts" => &mut d.conflicts,
                _ => panic!("{k}"),
            };
            list.extend(v(&val.replace(',', " ")));
        }
        t.0.insert(format!("{name}.service"), (d, p));
    }

    fn none(_: &str) -> Result<(), String> {
        Err("absent".into())
    }

    #[test]
    fn a_start_pulls_in_what_it_requires_wants_and_binds_to() {
        let mut t = Table::default();
        unit(&mut t, "app", "requires=db wants=cache,metrics", phase(Sub::Dead));
        unit(&mut t, "db", "binds=disk", phase(Sub::Dead));
        unit(&mut t, "disk", "", phase(Sub::Dead));
        unit(&mut t, "cache", "", phase(Sub::Dead));
        unit(&mut t, "other", "", phase(Sub::Dead));
        // metrics is wanted but not loaded: left out, no error.
        assert_eq!(start_set(&t, "app.service", none).unwrap(), v("app db cache disk"));
    }

    #[test]
    fn a_required_unit_that_is_not_loaded_must_be_present_outside() {
        let mut t = Table::default();
        unit(&mut t, "web", "requires=docker", phase(Sub::Dead));
        assert_eq!(start_set(&t, "web.service", none), Err("absent".into()));
        let mut asked = Vec::new();
        let ok = start_set(&t, "web.service", |d| {
            asked.push(d.to_string());
            Ok(())
        });
        assert_eq!(ok.unwrap(), v("web"));
        assert_eq!(asked, v("docker"));
    }

    #[test]
    fn conflicts_count_both_ways_and_only_for_units_that_are_up() {
        let mut t = Table::default();
        unit(&mut t, "a", "conflicts=b", phase(Sub::Dead));
        unit(&mut t, "b", "", phase(Sub::Running));
        unit(&mut t, "c", "conflicts=a", phase(Sub::Running));
        unit(&mut t, "d", "conflicts=a", phase(Sub::Failed));
        assert_eq!(conflicting(&t, &v("a")), v("b c"));
    }

    #[test]
    fn a_stop_takes_down_what_requires_or_binds_to_it() {
        let mut t = Table::default();
        unit(&mut t, "db", "", phase(Sub::Running));
        unit(&mut t, "app", "requires=db", phase(Sub::Running));
        unit(&mut t, "web", "binds=app", phase(Sub::Running));
        unit(&mut t, "fan", "wants=db", phase(Sub::Running));
        assert_eq!(stop_set(&t, "db.service"), v("db app web"));
        assert_eq!(bound_to(&t, "app.service"), v("web"));
    }

    #[test]
    fn starts_wait_for_units_they_are_ordered_after() {
        let mut t = Table::default();
        let pending = Phase { pending_start: true, ..phase(Sub::Dead) };
        unit(&mut t, "app", "after=db", pending);
        unit(&mut t, "db", "", phase(Sub::StartPre));
        assert!(start_blocked(&t, "app.service"));
        // Before= on the other side orders the same way.
        let mut t = Table::default();
        unit(&mut t, "app", "", pending);
        unit(&mut t, "db", "before=app", phase(Sub::Start));
        assert!(start_blocked(&t, "app.service"));
        // Once db is up, app goes.
        unit(&mut t, "db", "before=app", phase(Sub::Running));
        assert!(!start_blocked(&t, "app.service"));
        // A conflicting unit still stopping holds the start back.
        unit(&mut t, "old", "conflicts=app", phase(Sub::StopSigterm));
        assert!(start_blocked(&t, "app.service"));
    }

    #[test]
    fn an_ordering_cycle_does_not_block_forever() {
        let mut t = Table::default();
        let pending = Phase { pending_start: true, ..phase(Sub::Dead) };
        unit(&mut t, "c1", "after=c2 wants=c2", pending);
        unit(&mut t, "c2", "after=c1", pending);
        assert!(waits_for(&t, "c1.service", "c2.service") && waits_for(&t, "c2.service", "c1.service"));
        // Each ignores the edge that closes the cycle: both start.
        assert!(!start_blocked(&t, "c1.service") && !start_blocked(&t, "c2.service"));
    }

    #[test]
    fn stops_go_in_reverse_order() {
        let mut t = Table::default();
        let stopping = Phase { pending_stop: true, ..phase(Sub::Running) };
        unit(&mut t, "db", "", stopping);
        unit(&mut t, "app", "after=db", stopping);
        // db waits for app (ordered after it) to stop first; app does not wait.
        assert!(stop_blocked(&t, "db.service"));
        assert!(!stop_blocked(&t, "app.service"));
        unit(&mut t, "app", "after=db", phase(Sub::Dead));
        assert!(!stop_blocked(&t, "db.service"));
    }

    #[test]
    fn a_failed_requirement_fails_the_start_only_with_ordering() {
        let mut t = Table::default();
        unit(&mut t, "app", "requires=db after=db", phase(Sub::Dead));
        unit(&mut t, "side", "requires=db", phase(Sub::Dead));
        unit(&mut t, "db", "", phase(Sub::Failed));
        assert_eq!(failed_requirement(&t, "app.service"), Some("db.service".into()));
        assert_eq!(failed_requirement(&t, "side.service"), None);
        // A dead unit that came up (a oneshot that finished) is no failure.
        unit(&mut t, "db", "", Phase { start_ok: true, ..phase(Sub::Dead) });
        assert_eq!(failed_requirement(&t, "app.service"), None);
        // Nor is one that is about to start.
        unit(&mut t, "db", "", Phase { pending_start: true, ..phase(Sub::Failed) });
        assert_eq!(failed_requirement(&t, "app.service"), None);
    }
}
