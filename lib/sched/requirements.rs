//! A unit's `[X-Fleet]` section: where it may run. Every key fleet 1.0 knows, with fleet's
//! meaning, plus the checks fleet left out (it accepted `Global=true` beside `MachineID=`
//! and scheduled nonsense).
//!
//! | key | meaning |
//! |---|---|
//! | `MachineID=` | only on the machine with this ID (`/etc/machine-id`) |
//! | `MachineOf=u` | on the machine that runs `u`; waits until `u` is placed, follows it |
//! | `MachineMetadata="k=v" "k2=v2"` | different keys ANDed; values of one key ORed |
//! | `Conflicts=glob…` | never beside a unit matching a glob (either unit saying so is enough) |
//! | `Global=true` | on every machine that matches (only with `MachineMetadata`/`Conflicts`) |
//! | `Replaces=u` | take `u`'s machine; `u` moves elsewhere |
//!
//! The pre-0.8 spellings `X-ConditionMachineID`, `X-ConditionMachineOf`,
//! `X-ConditionMachineMetadata`, `X-Conflicts` and `X-ConditionMachineBootID` still work, with
//! a warning. Values may use `%n %N %p %i` (fleet's specifiers), expanded for the unit's name.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::unit::error::UnitError;
use crate::unit::name::UnitName;
use crate::unit::syntax::parse_syntax;

/// Where a unit may run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_of: Vec<String>,
    /// Key → accepted values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, BTreeSet<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub global: bool,
}

/// Requirements read from a unit file, with what was said about them.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub requirements: Requirements,
    /// `file:line: …` remarks: deprecated spellings, unknown keys.
    pub warnings: Vec<String>,
}

impl Requirements {
    /// Does a machine with this ID and metadata meet the unit's own conditions (ID and
    /// metadata; peers and conflicts depend on what else runs there)?
    pub fn accepts_machine(&self, id: &str, metadata: &BTreeMap<String, String>) -> bool {
        if let Some(want) = &self.machine_id
            && want != id
        {
            return false;
        }
        self.metadata.iter().all(|(k, values)| metadata.get(k).is_some_and(|v| values.contains(v)))
    }

    /// Does either unit's `Conflicts=` name the other?
    pub fn conflicts_with(&self, me: &str, other_name: &str, other: &Requirements) -> bool {
        me != other_name
            && (self.conflicts.iter().any(|g| super::glob::matches(g, other_name))
                || other.conflicts.iter().any(|g| super::glob::matches(g, me)))
    }
}

/// fleet's truth values for `Global=`.
fn truthy(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "on" | "t")
}

