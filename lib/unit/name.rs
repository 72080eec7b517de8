//! Unit names.
//!
//! A unit name is `PREFIX[@INSTANCE].TYPE`, e.g. `docker.service`,
//! `getty@tty1.service` (an *instance*) or `getty@.service` (a *template*
//! from which instances are made).  Names use only `[a-zA-Z0-9:_.@-\\]`, are
//! at most 255 bytes, contain at most one `@`, no `..`, and end in one of the
//! known type suffixes.
//!
//! Arbitrary strings (paths, host names...) are embedded in names with
//! systemd's escaping: `/` becomes `-`, and every byte outside the plain set
//! (including `-` itself and a leading `.`) becomes `\xNN`.  [`escape`] and
//! [`unescape`] implement that mapping.

/// Longest accepted unit name, in bytes.
pub const MAX_NAME_LEN: usize = 255;

/// The unit type suffixes systemd knows, including the leading dot.
pub const SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".device",
    ".mount",
    ".automount",
    ".swap",
    ".target",
    ".path",
    ".timer",
    ".slice",
    ".scope",
];

/// A validated unit name split into its parts.
///
/// `instance` is `None` for plain names, `Some("")` for templates
/// (`foo@.service`) and `Some(text)` for instances; the text is kept escaped,
/// as written in the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitName {
    /// The whole name, e.g. `web@8080.service`.
    pub full: String,
    /// The part before `@` (or before the suffix), e.g. `web`.
    pub prefix: String,
    /// The instance part, see the type documentation.
    pub instance: Option<String>,
    /// The type suffix including its dot, e.g. `.service`.
    pub suffix: String,
}

/// Checks that `name` is a valid unit name (plain, template or instance).
pub fn check_name(name: &str) -> Result<(), String> {
    UnitName::parse(name).map(|_| ())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '@' | '-' | '\\')
}

impl UnitName {
    /// Parses and validates a unit name.
    pub fn parse(name: &str) -> Result<UnitName, String> {
        if name.is_empty() {
            return Err("unit name is empty".into());
        }
        if name.len() > MAX_NAME_LEN {
            return Err(format!("unit name '{name}' is longer than {MAX_NAME_LEN} bytes"));
        }
        if name.contains('/') {
            return Err(format!("unit name '{name}' must not contain '/'"));
        }
        if let Some(c) = name.chars().find(|&c| !is_name_char(c)) {
            return Err(format!("unit name '{name}' contains invalid character {c:?}"));
        }
        if name.contains("..") {
            return Err(format!("unit name '{name}' must not contain '..'"));
        }
        let suffix = SUFFIXES
            .iter()
            .find(|s| name.ends_with(*s))
            .ok_or_else(|| format!("unit name '{name}' lacks a known type suffix such as .service"))?;
        let stem = &name[..name.len() - suffix.len()];
        let (prefix, instance) = match stem.split_once('@') {
            Some((p, i)) => (p, Some(i)),
            None => (stem, None),
        };
        if instance.is_some_and(|i| i.contains('@')) {
            return Err(format!("unit name '{name}' contains more than one '@'"));
        }
        if prefix.is_empty() {
            return Err(format!("unit name '{name}' has an empty prefix"));
        }
        Ok(UnitName {
            full: name.to_string(),
            prefix: prefix.to_string(),
            instance: instance.map(str::to_string),
            suffix: suffix.to_string(),
        })
    }

    /// True for `name@.service`.
    pub fn is_template(&self) -> bool {
        self.instance.as_deref() == Some("")
    }

    /// True for `name@instance.service`.
    pub fn is_instance(&self) -> bool {
        self.instance.as_deref().is_some_and(|i| !i.is_empty())
    }

    /// The template this name belongs to (`name@x.service` →
    /// `name@.service`); a template returns itself, a plain name `None`.
    pub fn template_name(&self) -> Option<String> {
        self.instance.as_ref().map(|_| format!("{}@{}", self.prefix, self.suffix))
    }

    /// Makes the instance `instance` of `template` (`foo@.service`, `x` →
    /// `foo@x.service`).  `instance` must already be escaped (see [`escape`]).
    pub fn instantiate(template: &str, instance: &str) -> Result<String, String> {
        let t = UnitName::parse(template)?;
        if !t.is_template() {
            return Err(format!("'{template}' is not a template unit name"));
        }
        if instance.is_empty() {
            return Err("instance name is empty".into());
        }
        let full = format!("{}@{}{}", t.prefix, instance, t.suffix);
        check_name(&full)?;
        Ok(full)
    }

