//! etcd v2 API errors: a numeric code, a fixed message, the cause (usually a
//! key path) and the store index at the time of the error.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;

pub const KEY_NOT_FOUND: u32 = 100;
pub const TEST_FAILED: u32 = 101;
pub const NOT_FILE: u32 = 102;
pub const NOT_DIR: u32 = 104;
pub const NODE_EXIST: u32 = 105;
pub const KEY_IS_PRESERVED: u32 = 106;
pub const ROOT_READ_ONLY: u32 = 107;
pub const DIR_NOT_EMPTY: u32 = 108;
pub const UNAUTHORIZED: u32 = 110;

pub const VALUE_REQUIRED: u32 = 200;
pub const PREV_VALUE_REQUIRED: u32 = 201;
pub const TTL_NAN: u32 = 202;
pub const INDEX_NAN: u32 = 203;
pub const VALUE_OR_TTL_REQUIRED: u32 = 204;
pub const TIMEOUT_NAN: u32 = 205;
pub const NAME_REQUIRED: u32 = 206;
pub const INDEX_OR_VALUE_REQUIRED: u32 = 207;
pub const INDEX_VALUE_MUTEX: u32 = 208;
pub const INVALID_FIELD: u32 = 209;
pub const INVALID_FORM: u32 = 210;
pub const REFRESH_VALUE: u32 = 211;
pub const REFRESH_TTL_REQUIRED: u32 = 212;

pub const RAFT_INTERNAL: u32 = 300;
pub const LEADER_ELECT: u32 = 301;

pub const WATCHER_CLEARED: u32 = 400;
pub const EVENT_INDEX_CLEARED: u32 = 401;

/// The fixed message for an error code ("" for an unknown code).
pub fn message_for(code: u32) -> &'static str {
    match code {
        KEY_NOT_FOUND => "Key not found",
        TEST_FAILED => "Compare failed",
        NOT_FILE => "Not a file",
        NOT_DIR => "Not a directory",
        NODE_EXIST => "Key already exists",
        KEY_IS_PRESERVED => "The prefix of given key is a keyword in etcd",
        ROOT_READ_ONLY => "Root is read only",
        DIR_NOT_EMPTY => "Directory not empty",
        UNAUTHORIZED => "The request requires user authentication",
        VALUE_REQUIRED => "Value is Required in POST form",
        PREV_VALUE_REQUIRED => "PrevValue is Required in POST form",
        TTL_NAN => "The given TTL in POST form is not a number",
        INDEX_NAN => "The given index in POST form is not a number",
        VALUE_OR_TTL_REQUIRED => "Value or TTL is required in POST form",
        TIMEOUT_NAN => "The given timeout in POST form is not a number",
        NAME_REQUIRED => "Name is required in POST form",
        INDEX_OR_VALUE_REQUIRED => "Index or value is required",
        INDEX_VALUE_MUTEX => "Index and value cannot both be specified",
        INVALID_FIELD => "Invalid field",
        INVALID_FORM => "Invalid POST form",
        REFRESH_VALUE => "Value provided on refresh",
        REFRESH_TTL_REQUIRED => "A TTL must be provided on refresh",
        RAFT_INTERNAL => "Raft Internal Error",
        LEADER_ELECT => "During Leader Election",
        WATCHER_CLEARED => "watcher is cleared due to etcd recovery",
        EVENT_INDEX_CLEARED => "The event in requested index is outdated and cleared",
        _ => "",
    }
}

/// An etcd v2 error, serialized as
/// `{"errorCode":100,"message":"Key not found","cause":"/foo","index":12}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: u32,
    pub cause: String,
    pub index: u64,
}

impl Error {
    pub fn new(code: u32, cause: impl Into<String>, index: u64) -> Error {
        Error { code, cause: cause.into(), index }
    }

    pub fn message(&self) -> &'static str {
        message_for(self.code)
    }

    pub fn http_status(&self) -> u16 {
        match self.code {
            KEY_NOT_FOUND => 404,
            TEST_FAILED | NODE_EXIST => 412,
            NOT_FILE | DIR_NOT_EMPTY => 403,
            UNAUTHORIZED => 401,
            RAFT_INTERNAL | LEADER_ELECT => 500,
            _ => 400,
        }
    }

    /// The JSON body etcd sends for this error.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("error serialization cannot fail")
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Error", 4)?;
        st.serialize_field("errorCode", &self.code)?;
        st.serialize_field("message", self.message())?;
        st.serialize_field("cause", &self.cause)?;
        st.serialize_field("index", &self.index)?;
        st.end()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Same shape as etcd's Error(): "Message (cause)", plus the index.
        write!(f, "{} ({}) [{}]", self.message(), self.cause, self.index)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_in_etcd_key_order() {
        let e = Error::new(KEY_NOT_FOUND, "/foo", 12);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"errorCode":100,"message":"Key not found","cause":"/foo","index":12}"#
        );
        assert_eq!(e.to_json(), serde_json::to_vec(&e).unwrap());
    }

    #[test]
    fn http_statuses() {
        let st = |c| Error::new(c, "", 0).http_status();
        assert_eq!(st(100), 404);
        assert_eq!(st(101), 412);
        assert_eq!(st(102), 403);
        assert_eq!(st(104), 400);
        assert_eq!(st(105), 412);
        assert_eq!(st(106), 400);
        assert_eq!(st(107), 400);
        assert_eq!(st(108), 403);
        assert_eq!(st(110), 401);
        assert_eq!(st(209), 400);
        assert_eq!(st(300), 500);
        assert_eq!(st(301), 500);
        assert_eq!(st(400), 400);
        assert_eq!(st(401), 400);
    }

    #[test]
    fn messages() {
        assert_eq!(Error::new(106, "", 0).message(), "The prefix of given key is a keyword in etcd");
        assert_eq!(Error::new(212, "", 0).message(), "A TTL must be provided on refresh");
        assert_eq!(Error::new(401, "", 0).message(), "The event in requested index is outdated and cleared");
        assert_eq!(Error::new(400, "", 0).message(), "watcher is cleared due to etcd recovery");
        for c in [
            100, 101, 102, 104, 105, 106, 107, 108, 110, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209,
            210, 211, 212, 300, 301, 400, 401,
        ] {
            assert!(!message_for(c).is_empty(), "code {c}");
        }
    }

    #[test]
    fn display_and_std_error() {
        let e = Error::new(TEST_FAILED, "[a != b]", 3);
        assert_eq!(e.to_string(), "Compare failed ([a != b]) [3]");
        let _: &dyn std::error::Error = &e;
    }
}
