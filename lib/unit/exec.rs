//! `Exec*=` command lines.
//!
//! A value holds one or more commands separated by a word that is exactly
//! `;` (an escaped `\;` is a literal semicolon).  Each command is:
//!
//! ```text
//! [PREFIXES]PATH [ARG]...
//! ```
//!
//! * Prefixes, in any order, each at most once: `-` (failure is ignored),
//!   `@` (the second word is argv\[0\]), `+` (full privileges), `!` or `!!`
//!   (ambient capabilities), `:` (no `$VAR` substitution).  `+` cannot be
//!   combined with `!`.
//! * Words are split on unquoted whitespace.  Single and double quotes group
//!   words (they may appear anywhere in a word); C escapes are recognised
//!   inside and outside quotes: `\a \b \f \n \r \t \v \\ \" \' \s \;`,
//!   `\xNN`, `\NNN` (octal), `\uXXXX` and `\UXXXXXXXX`.
//! * `%` specifiers are expanded in every word after unquoting.
//! * PATH is absolute, or a bare name (without `/`) looked up in `$PATH` when
//!   the command runs.
//!
//! `$NAME` / `${NAME}` substitution happens later, when the command runs,
//! through [`ExecCommand::expand_env`].
//!
//! The word splitter is shared with `Environment=` parsing and is public as
//! [`split_words`].

use super::environment::is_valid_env_name;
use super::specifier::{SpecifierContext, expand};

/// One command of an `Exec*=` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    /// The program: an absolute path or a bare name to look up in `$PATH`.
    pub path: String,
    /// The arguments, argv\[0\] included.
    pub argv: Vec<String>,
    /// `-`: a failing exit status is not an error.
    pub ignore_failure: bool,
    /// `@`: argv\[0\] was given separately from the path.
    pub separate_argv0: bool,
    /// `+`: run with full privileges.
    pub full_privileges: bool,
    /// `!` or `!!`: ambient-capability mode.
    pub ambient: bool,
    /// `:`: no environment-variable substitution.
    pub no_env_expand: bool,
    /// Line of the assignment in the unit file (set by the unit parser;
    /// 0 when parsed on its own).
    pub line: usize,
    /// The command as written, prefixes included, for status output.
    pub text: String,
}

/// A word produced by [`split_words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after unquoting and unescaping.
    pub value: String,
    /// Byte offset of the raw word in the input.
    pub start: usize,
    /// Byte offset just past the raw word.
    pub end: usize,
}

/// Splits `s` into words, honouring quotes and C escapes as on Exec lines.
pub fn split_words(s: &str) -> Result<Vec<Word>, String> {
    let mut words = Vec::new();
    let mut chars = s.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut buf = Vec::new();
        let mut quote = None;
        let mut end = s.len();
        while let Some(&(i, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                end = i;
                break;
            }
            chars.next();
            match c {
                '\\' => unescape_one(&mut chars, &mut buf)?,
                '"' | '\'' if quote.is_none() => quote = Some(c),
                c if Some(c) == quote => quote = None,
                c => buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        if let Some(q) = quote {
            return Err(format!("Unbalanced quoting: missing closing {q} in '{s}'"));
        }
        let value = String::from_utf8(buf)
            .map_err(|_| format!("Escapes in '{}' produce invalid UTF-8", &s[start..end]))?;
        words.push(Word { value, start, end });
    }
    Ok(words)
}

/// Decodes the escape sequence after a backslash into `buf`.
fn unescape_one(chars: &mut impl Iterator<Item = (usize, char)>, buf: &mut Vec<u8>) -> Result<(), String> {
    let Some((_, c)) = chars.next() else {
        return Err("Trailing backslash".into());
    };
    let mut digits = |n: usize, radix: u32| -> Result<u32, String> {
        (0..n).try_fold(0u32, |acc, _| {
            let d = chars.next().and_then(|(_, c)| c.to_digit(radix));
            d.map(|d| acc * radix + d).ok_or_else(|| format!("Truncated escape sequence (need {n} digits)"))
        })
    };
    let byte = |b: u8| Ok(Some(b));
    let decoded: Result<Option<u8>, String> = match c {
        'a' => byte(7),
        'b' => byte(8),
        'f' => byte(12),
        'n' => byte(b'\n'),
        'r' => byte(b'\r'),
        't' => byte(b'\t'),
        'v' => byte(11),
        's' => byte(b' '),
        '\\' | '"' | '\'' | ';' => byte(c as u8),
        'x' => digits(2, 16).map(|v| Some(v as u8)),
        '0'..='7' => {
            let rest = digits(2, 8)?;
            let v = c.to_digit(8).unwrap_or(0) * 64 + rest;
            u8::try_from(v).map(Some).map_err(|_| format!("Octal escape \\{v:o} is out of range"))
        }
        'u' | 'U' => {
            let v = digits(if c == 'u' { 4 } else { 8 }, 16)?;
            let ch = char::from_u32(v).ok_or_else(|| format!("Invalid Unicode escape \\{c}{v:x}"))?;
            buf.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            Ok(None)
        }
        other => Err(format!("Invalid escape sequence '\\{other}'")),
    };
    match decoded? {
        Some(0) => Err("Escape sequences may not produce a NUL byte".into()),
        Some(b) => {
            buf.push(b);
            Ok(())
        }
        None => Ok(()),
    }
}

/// Parses an `Exec*=` value into its commands.
pub fn parse_exec(value: &str, ctx: &SpecifierContext) -> Result<Vec<ExecCommand>, String> {
    let words = split_words(value)?;
    let mut commands = Vec::new();
    for group in words.split(|w| &value[w.start..w.end] == ";") {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            return Err(format!("Empty command in '{value}'"));
        };
        commands.push(parse_command(group, &value[first.start..last.end], ctx)?);
    }
    Ok(commands)
}

