//! The x87 80-bit extended precision float ("long double" on x86-64 Linux),
//! in software: what INCRBYFLOAT and HINCRBYFLOAT need to give Redis's exact
//! results. Parsing follows glibc's strtold as Redis's string2ld accepts it,
//! addition rounds to nearest-even on a 64-bit mantissa as the FPU does, and
//! printing is "%.17Lf" with the trailing zeros removed (Redis's
//! LD_STR_HUMAN form).

use std::cmp::Ordering;

/// A finite value (-1)^neg * mant * 2^(exp - 63), mant's top bit set; zero
/// has mant 0. `exp == INF` marks an infinity (an accepted input that any
/// sum turns into Redis's "NaN or Infinity" error).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongDouble {
    neg: bool,
    exp: i32,
    mant: u64,
}

const INF: i32 = i32::MAX;
/// Largest binary exponent of a finite long double.
const MAX_EXP: i32 = 16383;
/// Exponent of the smallest subnormal; anything below rounds to zero.
const MIN_EXP: i32 = -16445;
/// Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are not floats.
const MAX_CHARS: usize = 5 * 1024;

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble { neg: false, exp: 0, mant: 0 };

    /// Parses `s` as Redis's string2ld: strtold's syntax (decimal or hex,
    /// "inf"/"infinity"), the whole input, no leading space, not NaN, no
    /// overflow, no underflow to zero.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_CHARS || s[0].is_ascii_whitespace() || s[0] == b'\x0b' {
            return None;
        }
        let (neg, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble { neg, exp: INF, mant: 0 });
        }
        let hex = body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x';
        let (num, scale) = if hex { parse_hex(&body[2..])? } else { parse_decimal(body)? };
        if num.is_zero() {
            return Some(LongDouble { neg, ..Self::ZERO });
        }
        let v = match scale {
            Scale::Binary(e) => from_ratio(num, Big::from_u64(1), e)?,
            Scale::Decimal(e) if e >= 0 => from_ratio(num.mul_pow10(e as u32), Big::from_u64(1), 0)?,
            Scale::Decimal(e) => from_ratio(num, Big::from_u64(1).mul_pow10(e.unsigned_abs() as u32), 0)?,
        };
        Some(LongDouble { neg, ..v })
    }

    pub fn is_infinite(self) -> bool {
        self.exp == INF
    }

    /// The correctly rounded sum; None when it (or an operand) is infinite.
    pub fn checked_add(self, o: LongDouble) -> Option<LongDouble> {
        if self.exp == INF || o.exp == INF {
            return None;
        }
        if self.mant == 0 {
            return Some(o);
        }
        if o.mant == 0 {
            return Some(self);
        }
        let (a, b) = if (self.exp, self.mant) >= (o.exp, o.mant) { (self, o) } else { (o, self) };
        // 62 guard bits below each mantissa; what shifts out of the smaller
        // one is kept as a sticky bit.
        let big = (a.mant as u128) << 62;
        let full = (b.mant as u128) << 62;
        let d = (a.exp - b.exp) as u32;
        let small = if d >= 126 { 1 } else { (full >> d) | ((full >> d << d != full) as u128) };
        let sum = if a.neg == b.neg { big + small } else { big - small };
        if sum == 0 {
            return Some(Self::ZERO);
        }
        let top = 127 - sum.leading_zeros() as i32;
        let (mant, carry) = round_to_64(sum, false);
        let exp = a.exp - 125 + top + carry;
        if exp > MAX_EXP {
            return None;
        }
        Some(LongDouble { neg: a.neg, exp, mant })
    }

    /// The exact value of a double (a long double holds every double).
    pub fn from_f64(d: f64) -> LongDouble {
        let neg = d.is_sign_negative();
        if d.is_infinite() {
            return LongDouble { neg, exp: INF, mant: 0 };
        }
        let bits = d.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        // d = m * 2^e with m an integer.
        let (m, e) = if biased == 0 { (frac, -1074) } else { (frac | (1u64 << 52), biased - 1075) };
        if m == 0 {
            return LongDouble { neg, ..Self::ZERO };
        }
        let lz = m.leading_zeros() as i32;
        LongDouble { neg, exp: e - lz + 63, mant: m << lz }
    }

    /// "%.17Lf" without trailing zeros (nor a trailing '.'), "-0" as "0".
    pub fn to_human_string(self) -> String {
        if self.mant == 0 {
            return "0".into();
        }
        let sign = if self.neg { "-" } else { "" };
        let e2 = self.exp - 63;
        if e2 >= 0 {
            return format!("{sign}{}", Big::from_u64(self.mant).shl(e2 as u32).to_decimal());
        }
        // Round mant * 10^17 / 2^-e2 to an integer, ties to even.
        const SCALE: u128 = 100_000_000_000_000_000;
        let x = self.mant as u128 * SCALE;
        let sh = e2.unsigned_abs();
        let r = if sh >= 128 {
            0
        } else {
            let (q, rest, half) = (x >> sh, x & ((1u128 << sh) - 1), 1u128 << (sh - 1));
            q + (rest > half || (rest == half && q & 1 == 1)) as u128
        };
        let text = format!("{}.{:017}", r / SCALE, r % SCALE);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "0" {
            "0".into()
        } else {
            format!("{sign}{text}")
        }
    }
}

