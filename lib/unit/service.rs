//! Typed units: systemd semantics on top of [`super::syntax`].
//!
//! [`parse_unit`] checks the unit name, parses the file syntax, interprets
//! every known key of `[Unit]`, `[Service]`, `[X-Fleet]` and `[Install]`,
//! expands `%` specifiers (with the unit's own name, so `%i` works for
//! template instances) and validates the result.
//!
//! Conventions follow systemd:
//!
//! * list settings (dependencies, `Exec*=`, `Environment=`,
//!   `EnvironmentFile=`, `SuccessExitStatus=`) accumulate over repeated keys,
//!   and an empty assignment (`ExecStartPre=`) resets the list; an empty
//!   assignment of a scalar setting restores its default;
//! * unknown keys and sections are warnings, not errors (keys and sections
//!   starting with `X-` are silently ignored, `[X-Fleet]` is kept verbatim);
//!   sections of other unit types (`[Socket]`, `[Timer]`, ...) are accepted
//!   with a warning, since unit-run only runs services;
//! * bad values are errors pointing at the value's line and column, named
//!   after the key: `Invalid Restart= value 'sometimes'`.
//!
//! Defaults: `Type=simple`, `Restart=no`, `RestartSec=100ms`,
//! `TimeoutStartSec=`/`TimeoutStopSec=90s` (start: infinity for oneshot;
//! `0` and `infinity` both mean no timeout), `KillMode=control-group`,
//! `KillSignal=SIGTERM`, `SendSIGKILL=yes`, `StartLimitIntervalSec=10s`,
//! `StartLimitBurst=5`.

use std::time::Duration;

use super::environment::parse_environment;
use super::error::{UnitError, Warning};
use super::exec::{ExecCommand, parse_exec};
use super::name::{UnitName, check_name};
use super::signal::{parse_signal, signal_from_name};
use super::specifier::{SpecifierContext, expand};
use super::syntax::{Entry, parse_syntax};
use super::timespan::parse_timespan;

/// Default `TimeoutStartSec=` / `TimeoutStopSec=`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);
/// Default `RestartSec=`.
pub const DEFAULT_RESTART_SEC: Duration = Duration::from_millis(100);
/// Default `StartLimitIntervalSec=`.
pub const DEFAULT_START_LIMIT_INTERVAL: Duration = Duration::from_secs(10);
/// Default `StartLimitBurst=`.
pub const DEFAULT_START_LIMIT_BURST: u32 = 5;

/// Defines a small enum with its systemd spellings.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            #[default]
            $($variant),+
        }

        impl $name {
            /// Parses the systemd spelling.
            pub fn from_name(s: &str) -> Option<Self> {
                match s {
                    $($word => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The systemd spelling.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }
        }
    };
}

keyword_enum! {
    /// `Type=`.
    ServiceType { Simple = "simple", Exec = "exec", Oneshot = "oneshot", Forking = "forking" }
}

keyword_enum! {
    /// `Restart=`.
    RestartPolicy {
        No = "no",
        OnSuccess = "on-success",
        OnFailure = "on-failure",
        OnAbnormal = "on-abnormal",
        OnWatchdog = "on-watchdog",
        OnAbort = "on-abort",
        Always = "always",
    }
}

keyword_enum! {
    /// `KillMode=`.
    KillMode { ControlGroup = "control-group", Mixed = "mixed", Process = "process", None = "none" }
}

/// Ordering and requirement dependencies from `[Unit]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dependencies {
    pub after: Vec<String>,
    pub before: Vec<String>,
    pub requires: Vec<String>,
    pub wants: Vec<String>,
    pub binds_to: Vec<String>,
    pub conflicts: Vec<String>,
}

/// One `EnvironmentFile=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    /// Absolute path of the file.
    pub path: String,
    /// `-` prefix: a missing file is not an error.
    pub optional: bool,
}

