//! `write_files`: decoding (`b64`, `gz`, `gz+b64`… as coreos-cloudinit), permissions, owners
//! (resolved in the target root's `/etc/passwd` and `/etc/group`), and the one way cfg-init
//! writes any file: atomically, then the owner, and only when something differs.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;

/// Decodes `content` as `encoding` says (`""` is plain text).
pub fn decode(content: &[u8], encoding: &str) -> Result<Vec<u8>, String> {
    let b64 = |s: &[u8]| {
        let clean: Vec<u8> = s.iter().copied().filter(|c| !matches!(c, b'\n' | b'\r')).collect();
        base64::engine::general_purpose::STANDARD
            .decode(clean)
            .map_err(|e| format!("Unable to decode base64: {e}"))
    };
    let gz = |b: &[u8]| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b)
            .read_to_end(&mut out)
            .map_err(|e| format!("Unable to decode gzip: {e}"))?;
        Ok::<_, String>(out)
    };
    match encoding {
        "" => Ok(content.to_vec()),
        "b64" | "base64" => b64(content),
        "gz" | "gzip" => gz(content),
        "gz+base64" | "gzip+base64" | "gz+b64" | "gzip+b64" => gz(&b64(content)?),
        other => Err(format!("Unsupported encoding {other:?}")),
    }
}

/// `0644`, `644`, `"0755"` → the mode; coreos-cloudinit's default is 0644.
pub fn permissions(text: Option<&str>) -> Result<u32, String> {
    match text {
        None | Some("") => Ok(0o644),
        Some(t) => u32::from_str_radix(t, 8).map_err(|_| format!("invalid permissions {t:?}")),
    }
}

/// A path inside `root` (`/etc/hosts` under `/tmp/r` is `/tmp/r/etc/hosts`).
pub fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// A user from `ROOT/etc/passwd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passwd {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

pub fn passwd(root: &Path, name: &str) -> Option<Passwd> {
    let text = std::fs::read_to_string(under(root, "/etc/passwd")).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 7 && f[0] == name).then(|| Passwd {
            name: f[0].to_string(),
            uid: f[2].parse().unwrap_or(0),
            gid: f[3].parse().unwrap_or(0),
            home: f[5].to_string(),
        })
    })
}

pub fn group_id(root: &Path, name: &str) -> Option<u32> {
    if let Ok(n) = name.parse() {
        return Some(n);
    }
    let text = std::fs::read_to_string(under(root, "/etc/group")).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[0] == name).then(|| f[2].parse().ok()).flatten()
    })
}

/// `user[:group]` (names or numbers) → (uid, gid), in `root`'s user database. Without a group,
/// the user's primary group.
pub fn owner(root: &Path, spec: &str) -> Result<(u32, u32), String> {
    let (u, g) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let (uid, primary) = match u.parse::<u32>() {
        Ok(n) => (n, passwd_by_uid(root, n).map(|p| p.gid).unwrap_or(n)),
        Err(_) => {
            let p = passwd(root, u)
                .ok_or_else(|| format!("no user {u:?} in {}", under(root, "/etc/passwd").display()))?;
            (p.uid, p.gid)
        }
    };
    let gid = match g {
        None | Some("") => primary,
        Some(g) => group_id(root, g)
            .ok_or_else(|| format!("no group {g:?} in {}", under(root, "/etc/group").display()))?,
    };
    Ok((uid, gid))
}

fn passwd_by_uid(root: &Path, uid: u32) -> Option<Passwd> {
    let text = std::fs::read_to_string(under(root, "/etc/passwd")).ok()?;
    let name = text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 7 && f[2] == uid.to_string()).then(|| f[0].to_string())
    })?;
    passwd(root, &name)
}

/// Whether `path` already holds exactly this: contents, mode and (when given) owner.
pub fn is_current(path: &Path, contents: &[u8], mode: u32, owner: Option<(u32, u32)>) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.is_file() || meta.permissions().mode() & 0o7777 != mode {
        return false;
    }
    if let Some((u, g)) = owner
        && (meta.uid() != u || meta.gid() != g)
    {
        return false;
    }
    std::fs::read(path).is_ok_and(|have| have == contents)
}

/// Writes the file atomically (missing parent directories made with 0755), then its owner.
pub fn write(path: &Path, contents: &[u8], mode: u32, owner: Option<(u32, u32)>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        make_dirs(dir, 0o755)?;
    }
    crate::os::file::write_atomic_mode(path, contents, mode)?;
    if let Some((u, g)) = owner {
        std::os::unix::fs::chown(path, Some(u), Some(g))?;
    }
    Ok(())
}

/// `mkdir -p` with `mode` for the directories it makes.
pub fn make_dirs(dir: &Path, mode: u32) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        make_dirs(parent, mode)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode(b"aGVsbG8=", "b64").unwrap(), b"hello");
        assert_eq!(decode(b"aGVs\nbG8=", "base64").unwrap(), b"hello");
        assert!(decode(b"!!", "b64").is_err());
        assert!(decode(b"x", "bogus").is_err());
        assert!(decode(b"not gzip", "gz").is_err());
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"zipped").unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        assert_eq!(decode(b64.as_bytes(), "gzip+b64").unwrap(), b"zipped");
    }

    #[test]
    fn modes() {
        assert_eq!(permissions(None).unwrap(), 0o644);
        assert_eq!(permissions(Some("0755")).unwrap(), 0o755);
        assert_eq!(permissions(Some("600")).unwrap(), 0o600);
        assert_eq!(permissions(Some("0o644")).ok(), None);
    }

    #[test]
    fn owners_from_the_roots_databases() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::fs::write(
            d.path().join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\ncore:x:500:500::/home/core:/bin/bash\n",
        )
        .unwrap();
        std::fs::write(d.path().join("etc/group"), "root:x:0:\ncore:x:500:\ndocker:x:233:core\n").unwrap();
        assert_eq!(owner(d.path(), "core").unwrap(), (500, 500));
        assert_eq!(owner(d.path(), "core:docker").unwrap(), (500, 233));
        assert_eq!(owner(d.path(), "0:0").unwrap(), (0, 0));
        assert!(owner(d.path(), "nobody-here").is_err());
        assert_eq!(passwd(d.path(), "core").unwrap().home, "/home/core");
    }
}
