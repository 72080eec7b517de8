//! Where the scheduler's state lives in the store: one prefix (default `/_corekit/sched`, a
//! hidden directory), laid out so that every agent watches only what concerns its own
//! machine — fleet's agents each re-read the whole registry on every change, which is what
//! broke it past ~100 machines. `man corekit-keys` (section 7) documents the layout; this
//! file is its one implementation.
//!
//! | key | value | written by |
//! |---|---|---|
//! | `units/<unit>` | [`UnitRecord`](super::records::UnitRecord) | `unit-sched` (submit, load, start, stop, unload, destroy) |
//! | `texts/<sha1>` | the unit file's text, content-addressed | `unit-sched` |
//! | `machines/<id>` | [`MachineRecord`](super::records::MachineRecord), TTL `agent_ttl` | each agent |
//! | `schedule/<id>/<unit>` | [`Assignment`](super::records::Assignment) | the engine; watched by agent `<id>` only |
//! | `global/<unit>` | [`GlobalUnit`](super::records::GlobalUnit) | the engine; watched by every agent |
//! | `states/<unit>/<id>` | [`UnitState`](super::records::UnitState), TTL `agent_ttl` | agent `<id>` |
//! | `reasons/<unit>` | why the unit cannot be placed now (text) | the engine |
//! | `lease/engine` | [`Lease`](super::records::Lease), TTL | the engine that leads |

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "/_corekit/sched";

/// The key layout under one prefix.
#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys::new(DEFAULT_PREFIX)
    }
}

impl Keys {
    /// `prefix` is cleaned: always rooted, no trailing slash.
    pub fn new(prefix: &str) -> Keys {
        Keys { prefix: crate::store::clean_path(prefix).trim_end_matches('/').to_string() }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn units(&self) -> String {
        format!("{}/units", self.prefix)
    }
    pub fn unit(&self, unit: &str) -> String {
        format!("{}/units/{unit}", self.prefix)
    }
    pub fn texts(&self) -> String {
        format!("{}/texts", self.prefix)
    }
    pub fn text(&self, hash: &str) -> String {
        format!("{}/texts/{hash}", self.prefix)
    }
    pub fn machines(&self) -> String {
        format!("{}/machines", self.prefix)
    }
    pub fn machine(&self, id: &str) -> String {
        format!("{}/machines/{id}", self.prefix)
    }
    pub fn schedule(&self) -> String {
        format!("{}/schedule", self.prefix)
    }
    pub fn schedule_of(&self, machine: &str) -> String {
        format!("{}/schedule/{machine}", self.prefix)
    }
    pub fn assignment(&self, machine: &str, unit: &str) -> String {
        format!("{}/schedule/{machine}/{unit}", self.prefix)
    }
    pub fn globals(&self) -> String {
        format!("{}/global", self.prefix)
    }
    pub fn global(&self, unit: &str) -> String {
        format!("{}/global/{unit}", self.prefix)
    }
    pub fn states(&self) -> String {
        format!("{}/states", self.prefix)
    }
    pub fn states_of(&self, unit: &str) -> String {
        format!("{}/states/{unit}", self.prefix)
    }
    pub fn state(&self, unit: &str, machine: &str) -> String {
        format!("{}/states/{unit}/{machine}", self.prefix)
    }
    pub fn reasons(&self) -> String {
        format!("{}/reasons", self.prefix)
    }
    pub fn reason(&self, unit: &str) -> String {
        format!("{}/reasons/{unit}", self.prefix)
    }
    pub fn lease(&self) -> String {
        format!("{}/lease/engine", self.prefix)
    }

    /// The last segment of a key (a unit name or a machine ID).
    pub fn last(key: &str) -> &str {
        key.rsplit('/').next().unwrap_or(key)
    }

    /// For `…/schedule/<id>/<unit>` and `…/states/<unit>/<id>`: the two last segments.
    pub fn last_two(key: &str) -> Option<(&str, &str)> {
        let (rest, b) = key.rsplit_once('/')?;
        let a = rest.rsplit('/').next()?;
        Some((a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::Keys;

    #[test]
    fn layout() {
        let k = Keys::new("/_corekit/sched/");
        assert_eq!(k.unit("croc.service"), "/_corekit/sched/units/croc.service");
        assert_eq!(k.assignment("abc", "croc.service"), "/_corekit/sched/schedule/abc/croc.service");
        assert_eq!(k.state("croc.service", "abc"), "/_corekit/sched/states/croc.service/abc");
        assert_eq!(Keys::last_two(&k.state("croc.service", "abc")), Some(("croc.service", "abc")));
        assert_eq!(Keys::new("x").units(), "/x/units");
    }
}
