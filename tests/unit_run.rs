//! unit-run's supervisor with real processes: start/stop/restart, Exec prefixes, failing
//! ExecStartPre, SIGKILL after TimeoutStopSec, double-forking units, Restart= with RestartSec
//! and the start rate limit, journal capture, dependencies, credentials and environment, bad
//! unit files and names, and the daemon's own SIGTERM and crash.

mod common;

use std::time::{Duration, Instant};

use common::agent::{Agent, pids_with, wait_no_pids};

const SEC: Duration = Duration::from_secs(1);

#[test]
fn start_status_stop_restart_and_journal() {
    let a = Agent::start();
    let f = a.unit_file(
        "hello.service",
        "[Unit]\nDescription=Hello loop\n\n[Service]\nExecStartPre=/bin/echo pre-ran\nExecStartPre=-/bin/false\n\
         ExecStart=/bin/sh -c 'while true; do echo out-line; echo err-line >&2; sleep 0.2; done; : sleep-31001'\n\
         ExecStop=/bin/echo stop-ran\n",
    );
    let out = a.ok(&["start", f.to_str().unwrap()]);
    assert_eq!(out, "Unit hello.service loaded\nUnit hello.service active (running)\n");
    a.wait_journal("hello.service", "err-line", 2, 5 * SEC);
    let j = a.journal("hello.service");
    assert!(j.contains(&"pre-ran".to_string()) && j.contains(&"out-line".to_string()), "{j:?}");
    assert!(j.contains(&"Started Hello loop.".to_string()), "{j:?}");

    // The status text: the unit line, Loaded, Active, one Process line per finished Exec
    // (the `-` one failed and was ignored), Main PID, then journal lines.
    let text = a.ok(&["status", "hello.service"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "● hello.service - Hello loop");
    assert!(lines[1].trim_start().starts_with("Loaded: loaded ("), "{text}");
    assert!(lines[2].trim_start().starts_with("Active: active (running) since "), "{text}");
    assert!(lines[2].ends_with(" ago"), "{text}");
    assert!(
        lines[3].trim_start().starts_with("Process: ")
            && lines[3].contains("ExecStartPre=/bin/echo pre-ran (code=exited, status=0/SUCCESS)"),
        "{text}"
    );
    assert!(lines[4].contains("ExecStartPre=-/bin/false (code=exited, status=1/FAILURE)"), "{text}");
    assert!(lines[5].trim_start().starts_with("Main PID: ") && lines[5].ends_with("(sh)"), "{text}");
    assert!(text.contains(" sh[") && text.contains("]: out-line"), "{text}");
    let st = a.status("hello.service");
    let main = st["main_pid"].as_i64().unwrap() as i32;
    // Its own process group and session.
    assert_eq!(unsafe { libc::getpgid(main) }, main);
    assert_eq!(unsafe { libc::getsid(main) }, main);

    // restart: a new main process.
    assert_eq!(a.ok(&["restart", "hello.service"]), "Unit hello.service active (running)\n");
    let main2 = a.status("hello.service")["main_pid"].as_i64().unwrap() as i32;
    assert_ne!(main, main2);
    // The old main process is gone: one process of the unit runs, the new one.
    assert_eq!(pids_with("sleep-31001"), vec![main2]);

    assert_eq!(a.ok(&["stop", "hello.service"]), "Unit hello.service inactive (dead)\n");
    wait_no_pids("sleep-31001", 2 * SEC);
    let j = a.journal("hello.service");
    assert!(j.contains(&"stop-ran".to_string()) && j.contains(&"Stopped Hello loop.".to_string()), "{j:?}");
    let text = a.ok(&["status", "hello.service"]);
    assert!(text.contains("Active: inactive (dead) since"), "{text}");
    assert!(text.contains("ExecStop=/bin/echo stop-ran (code=exited, status=0/SUCCESS)"), "{text}");

    // list, and journal -n.
    let list = a.ok(&["list"]);
    assert!(list.lines().nth(1).unwrap().starts_with("hello.service loaded inactive"), "{list}");
    let last2 = a.ok(&["journal", "-n", "2", "hello.service"]);
    assert_eq!(last2.lines().count(), 2);
    assert!(last2.ends_with(": Stopped Hello loop.\n"), "{last2}");
}

#[test]
fn failing_start_pre_fails_the_unit_without_running_exec_start() {
    let a = Agent::start();
    let f = a.unit_file(
        "bad-pre.service",
        "[Service]\nExecStartPre=/bin/sh -c 'echo about to fail; exit 3'\nExecStart=/bin/sh -c 'echo main-ran; sleep 100'\n",
    );
    let out = a.cmd(&["start", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Job for bad-pre.service failed because the control process exited with error code."),
        "{err}"
    );
    let st = a.status("bad-pre.service");
    assert_eq!(
        (st["active_state"].as_str(), st["sub_state"].as_str(), st["result"].as_str()),
        (Some("failed"), Some("failed"), Some("exit-code"))
    );
    let j = a.journal("bad-pre.service");
    assert!(j.contains(&"about to fail".to_string()) && !j.contains(&"main-ran".to_string()), "{j:?}");
    let text = a.ok(&["status", "bad-pre.service"]);
    assert!(text.contains("Active: failed (Result: exit-code) since"), "{text}");
    assert!(text.contains("(code=exited, status=3/NOTIMPLEMENTED)"), "{text}");

    // A missing program is status 203/EXEC.
    let f = a.unit_file("noexec.service", "[Service]\nExecStart=/nonexistent/program\n");
    assert_eq!(a.cmd(&["start", f.to_str().unwrap()]).status.code(), Some(4));
    let text = a.ok(&["status", "noexec.service"]);
    assert!(text.contains("status=203/EXEC"), "{text}");
}

#[test]
fn stop_escalates_to_sigkill_after_timeout_stop_sec() {
    let a = Agent::start();
    let f = a.unit_file(
        "stubborn.service",
        "[Service]\nExecStart=/bin/sh -c 'trap \"echo got-term\" TERM; while true; do sleep 0.1; done; : stubborn-31002'\nTimeoutStopSec=1500ms\n",
    );
    a.ok(&["start", f.to_str().unwrap()]);
    let t = Instant::now();
    a.ok(&["stop", "stubborn.service"]);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1400), "stop took only {took:?}");
    wait_no_pids("stubborn-31002", 2 * SEC);
    let j = a.journal("stubborn.service");
    assert!(j.iter().any(|m| m == "stubborn.service: State 'stop-sigterm' timed out. Killing."), "{j:?}");
    assert!(j.contains(&"got-term".to_string()), "{j:?}");
    let st = a.status("stubborn.service");
    assert_eq!(st["active_state"], "failed");
    assert_eq!(st["result"], "timeout");
}

