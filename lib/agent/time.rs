//! Local-time formatting for what people read: journal lines and `Active: … since …`.

use std::ffi::CString;

/// Formats `micros` since the epoch in the local time zone with strftime's `fmt`.
pub fn local(micros: u64, fmt: &str) -> String {
    let secs = (micros / 1_000_000) as libc::time_t;
    let fmt = CString::new(fmt).unwrap_or_default();
    // SAFETY: localtime_r and strftime write only into the buffers we pass them.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return secs.to_string();
        }
        let mut buf = [0u8; 128];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

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
