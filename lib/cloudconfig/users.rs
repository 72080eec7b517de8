//! `users` and `ssh_authorized_keys`: the `useradd` and `chpasswd -e` command lines
//! coreos-cloudinit ran (with `--root DIR` passed through), and the SSH keys, kept in a block of
//! the user's `~/.ssh/authorized_keys` that cfg-init owns (what `update-ssh-keys -a NAME` did on
//! CoreOS, where the other keys stay).

use std::path::Path;

use super::config::User;

/// `useradd` for a new user, as coreos-cloudinit built it (the GECOS is not wrapped in quotes:
/// coreos-cloudinit's `%q` put literal quotes into /etc/passwd).
pub fn useradd(u: &User, root: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec!["useradd".into()];
    if root != Path::new("/") {
        a.extend(["--root".into(), root.display().to_string()]);
    }
    a.extend(["--password".into(), u.passwd.clone().unwrap_or_else(|| "*".into())]);
    if let Some(g) = &u.gecos {
        a.extend(["--comment".into(), g.clone()]);
    }
    if let Some(h) = &u.homedir {
        a.extend(["--home-dir".into(), h.clone()]);
    }
    a.push(if u.no_create_home { "--no-create-home" } else { "--create-home" }.into());
    if let Some(g) = &u.primary_group {
        a.extend(["--gid".into(), g.clone()]);
    }
    if !u.groups.is_empty() {
        a.extend(["--groups".into(), u.groups.join(",")]);
    }
    if u.no_user_group {
        a.push("--no-user-group".into());
    }
    if u.system {
        a.push("--system".into());
    }
    if u.no_log_init {
        a.push("--no-log-init".into());
    }
    if let Some(s) = &u.shell {
        a.extend(["--shell".into(), s.clone()]);
    }
    a.push(u.name.clone());
    a
}

/// `chpasswd -e` (its standard input is `NAME:HASH`).
pub fn chpasswd(root: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec!["chpasswd".into(), "-e".into()];
    if root != Path::new("/") {
        a.extend(["--root".into(), root.display().to_string()]);
    }
    a
}

/// The user's password hash in `ROOT/etc/shadow`, if readable.
pub fn shadow_hash(root: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(super::files::under(root, "/etc/shadow")).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next() == Some(name)).then(|| f.next().unwrap_or("").to_string())
    })
}

fn begin(name: &str) -> String {
    format!("# cfg-init: begin {name} (cfg-init apply rewrites the lines up to the end mark)")
}
fn end(name: &str) -> String {
    format!("# cfg-init: end {name}")
}

/// `existing` authorized_keys with cfg-init's block named `name` set to `keys` (other lines
/// kept; the block is appended when there is none).
pub fn authorized_keys(existing: &str, name: &str, keys: &[String]) -> String {
    let (b, e) = (begin(name), end(name));
    let mut block = vec![b.clone()];
    block.extend(keys.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()));
    block.push(e.clone());
    let lines: Vec<&str> = existing.lines().collect();
    let start = lines.iter().position(|l| *l == b);
    let stop = start.and_then(|s| lines[s..].iter().position(|l| *l == e).map(|p| s + p));
    let mut out: Vec<String> = Vec::new();
    match (start, stop) {
        (Some(s), Some(t)) => {
            out.extend(lines[..s].iter().map(|l| l.to_string()));
            out.extend(block);
            out.extend(lines[t + 1..].iter().map(|l| l.to_string()));
        }
        _ => {
            out.extend(lines.iter().map(|l| l.to_string()));
            out.extend(block);
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn useradd_as_coreos_cloudinit() {
        let u = User {
            name: "alice".into(),
            gecos: Some("Alice Example".into()),
            groups: vec!["docker".into(), "wheel".into()],
            system: true,
            shell: Some("/bin/bash".into()),
            ..Default::default()
        };
        assert_eq!(
            useradd(&u, Path::new("/tmp/r")).join(" "),
            "useradd --root /tmp/r --password * --comment Alice Example --create-home --groups docker,wheel --system --shell /bin/bash alice"
        );
        assert_eq!(chpasswd(Path::new("/")), ["chpasswd", "-e"]);
    }

    #[test]
    fn keys_block_is_ours_alone() {
        let mine = "ssh-ed25519 AAAAmine me@laptop\n";
        let once = authorized_keys(mine, "coreos-cloudinit", &["ssh-rsa AAAA... ".into()]);
        assert!(once.starts_with(mine));
        assert!(once.contains("\nssh-rsa AAAA...\n"));
        assert_eq!(authorized_keys(&once, "coreos-cloudinit", &["ssh-rsa AAAA...".into()]), once);
        let changed = authorized_keys(&once, "coreos-cloudinit", &["ssh-rsa BBBB".into()]);
        assert!(
            changed.starts_with(mine) && changed.contains("ssh-rsa BBBB") && !changed.contains("AAAA...")
        );
    }
}
