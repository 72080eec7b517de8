//! The templates `disco render` renders: Jinja2 syntax (minijinja), with blocks trimmed as
//! Ansible trims them (`trim_blocks`, `lstrip_blocks`) and the template's final newline kept,
//! so that a config template reads like the config it makes.
//!
//! What a template sees (everything under `--prefix`, read at one store index):
//!
//! | name | what |
//! |---|---|
//! | `services` | service name → its instances `{name, key, value, addr, ttl}`, sorted by name (keys `PREFIX/SERVICE/INSTANCE`) |
//! | `keys` | every key under the prefix → its value |
//! | `prefix`, `index` | the prefix, and the store index the data was read at (it moves with every write to the store, TTL refreshes included: a file that shows it changes every time) |
//! | `service(name)` | the instances of one service (empty if none) |
//! | `get(key[, default])` | a key's value; an error (nothing rendered) if missing and no default |
//! | `exists(key)` | whether a key is there |
//! | `gets(pattern)` | `{key, value}` of every key matching `pattern` (`*` and `?` within one path segment, as confd's `gets`) |
//! | `getvs(pattern)` | the values of those keys |
//! | `ls(dir)` | the names directly under `dir` |
//! | `env(name[, default])` | an environment variable of `disco render` (a unit's `Environment=`); an error if unset and no default |
//! | `\|base`, `\|dirname` | the last part of a key, and the rest |
//!
//! Keys are absolute (`/services/web/a`); relative ones are taken under the prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minijinja::value::{Kwargs, Rest, Serde};
use minijinja::{Environment, ErrorKind, State, Value};
use serde::Serialize;

use crate::client::Node;

/// One instance as templates see it.
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    pub name: String,
    pub key: String,
    pub value: String,
    /// The same as `value`: the address to send requests to.
    pub addr: String,
    pub ttl: i64,
}

/// Everything under the prefix, as read at one store index.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Data {
    pub prefix: String,
    pub index: u64,
    pub keys: BTreeMap<String, String>,
    pub services: BTreeMap<String, Vec<Instance>>,
}

impl Data {
    /// The data under `root` (the prefix's node as a recursive GET gave it).
    pub fn from_node(prefix: &str, root: Option<&Node>, index: u64) -> Data {
        let prefix = normalize(prefix);
        let mut d = Data { prefix: prefix.clone(), index, ..Default::default() };
        let Some(root) = root else { return d };
        for n in root.walk() {
            if n.dir {
                continue;
            }
            d.keys.insert(n.key.clone(), n.value.clone());
            let rel = n.key.strip_prefix(&prefix).unwrap_or(&n.key).trim_start_matches('/');
            let parts: Vec<&str> = rel.split('/').collect();
            if let [service, name] = parts.as_slice() {
                d.services.entry(service.to_string()).or_default().push(Instance {
                    name: name.to_string(),
                    key: n.key.clone(),
                    value: n.value.clone(),
                    addr: n.value.clone(),
                    ttl: n.ttl,
                });
            }
        }
        for list in d.services.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        d
    }
}

fn normalize(prefix: &str) -> String {
    let p = prefix.trim_end_matches('/');
    if p.starts_with('/') { p.to_string() } else { format!("/{p}") }
}

/// A template that failed to load or render: the file and what went wrong (with its line).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct Error {
    pub path: String,
    pub message: String,
}

/// A loaded (parsed) template.
pub struct Template {
    env: Environment<'static>,
    name: String,
    path: String,
}

impl Template {
    /// Reads and parses the template at `path`; syntax errors are reported now.
    pub fn load(path: &Path) -> Result<Template, Error> {
        let p = path.display().to_string();
        let source =
            std::fs::read_to_string(path).map_err(|e| Error { path: p.clone(), message: e.to_string() })?;
        Template::from_source(&p, source)
    }

