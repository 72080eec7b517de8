//! `%` specifiers in unit file values.
//!
//! Supported: `%n` full unit name, `%N` full name without the type suffix,
//! `%p` prefix (before `@`, or before the suffix), `%i` instance as written
//! (escaped), `%I` instance unescaped, `%H` host name, `%m` machine id,
//! `%b` boot id and `%%` for a literal `%`.  `%i`/`%I` are empty for units
//! that are not instances.  Any other specifier, or a lone `%` at the end,
//! is an error that names it.

use super::name::{UnitName, unescape};

/// Everything a specifier can expand to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecifierContext {
    /// The unit whose file is being expanded.
    pub unit: UnitName,
    /// `%H`.
    pub hostname: String,
    /// `%m`.
    pub machine_id: String,
    /// `%b`.
    pub boot_id: String,
}

impl SpecifierContext {
    /// A context with the given unit and empty host identity.
    pub fn new(unit: UnitName) -> Self {
        SpecifierContext { unit, hostname: String::new(), machine_id: String::new(), boot_id: String::new() }
    }

    /// A context filled from the running system: the kernel host name,
    /// `/etc/machine-id` and the kernel boot id (dashes removed, as systemd
    /// prints it).  Missing sources leave the field empty.
    pub fn from_system(unit: UnitName) -> Self {
        let read =
            |path: &str| std::fs::read_to_string(path).map(|s| s.trim().to_string()).unwrap_or_default();
        SpecifierContext {
            unit,
            hostname: crate::os::host::hostname(),
            machine_id: read("/etc/machine-id"),
            boot_id: crate::os::host::boot_id(),
        }
    }
}

/// Expands all specifiers in `s`.
pub fn expand(s: &str, ctx: &SpecifierContext) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let unit = &ctx.unit;
        let instance = unit.instance.as_deref().unwrap_or("");
        match chars.next() {
            Some('%') => out.push('%'),
            Some('n') => out.push_str(&unit.full),
            Some('N') => out.push_str(unit.without_suffix()),
            Some('p') => out.push_str(&unit.prefix),
            Some('i') => out.push_str(instance),
            Some('I') => out.push_str(&unescape(instance)),
            Some('H') => out.push_str(&ctx.hostname),
            Some('m') => out.push_str(&ctx.machine_id),
            Some('b') => out.push_str(&ctx.boot_id),
            Some(other) => {
                return Err(format!("Unknown or unsupported specifier '%{other}' in '{s}'"));
            }
            None => return Err(format!("Incomplete specifier '%' at the end of '{s}'")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(name: &str) -> SpecifierContext {
        SpecifierContext {
            unit: UnitName::parse(name).unwrap(),
            hostname: "core-01".into(),
            machine_id: "0123456789abcdef0123456789abcdef".into(),
            boot_id: "fedcba9876543210fedcba9876543210".into(),
        }
    }

    #[test]
    fn every_specifier() {
        let c = ctx("mnt@-var-lib\\x2dx.service");
        assert_eq!(expand("%n", &c).unwrap(), "mnt@-var-lib\\x2dx.service");
        assert_eq!(expand("%N", &c).unwrap(), "mnt@-var-lib\\x2dx");
        assert_eq!(expand("%p", &c).unwrap(), "mnt");
        assert_eq!(expand("%i", &c).unwrap(), "-var-lib\\x2dx");
        assert_eq!(expand("%I", &c).unwrap(), "/var/lib-x");
        assert_eq!(expand("%H", &c).unwrap(), "core-01");
        assert_eq!(expand("%m", &c).unwrap(), "0123456789abcdef0123456789abcdef");
        assert_eq!(expand("%b", &c).unwrap(), "fedcba9876543210fedcba9876543210");
        assert_eq!(expand("100%%", &c).unwrap(), "100%");
        assert_eq!(expand("%%i", &c).unwrap(), "%i");
        assert_eq!(expand("a-%p-%i.log", &c).unwrap(), "a-mnt--var-lib\\x2dx.log");
        assert_eq!(expand("no specifiers", &c).unwrap(), "no specifiers");
        assert_eq!(expand("é%p", &c).unwrap(), "émnt");
    }

    #[test]
    fn plain_units() {
        let c = ctx("docker.service");
        assert_eq!(expand("%p|%N|%i|%I", &c).unwrap(), "docker|docker||");
        let c = ctx("web@8080.service");
        assert_eq!(expand("%p:%i:%I", &c).unwrap(), "web:8080:8080");
    }

    #[test]
    fn errors_name_the_specifier() {
        let c = ctx("docker.service");
        let e = expand("foo %z bar", &c).unwrap_err();
        assert!(e.contains("'%z'"), "{e}");
        let e = expand("50%", &c).unwrap_err();
        assert!(e.contains("'%'"), "{e}");
    }

    #[test]
    fn from_system_fills_the_unit() {
        let c = SpecifierContext::from_system(UnitName::parse("a.service").unwrap());
        assert_eq!(c.unit.full, "a.service");
        assert!(!c.boot_id.contains('-'));
        assert_eq!(SpecifierContext::new(c.unit.clone()).hostname, "");
    }
}
