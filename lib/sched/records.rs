//! What the scheduler's keys hold (see [`super::keys`]): JSON documents another program can
//! read and write to replace any one part (the CLI, the engine or the agent).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::requirements::Requirements;

/// A unit's desired state — fleet's `inactive` (submitted, placed nowhere), `loaded` (placed,
/// its file loaded there) and `launched` (started). A unit moves between neighbours only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Desired {
    Inactive,
    Loaded,
    Launched,
}

impl Desired {
    pub fn name(self) -> &'static str {
        match self {
            Desired::Inactive => "inactive",
            Desired::Loaded => "loaded",
            Desired::Launched => "launched",
        }
    }

    pub fn parse(s: &str) -> Option<Desired> {
        match s {
            "inactive" => Some(Desired::Inactive),
            "loaded" => Some(Desired::Loaded),
            "launched" => Some(Desired::Launched),
            _ => None,
        }
    }
}

impl fmt::Display for Desired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `units/<unit>`: a submitted unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub name: String,
    /// SHA-1 of the unit file's text, the key of `texts/<hash>`.
    pub hash: String,
    pub desired: Desired,
    /// The `[X-Fleet]` requirements, read from the text for this unit's name (an instance of a
    /// template reads its template's text with its own name).
    #[serde(default)]
    pub requirements: Requirements,
    /// `Description=`, for `list-unit-files --fields desc`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// `machines/<id>`: a live agent (the key expires when the agent stops renewing it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineRecord {
    pub id: String,
    #[serde(default)]
    pub hostname: String,
    /// The address shown in listings (`--public-ip`).
    #[serde(default)]
    pub public_ip: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Where the agent serves its units' status and journal (read-only HTTP).
    #[serde(default)]
    pub agent_url: String,
    #[serde(default)]
    pub version: String,
}

/// `schedule/<machine>/<unit>`: the engine placed `unit` on `machine`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub hash: String,
    /// `loaded` or `launched`.
    pub desired: Desired,
}

/// `global/<unit>`: a unit every matching machine runs (its agent decides whether it matches).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalUnit {
    pub hash: String,
    pub desired: Desired,
    #[serde(default)]
    pub requirements: Requirements,
}

/// `states/<unit>/<machine>`: what the agent on `machine` reports of `unit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitState {
    /// What the agent has done with the unit: `loaded` (its file is loaded) or `launched`
    /// (it was started) — fleet's current state, which `load`/`start` wait for.
    pub job: Desired,
    /// systemd's LOAD, ACTIVE and SUB states (`loaded`, `active`, `running`).
    pub load: String,
    pub active: String,
    pub sub: String,
    /// The hash of the unit file the agent loaded.
    pub hash: String,
    pub machine: String,
}

/// `lease/engine`: which engine leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub machine_id: String,
    pub version: u32,
}

/// The lease format this engine speaks; an engine finding a higher one stands by.
pub const ENGINE_VERSION: u32 = 1;

/// The hash a unit's text is stored under.
pub fn text_hash(text: &str) -> String {
    Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back() {
        let u = UnitRecord {
            name: "croc.service".into(),
            hash: text_hash("x"),
            desired: Desired::Launched,
            requirements: Requirements::default(),
            description: String::new(),
        };
        let j = serde_json::to_string(&u).unwrap();
        assert_eq!(
            j,
            r#"{"name":"croc.service","hash":"11f6ad8ec52a2984abaafd7c3b516503785c2072","desired":"launched","requirements":{}}"#
        );
        assert_eq!(serde_json::from_str::<UnitRecord>(&j).unwrap(), u);
        assert_eq!(Desired::parse("loaded"), Some(Desired::Loaded));
        assert!(Desired::Inactive < Desired::Loaded && Desired::Loaded < Desired::Launched);
    }
}
