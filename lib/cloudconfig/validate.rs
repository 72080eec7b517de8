//! Every rule of coreos-cloudinit's validator (`config/validate/rules.go`), with the place of
//! each finding down to the column, in a stable order — plus what it missed: duplicate keys,
//! a top-level that is not a mapping, misspelled keys with "did you mean", bad URLs in the
//! etcd2 section, address tokens with no value, unit files that would not load, missing
//! names, a masked unit given a command.
//!
//! Severity follows coreos-cloudinit where it can: unknown and deprecated keys warn, bad values
//! are errors. A value of the wrong type is an error here (coreos-cloudinit warned, then could
//! not use it), and `etcd2`/`fleet` are not deprecated: corekit runs them (kv-serve, unit-sched).

use super::findings::{Finding, Rule, Severity, sort};
use super::metadata::Metadata;
use super::schema::{self, Check, Field, Kind, Section};
use super::substitute;
use super::userdata::{Kind as DataKind, UserData};
use super::yaml::{self, Mark, Node, Scalar, Value};

/// Whether a token with no value is a warning (`validate`: the addresses may not be known
/// where it runs) or an error (`apply` refuses to make it empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Validate,
    Apply,
}

/// The result of validating user-data.
#[derive(Debug)]
pub struct Report {
    pub kind: DataKind,
    pub findings: Vec<Finding>,
    /// The YAML tree of a cloud-config that parsed.
    pub root: Option<Node>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        super::findings::has_errors(&self.findings)
    }
}

/// Validates user-data; `md` says which address tokens have a value.
pub fn validate(ud: &UserData, md: &Metadata, mode: Mode) -> Report {
    let mut out = Vec::new();
    let mut root = None;
    match ud.kind {
        DataKind::Empty | DataKind::Ignition => {}
        DataKind::Unrecognized => out.push(header_finding(&ud.text)),
        DataKind::Script => tokens(&ud.text, md, mode, &mut out),
        DataKind::CloudConfig => {
            tokens(&ud.text, md, mode, &mut out);
            match yaml::parse(&ud.text) {
                Err(e) => {
                    let mut f = Finding::error(e.mark, Rule::Yaml, e.message);
                    if let Some(h) = lost_indentation(&ud.text) {
                        f = f.with_hint(h);
                    }
                    out.push(f);
                }
                Ok(doc) => {
                    for r in &doc.remarks {
                        out.push(Finding::warning(r.mark, Rule::Duplicate, r.message.clone()));
                    }
                    if let Some(r) = &doc.root {
                        check_root(r, &ud.text, &mut out);
                    }
                    root = doc.root;
                }
            }
        }
    }
    sort(&mut out);
    out.dedup();
    Report { kind: ud.kind, findings: out, root }
}

fn header_finding(text: &str) -> Finding {
    let first = text.split('\n').next().unwrap_or("");
    let mut f =
        Finding::error(Mark::new(1, 1), Rule::Header, "must be \"#cloud-config\" or begin with \"#!\"");
    let hint = if first.starts_with('\u{feff}') {
        Some("the file starts with a UTF-8 byte-order mark: save it without one".to_string())
    } else if first.trim().eq_ignore_ascii_case("#cloud-config")
        || first.trim().replace(' ', "") == "#cloud-config"
    {
        Some(format!("the first line must be exactly `#cloud-config` (it is `{}`)", first.trim_end()))
    } else if first.trim_start().starts_with('[') && first.trim_end().ends_with(']') {
        Some("this looks like a unit file: give it as `content:` of an entry in `coreos.units`".into())
    } else if text.lines().any(|l| l.trim_end() == "#cloud-config") {
        Some("`#cloud-config` must be the very first line".into())
    } else {
        None
    };
    if let Some(h) = hint {
        f = f.with_hint(h);
    }
    f
}

/// `$private_ipv4` and the others with no value (comment lines are left out: what a comment
/// says does not matter).
fn tokens(text: &str, md: &Metadata, mode: Mode, out: &mut Vec<Finding>) {
    let mut hinted = Vec::new();
    for o in substitute::missing(text, md) {
        let t = o.token;
        let sev = if mode == Mode::Apply { Severity::Error } else { Severity::Warning };
        let what = if mode == Mode::Apply { "cannot be substituted" } else { "would become empty" };
        let mut f = Finding::new(
            o.mark,
            sev,
            Rule::Substitution,
            format!("${} has no value here: it {what}", t.name()),
        );
        // The way out is said once per token.
        if !hinted.contains(&t) {
            hinted.push(t);
            f = f.with_hint(format!(
                "give {} VALUE, --metadata-url, --config-drive, or {} in the environment or /etc/environment",
                t.flag(),
                t.env()
            ));
        }
        out.push(f);
    }
}

