//! `unit-run status` in the shape of `systemctl status` (which is what `fleetctl status`
//! showed): the unit line, Loaded/Active, one Process line per finished Exec, Main PID, Tasks,
//! Memory, CPU, the cgroup's processes, the unit's containers, then its last journal lines.

use std::fmt::Write;

use super::journal::Record;
use super::protocol::UnitStatus;
use super::supervisor::ActiveState;
use super::time;

pub fn render(st: &UnitStatus, journal: &[Record], now_us: u64) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "● {} - {}", st.name, st.description);
    let _ = writeln!(o, "{:>10} {} ({})", "Loaded:", st.load_state, st.path);
    let since = format!(
        " since {}; {}",
        crate::os::clock::local(st.since, "%a %Y-%m-%d %H:%M:%S %Z"),
        time::ago(st.since, now_us)
    );
    let active = match st.active_state {
        ActiveState::Failed => format!("failed (Result: {}){since}", st.result),
        ActiveState::Inactive if st.processes.is_empty() && st.main_exit.is_none() => {
            "inactive (dead)".to_string()
        }
        a => format!("{a} ({}){since}", st.sub_state),
    };
    let _ = writeln!(o, "{:>10} {active}", "Active:");
    for p in &st.processes {
        let pid = if p.pid > 0 { p.pid.to_string() } else { "-".into() };
        let _ = writeln!(o, "{:>10} {pid} {}={} ({})", "Process:", p.kind, p.command, p.describe);
    }
    match (st.main_pid, &st.main_exit) {
        (Some(pid), _) => {
            let comm = st.main_comm.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            let _ = writeln!(o, "{:>10} {pid}{comm}", "Main PID:");
        }
        (None, Some(exit)) if !st.processes.iter().any(|p| p.kind == "ExecStart") => {
            let pid = st.last_main_pid.map(|p| format!("{p} ")).unwrap_or_default();
            let _ = writeln!(o, "{:>10} {pid}({exit})", "Main PID:");
        }
        _ => {}
    }
    if let Some(t) = st.tasks {
        let _ = writeln!(o, "{:>10} {t}", "Tasks:");
    }
    if let Some(m) = st.memory_bytes {
        let _ = writeln!(o, "{:>10} {}", "Memory:", bytes(m));
    }
    if let Some(c) = st.cpu_usec {
        let _ = writeln!(o, "{:>10} {}", "CPU:", cpu(c));
    }
    if let Some(cg) = &st.cgroup {
        let _ = writeln!(o, "{:>10} {cg}", "CGroup:");
    }
    for (i, (pid, cmd)) in st.cgroup_processes.iter().enumerate() {
        let branch = if i + 1 == st.cgroup_processes.len() { "└─" } else { "├─" };
        let _ = writeln!(o, "{:>10} {branch}{pid} {cmd}", "");
    }
    for c in &st.containers {
        let _ =
            writeln!(o, "{:>10} {} ({}) {}: {} [{}]", "Container:", c.name, c.image, c.state, c.status, c.id);
    }
    if let Some(e) = &st.docker_error {
        let _ = writeln!(o, "{:>10} unknown: {e}", "Container:");
    }
    if !journal.is_empty() {
        o.push('\n');
        for r in journal {
            let _ = writeln!(o, "{}", r.short(&st.hostname));
        }
    }
    o
}

/// systemd's memory figures: 512B, 10.2K, 10.2M, 1.5G.
pub fn bytes(b: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)];
    for (u, size) in UNITS {
        if b >= size {
            return format!("{:.1}{u}", b as f64 / size as f64);
        }
    }
    format!("{b}B")
}

/// systemd's CPU figures: 55ms, 1.234s, 2min 3.500s.
pub fn cpu(usec: u64) -> String {
    let ms = usec / 1000;
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{}.{:03}s", ms / 1000, ms % 1000)
    } else {
        format!("{}min {}.{:03}s", ms / 60_000, (ms % 60_000) / 1000, ms % 1000)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_read_like_systemd() {
        assert_eq!(super::bytes(512), "512B");
        assert_eq!(super::bytes(10_700_000), "10.2M");
        assert_eq!(super::cpu(55_000), "55ms");
        assert_eq!(super::cpu(1_234_000), "1.234s");
        assert_eq!(super::cpu(123_500_000), "2min 3.500s");
    }
}
