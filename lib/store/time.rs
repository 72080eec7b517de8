//! RFC 3339 rendering of unix-nanosecond timestamps, in UTC, shaped like
//! Go's `time.RFC3339Nano` (fraction trimmed of trailing zeros, dropped when
//! zero).

pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats `nanos` (unix nanoseconds) as e.g. "2026-11-26T15:03:23.123Z".
pub fn format_rfc3339_nano(nanos: i64) -> String {
    let secs = nanos.div_euclid(NANOS_PER_SEC);
    let frac = nanos.rem_euclid(NANOS_PER_SEC);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (sod / 3600, (sod / 60) % 60, sod % 60);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if frac != 0 {
        let f = format!("{frac:09}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Seconds left until `expire`, rounded up: ceil((expire - now) / 1s), with
/// Go's truncating division (so it can be 0 or negative once expired).
pub fn ttl_seconds(expire: i64, now: i64) -> i64 {
    let d = expire - now;
    let mut t = d / NANOS_PER_SEC;
    if d % NANOS_PER_SEC > 0 {
        t += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_fractions() {
        assert_eq!(format_rfc3339_nano(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339_nano(1), "1970-01-01T00:00:00.000000001Z");
        assert_eq!(format_rfc3339_nano(123_000_000), "1970-01-01T00:00:00.123Z");
        assert_eq!(format_rfc3339_nano(500_000_000), "1970-01-01T00:00:00.5Z");
    }

    #[test]
    fn known_dates() {
        // 2000-01-01T00:00:00Z
        assert_eq!(format_rfc3339_nano(946_684_800 * NANOS_PER_SEC), "2000-01-01T00:00:00Z");
        // 2026-11-26T15:03:23.123Z = 1795705403.123
        assert_eq!(
            format_rfc3339_nano(1_795_705_403 * NANOS_PER_SEC + 123_000_000),
            "2026-11-26T15:03:23.123Z"
        );
        // leap day
        assert_eq!(format_rfc3339_nano(951_782_400 * NANOS_PER_SEC), "2000-02-29T00:00:00Z");
        // end of a year
        assert_eq!(
            format_rfc3339_nano(1_704_067_199 * NANOS_PER_SEC + 999_999_999),
            "2023-12-31T23:59:59.999999999Z"
        );
        // before the epoch
        assert_eq!(format_rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn ttl_rounds_up() {
        let s = NANOS_PER_SEC;
        assert_eq!(ttl_seconds(10 * s, 0), 10);
        assert_eq!(ttl_seconds(10 * s, 1), 10);
        assert_eq!(ttl_seconds(10 * s + 1, 0), 11);
        assert_eq!(ttl_seconds(10 * s, 10 * s), 0);
        assert_eq!(ttl_seconds(0, s / 2), 0);
        assert_eq!(ttl_seconds(0, 3 * s / 2), -1);
    }
}
