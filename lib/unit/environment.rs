//! Environment variable assignments.
//!
//! Two grammars are handled here:
//!
//! * [`parse_environment`] reads an `Environment=` value: whitespace
//!   separated `NAME=VALUE` words, quoted and escaped exactly as on Exec
//!   lines (`Environment="A=1 2" B=3`);
//! * [`parse_environment_file`] reads the contents of an `EnvironmentFile=`:
//!   one `NAME=VALUE` per line with an optional `export ` prefix, `#`/`;`
//!   comment lines, blanks around `=` ignored, values either bare
//!   (backslash escapes the next character, trailing blanks dropped),
//!   single-quoted (literal) or double-quoted (`\` escapes only `" \ $` and
//!   `` ` ``, other backslashes are kept), and backslash-newline continuing
//!   a value on the next line.  As in systemd, quotes are only special at
//!   the start of a value (or right after a closing quote); inside a bare
//!   value they are literal.
//!
//! Variable names must match `[A-Za-z_][A-Za-z0-9_]*`.  Duplicates are
//! returned in order; later assignments win when the list is used.

use super::exec::split_words;

/// True for a valid environment variable name.
pub fn is_valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses an `Environment=` value.
pub fn parse_environment(value: &str) -> Result<Vec<(String, String)>, String> {
    split_words(value)?
        .into_iter()
        .map(|w| match w.value.split_once('=') {
            Some((name, val)) if is_valid_env_name(name) => Ok((name.to_string(), val.to_string())),
            Some((name, _)) => Err(format!("Invalid environment variable name '{name}'")),
            None => Err(format!("Invalid environment assignment '{}' (missing '=')", w.value)),
        })
        .collect()
}

/// Parses the contents of an environment file.  Errors name the line.
pub fn parse_environment_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    loop {
        // Between assignments: skip blanks and empty lines.
        while let Some(c) = chars.next_if(|c| c.is_whitespace()) {
            if c == '\n' {
                line += 1;
            }
        }
        match chars.peek() {
            None => break,
            Some('#' | ';') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
                continue;
            }
            Some(_) => {}
        }

        let start_line = line;
        let mut raw_key = String::new();
        loop {
            match chars.next() {
                Some('=') => break,
                Some('\n') | None => {
                    return Err(format!("line {start_line}: missing '=' in '{}'", raw_key.trim()));
                }
                Some(c) => raw_key.push(c),
            }
        }
        let mut key = raw_key.trim();
        if let Some(rest) = key.strip_prefix("export")
            && rest.starts_with([' ', '\t'])
        {
            key = rest.trim_start();
        }
        if !is_valid_env_name(key) {
            return Err(format!("line {start_line}: invalid variable name '{key}'"));
        }

        let value = read_value(&mut chars, &mut line).map_err(|e| format!("line {start_line}: {e}"))?;
        out.push((key.to_string(), value));
    }
    Ok(out)
}