/// The `[Service]` section of a service unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub kind: ServiceType,
    pub exec_start_pre: Vec<ExecCommand>,
    pub exec_start: Vec<ExecCommand>,
    pub exec_start_post: Vec<ExecCommand>,
    pub exec_reload: Vec<ExecCommand>,
    pub exec_stop: Vec<ExecCommand>,
    pub exec_stop_post: Vec<ExecCommand>,
    /// `Environment=` assignments in order (later ones win).
    pub environment: Vec<(String, String)>,
    pub environment_files: Vec<EnvFile>,
    /// The directory (absolute, or `~` for the user's home) and whether a
    /// missing directory is tolerated (`-` prefix).
    pub working_directory: Option<(String, bool)>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub restart: RestartPolicy,
    pub restart_sec: Duration,
    /// `None` means no timeout.
    pub timeout_start: Option<Duration>,
    /// `None` means no timeout.
    pub timeout_stop: Option<Duration>,
    pub kill_mode: KillMode,
    pub kill_signal: i32,
    pub send_sigkill: bool,
    pub remain_after_exit: bool,
    /// Extra exit statuses (0–255) counted as success.
    pub success_exit_status: Vec<i32>,
    /// Signals whose termination counts as success.
    pub success_signals: Vec<i32>,
    pub pid_file: Option<String>,
}

impl Default for Service {
    fn default() -> Self {
        Service {
            kind: ServiceType::Simple,
            exec_start_pre: Vec::new(),
            exec_start: Vec::new(),
            exec_start_post: Vec::new(),
            exec_reload: Vec::new(),
            exec_stop: Vec::new(),
            exec_stop_post: Vec::new(),
            environment: Vec::new(),
            environment_files: Vec::new(),
            working_directory: None,
            user: None,
            group: None,
            restart: RestartPolicy::No,
            restart_sec: DEFAULT_RESTART_SEC,
            timeout_start: Some(DEFAULT_TIMEOUT),
            timeout_stop: Some(DEFAULT_TIMEOUT),
            kill_mode: KillMode::ControlGroup,
            kill_signal: libc::SIGTERM,
            send_sigkill: true,
            remain_after_exit: false,
            success_exit_status: Vec::new(),
            success_signals: Vec::new(),
            pid_file: None,
        }
    }
}

/// A parsed unit file.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The full unit name, e.g. `web@8080.service`.
    pub name: String,
    pub description: Option<String>,
    pub deps: Dependencies,
    pub start_limit_interval: Duration,
    pub start_limit_burst: u32,
    /// `Some` for `.service` units.
    pub service: Option<Service>,
    /// `[X-Fleet]` entries, verbatim and in order.
    pub fleet: Vec<(String, String)>,
    /// `[Install]` entries, verbatim and in order.
    pub install: Vec<(String, String)>,
    pub warnings: Vec<Warning>,
    /// The file text as given.
    pub text: String,
}

impl Unit {
    /// The description, or the unit name when there is none.
    pub fn description_or_name(&self) -> &str {
        self.description.as_deref().unwrap_or(&self.name)
    }
}

/// systemd's booleans: `1 yes y true t on` / `0 no n false f off`, any case.
pub fn parse_boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// Parses a unit file.
///
/// `name` is the unit name (it decides the unit type and feeds `%n`, `%i`,
/// ...; it replaces `ctx.unit`), `file` is used in messages, `ctx` supplies
/// the host identity for `%H`, `%m` and `%b`.
pub fn parse_unit(name: &str, file: &str, text: &str, ctx: &SpecifierContext) -> Result<Unit, UnitError> {
    let whole = |message: String| UnitError::new(file, 0, 0, message);
    let unit_name = UnitName::parse(name).map_err(whole)?;
    if unit_name.is_template() {
        return Err(whole(format!(
            "cannot run a template; instantiate it as {}@NAME{}",
            unit_name.prefix, unit_name.suffix
        )));
    }
    let syntax = parse_syntax(file, text)?;
    let is_service = unit_name.suffix == ".service";
    let cx = Cx { file, spec: SpecifierContext { unit: unit_name.clone(), ..ctx.clone() } };

    let mut unit = Unit {
        name: unit_name.full,
        description: None,
        deps: Dependencies::default(),
        start_limit_interval: DEFAULT_START_LIMIT_INTERVAL,
        start_limit_burst: DEFAULT_START_LIMIT_BURST,
        service: None,
        fleet: Vec::new(),
        install: Vec::new(),
        warnings: Vec::new(),
        text: text.to_string(),
    };
    for (section, line) in &syntax.sections {
        if let Some(message) = section_warning(section, is_service) {
            unit.warnings.push(Warning { file: file.to_string(), line: *line, message });
        }
    }

    let mut pending = PendingService { svc: Service::default(), timeout_start: None };
    for e in &syntax.entries {
        match e.section.as_str() {
            "Unit" => unit_key(&cx, &mut unit, e)?,
            "Service" if is_service => service_key(&cx, &mut unit, &mut pending, e)?,
            "X-Fleet" => unit.fleet.push((e.key.clone(), e.value.clone())),
            "Install" => unit.install.push((e.key.clone(), e.value.clone())),
            _ => {} // Already warned about once per section header.
        }
    }

    unit.warnings.sort_by_key(|w| w.line);
    if is_service {
        let service_line = syntax.sections.iter().find(|(s, _)| s == "Service").map_or(0, |&(_, l)| l);
        unit.service = Some(finish_service(&cx, pending, service_line)?);
    }
    Ok(unit)
}