    /// A template from its text (`path` names it in errors).
    pub fn from_source(path: &str, source: String) -> Result<Template, Error> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| Error { path: path.into(), message: e.to_string() })?;
        env.set_syntax(syntax);
        env.add_function("service", service);
        env.add_function("get", get);
        env.add_function("exists", exists);
        env.add_function("gets", gets);
        env.add_function("getvs", getvs);
        env.add_function("ls", ls);
        env.add_function("env", getenv);
        env.add_filter("base", |s: &str| {
            s.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string()
        });
        env.add_filter("dirname", |s: &str| match s.trim_end_matches('/').rsplit_once('/') {
            Some(("", _)) | None => "/".to_string(),
            Some((d, _)) => d.to_string(),
        });
        let name = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or("template".into());
        env.add_template_owned(name.clone(), source)
            .map_err(|e| Error { path: path.into(), message: describe(&e) })?;
        Ok(Template { env, name, path: path.to_string() })
    }

    /// Renders with `data`.
    pub fn render(&self, data: &Data) -> Result<String, Error> {
        let t = self
            .env
            .get_template(&self.name)
            .map_err(|e| Error { path: self.path.clone(), message: describe(&e) })?;
        t.render(Value::from(Serde(data)))
            .map_err(|e| Error { path: self.path.clone(), message: describe(&e) })
    }
}

fn describe(e: &minijinja::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(&format!(": {inner}"));
        src = inner.source();
    }
    s
}

fn keys_of(state: &State) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(v) = state.lookup("keys")
        && let Ok(it) = v.try_iter()
    {
        for k in it {
            if let (Some(ks), Ok(val)) = (k.as_str(), v.get_item(&k)) {
                out.insert(ks.to_string(), val.as_str().unwrap_or("").to_string());
            }
        }
    }
    out
}

fn absolute(state: &State, key: &str) -> String {
    if key.starts_with('/') {
        return key.trim_end_matches('/').to_string();
    }
    let prefix = state.lookup("prefix").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    format!("{}/{}", prefix.trim_end_matches('/'), key.trim_end_matches('/'))
}

fn service(state: &State, name: &str) -> Value {
    state
        .lookup("services")
        .and_then(|s| s.get_item(&Value::from(name)).ok())
        .filter(|v| !v.is_undefined() && !v.is_none())
        .unwrap_or_else(|| Value::from(Vec::<Value>::new()))
}

fn get(state: &State, key: &str, default: Rest<Value>) -> Result<Value, minijinja::Error> {
    let k = absolute(state, key);
    match keys_of(state).get(&k) {
        Some(v) => Ok(Value::from(v.clone())),
        None => match default.first() {
            Some(d) => Ok(d.clone()),
            None => Err(minijinja::Error::new(ErrorKind::InvalidOperation, format!("key not found: {k}"))),
        },
    }
}

fn getenv(name: &str, default: Rest<Value>) -> Result<Value, minijinja::Error> {
    match std::env::var(name) {
        Ok(v) => Ok(Value::from(v)),
        Err(_) => match default.first() {
            Some(d) => Ok(d.clone()),
            None => Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("environment variable {name} is not set"),
            )),
        },
    }
}

fn exists(state: &State, key: &str) -> bool {
    keys_of(state).contains_key(&absolute(state, key))
}

/// confd's `gets`: `path.Match` on keys — `*` and `?` never cross a `/`.
pub fn matches(pattern: &[u8], key: &[u8]) -> bool {
    match (pattern.first(), key.first()) {
        (None, None) => true,
        (Some(b'*'), _) => (0..=key.len())
            .take_while(|&i| i == 0 || key[i - 1] != b'/')
            .any(|i| matches(&pattern[1..], &key[i..])),
        (Some(b'?'), Some(&c)) if c != b'/' => matches(&pattern[1..], &key[1..]),
        (Some(p), Some(c)) if p == c => matches(&pattern[1..], &key[1..]),
        _ => false,
    }
}

#[derive(Serialize)]
struct Kv {
    key: String,
    value: String,
}

fn gets(state: &State, pattern: &str, _kw: Kwargs) -> Value {
    let pat = absolute(state, pattern);
    let list: Vec<Kv> = keys_of(state)
        .into_iter()
        .filter(|(k, _)| matches(pat.as_bytes(), k.as_bytes()))
        .map(|(key, value)| Kv { key, value })
        .collect();
    Value::from(Serde(list))
}

