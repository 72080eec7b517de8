//! Signals by name, as unit files give them (`KillSignal=SIGINT`, `SuccessExitStatus=TERM`).

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
