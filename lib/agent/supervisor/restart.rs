//! Whether a unit that went down starts again: systemd's `Restart=` table, and the start rate
//! limit (`StartLimitBurst=` starts per `StartLimitIntervalSec=`) that guards automatic
//! restarts. Pure; the supervisor applies it in `stop::finish` and `start::begin_start`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::state::UnitResult;
use crate::agent::process::Exit;
use crate::unit::service::RestartPolicy;

/// systemd's Restart= table: does a unit that ended with `result` (its main process with
/// `exit`) start again?
pub(crate) fn should_restart(policy: RestartPolicy, result: UnitResult, exit: Option<Exit>) -> bool {
    use UnitResult as R;
    let unclean_signal =
        matches!(exit, Some(Exit::Killed(_)) | Some(Exit::Dumped(_))) && result != R::Success;
    match policy {
        RestartPolicy::No => false,
        RestartPolicy::Always => !matches!(result, R::StartLimitHit | R::Dependency),
        RestartPolicy::OnSuccess => result == R::Success,
        RestartPolicy::OnFailure => !matches!(result, R::Success | R::StartLimitHit | R::Dependency),
        RestartPolicy::OnAbnormal => {
            matches!(result, R::Signal | R::CoreDump | R::Timeout | R::Watchdog) || unclean_signal
        }
        RestartPolicy::OnAbort => matches!(result, R::Signal | R::CoreDump) || unclean_signal,
        RestartPolicy::OnWatchdog => result == R::Watchdog,
    }
}

/// The times of a unit's recent starts, for the start rate limit.
#[derive(Debug, Default)]
pub(crate) struct StartLimit {
    starts: VecDeque<Instant>,
}

impl StartLimit {
    /// Forgets past starts (an explicit start resets the limit: it guards automatic restarts).
    pub fn reset(&mut self) {
        self.starts.clear();
    }

    /// Counts a start at `now`, unless `burst` starts (0: no limit) happened within
    /// `interval` already: then the start is refused and not counted.
    pub fn try_start(&mut self, now: Instant, interval: Duration, burst: u32) -> bool {
        while self.starts.front().is_some_and(|t| now.duration_since(*t) > interval) {
            self.starts.pop_front();
        }
        if burst > 0 && self.starts.len() as u32 >= burst {
            return false;
        }
        self.starts.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RestartPolicy as P;
    use UnitResult as R;

    #[test]
    fn restart_table_follows_systemd() {
        let killed = Some(Exit::Killed(9));
        let exited = Some(Exit::Exited(1));
        let clean = Some(Exit::Exited(0));
        // (policy, result, exit, restarts?)
        let table = [
            (P::No, R::ExitCode, exited, false),
            (P::Always, R::Success, clean, true),
            (P::Always, R::ExitCode, exited, true),
            (P::Always, R::StartLimitHit, None, false),
            (P::Always, R::Dependency, None, false),
            (P::OnSuccess, R::Success, clean, true),
            (P::OnSuccess, R::ExitCode, exited, false),
            (P::OnFailure, R::Success, clean, false),
            (P::OnFailure, R::ExitCode, exited, true),
            (P::OnFailure, R::Timeout, None, true),
            (P::OnFailure, R::Resources, None, true),
            (P::OnFailure, R::StartLimitHit, None, false),
            (P::OnAbnormal, R::ExitCode, exited, false),
            (P::OnAbnormal, R::Signal, killed, true),
            (P::OnAbnormal, R::Timeout, None, true),
            // A result set earlier (timeout of a stop) with a main process killed by a signal.
            (P::OnAbnormal, R::ExitCode, killed, true),
            (P::OnAbort, R::Timeout, None, false),
            (P::OnAbort, R::CoreDump, Some(Exit::Dumped(11)), true),
            (P::OnWatchdog, R::Signal, killed, false),
            (P::OnWatchdog, R::Watchdog, None, true),
        ];
        for (policy, result, exit, want) in table {
            assert_eq!(should_restart(policy, result, exit), want, "{policy:?} {result} {exit:?}");
        }
    }

    #[test]
    fn start_limit_counts_starts_within_the_interval() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut l = StartLimit::default();
        assert!(l.try_start(t0, 10 * s, 3));
        assert!(l.try_start(t0 + s, 10 * s, 3));
        assert!(l.try_start(t0 + 2 * s, 10 * s, 3));
        assert!(!l.try_start(t0 + 3 * s, 10 * s, 3), "the fourth start within 10s is refused");
        // Once the first start is older than the interval, there is room again.
        assert!(l.try_start(t0 + 11 * s, 10 * s, 3));
        assert!(!l.try_start(t0 + 11 * s, 10 * s, 3));
        l.reset();
        assert!(l.try_start(t0 + 11 * s, 10 * s, 3));
        // Burst 0: no limit.
        let mut l = StartLimit::default();
        assert!((0..100).all(|_| l.try_start(t0, 10 * s, 0)));
    }
}
