//! Decoders for the compact blobs of RDB 9 and older that Redis 7.0 still
//! loads: ziplists (lists, hashes and sorted sets of Redis 3.2-6.2), zipmaps
//! (hashes before 2.6) and intsets (still current). Each decoder validates
//! the whole blob: bounds of every entry, header sizes, end markers.

use super::listpack::Item;
use super::RdbError;

fn bad(what: &str) -> RdbError {
    RdbError(format!("ziplist: {what}"))
}

/// Decodes a ziplist: header (total bytes u32, tail offset u32, count u16,
/// 65535 = unknown), entries of previous-length, encoding and data, then
/// 0xFF.
pub fn decode_ziplist(b: &[u8]) -> Result<Vec<Item<'_>>, RdbError> {
    const HEADER: usize = 10;
    if b.len() < HEADER + 1 {
        return Err(bad("too short"));
    }
    let total = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let tail = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    let count = u16::from_le_bytes([b[8], b[9]]);
    if total != b.len() || b[b.len() - 1] != 0xff || tail >= b.len() {
        return Err(bad("header"));
    }
    let end = b.len() - 1;
    let mut items = Vec::with_capacity(((end - HEADER) / 2).min(count as usize));
    let mut p = HEADER;
    let mut prev_len = 0usize;
    let mut last = HEADER;
    while p < end {
        let start = p;
        // The previous entry's length: one byte, or 0xFE and four.
        let prev = match b[p] {
            0xfe => {
                let l = b.get(p + 1..p + 5).ok_or_else(|| bad("prevlen"))?;
                p += 5;
                u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize
            }
            0xff => return Err(bad("prevlen")),
            n => {
                p += 1;
                n as usize
            }
        };
        if prev != prev_len {
            return Err(bad("prevlen mismatch"));
        }
        let e = *b.get(p).ok_or_else(|| bad("encoding"))?;
        let get = |from: usize, n: usize| b.get(from..from.checked_add(n)?).filter(|_| from + n <= end);
        let (item, next) = match e >> 6 {
            0 => {
                let n = (e & 0x3f) as usize;
                (Item::Str(get(p + 1, n).ok_or_else(|| bad("string"))?), p + 1 + n)
            }
            1 => {
                let lo = *b.get(p + 1).ok_or_else(|| bad("string"))? as usize;
                let n = ((e as usize & 0x3f) << 8) | lo;
                (Item::Str(get(p + 2, n).ok_or_else(|| bad("string"))?), p + 2 + n)
            }
            2 => {
                if e != 0x80 {
                    return Err(bad("encoding"));
                }
                let l = get(p + 1, 4).ok_or_else(|| bad("string"))?;
                let n = u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize;
                (Item::Str(get(p + 5, n).ok_or_else(|| bad("string"))?), p + 5 + n)
            }
            _ => {
                let width = match e {
                    0xc0 => 2,
                    0xd0 => 4,
                    0xe0 => 8,
                    0xf0 => 3,
                    0xfe => 1,
                    0xf1..=0xfd => 0,
                    _ => return Err(bad("encoding")),
                };
                let v = if width == 0 {
                    (e & 0x0f) as i64 - 1
                } else {
                    let d = get(p + 1, width).ok_or_else(|| bad("integer"))?;
                    let mut raw = [0u8; 8];
                    raw[..width].copy_from_slice(d);
                    let shift = 64 - 8 * width as u32;
                    (i64::from_le_bytes(raw) << shift) >> shift
                };
                (Item::Int(v), p + 1 + width)
            }
        };
        items.push(item);
        prev_len = next - start;
        last = start;
        p = next;
    }
    if p != end || (!items.is_empty() && tail != last) {
        return Err(bad("layout"));
    }
    if count != u16::MAX && count as usize != items.len() {
        return Err(bad("entry count"));
    }
    Ok(items)
}

/// A field and its value.
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// Decodes a zipmap into field/value pairs: a count byte (254 =
/// unknown), then per pair the field's length and bytes, the value's
/// length, a free-space byte, the value and that much padding; 0xFF ends.
pub fn decode_zipmap(b: &[u8]) -> Result<Vec<Pair<'_>>, RdbError> {
    let bad = |w: &str| RdbError(format!("zipmap: {w}"));
    let mut p = 1;
    if b.is_empty() {
        return Err(bad("empty"));
    }
    let len = |p: &mut usize| -> Result<Option<usize>, RdbError> {
        match *b.get(*p).ok_or_else(|| bad("length"))? {
            0xff => Ok(None),
            0xfe => {
                let l = b.get(*p + 1..*p + 5).ok_or_else(|| bad("length"))?;
                *p += 5;
                Ok(Some(u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize))
            }
            n => {
                *p += 1;
                Ok(Some(n as usize))
            }
        }
    };
    let mut pairs = Vec::with_capacity(b.len() / 4);
    while let Some(flen) = len(&mut p)? {
        let field = b.get(p..p.checked_add(flen).ok_or_else(|| bad("field"))?).ok_or_else(|| bad("field"))?;
        p += flen;
        let vlen = len(&mut p)?.ok_or_else(|| bad("value"))?;
        let free = *b.get(p).ok_or_else(|| bad("free"))? as usize;
        p += 1;
        let value = b.get(p..p.checked_add(vlen).ok_or_else(|| bad("value"))?).ok_or_else(|| bad("value"))?;
        p += vlen + free;
        pairs.push((field, value));
    }
    if p + 1 != b.len() {
        return Err(bad("trailing bytes"));
    }
    if b[0] < 254 && b[0] as usize != pairs.len() {
        return Err(bad("count"));
    }
    if pairs.is_empty() {
        return Err(bad("no pairs"));
    }
    Ok(pairs)
}

