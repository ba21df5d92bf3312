//! Redis's listpack byte format, encoded and decoded exactly: a 6-byte
//! header (total bytes, u32 LE; element count, u16 LE, 65535 meaning "count
//! them"), the entries, and an 0xFF end byte. Each entry is an encoding
//! byte (small integers and string lengths packed into it), its data, and a
//! "back length": the size of encoding and data, written so that it reads
//! backwards 7 bits at a time. Strings that are canonical 64-bit integers
//! are stored as integers, in the smallest of the 7/13/16/24/32/64-bit
//! forms. RDB stores small hashes, sorted sets, list nodes and stream nodes
//! as listpack blobs.

use super::RdbError;
use crate::util::num::parse_i64;

/// Header bytes: total size and element count.
const HEADER: usize = 6;
/// The end marker.
const END: u8 = 0xff;
/// The element count saying "too many to hold here".
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One decoded entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Item<'_> {
    /// The entry as bytes: integers in decimal.
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Item::Str(s) => s.to_vec(),
            Item::Int(v) => v.to_string().into_bytes(),
        }
    }

    /// The entry as an integer, when it is one (or a string that reads as one).
    pub fn as_int(self) -> Option<i64> {
        match self {
            Item::Int(v) => Some(v),
            Item::Str(s) => parse_i64(s),
        }
    }
}

