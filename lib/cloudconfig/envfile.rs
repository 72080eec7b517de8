//! Environment files: how `coreos.etcd2` becomes `RUN_DIR/kv-serve.env` (`ETCD_*`, read by
//! kv-serve unchanged), `coreos.fleet` becomes `RUN_DIR/unit-run.env` (`FLEET_*`, read by
//! unit-run and unit-sched), `coreos.flannel` becomes `/run/flannel/options.env`, and how the
//! `COREOS_*` addresses are merged into `/etc/environment`.
//!
//! Values are double-quoted with `\`, `"`, `$` and `` ` `` escaped: the file reads the same to
//! systemd's (and unit-run's) `EnvironmentFile=` and to a POSIX shell's `.` (coreos-cloudinit
//! escaped nothing). Lines follow the section's field order, as coreos-cloudinit's drop-ins did;
//! unlike them, an explicit `false` or `0` is kept.

use super::schema::Field;

/// `KEY="value"` with the value escaped. Values with a newline or NUL cannot be written.
pub fn assignment(key: &str, value: &str) -> Result<String, String> {
    if value.contains(['\n', '\r', '\0']) {
        return Err(format!("{key}: the value contains a line break, which an environment file cannot hold"));
    }
    let mut s = String::with_capacity(key.len() + value.len() + 4);
    s.push_str(key);
    s.push_str("=\"");
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    Ok(s)
}

/// A whole env file: a header comment, then one assignment per (field, value).
pub fn render(header: &str, values: &[(&'static Field, String)]) -> Result<String, String> {
    let mut out = String::new();
    for l in header.lines() {
        out.push_str("# ");
        out.push_str(l);
        out.push('\n');
    }
    for (f, v) in values {
        out.push_str(&assignment(f.env.expect("coreos.* fields have an env name"), v)?);
        out.push('\n');
    }
    Ok(out)
}

/// `existing` (an env file such as /etc/environment) with `pairs` set: a line assigning one of
/// the keys is replaced in place, the others are appended; every other line is kept as it was.
pub fn merge(existing: &str, pairs: &[(String, String)]) -> Result<String, String> {
    let mut lines: Vec<String> = existing.lines().map(str::to_string).collect();
    for (k, v) in pairs {
        let line = assignment(k, v)?;
        let assigns = |l: &str| {
            let t = l.trim_start();
            let t = t.strip_prefix("export ").unwrap_or(t).trim_start();
            t.strip_prefix(k.as_str()).is_some_and(|r| r.trim_start().starts_with('='))
        };
        match lines.iter().position(|l| assigns(l)) {
            Some(i) => {
                lines[i] = line;
                // Later assignments of the same key would win: drop them.
                let mut j = i + 1;
                while j < lines.len() {
                    if assigns(&lines[j]) {
                        lines.remove(j);
                    } else {
                        j += 1;
                    }
                }
            }
            None => lines.push(line),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::environment::parse_environment_file;

    #[test]
    fn values_read_back_unchanged_by_unit_run() {
        let nasty = r#"a "quoted" $HOME `cmd` back\slash 'single' # not a comment"#;
        let line = assignment("ETCD_NAME", nasty).unwrap();
        let parsed = parse_environment_file(&line).unwrap();
        assert_eq!(parsed, vec![("ETCD_NAME".to_string(), nasty.to_string())]);
        assert!(assignment("X", "a\nb").is_err());
    }

    #[test]
    fn values_read_back_unchanged_by_sh() {
        let nasty = r#"a "quoted" $HOME `cmd` back\slash 'single' # x"#;
        let line = assignment("V", nasty).unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{line}; printf %s \"$V\""))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), nasty);
    }

    #[test]
    fn merge_replaces_in_place_and_appends() {
        let have = "PATH=/bin\nCOREOS_PRIVATE_IPV4=1.1.1.1\n# keep me\nCOREOS_PRIVATE_IPV4=2.2.2.2\n";
        let got = merge(
            have,
            &[
                ("COREOS_PRIVATE_IPV4".into(), "10.0.0.5".into()),
                ("COREOS_PUBLIC_IPV4".into(), "203.0.113.9".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            "PATH=/bin\nCOREOS_PRIVATE_IPV4=\"10.0.0.5\"\n# keep me\nCOREOS_PUBLIC_IPV4=\"203.0.113.9\"\n"
        );
        assert_eq!(merge(&got, &[("COREOS_PRIVATE_IPV4".into(), "10.0.0.5".into())]).unwrap(), got);
        assert_eq!(merge("", &[("A".into(), "1".into())]).unwrap(), "A=\"1\"\n");
    }
}