fn check_root(root: &Node, text: &str, out: &mut Vec<Finding>) {
    match &root.value {
        Value::Map(_) => {}
        _ if root.is_null() => return,
        _ => {
            out.push(
                Finding::error(
                    root.mark,
                    Rule::Type,
                    format!("the cloud-config must be a mapping of keys, not {}", root.describe()),
                )
                .with_hint("start with keys such as `hostname:`, `ssh_authorized_keys:`, `coreos:`"),
            );
            return;
        }
    }
    let cx = Cx { lines: text.split('\n').collect() };
    cx.section(root, &schema::ROOT, out);
    // coreos-cloudinit's extra rules.
    for (_, file) in cx.items(root, "write_files") {
        cx.encoding(file, out);
        if let Some((_, p)) = cx.child(file, "path")
            && let Some(t) = p.text()
        {
            let dir = std::path::Path::new(t)
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default();
            if dir.starts_with("/usr") {
                out.push(Finding::error(
                    p.mark,
                    Rule::ReadOnlyPath,
                    "file cannot be written to a read-only filesystem",
                ));
            }
        }
    }
    if let Some((coreos_key, coreos)) = cx.child(root, "coreos") {
        let _ = coreos_key;
        if let Some((k, _)) = cx.child(coreos, "write_files") {
            out.push(Finding::info(k.mark, Rule::Placement, "write_files doesn't belong under coreos"));
        }
        if let Some((_, etcd)) = cx.child(coreos, "etcd")
            && let Some((_, d)) = cx.child(etcd, "discovery")
            && d.text().is_some_and(|t| !is_request_uri(t))
        {
            out.push(Finding::warning(d.mark, Rule::Discovery, "discovery URL is not valid"));
        }
        for (_, unit) in cx.items(coreos, "units") {
            cx.unit(unit, out);
        }
        if let Err(cycle) = super::order::check(coreos) {
            out.push(Finding::error(cycle.mark, Rule::Units, cycle.message));
        }
    }
    for (_, user) in cx.items(root, "users") {
        if cx.child(user, "name").is_none_or(|(_, n)| n.is_null()) {
            out.push(Finding::error(user.mark, Rule::Value, "a user needs a name"));
        }
    }
}

/// Go's `url.ParseRequestURI`: an absolute URL or an absolute path.
fn is_request_uri(s: &str) -> bool {
    s.starts_with('/') || s.split_once("://").is_some_and(|(scheme, _)| !scheme.is_empty())
}

