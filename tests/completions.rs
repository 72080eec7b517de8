//! The committed shell completions work: bash completion really offers the expected words (the
//! file is sourced in a non-interactive bash, the function `complete -p` registered for the
//! command is called the way readline calls it, and COMPREPLY is read back), fish's completions
//! answer `complete -C`, and the zsh files parse (`zsh -n`).
//!
//! bash, zsh and fish must be installed (Debian packages `bash`, `zsh`, `fish`); a missing shell
//! fails its test with a message saying so, it is never skipped.

use std::path::PathBuf;
use std::process::Command;

fn file(rel: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

fn require_shell(shell: &str) {
    let ok = Command::new(shell).arg("-c").arg("exit 0").output().is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{shell}` is not installed (apt-get install {shell}): this test checks the {shell} completions and must not pass without it"
    );
}

/// Sources `$1`, finds the function `complete -p <command>` registered, sets COMP_WORDS,
/// COMP_CWORD, COMP_LINE and COMP_POINT for the remaining arguments (cursor at the end of the
/// last word), calls the function with (command, current word, previous word) and prints
/// COMPREPLY one per line.
const BASH_DRIVER: &str = r#"
source "$1" || { echo "cannot source $1" >&2; exit 2; }
shift
spec=$(complete -p "$1") || { echo "no completion registered for $1" >&2; exit 3; }
fn=$(printf '%s\n' "$spec" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || { echo "no -F function in: $spec" >&2; exit 4; }
declare -F "$fn" >/dev/null || { echo "$fn is not defined" >&2; exit 5; }
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
cur="${COMP_WORDS[COMP_CWORD]}"
prev=""
if [ "$COMP_CWORD" -gt 0 ]; then prev="${COMP_WORDS[COMP_CWORD-1]}"; fi
COMPREPLY=()
"$fn" "$1" "$cur" "$prev"
echo "function=$fn"
for w in "${COMPREPLY[@]}"; do printf 'reply=%s\n' "$w"; done
"#;

/// What bash completion offers for the command line `words` (the last word is being completed).
fn bash_complete(rel: &str, words: &[&str]) -> Vec<String> {
    require_shell("bash");
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", BASH_DRIVER, "driver"])
        .arg(file(rel))
        .args(words)
        .env_remove("BASH_ENV")
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bash completion of {words:?} from {rel}: {}\nstdout:\n{stdout}stderr:\n{stderr}",
        out.status
    );
    assert!(stdout.starts_with("function="), "the completion function did not run: {stdout}{stderr}");
    stdout.lines().filter_map(|l| l.strip_prefix("reply=")).map(str::to_string).collect()
}

fn assert_offers(got: &[String], want: &[&str], what: &str) {
    for w in want {
        assert!(got.iter().any(|g| g == w), "{what}: `{w}` not offered; got {got:?}");
    }
}

#[test]
fn bash_completes_kv_commands() {
    let got = bash_complete("completions/bash/kv", &["kv", "se"]);
    assert_offers(&got, &["set", "setdir"], "kv se<TAB>");
    assert!(
        got.iter().all(|g| g.starts_with("se")),
        "kv se<TAB> offers words not starting with `se`: {got:?}"
    );
    // the command's own words, not just everything
    let got = bash_complete("completions/bash/kv", &["kv", "member", ""]);
    assert_offers(&got, &["list", "add", "remove", "update"], "kv member <TAB>");
    assert!(!got.iter().any(|g| g == "set"), "kv member <TAB> offers top-level commands: {got:?}");
    let got = bash_complete("completions/bash/kv", &["kv", "zzz"]);
    assert!(got.is_empty(), "kv zzz<TAB> should offer nothing: {got:?}");
}

#[test]
fn bash_completes_kv_flags() {
    let got = bash_complete("completions/bash/kv", &["kv", "--end"]);
    assert_offers(&got, &["--endpoints"], "kv --end<TAB>");
    assert!(got.iter().all(|g| g.starts_with("--end")), "kv --end<TAB>: {got:?}");
    let got = bash_complete("completions/bash/kv", &["kv", "set", "--tt"]);
    assert_eq!(got, ["--ttl"], "kv set --tt<TAB>");
}

#[test]
fn bash_completes_kv_serve_flags() {
    let got = bash_complete("completions/bash/kv-serve", &["kv-serve", "--data"]);
    assert_offers(&got, &["--data-dir"], "kv-serve --data<TAB>");
    assert!(got.iter().all(|g| g.starts_with("--data")), "kv-serve --data<TAB>: {got:?}");
}

#[test]
fn bash_completes_unit_run_commands() {
    let got = bash_complete("completions/bash/unit-run", &["unit-run", "st"]);
    assert_offers(&got, &["start", "status", "stop"], "unit-run st<TAB>");
    let got = bash_complete("completions/bash/unit-run", &["unit-run", "journal", "--fo"]);
    assert_offers(&got, &["--follow"], "unit-run journal --fo<TAB>");
}

#[test]
fn bash_completes_unit_sched_commands() {
    let got = bash_complete("completions/bash/unit-sched", &["unit-sched", "list-"]);
    assert_offers(&got, &["list-units", "list-unit-files", "list-machines"], "unit-sched list-<TAB>");
    let got = bash_complete("completions/bash/unit-sched", &["unit-sched", "start", "--no"]);
    assert_offers(&got, &["--no-block"], "unit-sched start --no<TAB>");
}

#[test]
fn bash_completes_cfg_init() {
    let got = bash_complete("completions/bash/cfg-init", &["cfg-init", "va"]);
    assert_eq!(got, ["validate"], "cfg-init va<TAB>");
    let got = bash_complete("completions/bash/cfg-init", &["cfg-init", "apply", "--dry"]);
    assert_offers(&got, &["--dry-run"], "cfg-init apply --dry<TAB>");
    let got = bash_complete("completions/bash/cfg-init", &["cfg-init", "validate", "--private"]);
    assert_offers(&got, &["--private-ipv4", "--private-ipv6"], "cfg-init validate --private<TAB>");
}

#[test]
fn bash_completes_disco_commands_and_flags() {
    let got = bash_complete("completions/bash/disco", &["disco", "se"]);
    assert_eq!(got, ["serve"], "disco se<TAB>");
    let got = bash_complete("completions/bash/disco", &["disco", ""]);
    assert_offers(&got, &["serve", "new", "announce", "list", "render"], "disco <TAB>");
    let got = bash_complete("completions/bash/disco", &["disco", "render", "--ch"]);
    assert_eq!(got, ["--check-cmd"], "disco render --ch<TAB>");
    let got = bash_complete("completions/bash/disco", &["disco", "serve", "--token"]);
    assert_eq!(got, ["--token-ttl"], "disco serve --token<TAB>");
    let got = bash_complete("completions/bash/kv-serve", &["kv-serve", "--discovery-f"]);
    assert_eq!(got, ["--discovery-fallback"], "kv-serve --discovery-f<TAB>");
}

#[test]
fn zsh_completions_parse() {
    require_shell("zsh");
    for rel in [
        "completions/zsh/_kv",
        "completions/zsh/_kv-serve",
        "completions/zsh/_unit-run",
        "completions/zsh/_unit-sched",
        "completions/zsh/_cfg-init",
        "completions/zsh/_disco",
    ] {
        let out = Command::new("zsh").args(["-f", "-n"]).arg(file(rel)).output().expect("run zsh");
        assert!(
            out.status.success(),
            "zsh -n {rel}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(file(rel)).unwrap();
        let cmd = rel.trim_start_matches("completions/zsh/_");
        assert!(text.starts_with(&format!("#compdef {cmd}\n")), "{rel} does not start with `#compdef {cmd}`");
    }
}

