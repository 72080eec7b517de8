//! The generic, INI-like layer of unit files.
//!
//! This module knows nothing about particular keys; it turns text into an
//! ordered list of [`Entry`]s, following systemd's rules:
//!
//! * `[Name]` starts a section; anything after the closing `]` is an error;
//! * lines whose first non-blank character is `#` or `;` are comments, and
//!   blank lines are ignored;
//! * `Key=Value` assigns; blanks around `=` and at both ends of the value
//!   are dropped; keys are case-sensitive and repeated keys are all kept, in
//!   order (their meaning is up to the caller);
//! * a line ending in an odd number of backslashes continues on the next
//!   line: the final backslash becomes a space.  Comment lines met while
//!   collecting a continuation are skipped, as systemd does; a blank line
//!   ends it;
//! * an assignment before the first section, or a line that is neither a
//!   section, a comment nor an assignment, is an error.
//!
//! Each entry records the line where it starts and the 1-based column (in
//! characters) where its value starts, so later stages can point at bad
//! values precisely.

use super::error::UnitError;

/// One `Key=Value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Section the assignment appears in, without brackets.
    pub section: String,
    /// The key, exactly as written (case-sensitive).
    pub key: String,
    /// The value with surrounding blanks removed and continuations joined.
    pub value: String,
    /// 1-based line where the assignment starts.
    pub line: usize,
    /// 1-based column where the value starts (for an empty value: where it
    /// would start).
    pub column: usize,
}

/// A syntactically valid unit file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitFile {
    /// All assignments, in file order.
    pub entries: Vec<Entry>,
    /// Every section header met, with its line, in file order (a section may
    /// appear more than once).
    pub sections: Vec<(String, usize)>,
}

impl UnitFile {
    /// The assignments of one section, in order.
    pub fn section<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.section == name)
    }

    /// The value of the last assignment of `key` in `section`, if any.
    pub fn last(&self, section: &str, key: &str) -> Option<&str> {
        self.entries.iter().rev().find(|e| e.section == section && e.key == key).map(|e| e.value.as_str())
    }
}

/// Parses the text of a unit file; `file` is only used in error messages.
pub fn parse_syntax(file: &str, text: &str) -> Result<UnitFile, UnitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser { file, out: UnitFile::default(), section: None };
    // A continuation being collected: the joined text and its first line.
    let mut pending: Option<(String, usize)> = None;

    for (index, raw) in text.lines().enumerate() {
        let lineno = index + 1;
        let trimmed = raw.trim_start();
        if trimmed.starts_with(['#', ';']) {
            continue;
        }
        let (mut logical, start) = match pending.take() {
            Some((mut joined, start)) => {
                joined.push_str(raw);
                (joined, start)
            }
            None if trimmed.is_empty() => continue,
            None => (raw.to_string(), lineno),
        };
        let kept = logical.trim_end().len();
        logical.truncate(kept);
        if ends_in_continuation(&logical) {
            logical.pop();
            logical.push(' ');
            pending = Some((logical, start));
            continue;
        }
        parser.line(&logical, start)?;
    }
    if let Some((logical, start)) = pending {
        parser.line(logical.trim_end(), start)?;
    }
    Ok(parser.out)
}

/// True when the line ends in an unescaped backslash.
fn ends_in_continuation(line: &str) -> bool {
    let backslashes = line.bytes().rev().take_while(|&b| b == b'\\').count();
    backslashes % 2 == 1
}

struct Parser<'a> {
    file: &'a str,
    out: UnitFile,
    section: Option<String>,
}