    /// The full name without the type suffix (`%N`).
    pub fn without_suffix(&self) -> &str {
        &self.full[..self.full.len() - self.suffix.len()]
    }
}

impl std::fmt::Display for UnitName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full)
    }
}

/// Escapes an arbitrary string for use inside a unit name: `/` → `-`, bytes
/// outside `[a-zA-Z0-9:_.]` (and a leading `.`) → `\xNN`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'/' => out.push('-'),
            b'.' if i == 0 => out.push_str("\\x2e"),
            b if b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.') => out.push(b as char),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// Reverses [`escape`]: `-` → `/`, `\xNN` → the byte NN.  Malformed escapes
/// are kept literally; byte sequences that are not UTF-8 are replaced by
/// U+FFFD.
pub fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' => out.push(b'/'),
            b'\\' if bytes.get(i + 1) == Some(&b'x') => {
                let hex = s.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 4;
                        continue;
                    }
                    None => out.push(b'\\'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for n in [
            "docker.service",
            "croc.service",
            "a.socket",
            "dev-sda1.device",
            "home.mount",
            "proc-sys.automount",
            "swapfile.swap",
            "multi-user.target",
            "watch.path",
            "daily.timer",
            "system.slice",
            "session-1.scope",
            "getty@tty1.service",
            "getty@.service",
            "web@8080.service",
            "foo@a.b.service",
            "sys-devices-x\\x2dy.device",
            "a:b_c.service",
        ] {
            check_name(n).unwrap_or_else(|e| panic!("{n}: {e}"));
        }
    }

    #[test]
    fn invalid_names() {
        let long = format!("{}.service", "a".repeat(250));
        for n in [
            "",
            "docker",
            "docker.unknown",
            ".service",
            "@x.service",
            "a/b.service",
            "a..b.service",
            "a@b@c.service",
            "sp ace.service",
            "ünï.service",
            long.as_str(),
        ] {
            assert!(check_name(n).is_err(), "{n:?} should be rejected");
        }
        // 255 bytes exactly is fine.
        let max = format!("{}.service", "a".repeat(255 - ".service".len()));
        check_name(&max).unwrap();
    }

    #[test]
    fn parts_and_kinds() {
        let n = UnitName::parse("web@8080.service").unwrap();
        assert_eq!(n.prefix, "web");
        assert_eq!(n.instance.as_deref(), Some("8080"));
        assert_eq!(n.suffix, ".service");
        assert_eq!(n.without_suffix(), "web@8080");
        assert!(n.is_instance() && !n.is_template());
        assert_eq!(n.template_name().as_deref(), Some("web@.service"));

        let t = UnitName::parse("web@.service").unwrap();
        assert!(t.is_template() && !t.is_instance());
        assert_eq!(t.template_name().as_deref(), Some("web@.service"));

        let p = UnitName::parse("docker.service").unwrap();
        assert!(!p.is_template() && !p.is_instance());
        assert_eq!(p.prefix, "docker");
        assert_eq!(p.instance, None);
        assert_eq!(p.template_name(), None);
        assert_eq!(p.to_string(), "docker.service");
    }

    #[test]
    fn instantiate_templates() {
        assert_eq!(UnitName::instantiate("web@.service", "8080").unwrap(), "web@8080.service");
        assert_eq!(UnitName::instantiate("getty@.timer", "tty1").unwrap(), "getty@tty1.timer");
        assert!(UnitName::instantiate("web.service", "x").is_err());
        assert!(UnitName::instantiate("web@.service", "").is_err());
        assert!(UnitName::instantiate("web@.service", "a/b").is_err());
        let esc = escape("/var/lib/x-y");
        assert_eq!(UnitName::instantiate("mnt@.service", &esc).unwrap(), "mnt@-var-lib-x\\x2dy.service");
    }

    #[test]
    fn escaping_round_trip() {
        assert_eq!(escape("/var/lib/x-y"), "-var-lib-x\\x2dy");
        assert_eq!(escape(".hidden dir"), "\\x2ehidden\\x20dir");
        assert_eq!(escape("a.b:c_d"), "a.b:c_d");
        assert_eq!(escape("é"), "\\xc3\\xa9");
        for s in ["/var/lib/x-y", "hello world", ".dot", "é!", "a\\b"] {
            assert_eq!(unescape(&escape(s)), s);
        }
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape("-var-lib"), "/var/lib");
        assert_eq!(unescape("a\\x2db"), "a-b");
        assert_eq!(unescape("\\xc3\\xa9"), "é");
        assert_eq!(unescape("a\\x2"), "a\\x2");
        assert_eq!(unescape("a\\zz"), "a\\zz");
        assert_eq!(unescape("8080"), "8080");
    }
}
