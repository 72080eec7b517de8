//! `$private_ipv4`, `$public_ipv4`, `$private_ipv6`, `$public_ipv6` replaced in the raw
//! user-data text (scripts included), as coreos-cloudinit does — except that every occurrence
//! is replaced (it replaced the first of two adjacent ones only) and that a token with no value
//! is never silently made empty: [`substitute`] refuses, naming each place.
//!
//! `\$private_ipv4` is the escape: it becomes the literal `$private_ipv4`. A token is matched
//! as a prefix, as in coreos-cloudinit (`$private_ipv4s` is the address followed by `s`);
//! `${private_ipv4}` and `$PRIVATE_IPV4` are not tokens.

use super::metadata::{Metadata, Token};
use super::yaml::Mark;

/// One token in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub token: Token,
    /// Where its `$` (or the escaping `\`) is.
    pub mark: Mark,
    /// Byte offset of the `$` (or `\`) and the length of what is replaced.
    pub offset: usize,
    pub len: usize,
    pub escaped: bool,
}

/// Every token in `text`, in order.
pub fn scan(text: &str) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'$' => {
                let rest = &text[i + 1..];
                if let Some(t) = Token::ALL.iter().copied().find(|t| rest.starts_with(t.name())) {
                    let escaped = i > 0 && bytes[i - 1] == b'\\';
                    let start = if escaped { i - 1 } else { i };
                    let column = text[line_start..start].chars().count() + 1;
                    out.push(Occurrence {
                        token: t,
                        mark: Mark::new(line, column),
                        offset: start,
                        len: i + 1 + t.name().len() - start,
                        escaped,
                    });
                    i += 1 + t.name().len();
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The tokens that would be replaced (not escaped) but have no value.
pub fn missing(text: &str, md: &Metadata) -> Vec<Occurrence> {
    scan(text)
        .into_iter()
        .filter(|o| !o.escaped && md.get(o.token).is_none() && !in_comment(text, o))
        .collect()
}

/// Whether the occurrence is on a comment line (`#` first): there a token with no value is left
/// as it is — what a comment says does not matter.
fn in_comment(text: &str, o: &Occurrence) -> bool {
    text[..o.offset].rsplit('\n').next().is_some_and(|l| l.trim_start().starts_with('#'))
}

/// Replaces every token with its value and every escaped token with its literal text. Refuses
/// (returning the places) when a token outside a comment line has no value.
pub fn substitute(text: &str, md: &Metadata) -> Result<String, Vec<Occurrence>> {
    let occ: Vec<Occurrence> = scan(text)
        .into_iter()
        .filter(|o| o.escaped || md.get(o.token).is_some() || !in_comment(text, o))
        .collect();
    let missing: Vec<_> = occ.iter().filter(|o| !o.escaped && md.get(o.token).is_none()).cloned().collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for o in &occ {
        out.push_str(&text[at..o.offset]);
        if o.escaped {
            out.push('$');
            out.push_str(o.token.name());
        } else {
            out.push_str(&md.get(o.token).expect("checked above").value);
        }
        at = o.offset + o.len;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::metadata::Origin;
    use super::*;

    fn md() -> Metadata {
        let mut m = Metadata::default();
        m.set(Token::PrivateIpv4, "10.0.0.5".into(), Origin::Flag);
        m.set(Token::PublicIpv6, "2001:db8::1".into(), Origin::Flag);
        m
    }

    #[test]
    fn replaces_every_token_and_keeps_escapes() {
        let t = "a: http://$private_ipv4:2379\nb: $private_ipv4$private_ipv4\nc: \\$private_ipv4\nd: [$public_ipv6]:80 $private_ipv4s ${private_ipv4} $PRIVATE_IPV4\n";
        assert_eq!(
            substitute(t, &md()).unwrap(),
            "a: http://10.0.0.5:2379\nb: 10.0.0.510.0.0.5\nc: $private_ipv4\nd: [2001:db8::1]:80 10.0.0.5s ${private_ipv4} $PRIVATE_IPV4\n"
        );
    }

    #[test]
    fn a_token_without_a_value_is_refused_with_its_place() {
        let t = "x: 1\ny: http://$public_ipv4:80, \\$public_ipv4\n  # $public_ipv4 in a comment\n";
        let e = substitute(t, &md()).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].token, Token::PublicIpv4);
        assert_eq!(e[0].mark, Mark::new(2, 11));
        let all = scan(t);
        assert_eq!(all.len(), 3);
        assert!(all[1].escaped);
        assert_eq!(all[1].mark, Mark::new(2, 28));
    }
}