/// Rounds `v` (non-zero) to its top 64 bits, ties to even; `sticky` says
/// that non-zero bits were lost below `v`. Returns the mantissa and how far
/// its top bit moved up past v's top bit (1 when rounding carried out).
/// Values under 64 bits are shifted up exactly.
fn round_to_64(v: u128, sticky: bool) -> (u64, i32) {
    let top = 127 - v.leading_zeros();
    if top <= 63 {
        return ((v << (63 - top)) as u64, 0);
    }
    let drop = top - 63;
    let (mant, rest, half) = (v >> drop, v & ((1u128 << drop) - 1), 1u128 << (drop - 1));
    let up = rest > half || (rest == half && (sticky || mant & 1 == 1));
    let mant = mant + up as u128;
    if mant >> 64 != 0 {
        ((mant >> 1) as u64, 1)
    } else {
        (mant as u64, 0)
    }
}

/// How the parsed integer is scaled.
enum Scale {
    /// value = num * 10^e
    Decimal(i64),
    /// value = num * 2^e
    Binary(i64),
}

/// Decimal digits with an optional point and exponent: (digits, 10-power).
fn parse_decimal(s: &[u8]) -> Option<(Big, Scale)> {
    let (mut digits, mut frac, mut seen_point, mut i) = (Vec::new(), 0i64, false, 0);
    let mut any = false;
    while i < s.len() {
        match s[i] {
            b'0'..=b'9' => {
                any = true;
                if !(digits.is_empty() && s[i] == b'0') {
                    digits.push(s[i] - b'0');
                }
                frac += seen_point as i64;
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    let exp = if i < s.len() { parse_exponent(&s[i..], b'e')? } else { 0 };
    let mut e = exp.saturating_sub(frac);
    while digits.last() == Some(&0) {
        digits.pop();
        e += 1;
    }
    if digits.is_empty() {
        return Some((Big::default(), Scale::Decimal(0)));
    }
    // Out of range either way (|value| > 1e4933 or < 1e-4952): reject
    // before building huge numbers.
    let magnitude = digits.len() as i64 + e;
    if !(-4952..=4933).contains(&magnitude) {
        return None;
    }
    Some((Big::from_digits(&digits), Scale::Decimal(e)))
}

/// Hex digits with an optional point and binary exponent (after "0x").
fn parse_hex(s: &[u8]) -> Option<(Big, Scale)> {
    let (mut num, mut frac, mut seen_point, mut i, mut any) = (Big::default(), 0i64, false, 0, false);
    while i < s.len() {
        match s[i] {
            b'.' if !seen_point => seen_point = true,
            c if c.is_ascii_hexdigit() => {
                any = true;
                num = num.mul_add(16, (c as char).to_digit(16)?);
                frac += seen_point as i64;
            }
            _ => break,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    let exp = if i < s.len() { parse_exponent(&s[i..], b'p')? } else { 0 };
    let e = exp.saturating_sub(frac.saturating_mul(4));
    if !num.is_zero() && !(MIN_EXP as i64 - 64..=MAX_EXP as i64 + 1).contains(&(num.bits() as i64 + e)) {
        return None;
    }
    Some((num, Scale::Binary(e)))
}

/// `<marker>[sign]digits` to the end of `s`, saturating.
fn parse_exponent(s: &[u8], marker: u8) -> Option<i64> {
    if s[0] | 0x20 != marker {
        return None;
    }
    let (neg, digits) = match s.get(1) {
        Some(b'-') => (true, &s[2..]),
        Some(b'+') => (false, &s[2..]),
        _ => (false, &s[1..]),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits.iter().fold(0i64, |v, &d| v.saturating_mul(10).saturating_add((d - b'0') as i64));
    Some(if neg { -v } else { v })
}

/// num / den * 2^scale rounded to a long double (num, den > 0).
fn from_ratio(num: Big, den: Big, scale: i64) -> Option<LongDouble> {
    // Scale so that the quotient has 66 or 67 bits: two guard bits at least.
    let k = 66 + den.bits() as i64 - num.bits() as i64;
    let a = num.shl(k.max(0) as u32);
    let b = den.shl((-k).max(0) as u32);
    let (q, sticky) = a.div_small_quotient(b);
    let top = 127 - q.leading_zeros() as i64;
    let (mant, carry) = round_to_64(q, sticky);
    let exp = top + carry as i64 + scale - k;
    if exp > MAX_EXP as i64 {
        return None;
    }
    if exp < MIN_EXP as i64 {
        return None;
    }
    Some(LongDouble { neg: false, exp: exp as i32, mant })
}

/// A non-negative big integer, little-endian 32-bit limbs, no high zeros.
#[derive(Clone, Default, Debug)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }

    fn from_digits(d: &[u8]) -> Big {
        d.chunks(9).fold(Big::default(), |b, chunk| {
            let v = chunk.iter().fold(0u32, |v, &d| v * 10 + d as u32);
            b.mul_add(10u32.pow(chunk.len() as u32), v)
        })
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bits(&self) -> u32 {
        self.0.last().map_or(0, |&top| 32 * self.0.len() as u32 - top.leading_zeros())
    }

    /// self * m + a
    fn mul_add(mut self, m: u32, a: u32) -> Big {
        let mut carry = a as u64;
        for limb in &mut self.0 {
            let v = *limb as u64 * m as u64 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
        self
    }

    fn mul_pow10(self, mut n: u32) -> Big {
        let mut b = self;
        while n > 0 {
            let step = n.min(9);
            b = b.mul_add(10u32.pow(step), 0);
            n -= step;
        }
        b
    }

    fn shl(&self, n: u32) -> Big {
        let (words, bits) = ((n / 32) as usize, n % 32);
        let mut out = vec![0u32; words];
        let mut carry = 0u32;
        for &limb in &self.0 {
            out.push(if bits == 0 { limb } else { (limb << bits) | carry });
            carry = if bits == 0 { 0 } else { limb >> (32 - bits) };
        }
        out.push(carry);
        let mut b = Big(out);
        b.trim();
        b
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.0.iter_mut().rev() {
            let next = *limb & 1;
            *limb = (*limb >> 1) | (carry << 31);
            carry = next;
        }
        self.trim();
    }

    fn cmp(&self, o: &Big) -> Ordering {
        self.0.len().cmp(&o.0.len()).then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }

    /// self -= o, with self >= o.
    fn sub_assign(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = *limb as i64 - o.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            borrow = (v < 0) as i64;
            *limb = v.rem_euclid(1 << 32) as u32;
        }
        self.trim();
    }

    /// self / d when the quotient fits in 127 bits, and whether a remainder
    /// was left.
    fn div_small_quotient(mut self, d: Big) -> (u128, bool) {
        let shift = self.bits().saturating_sub(d.bits());
        let mut t = d.shl(shift);
        let mut q = 0u128;
        for i in (0..=shift).rev() {
            if self.cmp(&t) != Ordering::Less {
                self.sub_assign(&t);
                q |= 1u128 << i;
            }
            t.shr1();
        }
        (q, !self.is_zero())
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.0.clone();
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            let mut rem = 0u64;
            for limb in limbs.iter_mut().rev() {
                let v = (rem << 32) | *limb as u64;
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            chunks.push(rem as u32);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut s = chunks.pop().map_or("0".into(), |c| c.to_string());
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_exactly() {
        assert_eq!(LongDouble::from_f64(13.361389338970184).to_human_string(), "13.36138933897018433");
        assert_eq!(LongDouble::from_f64(-0.5).to_human_string(), "-0.5");
        assert_eq!(LongDouble::from_f64(3.0).to_human_string(), "3");
        assert_eq!(LongDouble::from_f64(0.0).to_human_string(), "0");
    }

    fn sum(a: &str, b: &str) -> String {
        let (a, b) = (LongDouble::parse(a.as_bytes()).unwrap(), LongDouble::parse(b.as_bytes()).unwrap());
        a.checked_add(b).unwrap().to_human_string()
    }

    #[test]
    fn sums_as_redis_prints_them() {
        // Each expected text is what redis-server 7.0 replies on x86-64.
        assert_eq!(sum("10000000000", "0.1"), "10000000000.09999999962747097");
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("0", "1.5e-18"), "0");
        assert_eq!(sum("0", "3.14159e2"), "314.159");
        assert_eq!(sum("5.0e3", "1"), "5001");
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(sum("17179869184", "1.5"), "17179869185.5");
        assert_eq!(sum("1", "-1.1"), "-0.1");
        assert_eq!(sum("0", "0.024390243902439025"), "0.02439024390243902");
        assert_eq!(sum("0.024390243902439025", "-0.024390243902439025"), "0");
        assert_eq!(sum("123456789012345678901234567890", "0"), "123456789012345678899921813504");
        assert_eq!(sum("3.0000000000000000000000001", "0"), "3");
        assert!(sum("0", "1e300").starts_with("1000000000000000000008997324079559193870523944273290747938260082"));
        assert_eq!(sum("0x10", "0"), "16");
    }

    #[test]
    fn rejects_what_string2ld_rejects() {
        for bad in ["", " 1", "1 ", "nan", "1e", "1.2.3", "abc", "1e5000", "1e-5000", "0x", "--1", "1\0"] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad}");
        }
        for good in ["1", "-1", "+1.5", ".5", "5.", "1E+3", "inf", "-Infinity", "0.0", "1e-4940"] {
            assert!(LongDouble::parse(good.as_bytes()).is_some(), "{good}");
        }
        let inf = LongDouble::parse(b"inf").unwrap();
        assert!(inf.checked_add(LongDouble::ZERO).is_none());
        let big = LongDouble::parse(b"1e4932").unwrap();
        assert!(big.checked_add(big).is_none());
    }
}