struct Cx<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Cx<'a> {
    /// The entry of `map` whose (normalized) key is `key`: the last one, as YAML decoding keeps.
    fn child<'n>(&self, map: &'n Node, key: &str) -> Option<(&'n Node, &'n Node)> {
        map.entries()?
            .iter()
            .rev()
            .find(|e| e.key.text().is_some_and(|k| schema::normalize(k) == key))
            .map(|e| (&e.key, &e.value))
    }

    /// The mapping items of the list at `key`.
    fn items<'n>(&self, map: &'n Node, key: &str) -> Vec<(usize, &'n Node)> {
        self.child(map, key)
            .and_then(|(_, v)| v.items())
            .map(|items| items.iter().enumerate().filter(|(_, n)| n.entries().is_some()).collect())
            .unwrap_or_default()
    }

    fn section(&self, node: &Node, sec: &'static Section, out: &mut Vec<Finding>) {
        let Some(entries) = node.entries() else { return };
        for e in entries {
            let Some(key) = e.key.text() else {
                out.push(Finding::error(
                    e.key.mark,
                    Rule::Type,
                    format!("a key must be a string, not {}", e.key.describe()),
                ));
                continue;
            };
            let norm = schema::normalize(key);
            match sec.field(&norm) {
                None => out.push(unknown_key(&norm, e.key.mark, sec)),
                Some(f) => {
                    if let Some(why) = f.deprecated {
                        out.push(Finding::warning(
                            e.key.mark,
                            Rule::Deprecated,
                            format!("deprecated key \"{norm}\" ({why})"),
                        ));
                    }
                    self.field(f, &e.key, &e.value, sec, out);
                }
            }
        }
    }

    fn field(&self, f: &'static Field, key: &Node, v: &Node, sec: &Section, out: &mut Vec<Finding>) {
        if v.is_null() {
            return;
        }
        let at = if v.mark.line == key.mark.line { v.mark } else { key.mark };
        let wrong = |out: &mut Vec<Finding>, name: &str| {
            out.push(
                Finding::error(
                    at,
                    Rule::Type,
                    format!("incorrect type for \"{name}\" (want {})", f.kind.human()),
                )
                .with_hint(format!("found {}{}", v.describe(), example(f.kind))),
            );
        };
        match f.kind {
            Kind::Str | Kind::Int | Kind::Float | Kind::Bool => {
                let ok = match (f.kind, v.scalar()) {
                    (_, None) => false,
                    (Kind::Str, Some(_)) => true,
                    (Kind::Int, Some(Scalar::Int(_))) => true,
                    (Kind::Float, Some(Scalar::Int(_) | Scalar::Float(_))) => true,
                    (Kind::Bool, Some(Scalar::Bool(_))) => true,
                    _ => false,
                };
                if !ok {
                    return wrong(out, f.name);
                }
                if let (Some(check), Some(text)) = (f.check, v.text()) {
                    self.value(check, f, text, v.mark, sec, out);
                }
            }
            Kind::StrList => {
                let Some(items) = v.items() else { return wrong(out, f.name) };
                for it in items {
                    if it.scalar().is_none() || it.is_null() {
                        out.push(
                            Finding::error(
                                it.mark,
                                Rule::Type,
                                format!("incorrect type for an item of \"{}\" (want string)", f.name),
                            )
                            .with_hint(format!("found {}", it.describe())),
                        );
                    }
                }
            }
            Kind::Struct(s) => {
                if v.entries().is_none() {
                    return wrong(out, f.name);
                }
                self.section(v, s, out);
            }
            Kind::List(s) => {
                let Some(items) = v.items() else { return wrong(out, f.name) };
                for it in items {
                    if it.entries().is_none() {
                        if !it.is_null() {
                            out.push(
                                Finding::error(
                                    it.mark,
                                    Rule::Type,
                                    format!("incorrect type for an item of \"{}\" (want struct)", f.name),
                                )
                                .with_hint(format!(
                                    "found {}; each item is a mapping (`- name: …`)",
                                    it.describe()
                                )),
                            );
                        }
                        continue;
                    }
                    self.section(it, s, out);
                }
            }
        }
    }

    fn value(&self, check: Check, f: &Field, text: &str, mark: Mark, sec: &Section, out: &mut Vec<Finding>) {
        let bad = |out: &mut Vec<Finding>, hint: String| {
            out.push(Finding::error(mark, Rule::Value, format!("invalid value {text}")).with_hint(hint));
        };
        match check {
            Check::OneOf(words) => {
                if !words.contains(&text) {
                    let mut hint = format!("{} is one of: {}", f.name, words.join(", "));
                    if let Some(s) = suggest(text, words.iter().copied()) {
                        hint = format!("did you mean `{s}`? ({hint})");
                    }
                    bad(out, hint);
                }
            }
            Check::Permissions => {
                let t = text.strip_prefix('0').unwrap_or(text);
                if !(3..=4).contains(&t.len()) || !t.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                    bad(out, "permissions are octal digits: 0644, 644, \"0755\"".into());
                }
            }
            Check::WindowStart => {
                if !window_start_ok(text) {
                    bad(out, "window_start is `[Day ]HH:MM`, e.g. `Thu 04:00` or `23:30`".into());
                }
            }
            Check::WindowLength => {
                if !window_length_ok(text) {
                    bad(out, "window_length is a duration such as `1h30m`".into());
                }
            }
            Check::Urls | Check::Url | Check::InitialCluster => {
                // Tokens stand for addresses: check the URL as it will be once substituted.
                let probe = placeholder(text);
                let urls: Vec<(Option<&str>, &str)> = match check {
                    Check::Url => vec![(None, probe.as_str())],
                    Check::Urls => probe.split(',').map(|u| (None, u.trim())).collect(),
                    _ => probe
                        .split(',')
                        .map(|m| m.split_once('=').map_or((None, m), |(n, u)| (Some(n), u)))
                        .collect(),
                };
                if sec.path == "coreos.etcd" {
                    return; // etcd 0.4's discovery has its own (warning) rule.
                }
                for (name, u) in urls {
                    if check == Check::InitialCluster && name.is_none_or(|n| n.trim().is_empty()) {
                        bad(out, format!("initial_cluster is NAME=URL,… (`{u}` has no name)"));
                        return;
                    }
                    if let Err(why) = check_url(u, check == Check::Url) {
                        bad(out, why);
                        return;
                    }
                }
            }
            Check::AbsPath => {
                if !text.starts_with('/') {
                    bad(out, "the path must be absolute (start with /)".into());
                }
            }
            Check::Owner => {
                let ok = !text.is_empty()
                    && !text.contains(char::is_whitespace)
                    && text.split(':').count() <= 2
                    && text.split(':').next().is_some_and(|u| !u.is_empty());
                if !ok {
                    bad(out, "owner is `USER` or `USER:GROUP`".into());
                }
            }
        }
    }

    /// `content cannot be decoded as "E"`, at the content (or, without content, the encoding).
    fn encoding(&self, file: &Node, out: &mut Vec<Finding>) {
        let Some((ek, ev)) = self.child(file, "encoding") else { return };
        let Some(enc) = ev.text() else { return };
        let (at, content) = match self.child(file, "content") {
            Some((ck, cv)) => (ck.mark, cv.bytes()),
            None => (ek.mark, Some(Vec::new())),
        };
        if content.is_none_or(|c| super::files::decode(&c, enc).is_err()) {
            out.push(Finding::error(at, Rule::Encoding, format!("content cannot be decoded as \"{enc}\"")));
        }
    }

    fn unit(&self, unit: &Node, out: &mut Vec<Finding>) {
        let name = self.child(unit, "name");
        let Some((_, nv)) = name.filter(|(_, v)| !v.is_null()) else {
            out.push(Finding::error(unit.mark, Rule::Units, "a unit needs a name"));
            return;
        };
        let Some(name) = nv.text() else { return };
        let network = super::units::is_network_unit(name);
        if !network && let Err(e) = crate::unit::name::UnitName::parse(name) {
            out.push(Finding::error(nv.mark, Rule::Units, format!("invalid unit name {name:?}: {e}")));
            return;
        }
        let flag = |k: &str| self.child(unit, k).and_then(|(_, v)| v.scalar()) == Some(Scalar::Bool(true));
        if let Some((_, cv)) = self.child(unit, "command")
            && let Some(cmd) = cv.text()
        {
            if flag("mask") && cmd != "stop" {
                out.push(Finding::error(
                    cv.mark,
                    Rule::Units,
                    format!("{name} is masked: it cannot be given `command: {cmd}`"),
                ));
            }
            if network {
                out.push(Finding::warning(
                    cv.mark,
                    Rule::Units,
                    format!("`command` is ignored for the network unit {name}"),
                ));
            }
        }
        for (_, d) in self.items(unit, "drop_ins") {
            match self.child(d, "name").and_then(|(_, v)| v.text().map(|t| (v.mark, t.to_string()))) {
                None => out.push(Finding::error(d.mark, Rule::Units, "a drop-in needs a name")),
                Some((m, n)) if !n.ends_with(".conf") => out.push(Finding::warning(
                    m,
                    Rule::Units,
                    format!("drop-in {n:?} is ignored by systemd: its name must end in .conf"),
                )),
                _ => {}
            }
        }
        if network || crate::unit::name::UnitName::parse(name).is_ok_and(|n| n.is_template()) {
            return;
        }
        // The unit file (with its drop-ins) must load in unit-run.
        if let Some((ck, cv)) = self.child(unit, "content")
            && let Some(text) = cv.text()
        {
            let whole = super::units::with_drop_ins(text, &self.drop_ins(unit));
            let ctx = crate::unit::specifier::SpecifierContext::new(
                crate::unit::name::UnitName::parse(name).expect("checked above"),
            );
            let place = |line: usize, col: usize| self.in_content(ck, cv, text, line, col);
            match crate::unit::parse_unit(name, name, &placeholder(&whole), &ctx) {
                Err(e) => out.push(Finding::error(
                    place(e.line, e.column),
                    Rule::Units,
                    format!("{name}: {}", e.message),
                )),
                Ok(u) => {
                    for w in u.warnings {
                        out.push(Finding::warning(
                            place(w.line, 0),
                            Rule::Units,
                            format!("{name}: {}", w.message),
                        ));
                    }
                }
            }
        }
    }

    fn drop_ins(&self, unit: &Node) -> Vec<(String, String)> {
        self.items(unit, "drop_ins")
            .into_iter()
            .filter_map(|(_, d)| {
                let n = self.child(d, "name")?.1.text()?.to_string();
                let c = self.child(d, "content").and_then(|(_, v)| v.text()).unwrap_or("").to_string();
                Some((n, c))
            })
            .collect()
    }

    /// Where line `line`, column `col` of a unit's content is in the YAML: inside a block
    /// scalar (`content: |`) the lines follow from the value's first line, indented as it is;
    /// otherwise the value's place.
    fn in_content(&self, key: &Node, v: &Node, text: &str, line: usize, col: usize) -> Mark {
        if line == 0 {
            return key.mark;
        }
        let after_key =
            self.lines.get(key.mark.line - 1).and_then(|l| l.split_once(':')).map(|(_, r)| r.trim_start());
        let is_block = after_key.is_some_and(|r| r.starts_with('|') || r.starts_with('>'));
        if !is_block || line > text.split('\n').count() || v.mark.line <= key.mark.line {
            return v.mark;
        }
        Mark::new(v.mark.line + line - 1, if col == 0 { v.mark.column } else { v.mark.column - 1 + col })
    }
}

