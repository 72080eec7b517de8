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

/// Signal names accepted by `KillSignal=` and `SuccessExitStatus=`.
const SIGNALS: &[(&str, i32)] = &[
    ("SIGHUP", libc::SIGHUP),
    ("SIGINT", libc::SIGINT),
    ("SIGQUIT", libc::SIGQUIT),
    ("SIGILL", libc::SIGILL),
    ("SIGTRAP", libc::SIGTRAP),
    ("SIGABRT", libc::SIGABRT),
    ("SIGBUS", libc::SIGBUS),
    ("SIGFPE", libc::SIGFPE),
    ("SIGKILL", libc::SIGKILL),
    ("SIGUSR1", libc::SIGUSR1),
    ("SIGSEGV", libc::SIGSEGV),
    ("SIGUSR2", libc::SIGUSR2),
    ("SIGPIPE", libc::SIGPIPE),
    ("SIGALRM", libc::SIGALRM),
    ("SIGTERM", libc::SIGTERM),
    ("SIGCHLD", libc::SIGCHLD),
    ("SIGCONT", libc::SIGCONT),
    ("SIGSTOP", libc::SIGSTOP),
    ("SIGTSTP", libc::SIGTSTP),
    ("SIGTTIN", libc::SIGTTIN),
    ("SIGTTOU", libc::SIGTTOU),
    ("SIGURG", libc::SIGURG),
    ("SIGXCPU", libc::SIGXCPU),
    ("SIGXFSZ", libc::SIGXFSZ),
    ("SIGVTALRM", libc::SIGVTALRM),
    ("SIGPROF", libc::SIGPROF),
    ("SIGWINCH", libc::SIGWINCH),
    ("SIGIO", libc::SIGIO),
    ("SIGSYS", libc::SIGSYS),
];

/// A signal by name, with or without the `SIG` prefix (`SIGTERM`, `TERM`).
pub fn signal_from_name(s: &str) -> Option<i32> {
    SIGNALS.iter().find(|(name, _)| *name == s || &name[3..] == s).map(|&(_, n)| n)
}

/// A signal by name or by number (1–64).
pub fn parse_signal(s: &str) -> Option<i32> {
    match s.parse::<i32>() {
        Ok(n) => (1..=64).contains(&n).then_some(n),
        Err(_) => signal_from_name(s),
    }
}

/// The `SIGxxx` name of a signal, if it has one.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    SIGNALS.iter().find(|&&(_, n)| n == sig).map(|&(name, _)| name)
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
mod tests {
    use super::*;

    fn ctx() -> SpecifierContext {
        let mut c = SpecifierContext::new(UnitName::parse("placeholder.service").unwrap());
        c.hostname = "core-01".into();
        c
    }

    fn parse_named(name: &str, text: &str) -> Result<Unit, UnitError> {
        parse_unit(name, "./test.service", text, &ctx())
    }

