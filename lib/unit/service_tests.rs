use super::*;
use crate::unit::signal::signal_name;

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
    assert_eq!(s.exec_start_pre.iter().map(|c| c.ignore_failure).collect::<Vec<_>>(), [true, true, false]);
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
    for bad in ["KillSignal=SIGFOO", "KillSignal=0", "KillSignal=65", "KillSignal=sigterm", "KillMode=all"] {
        let e = parse_named("t.service", &format!("[Service]\nExecStart=/bin/true\n{bad}\n")).unwrap_err();
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
        let all = [&s.exec_start_pre, &s.exec_start_post, &s.exec_reload, &s.exec_stop, &s.exec_stop_post];
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
    let e =
        err("[Unit]\nDescription=x\nWants=good.service bad/name.service\n[Service]\nExecStart=/bin/true\n");
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
        let e = parse_named("t.service", &format!("[Service]\nExecStart=/bin/true\n{bad}\n")).unwrap_err();
        assert_eq!(e.line, 3, "{bad}");
    }
}

#[test]
fn start_limits() {
    let u = parse("[Unit]\nStartLimitIntervalSec=30s\nStartLimitBurst=3\n[Service]\nExecStart=/bin/true\n");
    assert_eq!((u.start_limit_interval, u.start_limit_burst), (Duration::from_secs(30), 3));
    let u = parse("[Service]\nExecStart=/bin/true\nStartLimitInterval=1min\nStartLimitBurst=7\n");
    assert_eq!((u.start_limit_interval, u.start_limit_burst), (Duration::from_secs(60), 7));
    assert!(u.warnings.is_empty());
    let u =
        parse("[Unit]\nStartLimitIntervalSec=1\nStartLimitIntervalSec=\n[Service]\nExecStart=/bin/true\n");
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
    let text = "[Unit]\nDescription=Timer\n[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n";
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
    assert_eq!(e.to_string(), "./test.service: cannot run a template; instantiate it as web@NAME.service");
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
        ["/usr/bin/web", "--port", "8080", "--path", "8080", "--unit", "web@8080.service", "--prefix", "web"]
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