/// "did you mean" and "belongs elsewhere" for an unknown key.
fn unknown_key(key: &str, mark: Mark, sec: &Section) -> Finding {
    let mut f = Finding::warning(mark, Rule::UnknownKey, format!("unrecognized key \"{key}\""));
    if let Some(s) = suggest(key, sec.fields.iter().map(|f| f.name)) {
        f = f.with_hint(format!("did you mean \"{s}\"?"));
    } else if let Some(home) = schema::sections()
        .into_iter()
        .find(|s| s.path != sec.path && s.field(key).is_some() && !s.path.ends_with("[]"))
    {
        let here = if sec.path.is_empty() { "the top level".to_string() } else { format!("`{}`", sec.path) };
        let there =
            if home.path.is_empty() { "the top level".to_string() } else { format!("`{}`", home.path) };
        f = f.with_hint(format!("\"{key}\" is a key of {there}, not of {here}: indent it under {there}"));
    }
    f
}

/// The closest of `candidates` to `word`, if it is close enough to be a misspelling.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    candidates
        .map(|c| (strsim::damerau_levenshtein(&w, c), c))
        .filter(|(d, c)| *d > 0 && *d <= (c.len().max(w.len()) / 4).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn example(k: Kind) -> &'static str {
    match k {
        Kind::StrList => "; a list is written `- item` on lines of its own, or `[a, b]`",
        Kind::List(_) => "; write one `- key: value` item per entry",
        Kind::Bool => "; write true or false (unquoted)",
        Kind::Struct(_) => "; indent its keys under it",
        _ => "",
    }
}