/// What fish offers for `line` (`complete -C`), the words without their descriptions.
fn fish_complete(rel: &str, line: &str) -> Vec<String> {
    require_shell("fish");
    let out = Command::new("fish")
        .arg("--no-config")
        .arg("-c")
        .arg("source $argv[1]; or exit 2; complete -C $argv[2]")
        .arg(file(rel))
        .arg(line)
        .output()
        .expect("run fish");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "fish completion of {line:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(|l| l.split('\t').next().unwrap().to_string()).collect()
}

#[test]
fn fish_completions_parse_and_complete() {
    require_shell("fish");
    for rel in [
        "completions/fish/kv.fish",
        "completions/fish/kv-serve.fish",
        "completions/fish/unit-run.fish",
        "completions/fish/unit-sched.fish",
        "completions/fish/cfg-init.fish",
        "completions/fish/disco.fish",
    ] {
        let out =
            Command::new("fish").arg("--no-config").arg("-n").arg(file(rel)).output().expect("run fish");
        assert!(
            out.status.success(),
            "fish -n {rel}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_offers(
        &fish_complete("completions/fish/kv.fish", "kv se"),
        &["set", "setdir"],
        "fish: kv se<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/kv.fish", "kv --end"),
        &["--endpoints"],
        "fish: kv --end<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/kv-serve.fish", "kv-serve --data"),
        &["--data-dir"],
        "fish: kv-serve --data<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/unit-run.fish", "unit-run jo"),
        &["journal"],
        "fish: unit-run jo<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/cfg-init.fish", "cfg-init apply --ro"),
        &["--root"],
        "fish: cfg-init apply --ro<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/disco.fish", "disco ann"),
        &["announce"],
        "fish: disco ann<TAB>",
    );
    assert_offers(
        &fish_complete("completions/fish/disco.fish", "disco render --deb"),
        &["--debounce"],
        "fish: disco render --deb<TAB>",
    );
}
