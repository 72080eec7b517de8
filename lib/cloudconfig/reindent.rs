//! A cloud-config whose indentation was lost (the seed's, as its blog printed it) re-indented
//! from the schema: each key goes under the nearest open section that has such a key, list
//! items under their list, two spaces a level, comments at the level of the line they precede.
//! `cfg-init reindent FILE` prints the result; the validator's hint points at it.

use super::schema::{self, Kind, Section};

enum Frame {
    Map {
        sec: &'static Section,
        indent: usize,
    },
    List {
        item: Option<&'static Section>,
        indent: usize,
    },
    /// The lines of a block scalar (`content: |`), kept under their key.
    Block {
        indent: usize,
    },
}

/// `text` re-indented. Lines the schema does not place keep the indentation of where they are.
pub fn reindent(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<Frame> = vec![Frame::Map { sec: &schema::ROOT, indent: 0 }];
    let mut comments: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<String>, comments: &mut Vec<String>, indent: usize| {
        for c in comments.drain(..) {
            out.push(format!("{}{c}", " ".repeat(indent)));
        }
    };
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        let s = line.trim();
        if i == 0 && s.starts_with('#') {
            out.push(line.to_string());
            continue;
        }
        if let Some(Frame::Block { indent }) = stack.last() {
            let indent = *indent;
            // A block scalar goes on until a line that is a key or item the schema places.
            if !s.is_empty() && !places(&stack, s) {
                out.push(format!("{}{s}", " ".repeat(indent)));
                continue;
            }
            if s.is_empty() {
                out.push(String::new());
                continue;
            }
            stack.pop();
        }
        if s.is_empty() {
            flush(&mut out, &mut comments, 0);
            out.push(String::new());
            continue;
        }
        if s.starts_with('#') {
            comments.push(s.to_string());
            continue;
        }
        if let Some(rest) = s.strip_prefix("- ").or_else(|| (s == "-").then_some("")) {
            // An item: under the innermost open list.
            while stack.len() > 1 && !matches!(stack.last(), Some(Frame::List { .. })) {
                stack.pop();
            }
            let (item, indent) = match stack.last() {
                Some(Frame::List { item, indent }) => (*item, *indent),
                _ => (None, 0),
            };
            flush(&mut out, &mut comments, indent);
            out.push(format!("{}- {rest}", " ".repeat(indent)));
            if let Some(sec) = item {
                stack.push(Frame::Map { sec, indent: indent + 2 });
                if let Some((k, v)) = key_value(rest) {
                    open(&mut stack, sec, &k, v, indent + 2);
                }
            }
            continue;
        }
        let Some((k, v)) = key_value(s) else {
            let indent = current_indent(&stack);
            flush(&mut out, &mut comments, indent);
            out.push(format!("{}{s}", " ".repeat(indent)));
            continue;
        };
        // A key: under the innermost open mapping whose section has it.
        let pos = stack.iter().rposition(|f| matches!(f, Frame::Map { sec, .. } if sec.field(&k).is_some()));
        let (sec, indent) = match pos {
            Some(p) => {
                stack.truncate(p + 1);
                match stack.last() {
                    Some(Frame::Map { sec, indent }) => (Some(*sec), *indent),
                    _ => unreachable!(),
                }
            }
            None => (None, current_indent(&stack)),
        };
        flush(&mut out, &mut comments, indent);
        out.push(format!("{}{s}", " ".repeat(indent)));
        if let Some(sec) = sec {
            open(&mut stack, sec, &k, v, indent);
        }
    }
    flush(&mut out, &mut comments, 0);
    out.join("\n")
}

/// After `key: value` at `indent` in `sec`: what the next lines belong to.
fn open(stack: &mut Vec<Frame>, sec: &'static Section, key: &str, value: &str, indent: usize) {
    let Some(f) = sec.field(key) else { return };
    let v = value.trim();
    if v.starts_with('|') || v.starts_with('>') {
        stack.push(Frame::Block { indent: indent + 2 });
        return;
    }
    if !v.is_empty() {
        return;
    }
    match f.kind {
        Kind::Struct(s) => stack.push(Frame::Map { sec: s, indent: indent + 2 }),
        Kind::List(s) => stack.push(Frame::List { item: Some(s), indent: indent + 2 }),
        Kind::StrList => stack.push(Frame::List { item: None, indent: indent + 2 }),
        _ => {}
    }
}

fn places(stack: &[Frame], s: &str) -> bool {
    if s.starts_with("- ") {
        return false;
    }
    key_value(s).is_some_and(|(k, _)| {
        stack.iter().any(|f| matches!(f, Frame::Map { sec, .. } if sec.field(&k).is_some()))
    })
}

fn current_indent(stack: &[Frame]) -> usize {
    match stack.last() {
        Some(Frame::Map { indent, .. } | Frame::List { indent, .. } | Frame::Block { indent }) => *indent,
        None => 0,
    }
}

/// `key: value` or `key:` → (normalized key, value).
fn key_value(s: &str) -> Option<(String, &str)> {
    let (k, v) = s.split_once(':')?;
    if k.is_empty() || k.contains(char::is_whitespace) || !(v.is_empty() || v.starts_with(' ')) {
        return None;
    }
    Some((schema::normalize(k), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_lists_and_blocks() {
        let flat = "#cloud-config\nwrite_files:\n- path: /etc/motd\ncontent: |\nhello\nthere\npermissions: 0644\nhostname: x\n";
        assert_eq!(
            reindent(flat),
            "#cloud-config\nwrite_files:\n  - path: /etc/motd\n    content: |\n      hello\n      there\n    permissions: 0644\nhostname: x\n"
        );
    }
}