/// Builds a listpack blob entry by entry.
#[derive(Debug, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    count: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Writer {
    pub fn new() -> Writer {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0; HEADER]);
        Writer { buf, count: 0 }
    }

    /// Appends a string entry (an integer entry when it reads as one).
    pub fn push_str(&mut self, s: &[u8]) {
        match parse_i64(s) {
            Some(v) => self.push_int(v),
            None => {
                let start = self.buf.len();
                let len = s.len();
                if len < 64 {
                    self.buf.push(0x80 | len as u8);
                } else if len < 4096 {
                    self.buf.push(0xe0 | (len >> 8) as u8);
                    self.buf.push((len & 0xff) as u8);
                } else {
                    self.buf.push(0xf0);
                    self.buf.extend_from_slice(&(len as u32).to_le_bytes());
                }
                self.buf.extend_from_slice(s);
                self.finish_entry(start);
            }
        }
    }

    /// Appends an integer entry.
    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&v) {
            self.buf.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1fff;
            self.buf.push(0xc0 | (u >> 8) as u8);
            self.buf.push((u & 0xff) as u8);
        } else if (-32768..=32767).contains(&v) {
            self.buf.push(0xf1);
            self.buf.extend_from_slice(&(v as i16).to_le_bytes());
        } else if (-8388608..=8388607).contains(&v) {
            self.buf.push(0xf2);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
            self.buf.push(0xf3);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes());
        } else {
            self.buf.push(0xf4);
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.finish_entry(start);
    }

    pub fn push(&mut self, item: Item) {
        match item {
            Item::Str(s) => self.push_str(s),
            Item::Int(v) => self.push_int(v),
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes so far, as the finished blob would have them.
    pub fn bytes(&self) -> usize {
        self.buf.len() + 1
    }

    fn finish_entry(&mut self, start: usize) {
        let l = (self.buf.len() - start) as u64;
        push_backlen(&mut self.buf, l);
        self.count += 1;
    }

    /// The finished blob.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(END);
        let total = self.buf.len() as u32;
        let count = u16::try_from(self.count).ok().filter(|&c| c < COUNT_UNKNOWN).unwrap_or(COUNT_UNKNOWN);
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// The back length of an entry of `l` bytes (listpack's thresholds):
/// the bytes and how many of them are used.
fn backlen(l: u64) -> ([u8; 5], usize) {
    let n = if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2097151 {
        3
    } else if l < 268435455 {
        4
    } else {
        5
    };
    // The first byte holds the highest 7-bit group; every later one has
    // its top bit set, so the length reads backwards from the last byte.
    let mut b = [0u8; 5];
    for (i, byte) in b.iter_mut().enumerate().take(n) {
        let shift = 7 * (n - 1 - i);
        let group = ((l >> shift) & 127) as u8;
        *byte = if i == 0 { (l >> shift) as u8 } else { group | 128 };
    }
    (b, n)
}

fn push_backlen(out: &mut Vec<u8>, l: u64) {
    let (b, n) = backlen(l);
    out.extend_from_slice(&b[..n]);
}

fn bad(what: &str) -> RdbError {
    RdbError(format!("listpack: {what}"))
}

/// Decodes and validates a whole listpack blob: header size, every
/// entry's bounds and back length, the count, the end byte.
pub fn decode(blob: &[u8]) -> Result<Vec<Item<'_>>, RdbError> {
    if blob.len() < HEADER + 1 {
        return Err(bad("too short"));
    }
    let total = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    if total != blob.len() {
        return Err(bad("size in header"));
    }
    let count = u16::from_le_bytes([blob[4], blob[5]]);
    if blob[blob.len() - 1] != END {
        return Err(bad("no end byte"));
    }
    let body = &blob[..blob.len() - 1];
    // Each entry takes at least two bytes.
    let mut items = Vec::with_capacity(((body.len() - HEADER) / 2).min(count as usize));
    let mut p = HEADER;
    while p < body.len() {
        let (item, len) = entry(body, p).ok_or_else(|| bad("entry"))?;
        let end = p + len;
        let (expect, bl) = backlen(len as u64);
        let back = body.get(end..end + bl).ok_or_else(|| bad("entry past the end"))?;
        if back != &expect[..bl] {
            return Err(bad("back length"));
        }
        items.push(item);
        p = end + bl;
    }
    if count != COUNT_UNKNOWN && count as usize != items.len() {
        return Err(bad("element count"));
    }
    Ok(items)
}

/// The entry at `p` and the bytes of its encoding plus data.
fn entry(b: &[u8], p: usize) -> Option<(Item<'_>, usize)> {
    let e = *b.get(p)?;
    let int = |n: usize| -> Option<i64> {
        let d = b.get(p + 1..p + 1 + n)?;
        let mut raw = [0u8; 8];
        raw[..n].copy_from_slice(d);
        let shift = 64 - 8 * n as u32;
        Some((i64::from_le_bytes(raw) << shift) >> shift)
    };
    let string = |head: usize, len: usize| -> Option<(Item<'_>, usize)> {
        let s = b.get(p + head..(p + head).checked_add(len)?)?;
        Some((Item::Str(s), head + len))
    };
    match e {
        0x00..=0x7f => Some((Item::Int(e as i64), 1)),
        0x80..=0xbf => string(1, (e & 0x3f) as usize),
        0xc0..=0xdf => {
            let u = ((e as u64 & 0x1f) << 8) | *b.get(p + 1)? as u64;
            let v = ((u << 51) as i64) >> 51;
            Some((Item::Int(v), 2))
        }
        0xe0..=0xef => string(2, ((e as usize & 0x0f) << 8) | *b.get(p + 1)? as usize),
        0xf0 => {
            let l = b.get(p + 1..p + 5)?;
            string(5, u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize)
        }
        0xf1 => Some((Item::Int(int(2)?), 3)),
        0xf2 => Some((Item::Int(int(3)?), 4)),
        0xf3 => Some((Item::Int(int(4)?), 5)),
        0xf4 => Some((Item::Int(int(8)?), 9)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::hex;

    #[test]
    fn bytes_equal_redis_servers() {
        // From redis-server 7.0.15: DUMP of HSET h f1 v1 num 12345 neg -7
        // big 99999999999 (the blob after the type and length bytes).
        let redis =
            hex("2f00000008008266310382763103836e756d04f1393003836e656704dff9028362696704f4ffe776481700000009ff");
        let mut w = Writer::new();
        for s in ["f1", "v1", "num", "12345", "neg", "-7", "big", "99999999999"] {
            w.push_str(s.as_bytes());
        }
        assert_eq!(w.finish(), redis);
        // RPUSH l a b 1 -100 5000: a quicklist node.
        let redis = hex("1600000005008161028162020101df9c02f1881303ff");
        let mut w = Writer::new();
        for s in ["a", "b", "1", "-100", "5000"] {
            w.push_str(s.as_bytes());
        }
        assert_eq!(w.finish(), redis);
        let items = decode(&redis).unwrap();
        assert_eq!(items, vec![Item::Str(b"a"), Item::Str(b"b"), Item::Int(1), Item::Int(-100), Item::Int(5000)]);
    }

    #[test]
    fn every_width_round_trips() {
        let ints = [
            0,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -4097,
            32767,
            -32768,
            40000,
            -8388608,
            8388607,
            8388608,
            i32::MIN as i64,
            i32::MAX as i64,
            i64::MIN,
            i64::MAX,
        ];
        let strs: Vec<Vec<u8>> = [0usize, 1, 63, 64, 4095, 4096, 70000].iter().map(|&n| vec![b'x'; n]).collect();
        let mut w = Writer::new();
        for &v in &ints {
            w.push_int(v);
        }
        for s in &strs {
            w.push_str(s);
        }
        let blob = w.finish();
        let items = decode(&blob).unwrap();
        let mut want: Vec<Item> = ints.iter().map(|&v| Item::Int(v)).collect();
        want.extend(strs.iter().map(|s| Item::Str(s)));
        assert_eq!(items, want);
    }

    #[test]
    fn damage_is_an_error() {
        let mut w = Writer::new();
        for s in ["a", "bb", "300", "-5"] {
            w.push_str(s.as_bytes());
        }
        let blob = w.finish();
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err());
        }
        for i in 0..blob.len() {
            for bit in 0..8 {
                let mut b = blob.clone();
                b[i] ^= 1 << bit;
                let _ = decode(&b);
            }
        }
    }
}