/// Parses the words of one command; `text` is its raw source.
fn parse_command(words: &[Word], text: &str, ctx: &SpecifierContext) -> Result<ExecCommand, String> {
    let mut cmd = ExecCommand {
        path: String::new(),
        argv: Vec::new(),
        ignore_failure: false,
        separate_argv0: false,
        full_privileges: false,
        ambient: false,
        no_env_expand: false,
        line: 0,
        text: text.to_string(),
    };

    // Prefixes are read from the (unquoted) first word.
    let first = words[0].value.as_str();
    let mut rest = first;
    loop {
        let flag = match rest.as_bytes().first() {
            Some(b'-') => &mut cmd.ignore_failure,
            Some(b'@') => &mut cmd.separate_argv0,
            Some(b'+') => &mut cmd.full_privileges,
            Some(b':') => &mut cmd.no_env_expand,
            Some(b'!') => {
                if cmd.ambient {
                    return Err(format!("Too many '!' prefixes in '{text}'"));
                }
                cmd.ambient = true;
                rest = rest.strip_prefix("!!").unwrap_or(&rest[1..]);
                continue;
            }
            _ => break,
        };
        if *flag {
            return Err(format!("Duplicate prefix '{}' in '{text}'", &rest[..1]));
        }
        *flag = true;
        rest = &rest[1..];
    }
    if cmd.full_privileges && cmd.ambient {
        return Err(format!("Prefix '+' cannot be combined with '!' in '{text}'"));
    }
    if rest.is_empty() {
        return Err(format!(
            "Empty executable name or executable name only consisting of prefixes in '{text}'"
        ));
    }

    cmd.path = expand(rest, ctx)?;
    if cmd.path.contains('/') && !cmd.path.starts_with('/') {
        return Err(format!("Executable path '{}' is neither absolute nor a plain name", cmd.path));
    }
    let args = &words[1..];
    let args = if cmd.separate_argv0 {
        if args.is_empty() {
            return Err(format!("Prefix '@' requires an argv[0] after the path in '{text}'"));
        }
        args
    } else {
        cmd.argv.push(cmd.path.clone());
        args
    };
    for w in args {
        cmd.argv.push(expand(&w.value, ctx)?);
    }
    Ok(cmd)
}

impl ExecCommand {
    /// The argv to execute after systemd's `$` substitution with `env`
    /// (later entries win), unless the command has the `:` prefix.
    ///
    /// A word that is exactly `$NAME` becomes the variable's value split on
    /// whitespace (possibly no word at all); `${NAME}` anywhere in a word is
    /// replaced verbatim; `$$` is a literal `$`; unset variables are empty.
    pub fn expand_env(&self, env: &[(String, String)]) -> Vec<String> {
        if self.no_env_expand {
            return self.argv.clone();
        }
        let mut out = Vec::with_capacity(self.argv.len());
        for word in &self.argv {
            if let Some(name) = word.strip_prefix('$')
                && is_valid_env_name(name)
            {
                out.extend(lookup(env, name).split_whitespace().map(str::to_string));
                continue;
            }
            out.push(substitute(word, env));
        }
        out
    }
}

