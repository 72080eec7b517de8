//! What validation found: each finding has a place (line and column), a severity and a
//! message, printed as `FILE:LINE:COLUMN: error|warning|info: message` — coreos-cloudinit's
//! `line N: kind: message` with the column added — or as JSON.

use serde::Serialize;

use super::yaml::Mark;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which rule a finding comes from (stable names, for `-o json` and for tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The header: not `#cloud-config`, `#!`, Ignition JSON or empty.
    Header,
    Yaml,
    UnknownKey,
    Type,
    Deprecated,
    Value,
    Encoding,
    ReadOnlyPath,
    Placement,
    Discovery,
    /// `$private_ipv4` and the other address tokens.
    Substitution,
    Units,
    Duplicate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub line: usize,
    pub column: usize,
    #[serde(rename = "kind")]
    pub severity: Severity,
    pub rule: Rule,
    pub message: String,
    /// How to fix it, when there is something to say ("did you mean …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(mark: Mark, severity: Severity, rule: Rule, message: impl Into<String>) -> Finding {
        Finding { line: mark.line, column: mark.column, severity, rule, message: message.into(), hint: None }
    }
    pub fn error(mark: Mark, rule: Rule, message: impl Into<String>) -> Finding {
        Finding::new(mark, Severity::Error, rule, message)
    }
    pub fn warning(mark: Mark, rule: Rule, message: impl Into<String>) -> Finding {
        Finding::new(mark, Severity::Warning, rule, message)
    }
    pub fn info(mark: Mark, rule: Rule, message: impl Into<String>) -> Finding {
        Finding::new(mark, Severity::Info, rule, message)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// `FILE:LINE:COLUMN: severity: message`, then `FILE:LINE:COLUMN: hint: …` when there is one.
    pub fn render(&self, file: &str) -> String {
        let mut s =
            format!("{file}:{}:{}: {}: {}", self.line, self.column, self.severity.as_str(), self.message);
        if let Some(h) = &self.hint {
            s.push_str(&format!("\n{file}:{}:{}: hint: {h}", self.line, self.column));
        }
        s
    }
}

/// Findings in a stable order: by place, then severity, then message. (coreos-cloudinit
/// reports rule by rule, in Go's random map order within a rule.)
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.line, a.column, a.severity, &a.message).cmp(&(b.line, b.column, b.severity, &b.message))
    });
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_line_and_column() {
        let f =
            Finding::error(Mark::new(5, 16), Rule::Value, "invalid value begin").with_hint("one of: start");
        assert_eq!(
            f.render("x.yml"),
            "x.yml:5:16: error: invalid value begin\nx.yml:5:16: hint: one of: start"
        );
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["kind"], "error");
        assert_eq!(v["rule"], "value");
        assert_eq!(v["line"], 5);
    }

    #[test]
    fn order_is_by_place() {
        let mut v = vec![
            Finding::error(Mark::new(5, 1), Rule::Value, "b"),
            Finding::warning(Mark::new(4, 3), Rule::UnknownKey, "a"),
            Finding::error(Mark::new(4, 3), Rule::Value, "c"),
        ];
        sort(&mut v);
        assert_eq!(v.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(), ["c", "a", "b"]);
    }
}
