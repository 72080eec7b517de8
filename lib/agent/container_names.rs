//! Which containers an Exec line creates by name: `docker run --name X` / `docker create
//! --name=X` (or podman), also behind the wrappers units put in front of them —
//! `env [OPTION…] [NAME=value…] docker …` and `sh -c "…; docker run --name X …"` (any of sh,
//! bash, dash, ash, ksh, zsh; every command in the script, after `exec` and `NAME=value`
//! words, is looked at the same way). Names with `$` or a backquote are left out: their value
//! is known only when the shell runs.

/// Container names an Exec line gives with `--name` on `docker run` or `docker create`.
pub fn names_in_argv(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    collect(argv, &mut out, 0);
    out
}

/// Wrappers inside wrappers are followed this deep.
const MAX_DEPTH: usize = 4;

fn collect(argv: &[String], out: &mut Vec<String>, depth: usize) {
    let Some(prog) = argv.first() else { return };
    if depth > MAX_DEPTH {
        return;
    }
    match prog.rsplit('/').next().unwrap_or(prog) {
        "docker" | "podman" => docker_names(argv, out),
        "env" => {
            if let Some(rest) = after_env(&argv[1..]) {
                collect(&rest, out, depth + 1);
            }
        }
        "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh" => {
            if let Some(script) = shell_script(&argv[1..]) {
                for cmd in split_script(script) {
                    collect(&strip_assignments(cmd), out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn docker_names(argv: &[String], out: &mut Vec<String>) {
    // The subcommand is the first word that is not an option (`docker --host X run …` aside,
    // which names nothing we can reach anyway).
    if !argv[1..].iter().any(|a| a == "run" || a == "create") {
        return;
    }
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        let name =
            if a == "--name" { it.next().cloned() } else { a.strip_prefix("--name=").map(String::from) };
        if let Some(n) = name
            && !n.is_empty()
            && !n.contains(['$', '`'])
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
}

/// What `env` runs: its arguments after its options and `NAME=value` words (`-S`/
/// `--split-string` splits its string into words, as env does).
fn after_env(args: &[String]) -> Option<Vec<String>> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-i" | "--ignore-environment" | "-0" | "--null" | "-v" | "--debug" | "-" => i += 1,
            "-u" | "--unset" | "-C" | "--chdir" => i += 2,
            "-S" | "--split-string" => {
                let mut words: Vec<String> = args.get(i + 1)?.split_whitespace().map(String::from).collect();
                words.extend_from_slice(&args[i + 2..]);
                return after_env(&words);
            }
            "--" => return Some(args[i + 1..].to_vec()),
            _ if a.starts_with("--split-string=") || (a.starts_with("-S") && a.len() > 2) => {
                let s = a.strip_prefix("--split-string=").unwrap_or(&a[2..]);
                let mut words: Vec<String> = s.split_whitespace().map(String::from).collect();
                words.extend_from_slice(&args[i + 1..]);
                return after_env(&words);
            }
            _ if a.starts_with("--") || (a.starts_with('-') && a.len() > 1) => i += 1,
            _ if is_assignment(a) => i += 1,
            _ => return Some(args[i..].to_vec()),
        }
    }
    None
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// The script of `sh [OPTION…] -c SCRIPT …` (the `c` may be among other option letters:
/// `-ec`, `-xc`).
fn shell_script(args: &[String]) -> Option<&str> {
    let mut has_c = false;
    for a in args {
        if a == "--" {
            continue;
        }
        if let Some(letters) = a.strip_prefix('-').filter(|l| !l.is_empty() && !l.starts_with('-')) {
            has_c |= letters.contains('c');
            continue;
        }
        if a.starts_with("--") || a.starts_with('+') {
            continue;
        }
        return has_c.then_some(a.as_str());
    }
    None
}

/// A shell script as its simple commands' words: quotes and backslashes as sh reads them,
/// commands split at `;`, `&`, `|`, `&&`, `||`, newlines and parentheses or braces.
fn split_script(script: &str) -> Vec<Vec<String>> {
    let mut cmds = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut Option<String>, words: &mut Vec<String>| {
        if let Some(w) = word.take() {
            words.push(w);
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            w.push(chars.next().unwrap())
                        }
                        _ => w.push(q),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    word.get_or_insert_with(String::new).push(n);
                }
            }
            '#' if word.is_none() => {
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                end_word(&mut word, &mut words);
                cmds.push(std::mem::take(&mut words));
            }
            ';' | '&' | '|' | '\n' | '(' | ')' | '{' | '}' => {
                end_word(&mut word, &mut words);
                cmds.push(std::mem::take(&mut words));
            }
            c if c.is_whitespace() => end_word(&mut word, &mut words),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    end_word(&mut word, &mut words);
    cmds.push(words);
    cmds.retain(|c| !c.is_empty());
    cmds
}

/// A simple command without its leading `NAME=value` words and `exec`.
fn strip_assignments(mut words: Vec<String>) -> Vec<String> {
    let skip = words.iter().take_while(|w| is_assignment(w) || *w == "exec" || *w == "command").count();
    words.drain(..skip);
    words
}

#[cfg(test)]
mod tests {
    use super::names_in_argv;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn finds_container_names_on_run_lines() {
        assert_eq!(
            names_in_argv(&words("/usr/bin/docker run --name croc_service busybox")),
            ["croc_service"]
        );
        assert_eq!(names_in_argv(&words("docker run --rm --name=web x")), ["web"]);
        assert_eq!(names_in_argv(&words("podman create --name db x")), ["db"]);
        assert!(names_in_argv(&words("/usr/bin/docker stop croc_service")).is_empty());
        assert!(names_in_argv(&words("/bin/echo run --name x")).is_empty());
    }

    #[test]
    fn follows_env() {
        assert_eq!(names_in_argv(&words("/usr/bin/env docker run --name a x")), ["a"]);
        assert_eq!(names_in_argv(&words("env -i FOO=1 BAR=x=y -u HOME docker run --name b x")), ["b"]);
        assert_eq!(
            names_in_argv(&words("env --unset=HOME -C /tmp -- /usr/bin/docker run --name=c x")),
            ["c"]
        );
        assert_eq!(names_in_argv(&v(&["/usr/bin/env", "-S", "docker run --name d", "busybox"])), ["d"]);
        assert_eq!(names_in_argv(&v(&["env", "-Sdocker run --name e", "busybox"])), ["e"]);
        assert!(names_in_argv(&words("env FOO=1")).is_empty());
        assert!(names_in_argv(&words("env FOO=1 echo docker run --name f")).is_empty());
    }

    #[test]
    fn follows_sh_c() {
        let sh = |s: &str| names_in_argv(&v(&["/bin/sh", "-c", s]));
        assert_eq!(sh("docker run --name croc busybox echo hi"), ["croc"]);
        assert_eq!(sh("exec /usr/bin/docker run --name=x1 img"), ["x1"]);
        assert_eq!(sh("docker rm -f x2; docker run --name x2 img"), ["x2"]);
        assert_eq!(sh("FOO=1 docker pull img && docker run --name 'x3' img || true"), ["x3"]);
        assert_eq!(sh("docker run --name \"x4\" img sh -c 'echo --name no'"), ["x4"]);
        assert_eq!(sh("docker run \\\n  --name x5 img"), ["x5"]);
        assert_eq!(sh("env A=1 docker run --name x6 img # --name not_this"), ["x6"]);
        assert_eq!(sh("docker run --name $NAME img").len(), 0);
        assert_eq!(sh("echo docker run --name x7").len(), 0);
        assert_eq!(names_in_argv(&v(&["bash", "-ec", "docker run --name x8 img"])), ["x8"]);
        assert_eq!(names_in_argv(&v(&["/usr/bin/env", "sh", "-c", "exec docker run --name x9 img"])), ["x9"]);
        assert!(names_in_argv(&v(&["sh", "script.sh"])).is_empty());
        assert!(names_in_argv(&v(&["sh", "-c"])).is_empty());
    }
}
