//! `kv dump PREFIX` and `kv load`: a tree as JSON lines `{key, value, ttl, dir}`, parents
//! before children, so `kv dump / --endpoints=<etcd> | kv load` copies one store into another.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use super::commands::{Ctx, Stop};
use super::exit;
use super::output::Format;
use crate::client::{Error, GetOptions, PrevExist, SetOptions};

/// One line of a dump. `value` is null for a directory; `ttl` is the seconds it had left
/// (0: no TTL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub dir: bool,
}

pub fn dump(ctx: &mut Ctx, prefix: &str) -> Result<(), Stop> {
    let c = ctx.client(true)?;
    let r = c
        .get(prefix, GetOptions { recursive: true, sorted: true, quorum: false })
        .map_err(|e| ctx.fail(exit::SERVER_ERROR, &e))?;
    for n in r.node.walk() {
        if n.key.is_empty() || n.key == "/" {
            continue; // the root itself always exists
        }
        let e = Entry {
            key: n.key.clone(),
            value: if n.dir { None } else { Some(n.value.clone()) },
            ttl: n.ttl,
            dir: n.dir,
        };
        writeln!(ctx.out, "{}", serde_json::to_string(&e).expect("serialize"))?;
    }
    Ok(())
}

/// Parses every line first; any bad line stops the load before anything is written.
pub fn parse(input: impl BufRead) -> Result<Vec<Entry>, Vec<String>> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                errors.push(format!("line {n}: {e}"));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&line) {
            Err(e) => errors.push(format!("line {n}: {e}")),
            Ok(e) if e.key.is_empty() || e.key == "/" => errors.push(format!("line {n}: empty key")),
            Ok(e) if e.ttl < 0 => errors.push(format!("line {n}: negative ttl {}", e.ttl)),
            Ok(e) if e.dir && e.value.is_some() => {
                errors.push(format!("line {n}: directory {} has a value", e.key))
            }
            Ok(e) if !e.dir && e.value.is_none() => {
                errors.push(format!("line {n}: key {} has no value", e.key))
            }
            Ok(e) => entries.push(e),
        }
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

pub fn load(ctx: &mut Ctx) -> Result<(), Stop> {
    let entries = match parse(io::stdin().lock()) {
        Ok(e) => e,
        Err(errors) => {
            for e in errors {
                eprintln!("kv: load: {e}");
            }
            return Err(Stop(exit::BAD_ARGS));
        }
    };
    let c = ctx.client(true)?;
    let mut count = 0u64;
    for e in &entries {
        // Each write gets the whole total timeout, not a share of it.
        c.set_deadline(Some(std::time::Instant::now() + ctx.g.total_timeout));
        let ttl = e.ttl as u64;
        let r = if e.dir {
            match c.set(
                &e.key,
                "",
                &SetOptions { dir: true, ttl, prev_exist: PrevExist::MustNotExist, ..Default::default() },
            ) {
                Err(Error::Etcd(ee)) if ee.code == 105 && ttl > 0 => c.set(
                    &e.key,
                    "",
                    &SetOptions { dir: true, ttl, prev_exist: PrevExist::MustExist, ..Default::default() },
                ),
                Err(Error::Etcd(ee)) if ee.code == 105 => Ok(Default::default()),
                other => other,
            }
        } else {
            c.set(&e.key, e.value.as_deref().unwrap_or(""), &SetOptions { ttl, ..Default::default() })
        };
        if let Err(err) = r {
            eprintln!("kv: load: {}: {err}", e.key);
            return Err(ctx.fail(exit::SERVER_ERROR, &err));
        }
        count += 1;
    }
    if ctx.format == Format::Json {
        writeln!(ctx.out, "{}", serde_json::json!({ "loaded": count }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_all_reported() {
        let input = "{\"key\":\"/a\",\"value\":\"x\",\"ttl\":0,\"dir\":false}\nnot json\n{\"key\":\"/d\",\"value\":\"v\",\"dir\":true}\n";
        let errs = parse(input.as_bytes()).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].starts_with("line 2:"));
        assert!(errs[1].contains("directory /d has a value"));
        let ok = parse("{\"key\":\"/d\",\"value\":null,\"ttl\":5,\"dir\":true}\n".as_bytes()).unwrap();
        assert_eq!(ok[0].ttl, 5);
    }
}