    fn parse(text: &str) -> Unit {
        parse_named("test.service", text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn svc(text: &str) -> Service {
        parse(text).service.unwrap()
    }

    fn err(text: &str) -> UnitError {
        parse_named("test.service", text).unwrap_err()
    }

    /// A minimal valid service followed by `extra` lines in `[Service]`.
    fn with(extra: &str) -> Service {
        svc(&format!("[Service]\nExecStart=/bin/true\n{extra}\n"))
    }

    fn argvs(cmds: &[ExecCommand]) -> Vec<Vec<&str>> {
        cmds.iter().map(|c| c.argv.iter().map(String::as_str).collect()).collect()
    }

    const CROC: &str = "[Unit]
Description=CROC Example Service
After=docker.service
Requires=docker.service

[Service]
TimeoutStartSec=0
ExecStartPre=-/usr/bin/docker kill croc_service
ExecStartPre=-/usr/bin/docker rm croc_service
ExecStartPre=/usr/bin/docker pull busybox
ExecStart=/usr/bin/docker run --name croc_service busybox /bin/sh -c \"while true; do echo CROC Cloud; sleep 1; done\"
ExecStop=/usr/bin/docker stop croc_service
";

    #[test]
    fn croc_service() {
        let u = parse_unit("croc.service", "./croc.service", CROC, &ctx()).unwrap();
        assert_eq!(u.name, "croc.service");
        assert_eq!(u.description.as_deref(), Some("CROC Example Service"));
        assert_eq!(u.description_or_name(), "CROC Example Service");
        assert_eq!(u.deps.after, ["docker.service"]);
        assert_eq!(u.deps.requires, ["docker.service"]);
        assert!(u.warnings.is_empty(), "{:?}", u.warnings);
        assert_eq!(u.text, CROC);
        let s = u.service.unwrap();
        assert_eq!(s.kind, ServiceType::Simple);
        assert_eq!(s.timeout_start, None);
        assert_eq!(s.timeout_stop, Some(DEFAULT_TIMEOUT));
        assert_eq!(
            argvs(&s.exec_start_pre),
            [
                vec!["/usr/bin/docker", "kill", "croc_service"],
                vec!["/usr/bin/docker", "rm", "croc_service"],
                vec!["/usr/bin/docker", "pull", "busybox"],
            ]
        );
        assert_eq!(
            s.exec_start_pre.iter().map(|c| c.ignore_failure).collect::<Vec<_>>(),
            [true, true, false]
        );
        assert_eq!(s.exec_start_pre.iter().map(|c| c.line).collect::<Vec<_>>(), [8, 9, 10]);
        assert_eq!(s.exec_start_pre[0].text, "-/usr/bin/docker kill croc_service");
        assert_eq!(s.exec_start.len(), 1);
        let start = &s.exec_start[0];
        assert_eq!(start.path, "/usr/bin/docker");
        assert_eq!(
            start.argv,
            [
                "/usr/bin/docker",
                "run",
                "--name",
                "croc_service",
                "busybox",
                "/bin/sh",
                "-c",
                "while true; do echo CROC Cloud; sleep 1; done"
            ]
        );
        assert_eq!(start.line, 11);
        assert!(!start.ignore_failure);
        assert_eq!(argvs(&s.exec_stop), [vec!["/usr/bin/docker", "stop", "croc_service"]]);
        assert_eq!(s.exec_stop[0].line, 12);
    }

    #[test]
    fn defaults() {
        let u = parse("[Service]\nExecStart=/bin/true\n");
        assert_eq!(u.description, None);
        assert_eq!(u.description_or_name(), "test.service");
        assert_eq!(u.deps, Dependencies::default());
        assert_eq!(u.start_limit_interval, Duration::from_secs(10));
        assert_eq!(u.start_limit_burst, 5);
        assert!(u.fleet.is_empty() && u.install.is_empty() && u.warnings.is_empty());
        let s = u.service.unwrap();
        let expected = Service { exec_start: s.exec_start.clone(), ..Service::default() };
        assert_eq!(s, expected);
        assert_eq!(s.kind, ServiceType::Simple);
        assert_eq!(s.restart, RestartPolicy::No);
        assert_eq!(s.restart_sec, Duration::from_millis(100));
        assert_eq!(s.timeout_start, Some(Duration::from_secs(90)));
        assert_eq!(s.timeout_stop, Some(Duration::from_secs(90)));
        assert_eq!(s.kill_mode, KillMode::ControlGroup);
        assert_eq!(s.kill_signal, libc::SIGTERM);
        assert!(s.send_sigkill && !s.remain_after_exit);
        assert_eq!((s.user, s.group, s.pid_file, s.working_directory), (None, None, None, None));
    }

    #[test]
    fn service_types() {
        for (word, kind) in [
            ("simple", ServiceType::Simple),
            ("exec", ServiceType::Exec),
            ("oneshot", ServiceType::Oneshot),
            ("forking", ServiceType::Forking),
        ] {
            assert_eq!(with(&format!("Type={word}")).kind, kind);
            assert_eq!(kind.name(), word);
        }
        assert_eq!(with("Type=forking\nType=").kind, ServiceType::Simple);
        let e = err("[Service]\nExecStart=/bin/true\nType=notify\n");
        assert_eq!((e.line, e.column, e.message.as_str()), (3, 6, "Invalid Type= value 'notify'"));
    }

    #[test]
    fn timeouts() {
        let s = with("Type=oneshot");
        assert_eq!((s.timeout_start, s.timeout_stop), (None, Some(DEFAULT_TIMEOUT)));
        let s = with("Type=oneshot\nTimeoutStartSec=5s");
        assert_eq!(s.timeout_start, Some(Duration::from_secs(5)));
        let s = with("TimeoutStartSec=infinity\nTimeoutStopSec=0");
        assert_eq!((s.timeout_start, s.timeout_stop), (None, None));
        let s = with("TimeoutStartSec=1min 30s\nTimeoutStopSec=2m");
        assert_eq!(
            (s.timeout_start, s.timeout_stop),
            (Some(Duration::from_secs(90)), Some(Duration::from_secs(120)))
        );
        let s = with("TimeoutSec=7");
        assert_eq!(
            (s.timeout_start, s.timeout_stop),
            (Some(Duration::from_secs(7)), Some(Duration::from_secs(7)))
        );
        let s = with("TimeoutSec=infinity");
        assert_eq!((s.timeout_start, s.timeout_stop), (None, None));
        // An empty assignment restores the default.
        let s = with("TimeoutSec=7\nTimeoutStartSec=\nTimeoutStopSec=");
        assert_eq!((s.timeout_start, s.timeout_stop), (Some(DEFAULT_TIMEOUT), Some(DEFAULT_TIMEOUT)));
        let e = err("[Service]\nExecStart=/bin/true\nTimeoutStopSec=forever\n");
        assert_eq!((e.line, e.column), (3, 16));
        assert!(e.message.starts_with("Invalid TimeoutStopSec= value 'forever'"), "{}", e.message);
    }

    #[test]
    fn restart_policies() {
        for (word, p) in [
            ("no", RestartPolicy::No),
            ("on-success", RestartPolicy::OnSuccess),
            ("on-failure", RestartPolicy::OnFailure),
            ("on-abnormal", RestartPolicy::OnAbnormal),
            ("on-watchdog", RestartPolicy::OnWatchdog),
            ("on-abort", RestartPolicy::OnAbort),
            ("always", RestartPolicy::Always),
        ] {
            assert_eq!(with(&format!("Restart={word}")).restart, p);
        }
        assert_eq!(with("Restart=always\nRestart=").restart, RestartPolicy::No);
        let s = with("RestartSec=5");
        assert_eq!(s.restart_sec, Duration::from_secs(5));
        assert_eq!(with("RestartSec=1.5s").restart_sec, Duration::from_millis(1500));
        assert_eq!(with("RestartSec=5\nRestartSec=").restart_sec, DEFAULT_RESTART_SEC);
    }

    #[test]
    fn bad_restart_value_reports_line_and_column() {
        let text = "[Unit]\nDescription=x\n\n[Service]\n# comment\nExecStart=/bin/true\nRestart=sometimes\n";
        let e = parse_unit("x.service", "./x.service", text, &ctx()).unwrap_err();
        assert_eq!((e.line, e.column), (7, 9));
        assert_eq!(e.message, "Invalid Restart= value 'sometimes'");
        assert_eq!(e.to_string(), "./x.service:7:9: Invalid Restart= value 'sometimes'");
        let e = err("[Service]\nExecStart=/bin/true\nRestartSec=soon\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn kill_settings() {
        for (word, mode) in [
            ("control-group", KillMode::ControlGroup),
            ("mixed", KillMode::Mixed),
            ("process", KillMode::Process),
            ("none", KillMode::None),
        ] {
            assert_eq!(with(&format!("KillMode={word}")).kill_mode, mode);
        }
        for (word, sig) in [
            ("SIGTERM", libc::SIGTERM),
            ("TERM", libc::SIGTERM),
            ("SIGKILL", libc::SIGKILL),
            ("INT", libc::SIGINT),
            ("SIGHUP", libc::SIGHUP),
            ("SIGQUIT", libc::SIGQUIT),
            ("USR1", libc::SIGUSR1),
            ("9", 9),
            ("15", 15),
        ] {
            assert_eq!(with(&format!("KillSignal={word}")).kill_signal, sig, "{word}");
        }
        assert_eq!(with("KillSignal=INT\nKillSignal=").kill_signal, libc::SIGTERM);
        for bad in
            ["KillSignal=SIGFOO", "KillSignal=0", "KillSignal=65", "KillSignal=sigterm", "KillMode=all"]
        {
            let e =
                parse_named("t.service", &format!("[Service]\nExecStart=/bin/true\n{bad}\n")).unwrap_err();
            assert_eq!(e.line, 3, "{bad}");
        }
        assert_eq!(signal_name(libc::SIGTERM), Some("SIGTERM"));
        assert_eq!(parse_signal("SIGWINCH"), Some(libc::SIGWINCH));
    }

    #[test]
    fn booleans() {
        for t in ["1", "yes", "y", "true", "t", "on", "YES", "On"] {
            assert!(with(&format!("RemainAfterExit={t}")).remain_after_exit, "{t}");
            assert!(with(&format!("SendSIGKILL=no\nSendSIGKILL={t}")).send_sigkill, "{t}");
        }
        for f in ["0", "no", "n", "false", "f", "off", "OFF"] {
            assert!(!with(&format!("SendSIGKILL={f}")).send_sigkill, "{f}");
            assert!(!with(&format!("RemainAfterExit=yes\nRemainAfterExit={f}")).remain_after_exit, "{f}");
        }
        assert!(with("SendSIGKILL=no\nSendSIGKILL=").send_sigkill);
        let e = err("[Service]\nExecStart=/bin/true\nSendSIGKILL=maybe\n");
        assert_eq!((e.line, e.column, e.message.as_str()), (3, 13, "Invalid SendSIGKILL= value 'maybe'"));
    }

    #[test]
    fn success_exit_status() {
        let s = with("SuccessExitStatus=1 2 SIGKILL\nSuccessExitStatus=TERM 255");
        assert_eq!(s.success_exit_status, [1, 2, 255]);
        assert_eq!(s.success_signals, [libc::SIGKILL, libc::SIGTERM]);
        let s = with("SuccessExitStatus=1 SIGHUP\nSuccessExitStatus=\nSuccessExitStatus=3");
        assert_eq!((s.success_exit_status, s.success_signals), (vec![3], vec![]));
        let e = err("[Service]\nExecStart=/bin/true\nSuccessExitStatus=1 256\n");
        assert_eq!((e.line, e.column), (3, 21));
        assert_eq!(e.message, "Invalid SuccessExitStatus= value '256'");
        let e = err("[Service]\nExecStart=/bin/true\nSuccessExitStatus=SIGNOPE\n");
        assert_eq!((e.line, e.column), (3, 19));
    }

    #[test]
    fn exec_lists_append_and_reset() {
        let keys = ["ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"];
        for key in keys {
            let s = with(&format!("{key}=/bin/a\n{key}=/bin/b ; /bin/c"));
            let list = match key {
                "ExecStartPre" => &s.exec_start_pre,
                "ExecStartPost" => &s.exec_start_post,
                "ExecReload" => &s.exec_reload,
                "ExecStop" => &s.exec_stop,
                _ => &s.exec_stop_post,
            };
            assert_eq!(argvs(list), [vec!["/bin/a"], vec!["/bin/b"], vec!["/bin/c"]], "{key}");
            assert_eq!(list.iter().map(|c| c.line).collect::<Vec<_>>(), [3, 4, 4]);
            let s = with(&format!("{key}=/bin/a\n{key}=\n{key}=/bin/z"));
            let all =
                [&s.exec_start_pre, &s.exec_start_post, &s.exec_reload, &s.exec_stop, &s.exec_stop_post];
            assert_eq!(all.iter().map(|l| l.len()).sum::<usize>(), 1, "{key}");
        }
        // ExecStart itself: reset then set again.
        let s = svc("[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n");
        assert_eq!(argvs(&s.exec_start), [vec!["/bin/b"]]);
    }

    #[test]
    fn exec_errors_have_positions() {
        let e = err("[Service]\nExecStart=/bin/true\nExecStartPre=  \"/bin/unterminated\n");
        assert_eq!((e.line, e.column), (3, 16));
        assert!(e.message.starts_with("Invalid ExecStartPre= value"), "{}", e.message);
        let e = err("[Service]\nExecStart=+!/bin/x\n");
        assert_eq!((e.line, e.column), (2, 11));
        let e = err("[Service]\nExecStart=bin/x\n");
        assert_eq!(e.line, 2);
        let e = err("[Service]\nExecStart=/bin/echo %z\n");
        assert!(e.message.contains("%z"), "{}", e.message);
    }

    #[test]
    fn exec_prefixes_through_the_unit() {
        let s = with("ExecStartPost=-@+:/bin/busybox echo ${X}\nExecStopPost=!!/bin/true");
        let c = &s.exec_start_post[0];
        assert!(c.ignore_failure && c.separate_argv0 && c.full_privileges && c.no_env_expand && !c.ambient);
        assert_eq!(c.argv, ["echo", "${X}"]);
        assert!(s.exec_stop_post[0].ambient);
    }

    #[test]
    fn validation() {
        let e = err("[Unit]\nDescription=x\n[Service]\nType=simple\n");
        assert_eq!((e.line, e.column, e.message.as_str()), (3, 0, "Service has no ExecStart= setting"));
        // A .service file without any [Service] section.
        let e = err("[Unit]\nDescription=x\n");
        assert_eq!((e.line, e.message.as_str()), (0, "Service has no ExecStart= setting"));
        let e = err("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n");
        assert_eq!(e.line, 3);
        assert_eq!(
            e.message,
            "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services"
        );
        let e = err("[Service]\nExecStart=/bin/a ; /bin/b\n");
        assert!(e.message.starts_with("Service has more than one ExecStart="));
        // Oneshot: several ExecStart= are fine, ExecStop= alone too, neither is not.
        let s = svc("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n");
        assert_eq!(s.exec_start.len(), 2);
        let s = svc("[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStop=/bin/a\n");
        assert!(s.exec_start.is_empty() && s.remain_after_exit);
        let e = err("[Service]\nType=oneshot\n");
        assert_eq!(e.message, "Service has no ExecStart= or ExecStop= setting");
    }

    #[test]
    fn dependencies() {
        let u = parse(concat!(
            "[Unit]\n",
            "After=a.service b.target\n",
            "After=c.socket a.service\n",
            "Before=d.service\n",
            "Requires=e.service\n",
            "Wants=f.service  g.timer\n",
            "BindsTo=h.mount\n",
            "Conflicts=i.service\n",
            "Requires=\n",
            "Requires=j@%i.service %p-db.service\n",
            "[Service]\nExecStart=/bin/true\n",
        ));
        assert_eq!(u.deps.after, ["a.service", "b.target", "c.socket"]);
        assert_eq!(u.deps.before, ["d.service"]);
        assert_eq!(u.deps.requires, ["j@.service", "test-db.service"]);
        assert_eq!(u.deps.wants, ["f.service", "g.timer"]);
        assert_eq!(u.deps.binds_to, ["h.mount"]);
        assert_eq!(u.deps.conflicts, ["i.service"]);
        for key in ["After", "Before", "Requires", "Wants", "BindsTo", "Conflicts"] {
            let u = parse(&format!("[Unit]\n{key}=x.service\n{key}=\n[Service]\nExecStart=/bin/true\n"));
            assert_eq!(u.deps, Dependencies::default(), "{key}");
        }
    }

    #[test]
    fn bad_dependency_names_point_at_the_word() {
        let e = err(
            "[Unit]\nDescription=x\nWants=good.service bad/name.service\n[Service]\nExecStart=/bin/true\n",
        );
        assert_eq!((e.line, e.column), (3, 20));
        assert!(e.message.starts_with("Invalid unit name in Wants="), "{}", e.message);
        let e = err("[Unit]\nAfter=docker\n");
        assert_eq!((e.line, e.column), (2, 7));
        let e = err("[Unit]\nAfter=%q.service\n");
        assert!(e.message.contains("%q"));
    }

    #[test]
    fn environment_settings() {
        let s = with("Environment=\"A=1 2\" B=3\nEnvironment=HOST=%H UNIT=%n");
        let pairs: Vec<(&str, &str)> = s.environment.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("A", "1 2"), ("B", "3"), ("HOST", "core-01"), ("UNIT", "test.service")]);
        let s = with("Environment=A=1\nEnvironment=\nEnvironment=B=2");
        assert_eq!(s.environment, [("B".to_string(), "2".to_string())]);
        let e = err("[Service]\nExecStart=/bin/true\nEnvironment=9BAD=1\n");
        assert_eq!((e.line, e.column), (3, 13));

        let s = with("EnvironmentFile=/etc/a.env\nEnvironmentFile=-/etc/%p.env");
        assert_eq!(
            s.environment_files,
            [
                EnvFile { path: "/etc/a.env".into(), optional: false },
                EnvFile { path: "/etc/test.env".into(), optional: true }
            ]
        );
        let s = with("EnvironmentFile=/etc/a.env\nEnvironmentFile=");
        assert!(s.environment_files.is_empty());
        let e = err("[Service]\nExecStart=/bin/true\nEnvironmentFile=relative.env\n");
        assert_eq!((e.line, e.column), (3, 17));
    }

    #[test]
    fn paths_and_identities() {
        let s = with("WorkingDirectory=/srv/%p\nUser=%p\nGroup=staff\nPIDFile=/run/%N.pid");
        assert_eq!(s.working_directory, Some(("/srv/test".to_string(), false)));
        assert_eq!((s.user.as_deref(), s.group.as_deref()), (Some("test"), Some("staff")));
        assert_eq!(s.pid_file.as_deref(), Some("/run/test.pid"));
        assert_eq!(with("WorkingDirectory=-/nope").working_directory, Some(("/nope".to_string(), true)));
        assert_eq!(with("WorkingDirectory=~").working_directory, Some(("~".to_string(), false)));
        let s = with("WorkingDirectory=/x\nWorkingDirectory=\nUser=u\nUser=\nPIDFile=/p\nPIDFile=");
        assert_eq!((s.working_directory, s.user, s.pid_file), (None, None, None));
        for bad in ["WorkingDirectory=srv", "WorkingDirectory=-~x", "PIDFile=run/x.pid", "User=%z"] {
            let e =
                parse_named("t.service", &format!("[Service]\nExecStart=/bin/true\n{bad}\n")).unwrap_err();
            assert_eq!(e.line, 3, "{bad}");
        }
    }

    #[test]
    fn start_limits() {
        let u =
            parse("[Unit]\nStartLimitIntervalSec=30s\nStartLimitBurst=3\n[Service]\nExecStart=/bin/true\n");
        assert_eq!((u.start_limit_interval, u.start_limit_burst), (Duration::from_secs(30), 3));
        let u = parse("[Service]\nExecStart=/bin/true\nStartLimitInterval=1min\nStartLimitBurst=7\n");
        assert_eq!((u.start_limit_interval, u.start_limit_burst), (Duration::from_secs(60), 7));
        assert!(u.warnings.is_empty());
        let u = parse(
            "[Unit]\nStartLimitIntervalSec=1\nStartLimitIntervalSec=\n[Service]\nExecStart=/bin/true\n",
        );
        assert_eq!(u.start_limit_interval, DEFAULT_START_LIMIT_INTERVAL);
        let e = err("[Unit]\nStartLimitBurst=many\n[Service]\nExecStart=/bin/true\n");
        assert_eq!((e.line, e.column, e.message.as_str()), (2, 17, "Invalid StartLimitBurst= value 'many'"));
    }

    #[test]
    fn description_and_documentation() {
        let u = parse(
            "[Unit]\nDescription=Web on %H for %i\nDocumentation=man:web(8)\n[Service]\nExecStart=/bin/true\n",
        );
        assert_eq!(u.description.as_deref(), Some("Web on core-01 for "));
        assert!(u.warnings.is_empty());
        let u = parse("[Unit]\nDescription=x\nDescription=\n[Service]\nExecStart=/bin/true\n");
        assert_eq!(u.description_or_name(), "test.service");
        let e = err("[Unit]\nDescription=100%\n");
        assert_eq!((e.line, e.column), (2, 13));
    }

    #[test]
    fn fleet_and_install_sections() {
        let u = parse(concat!(
            "[Service]\nExecStart=/bin/true\n",
            "[X-Fleet]\nConflicts=web@*.service\nMachineMetadata=region=us-west\nConflicts=other.service\n",
            "[Install]\nWantedBy=multi-user.target\n",
        ));
        let kv = |v: &[(String, String)]| v.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
        assert_eq!(
            kv(&u.fleet),
            ["Conflicts=web@*.service", "MachineMetadata=region=us-west", "Conflicts=other.service"]
        );
        assert_eq!(kv(&u.install), ["WantedBy=multi-user.target"]);
        assert!(u.warnings.is_empty());
    }

    #[test]
    fn warnings_for_unknown_things() {
        let u = parse(concat!(
            "[Unit]\nFoo=1\nX-Custom=ok\n",
            "[Service]\nExecStart=/bin/true\nBar=2\n",
            "[Bar]\nBaz=3\n",
            "[X-Mine]\nA=1\n",
            "[Socket]\nListenStream=80\n",
        ));
        let msgs: Vec<String> = u.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "./test.service:2: Unknown key name 'Foo' in section 'Unit', ignoring.",
                "./test.service:6: Unknown key name 'Bar' in section 'Service', ignoring.",
                "./test.service:7: Unknown section 'Bar'. Ignoring.",
                "./test.service:11: Unknown section 'Socket'. Ignoring.",
            ]
        );
    }

    #[test]
    fn non_service_units() {
        let text =
            "[Unit]\nDescription=Timer\n[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n";
        let u = parse_named("daily.timer", text).unwrap();
        assert_eq!(u.service, None);
        assert_eq!(u.description.as_deref(), Some("Timer"));
        assert_eq!(u.install.len(), 1);
        assert_eq!(u.warnings.len(), 1);
        assert_eq!(u.warnings[0].line, 3);
        assert!(u.warnings[0].message.contains("unit-run only runs services"), "{}", u.warnings[0].message);
        let u = parse_named("web.socket", "[Socket]\nListenStream=80\n").unwrap();
        assert!(u.warnings[0].message.contains("'Socket'"));
    }

    #[test]
    fn templates_and_instances() {
        let e = parse_named("web@.service", "[Service]\nExecStart=/bin/true\n").unwrap_err();
        assert_eq!(e.message, "cannot run a template; instantiate it as web@NAME.service");
        assert_eq!(
            e.to_string(),
            "./test.service: cannot run a template; instantiate it as web@NAME.service"
        );
        let e = parse_named("bad name", "").unwrap_err();
        assert_eq!(e.line, 0);

        let text = "[Unit]\nDescription=Web %i\nAfter=db@%i.service\n[Service]\n\
                    ExecStart=/usr/bin/web --port %i --path %I --unit %n --prefix %p\n\
                    Environment=PORT=%i\n";
        let name = UnitName::instantiate("web@.service", "8080").unwrap();
        let u = parse_named(&name, text).unwrap();
        assert_eq!(u.name, "web@8080.service");
        assert_eq!(u.description.as_deref(), Some("Web 8080"));
        assert_eq!(u.deps.after, ["db@8080.service"]);
        let s = u.service.unwrap();
        assert_eq!(
            s.exec_start[0].argv,
            [
                "/usr/bin/web",
                "--port",
                "8080",
                "--path",
                "8080",
                "--unit",
                "web@8080.service",
                "--prefix",
                "web"
            ]
        );
        assert_eq!(s.environment, [("PORT".to_string(), "8080".to_string())]);

        // %I unescapes the instance.
        let u = parse_named("mnt@-var-lib\\x2dx.service", "[Service]\nExecStart=/bin/ls %I %i\n").unwrap();
        assert_eq!(u.service.unwrap().exec_start[0].argv, ["/bin/ls", "/var/lib-x", "-var-lib\\x2dx"]);
    }

    #[test]
    fn syntax_errors_propagate() {
        let e = err("[Service\nExecStart=/bin/true\n");
        assert_eq!((e.file.as_str(), e.line), ("./test.service", 1));
        let e = err("ExecStart=/bin/true\n");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn continuation_in_a_unit() {
        let s = svc("[Service]\nExecStart=/bin/sh -c \\\n  # a comment\n  'echo hi'\nRestart=always\n");
        assert_eq!(s.exec_start[0].argv, ["/bin/sh", "-c", "echo hi"]);
        assert_eq!(s.exec_start[0].line, 2);
        assert_eq!(s.restart, RestartPolicy::Always);
    }
}
