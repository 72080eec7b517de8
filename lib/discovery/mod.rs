//! `disco`: bootstrapping a cluster from a token, and backends announcing themselves to
//! whatever renders a load balancer's configuration. Everything goes through an etcd v2 store
//! with [`crate::client`]; nothing here prints or exits.
//!
//! Cluster discovery (discovery.etcd.io and etcd 2's side of it):
//!
//! | module | concept |
//! |---|---|
//! | [`token`] | tokens, discovery URLs, the registry's key layout |
//! | [`registry`] | making and removing tokens in a store |
//! | [`serve`] | `disco serve`: the discovery service's routes |
//! | [`gohttp`] | answers shaped byte for byte as Go's `net/http` and gorilla/mux shape them |
//! | [`forward`] | a token request passed on to the store, and its answer passed back |
//! | [`guard`] | who may change or delete a member entry |
//! | [`limit`] | the per-client request limit |
//! | [`join`] | etcd 2's member algorithm: register, wait for the others, the initial cluster |
//!
//! Service discovery (the sidekick pattern and confd):
//!
//! | module | concept |
//! |---|---|
//! | [`services`] | the key layout `PREFIX/SERVICE/INSTANCE` = `ADDR:PORT`, and listing it |
//! | [`health`] | a backend's health check: an HTTP URL or a command |
//! | [`announce`] | keeping an instance's key alive while it is healthy |
//! | [`template`] | the template engine and what templates see |
//! | [`render`] | render, compare, stage, check, install, reload — or keep the old file |
//! | [`watch`] | a watch that resumes from the right index across failovers and 401s |
//! | [`command`] | running a check or reload command with a time limit |

pub mod announce;
pub mod command;
pub mod forward;
pub mod gohttp;
pub mod guard;
pub mod health;
pub mod join;
pub mod limit;
pub mod registry;
pub mod render;
pub mod serve;
pub mod services;
pub mod template;
pub mod token;
pub mod watch;