/// Why a section is ignored, if it is.
fn section_warning(section: &str, is_service: bool) -> Option<String> {
    match section {
        "Unit" | "Install" | "X-Fleet" => None,
        "Service" if is_service => None,
        s if s.starts_with("X-") => None,
        "Service" | "Socket" | "Timer" | "Path" | "Mount" | "Automount" | "Swap" | "Slice" | "Scope"
            if !is_service =>
        {
            Some(format!("Section '{section}' ignored: unit-run only runs services."))
        }
        _ => Some(format!("Unknown section '{section}'. Ignoring.")),
    }
}

/// Shared state for interpreting entries.
struct Cx<'a> {
    file: &'a str,
    spec: SpecifierContext,
}

impl Cx<'_> {
    fn err(&self, e: &Entry, message: impl Into<String>) -> UnitError {
        UnitError::new(self.file, e.line, e.column, message)
    }

    /// `Invalid Key= value 'v'`.
    fn invalid(&self, e: &Entry) -> UnitError {
        self.err(e, format!("Invalid {}= value '{}'", e.key, e.value))
    }

    /// `Invalid Key= value 'v': reason`.
    fn invalid_because(&self, e: &Entry, why: String) -> UnitError {
        self.err(e, format!("Invalid {}= value '{}': {why}", e.key, e.value))
    }

    fn expand(&self, e: &Entry, s: &str) -> Result<String, UnitError> {
        expand(s, &self.spec).map_err(|m| self.invalid_because(e, m))
    }

    /// Empty → `None`, otherwise the expanded value.
    fn optional_string(&self, e: &Entry) -> Result<Option<String>, UnitError> {
        if e.value.is_empty() { Ok(None) } else { self.expand(e, &e.value).map(Some) }
    }

    /// An expanded path that must be absolute.
    fn absolute_path(&self, e: &Entry, path: &str) -> Result<String, UnitError> {
        let path = self.expand(e, path)?;
        if path.starts_with('/') {
            Ok(path)
        } else {
            Err(self.invalid_because(e, "path is not absolute".into()))
        }
    }

    fn timespan(&self, e: &Entry) -> Result<Option<Duration>, UnitError> {
        parse_timespan(&e.value).map_err(|m| self.invalid_because(e, m))
    }

    /// A timeout: `Ok(None)` for an empty value (restore the default),
    /// `Ok(Some(None))` for `0`/`infinity` (no timeout).
    fn timeout(&self, e: &Entry) -> Result<Option<Option<Duration>>, UnitError> {
        if e.value.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.timespan(e)?.filter(|d| !d.is_zero())))
    }

    fn boolean(&self, e: &Entry, default: bool) -> Result<bool, UnitError> {
        if e.value.is_empty() { Ok(default) } else { parse_boolean(&e.value).ok_or_else(|| self.invalid(e)) }
    }

    fn keyword<T: Default>(&self, e: &Entry, parse: fn(&str) -> Option<T>) -> Result<T, UnitError> {
        if e.value.is_empty() { Ok(T::default()) } else { parse(&e.value).ok_or_else(|| self.invalid(e)) }
    }

    /// The warning for a key nobody handles (`X-` keys are silent).
    fn unknown(&self, unit: &mut Unit, e: &Entry) {
        if !e.key.starts_with("X-") {
            unit.warnings.push(Warning {
                file: self.file.to_string(),
                line: e.line,
                message: format!("Unknown key name '{}' in section '{}', ignoring.", e.key, e.section),
            });
        }
    }
}