/// Reads one value up to and including the end of its (last) line.
fn read_value(chars: &mut impl Iterator<Item = char>, line: &mut usize) -> Result<String, String> {
    let mut value = String::new();
    // Length of `value` that survives trailing-blank trimming.
    let mut keep = 0;
    // Before the value proper: blanks are skipped and quotes recognised.
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                *line += 1;
                break;
            }
            c if at_start && c.is_whitespace() => {}
            '\'' if at_start => {
                loop {
                    match chars.next() {
                        None => return Err("unterminated single quote".into()),
                        Some('\'') => break,
                        Some(c) => {
                            *line += usize::from(c == '\n');
                            value.push(c);
                        }
                    }
                }
                keep = value.len();
            }
            '"' if at_start => {
                loop {
                    match chars.next() {
                        None => return Err("unterminated double quote".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            None => return Err("unterminated double quote".into()),
                            Some('\n') => *line += 1,
                            Some(c @ ('"' | '\\' | '`' | '$')) => value.push(c),
                            Some(c) => {
                                value.push('\\');
                                value.push(c);
                            }
                        },
                        Some(c) => {
                            *line += usize::from(c == '\n');
                            value.push(c);
                        }
                    }
                }
                keep = value.len();
            }
            '\\' => {
                at_start = false;
                match chars.next() {
                    None => {}
                    Some('\n') => *line += 1,
                    Some(c) => {
                        value.push(c);
                        keep = value.len();
                    }
                }
            }
            c => {
                at_start = false;
                value.push(c);
                if !c.is_whitespace() {
                    keep = value.len();
                }
            }
        }
    }
    value.truncate(keep);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn names() {
        for ok in ["A", "_", "a_b9", "PATH"] {
            assert!(is_valid_env_name(ok), "{ok}");
        }
        for bad in ["", "9A", "A-B", "A B", "é", "A.B"] {
            assert!(!is_valid_env_name(bad), "{bad}");
        }
    }

    #[test]
    fn environment_values() {
        assert_eq!(parse_environment(r#""A=1 2" B=3"#).unwrap(), pairs(&[("A", "1 2"), ("B", "3")]));
        assert_eq!(parse_environment("A= B=x=y").unwrap(), pairs(&[("A", ""), ("B", "x=y")]));
        assert_eq!(
            parse_environment(r"MSG=a\sb\tc 'Q=it''s'").unwrap(),
            pairs(&[("MSG", "a b\tc"), ("Q", "its")])
        );
        assert_eq!(parse_environment("A=1 A=2").unwrap(), pairs(&[("A", "1"), ("A", "2")]));
        assert_eq!(parse_environment("").unwrap(), vec![]);
    }

    #[test]
    fn environment_errors() {
        for bad in ["NOVALUE", "1A=x", "A-B=1", "=x", "A=\"open", r"A=\q"] {
            assert!(parse_environment(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn env_file_basics() {
        let text = "# comment\n; another\n\nA=1\nexport B = two words  \n  C=\n\tD=x=y\nexport=ok\n";
        assert_eq!(
            parse_environment_file(text).unwrap(),
            pairs(&[("A", "1"), ("B", "two words"), ("C", ""), ("D", "x=y"), ("export", "ok")])
        );
        assert_eq!(parse_environment_file("").unwrap(), vec![]);
        assert_eq!(parse_environment_file("A=1\r\nB=2\r\n").unwrap(), pairs(&[("A", "1"), ("B", "2")]));
        // No trailing newline.
        assert_eq!(parse_environment_file("A=1").unwrap(), pairs(&[("A", "1")]));
    }

    #[test]
    fn env_file_quotes_and_escapes() {
        let text = concat!(
            "S='single $HOME \\n'\n",
            "D=\"double \\\"q\\\" \\\\ \\$ \\` \\n\"\n",
            "M=\"multi\nline\"\n",
            "B=bare\\ value\\#x  \n",
            "L=literal\"quotes\"\n",
            "J='a' \"b\"\n",
            "K=\"  padded  \"\n",
        );
        assert_eq!(
            parse_environment_file(text).unwrap(),
            pairs(&[
                ("S", "single $HOME \\n"),
                ("D", "double \"q\" \\ $ ` \\n"),
                ("M", "multi\nline"),
                ("B", "bare value#x"),
                ("L", "literal\"quotes\""),
                ("J", "ab"),
                ("K", "  padded  "),
            ])
        );
    }

    #[test]
    fn env_file_continuations() {
        let text = "A=one \\\ntwo\nB=\"x\\\ny\"\nC=3\n";
        assert_eq!(
            parse_environment_file(text).unwrap(),
            pairs(&[("A", "one two"), ("B", "xy"), ("C", "3")])
        );
    }

    #[test]
    fn env_file_errors_name_the_line() {
        let e = parse_environment_file("A=1\n\nJUSTAKEY\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        let e = parse_environment_file("A=1\nB=\"x\\\ny\"\n9X=1\n").unwrap_err();
        assert!(e.starts_with("line 4:") && e.contains("9X"), "{e}");
        let e = parse_environment_file("# c\nA=1\nB='open\nmore\n").unwrap_err();
        assert!(e.starts_with("line 3:") && e.contains("quote"), "{e}");
        let e = parse_environment_file("A=\"open").unwrap_err();
        assert!(e.starts_with("line 1:"), "{e}");
    }
}
