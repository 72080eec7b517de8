//! Form and query-string parsing with the rules etcd's clients rely on (Go's `url.ParseQuery`):
//! `&`-separated `key=value` pairs, `+` is a space, `%XX` escapes; a `;` separator or a bad
//! escape is an error, not something to guess around. Values must be UTF-8.

/// Parsed parameters in arrival order (body first, then query, like Go's `Request.Form`).
#[derive(Debug, Default, Clone)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Adds every pair of an `application/x-www-form-urlencoded` string.
    pub fn parse_into(&mut self, raw: &[u8]) -> Result<(), String> {
        for part in raw.split(|&b| b == b'&') {
            if part.is_empty() {
                continue;
            }
            if part.contains(&b';') {
                return Err("invalid semicolon separator in query".into());
            }
            let (k, v) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            let k = unescape(k)?;
            let v = unescape(v)?;
            self.pairs.push((k, v));
        }
        Ok(())
    }

    /// The first value of `key`, if the key is present at all.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The first value, or "" (Go's `FormValue`).
    pub fn value(&self, key: &str) -> &str {
        self.get(key).unwrap_or("")
    }

    /// A boolean parameter: absent → false; present → Go's `strconv.ParseBool` rules.
    pub fn bool(&self, key: &str) -> Result<bool, BadValue> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => parse_bool(v),
        }
    }

    /// An unsigned parameter: absent → 0; present → decimal digits only.
    pub fn u64(&self, key: &str) -> Result<u64, BadValue> {
        match self.get(key) {
            None => Ok(0),
            Some(v) => parse_u64(v),
        }
    }
}

/// A parameter's value is not what its kind allows (the caller answers with etcd's error
/// code for that parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadValue;

pub fn parse_bool(v: &str) -> Result<bool, BadValue> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(BadValue),
    }
}

pub fn parse_u64(v: &str) -> Result<u64, BadValue> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadValue);
    }
    v.parse().map_err(|_| BadValue)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Query unescaping: `+` → space, `%XX` → byte; the result must be UTF-8.
pub fn unescape(s: &[u8]) -> Result<String, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let (h, l) = (s.get(i + 1).copied().and_then(hex), s.get(i + 2).copied().and_then(hex));
                match (h, l) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    _ => {
                        let end = (i + 3).min(s.len());
                        return Err(format!("invalid URL escape {:?}", String::from_utf8_lossy(&s[i..end])));
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "invalid UTF-8 in form data".to_string())
}

/// Path unescaping: like [`unescape`] but `+` stays a `+`.
pub fn unescape_path(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => {
                    let end = (i + 3).min(b.len());
                    return Err(format!("invalid URL escape {:?}", String::from_utf8_lossy(&b[i..end])));
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "invalid UTF-8 in URL path".to_string())
}

/// Escapes a path for a `Location` header the way Go's `url.URL` does.
pub fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for &b in p.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@!'()*".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let mut f = Form::default();
        f.parse_into(b"value=a%3Db%26c+d&ttl=&dir").unwrap();
        assert_eq!(f.get("value"), Some("a=b&c d"));
        assert_eq!(f.get("ttl"), Some(""));
        assert_eq!(f.get("dir"), Some(""));
        assert_eq!(f.get("nope"), None);
        assert!(Form::default().parse_into(b"a=%zz").unwrap_err().contains("invalid URL escape"));
        // (found by fuzzing: the message sliced inside the character)
        assert!(unescape_path("/a%\u{1F600}").unwrap_err().contains("invalid URL escape"));
        assert!(unescape("a=%\u{e9}".as_bytes()).is_err());
        assert!(Form::default().parse_into(b"a=%4").is_err());
        assert!(Form::default().parse_into(b"a=1;b=2").is_err());
        assert!(Form::default().parse_into(b"a=%ff").unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn body_values_come_first() {
        let mut f = Form::default();
        f.parse_into(b"value=body").unwrap();
        f.parse_into(b"value=query&x=1").unwrap();
        assert_eq!(f.value("value"), "body");
        assert_eq!(f.value("x"), "1");
    }

    #[test]
    fn bools_and_numbers() {
        assert_eq!(parse_bool("True"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert!(parse_bool("yes").is_err());
        assert!(parse_bool("").is_err());
        assert_eq!(parse_u64("42"), Ok(42));
        for bad in ["", "-1", "1.5", "10s", "+3", "99999999999999999999999"] {
            assert!(parse_u64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(unescape_path("/a%20b+c").unwrap(), "/a b+c");
        assert!(unescape_path("/a%2").is_err());
        assert_eq!(escape_path("/a b?c%"), "/a%20b%3Fc%25");
    }
}
