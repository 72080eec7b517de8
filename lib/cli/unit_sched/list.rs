//! `list-units`, `list-unit-files`, `list-machines`: fleetctl's columns and tab-padded tables
//! (`--fields`, `--full`, `--no-legend`), or JSON.

use std::collections::BTreeMap;

use super::states::{current, machine_legend};
use super::{Ctx, Fields, Res};
use crate::cli::table;

/// Checks `--fields` against the known columns, as fleetctl does.
fn columns(ctx: &mut Ctx, fields: &str, known: &[&str]) -> Result<Vec<String>, super::Stop> {
    if fields.is_empty() {
        return Err(ctx.fail("Must define output format"));
    }
    let cols: Vec<String> = fields.split(',').map(str::to_string).collect();
    for c in &cols {
        if !known.contains(&c.as_str()) {
            return Err(ctx.fail(format!("Invalid key in output format: {c:?}")));
        }
    }
    Ok(cols)
}

fn print(ctx: &mut Ctx, cols: &[String], rows: Vec<Vec<String>>, f: &Fields) -> Res {
    use std::io::Write;
    if ctx.json {
        for r in rows {
            let obj: serde_json::Map<String, serde_json::Value> =
                cols.iter().cloned().zip(r.into_iter().map(serde_json::Value::String)).collect();
            ctx.print_json(&obj)?;
        }
        return Ok(());
    }
    let mut lines = Vec::with_capacity(rows.len() + 1);
    if !f.no_legend {
        lines.push(cols.iter().map(|c| c.to_uppercase()).collect());
    }
    lines.extend(rows);
    ctx.out.write_all(table::render(&lines).as_bytes())?;
    Ok(())
}

fn short_hash(h: &str, full: bool) -> String {
    if h.is_empty() {
        "-".into()
    } else if full {
        h.to_string()
    } else {
        h.chars().take(7).collect()
    }
}

pub fn units(ctx: &mut Ctx, fields: &str, f: &Fields) -> Res {
    let cols = columns(ctx, fields, &["unit", "machine", "active", "sub", "load", "hash"])?;
    let states = ctx
        .reg
        .states()
        .map_err(|e| ctx.fail(format!("Error retrieving list of units from repository: {e}")))?;
    let machines = ctx
        .reg
        .machines()
        .map_err(|e| ctx.fail(format!("Error retrieving list of units from repository: {e}")))?;
    let mut rows = Vec::new();
    // One row per (unit, machine), sorted by unit then machine (the maps are sorted).
    for (unit, per) in &states {
        for (m, s) in per {
            if !machines.contains_key(m) {
                continue;
            }
            rows.push(
                cols.iter()
                    .map(|c| match c.as_str() {
                        "unit" => unit.clone(),
                        "machine" => machine_legend(m, &machines, f.full),
                        "active" => s.active.clone(),
                        "sub" => s.sub.clone(),
                        "load" => s.load.clone(),
                        _ => short_hash(&s.hash, f.full),
                    })
                    .collect(),
            );
        }
    }
    print(ctx, &cols, rows, f)
}

pub fn unit_files(ctx: &mut Ctx, fields: &str, f: &Fields) -> Res {
    let cols =
        columns(ctx, fields, &["unit", "hash", "dstate", "state", "target", "global", "desc", "tmachine"])?;
    if cols.iter().any(|c| c == "tmachine") {
        ctx.remark("WARNING: The \"tmachine\" field is deprecated. Use \"target\" instead");
    }
    let fail = |e: crate::client::Error| format!("Error retrieving list of units from repository: {e}");
    let (units, _) = ctx.reg.units().map_err(|e| ctx.fail(fail(e)))?;
    let states = ctx.reg.states().map_err(|e| ctx.fail(fail(e)))?;
    let machines = ctx.reg.machines().map_err(|e| ctx.fail(fail(e)))?;
    let empty = BTreeMap::new();
    let mut rows = Vec::new();
    for u in units.values() {
        let st = states.get(&u.name).unwrap_or(&empty);
        let (cur, machine) = current(u, st, &machines);
        rows.push(
            cols.iter()
                .map(|c| match c.as_str() {
                    "unit" => u.name.clone(),
                    "hash" => short_hash(&u.hash, f.full),
                    "dstate" => u.desired.name().to_string(),
                    "state" if u.requirements.global => "-".into(),
                    "state" => cur.name().to_string(),
                    "target" | "tmachine" if u.requirements.global => "global".into(),
                    "target" | "tmachine" => machine
                        .as_deref()
                        .map(|m| machine_legend(m, &machines, f.full))
                        .unwrap_or_else(|| "-".into()),
                    "global" => u.requirements.global.to_string(),
                    _ => {
                        if u.description.is_empty() {
                            "-".into()
                        } else {
                            u.description.clone()
                        }
                    }
                })
                .collect(),
        );
    }
    print(ctx, &cols, rows, f)
}

pub fn machines(ctx: &mut Ctx, fields: &str, f: &Fields) -> Res {
    let cols = columns(ctx, fields, &["machine", "ip", "metadata"])?;
    let machines = match ctx.reg.machines() {
        Ok(m) => m,
        Err(e) => {
            ctx.remark(format!("Error retrieving list of active machines from the store ({e})"));
            ctx.remark("Possible issues:");
            ctx.remark("  the store is unhealthy and/or lost quorum");
            return Err(ctx.fail("  connection cannot be established to any store endpoint"));
        }
    };
    let mut rows = Vec::new();
    for m in machines.values() {
        rows.push(
            cols.iter()
                .map(|c| match c.as_str() {
                    "machine" if f.full => m.id.clone(),
                    "machine" => machine_legend(&m.id, &BTreeMap::new(), false),
                    "ip" if m.public_ip.is_empty() => "-".into(),
                    "ip" => m.public_ip.clone(),
                    _ if m.metadata.is_empty() => "-".into(),
                    _ => m.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
                })
                .collect(),
        );
    }
    print(ctx, &cols, rows, f)
}
