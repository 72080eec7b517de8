//! Making and removing tokens in a store, as discovery.etcd.io does: a token is a directory
//! holding `_config/size`; `disco serve` can also give the directory a TTL so that unused
//! tokens go away by themselves.

use crate::client::{self, Client, DeleteOptions, PrevExist, SetOptions};

use super::token;

/// The largest cluster `disco serve` and `disco new` hand out tokens for by default.
pub const DEFAULT_MAX_SIZE: u64 = 9;

/// What went wrong making or removing a token.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Randomness(#[from] token::NoRandomness),
    #[error("{0}")]
    Store(#[from] client::Error),
}

/// A cluster size as `/new?size=` or `--size` gave it, checked: 1 ≤ size ≤ `max` (the
/// original accepted 0 and negative sizes, which etcd members then crash on).
pub fn check_size(size: i64, max: u64) -> Result<u64, String> {
    if size < 1 || size as u64 > max {
        return Err(format!("size must be between 1 and {max}, not {size}"));
    }
    Ok(size as u64)
}

/// Creates the token directory `dir` for a cluster of `size`: `dir/_config/size`, and with
/// `ttl` > 0 the directory first, with that TTL (seconds).
pub fn create(c: &Client, dir: &str, size: i64, ttl: u64) -> Result<(), Error> {
    if ttl > 0 {
        let o = SetOptions { dir: true, ttl, prev_exist: PrevExist::MustNotExist, ..Default::default() };
        c.set(dir, "", &o)?;
    }
    let o = SetOptions { prev_exist: PrevExist::MustNotExist, ..Default::default() };
    c.set(&format!("{dir}/_config/size"), &size.to_string(), &o)?;
    Ok(())
}

/// A new token under the registry (`/_etcd/registry/<token>`), as the service makes them.
pub fn new_token(c: &Client, size: i64, ttl: u64) -> Result<String, Error> {
    let t = token::generate()?;
    create(c, &token::registry_dir(&t), size, ttl)?;
    Ok(t)
}

/// A new private discovery directory `base/<token>` straight in a store (for
/// `--discovery http://STORE/v2/keys/BASE/<token>`); returns the directory's key.
pub fn new_private(c: &Client, base: &str, size: i64, ttl: u64) -> Result<String, Error> {
    let t = token::generate()?;
    let dir = format!("{}/{t}", base.trim_end_matches('/'));
    create(c, &dir, size, ttl)?;
    Ok(dir)
}

/// Removes a token and everything registered under it.
pub fn delete(c: &Client, dir: &str) -> Result<(), Error> {
    c.delete(dir, &DeleteOptions { dir: true, recursive: true, ..Default::default() })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_range_checked() {
        assert_eq!(super::check_size(3, 9), Ok(3));
        assert!(super::check_size(0, 9).is_err());
        assert!(super::check_size(-1, 9).is_err());
        assert!(super::check_size(10, 9).unwrap_err().contains("between 1 and 9"));
    }
}
