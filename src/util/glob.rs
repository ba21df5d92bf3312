//! Glob-style pattern matching with exactly Redis 7.0's `stringmatchlen`
//! semantics: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, backslash escapes and all
//! of the C implementation's edge cases (an unterminated `[` set, a `-` at the
//! end of a set, reversed ranges, escapes inside sets compared without case
//! folding, ...). Used by KEYS, SCAN MATCH, CONFIG GET and friends.
//!
//! Like Redis, the matcher recurses only on `*` and stops at a nesting depth
//! of 1000, and it carries Redis's `skipLongerMatches` shortcut: once the
//! rest of a pattern after a `*` failed to match at every position of the
//! remaining string, no earlier `*` can help either, so the whole match
//! fails at once. That keeps patterns like `a*a*a*a*a*a*b` linear-ish instead
//! of exponential, and gives the same answers as Redis for every input,
//! including the pathological nesting cut-off.

/// Maximum recursion depth, as in Redis (`nesting > 1000` fails the branch).
const MAX_NESTING: u32 = 1000;

/// Returns true when `string` matches the glob `pattern`; `nocase` folds
/// ASCII case the way C's `tolower` does in the "C" locale.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

/// The C code reads one byte past the end of the pattern (its NUL
/// terminator) in a few places; this returns 0 there, as C would see.
#[inline]
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

#[inline]
fn lower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

fn match_impl(mut pat: &[u8], mut s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    while !pat.is_empty() && !s.is_empty() {
        match pat[0] {
            b'*' => {
                while !pat.is_empty() && at(pat, 1) == b'*' {
                    pat = &pat[1..];
                }
                if pat.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&pat[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
            }
            b'[' => {
                // `i` indexes `pat`; the C code keeps a pointer and a length
                // that always reach the same end, so an index is enough.
                // It may step back by one when the set is unterminated.
                let mut i = 1usize;
                let not = at(pat, i) == b'^';
                if not {
                    i += 1;
                }
                let mut matched = false;
                let c0 = s[0];
                loop {
                    let remaining = pat.len().saturating_sub(i);
                    let pc = at(pat, i);
                    if pc == b'\\' && remaining >= 2 {
                        i += 1;
                        if at(pat, i) == c0 {
                            matched = true;
                        }
                    } else if pc == b']' && remaining > 0 {
                        break;
                    } else if remaining == 0 {
                        // Unterminated set: step back so that the common
                        // "advance by one" below lands on the end.
                        i -= 1;
                        break;
                    } else if remaining >= 3 && at(pat, i + 1) == b'-' {
                        // C compares plain `char`s here, which are signed
                        // on the platforms Redis runs on: bytes >= 0x80
                        // sort below NUL inside ranges.
                        let mut start = signed(at(pat, i));
                        let mut end = signed(at(pat, i + 2));
                        let mut c = signed(c0);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = signed_lower(start);
                            end = signed_lower(end);
                            c = signed_lower(c);
                        }
                        i += 2;
                        if c >= start && c <= end {
                            matched = true;
                        }
                    } else if nocase {
                        if lower(pc) == lower(c0) {
                            matched = true;
                        }
                    } else if pc == c0 {
                        matched = true;
                    }
                    i += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                // Leave `pat` pointing at the set's last byte: the common
                // advance below steps past it.
                pat = &pat[i.min(pat.len())..];
            }
            b'\\' => {
                if pat.len() >= 2 {
                    pat = &pat[1..];
                }
                if !byte_eq(pat[0], s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
            c => {
                if !byte_eq(c, s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        pat = &pat[1..];
        if s.is_empty() {
            while !pat.is_empty() && pat[0] == b'*' {
                pat = &pat[1..];
            }
            break;
        }
    }
    pat.is_empty() && s.is_empty()
}

#[inline]
fn signed(b: u8) -> i32 {
    i32::from(b as i8)
}

#[inline]
fn signed_lower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[inline]
fn byte_eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        lower(a) == lower(b)
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    fn mi(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), true)
    }

    #[test]
    fn basics() {
        // Like Redis's stringmatchlen, nothing (not even "*") matches an
        // empty string: the loop never runs. (KEYS * special-cases "*".)
        assert!(!m("*", ""));
        assert!(!m("a*", ""));
        assert!(m("*", "anything"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(!m("a", ""));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges are swapped");
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("*a*", "banana"));
        assert!(!m("*x*", "banana"));
        assert!(m("a**b", "ab"));
        assert!(m("ab*", "ab"));
        assert!(m("ab**", "ab"));
        assert!(!m("ab*?", "ab"));
    }

    #[test]
    fn nocase() {
        assert!(mi("HELLO", "hello"));
        assert!(mi("h[A-Z]llo", "hello"));
        assert!(!m("HELLO", "hello"));
        assert!(mi("maxmemory*", "MAXMEMORY-policy"));
        // Escapes inside sets compare without case folding, as in Redis.
        assert!(!mi("[\\A]", "a"));
        assert!(mi("[\\a]", "a"));
    }

    #[test]
    fn edge_cases_match_redis() {
        // An unterminated set matches like a set ending at the pattern end.
        assert!(m("[abc", "a"));
        assert!(!m("[abc", "d"));
        assert!(!m("[", "x"));
        // "[^" is an empty negated set: it matches any single byte.
        assert!(m("[^", "x"));
        // "[a-]" is a range from ']' to 'a' (swapped), then unterminated.
        assert!(m("[a-]", "a"));
        assert!(m("[a-]", "^"));
        assert!(!m("[a-]", "b"));
        // "[]]" : the first ']' closes an empty set; then a literal ']'.
        assert!(!m("[]]", "]"));
        assert!(m("[\\]]", "]"));
        // A trailing backslash matches a literal backslash.
        assert!(m("a\\", "a\\"));
        assert!(!m("a\\", "a"));
        // Backslash in a set at the very end is literal.
        assert!(m("[\\", "\\"));
    }

    #[test]
    fn pathological_patterns_terminate_fast() {
        let s = "a".repeat(5000);
        let p = "a*".repeat(200) + "b";
        let t = std::time::Instant::now();
        assert!(!m(&p, &s));
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        // Deeper than the nesting limit: Redis gives up on that branch.
        let deep = "*a".repeat(1200);
        assert!(!m(&deep, &"a".repeat(1200)));
        assert!(m(&"*a".repeat(900), &"a".repeat(900)));
    }

    #[test]
    fn binary_bytes() {
        assert!(glob_match(b"\x00*\xff", b"\x00abc\xff", false));
        assert!(glob_match(b"[\x00-\x10]", b"\x05", false));
        assert!(!glob_match(b"\x00", b"", false));
    }
}
