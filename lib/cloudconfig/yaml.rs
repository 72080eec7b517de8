//! YAML with positions: the cloud-config's text becomes a tree of [`Node`]s, each knowing the
//! line and column it starts at, so every finding can point at its key or value.
//!
//! Parsing is saphyr-parser's (a YAML 1.2 event parser); what a scalar *means* is decided here
//! with YAML 1.1's rules, as coreos-cloudinit's go-yaml v1 decided it: plain `yes`/`on`/`off`
//! are booleans, `0644` is an (octal) integer, quoted scalars are always strings. A syntax error
//! is reported once, at the place the problem is (saphyr's marks are adjusted where they point
//! past it), and tabs used for indentation are caught even where the parser lets them through.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A place in the text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
}

impl Mark {
    pub fn new(line: usize, column: usize) -> Mark {
        Mark { line, column }
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: its type is resolved (null, bool, int, float, else string).
    Plain,
    /// Single- or double-quoted, or a block scalar (`|`, `>`): always a string.
    Quoted,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar { text: String, style: Style, tag: Option<String> },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the node starts (for a block collection, its first key or `-`).
    pub mark: Mark,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// What a scalar resolves to under YAML 1.1 (go-yaml v1's `resolve`).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Node {
    /// The scalar's resolved value; `None` for a sequence or mapping.
    pub fn scalar(&self) -> Option<Scalar> {
        match &self.value {
            Value::Scalar { text, style, tag } => Some(resolve(text, *style, tag.as_deref())),
            _ => None,
        }
    }

    /// The scalar's text as written (unquoted), for any scalar.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The scalar's bytes: a `!!binary` scalar is base64-decoded, any other is its text.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match &self.value {
            Value::Scalar { text, tag: Some(t), .. } if t == "tag:yaml.org,2002:binary" => {
                use base64::Engine;
                let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD.decode(clean).ok()
            }
            Value::Scalar { text, .. } => Some(text.as_bytes().to_vec()),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(Scalar::Null))
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(i) => Some(i),
            _ => None,
        }
    }

    /// What kind of YAML thing this is, for messages ("a list", "a mapping", "a string"…).
    pub fn describe(&self) -> &'static str {
        match &self.value {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Scalar { .. } => match self.scalar() {
                Some(Scalar::Null) => "nothing (null)",
                Some(Scalar::Bool(_)) => "a boolean",
                Some(Scalar::Int(_)) => "a number",
                Some(Scalar::Float(_)) => "a number",
                _ => "a string",
            },
        }
    }
}

/// Resolves a scalar as go-yaml v1 (YAML 1.1) does.
pub fn resolve(text: &str, style: Style, tag: Option<&str>) -> Scalar {
    match tag {
        Some("tag:yaml.org,2002:str") => return Scalar::Str(text.to_string()),
        Some("tag:yaml.org,2002:null") => return Scalar::Null,
        Some("tag:yaml.org,2002:bool") | Some("tag:yaml.org,2002:int") | Some("tag:yaml.org,2002:float") => {
            return resolve(text, Style::Plain, None);
        }
        _ => {}
    }
    if style == Style::Quoted {
        return Scalar::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Scalar::Int(i);
    }
    if is_float(text)
        && let Ok(f) = text.replace('_', "").parse::<f64>()
    {
        return Scalar::Float(f);
    }
    Scalar::Str(text.to_string())
}

/// YAML 1.1 integers: decimal, `0x` hex, `0b` binary, leading-zero octal, `_` separators.
fn parse_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() || body.starts_with('_') {
        return None;
    }
    let clean = body.replace('_', "");
    let v = if let Some(h) = clean.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = clean.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if clean.len() > 1 && clean.starts_with('0') {
        i64::from_str_radix(&clean[1..], 8).ok()?
    } else if clean.bytes().all(|b| b.is_ascii_digit()) {
        clean.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    match frac {
        None => !int.is_empty() && digits(int) && int.as_bytes()[0].is_ascii_digit() && exp.is_some(),
        Some(f) if int.is_empty() => !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()),
        Some(f) => int.as_bytes()[0].is_ascii_digit() && digits(int) && digits(f),
    }
}

