//! Go's `path.Match`, which fleet uses for `Conflicts=` and `Replaces=`: `*` is any run of
//! characters but `/`, `?` one such character, `[a-z]`/`[^0-9]` a class, `\` escapes. A
//! malformed pattern matches nothing (Go returns `ErrBadPattern`, fleet treats it as no match).

/// Does `name` match `pattern`?
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if !well_formed(&p) {
        return false;
    }
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    // Classic backtracking over the last `*`: linear enough for unit names.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, len)) = class(&p[pi..], n[ni])
                        && ok
                    {
                        pi += len;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == n[ni] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c != '\\' && c != '?' && c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        // Mismatch: let the last star take one more character, unless that is a '/'.
        match star {
            Some((sp, sn)) if n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[...]` class at the start of `p` tested against `c`: (matched, length of the class).
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = *p.get(i)?;
        if lo == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, step) = if lo == '\\' { (*p.get(i + 1)?, 2) } else { (lo, 1) };
        i += step;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            let h = p[i + 1];
            let (h, step) = if h == '\\' { (*p.get(i + 2)?, 3) } else { (h, 2) };
            hi = h;
            i += step;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negated && c != '/', i))
}

/// Go checks the whole pattern: an unclosed class or a trailing `\` is an error.
fn well_formed(p: &[char]) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return false;
                }
                i += 2;
            }
            '[' => match class(&p[i..], '\0') {
                Some((_, len)) => i += len,
                None => return false,
            },
            _ => i += 1,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn like_go_path_match() {
        assert!(matches("web@*.service", "web@1.service"));
        assert!(matches("*.service", "croc.service"));
        assert!(!matches("web@*.service", "api@1.service"));
        assert!(matches("web@?.service", "web@1.service"));
        assert!(!matches("web@?.service", "web@10.service"));
        assert!(matches("web@[0-9].service", "web@7.service"));
        assert!(!matches("web@[^0-9].service", "web@7.service"));
        assert!(matches("a\\*b", "a*b"));
        assert!(!matches("a\\*b", "axb"));
        assert!(!matches("*", "a/b"), "a star never crosses '/'");
        assert!(matches("croc.service", "croc.service"));
        assert!(!matches("croc.service", "croc.service2"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
    }

    #[test]
    fn bad_patterns_match_nothing() {
        assert!(!matches("web@[0-9.service", "web@1.service"));
        assert!(!matches("trailing\\", "trailing\\"));
    }
}
