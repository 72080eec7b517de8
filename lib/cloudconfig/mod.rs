//! cfg-init: coreos-cloudinit for corekit. A `#cloud-config` (or a script) is read, validated
//! with the line and column of every finding, its address tokens substituted, and applied —
//! files, users, keys, the env files that configure kv-serve and unit-sched, and units run
//! through the node agent in dependency order.
//!
//! | module | concern |
//! |---|---|
//! | [`userdata`] | where user-data comes from (file, stdin, URL, config drive) and what it is |
//! | [`yaml`] | YAML with the position of every key and value, YAML 1.1 scalars |
//! | [`schema`] | every key coreos-cloudinit knows: types, checks, deprecations, env names |
//! | [`findings`] | `FILE:LINE:COLUMN: error|warning|info: message`, their order, JSON |
//! | [`validate`] | coreos-cloudinit's validator rules and what they missed |
//! | [`reindent`] | a cloud-config whose indentation was lost, re-indented from the schema |
//! | [`metadata`] | address sources: flags, EC2 metadata service, config drive, environment |
//! | [`substitute`] | `$private_ipv4` and the others, `\$` escapes |
//! | [`config`] | the cloud-config as typed values |
//! | [`plan`] | the ordered changes it asks for |
//! | [`apply`] | carrying them out, idempotently, or showing them (dry run) |
//! | [`files`] | write_files: encodings, modes, owners, atomic writes |
//! | [`users`] | useradd / chpasswd command lines, authorized_keys |
//! | [`hosts`] | `/etc/hosts` for manage_etc_hosts |
//! | [`envfile`] | kv-serve.env, unit-run.env, options.env, /etc/environment |
//! | [`units`] | corekit's own units, drop-ins, and the seam to the node agent |
//! | [`order`] | the order unit commands run in (After=/Requires=) |

pub mod apply;
pub mod config;
pub mod envfile;
pub mod fetch;
pub mod files;
pub mod findings;
pub mod hosts;
pub mod metadata;
pub mod order;
pub mod plan;
pub mod reindent;
pub mod schema;
pub mod substitute;
pub mod units;
pub mod userdata;
pub mod users;
pub mod validate;
pub mod yaml;

use findings::Finding;
use metadata::Metadata;
use userdata::{Kind, UserData};
use validate::{Mode, Report};

/// Why `apply` would not plan.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Validation errors (in the user-data as given, or once substituted).
    #[error("the user-data has errors")]
    Invalid(Vec<Finding>),
    #[error("{0}")]
    Plan(#[from] plan::Error),
    /// Unrecognized user-data: nothing to apply.
    #[error("{0}")]
    Unusable(String),
}

/// What `apply` will do, and the findings that did not stop it (warnings).
pub struct Prepared {
    pub report: Report,
    pub plan: plan::Plan,
}

/// Validates the user-data for applying (a token with no value is an error), substitutes the
/// addresses, validates again with them in place, and plans. Nothing is changed.
pub fn prepare(ud: &UserData, md: &Metadata, opts: &plan::Options) -> Result<Prepared, Refusal> {
    let report = validate::validate(ud, md, Mode::Apply);
    if report.has_errors() {
        return Err(Refusal::Invalid(report.findings));
    }
    let plan = match ud.kind {
        Kind::Empty | Kind::Ignition => plan::Plan::default(),
        Kind::Unrecognized => return Err(Refusal::Unusable("unrecognized user-data".into())),
        Kind::Script => {
            let text = substitute::substitute(&ud.text, md)
                .map_err(|_| Refusal::Invalid(report.findings.clone()))?;
            plan::build(&config::CloudConfig::default(), md, Some(&text), opts)?
        }
        Kind::CloudConfig => {
            let text = substitute::substitute(&ud.text, md)
                .map_err(|_| Refusal::Invalid(report.findings.clone()))?;
            let sub = UserData { text, ..ud.clone() };
            let again = validate::validate(&sub, md, Mode::Apply);
            if again.has_errors() {
                let mut f = again.findings;
                for x in &mut f {
                    x.message = format!("{} (once the addresses are substituted)", x.message);
                }
                return Err(Refusal::Invalid(f));
            }
            let cfg = config::CloudConfig::from_yaml(again.root.as_ref());
            plan::build(&cfg, md, None, opts)?
        }
    };
    Ok(Prepared { report, plan })
}