fn getvs(state: &State, pattern: &str) -> Value {
    let pat = absolute(state, pattern);
    let list: Vec<String> = keys_of(state)
        .into_iter()
        .filter(|(k, _)| matches(pat.as_bytes(), k.as_bytes()))
        .map(|(_, v)| v)
        .collect();
    Value::from(list)
}

fn ls(state: &State, dir: &str) -> Value {
    let d = absolute(state, dir);
    let prefix = if d == "/" { "/".to_string() } else { format!("{d}/") };
    let names: BTreeSet<String> = keys_of(state)
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(|rest| rest.split('/').next().unwrap_or("").to_string())
        .collect();
    Value::from(names.into_iter().collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        let leaf = |k: &str, v: &str| Node { key: k.into(), value: v.into(), ..Default::default() };
        let dir = |k: &str, nodes: Vec<Node>| Node {
            key: k.into(),
            dir: true,
            nodes: Some(nodes),
            ..Default::default()
        };
        let root = dir(
            "/services",
            vec![
                dir(
                    "/services/web",
                    vec![leaf("/services/web/b", "10.0.0.2:80"), leaf("/services/web/a", "10.0.0.1:80")],
                ),
                dir("/services/db", vec![leaf("/services/db/x", "10.0.0.9:5432")]),
                leaf("/services/motd", "hi"),
            ],
        );
        Data::from_node("/services/", Some(&root), 42)
    }

    fn render(src: &str) -> Result<String, Error> {
        Template::from_source("t.tmpl", src.to_string())?.render(&data())
    }

    #[test]
    fn services_keys_and_functions() {
        let out = render(
            "upstream web {\n{% for s in services.web %}\n    server {{ s.addr }};  # {{ s.key|base }}\n{% endfor %}\n}\n",
        )
        .unwrap();
        assert_eq!(out, "upstream web {\n    server 10.0.0.1:80;  # a\n    server 10.0.0.2:80;  # b\n}\n");
        assert_eq!(render("{{ get('/services/motd') }} {{ get('motd') }} {{ index }}").unwrap(), "hi hi 42");
        assert_eq!(render("{{ get('nope', 'dflt') }}|{{ exists('db/x') }}").unwrap(), "dflt|True");
        assert!(render("{{ get('nope') }}").unwrap_err().message.contains("key not found: /services/nope"));
        assert_eq!(
            render("{% for kv in gets('/services/web/*') %}{{ kv.value }},{% endfor %}").unwrap(),
            "10.0.0.1:80,10.0.0.2:80,"
        );
        assert_eq!(render("{{ getvs('/services/*/x')|join(',') }}").unwrap(), "10.0.0.9:5432");
        assert_eq!(render("{{ ls('/services')|join(',') }}").unwrap(), "db,motd,web");
        assert_eq!(render("{{ service('none')|length }} {{ service('db')|length }}").unwrap(), "0 1");
        assert_eq!(render("{{ '/a/b/c'|dirname }}").unwrap(), "/a/b");
        assert_eq!(render("{{ env('DISCO_TEMPLATE_TEST_UNSET', 'x') }}").unwrap(), "x");
        assert!(render("{{ env('DISCO_TEMPLATE_TEST_UNSET') }}").unwrap_err().message.contains("is not set"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = Template::from_source("bad.tmpl", "ok\n{% for x in %}\n".into()).err().unwrap();
        assert!(e.to_string().starts_with("bad.tmpl: "), "{e}");
        assert!(e.message.contains("(in bad.tmpl:2)"), "{e}");
    }

    #[test]
    fn glob() {
        assert!(matches(b"/s/web/*", b"/s/web/a"));
        assert!(!matches(b"/s/web/*", b"/s/web/a/b"));
        assert!(matches(b"/s/*/a", b"/s/web/a"));
        assert!(matches(b"/s/w?b/*", b"/s/web/x"));
    }
}