/// The text with address tokens replaced by addresses of their kind, to check a value as it
/// will be once substituted.
pub fn placeholder(text: &str) -> String {
    let mut md = Metadata::default();
    use super::metadata::{Origin, Token};
    md.set(Token::PrivateIpv4, "10.0.0.1".into(), Origin::Flag);
    md.set(Token::PublicIpv4, "203.0.113.1".into(), Origin::Flag);
    md.set(Token::PrivateIpv6, "fd00::1".into(), Origin::Flag);
    md.set(Token::PublicIpv6, "2001:db8::1".into(), Origin::Flag);
    substitute::substitute(text, &md).unwrap_or_else(|_| text.to_string())
}

/// An etcd URL: `http(s)://HOST[:PORT][/]` (a path only where `path_ok`, as in discovery URLs).
pub fn check_url(u: &str, path_ok: bool) -> Result<(), String> {
    let Some((scheme, rest)) = u.split_once("://") else {
        return Err(format!("`{u}` is not a URL (http://HOST:PORT)"));
    };
    if !matches!(scheme, "http" | "https" | "unix" | "unixs") {
        return Err(format!("`{u}`: the scheme must be http or https"));
    }
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !path_ok && !path.is_empty() && path != "/" {
        return Err(format!("`{u}`: a listen or advertise URL has no path"));
    }
    let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
        let Some((h, after)) = h.split_once(']') else {
            return Err(format!("`{u}`: unclosed [ in the host"));
        };
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{u}`: `{h}` is not an IPv6 address"));
        }
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, _)) if h.contains(':') => {
                return Err(format!("`{u}`: an IPv6 address must be in brackets ([…]:PORT)"));
            }
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{u}` has no host"));
    }
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')) {
        return Err(format!("`{u}`: `{host}` is not a host name or address"));
    }
    if let Some(p) = port
        && p.parse::<u16>().is_err()
    {
        return Err(format!("`{u}`: bad port `{p}`"));
    }
    Ok(())
}

