//! `cfg-init validate` on a corpus — the seed's cloud-config as printed and re-indented, broken
//! ones (tests/cloudconfig/corpus/), and every input of the coreos-cloudinit reference
//! (../shared/reference/coreos-cloudinit/inputs/: the brief's cases, every YAML block of its
//! documentation, edge cases) — each with its exact expected output (line, column, message) in
//! tests/cloudconfig/expected/. `COREKIT_UPDATE_CORPUS=1` rewrites the expected files.
//!
//! Then side by side with coreos-cloudinit's own validator, from its recorded transcripts
//! (transcripts/validate/, made by validate-all.sh with the real v1.14.0 binary): every finding
//! it reports must be reported by cfg-init on the same line (coreos-cloudinit's YAML error lines
//! are 0-based: one is added), with the same meaning — except the differences listed in
//! `DELIBERATE`. The table of the comparison is printed (and written to
//! target/cfg-init-vs-coreos-cloudinit.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const CFG_INIT: &str = env!("CARGO_BIN_EXE_cfg-init");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> PathBuf {
    let p = root().join("../shared/reference/coreos-cloudinit");
    assert!(
        p.join("inputs").is_dir(),
        "{} is missing (the shared reference beside the checkout)",
        p.display()
    );
    p
}

/// Every input file under `dir`, sorted, as paths relative to `dir`.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `cfg-init validate REL` run in `dir` (so messages name the file as given): stdout + status.
fn validate(dir: &Path, rel: &Path, json: bool) -> (String, i32) {
    let mut c = Command::new(CFG_INIT);
    c.current_dir(dir)
        .arg("validate")
        .arg(rel)
        .env_remove("COREOS_PRIVATE_IPV4")
        .env_remove("COREOS_PUBLIC_IPV4");
    if json {
        c.args(["-o", "json"]);
    }
    let out = c.output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap_or(-1))
}

