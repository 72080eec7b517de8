//! Where a unit is, in systemd's words: its sub-state ([`Sub`]), the active state the sub-state
//! belongs to ([`ActiveState`]), whether it is loaded ([`LoadState`]) and how its last run
//! ended ([`UnitResult`]). Also the pure part of the state machine: what a timeout in a state
//! leads to.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::agent::process::Exit;

/// A unit's sub-state (systemd's service states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sub {
    Dead,
    Failed,
    StartPre,
    Start,
    StartPost,
    Running,
    Exited,
    Reload,
    Stop,
    StopSigterm,
    StopSigkill,
    StopPost,
    FinalSigterm,
    FinalSigkill,
    /// Removing the unit's containers (shown as stop-post).
    Cleanup,
    AutoRestart,
}

impl Sub {
    /// systemd's name (`stop-sigterm`); [`Sub::Cleanup`] shows as `stop-post`.
    pub fn name(self) -> &'static str {
        match self {
            Sub::Dead => "dead",
            Sub::Failed => "failed",
            Sub::StartPre => "start-pre",
            Sub::Start => "start",
            Sub::StartPost => "start-post",
            Sub::Running => "running",
            Sub::Exited => "exited",
            Sub::Reload => "reload",
            Sub::Stop => "stop",
            Sub::StopSigterm => "stop-sigterm",
            Sub::StopSigkill => "stop-sigkill",
            Sub::StopPost | Sub::Cleanup => "stop-post",
            Sub::FinalSigterm => "final-sigterm",
            Sub::FinalSigkill => "final-sigkill",
            Sub::AutoRestart => "auto-restart",
        }
    }

    /// The sub-state a name stands for (`stop-post` is [`Sub::StopPost`]).
    pub fn from_name(s: &str) -> Option<Sub> {
        const ALL: [Sub; 15] = [
            Sub::Dead,
            Sub::Failed,
            Sub::StartPre,
            Sub::Start,
            Sub::StartPost,
            Sub::Running,
            Sub::Exited,
            Sub::Reload,
            Sub::Stop,
            Sub::StopSigterm,
            Sub::StopSigkill,
            Sub::StopPost,
            Sub::FinalSigterm,
            Sub::FinalSigkill,
            Sub::AutoRestart,
        ];
        ALL.into_iter().find(|s2| s2.name() == s)
    }

    /// The active state this sub-state belongs to.
    pub fn active(self) -> ActiveState {
        match self {
            Sub::Dead => ActiveState::Inactive,
            Sub::Failed => ActiveState::Failed,
            Sub::StartPre | Sub::Start | Sub::StartPost | Sub::AutoRestart => ActiveState::Activating,
            Sub::Running | Sub::Exited => ActiveState::Active,
            Sub::Reload => ActiveState::Reloading,
            Sub::Stop
            | Sub::StopSigterm
            | Sub::StopSigkill
            | Sub::StopPost
            | Sub::FinalSigterm
            | Sub::FinalSigkill
            | Sub::Cleanup => ActiveState::Deactivating,
        }
    }

    pub fn is_stopping(self) -> bool {
        self.active() == ActiveState::Deactivating
    }

    pub fn is_starting(self) -> bool {
        matches!(self, Sub::StartPre | Sub::Start | Sub::StartPost)
    }

    pub fn is_up(self) -> bool {
        matches!(self, Sub::Running | Sub::Exited | Sub::Reload)
    }

    pub fn is_down(self) -> bool {
        matches!(self, Sub::Dead | Sub::Failed)
    }

    /// The signalling states: where a stop goes on when there is nothing (left) to signal.
    pub(crate) fn when_nothing_to_signal(self) -> Option<Sub> {
        match self {
            Sub::StopSigterm | Sub::StopSigkill => Some(Sub::StopPost),
            Sub::FinalSigterm | Sub::FinalSigkill => Some(Sub::Cleanup),
            _ => None,
        }
    }
}