/// fleet's multi-value form: `"a=b" "c=d"` is two values; anything else is one.
fn values(line: &str) -> Vec<String> {
    if !(line.len() >= 2 && line.starts_with('"') && line.ends_with('"')) {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// fleet's specifiers in `[X-Fleet]` values.
fn expand(v: &str, name: &UnitName) -> String {
    v.replace("%n", &name.full)
        .replace("%N", name.without_suffix())
        .replace("%p", &name.prefix)
        .replace("%i", name.instance.as_deref().unwrap_or(""))
}

/// Reads the `[X-Fleet]` section of `text`, the unit file of `unit` (`file` names it in
/// messages). A template's requirements are read for each instance, with its name.
pub fn parse(unit: &str, file: &str, text: &str) -> Result<Parsed, UnitError> {
    let name = UnitName::parse(unit).map_err(|e| UnitError::new(file, 0, 0, e))?;
    let syntax = parse_syntax(file, text)?;
    let mut out = Parsed::default();
    let mut machine_ids: Vec<(String, usize, usize)> = Vec::new();
    let mut global: Option<(bool, usize, usize)> = None;
    for e in syntax.section("X-Fleet") {
        let (key, deprecated) = match e.key.as_str() {
            "X-ConditionMachineID" => ("MachineID", true),
            "X-ConditionMachineBootID" => ("MachineBootID", true),
            "X-ConditionMachineOf" => ("MachineOf", true),
            "X-ConditionMachineMetadata" => ("MachineMetadata", true),
            "X-Conflicts" => ("Conflicts", true),
            k => (k, false),
        };
        if deprecated {
            out.warnings.push(format!(
                "{file}:{}: [X-Fleet] {} is deprecated; use {key}=",
                e.line,
                e.key,
                key = if key == "MachineBootID" { "MachineID" } else { key }
            ));
        }
        let vals: Vec<String> = values(&e.value).iter().map(|v| expand(v, &name)).collect();
        let r = &mut out.requirements;
        match key {
            "MachineID" | "MachineBootID" => {
                for v in vals {
                    machine_ids.push((v, e.line, e.column));
                }
            }
            "MachineOf" => r.machine_of.extend(vals.into_iter().filter(|v| !v.is_empty())),
            "MachineMetadata" => {
                for v in vals {
                    let Some((k, val)) = v.split_once('=').filter(|(k, v)| !k.is_empty() && !v.is_empty())
                    else {
                        return Err(UnitError::new(
                            file,
                            e.line,
                            e.column,
                            format!("MachineMetadata: {v:?} is not key=value"),
                        ));
                    };
                    if val.contains('=') {
                        return Err(UnitError::new(
                            file,
                            e.line,
                            e.column,
                            format!("MachineMetadata: {v:?} is not key=value"),
                        ));
                    }
                    r.metadata.entry(k.to_string()).or_default().insert(val.to_string());
                }
            }
            "Conflicts" => {
                r.conflicts.extend(vals.iter().flat_map(|v| v.split_whitespace().map(str::to_string)))
            }
            "Replaces" => r.replaces.extend(vals.into_iter().filter(|v| !v.is_empty())),
            "Global" => {
                let last = vals.last().cloned().unwrap_or_default();
                global = Some((truthy(&last), e.line, e.column));
            }
            _ => out.warnings.push(format!(
                "{file}:{}: unrecognized requirement in [X-Fleet] section: {:?}",
                e.line, e.key
            )),
        }
    }
    let r = &mut out.requirements;
    if let Some((id, line, column)) = machine_ids.first() {
        if id.is_empty() {
            return Err(UnitError::new(file, *line, *column, "MachineID= is empty"));
        }
        r.machine_id = Some(id.clone());
    }
    if let Some((g, line, column)) = global {
        r.global = g;
        if g && (r.machine_id.is_some() || !r.machine_of.is_empty() || !r.replaces.is_empty()) {
            return Err(UnitError::new(
                file,
                line,
                column,
                "Global=true may be combined only with MachineMetadata= and Conflicts=",
            ));
        }
    }
    if !r.replaces.is_empty() && !r.conflicts.is_empty() {
        return Err(UnitError::new(file, 0, 0, "Replaces= may not be combined with Conflicts="));
    }
    if r.machine_of.iter().any(|p| p == unit) || r.replaces.iter().any(|p| p == unit) {
        return Err(UnitError::new(
            file,
            0,
            0,
            format!("{unit} may not name itself in MachineOf= or Replaces="),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(unit: &str, xfleet: &str) -> Result<Parsed, UnitError> {
        parse(unit, "u.service", &format!("[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n{xfleet}"))
    }

    #[test]
    fn every_key() {
        let p = req(
            "web@2.service",
            "MachineOf=db.service\nMachineMetadata=\"region=us\" \"disk=ssd\"\nMachineMetadata=region=eu\n\
             Conflicts=web@*.service other.service\n",
        )
        .unwrap();
        let r = p.requirements;
        assert_eq!(r.machine_of, ["db.service"]);
        assert_eq!(r.metadata["region"], BTreeSet::from(["us".to_string(), "eu".to_string()]));
        assert_eq!(r.metadata["disk"], BTreeSet::from(["ssd".to_string()]));
        assert_eq!(r.conflicts, ["web@*.service", "other.service"]);
        assert!(!r.global && p.warnings.is_empty());
        let r = req("new.service", "Replaces=old.service\n").unwrap().requirements;
        assert_eq!(r.replaces, ["old.service"]);
    }

    #[test]
    fn metadata_and_across_keys_or_within_one() {
        let r = req("a.service", "MachineMetadata=\"region=us\" \"region=eu\" \"disk=ssd\"\n")
            .unwrap()
            .requirements;
        let m = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        assert!(r.accepts_machine("x", &m(&[("region", "eu"), ("disk", "ssd")])));
        assert!(!r.accepts_machine("x", &m(&[("region", "eu")])));
        assert!(!r.accepts_machine("x", &m(&[("region", "asia"), ("disk", "ssd")])));
    }

    #[test]
    fn specifiers_and_deprecated_spellings() {
        let p =
            req("web@3.service", "X-Conflicts=%p@*.service\nX-ConditionMachineOf=db@%i.service\n").unwrap();
        assert_eq!(p.requirements.conflicts, ["web@*.service"]);
        assert_eq!(p.requirements.machine_of, ["db@3.service"]);
        assert_eq!(p.warnings.len(), 2);
        assert!(p.warnings[0].contains("X-Conflicts is deprecated; use Conflicts="), "{:?}", p.warnings);
    }

    #[test]
    fn global_and_its_limits() {
        assert!(req("g.service", "Global=yes\nMachineMetadata=role=web\n").unwrap().requirements.global);
        assert!(!req("g.service", "Global=false\n").unwrap().requirements.global);
        let e = req("g.service", "Global=true\nMachineID=abc\n").unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(e.to_string().contains("Global=true may be combined only with"), "{e}");
        assert!(req("a.service", "Replaces=b.service\nConflicts=c.service\n").is_err());
        assert!(req("a.service", "MachineOf=a.service\n").is_err());
    }

    #[test]
    fn unknown_keys_warn_like_fleet_and_bad_metadata_is_an_error() {
        let p = req("a.service", "MachineIDs=abc\n").unwrap();
        assert_eq!(
            p.warnings,
            ["u.service:5: unrecognized requirement in [X-Fleet] section: \"MachineIDs\""]
        );
        let e = req("a.service", "MachineMetadata=region\n").unwrap_err();
        assert_eq!((e.line, e.column), (5, 17));
    }

    #[test]
    fn conflicts_go_both_ways() {
        let a = req("a.service", "Conflicts=b*.service\n").unwrap().requirements;
        let b = Requirements::default();
        assert!(a.conflicts_with("a.service", "b1.service", &b));
        assert!(b.conflicts_with("b1.service", "a.service", &a));
        assert!(!a.conflicts_with("a.service", "c.service", &b));
    }
}