#[test]
fn corpus_gives_exactly_the_expected_findings() {
    let update = std::env::var_os("COREKIT_UPDATE_CORPUS").is_some();
    let sets = [
        (root().join("tests/cloudconfig/corpus"), root().join("tests/cloudconfig/expected")),
        (reference().join("inputs"), root().join("tests/cloudconfig/expected/reference")),
    ];
    let mut wrong = Vec::new();
    let mut n = 0;
    for (dir, expected) in sets {
        for rel in inputs(&dir) {
            n += 1;
            let (stdout, code) = validate(&dir, &rel, false);
            let got = format!("{stdout}exit: {code}\n");
            let name = rel.display().to_string().replace('/', "_");
            let path = expected.join(format!("{name}.txt"));
            if update {
                std::fs::create_dir_all(&expected).unwrap();
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if got != want {
                wrong.push(format!("--- {}\nwant:\n{want}got:\n{got}", rel.display()));
            }
            // The same findings in the same order every time (coreos-cloudinit's order changed
            // from run to run).
            assert_eq!(
                validate(&dir, &rel, false).0,
                stdout,
                "{}: the output changed between runs",
                rel.display()
            );
        }
    }
    assert!(n > 60, "only {n} inputs");
    assert!(wrong.is_empty(), "{} of {n} inputs differ:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_seed_as_printed_points_at_18_1_and_its_fix_is_the_reindented_seed() {
    let dir = root().join("tests/cloudconfig/corpus");
    let (out, code) = validate(&dir, Path::new("seed-as-printed.yml"), true);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let yaml: Vec<&Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "yaml").collect();
    assert_eq!(yaml.len(), 1);
    assert_eq!((yaml[0]["line"].as_u64(), yaml[0]["column"].as_u64()), (Some(18), Some(1)));
    assert!(yaml[0]["hint"].as_str().unwrap().contains("cfg-init reindent"));
    let fixed =
        Command::new(CFG_INIT).current_dir(&dir).args(["reindent", "seed-as-printed.yml"]).output().unwrap();
    assert!(fixed.status.success());
    assert_eq!(
        String::from_utf8(fixed.stdout).unwrap(),
        std::fs::read_to_string(dir.join("seed.yml")).unwrap()
    );
    // The re-indented one has no error: only the warnings that $private_ipv4 has no value here,
    // and none once it has one.
    let (out, code) = validate(&dir, Path::new("seed.yml"), true);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], 0);
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["rule"] == "substitution"));
    let out = Command::new(CFG_INIT)
        .current_dir(&dir)
        .args(["validate", "--private-ipv4", "10.0.0.5", "seed.yml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

/// coreos-cloudinit findings cfg-init reports differently on purpose: (message prefix, why).
const DELIBERATE: &[(&str, &str)] = &[
    ("deprecated key \"etcd2\"", "corekit runs etcd2 (kv-serve): not deprecated"),
    ("deprecated key \"fleet\"", "corekit runs fleet (unit-sched): not deprecated"),
    (
        "incorrect type for \"\" (want struct)",
        "spurious: coreos-cloudinit checks the empty result of a YAML error",
    ),
];

/// (line, kind, message) of each finding in a transcript's stderr.
fn transcript_findings(text: &str) -> Vec<(usize, String, String)> {
    text.lines()
        .filter_map(|l| {
            let rest = l.split_once(" line ")?.1;
            let (line, rest) = rest.split_once(": ")?;
            let (kind, msg) = rest.split_once(": ")?;
            Some((line.parse().ok()?, kind.to_string(), msg.to_string()))
        })
        .collect()
}

/// The cfg-init rule that reports what a coreos-cloudinit message says.
fn rule_for(msg: &str) -> &'static str {
    if msg.starts_with("unrecognized key") {
        "unknown-key"
    } else if msg.starts_with("incorrect type") {
        "type"
    } else if msg.starts_with("deprecated key") {
        "deprecated"
    } else if msg.starts_with("invalid value") {
        "value"
    } else if msg.starts_with("content cannot be decoded") {
        "encoding"
    } else if msg.starts_with("file cannot be written") {
        "read-only-path"
    } else if msg.starts_with("write_files doesn't belong") {
        "placement"
    } else if msg.starts_with("discovery URL") {
        "discovery"
    } else if msg.starts_with("must be \"#cloud-config\"") {
        "header"
    } else {
        "yaml"
    }
}

#[test]
fn side_by_side_with_coreos_cloudinit() {
    let refdir = reference();
    let mut rows = Vec::new();
    let (mut same, mut deliberate, mut extra_total, mut missed) = (0, 0, 0, Vec::new());
    for rel in inputs(&refdir.join("inputs")) {
        let name = rel.display().to_string().replace('/', "_");
        // validate-all.sh's name: `/` → `_`, the last extension dropped.
        let name = name.rsplit_once('.').map_or(name.clone(), |(n, _)| n.to_string());
        let tpath = refdir.join("transcripts/validate").join(format!("{name}.txt"));
        let transcript =
            std::fs::read_to_string(&tpath).unwrap_or_else(|e| panic!("{}: {e}", tpath.display()));
        let theirs = transcript_findings(&transcript);
        let (out, _) = validate(&refdir.join("inputs"), &rel, true);
        let v: Value = serde_json::from_str(&out).unwrap();
        let ours: Vec<&Value> = v["findings"].as_array().unwrap().iter().collect();
        let mut used = vec![false; ours.len()];
        let (mut s, mut d) = (0, 0);
        for (line, kind, msg) in &theirs {
            if DELIBERATE.iter().any(|(p, _)| msg.starts_with(p)) {
                d += 1;
                continue;
            }
            let rule = rule_for(msg);
            // go-yaml's marks are 0-based: its line N is line N+1 — except at the end of the
            // stream, where it gives the last line (x08, x17), which is where cfg-init points
            // (at the `[` or `"` left open).
            let lines: &[usize] = if rule == "yaml" { &[line + 1, *line] } else { &[*line] };
            let hit = ours.iter().enumerate().position(|(i, f)| {
                !used[i] && f["rule"] == rule && lines.iter().any(|l| f["line"].as_u64() == Some(*l as u64))
            });
            match hit {
                Some(i) => {
                    used[i] = true;
                    s += 1;
                }
                None => missed.push(format!("{}: line {line}: {kind}: {msg}", rel.display())),
            }
        }
        let extra: Vec<String> = ours
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(f, _)| format!("{}:{} {}", f["line"], f["column"], f["message"].as_str().unwrap()))
            .collect();
        same += s;
        deliberate += d;
        extra_total += extra.len();
        rows.push(format!(
            "| {} | {} | {} | {} | {} |",
            rel.display(),
            theirs.len(),
            s,
            d,
            if extra.is_empty() { "—".to_string() } else { extra.join("; ").replace('|', "\\|") }
        ));
    }
    let table = format!(
        "| input | coreos-cloudinit findings | same finding, same line (cfg-init adds the column) | deliberately different | cfg-init also reports |\n|---|---:|---:|---:|---|\n{}\n\nTotal: {same} of coreos-cloudinit's findings reported on the same line, {deliberate} deliberately different, {} missed; {extra_total} more findings from cfg-init.\n",
        rows.join("\n"),
        missed.len()
    );
    println!("{table}");
    let _ = std::fs::write(root().join("target/cfg-init-vs-coreos-cloudinit.md"), &table);
    assert!(missed.is_empty(), "coreos-cloudinit findings cfg-init does not report:\n{}", missed.join("\n"));
    assert!(same >= 25, "only {same} findings matched");
}
