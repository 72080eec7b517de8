//! systemd's relative times ("6s ago") for `Active: … since …`; local-time formatting is
//! [`crate::os::clock::local`].

/// systemd's "6s ago" / "2min 3s ago" / "1h 5min ago" / "3 days ago".
pub fn ago(micros_then: u64, micros_now: u64) -> String {
    let s = micros_now.saturating_sub(micros_then) / 1_000_000;
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}min {}s ago", s / 60, s % 60),
        3600..86400 => format!("{}h {}min ago", s / 3600, (s % 3600) / 60),
        _ => format!("{} days ago", s / 86400),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ago_reads_like_systemd() {
        assert_eq!(super::ago(0, 6_000_000), "6s ago");
        assert_eq!(super::ago(0, 125_000_000), "2min 5s ago");
        assert_eq!(super::ago(0, 3_900_000_000), "1h 5min ago");
    }
}