fn window_start_ok(s: &str) -> bool {
    let t = match s.split_once(' ') {
        Some((day, t)) => {
            if !["sun", "mon", "tue", "wed", "thu", "fri", "sat"].contains(&day.to_lowercase().as_str()) {
                return false;
            }
            t
        }
        None => s,
    };
    let Some((h, m)) = t.split_once(':') else { return false };
    let num = |x: &str, max: u32| {
        let x = x.trim_start_matches('0');
        x.is_empty()
            || (x.len() <= 2
                && x.bytes().all(|b| b.is_ascii_digit())
                && x.parse::<u32>().is_ok_and(|v| v <= max))
    };
    !h.is_empty() && !m.is_empty() && num(h, 23) && num(m, 59)
}

/// `^[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+$`
fn window_length_ok(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s.is_empty() {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    true
}

/// When a YAML error comes with keys at column 1 that belong inside other sections (the seed's
/// cloud-config lost its indentation in publishing), say so and how to fix it.
fn lost_indentation(text: &str) -> Option<String> {
    let mut misplaced = Vec::new();
    for (i, l) in text.split('\n').enumerate() {
        let Some((k, _)) = l.split_once(':') else { continue };
        if k.is_empty() || k.starts_with([' ', '-', '#']) || k.contains(' ') {
            continue;
        }
        let k = schema::normalize(k);
        if schema::ROOT.field(&k).is_some() {
            continue;
        }
        if let Some(home) = schema::sections().into_iter().find(|s| s.field(&k).is_some()) {
            misplaced.push((i + 1, k, home.path));
        }
    }
    if misplaced.len() < 2 {
        return None;
    }
    let list: Vec<String> = misplaced
        .iter()
        .take(3)
        .map(|(line, k, home)| {
            format!(
                "`{k}:` (line {line}) belongs under `{}`",
                home.trim_end_matches("[]").rsplit('.').next().unwrap_or(home)
            )
        })
        .collect();
    Some(format!(
        "the indentation looks lost: {} keys start at column 1 but belong inside a section ({}{}); indent each key two spaces under its parent — `cfg-init reindent FILE` prints the file re-indented",
        misplaced.len(),
        list.join(", "),
        if misplaced.len() > 3 { ", …" } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("http://0.0.0.0:2379", false).is_ok());
        assert!(check_url("http://[::1]:2379", false).is_ok());
        assert!(check_url("http://:2379", false).is_err());
        assert!(check_url("http://x:port", false).is_err());
        assert!(check_url("ftp://x:1", false).is_err());
        assert!(check_url("http://x:1/path", false).is_err());
        assert!(check_url("https://discovery.etcd.io/abc", true).is_ok());
        assert!(check_url("http://fd00::1:2379", false).is_err());
    }

    #[test]
    fn windows() {
        assert!(window_start_ok("Thu 04:00"));
        assert!(window_start_ok("23:30"));
        assert!(!window_start_ok("Thu 25:00"));
        assert!(!window_start_ok("04"));
        assert!(window_length_ok("1h30m"));
        assert!(window_length_ok("1.5h"));
        assert!(!window_length_ok("90"));
        assert!(!window_length_ok("1H"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("advertise_client_url", schema::ETCD2.fields.iter().map(|f| f.name)),
            Some("advertise_client_urls")
        );
        assert_eq!(suggest("commmand", schema::UNIT.fields.iter().map(|f| f.name)), Some("command"));
        assert_eq!(suggest("begin", schema::COMMANDS.iter().copied()), None);
        assert_eq!(suggest("strat", schema::COMMANDS.iter().copied()), Some("start"));
    }
}
