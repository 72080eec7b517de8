//! systemd time spans (`RestartSec=`, `TimeoutStartSec=`, ...).
//!
//! A time span is one or more `NUMBER[UNIT]` terms whose values add up:
//! `90`, `5min 20s`, `1h30m`, `1.5s`, `2 hours`.  A number without a unit is
//! in seconds; whitespace between terms and between a number and its unit is
//! optional.  The word `infinity` means "no limit" and parses to `None`.
//!
//! Units (case-sensitive, as in systemd): `nsec ns`, `usec us µs`,
//! `msec ms`, `seconds second sec s`, `minutes minute min m`,
//! `hours hour hr h`, `days day d`, `weeks week w`, `months month M`
//! (30.44 days) and `years year y` (365.25 days).
//!
//! [`format_timespan`] renders a duration the way systemd shows it in status
//! output: `1min 30s`, `500ms`, `2h 3min`, with sub-minute remainders in dot
//! notation (`1.5s`).

use std::time::Duration;

const NSEC: u128 = 1;
const USEC: u128 = 1_000;
const MSEC: u128 = 1_000_000;
const SEC: u128 = 1_000_000_000;
const MINUTE: u128 = 60 * SEC;
const HOUR: u128 = 60 * MINUTE;
const DAY: u128 = 24 * HOUR;
const WEEK: u128 = 7 * DAY;
const MONTH: u128 = 2_629_800 * SEC;
const YEAR: u128 = 31_557_600 * SEC;

/// Unit words accepted by the parser and their length in nanoseconds.
const UNITS: &[(&str, u128)] = &[
    ("nsec", NSEC),
    ("ns", NSEC),
    ("usec", USEC),
    ("us", USEC),
    ("µs", USEC),
    ("μs", USEC),
    ("msec", MSEC),
    ("ms", MSEC),
    ("seconds", SEC),
    ("second", SEC),
    ("sec", SEC),
    ("s", SEC),
    ("minutes", MINUTE),
    ("minute", MINUTE),
    ("min", MINUTE),
    ("m", MINUTE),
    ("hours", HOUR),
    ("hour", HOUR),
    ("hr", HOUR),
    ("h", HOUR),
    ("days", DAY),
    ("day", DAY),
    ("d", DAY),
    ("weeks", WEEK),
    ("week", WEEK),
    ("w", WEEK),
    ("months", MONTH),
    ("month", MONTH),
    ("M", MONTH),
    ("years", YEAR),
    ("year", YEAR),
    ("y", YEAR),
];

/// Parses a time span; `Ok(None)` means `infinity`.
pub fn parse_timespan(s: &str) -> Result<Option<Duration>, String> {
    let s = s.trim();
    if s == "infinity" {
        return Ok(None);
    }
    if s.is_empty() {
        return Err("empty time span".into());
    }
    let bad = || format!("invalid time span '{s}'");
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        // The number: digits with an optional fraction.
        let int_len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let n = after_dot.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_dot.len());
            frac_part = &after_dot[..n];
            rest = &after_dot[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        // The unit, possibly after blanks.
        rest = rest.trim_start();
        let unit_len = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult = if unit.is_empty() {
            SEC
        } else {
            UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|&(_, m)| m)
                .ok_or_else(|| format!("unknown time unit '{unit}' in '{s}'"))?
        };
        // A term must be followed by the end, blanks or the next number.
        if !rest.is_empty() && !rest.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit()) {
            return Err(bad());
        }
        rest = rest.trim_start();

        let int: u128 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| bad())? };
        // Keep at most 18 fraction digits: far below nanosecond resolution
        // for every unit, and it keeps 10^n inside u128.
        let frac_digits = &frac_part[..frac_part.len().min(18)];
        let frac: u128 = if frac_digits.is_empty() { 0 } else { frac_digits.parse().map_err(|_| bad())? };
        let term = int
            .checked_mul(mult)
            .and_then(|v| v.checked_add(frac * mult / 10u128.pow(frac_digits.len() as u32)))
            .ok_or_else(|| format!("time span '{s}' is too large"))?;
        total = total.checked_add(term).ok_or_else(|| format!("time span '{s}' is too large"))?;
    }
    let secs = u64::try_from(total / SEC).map_err(|_| format!("time span '{s}' is too large"))?;
    Ok(Some(Duration::new(secs, (total % SEC) as u32)))
}