impl fmt::Display for Sub {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Sub {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Sub {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sub, D::Error> {
        let s = String::deserialize(d)?;
        Sub::from_name(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown sub-state {s:?}")))
    }
}

/// Defines a small enum with systemd's spellings, serialized as them.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// systemd's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named! {
    /// A unit's active state.
    ActiveState {
        Inactive = "inactive",
        Activating = "activating",
        Active = "active",
        Deactivating = "deactivating",
        Failed = "failed",
        Reloading = "reloading",
    }
}

named! {
    /// Whether a unit is loaded.
    LoadState {
        Loaded = "loaded",
        /// Not loaded (or just unloaded).
        NotFound = "not-found",
    }
}

named! {
    /// How a unit's last run ended (systemd's `Result=`).
    UnitResult {
        Success = "success",
        ExitCode = "exit-code",
        Signal = "signal",
        CoreDump = "core-dump",
        Timeout = "timeout",
        StartLimitHit = "start-limit-hit",
        /// An environment file or working directory could not be had.
        Resources = "resources",
        Dependency = "dependency",
        /// Never produced (unit-run has no watchdog); kept for Restart=on-watchdog.
        Watchdog = "watchdog",
    }
}

impl UnitResult {
    /// The result of a process that ended this way.
    pub fn of_exit(exit: Exit) -> UnitResult {
        match exit {
            Exit::Exited(_) => UnitResult::ExitCode,
            Exit::Killed(_) => UnitResult::Signal,
            Exit::Dumped(_) => UnitResult::CoreDump,
        }
    }

    /// The end of systemctl's "Job for X failed because …".
    pub fn why(self) -> &'static str {
        match self {
            UnitResult::ExitCode => "the control process exited with error code",
            UnitResult::Signal | UnitResult::CoreDump => {
                "a fatal signal was delivered to the control process"
            }
            UnitResult::Timeout => "a timeout was exceeded",
            UnitResult::StartLimitHit => "the start was requested too often",
            UnitResult::Dependency => "a dependency failed",
            UnitResult::Resources => "of a resource problem (environment file, working directory)",
            UnitResult::Success | UnitResult::Watchdog => "the unit failed",
        }
    }
}

/// What a state's timeout leads to (systemd's `service_dispatch_timer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeoutStep {
    /// The line for the unit's journal (after `UNIT: `).
    pub message: String,
    /// The result becomes `timeout` (unless it already holds a failure).
    pub result_timeout: bool,
    /// The running control process is killed.
    pub kill_control: bool,
    /// The next state; `None`: back to running (or exited), failing the reload's jobs.
    pub next: Option<Sub>,
}

