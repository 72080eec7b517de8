//! No input makes the cloud-config parser, the validator or the re-indenter panic: every file
//! of the corpus (ours and the coreos-cloudinit reference's inputs) mutated many times over — bytes
//! flipped, lines dropped, doubled, swapped or re-indented, YAML's special characters inserted —
//! and fed to them in-process. A fixed seed keeps it repeatable; it takes well under a second.

use std::path::Path;

use corekit::cloudconfig::metadata::Metadata;
use corekit::cloudconfig::{reindent, userdata, validate, yaml};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const PIECES: &[&str] = &[
    "\t",
    ":",
    ": ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "|",
    ">",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "#",
    "\n",
    "\r\n",
    "  ",
    "    ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "$private_ipv4",
    "\\$public_ipv6",
    "\u{feff}",
    "é",
    "\u{0}",
    "? ",
    "@",
    "`",
    ",",
];

fn mutate(r: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for _ in 0..1 + r.below(4) {
        let n = lines.len().max(1);
        let i = r.below(n).min(lines.len().saturating_sub(1));
        match r.below(8) {
            0 if !lines.is_empty() => {
                lines.remove(i);
            }
            1 if !lines.is_empty() => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 if lines.len() > 1 => {
                let j = r.below(lines.len());
                lines.swap(i, j);
            }
            3 if !lines.is_empty() => {
                let l = lines[i].trim_start().to_string();
                lines[i] = format!("{}{l}", " ".repeat(r.below(9)));
            }
            4 | 5 if !lines.is_empty() => {
                let l = &lines[i];
                let cut = (0..=l.len())
                    .filter(|c| l.is_char_boundary(*c))
                    .nth(r.below(l.chars().count() + 1))
                    .unwrap_or(0);
                let piece = PIECES[r.below(PIECES.len())];
                lines[i] = format!("{}{piece}{}", &l[..cut], &l[cut..]);
            }
            6 if !lines.is_empty() => {
                let l = &lines[i];
                let keep = l.chars().count();
                lines[i] = l.chars().take(r.below(keep + 1)).collect();
            }
            _ => {
                let mut bytes = lines.join("\n").into_bytes();
                if !bytes.is_empty() {
                    let k = r.below(bytes.len());
                    bytes[k] ^= 1 << r.below(8);
                }
                return String::from_utf8_lossy(&bytes).into_owned();
            }
        }
    }
    lines.join("\n")
}

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in
        [root.join("tests/cloudconfig/corpus"), root.join("../shared/reference/coreos-cloudinit/inputs")]
    {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(t) = std::fs::read_to_string(&p) {
                    out.push(t);
                }
            }
        }
    }
    assert!(out.len() > 40, "the corpus is missing ({} files)", out.len());
    out
}

#[test]
fn no_input_panics_the_parser_or_the_validator() {
    let corpus = corpus();
    let md = Metadata::default();
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    for round in 0..6000 {
        let base = &corpus[round % corpus.len()];
        let text = if round % 7 == 0 { base.clone() } else { mutate(&mut r, base) };
        let _ = yaml::parse(&text);
        let ud = userdata::decode("fuzz.yml".into(), text.clone().into_bytes()).unwrap();
        for mode in [validate::Mode::Validate, validate::Mode::Apply] {
            let rep = validate::validate(&ud, &md, mode);
            for f in &rep.findings {
                assert!(f.line >= 1 && f.column >= 1, "finding without a place: {f:?}\n{text}");
            }
        }
        let _ = reindent::reindent(&text);
        checked += 1;
    }
    assert_eq!(checked, 6000);
}
