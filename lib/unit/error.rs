//! Located diagnostics for unit files.
//!
//! [`UnitError`] is fatal: the unit cannot be used.  It carries the file name
//! (as the user typed it, e.g. `./croc.service`), the 1-based line and the
//! 1-based column where the offending value starts, and renders like a
//! compiler diagnostic: `file:line:column: message`.  A zero line or column
//! means "not applicable" and is left out of the rendering (errors about the
//! unit as a whole, such as a missing `ExecStart=`, have no column).
//!
//! [`Warning`] is informational (unknown keys or sections, ignored sections)
//! and renders as `file:line: message`.

use std::fmt;

/// A fatal problem in a unit file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnitError {
    /// File name used in messages.
    pub file: String,
    /// 1-based line number, 0 when the error concerns the whole file.
    pub line: usize,
    /// 1-based column where the value starts, 0 when unknown.
    pub column: usize,
    /// Human-readable description.
    pub message: String,
}

impl UnitError {
    /// Builds an error; a convenience for the parsers in this module tree.
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        UnitError { file: file.to_string(), line, column, message: message.into() }
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A non-fatal remark about a unit file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// File name used in messages.
    pub file: String,
    /// 1-based line number, 0 when the warning concerns the whole file.
    pub line: usize,
    /// Human-readable description.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_with_and_without_column() {
        let e = UnitError::new("./croc.service", 7, 9, "Invalid Restart= value 'sometimes'");
        assert_eq!(e.to_string(), "./croc.service:7:9: Invalid Restart= value 'sometimes'");
        let e = UnitError::new("a.service", 3, 0, "boom");
        assert_eq!(e.to_string(), "a.service:3: boom");
        let e = UnitError::new("a.service", 0, 0, "boom");
        assert_eq!(e.to_string(), "a.service: boom");
        // It is a std error, usable with `?` and `Box<dyn Error>`.
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().ends_with("boom"));
    }

    #[test]
    fn warning_display() {
        let w =
            Warning { file: "x.service".into(), line: 4, message: "Unknown section 'Bar'. Ignoring.".into() };
        assert_eq!(w.to_string(), "x.service:4: Unknown section 'Bar'. Ignoring.");
    }
}