/// The service being built, plus settings whose default depends on others.
struct PendingService {
    svc: Service,
    /// Explicit `TimeoutStartSec=`; `None` = use the type's default.
    timeout_start: Option<Option<Duration>>,
}

/// Appends what `parse` yields to `list`, or clears it for an empty value.
fn accumulate<T>(
    list: &mut Vec<T>,
    e: &Entry,
    parse: impl FnOnce() -> Result<Vec<T>, UnitError>,
) -> Result<(), UnitError> {
    if e.value.is_empty() {
        list.clear();
    } else {
        list.extend(parse()?);
    }
    Ok(())
}

/// The whitespace-separated words of `s` with their character offsets.
fn words_with_offsets(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace().map(move |w| {
        let byte = w.as_ptr() as usize - s.as_ptr() as usize;
        (s[..byte].chars().count(), w)
    })
}

/// Splits a leading `-` (meaning "optional") off a path value.
fn optional_prefix(v: &str) -> (bool, &str) {
    match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    }
}

fn unit_key(cx: &Cx, unit: &mut Unit, e: &Entry) -> Result<(), UnitError> {
    let list = match e.key.as_str() {
        "After" => &mut unit.deps.after,
        "Before" => &mut unit.deps.before,
        "Requires" => &mut unit.deps.requires,
        "Wants" => &mut unit.deps.wants,
        "BindsTo" => &mut unit.deps.binds_to,
        "Conflicts" => &mut unit.deps.conflicts,
        "Description" => {
            unit.description = cx.optional_string(e)?;
            return Ok(());
        }
        "Documentation" => return Ok(()),
        "StartLimitIntervalSec" | "StartLimitInterval" => return start_limit(cx, unit, e),
        "StartLimitBurst" => return start_limit(cx, unit, e),
        _ => {
            cx.unknown(unit, e);
            return Ok(());
        }
    };
    accumulate(list, e, || {
        let mut names: Vec<String> = Vec::new();
        for (offset, word) in words_with_offsets(&e.value) {
            let name = expand(word, &cx.spec).and_then(|n| check_name(&n).map(|()| n)).map_err(|m| {
                UnitError::new(
                    cx.file,
                    e.line,
                    e.column + offset,
                    format!("Invalid unit name in {}=: {m}", e.key),
                )
            })?;
            names.push(name);
        }
        Ok(names)
    })?;
    // Repeating a dependency has no further effect; keep the first.
    let mut seen = std::collections::HashSet::new();
    list.retain(|n| seen.insert(n.clone()));
    Ok(())
}

/// `StartLimitIntervalSec=` (and its old names) and `StartLimitBurst=`.
fn start_limit(cx: &Cx, unit: &mut Unit, e: &Entry) -> Result<(), UnitError> {
    if e.key == "StartLimitBurst" {
        unit.start_limit_burst = if e.value.is_empty() {
            DEFAULT_START_LIMIT_BURST
        } else {
            e.value.parse().map_err(|_| cx.invalid(e))?
        };
    } else {
        unit.start_limit_interval = if e.value.is_empty() {
            DEFAULT_START_LIMIT_INTERVAL
        } else {
            cx.timespan(e)?.unwrap_or(Duration::MAX)
        };
    }
    Ok(())
}

