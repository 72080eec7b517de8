//! Passwords as etcd stores them: bcrypt, cost 10, `$2a$` hashes. Checking one costs ~50 ms of
//! CPU by design; a password that checked out against a user's current hash is remembered
//! (as a keyed SHA-1 digest, never in clear) so the next request with it costs a lookup. A
//! new password means a new hash, so a changed password is never taken from the cache.

use std::collections::HashMap;

use parking_lot::Mutex;
use sha1::{Digest, Sha1};

/// etcd's (Go's `bcrypt.DefaultCost`).
pub const COST: u32 = 10;

/// The bcrypt hash of `password`.
pub fn hash(password: &str) -> Result<String, String> {
    bcrypt::hash_with_result(password, COST)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Entries kept at most; past it the cache starts over.
const MAX_ENTRIES: usize = 4096;

/// Checks passwords against hashes, remembering those that matched.
pub struct Verifier {
    key: [u8; 32],
    /// (user, keyed digest of the password) → the hash it matched.
    matched: Mutex<HashMap<(String, [u8; 20]), String>>,
}

impl Default for Verifier {
    fn default() -> Verifier {
        let mut key = [0u8; 32];
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            use std::io::Read;
            let _ = f.read_exact(&mut key);
        }
        // (Were /dev/urandom unreadable, the digests would still never leave this process.)
        Verifier { key, matched: Mutex::new(HashMap::new()) }
    }
}

impl Verifier {
    fn digest(&self, password: &str) -> [u8; 20] {
        let mut h = Sha1::new();
        h.update(self.key);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// Whether `password` checked out against `hash` before (a lookup: no bcrypt).
    pub fn remembered(&self, user: &str, password: &str, hash: &str) -> bool {
        let k = (user.to_string(), self.digest(password));
        self.matched.lock().get(&k).is_some_and(|h| h == hash)
    }

    /// Whether `password` is the one `hash` was made from. Blocking (bcrypt, unless
    /// remembered): call it off the async threads.
    pub fn verify(&self, user: &str, password: &str, hash: &str) -> bool {
        let k = (user.to_string(), self.digest(password));
        if self.matched.lock().get(&k).is_some_and(|h| h == hash) {
            return true;
        }
        if !bcrypt::verify(password, hash).unwrap_or(false) {
            return false;
        }
        let mut m = self.matched.lock();
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(k, hash.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_etcds_and_verify() {
        let h = hash("secret").unwrap();
        assert!(h.starts_with("$2a$10$"), "{h}");
        let v = Verifier::default();
        assert!(v.verify("u", "secret", &h));
        assert!(v.verify("u", "secret", &h), "from the cache");
        assert!(!v.verify("u", "Secret", &h));
        let h2 = hash("other").unwrap();
        assert!(!v.verify("u", "secret", &h2), "a changed password is not taken from the cache");
    }
}
