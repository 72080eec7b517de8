//! What can go wrong when asking the agent for something. The messages are the ones the
//! `unit-run` commands print (after `unit-run: `); which exit status each kind ends a command
//! with is the CLI's business (`lib/cli/unit_run.rs`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No such unit (not loaded), or no journal for it.
    #[error("{0}")]
    NotFound(String),
    /// A bad unit file or name, or a request the agent does not understand.
    #[error("{0}")]
    BadInput(String),
    /// The job ran and the unit failed (or the job could not run: canceled, not applicable).
    #[error("{0}")]
    UnitFailed(String),
    /// The daemon can't be reached, or is shutting down, or its run dir is taken.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: a file that could not be written, an answer not understood.
    #[error("{0}")]
    Internal(String),
}

/// [`Error`]'s variants without their message (on the wire: `"not-found"`, `"bad-input"`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    NotFound,
    BadInput,
    UnitFailed,
    Unavailable,
    Internal,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let m = message.into();
        match kind {
            ErrorKind::NotFound => Error::NotFound(m),
            ErrorKind::BadInput => Error::BadInput(m),
            ErrorKind::UnitFailed => Error::UnitFailed(m),
            ErrorKind::Unavailable => Error::Unavailable(m),
            ErrorKind::Internal => Error::Internal(m),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::BadInput(_) => ErrorKind::BadInput,
            Error::UnitFailed(_) => ErrorKind::UnitFailed,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::NotFound(m)
            | Error::BadInput(m)
            | Error::UnitFailed(m)
            | Error::Unavailable(m)
            | Error::Internal(m) => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_messages_round_trip() {
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::BadInput,
            ErrorKind::UnitFailed,
            ErrorKind::Unavailable,
            ErrorKind::Internal,
        ] {
            let e = Error::new(kind, "Unit x.service not found.");
            assert_eq!((e.kind(), e.message()), (kind, "Unit x.service not found."));
            assert_eq!(e.to_string(), "Unit x.service not found.");
        }
        assert_eq!(serde_json::to_string(&ErrorKind::UnitFailed).unwrap(), "\"unit-failed\"");
    }
}
