//! The RDB format's building blocks, written and read: lengths (6-bit,
//! 14-bit, 32-bit and 64-bit forms, and the "encoded" form that marks
//! integer and LZF strings), strings (as small integers when they are
//! canonical ones, LZF-compressed when asked and worth it), binary and
//! textual doubles, and fixed-width integers. `Reader` is a bounds-checked
//! cursor: every read fails with an `RdbError` instead of running past the
//! input, and no length read from the input allocates more than the input
//! could fill.

use super::{lzf, RdbError};
use crate::util::num::{fmt_i64, parse_i64, strtod};
use bytes::Bytes;

/// Length forms (top two bits of the first byte).
const LEN_6BIT: u8 = 0;
const LEN_14BIT: u8 = 1;
const LEN_32BIT: u8 = 0x80;
const LEN_64BIT: u8 = 0x81;
const LEN_ENCODED: u8 = 3;
/// The "encoded" string kinds.
const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// Appends a length.
pub fn write_len(out: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        out.push((LEN_6BIT << 6) | n as u8);
    } else if n < 1 << 14 {
        out.push((LEN_14BIT << 6) | (n >> 8) as u8);
        out.push((n & 0xff) as u8);
    } else if n <= u32::MAX as u64 {
        out.push(LEN_32BIT);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(LEN_64BIT);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Appends `v` in the integer-encoded string form when it fits 32 bits;
/// false when it does not.
fn write_int_encoded(out: &mut Vec<u8>, v: i64) -> bool {
    let enc = LEN_ENCODED << 6;
    if let Ok(b) = i8::try_from(v) {
        out.extend_from_slice(&[enc | ENC_INT8, b as u8]);
    } else if let Ok(h) = i16::try_from(v) {
        out.push(enc | ENC_INT16);
        out.extend_from_slice(&h.to_le_bytes());
    } else if let Ok(w) = i32::try_from(v) {
        out.push(enc | ENC_INT32);
        out.extend_from_slice(&w.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends a string as Redis does: a canonical integer of at most 11
/// characters that fits 32 bits as an encoded integer; with `compress`,
/// strings over 20 bytes LZF-compressed when that saves at least 4 bytes
/// (as rdbcompression); else length and bytes.
pub fn write_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= 11 {
        if let Some(v) = parse_i64(s) {
            if write_int_encoded(out, v) {
                return;
            }
        }
    }
    if compress && s.len() > 20 {
        if let Some(c) = lzf::compress(s, s.len() - 4) {
            out.push((LEN_ENCODED << 6) | ENC_LZF);
            write_len(out, c.len() as u64);
            write_len(out, s.len() as u64);
            out.extend_from_slice(&c);
            return;
        }
    }
    write_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Appends an integer as a string (the integer form when it fits).
pub fn write_int_string(out: &mut Vec<u8>, v: i64) {
    if !write_int_encoded(out, v) {
        let mut buf = [0u8; 20];
        let s = fmt_i64(v, &mut buf);
        write_len(out, s.len() as u64);
        out.extend_from_slice(s);
    }
}

/// Appends a double in the binary form (8 bytes, little-endian IEEE 754).
pub fn write_binary_double(out: &mut Vec<u8>, d: f64) {
    out.extend_from_slice(&d.to_le_bytes());
}

/// A double as Redis's d2string writes it into listpacks: "nan", "inf",
/// "-inf", "0"/"-0", integers in decimal, else "%.17g".
pub fn d2string(d: f64) -> Vec<u8> {
    if d.is_nan() {
        b"nan".to_vec()
    } else if d.is_infinite() {
        if d < 0.0 {
            b"-inf".to_vec()
        } else {
            b"inf".to_vec()
        }
    } else if d == 0.0 {
        if d.is_sign_negative() {
            b"-0".to_vec()
        } else {
            b"0".to_vec()
        }
    } else if let Some(v) = double2ll(d) {
        v.to_string().into_bytes()
    } else {
        crate::util::num::printf_g(d, 17).into_bytes()
    }
}

/// `d` as an integer when it is one within +-2^62 (Redis's double2ll,
/// which decides whether a listpack score is stored as an integer).
pub fn double2ll(d: f64) -> Option<i64> {
    let lim = (i64::MAX / 2) as f64;
    if !(-lim..=lim).contains(&d) {
        return None;
    }
    let v = d as i64;
    (v as f64 == d).then_some(v)
}

/// A cursor over RDB bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// The error of reading past the end.
pub fn truncated() -> RdbError {
    RdbError("unexpected end of RDB data".into())
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Everything consumed so far.
    pub fn consumed(&self) -> &'a [u8] {
        &self.buf[..self.pos]
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(truncated());
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u8(&mut self) -> Result<u8, RdbError> {
        Ok(self.take(1)?[0])
    }

    pub fn u32_le(&mut self) -> Result<u32, RdbError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64_le(&mut self) -> Result<u64, RdbError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    /// A length, or the kind of an encoded string (the flag says which).
    pub fn len_or_encoding(&mut self) -> Result<(u64, bool), RdbError> {
        let first = self.u8()?;
        match first >> 6 {
            LEN_6BIT => Ok(((first & 0x3f) as u64, false)),
            LEN_14BIT => Ok(((((first & 0x3f) as u64) << 8) | self.u8()? as u64, false)),
            LEN_ENCODED => Ok(((first & 0x3f) as u64, true)),
            _ => match first {
                LEN_32BIT => {
                    let b = self.take(4)?;
                    Ok((u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64, false))
                }
                LEN_64BIT => {
                    let b = self.take(8)?;
                    Ok((u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]), false))
                }
                _ => Err(RdbError(format!("unknown length encoding {first}"))),
            },
        }
    }

    /// A plain length.
    pub fn len(&mut self) -> Result<u64, RdbError> {
        match self.len_or_encoding()? {
            (n, false) => Ok(n),
            (_, true) => Err(RdbError("unexpected encoded length".into())),
        }
    }

    /// A length used as a count of things that follow, each taking at
    /// least one byte: larger than what is left means corrupt.
    pub fn count(&mut self) -> Result<usize, RdbError> {
        let n = self.len()?;
        usize::try_from(n).ok().filter(|&n| n <= self.remaining()).ok_or_else(truncated)
    }

    /// A string in any of its forms; integers come back in decimal.
    pub fn string(&mut self) -> Result<Bytes, RdbError> {
        let (n, encoded) = self.len_or_encoding()?;
        if !encoded {
            let n = usize::try_from(n).map_err(|_| truncated())?;
            return Ok(Bytes::copy_from_slice(self.take(n)?));
        }
        let v: i64 = match n as u8 {
            ENC_INT8 => self.u8()? as i8 as i64,
            ENC_INT16 => {
                let b = self.take(2)?;
                i16::from_le_bytes([b[0], b[1]]) as i64
            }
            ENC_INT32 => {
                let b = self.take(4)?;
                i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64
            }
            ENC_LZF => return self.lzf().map(Bytes::from),
            k => return Err(RdbError(format!("unknown string encoding {k}"))),
        };
        Ok(Bytes::copy_from_slice(fmt_i64(v, &mut [0; 20])))
    }

    /// An LZF string's lengths and body, decompressed.
    fn lzf(&mut self) -> Result<Vec<u8>, RdbError> {
        let clen = self.len()?;
        let ulen = self.len()?;
        let clen = usize::try_from(clen).map_err(|_| truncated())?;
        let body = self.take(clen)?;
        // A 3-byte back reference yields at most 264 bytes: a longer
        // claimed length is a lie, refused before allocating for it.
        let ulen = usize::try_from(ulen)
            .ok()
            .filter(|&u| u > 0 && u <= clen.saturating_mul(88))
            .ok_or_else(|| RdbError("invalid LZF compressed string".into()))?;
        lzf::decompress(body, ulen).ok_or_else(|| RdbError("invalid LZF compressed string".into()))
    }

    /// A string expected to hold an integer (RDB 1-era fields).
    pub fn int_string(&mut self) -> Result<i64, RdbError> {
        let s = self.string()?;
        parse_i64(&s).ok_or_else(|| RdbError("expected an integer string".into()))
    }

    /// A binary double.
    pub fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_bits(self.u64_le()?))
    }

    /// A double in the old text form: a length byte (253 NaN, 254 +inf,
    /// 255 -inf) then that many characters.
    pub fn text_double(&mut self) -> Result<f64, RdbError> {
        match self.u8()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let s = self.take(n as usize)?;
                let (v, used, _) = strtod(s);
                if used == 0 {
                    return Err(RdbError("bad double value".into()));
                }
                Ok(v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_in_each_form() {
        for n in [0u64, 63, 64, 16383, 16384, u32::MAX as u64, u32::MAX as u64 + 1, u64::MAX] {
            let mut out = Vec::new();
            write_len(&mut out, n);
            let mut r = Reader::new(&out);
            assert_eq!(r.len().unwrap(), n);
            assert!(r.is_empty());
        }
    }

    #[test]
    fn strings_take_redis_forms() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"12", &[0xc0, 12]),
            (b"-300", &[0xc1, 0xd4, 0xfe]),
            (b"100000", &[0xc2, 0xa0, 0x86, 0x01, 0x00]),
            (b"012", &[3, b'0', b'1', b'2']),
            (b"12345678901", &[11, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b'0', b'1']),
        ];
        for (s, want) in cases {
            let mut out = Vec::new();
            write_string(&mut out, s, true);
            assert_eq!(out, want, "{:?}", String::from_utf8_lossy(s));
            assert_eq!(&Reader::new(&out).string().unwrap()[..], s);
        }
        let long = vec![b'a'; 50];
        let mut out = Vec::new();
        write_string(&mut out, &long, true);
        assert_eq!(out[0], 0xc3);
        assert_eq!(Reader::new(&out).string().unwrap(), long);
        // DUMP of SET k <50 x 'a'> from redis-server 7.0.15: its LZF decodes.
        let redis = [0xc3, 0x09, 0x32, 0x01, 0x61, 0x61, 0xe0, 0x25, 0x00, 0x01, 0x61, 0x61];
        assert_eq!(Reader::new(&redis).string().unwrap(), long);
    }

    #[test]
    fn d2string_matches_redis() {
        assert_eq!(d2string(1.0), b"1");
        assert_eq!(d2string(-3.0), b"-3");
        assert_eq!(d2string(2.5), b"2.5");
        assert_eq!(d2string(1e300), b"1.0000000000000001e+300");
        assert_eq!(d2string(f64::INFINITY), b"inf");
        assert_eq!(d2string(-0.0), b"-0");
    }

    #[test]
    fn lies_about_lengths_are_errors() {
        assert!(Reader::new(&[0x80, 0xff, 0xff, 0xff, 0xff]).string().is_err());
        assert!(Reader::new(&[0xc3, 0x01, 0x80, 0xff, 0xff, 0xff, 0xff, 0x00]).string().is_err());
        assert!(Reader::new(&[0xc7]).string().is_err());
        assert!(Reader::new(&[0x82]).len().is_err());
    }
}