/// Decodes an intset: member width (2, 4 or 8, u32 LE), count (u32 LE),
/// then the members, little-endian, strictly ascending.
pub fn decode_intset(b: &[u8]) -> Result<Vec<i64>, RdbError> {
    let bad = |w: &str| RdbError(format!("intset: {w}"));
    if b.len() < 8 {
        return Err(bad("too short"));
    }
    let width = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let count = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err(bad("width"));
    }
    if count.checked_mul(width) != Some(b.len() - 8) {
        return Err(bad("size"));
    }
    let mut out: Vec<i64> = Vec::with_capacity(count);
    for c in b[8..].chunks_exact(width) {
        let v = match width {
            2 => i16::from_le_bytes([c[0], c[1]]) as i64,
            4 => i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
            _ => i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        };
        if out.last().is_some_and(|&p| p >= v) {
            return Err(bad("order"));
        }
        out.push(v);
    }
    Ok(out)
}

/// Encodes sorted, distinct integers as an intset blob.
pub fn encode_intset(members: &[i64]) -> Vec<u8> {
    let width: usize = if members.iter().any(|&v| i32::try_from(v).is_err()) {
        8
    } else if members.iter().any(|&v| i16::try_from(v).is_err()) {
        4
    } else {
        2
    };
    let mut out = Vec::with_capacity(8 + width * members.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for &v in members {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// A ziplist of `items` as Redis 6 wrote them (strings, or integers when
/// they parse as one), for the old-format tests.
#[cfg(test)]
pub(crate) fn encode_ziplist(items: &[&[u8]]) -> Vec<u8> {
    let mut zl = vec![0u8; 10];
    let (mut prev, mut tail) = (0usize, 10usize);
    for it in items {
        let mut e = if prev < 254 { vec![prev as u8] } else { [&[0xfe][..], &(prev as u32).to_le_bytes()].concat() };
        match crate::util::num::parse_i64(it) {
            Some(v) if (0..=12).contains(&v) => e.push(0xf1 + v as u8),
            Some(v) if i8::try_from(v).is_ok() => e.extend([0xfe, v as u8]),
            Some(v) if i16::try_from(v).is_ok() => e.extend([&[0xc0][..], &(v as i16).to_le_bytes()].concat()),
            Some(v) => e.extend([&[0xe0][..], &v.to_le_bytes()].concat()),
            None if it.len() < 64 => e.extend([&[it.len() as u8][..], it].concat()),
            None => e.extend([&[0x40 | (it.len() >> 8) as u8, it.len() as u8][..], it].concat()),
        }
        tail = zl.len();
        prev = e.len();
        zl.extend(e);
    }
    zl.push(0xff);
    let total = zl.len() as u32;
    zl[..4].copy_from_slice(&total.to_le_bytes());
    zl[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
    zl[8..10].copy_from_slice(&(items.len() as u16).to_le_bytes());
    zl
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::hex;

    #[test]
    fn ziplist_of_redis_6() {
        // RPUSH l a 1 -100 5000 hello on Redis 6 (LIST_QUICKLIST node):
        // entries of previous length, encoding and data.
        let zl = hex("1e00000016000000050000016103f202fe9c03c08813040568656c6c6fff");
        let items: [&[u8]; 5] = [b"a", b"1", b"-100", b"5000", b"hello"];
        assert_eq!(encode_ziplist(&items), zl);
        let items = decode_ziplist(&zl).unwrap();
        assert_eq!(items, vec![Item::Str(b"a"), Item::Int(1), Item::Int(-100), Item::Int(5000), Item::Str(b"hello")]);
        for cut in 0..zl.len() {
            assert!(decode_ziplist(&zl[..cut]).is_err());
        }
    }

    #[test]
    fn intset_as_redis_dumps_it() {
        // SADD s 1 2 3 70000 on redis-server 7.0.15.
        let redis = hex("040000000400000001000000020000000300000070110100");
        let redis = &redis[..];
        assert_eq!(decode_intset(redis).unwrap(), vec![1, 2, 3, 70000]);
        assert_eq!(encode_intset(&[1, 2, 3, 70000]), redis);
        assert_eq!(encode_intset(&[-5, 7]).len(), 8 + 4);
        assert_eq!(decode_intset(&encode_intset(&[i64::MIN, 0, i64::MAX])).unwrap(), vec![i64::MIN, 0, i64::MAX]);
        assert!(decode_intset(&encode_intset(&[3, 1])).is_err());
    }

    #[test]
    fn zipmap_pairs() {
        let zm = [2, 1, b'a', 2, 0, b'x', b'y', 1, b'b', 1, 2, b'z', 0, 0, 0xff];
        assert_eq!(decode_zipmap(&zm).unwrap(), vec![(&b"a"[..], &b"xy"[..]), (&b"b"[..], &b"z"[..])]);
        assert!(decode_zipmap(&zm[..zm.len() - 1]).is_err());
    }
}
