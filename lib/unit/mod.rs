//! systemd unit files, as corekit's `unit-run` and the fleet-style scheduler read them.
//!
//! The crate is layered:
//!
//! * [`syntax`] turns the INI-like text into a flat list of entries
//!   (sections, comments, continuation lines), knowing nothing about keys;
//! * [`service`] interprets those entries with systemd's semantics and
//!   produces a typed [`service::Unit`];
//! * the small helper modules ([`name`], [`timespan`], [`specifier`],
//!   [`exec`], [`environment`]) implement the individual value grammars and
//!   are usable on their own;
//! * [`error`] holds the located error and warning types.
//!
//! Nothing here touches the file system except
//! [`specifier::SpecifierContext::from_system`], which reads the host's
//! identity for `%H`, `%m` and `%b`.

pub mod environment;
pub mod error;
pub mod exec;
pub mod name;
pub mod service;
pub mod signal;
pub mod specifier;
pub mod syntax;
pub mod timespan;

pub use error::{UnitError, Warning};
pub use service::{Service, Unit, parse_unit};
