//! Numbers in Redis's textual forms: strict integer parsing (string2ll),
//! float parsing as Redis accepts it, and formatting.

/// Parses a signed 64-bit integer exactly as Redis's string2ll: no spaces,
/// no '+', no leading zeros (except "0" itself), no "-0".
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s.len() == 1 && s[0] == b'0' {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' { (true, &s[1..]) } else { (false, s) };
    if digits.is_empty() || digits[0] == b'0' {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// Parses an unsigned integer with string2ull-like strictness.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    parse_i64(s).and_then(|v| u64::try_from(v).ok())
}

/// Parses a float the way Redis's string2ld / strtod checks accept it:
/// no surrounding spaces, not NaN; "inf" forms allowed when `allow_inf`.
pub fn parse_f64(s: &[u8], allow_inf: bool) -> Option<f64> {
    if s.is_empty() || s[0].is_ascii_whitespace() || s[s.len() - 1].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let lower = text.to_ascii_lowercase();
    let v: f64 = match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        _ => {
            if lower.contains("nan") || lower.contains("inf") {
                return None;
            }
            // Rust accepts forms strtod does not ("1e", "."), and rejects
            // hex floats; both are rare enough to follow Rust here except
            // for the checks below.
            if lower.ends_with('e') || lower == "." || lower.starts_with("0x") {
                return None;
            }
            lower.parse().ok()?
        }
    };
    if v.is_nan() || (!allow_inf && v.is_infinite()) {
        return None;
    }
    Some(v)
}

/// Writes `n` in decimal into `buf`, returning the used part.
pub fn fmt_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let neg = n < 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Formats a double as Redis's addReplyDouble does ("%.17g", "inf", "-inf").
pub fn fmt_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    printf_g(d, 17)
}

/// C's "%.<prec>g" formatting, through libc's snprintf.
pub fn printf_g(d: f64, prec: usize) -> String {
    let mut buf = [0u8; 64];
    let fmt = format!("%.{prec}g\0");
    // SAFETY: the buffer and format are valid and NUL-terminated; snprintf
    // never writes more than buf.len() bytes.
    let n = unsafe {
        libc::snprintf(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), fmt.as_ptr() as *const libc::c_char, d)
    };
    let n = (n.max(0) as usize).min(buf.len() - 1);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Formats an INCRBYFLOAT / HINCRBYFLOAT result. Redis prints a long
/// double with "%.17Lf" and trims trailing zeros; with f64 arithmetic the
/// shortest representation that round-trips gives the same text for the
/// values a long double would print exactly, without exposing binary noise.
pub fn fmt_human_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return "0".into();
    }
    format!("{d}")
}

/// C's strtod over `s`: the value of the longest prefix that reads as a
/// number after leading white space (decimal, hexadecimal "0x..", "inf",
/// "infinity", "nan"), the bytes that prefix took (0 when there is none,
/// with the value 0), and whether the value overflowed or underflowed
/// (strtod's ERANGE).
pub fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while matches!(at(i), b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let sign = |v: f64| if neg { -v } else { v };
    let word = |i: usize, w: &str| s.len() >= i + w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes());
    if word(i, "inf") {
        let len = if word(i, "infinity") { 8 } else { 3 };
        return (sign(f64::INFINITY), i + len, false);
    }
    if word(i, "nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let close = (end + 1..s.len()).find(|&k| !(s[k].is_ascii_alphanumeric() || s[k] == b'_'));
            if let Some(k) = close.filter(|&k| s[k] == b')') {
                end = k + 1;
            }
        }
        return (f64::NAN, end, false);
    }
    let hex = at(i) == b'0'
        && matches!(at(i + 1), b'x' | b'X')
        && (at(i + 2).is_ascii_hexdigit() || (at(i + 2) == b'.' && at(i + 3).is_ascii_hexdigit()));
    let digit = |b: u8| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() };
    let start = if hex { i + 2 } else { i };
    let mut k = start;
    let (mut mantissa, mut scale, mut nonzero) = (0f64, 0i64, false);
    let mut seen = 0;
    let mut frac = false;
    loop {
        let b = at(k);
        if digit(b) {
            let d = (b as char).to_digit(16).unwrap_or(0);
            nonzero |= d != 0;
            if hex {
                mantissa = mantissa * 16.0 + d as f64;
                if frac {
                    scale -= 4;
                }
            }
            seen += 1;
        } else if b == b'.' && !frac {
            frac = true;
        } else {
            break;
        }
        k += 1;
    }
    if seen == 0 {
        return (0.0, 0, false);
    }
    let mantissa_end = k;
    let exp_mark = if hex { b'p' } else { b'e' };
    if at(k).eq_ignore_ascii_case(&exp_mark) {
        let mut m = k + 1;
        if matches!(at(m), b'+' | b'-') {
            m += 1;
        }
        if at(m).is_ascii_digit() {
            while at(m).is_ascii_digit() {
                m += 1;
            }
            k = m;
        }
    }
    let v = if hex {
        let exp: i64 = if k > mantissa_end {
            std::str::from_utf8(&s[mantissa_end + 1..k]).ok().and_then(|t| t.parse().ok()).unwrap_or(i64::MAX)
        } else {
            0
        };
        mantissa * 2f64.powi(exp.saturating_add(scale).clamp(-2000, 2000) as i32)
    } else {
        std::str::from_utf8(&s[start..k]).ok().and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0)
    };
    let erange = v.is_infinite() || (nonzero && (v == 0.0 || v.is_subnormal()));
    (sign(v), k, erange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers() {
        assert_eq!(parse_i64(b"123"), Some(123));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"012"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b""), None);
    }

    #[test]
    fn formatting() {
        let mut b = [0; 20];
        assert_eq!(fmt_i64(i64::MIN, &mut b), b"-9223372036854775808");
        assert_eq!(fmt_double(1.5), "1.5");
        assert_eq!(fmt_double(0.1), "0.10000000000000001");
        assert_eq!(fmt_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_human_double(10.5), "10.5");
        assert_eq!(fmt_human_double(3.0), "3");
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"1.5", false), Some(1.5));
        assert_eq!(parse_f64(b"inf", false), None);
        assert_eq!(parse_f64(b"-inf", true), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"nan", true), None);
        assert_eq!(parse_f64(b" 1", true), None);
    }

    #[test]
    fn strtod_prefixes() {
        assert_eq!(strtod(b"1.5"), (1.5, 3, false));
        assert_eq!(strtod(b"  -2e3x"), (-2000.0, 6, false));
        assert_eq!(strtod(b"1e"), (1.0, 1, false));
        assert_eq!(strtod(b"1.e2"), (100.0, 4, false));
        assert_eq!(strtod(b".5"), (0.5, 2, false));
        assert_eq!(strtod(b""), (0.0, 0, false));
        assert_eq!(strtod(b"abc"), (0.0, 0, false));
        assert_eq!(strtod(b"-Infinity"), (f64::NEG_INFINITY, 9, false));
        assert_eq!(strtod(b"0x1p4"), (16.0, 5, false));
        assert_eq!(strtod(b"0x"), (0.0, 1, false));
        assert!(strtod(b"1e999").2);
        assert!(strtod(b"1e-999").2);
        assert!(!strtod(b"0e-999").2);
        let (v, n, _) = strtod(b"nan(abc)");
        assert!(v.is_nan() && n == 8);
    }
}