/// The value of `name` in `env` (last assignment wins), empty if unset.
fn lookup<'e>(env: &'e [(String, String)], name: &str) -> &'e str {
    env.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// Replaces `${NAME}` and `$$` inside one word.
fn substitute(word: &str, env: &[(String, String)]) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            out.push_str(lookup(env, name));
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::name::UnitName;
    use super::*;

    fn ctx() -> SpecifierContext {
        let mut c = SpecifierContext::new(UnitName::parse("web@a\\x2db.service").unwrap());
        c.hostname = "host1".into();
        c
    }

    fn one(s: &str) -> ExecCommand {
        let mut v = parse_exec(s, &ctx()).unwrap();
        assert_eq!(v.len(), 1, "{s}");
        v.remove(0)
    }

    fn argv(s: &str) -> Vec<String> {
        one(s).argv
    }

    #[test]
    fn simple_command() {
        let c = one("/usr/bin/docker run  --rm\tbusybox");
        assert_eq!(c.path, "/usr/bin/docker");
        assert_eq!(c.argv, ["/usr/bin/docker", "run", "--rm", "busybox"]);
        assert_eq!(c.text, "/usr/bin/docker run  --rm\tbusybox");
        assert!(
            !c.ignore_failure && !c.separate_argv0 && !c.full_privileges && !c.ambient && !c.no_env_expand
        );
        // Bare names are kept for a $PATH search.
        assert_eq!(one("sleep 5").path, "sleep");
    }

    #[test]
    fn quoting() {
        assert_eq!(argv(r#"/bin/sh -c "echo a; echo b""#), ["/bin/sh", "-c", "echo a; echo b"]);
        assert_eq!(argv("/bin/echo 'single \"quoted\"' x"), ["/bin/echo", "single \"quoted\"", "x"]);
        assert_eq!(argv(r#"/bin/echo a"b c"d 'e'f"#), ["/bin/echo", "ab cd", "ef"]);
        assert_eq!(argv(r#"/bin/echo "" ''"#), ["/bin/echo", "", ""]);
        assert_eq!(argv(r#""/bin/with space" x"#), ["/bin/with space", "x"]);
    }

    #[test]
    fn every_escape() {
        let c = argv(r#"/bin/e \a \b \f \n \r \t \v \\ \" \' x\sy \; \x41 \101 \u00e9 \U0001F600"#);
        let want = [
            "/bin/e", "\x07", "\x08", "\x0c", "\n", "\r", "\t", "\x0b", "\\", "\"", "'", "x y", ";", "A",
            "A", "é", "😀",
        ];
        assert_eq!(c, want);
        // Escapes work inside both kinds of quotes.
        assert_eq!(argv(r#"/bin/e "a\tb" 'c\x41'"#), ["/bin/e", "a\tb", "cA"]);
        // Hex bytes may form multi-byte UTF-8.
        assert_eq!(argv(r"/bin/e \xc3\xa9"), ["/bin/e", "é"]);
    }

    #[test]
    fn bad_escapes_and_quotes() {
        for s in [
            r"/bin/e \q",
            r"/bin/e \x4",
            r"/bin/e \xzz",
            r"/bin/e \400",
            r"/bin/e \x00",
            r"/bin/e \000",
            r"/bin/e \xff",
            r"/bin/e \uD800",
            r"/bin/e \U00110000",
            r"/bin/e \",
            r#"/bin/e "unterminated"#,
            "/bin/e 'unterminated",
        ] {
            assert!(parse_exec(s, &ctx()).is_err(), "{s:?} should fail");
        }
    }

    #[test]
    fn each_prefix() {
        let c = one("-/bin/false");
        assert!(c.ignore_failure);
        assert_eq!((c.path.as_str(), c.argv.as_slice()), ("/bin/false", &["/bin/false".to_string()][..]));
        assert_eq!(c.text, "-/bin/false");

        let c = one("@/bin/busybox sh -c true");
        assert!(c.separate_argv0);
        assert_eq!(c.path, "/bin/busybox");
        assert_eq!(c.argv, ["sh", "-c", "true"]);

        assert!(one("+/bin/true").full_privileges);
        let c = one("!/bin/true");
        assert!(c.ambient && c.path == "/bin/true");
        let c = one("!!/bin/true");
        assert!(c.ambient && c.path == "/bin/true");
        assert!(one(":/bin/true").no_env_expand);
    }

    #[test]
    fn prefix_combinations() {
        let c = one("-@:/bin/busybox echo $X");
        assert!(c.ignore_failure && c.separate_argv0 && c.no_env_expand);
        assert_eq!(c.argv, ["echo", "$X"]);
        let c = one(":-+/bin/true");
        assert!(c.ignore_failure && c.full_privileges && c.no_env_expand && !c.ambient);
        let c = one("!!-@/bin/true x");
        assert!(c.ambient && c.ignore_failure && c.separate_argv0);

        for bad in [
            "+!/bin/true",
            "!+/bin/true",
            "+!!/bin/true",
            "--/bin/true",
            "!!!/bin/true",
            "-",
            "-@",
            "@/bin/true",
        ] {
            assert!(parse_exec(bad, &ctx()).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn semicolon_separates_commands() {
        let v = parse_exec("/bin/a 1 ; -/bin/b 2 \\; 3 ;/bin/c;", &ctx());
        // A trailing `;` glued to a word is part of the word.
        let v = v.unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].argv, ["/bin/a", "1"]);
        assert_eq!(v[0].text, "/bin/a 1");
        assert!(v[1].ignore_failure);
        assert_eq!(v[1].argv, ["/bin/b", "2", ";", "3", ";/bin/c;"]);
        assert_eq!(v[1].text, "-/bin/b 2 \\; 3 ;/bin/c;");

        let v = parse_exec("/bin/a ; /bin/b ; /bin/c x", &ctx()).unwrap();
        assert_eq!(v.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(), ["/bin/a", "/bin/b", "/bin/c"]);
        // A quoted ";" is an argument, not a separator.
        assert_eq!(argv(r#"/bin/a ";" b"#), ["/bin/a", ";", "b"]);

        for bad in ["", "   ", ";", "/bin/a ;", "; /bin/a", "/bin/a ; ; /bin/b"] {
            assert!(parse_exec(bad, &ctx()).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn paths() {
        assert!(parse_exec("bin/true", &ctx()).is_err());
        assert!(parse_exec("./true", &ctx()).is_err());
        assert!(parse_exec("/bin/true", &ctx()).is_ok());
    }

    #[test]
    fn specifiers_in_words() {
        let c = one("/opt/%p/bin/run --name %n --inst %i --path %I --host=%H 100%%");
        assert_eq!(c.path, "/opt/web/bin/run");
        assert_eq!(
            c.argv,
            [
                "/opt/web/bin/run",
                "--name",
                "web@a\\x2db.service",
                "--inst",
                "a\\x2db",
                "--path",
                "a-b",
                "--host=host1",
                "100%"
            ]
        );
        // Expansion happens after unquoting.
        assert_eq!(argv(r#"/bin/e "%i x""#), ["/bin/e", "a\\x2db x"]);
        let e = parse_exec("/bin/e %q", &ctx()).unwrap_err();
        assert!(e.contains("%q"), "{e}");
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn environment_substitution() {
        let e = env(&[("A", "one two  three"), ("B", "x"), ("B", "y"), ("EMPTY", "")]);
        let c = one("/bin/e $A ${A} pre${B}post $$A $$ cost$5 $UNSET ${UNSET}! $EMPTY ${B");
        assert_eq!(
            c.expand_env(&e),
            ["/bin/e", "one", "two", "three", "one two  three", "preypost", "$A", "$", "cost$5", "!", "${B"]
        );
        // `:` disables substitution.
        let c = one(":/bin/e $A ${B}");
        assert_eq!(c.expand_env(&e), ["/bin/e", "$A", "${B}"]);
        // argv[0] given with `@` is substituted too; the path is not touched.
        let c = one("@/bin/e ${B} $A");
        assert_eq!(c.expand_env(&e), ["y", "one", "two", "three"]);
        assert_eq!(c.path, "/bin/e");
    }
}
