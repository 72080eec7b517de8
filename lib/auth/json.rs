//! Request bodies decoded as Go's `encoding/json` decodes them for etcd: object keys match
//! field names in any case (`{"User":…}`), and only the first JSON value counts.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// The first JSON value of `body` as a `T`; None when there is none or it does not fit.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let first = serde_json::Deserializer::from_slice(body).into_iter::<Value>().next()?.ok()?;
    serde_json::from_value(lower_keys(first)).ok()
}

fn lower_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k.to_lowercase(), lower_keys(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::super::user::UserRequest;
    use super::*;

    #[test]
    fn keys_in_any_case_and_the_first_value_only() {
        let u: UserRequest = decode(br#"{"User":"dave","PASSWORD":"pw","extra":1} trailing"#).unwrap();
        assert_eq!((u.user.as_str(), u.password.as_str()), ("dave", "pw"));
        assert!(decode::<UserRequest>(b"").is_none());
        assert!(decode::<UserRequest>(br#"{"user":"#).is_none());
        assert!(decode::<UserRequest>(br#"{"user":5}"#).is_none());
    }
}