/// The timeout of `sub`, for a unit with `SendSIGKILL=send_kill`; `None` for states without one.
pub(crate) fn on_timeout(sub: Sub, send_kill: bool) -> Option<TimeoutStep> {
    let step = |message: &str, result_timeout, kill_control, next| TimeoutStep {
        message: message.to_string(),
        result_timeout,
        kill_control,
        next,
    };
    Some(match sub {
        Sub::StartPre | Sub::Start => {
            step("Start operation timed out. Terminating.", true, true, Some(Sub::StopSigterm))
        }
        Sub::StartPost => {
            step("start-post operation timed out. Terminating.", true, true, Some(Sub::StopSigterm))
        }
        Sub::Stop => step("Stopping timed out. Terminating.", true, true, Some(Sub::StopSigterm)),
        Sub::StopSigterm | Sub::FinalSigterm => {
            let next = match (sub, send_kill) {
                (Sub::StopSigterm, true) => Sub::StopSigkill,
                (Sub::StopSigterm, false) => Sub::StopPost,
                (_, true) => Sub::FinalSigkill,
                (_, false) => Sub::Cleanup,
            };
            let what = if send_kill { "Killing." } else { "Skipping SIGKILL." };
            step(&format!("State '{}' timed out. {what}", sub.name()), true, false, Some(next))
        }
        Sub::StopSigkill => {
            step("Processes still around after SIGKILL. Ignoring.", false, false, Some(Sub::StopPost))
        }
        Sub::FinalSigkill => step(
            "Processes still around after final SIGKILL. Entering failed mode.",
            false,
            false,
            Some(Sub::Cleanup),
        ),
        Sub::StopPost => {
            step("stop-post operation timed out. Terminating.", false, true, Some(Sub::FinalSigterm))
        }
        Sub::Reload => step("Reload operation timed out. Killing reload process.", false, true, None),
        Sub::Dead | Sub::Failed | Sub::Running | Sub::Exited | Sub::Cleanup | Sub::AutoRestart => {
            return None;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_cleanup_shows_as_stop_post() {
        for s in [Sub::Dead, Sub::StartPre, Sub::StopSigterm, Sub::FinalSigkill, Sub::AutoRestart] {
            assert_eq!(Sub::from_name(s.name()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.name()));
        }
        assert_eq!(Sub::Cleanup.name(), "stop-post");
        assert_eq!(Sub::from_name("stop-post"), Some(Sub::StopPost));
        assert_eq!(serde_json::to_string(&UnitResult::StartLimitHit).unwrap(), "\"start-limit-hit\"");
        assert_eq!(serde_json::to_string(&LoadState::NotFound).unwrap(), "\"not-found\"");
        assert_eq!(
            serde_json::from_str::<ActiveState>("\"deactivating\"").unwrap(),
            ActiveState::Deactivating
        );
    }

    #[test]
    fn sub_states_belong_to_systemds_active_states() {
        use ActiveState::*;
        let table = [
            (Sub::Dead, Inactive),
            (Sub::Failed, Failed),
            (Sub::StartPre, Activating),
            (Sub::AutoRestart, Activating),
            (Sub::Running, Active),
            (Sub::Exited, Active),
            (Sub::Reload, Reloading),
            (Sub::Stop, Deactivating),
            (Sub::Cleanup, Deactivating),
            (Sub::FinalSigkill, Deactivating),
        ];
        for (sub, active) in table {
            assert_eq!(sub.active(), active, "{sub}");
        }
        assert!(Sub::Cleanup.is_stopping() && !Sub::AutoRestart.is_stopping());
        assert!(Sub::Reload.is_up() && !Sub::Reload.is_starting());
    }

    #[test]
    fn timeouts_escalate_as_systemd_does() {
        let next = |sub, kill| on_timeout(sub, kill).and_then(|s| s.next);
        assert_eq!(next(Sub::StartPre, true), Some(Sub::StopSigterm));
        assert_eq!(next(Sub::StopSigterm, true), Some(Sub::StopSigkill));
        assert_eq!(next(Sub::StopSigterm, false), Some(Sub::StopPost));
        assert_eq!(next(Sub::FinalSigterm, true), Some(Sub::FinalSigkill));
        assert_eq!(next(Sub::FinalSigterm, false), Some(Sub::Cleanup));
        assert_eq!(next(Sub::StopSigkill, true), Some(Sub::StopPost));
        assert_eq!(next(Sub::StopPost, true), Some(Sub::FinalSigterm));
        assert_eq!(next(Sub::Reload, true), None);
        assert!(on_timeout(Sub::Running, true).is_none());
        let t = on_timeout(Sub::StopSigterm, true).unwrap();
        assert_eq!(t.message, "State 'stop-sigterm' timed out. Killing.");
        assert!(t.result_timeout && !t.kill_control);
        let t = on_timeout(Sub::StopPost, true).unwrap();
        assert!(!t.result_timeout && t.kill_control);
        assert_eq!(
            on_timeout(Sub::StartPost, true).unwrap().message,
            "start-post operation timed out. Terminating."
        );
    }

    #[test]
    fn results_of_exits() {
        assert_eq!(UnitResult::of_exit(Exit::Exited(3)), UnitResult::ExitCode);
        assert_eq!(UnitResult::of_exit(Exit::Killed(9)), UnitResult::Signal);
        assert_eq!(UnitResult::of_exit(Exit::Dumped(11)), UnitResult::CoreDump);
        assert_eq!(UnitResult::Timeout.why(), "a timeout was exceeded");
    }
}
