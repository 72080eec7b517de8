//! `manage_etc_hosts: localhost`: `/etc/hosts` gets a `127.0.0.1 HOSTNAME` line. Unlike
//! coreos-cloudinit, which replaced the whole file with that one line, every other line is kept:
//! cfg-init's own line carries a marker comment and is the only one it ever rewrites.

const MARK: &str = "# cfg-init: manage_etc_hosts";

/// `existing` with a line mapping 127.0.0.1 to `hostname` (unchanged if one is there).
pub fn with_localhost(existing: &str, hostname: &str) -> String {
    let ours = format!("127.0.0.1 {hostname} {MARK}");
    let mut lines: Vec<String> = existing.lines().map(str::to_string).collect();
    if let Some(i) = lines.iter().position(|l| l.trim_end().ends_with(MARK)) {
        lines[i] = ours;
    } else if lines.iter().any(|l| maps_localhost_to(l, hostname)) {
        return existing.to_string();
    } else {
        lines.push(ours);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn maps_localhost_to(line: &str, hostname: &str) -> bool {
    let line = line.split('#').next().unwrap_or("");
    let mut words = line.split_whitespace();
    words.next() == Some("127.0.0.1") && words.any(|w| w == hostname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_other_line() {
        let have = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.0.0.9 db\n";
        let got = with_localhost(have, "node1");
        assert_eq!(got, format!("{have}127.0.0.1 node1 {MARK}\n"));
        // Idempotent, and a new hostname replaces only cfg-init's line.
        assert_eq!(with_localhost(&got, "node1"), got);
        assert_eq!(with_localhost(&got, "node2"), format!("{have}127.0.0.1 node2 {MARK}\n"));
        // Already mapped by the administrator: nothing to add.
        assert_eq!(with_localhost("127.0.0.1 localhost node1\n", "node1"), "127.0.0.1 localhost node1\n");
        assert_eq!(with_localhost("", "n"), format!("127.0.0.1 n {MARK}\n"));
    }
}