/// A YAML syntax error, at the place the problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub mark: Mark,
    pub message: String,
}

/// A remark about well-formed YAML that the parser accepted (duplicate keys, extra documents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remark {
    pub mark: Mark,
    pub message: String,
}

/// A parsed document: its root (none for an empty document) and remarks.
#[derive(Debug, Default)]
pub struct Document {
    pub root: Option<Node>,
    pub remarks: Vec<Remark>,
}

/// Aliases may copy nodes; more than this many in all is refused (a "billion laughs").
const MAX_NODES: usize = 100_000;

enum Frame {
    Seq(Mark, Vec<Node>, usize, bool),
    Map(Mark, Vec<Entry>, Option<Node>, usize, bool),
}

/// Parses `text` (the whole user-data, header line included: it is a YAML comment).
pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut doc = Document::default();
    let mut docs = 0;
    let mut nodes = 0usize;
    // Lines covered by multi-line scalars and flow collections: tabs there are content.
    let mut covered: Vec<(usize, usize)> = Vec::new();
    let result: Result<(), SyntaxError> = loop {
        let (event, span) = match parser.next_event() {
            None => break Ok(()),
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let m = e.marker();
                break Err(adjust(&lines, Mark::new(m.line(), m.col() + 1), e.info(), &stack));
            }
        };
        let mark = start_mark(&span);
        let node = match event {
            Event::StreamEnd => break Ok(()),
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs == 2 {
                    doc.remarks.push(Remark {
                        mark,
                        message: "a second YAML document: only the first one is read".into(),
                    });
                }
                continue;
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => {
                    nodes += count(n);
                    if nodes > MAX_NODES {
                        break Err(SyntaxError {
                            mark,
                            message: format!("aliases expand to more than {MAX_NODES} nodes"),
                        });
                    }
                    Node { value: n.value.clone(), mark }
                }
                None => break Err(SyntaxError { mark, message: "alias to an unknown anchor".into() }),
            },
            Event::Scalar(text, style, anchor, tag) => {
                if span.end.line() > span.start.line() {
                    covered.push((span.start.line(), span.end.line()));
                }
                nodes += 1;
                let style = if style == ScalarStyle::Plain { Style::Plain } else { Style::Quoted };
                let tag = tag.map(|t| {
                    if t.handle == "!!" || t.handle == "tag:yaml.org,2002:" {
                        format!("tag:yaml.org,2002:{}", t.suffix)
                    } else {
                        format!("{}{}", t.handle, t.suffix)
                    }
                });
                let n = Node { value: Value::Scalar { text: text.into_owned(), style, tag }, mark };
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                n
            }
            Event::SequenceStart(anchor, _) => {
                let flow = char_at(&lines, mark) == Some('[');
                stack.push(Frame::Seq(mark, Vec::new(), anchor, flow));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                let flow = char_at(&lines, mark) == Some('{');
                stack.push(Frame::Map(mark, Vec::new(), None, anchor, flow));
                continue;
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq(m, items, anchor, flow)) = stack.pop() else {
                    break Err(SyntaxError { mark, message: "unbalanced sequence".into() });
                };
                if flow {
                    covered.push((m.line, span.end.line()));
                }
                nodes += 1;
                let n = Node { value: Value::Seq(items), mark: m };
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                n
            }
            Event::MappingEnd => {
                let Some(Frame::Map(m, entries, _, anchor, flow)) = stack.pop() else {
                    break Err(SyntaxError { mark, message: "unbalanced mapping".into() });
                };
                if flow {
                    covered.push((m.line, span.end.line()));
                }
                nodes += 1;
                let n = Node { value: Value::Map(entries), mark: m };
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                n
            }
        };
        // Attach the finished node to its parent (or make it the root).
        match stack.last_mut() {
            None => {
                if docs <= 1 && doc.root.is_none() {
                    doc.root = Some(node);
                }
            }
            Some(Frame::Seq(_, items, _, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, _, _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let Some(k) = key.text()
                        && let Some(prev) = entries.iter().find(|e| e.key.text() == Some(k))
                    {
                        doc.remarks.push(Remark {
                            mark: key.mark,
                            message: format!(
                                "duplicate key \"{k}\" (also on line {}): this later one is used",
                                prev.key.mark.line
                            ),
                        });
                    }
                    entries.push(Entry { key, value: node });
                }
            },
        }
    };
    let tab = first_indent_tab(&lines, &covered);
    match (result, tab) {
        (Ok(()), None) => Ok(doc),
        (Ok(()), Some(t)) => Err(t),
        // A tab near the parser's complaint is its cause (saphyr reports some tabs on the line
        // before, or lets them through): report the tab.
        (Err(e), Some(t)) if t.mark.line <= e.mark.line + 1 => Err(t),
        (Err(e), _) => Err(e),
    }
}