fn double_fork(a: &Agent, marker: &str) {
    // The main process starts a grandchild in a session of its own and exits; the grandchild
    // would escape a process-group kill. The unit stays up while it runs (Type=forking).
    let f = a.unit_file(
        "forker.service",
        &format!(
            "[Service]\nType=forking\nExecStart=/bin/sh -c '(setsid sh -c \"sleep 300; : {marker}\" &) ; sleep 0.2'\n"
        ),
    );
    a.ok(&["start", f.to_str().unwrap()]);
    assert_eq!(pids_with(marker).len(), 1, "the grandchild runs");
    let (act, sub) = a.state("forker.service");
    assert_eq!((act.as_str(), sub.as_str()), ("active", "running"));
    a.ok(&["stop", "forker.service"]);
    wait_no_pids(marker, 2 * SEC);
}

#[test]
fn a_double_forked_process_is_stopped_with_its_unit() {
    let a = Agent::start();
    double_fork(&a, "dfork-31003");
}

#[test]
fn a_double_forked_process_is_stopped_without_cgroups_too() {
    let a = Agent::start_with(&["--no-cgroups"]);
    double_fork(&a, "dfork-31004");
}

#[test]
fn restart_on_failure_with_restart_sec_and_the_start_limit() {
    let a = Agent::start();
    let f = a.unit_file(
        "flaky.service",
        "[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n[Service]\nExecStart=/bin/sh -c 'echo run; exit 7'\n\
         Restart=on-failure\nRestartSec=700ms\n",
    );
    let t = Instant::now();
    let out = a.cmd(&["start", "--no-block", f.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    // Three starts, 700 ms apart, then the limit: failed with start-limit-hit.
    a.wait_state("flaky.service", "failed", "failed", 10 * SEC);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1400), "three starts with RestartSec=700ms took {took:?}");
    let st = a.status("flaky.service");
    assert_eq!(st["result"], "start-limit-hit");
    let j = a.journal("flaky.service");
    assert_eq!(j.iter().filter(|m| *m == "run").count(), 3, "{j:?}");
    assert!(j.iter().any(|m| m == "flaky.service: Scheduled restart job, restart counter is at 2."), "{j:?}");
    assert!(j.iter().any(|m| m == "flaky.service: Start request repeated too quickly."), "{j:?}");

    // A clean exit is not a failure: Restart=on-failure leaves it dead.
    let f = a.unit_file(
        "clean.service",
        "[Service]\nExecStart=/bin/sh -c 'sleep 0.3'\nRestart=on-failure\nRestartSec=100ms\n",
    );
    a.ok(&["start", f.to_str().unwrap()]);
    a.wait_state("clean.service", "inactive", "dead", 5 * SEC);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(a.state("clean.service").1, "dead");

    // Restart=always restarts a clean exit too.
    let f = a.unit_file(
        "always.service",
        "[Service]\nExecStart=/bin/sh -c 'echo tick; sleep 0.2'\nRestart=always\nRestartSec=100ms\n",
    );
    a.ok(&["start", f.to_str().unwrap()]);
    a.wait_journal("always.service", "tick", 3, 10 * SEC);
    a.ok(&["stop", "always.service"]);
    assert_eq!(a.state("always.service").1, "dead");
}

