//! What a start's processes get: their environment (PATH, INVOCATION_ID, the user's
//! USER/LOGNAME/HOME/SHELL, `Environment=`, `EnvironmentFile=`, later assignments winning),
//! credentials (`User=`/`Group=`) and working directory (`WorkingDirectory=`). A missing
//! environment file fails the start with result `resources`, a missing directory or user with
//! `exit-code`, as in systemd.

use std::path::PathBuf;

use super::state::UnitResult;
use crate::agent::process::{self, Creds};
use crate::unit::service::Service;

/// A start's environment, credentials and working directory.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub env: Vec<(String, String)>,
    pub creds: Option<Creds>,
    pub cwd: PathBuf,
}

/// Resolves what the processes of a start of `svc` get; `invocation` is its INVOCATION_ID.
pub(crate) fn prepare(svc: &Service, invocation: &str) -> Result<Prepared, (UnitResult, String)> {
    let mut env: Vec<(String, String)> =
        vec![("PATH".into(), process::DEFAULT_PATH.into()), ("INVOCATION_ID".into(), invocation.into())];
    // So that `docker` in Exec lines talks to the engine the daemon talks to.
    if let Ok(h) = std::env::var("DOCKER_HOST") {
        env.push(("DOCKER_HOST".into(), h));
    }
    let creds = process::resolve_creds(svc.user.as_deref(), svc.group.as_deref())
        .map_err(|e| (UnitResult::ExitCode, e))?;
    if let Some(c) = &creds {
        if !c.name.is_empty() {
            env.push(("USER".into(), c.name.clone()));
            env.push(("LOGNAME".into(), c.name.clone()));
        }
        env.push(("HOME".into(), c.home.display().to_string()));
        env.push(("SHELL".into(), c.shell.display().to_string()));
    }
    env.extend(svc.environment.iter().cloned());
    for f in &svc.environment_files {
        match std::fs::read_to_string(&f.path) {
            Ok(text) => {
                let vars = crate::unit::environment::parse_environment_file(&text).map_err(|e| {
                    (UnitResult::Resources, format!("Failed to load environment file {}: {e}", f.path))
                })?;
                env.extend(vars);
            }
            Err(_) if f.optional => {}
            Err(e) => {
                return Err((
                    UnitResult::Resources,
                    format!("Failed to load environment files: {}: {e}", f.path),
                ));
            }
        }
    }
    let cwd = working_directory(svc, creds.as_ref())?;
    Ok(Prepared { env: last_wins(env), creds, cwd })
}

fn working_directory(svc: &Service, creds: Option<&Creds>) -> Result<PathBuf, (UnitResult, String)> {
    let Some((d, optional)) = &svc.working_directory else { return Ok(PathBuf::from("/")) };
    let p = if d == "~" {
        creds.map(|c| c.home.clone()).unwrap_or_else(|| std::env::var("HOME").unwrap_or("/".into()).into())
    } else {
        PathBuf::from(d)
    };
    if p.is_dir() {
        Ok(p)
    } else if *optional {
        Ok(PathBuf::from("/"))
    } else {
        Err((
            UnitResult::ExitCode,
            format!(
                "Changing to the requested working directory failed: {}: No such file or directory",
                p.display()
            ),
        ))
    }
}

/// One assignment per name, the last one, in the order of the last assignments (as systemd).
fn last_wins(env: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in env {
        out.retain(|(k2, _)| *k2 != k);
        out.push((k, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::service::EnvFile;

    fn get<'a>(env: &'a [(String, String)], k: &str) -> Option<&'a str> {
        env.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn later_assignments_win() {
        let env = |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(last_wins(env(&[("A", "1"), ("B", "2"), ("A", "3")])), env(&[("B", "2"), ("A", "3")]));
    }

    #[test]
    fn environment_files_and_assignments_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("env");
        std::fs::write(&f, "FROM_FILE=\"file value\"\nOVERRIDE=file\n").unwrap();
        let svc = Service {
            environment: vec![("OVERRIDE".into(), "unit".into()), ("PATH".into(), "/x".into())],
            environment_files: vec![
                EnvFile { path: f.display().to_string(), optional: false },
                EnvFile { path: "/nonexistent/env".into(), optional: true },
            ],
            ..Service::default()
        };
        let p = prepare(&svc, "abc").unwrap();
        assert_eq!(get(&p.env, "INVOCATION_ID"), Some("abc"));
        assert_eq!(get(&p.env, "PATH"), Some("/x"), "Environment= overrides the default PATH");
        assert_eq!(get(&p.env, "OVERRIDE"), Some("file"), "the file comes after Environment=");
        assert_eq!(get(&p.env, "FROM_FILE"), Some("file value"));
        assert_eq!(p.cwd, PathBuf::from("/"));
        assert!(p.creds.is_none());
    }

    #[test]
    fn missing_files_and_directories_fail_the_start() {
        let svc = Service {
            environment_files: vec![EnvFile { path: "/nonexistent/env".into(), optional: false }],
            ..Service::default()
        };
        assert_eq!(prepare(&svc, "x").unwrap_err().0, UnitResult::Resources);
        let svc =
            Service { working_directory: Some(("/nonexistent/dir".into(), false)), ..Service::default() };
        let (result, why) = prepare(&svc, "x").unwrap_err();
        assert_eq!(result, UnitResult::ExitCode);
        assert!(why.contains("/nonexistent/dir: No such file or directory"), "{why}");
        let svc =
            Service { working_directory: Some(("/nonexistent/dir".into(), true)), ..Service::default() };
        assert_eq!(prepare(&svc, "x").unwrap().cwd, PathBuf::from("/"));
        let svc = Service { user: Some("no-such-user-31337".into()), ..Service::default() };
        assert_eq!(prepare(&svc, "x").unwrap_err().0, UnitResult::ExitCode);
    }
}