fn service_key(cx: &Cx, unit: &mut Unit, pending: &mut PendingService, e: &Entry) -> Result<(), UnitError> {
    let svc = &mut pending.svc;
    let v = e.value.as_str();
    let exec = |list: &mut Vec<ExecCommand>| {
        accumulate(list, e, || {
            let mut cmds = parse_exec(v, &cx.spec).map_err(|m| cx.invalid_because(e, m))?;
            cmds.iter_mut().for_each(|c| c.line = e.line);
            Ok(cmds)
        })
    };
    match e.key.as_str() {
        "Type" => svc.kind = cx.keyword(e, ServiceType::from_name)?,
        "ExecStartPre" => exec(&mut svc.exec_start_pre)?,
        "ExecStart" => exec(&mut svc.exec_start)?,
        "ExecStartPost" => exec(&mut svc.exec_start_post)?,
        "ExecReload" => exec(&mut svc.exec_reload)?,
        "ExecStop" => exec(&mut svc.exec_stop)?,
        "ExecStopPost" => exec(&mut svc.exec_stop_post)?,
        "Environment" => accumulate(&mut svc.environment, e, || {
            let vars = parse_environment(v).map_err(|m| cx.invalid_because(e, m))?;
            vars.into_iter().map(|(k, val)| Ok((k, cx.expand(e, &val)?))).collect()
        })?,
        "EnvironmentFile" => accumulate(&mut svc.environment_files, e, || {
            let (optional, path) = optional_prefix(v);
            Ok(vec![EnvFile { path: cx.absolute_path(e, path)?, optional }])
        })?,
        "WorkingDirectory" => {
            svc.working_directory = if v.is_empty() {
                None
            } else {
                let (optional, dir) = optional_prefix(v);
                let dir = cx.expand(e, dir)?;
                if dir != "~" && !dir.starts_with('/') {
                    return Err(cx.invalid_because(e, "path must be absolute or '~'".into()));
                }
                Some((dir, optional))
            }
        }
        "User" => svc.user = cx.optional_string(e)?,
        "Group" => svc.group = cx.optional_string(e)?,
        "Restart" => svc.restart = cx.keyword(e, RestartPolicy::from_name)?,
        "RestartSec" => {
            svc.restart_sec =
                if v.is_empty() { DEFAULT_RESTART_SEC } else { cx.timespan(e)?.unwrap_or(Duration::MAX) }
        }
        "TimeoutStartSec" => pending.timeout_start = cx.timeout(e)?,
        "TimeoutStopSec" => svc.timeout_stop = cx.timeout(e)?.unwrap_or(Some(DEFAULT_TIMEOUT)),
        "TimeoutSec" => {
            let t = cx.timeout(e)?;
            svc.timeout_stop = t.unwrap_or(Some(DEFAULT_TIMEOUT));
            pending.timeout_start = t;
        }
        "KillMode" => svc.kill_mode = cx.keyword(e, KillMode::from_name)?,
        "KillSignal" => {
            svc.kill_signal =
                if v.is_empty() { libc::SIGTERM } else { parse_signal(v).ok_or_else(|| cx.invalid(e))? }
        }
        "SendSIGKILL" => svc.send_sigkill = cx.boolean(e, true)?,
        "RemainAfterExit" => svc.remain_after_exit = cx.boolean(e, false)?,
        "SuccessExitStatus" => {
            if v.is_empty() {
                svc.success_exit_status.clear();
                svc.success_signals.clear();
            }
            for (offset, word) in words_with_offsets(v) {
                match (word.parse::<u8>(), signal_from_name(word)) {
                    (Ok(status), _) => svc.success_exit_status.push(i32::from(status)),
                    (_, Some(sig)) => svc.success_signals.push(sig),
                    _ => {
                        let message = format!("Invalid SuccessExitStatus= value '{word}'");
                        return Err(UnitError::new(cx.file, e.line, e.column + offset, message));
                    }
                }
            }
        }
        "PIDFile" => {
            svc.pid_file = if v.is_empty() { None } else { Some(cx.absolute_path(e, v)?) };
        }
        "StartLimitInterval" | "StartLimitBurst" => start_limit(cx, unit, e)?,
        _ => cx.unknown(unit, e),
    }
    Ok(())
}

/// Applies type-dependent defaults and checks the command settings.
fn finish_service(cx: &Cx, pending: PendingService, service_line: usize) -> Result<Service, UnitError> {
    let mut svc = pending.svc;
    let oneshot = svc.kind == ServiceType::Oneshot;
    svc.timeout_start = pending.timeout_start.unwrap_or(if oneshot { None } else { Some(DEFAULT_TIMEOUT) });
    let fail = |line: usize, message: &str| Err(UnitError::new(cx.file, line, 0, message));
    match svc.exec_start.len() {
        0 if oneshot && svc.exec_stop.is_empty() => {
            fail(service_line, "Service has no ExecStart= or ExecStop= setting")
        }
        0 if !oneshot => fail(service_line, "Service has no ExecStart= setting"),
        n if n > 1 && !oneshot => fail(
            svc.exec_start[1].line,
            "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services",
        ),
        _ => Ok(svc),
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