/// Formats a duration like systemd does (microsecond resolution).
pub fn format_timespan(d: Duration) -> String {
    const TABLE: &[(&str, u128)] = &[
        ("y", YEAR),
        ("month", MONTH),
        ("w", WEEK),
        ("d", DAY),
        ("h", HOUR),
        ("min", MINUTE),
        ("s", SEC),
        ("ms", MSEC),
        ("us", USEC),
    ];
    // Work in microseconds, systemd's resolution.
    let mut t = d.as_micros();
    if t == 0 {
        return "0".into();
    }
    let mut parts = Vec::new();
    for &(suffix, unit_ns) in TABLE {
        let unit = unit_ns / USEC;
        if t == 0 {
            break;
        }
        if t < unit {
            continue;
        }
        let (a, b) = (t / unit, t % unit);
        // Below one minute a remainder is shown as a decimal fraction of
        // the largest unit instead of further terms.
        if t < MINUTE / USEC && b > 0 && unit > 1 {
            let width = unit.ilog10() as usize;
            let frac = format!("{b:0width$}");
            parts.push(format!("{a}.{}{suffix}", frac.trim_end_matches('0')));
            break;
        }
        parts.push(format!("{a}{suffix}"));
        t = b;
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Duration {
        parse_timespan(s).unwrap().unwrap()
    }

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(p("0"), Duration::ZERO);
        assert_eq!(p("90"), Duration::from_secs(90));
        assert_eq!(p(" 5 "), Duration::from_secs(5));
    }

    #[test]
    fn infinity() {
        assert_eq!(parse_timespan("infinity").unwrap(), None);
        assert_eq!(parse_timespan(" infinity ").unwrap(), None);
    }

    #[test]
    fn every_unit() {
        let cases: &[(&str, Duration)] = &[
            ("7ns", Duration::from_nanos(7)),
            ("7nsec", Duration::from_nanos(7)),
            ("3usec", Duration::from_micros(3)),
            ("3us", Duration::from_micros(3)),
            ("3µs", Duration::from_micros(3)),
            ("3msec", Duration::from_millis(3)),
            ("3ms", Duration::from_millis(3)),
            ("3seconds", Duration::from_secs(3)),
            ("1second", Duration::from_secs(1)),
            ("3sec", Duration::from_secs(3)),
            ("3s", Duration::from_secs(3)),
            ("2minutes", Duration::from_secs(120)),
            ("1minute", Duration::from_secs(60)),
            ("2min", Duration::from_secs(120)),
            ("2m", Duration::from_secs(120)),
            ("2hours", Duration::from_secs(7200)),
            ("1hour", Duration::from_secs(3600)),
            ("2hr", Duration::from_secs(7200)),
            ("2h", Duration::from_secs(7200)),
            ("2days", Duration::from_secs(2 * 86400)),
            ("1day", Duration::from_secs(86400)),
            ("2d", Duration::from_secs(2 * 86400)),
            ("2weeks", Duration::from_secs(14 * 86400)),
            ("1week", Duration::from_secs(7 * 86400)),
            ("2w", Duration::from_secs(14 * 86400)),
            ("1M", Duration::from_secs(2_629_800)),
            ("1y", Duration::from_secs(31_557_600)),
        ];
        for (s, d) in cases {
            assert_eq!(p(s), *d, "{s}");
        }
    }

    #[test]
    fn combinations_and_fractions() {
        assert_eq!(p("5min 20s"), Duration::from_secs(320));
        assert_eq!(p("1h30m"), Duration::from_secs(5400));
        assert_eq!(p("1h 30min 15s 500ms"), Duration::from_millis(5_415_500));
        assert_eq!(p("2 hours"), Duration::from_secs(7200));
        assert_eq!(p("1.5s"), Duration::from_millis(1500));
        assert_eq!(p("1.5"), Duration::from_millis(1500));
        assert_eq!(p(".5s"), Duration::from_millis(500));
        assert_eq!(p("0.25min"), Duration::from_secs(15));
        assert_eq!(p("1.000000001s"), Duration::new(1, 1));
    }

    #[test]
    fn malformed() {
        for s in ["", "abc", "5 parsecs", "-5s", "1.5.3s", "s", "5s,", "1e3", "99999999999999999999999999y"] {
            assert!(parse_timespan(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn formatting() {
        let f = |ms: u64| format_timespan(Duration::from_millis(ms));
        assert_eq!(f(0), "0");
        assert_eq!(f(90_000), "1min 30s");
        assert_eq!(f(500), "500ms");
        assert_eq!(f(55), "55ms");
        assert_eq!(f(2 * 3_600_000 + 3 * 60_000), "2h 3min");
        assert_eq!(f(1500), "1.5s");
        assert_eq!(f(100), "100ms");
        assert_eq!(f(90_500), "1min 30.5s");
        assert_eq!(f(86_400_000 * 8), "1w 1d");
        assert_eq!(format_timespan(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(format_timespan(Duration::from_micros(7)), "7us");
        assert_eq!(format_timespan(Duration::from_nanos(7)), "0");
    }

    #[test]
    fn format_then_parse_round_trips() {
        for ms in [1u64, 55, 500, 1500, 90_000, 7_380_000, 90_061_001] {
            let d = Duration::from_millis(ms);
            assert_eq!(p(&format_timespan(d)), d, "{ms}ms");
        }
    }
}
