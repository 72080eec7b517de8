//! The wall clock. The store's TTLs, the agent's journal and the status lines all read it
//! here, so there is one notion of "now".

use std::ffi::CString;
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix time in nanoseconds (0 if the clock is before 1970).
pub fn now_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

/// Unix time in microseconds (0 if the clock is before 1970).
pub fn now_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}

/// Formats `micros` since the epoch in the local time zone with strftime's `fmt`.
pub fn local(micros: u64, fmt: &str) -> String {
    let secs = (micros / 1_000_000) as libc::time_t;
    let fmt = CString::new(fmt).unwrap_or_default();
    // SAFETY: `tm` is plain data that localtime_r fills; strftime writes at most `buf.len()`
    // bytes into `buf` and returns how many it wrote. nix has neither call.
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

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_after_2020() {
        assert!(super::now_nanos() > 1_577_836_800_000_000_000);
        assert!(super::now_micros() > 1_577_836_800_000_000);
    }

    #[test]
    fn local_formats_with_strftime() {
        // 2001-09-09 01:46:40 UTC; the zone may shift the hour but not the year or minutes.
        let s = super::local(1_000_000_000_000_000, "%Y %M:%S");
        assert_eq!(s, "2001 46:40");
    }
}
