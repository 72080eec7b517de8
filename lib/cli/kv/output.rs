//! What `kv` prints: etcdctl's `simple`, `extended` and `json` renderings of an answer, with
//! JSON written byte for byte as etcdctl's Go encoder writes it (`\u003c` for `<`, `"nodes":null`…).

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::client::{Node, Response};

/// `-o simple|extended|json` (anything else is kept to be reported the way etcdctl does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Simple,
    Extended,
    Json,
    Unsupported(String),
}

impl Format {
    pub fn parse(s: &str) -> Format {
        match s {
            "simple" => Format::Simple,
            "extended" => Format::Extended,
            "json" => Format::Json,
            other => Format::Unsupported(other.to_string()),
        }
    }
}

/// A JSON string as Go's `encoding/json` writes it (HTML-safe escapes, `\u00XX` for controls).
pub fn go_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A node as etcd's Go client marshals it.
pub fn go_node(out: &mut String, n: &Node) {
    out.push_str("{\"key\":");
    go_string(out, &n.key);
    if n.dir {
        out.push_str(",\"dir\":true");
    }
    out.push_str(",\"value\":");
    go_string(out, &n.value);
    out.push_str(",\"nodes\":");
    match &n.nodes {
        None => out.push_str("null"),
        Some(children) => {
            out.push('[');
            for (i, c) in children.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_node(out, c);
            }
            out.push(']');
        }
    }
    let _ = write!(out, ",\"createdIndex\":{},\"modifiedIndex\":{}", n.created_index, n.modified_index);
    if let Some(e) = &n.expiration {
        out.push_str(",\"expiration\":");
        go_string(out, e);
    }
    if n.ttl != 0 {
        let _ = write!(out, ",\"ttl\":{}", n.ttl);
    }
    out.push('}');
}

/// `{"action":…,"node":…,"prevNode":…}` on one line.
pub fn go_response(r: &Response) -> String {
    let mut s = String::with_capacity(128);
    s.push_str("{\"action\":");
    go_string(&mut s, &r.action);
    s.push_str(",\"node\":");
    go_node(&mut s, &r.node);
    s.push_str(",\"prevNode\":");
    match &r.prev_node {
        None => s.push_str("null"),
        Some(p) => go_node(&mut s, p),
    }
    s.push('}');
    s
}

/// etcdctl's `printResponseKey`: the answer in the chosen format.
pub fn print_response(out: &mut dyn Write, r: &Response, format: &Format) -> io::Result<()> {
    match format {
        Format::Simple => {
            if r.action != "delete" {
                writeln!(out, "{}", r.node.value)
            } else {
                let prev = r.prev_node.as_ref().map(|p| p.value.as_str()).unwrap_or("");
                writeln!(out, "PrevNode.Value: {prev}")
            }
        }
        Format::Extended => {
            writeln!(out, "Key: {}", r.node.key)?;
            writeln!(out, "Created-Index: {}", r.node.created_index)?;
            writeln!(out, "Modified-Index: {}", r.node.modified_index)?;
            if let Some(p) = &r.prev_node {
                writeln!(out, "PrevNode.Value: {}", p.value)?;
            }
            writeln!(out, "TTL: {}", r.node.ttl)?;
            writeln!(out, "Index: {}", r.index)?;
            if r.action != "delete" {
                writeln!(out)?;
                writeln!(out, "{}", r.node.value)?;
            }
            Ok(())
        }
        Format::Json => writeln!(out, "{}", go_response(r)),
        Format::Unsupported(f) => {
            eprintln!("Unsupported output format: {f}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_go() {
        let mut s = String::new();
        go_string(&mut s, "<a&b>\"\\\u{1}\u{8}\u{c}é\u{2028}");
        assert_eq!(s, r#""\u003ca\u0026b\u003e\"\\\u0001\u0008\u000cé\u2028""#);
    }
}