impl Parser<'_> {
    /// Handles one logical (continuation-joined, right-trimmed) line.
    fn line(&mut self, line: &str, lineno: usize) -> Result<(), UnitError> {
        let body = line.trim_start();
        let lead = line[..line.len() - body.len()].chars().count();
        let err = |column: usize, message: String| UnitError::new(self.file, lineno, column, message);

        if let Some(inner) = body.strip_prefix('[') {
            let Some(name) = inner.strip_suffix(']') else {
                return Err(err(lead + 1, format!("Invalid section header '{body}'")));
            };
            if name.is_empty() || name.contains(['[', ']']) {
                return Err(err(lead + 1, format!("Invalid section header '{body}'")));
            }
            self.section = Some(name.to_string());
            self.out.sections.push((name.to_string(), lineno));
            return Ok(());
        }

        let Some(section) = &self.section else {
            return Err(err(lead + 1, "Assignment outside of section".into()));
        };
        let Some(eq) = line.find('=') else {
            return Err(err(lead + 1, format!("Missing '=' in line '{body}'")));
        };
        let key = line[..eq].trim();
        if key.is_empty() {
            return Err(err(lead + 1, "Missing key name before '='".into()));
        }
        let after = &line[eq + 1..];
        let value = after.trim();
        let value_start = eq + 1 + (after.len() - after.trim_start().len());
        self.out.entries.push(Entry {
            section: section.clone(),
            key: key.to_string(),
            value: value.to_string(),
            line: lineno,
            column: line[..value_start].chars().count() + 1,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> UnitFile {
        parse_syntax("t.service", text).unwrap()
    }

    fn kv(f: &UnitFile) -> Vec<(&str, &str, &str)> {
        f.entries.iter().map(|e| (e.section.as_str(), e.key.as_str(), e.value.as_str())).collect()
    }

    #[test]
    fn sections_keys_and_positions() {
        let f = parse("[Unit]\nDescription=Hello world\n\n[Service]\n  ExecStart = /bin/true  \n");
        assert_eq!(f.sections, vec![("Unit".to_string(), 1), ("Service".to_string(), 4)]);
        assert_eq!(
            kv(&f),
            vec![("Unit", "Description", "Hello world"), ("Service", "ExecStart", "/bin/true")]
        );
        assert_eq!((f.entries[0].line, f.entries[0].column), (2, 13));
        assert_eq!((f.entries[1].line, f.entries[1].column), (5, 15));
        assert_eq!(f.last("Service", "ExecStart"), Some("/bin/true"));
        assert_eq!(f.section("Unit").count(), 1);
    }

    #[test]
    fn columns_count_characters() {
        let f = parse("[Unit]\nDescription=ééé\nAfter=\n");
        assert_eq!(f.entries[0].column, 13);
        // An empty value: the column is where it would start.
        assert_eq!((f.entries[1].value.as_str(), f.entries[1].column), ("", 7));
        let f = parse("[Unit]\nDéscription=x\n");
        assert_eq!(f.entries[0].column, 13);
    }

    #[test]
    fn comments_and_blank_lines() {
        let f =
            parse("# hash comment\n; semicolon comment\n[Unit]\n   # indented\n\t; indented too\n\nA=1\n");
        assert_eq!(kv(&f), vec![("Unit", "A", "1")]);
        assert_eq!(f.entries[0].line, 7);
        // A `#` inside a value is not a comment.
        let f = parse("[Unit]\nA=x # y\n");
        assert_eq!(f.entries[0].value, "x # y");
    }

    #[test]
    fn continuation_lines() {
        let f = parse("[Service]\nExecStart=/bin/echo \\\n  one \\\ntwo\nB=2\n");
        assert_eq!(kv(&f), vec![("Service", "ExecStart", "/bin/echo    one  two"), ("Service", "B", "2")]);
        assert_eq!(f.entries[0].line, 2);
        assert_eq!(f.entries[1].line, 5);
    }

    #[test]
    fn comment_inside_continuation_is_skipped() {
        let f = parse("[Service]\nExecStart=/bin/echo a \\\n# not part of it\n; nor this\n  b\nC=3\n");
        assert_eq!(kv(&f), vec![("Service", "ExecStart", "/bin/echo a    b"), ("Service", "C", "3")]);
    }

    #[test]
    fn escaped_backslash_does_not_continue() {
        let f = parse("[Service]\nA=x\\\\\nB=y\n");
        assert_eq!(kv(&f), vec![("Service", "A", "x\\\\"), ("Service", "B", "y")]);
        // A continuation at the end of the file is simply closed.
        let f = parse("[Service]\nA=x \\");
        assert_eq!(kv(&f), vec![("Service", "A", "x")]);
        // A blank line ends a continuation.
        let f = parse("[Service]\nA=x \\\n\nB=y\n");
        assert_eq!(kv(&f), vec![("Service", "A", "x"), ("Service", "B", "y")]);
    }

    #[test]
    fn repeated_keys_kept_in_order_and_case_sensitive() {
        let f = parse("[Service]\nA=1\na=2\nA=3\n[Service]\nA=4\n");
        assert_eq!(
            kv(&f),
            vec![("Service", "A", "1"), ("Service", "a", "2"), ("Service", "A", "3"), ("Service", "A", "4")]
        );
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.last("Service", "A"), Some("4"));
    }

    #[test]
    fn crlf_and_bom() {
        let f = parse("\u{feff}[Unit]\r\nA=1\r\n");
        assert_eq!(kv(&f), vec![("Unit", "A", "1")]);
    }

    #[test]
    fn values_may_contain_equals_and_brackets() {
        let f = parse("[Service]\nEnvironment=A=B C=D\nX=[y]\n");
        assert_eq!(kv(&f), vec![("Service", "Environment", "A=B C=D"), ("Service", "X", "[y]")]);
    }

    fn err(text: &str) -> UnitError {
        parse_syntax("bad.service", text).unwrap_err()
    }

    #[test]
    fn errors_have_positions() {
        let e = err("[Unit\nA=1\n");
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("Invalid section header"), "{}", e.message);

        let e = err("[Unit]\n[Service] garbage\n");
        assert_eq!(e.line, 2);
        let e = err("[Unit]\n  []\n");
        assert_eq!((e.line, e.column), (2, 3));
        let e = err("[Unit]\n[a]b]\n");
        assert_eq!(e.line, 2);

        let e = err("# c\nA=1\n[Unit]\n");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("outside of section"));

        let e = err("[Unit]\nA=1\n\n  JustAKey\n");
        assert_eq!((e.line, e.column), (4, 3));
        assert!(e.message.contains("Missing '='"));

        let e = err("[Unit]\n=value\n");
        assert_eq!(e.line, 2);
        assert_eq!(e.file, "bad.service");
        assert_eq!(e.to_string(), "bad.service:2:1: Missing key name before '='");
    }
}