#[test]
fn journal_rotates_at_its_cap_and_follow_streams() {
    let a = Agent::start_with(&["--journal-max-bytes", "20000"]);
    // ~200 KB of output, 10 rotations; paced a little so that the follower (which looks every
    // 100 ms) never falls more than two rotations behind.
    let f = a.unit_file(
        "chatty.service",
        "[Service]\nExecStart=/bin/sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); [ $((i %% 50)) = 0 ] && sleep 0.03; done; sleep 100'\n",
    );
    // Follow from before the unit starts.
    let mut follow = std::process::Command::new(common::agent::UNIT_RUN)
        .args(["--run-dir", a.run_dir().to_str().unwrap(), "journal", "-f", "-n", "0", "chatty.service"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    a.ok(&["start", f.to_str().unwrap()]);
    a.wait_journal("chatty.service", "line-1999", 1, 10 * SEC);
    let dir = a.run_dir().join("journal");
    let cur = std::fs::metadata(dir.join("chatty.service.log")).unwrap().len();
    let old = std::fs::metadata(dir.join("chatty.service.log.1")).unwrap().len();
    assert!(cur <= 20000 && old <= 20000, "{cur} {old}");
    // The follower saw every line, across rotations, in order.
    let mut stdout = std::io::BufReader::new(follow.stdout.take().unwrap());
    let mut seen = 0;
    let mut line = String::new();
    while seen < 2000 {
        line.clear();
        use std::io::BufRead;
        assert!(stdout.read_line(&mut line).unwrap() > 0);
        if let Some(i) = line.trim_end().rsplit(": line-").next().filter(|_| line.contains(": line-")) {
            assert_eq!(i.parse::<usize>().unwrap(), seen, "{line}");
            seen += 1;
        }
    }
    let _ = follow.kill();
    let _ = follow.wait();
    a.ok(&["stop", "chatty.service"]);
}

#[test]
fn dependencies_order_pull_in_bind_and_conflict() {
    let a = Agent::start();
    let order = a.dir.path().join("order");
    let o = order.to_str().unwrap();
    a.unit_file(
        "db.service",
        &format!(
            "[Service]\nExecStartPre=/bin/sh -c 'sleep 0.3; echo db >> {o}'\nExecStart=/bin/sleep 300\n"
        ),
    );
    a.unit_file(
        "app.service",
        &format!("[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStartPre=/bin/sh -c 'echo app >> {o}'\nExecStart=/bin/sleep 301\n"),
    );
    a.unit_file("other.service", "[Unit]\nConflicts=app.service\n[Service]\nExecStart=/bin/sleep 302\n");
    a.unit_file("broken.service", "[Service]\nExecStart=/bin/false\nType=oneshot\n");
    a.unit_file(
        "needs-broken.service",
        "[Unit]\nRequires=broken.service\nAfter=broken.service\n[Service]\nExecStart=/bin/sleep 303\n",
    );
    let src = a.dir.path().join("src");
    for u in ["db", "app", "other", "broken", "needs-broken"] {
        a.ok(&["load", src.join(format!("{u}.service")).to_str().unwrap()]);
    }
    // Starting app pulls in db and waits for it (After=).
    a.ok(&["start", "app.service"]);
    assert_eq!(std::fs::read_to_string(&order).unwrap(), "db\napp\n");
    assert_eq!(a.state("db.service").0, "active");
    // Stopping db stops app, which requires it.
    a.ok(&["stop", "db.service"]);
    assert_eq!(a.state("app.service").1, "dead");
    // Conflicts: starting other stops app.
    a.ok(&["start", "app.service"]);
    a.ok(&["start", "other.service"]);
    assert_eq!(a.state("app.service").1, "dead");
    assert_eq!(a.state("other.service").1, "running");
    // A required unit that fails fails the unit with result dependency.
    let out = a.cmd(&["start", "needs-broken.service"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let st = a.status("needs-broken.service");
    assert_eq!((st["active_state"].as_str(), st["result"].as_str()), (Some("failed"), Some("dependency")));
    assert!(pids_with("sleep 303").is_empty());
    // Requiring a unit that is not loaded fails the start.
    let f = a.unit_file(
        "lonely.service",
        "[Unit]\nRequires=nowhere.service\n[Service]\nExecStart=/bin/sleep 304\n",
    );
    let out = a.cmd(&["start", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unit nowhere.service not found."), "{out:?}");
}

#[test]
fn environment_credentials_directories_templates_and_oneshot() {
    let a = Agent::start();
    let envfile = a.dir.path().join("env");
    std::fs::write(&envfile, "# comment\nFROM_FILE=\"file value\"\nOVERRIDE=file\n").unwrap();
    let tpl = a.unit_file(
        "web@.service",
        &format!(
            "[Unit]\nDescription=Web on port %i\n[Service]\nType=oneshot\nRemainAfterExit=yes\nUser=nobody\n\
             Environment=\"GREETING=hello world\" OVERRIDE=unit\nEnvironmentFile={}\nEnvironmentFile=-/nonexistent/env\n\
             WorkingDirectory=/tmp\n\
             ExecStart=/bin/sh -c 'echo name=%n prefix=%p instance=%i host=%H; echo \"$GREETING|$FROM_FILE|$OVERRIDE\"; id -u; pwd; echo inv=$INVOCATION_ID'\n\
             ExecStart=/bin/echo $GREETING\n",
            envfile.display()
        ),
    );
    a.ok(&["load", tpl.to_str().unwrap()]);
    assert_eq!(a.ok(&["start", "web@8080.service"]), "Unit web@8080.service active (exited)\n");
    let j = a.journal("web@8080.service");
    let host = String::from_utf8(std::process::Command::new("hostname").output().unwrap().stdout).unwrap();
    assert!(
        j.contains(&format!("name=web@8080.service prefix=web instance=8080 host={}", host.trim())),
        "{j:?}"
    );
    assert!(j.contains(&"hello world|file value|file".to_string()), "{j:?}");
    assert!(j.contains(&"65534".to_string()), "User=nobody: {j:?}");
    assert!(j.contains(&"/tmp".to_string()), "{j:?}");
    assert!(j.iter().any(|m| m.starts_with("inv=") && m.len() == 4 + 32), "{j:?}");
    // `$GREETING` alone is split into words: echo printed them joined by one space.
    assert!(j.contains(&"hello world".to_string()), "{j:?}");
    let st = a.status("web@8080.service");
    assert_eq!(st["description"], "Web on port 8080");
    assert_eq!(a.ok(&["stop", "web@8080.service"]), "Unit web@8080.service inactive (dead)\n");

    // A oneshot without RemainAfterExit: start waits for it to finish, then it is dead.
    let f = a.unit_file(
        "once.service",
        "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'sleep 0.3; echo did-it'\n",
    );
    assert_eq!(
        a.ok(&["start", f.to_str().unwrap()]).lines().last().unwrap(),
        "Unit once.service inactive (dead)"
    );
    assert!(a.journal("once.service").contains(&"did-it".to_string()));

    // A missing EnvironmentFile (without '-') fails with result resources.
    let f =
        a.unit_file("noenv.service", "[Service]\nEnvironmentFile=/nonexistent/env\nExecStart=/bin/sleep 1\n");
    assert_eq!(a.cmd(&["start", f.to_str().unwrap()]).status.code(), Some(4));
    assert_eq!(a.status("noenv.service")["result"], "resources");
}

#[test]
fn bad_unit_files_and_names_change_nothing() {
    let a = Agent::start();
    let units_dir = a.run_dir().join("units");
    let listing = || {
        let mut v: Vec<String> = std::fs::read_dir(&units_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let good = a.unit_file("good.service", "[Service]\nExecStart=/bin/sleep 305\n");
    a.ok(&["start", good.to_str().unwrap()]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "badrestart.service",
            "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/true\n\nRestart=sometimes\n",
            "badrestart.service:7:9: Invalid Restart= value 'sometimes'",
        ),
        (
            "noexec.service",
            "[Unit]\nDescription=nothing to run\n[Service]\nType=simple\n",
            "Service has no ExecStart= setting",
        ),
        ("nosection.service", "ExecStart=/bin/true\n", "nosection.service:1:"),
        ("badquote.service", "[Service]\nExecStart=/bin/echo \"unterminated\n", "badquote.service:2:"),
        ("badspec.service", "[Service]\nExecStart=/bin/echo %Q\n", "badspec.service:2:"),
        ("badtime.service", "[Service]\nExecStart=/bin/true\nTimeoutStopSec=soon\n", "badtime.service:3:"),
        ("bad name!.service", "[Service]\nExecStart=/bin/true\n", "invalid unit name"),
        ("nosuffix", "[Service]\nExecStart=/bin/true\n", "invalid unit name"),
        ("sock.socket", "[Socket]\nListenStream=1\n", "only .service units"),
    ];
    for (name, text, want) in cases {
        let f = a.unit_file(name, text);
        for verb in ["load", "start"] {
            let out = a.cmd(&[verb, f.to_str().unwrap()]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{verb} {name}: {out:?}");
            assert!(err.contains(want), "{verb} {name}: {err}");
            assert!(err.starts_with("unit-run: "), "{err}");
        }
    }
    // A name that tries to leave the units dir, sent straight to the socket.
    for bad in ["../escape.service", "a/b.service", "..service", ""] {
        let r =
            corekit::agent::Handle::connect(a.run_dir()).load(bad, "x", "[Service]\nExecStart=/bin/true\n");
        // A bad name is bad input (exit status 2), not a daemon that did not answer.
        assert!(matches!(r, Err(corekit::agent::Error::BadInput(_))), "{bad}: {r:?}");
    }
    // Unknown keys warn (systemd's words) but load.
    let f = a.unit_file("warn.service", "[Service]\nExecStart=/bin/true\nFrobnicate=yes\n");
    let out = a.cmd(&["load", f.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warn.service:3: Unknown key name 'Frobnicate' in section 'Service', ignoring."),
        "{out:?}"
    );
    assert_eq!(listing(), ["good.service", "warn.service"]);
    // The daemon kept running its unit through all of it.
    assert_eq!(a.state("good.service").1, "running");
    // Unknown units: exit 1.
    for verb in ["status", "stop", "unload"] {
        assert_eq!(a.cmd(&[verb, "nothere.service"]).status.code(), Some(1), "{verb}");
    }
    // The socket is the owner's only.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(a.run_dir().join("unit-run.sock")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // One daemon per run dir.
    let out = std::process::Command::new(common::agent::UNIT_RUN)
        .args(["--run-dir", a.run_dir().to_str().unwrap(), "daemon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another unit-run daemon is using"), "{out:?}");
    // Usage errors exit 2.
    assert_eq!(a.cmd(&["start"]).status.code(), Some(2));
    assert_eq!(a.cmd(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn daemon_sigterm_stops_units_and_a_restart_starts_them_again() {
    let mut a = Agent::start();
    let f = a.unit_file(
        "keep.service",
        "[Service]\nExecStart=/bin/sh -c 'echo up; sleep 300; : keep-31005'\nExecStop=/bin/echo clean-stop\n",
    );
    a.ok(&["start", f.to_str().unwrap()]);
    let st = a.terminate(20 * SEC);
    assert!(st.success(), "{st:?}");
    wait_no_pids("keep-31005", SEC);
    assert!(a.journal("keep.service").contains(&"clean-stop".to_string()));
    // The next daemon starts what was running.
    a.spawn();
    a.wait_state("keep.service", "active", "running", 10 * SEC);
    assert_eq!(pids_with("keep-31005").len(), 1);
    // After kill -9 of the daemon, the unit's processes are left; the next daemon kills them
    // and starts the unit afresh (it never adopts them).
    let old = pids_with("keep-31005");
    a.kill9();
    assert_eq!(pids_with("keep-31005"), old, "the unit outlives a crashed daemon");
    a.spawn();
    a.wait_state("keep.service", "active", "running", 10 * SEC);
    let now = pids_with("keep-31005");
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, old);
    a.ok(&["stop", "keep.service"]);
    wait_no_pids("keep-31005", SEC);
}

#[test]
fn kill_mode_kill_signal_success_exit_status_start_timeout_and_reload() {
    let a = Agent::start();
    // KillSignal=SIGINT reaches the main process; KillMode=process leaves its child running.
    let f = a.unit_file(
        "modes.service",
        "[Service]\nKillSignal=SIGINT\nKillMode=process\n\
         ExecStart=/bin/sh -c 'sh -c \"trap : TERM INT; while true; do sleep 0.1; done; : child-31006\" & trap \"echo got-int; exit 0\" INT; while true; do sleep 0.1; done'\n\
         ExecReload=/bin/sh -c 'echo reloading $MAINPID'\n",
    );
    a.ok(&["start", f.to_str().unwrap()]);
    let main = a.status("modes.service")["main_pid"].as_i64().unwrap();
    assert_eq!(a.ok(&["reload", "modes.service"]), "Unit modes.service active (running)\n");
    assert!(a.journal("modes.service").contains(&format!("reloading {main}")));
    a.ok(&["stop", "modes.service"]);
    assert!(a.journal("modes.service").contains(&"got-int".to_string()));
    assert_eq!(pids_with("child-31006").len(), 1, "KillMode=process leaves other processes alone");
    for p in pids_with("child-31006") {
        unsafe { libc::kill(p, libc::SIGKILL) };
    }
    // A unit without ExecReload can't be reloaded.
    let f = a.unit_file("noreload.service", "[Service]\nExecStart=/bin/sleep 306\n");
    a.ok(&["start", f.to_str().unwrap()]);
    let out = a.cmd(&["reload", "noreload.service"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Job type reload is not applicable for unit noreload.service.")
    );
    a.ok(&["stop", "noreload.service"]);

    // SuccessExitStatus=7: exiting 7 is a success, so Restart=on-failure does not restart.
    let f = a.unit_file("seven.service", "[Service]\nExecStart=/bin/sh -c 'exit 7'\nSuccessExitStatus=7 SIGUSR1\nRestart=on-failure\nRestartSec=100ms\n");
    a.ok(&["start", f.to_str().unwrap()]);
    a.wait_state("seven.service", "inactive", "dead", 5 * SEC);
    std::thread::sleep(Duration::from_millis(400));
    let st = a.status("seven.service");
    assert_eq!(
        (st["sub_state"].as_str(), st["result"].as_str(), st["restarts"].as_u64()),
        (Some("dead"), Some("success"), Some(0))
    );

    // TimeoutStartSec covers a slow ExecStartPre: the start fails with result timeout.
    let f = a.unit_file("slow.service", "[Service]\nTimeoutStartSec=600ms\nExecStartPre=/bin/sh -c 'sleep 30; : slow-31007'\nExecStart=/bin/sleep 307\n");
    let t = Instant::now();
    let out = a.cmd(&["start", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(t.elapsed() < 10 * SEC);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("failed because a timeout was exceeded"),
        "{out:?}"
    );
    assert_eq!(a.status("slow.service")["result"], "timeout");
    wait_no_pids("slow-31007", 2 * SEC);
    assert!(pids_with("sleep 307").is_empty());
}

#[test]
fn reloaded_definitions_restart_propagation_cancels_cycles_and_infinite_spans() {
    let a = Agent::start();
    // A unit file loaded while the unit runs takes effect at its next start.
    let f = a.unit_file("v.service", "[Service]\nExecStart=/bin/sh -c 'echo version-1; sleep 300'\n");
    a.ok(&["start", f.to_str().unwrap()]);
    a.unit_file("v.service", "[Service]\nExecStart=/bin/sh -c 'echo version-2; sleep 300'\n");
    a.ok(&["load", f.to_str().unwrap()]);
    assert_eq!(a.state("v.service").1, "running");
    a.ok(&["restart", "v.service"]);
    a.wait_journal("v.service", "version-2", 1, 5 * SEC);
    a.ok(&["stop", "v.service"]);

    // Restarting a unit restarts the units that require it.
    let src = a.dir.path().join("src");
    a.unit_file("base.service", "[Service]\nExecStart=/bin/sleep 310\n");
    a.unit_file(
        "top.service",
        "[Unit]\nRequires=base.service\nAfter=base.service\n[Service]\nExecStart=/bin/sleep 311\n",
    );
    for u in ["base", "top"] {
        a.ok(&["load", src.join(format!("{u}.service")).to_str().unwrap()]);
    }
    a.ok(&["start", "top.service"]);
    let top_pid = a.status("top.service")["main_pid"].as_i64().unwrap();
    a.ok(&["restart", "base.service"]);
    a.wait_state("top.service", "active", "running", 5 * SEC);
    assert_ne!(a.status("top.service")["main_pid"].as_i64().unwrap(), top_pid);
    a.ok(&["stop", "base.service"]);

    // A start waiting for a dependency is canceled when the dependency is stopped: its client
    // gets an answer instead of waiting forever.
    a.unit_file("slowdep.service", "[Service]\nExecStartPre=/bin/sleep 2\nExecStart=/bin/sleep 312\n");
    a.unit_file(
        "waiter.service",
        "[Unit]\nRequires=slowdep.service\nAfter=slowdep.service\n[Service]\nExecStart=/bin/sleep 313\n",
    );
    for u in ["slowdep", "waiter"] {
        a.ok(&["load", src.join(format!("{u}.service")).to_str().unwrap()]);
    }
    let mut starter = std::process::Command::new(common::agent::UNIT_RUN)
        .args(["--run-dir", a.run_dir().to_str().unwrap(), "start", "waiter.service"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    a.ok(&["stop", "slowdep.service"]);
    let t = Instant::now();
    let out = loop {
        if let Some(st) = starter.try_wait().unwrap() {
            break st;
        }
        assert!(t.elapsed() < 5 * SEC, "the waiting start was never answered");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(out.code(), Some(4));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut starter.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("Job for waiter.service canceled."), "{err}");

    // An ordering cycle does not hang: both start.
    a.unit_file(
        "c1.service",
        "[Unit]\nAfter=c2.service\nWants=c2.service\n[Service]\nExecStart=/bin/sleep 314\n",
    );
    a.unit_file("c2.service", "[Unit]\nAfter=c1.service\n[Service]\nExecStart=/bin/sleep 315\n");
    for u in ["c1", "c2"] {
        a.ok(&["load", src.join(format!("{u}.service")).to_str().unwrap()]);
    }
    a.ok(&["start", "c1.service"]);
    a.wait_state("c2.service", "active", "running", 5 * SEC);
    a.ok(&["stop", "c1.service", "c2.service"]);

    // Requires= without After=: both start side by side, neither fails.
    a.unit_file(
        "a-needs-z.service",
        "[Unit]\nRequires=z-slow.service\n[Service]\nExecStart=/bin/sleep 316\n",
    );
    a.unit_file("z-slow.service", "[Service]\nExecStartPre=/bin/sleep 0.5\nExecStart=/bin/sleep 317\n");
    for u in ["a-needs-z", "z-slow"] {
        a.ok(&["load", src.join(format!("{u}.service")).to_str().unwrap()]);
    }
    a.ok(&["start", "a-needs-z.service"]);
    a.wait_state("z-slow.service", "active", "running", 5 * SEC);

    // RestartSec=infinity: the unit waits in auto-restart for good, and the daemon lives on.
    let f = a.unit_file(
        "never.service",
        "[Service]\nExecStart=/bin/false\nRestart=always\nRestartSec=infinity\nTimeoutStopSec=infinity\n",
    );
    a.cmd(&["start", f.to_str().unwrap()]);
    a.wait_state("never.service", "activating", "auto-restart", 5 * SEC);
    a.ok(&["stop", "never.service"]);
    assert_eq!(a.state("never.service").1, "dead");
}