fn count(n: &Node) -> usize {
    1 + match &n.value {
        Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|e| count(&e.key) + count(&e.value)).sum(),
    }
}

fn start_mark(span: &Span) -> Mark {
    Mark::new(span.start.line(), span.start.col() + 1)
}

fn char_at(lines: &[&str], m: Mark) -> Option<char> {
    lines.get(m.line.checked_sub(1)?)?.chars().nth(m.column.checked_sub(1)?)
}

/// The first line whose indentation holds a tab (outside multi-line scalars and flow
/// collections, where a tab is content or allowed space).
fn first_indent_tab(lines: &[&str], covered: &[(usize, usize)]) -> Option<SyntaxError> {
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        let lead: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let rest = &l[lead.len()..];
        if !lead.contains('\t') || rest.trim().is_empty() || rest.starts_with('#') {
            continue;
        }
        if covered.iter().any(|&(a, b)| line > a && line <= b) {
            continue;
        }
        let col = lead.chars().position(|c| c == '\t').unwrap() + 1;
        return Some(SyntaxError {
            mark: Mark::new(line, col),
            message: "a tab character in the indentation: YAML indents with spaces only".into(),
        });
    }
    None
}

/// Rewords saphyr's message and moves its mark to where the problem is.
fn adjust(lines: &[&str], mut mark: Mark, info: &str, stack: &[Frame]) -> SyntaxError {
    let first_content_col = |line: usize| -> Option<usize> {
        let l = lines.get(line.checked_sub(1)?)?;
        l.chars().position(|c| c != ' ').map(|p| p + 1)
    };
    let open_flow = stack.iter().rev().find_map(|f| match f {
        Frame::Seq(m, _, _, true) => Some((*m, '[', ']')),
        Frame::Map(m, _, _, _, true) => Some((*m, '{', '}')),
        _ => None,
    });
    let message = if info.contains("did not find expected key") {
        // saphyr marks the token after a `- `; the item itself starts at the line's first
        // non-space character.
        if let Some(c) = first_content_col(mark.line)
            && c < mark.column
        {
            mark.column = c;
        }
        let what = match char_at(lines, mark) {
            Some('-') => "a list item (`-`) where a key of the mapping around it was expected",
            _ => "something that is not a key, where a key of the mapping around it was expected",
        };
        format!("did not find expected key: {what}")
    } else if info.contains("did not find expected '-' indicator") {
        if let Some(c) = first_content_col(mark.line)
            && c < mark.column
        {
            mark.column = c;
        }
        "did not find expected '-': a key where the next list item was expected (misindented?)".into()
    } else if (info.contains("flow sequence") || info.contains("flow mapping"))
        && let Some((m, open, close)) = open_flow
    {
        let at = mark;
        mark = m;
        format!(
            "the '{open}' here is never closed: expected ',' or '{close}' (found {} at {}:{})",
            if at.line > lines.len() || lines[at.line - 1].len() < at.column { "the end" } else { "more" },
            at.line,
            at.column
        )
    } else if info.contains("mapping values are not allowed") {
        "mapping values are not allowed here: a `key:` inside a plain value (misindented, or a value that needs quotes)".into()
    } else {
        info.strip_prefix("while ").map(|s| format!("while {s}")).unwrap_or_else(|| info.to_string())
    };
    SyntaxError { mark, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_scalars() {
        let r = |t| resolve(t, Style::Plain, None);
        assert_eq!(r("yes"), Scalar::Bool(true));
        assert_eq!(r("Off"), Scalar::Bool(false));
        assert_eq!(r("0644"), Scalar::Int(0o644));
        assert_eq!(r("644"), Scalar::Int(644));
        assert_eq!(r("0x1F"), Scalar::Int(31));
        assert_eq!(r("1_000"), Scalar::Int(1000));
        assert_eq!(r("3.5"), Scalar::Float(3.5));
        assert_eq!(r("1e3"), Scalar::Float(1000.0));
        assert_eq!(r("~"), Scalar::Null);
        assert_eq!(r("0o644"), Scalar::Str("0o644".into()));
        assert_eq!(r("1.2.3"), Scalar::Str("1.2.3".into()));
        assert_eq!(r("999"), Scalar::Int(999));
        assert_eq!(resolve("true", Style::Quoted, None), Scalar::Str("true".into()));
        assert_eq!(resolve("12", Style::Plain, Some("tag:yaml.org,2002:str")), Scalar::Str("12".into()));
    }

    #[test]
    fn marks_of_keys_and_values() {
        let d = parse("#cloud-config\ncoreos:\n  units:\n    - name: a\n      command: start\n").unwrap();
        let root = d.root.unwrap();
        let coreos = &root.entries().unwrap()[0];
        assert_eq!(coreos.key.mark, Mark::new(2, 1));
        let units = &coreos.value.entries().unwrap()[0];
        assert_eq!(units.key.mark, Mark::new(3, 3));
        let item = &units.value.items().unwrap()[0];
        let cmd = &item.entries().unwrap()[1];
        assert_eq!(cmd.key.mark, Mark::new(5, 7));
        assert_eq!(cmd.value.mark, Mark::new(5, 16));
    }

    #[test]
    fn the_seed_as_printed_fails_at_18_1() {
        let text = "#cloud-config\n\ncoreos:\netcd2:\nunits:\n- name: etcd2.service\ncommand: start\n- name: fleet.service\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.mark, Mark::new(8, 1), "{e:?}");
        assert!(e.message.starts_with("did not find expected key"), "{e:?}");
    }

    #[test]
    fn tabs_in_indentation() {
        assert_eq!(parse("#c\n\thostname: x\n").unwrap_err().mark, Mark::new(2, 1));
        assert_eq!(parse("#c\nhostname: x\n\tfoo: bar\n").unwrap_err().mark, Mark::new(3, 1));
        assert_eq!(parse("#c\ncoreos:\n\tunits:\n").unwrap_err().mark, Mark::new(3, 1));
        // A tab inside a block scalar is content.
        assert!(parse("a: |\n  x\n  \ty\n").is_ok());
    }

    #[test]
    fn unclosed_flow_and_quote() {
        let e = parse("#c\nhostname: [unterminated\n").unwrap_err();
        assert_eq!(e.mark, Mark::new(2, 11), "{e:?}");
        let e = parse("#c\nhostname: \"unterminated\n").unwrap_err();
        assert_eq!(e.mark, Mark::new(2, 11), "{e:?}");
    }

    #[test]
    fn duplicates_and_aliases() {
        let d = parse("a: &x [1, 2]\nb: *x\na: 3\n").unwrap();
        assert_eq!(d.remarks.len(), 1);
        assert_eq!(d.remarks[0].mark, Mark::new(3, 1));
        let root = d.root.unwrap();
        assert_eq!(root.entries().unwrap()[1].value.items().unwrap().len(), 2);
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
        assert!(parse(bomb).is_err());
    }
}
