//! Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS,
//! BITOP, and the command table entries of BITFIELD / BITFIELD_RO (their
//! code is in `bitfield.rs`). Bit 0 is the most significant bit of byte 0.

use super::bitfield::{bitfield, bitfield_ro};
use super::strings::{as_str_mut, read_str, read_str_with, write_entry};
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::{CompactBytes, Entry, Value};
use bytes::{Bytes, BytesMut};

pub fn commands() -> Vec<CommandSpec> {
    let b = |name, arity, fl, h: ShardFn| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("bitmap").acl(acl::BITMAP)
    };
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const BITFIELD: &str = "Perform arbitrary bitfield integer operations on strings";
    vec![
        b("setbit", 4, f::WRITE | f::DENYOOM, setbit).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "2.2.0",
            "Sets or clears the bit at offset in the string value stored at key",
            "O(1)",
        ),
        b("getbit", 3, f::READONLY | f::FAST, getbit).keys(vec![ks::at(1, RO_ACCESS)]).doc(
            "2.2.0",
            "Returns the bit value at offset in the string value stored at key",
            "O(1)",
        ),
        b("bitcount", -2, f::READONLY, bitcount).keys(vec![ks::at(1, RO_ACCESS)]).doc(
            "2.6.0",
            "Count set bits in a string",
            "O(N)",
        ),
        b("bitpos", -3, f::READONLY, bitpos).keys(vec![ks::at(1, RO_ACCESS)]).doc(
            "2.8.7",
            "Find first bit set or clear in a string",
            "O(N)",
        ),
        b("bitop", -4, f::WRITE | f::DENYOOM, bitop)
            .keys(vec![ks::at(2, &["OW", "UPDATE"]), ks::range(3, -1, 1, RO_ACCESS)])
            .doc("2.6.0", "Perform bitwise operations between strings", "O(N)"),
        b("bitfield", -2, f::WRITE | f::DENYOOM, bitfield)
            .keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"])])
            .doc("3.2.0", BITFIELD, "O(1) for each subcommand specified"),
        b("bitfield_ro", -2, f::READONLY | f::FAST, bitfield_ro).keys(vec![ks::at(1, RO_ACCESS)]).doc(
            "6.0.0",
            "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
            "O(1) for each subcommand specified",
        ),
    ]
}

/// Parses a bit offset as Redis's getBitOffsetFromArgument: an integer
/// (or with `hash_bits` > 0, "#n" meaning n * hash_bits) whose byte lies
/// below proto-max-bulk-len.
pub fn bit_offset(arg: &[u8], hash_bits: u32, max_bulk: usize) -> Result<u64, Reply> {
    let err = || Reply::err("ERR bit offset is not an integer or out of range");
    let (hash, digits) = match arg.split_first() {
        Some((b'#', rest)) if hash_bits > 0 => (true, rest),
        _ => (false, arg),
    };
    let mut v = crate::util::num::parse_i64(digits).ok_or_else(err)?;
    if hash {
        v = v.checked_mul(hash_bits as i64).ok_or_else(err)?;
    }
    if v < 0 || (v as u64 >> 3) >= max_bulk as u64 {
        return Err(err());
    }
    Ok(v as u64)
}

/// Runs `f` on the string at `key` padded with zero bytes so that bit
/// `max_bit` exists (created when missing), as Redis's
/// lookupStringForBitCommand. `f` also learns whether the string was
/// created or grew.
pub fn with_bits<R>(
    c: &mut ExecCtx,
    key: &Bytes,
    max_bit: u64,
    f: impl FnOnce(&mut [u8], bool) -> R,
) -> Result<R, Reply> {
    let need = (max_bit >> 3) as usize + 1;
    match write_entry(c, key) {
        Some(e) => Ok(as_str_mut(&mut e.value)?.edit(|m| {
            let grew = m.len() < need;
            if grew {
                m.resize(need, 0);
            }
            f(m, grew)
        })),
        None => {
            let mut m = BytesMut::zeroed(need);
            let r = f(&mut m, true);
            c.db().insert(key, Entry::new(Value::Str(CompactBytes::raw(m))));
            Ok(r)
        }
    }
}

/// Bit `pos` of `p`, zero past the end.
#[inline]
pub fn bit_at(p: &[u8], pos: u64) -> u8 {
    p.get((pos >> 3) as usize).map_or(0, |b| (b >> (7 - (pos & 7))) & 1)
}

fn setbit(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let offset = bit_offset(&a[2], 0, c.settings.proto_max_bulk_len)?;
        let bad_bit = || Reply::err("ERR bit is not an integer or out of range");
        let on = crate::util::num::parse_i64(&a[3]).filter(|v| v & !1 == 0).ok_or_else(bad_bit)? as u8;
        let (old, changed) = with_bits(c, &a[1], offset, |p, grew| {
            let (byte, mask) = ((offset >> 3) as usize, 1u8 << (7 - (offset & 7)));
            let old = (p[byte] & mask != 0) as u8;
            if on == 1 {
                p[byte] |= mask;
            } else {
                p[byte] &= !mask;
            }
            (old, grew || old != on)
        })?;
        if changed {
            c.dirty(1);
        }
        Ok(Reply::Int(old as i64))
    })())
}

fn getbit(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let offset = bit_offset(&a[2], 0, c.settings.proto_max_bulk_len)?;
        Ok(Reply::Int(read_str_with(c, &a[1], |v| bit_at(v, offset))?.unwrap_or(0) as i64))
    })())
}

/// A start/end range argument pair resolved against a string of `len`
/// bytes: inclusive bit positions, None when empty. `bits` says the
/// arguments count bits (BIT) rather than bytes (BYTE).
fn bit_range(start: i64, end: i64, len: usize, bits: bool) -> Option<(u64, u64)> {
    let total = if bits { len as i64 * 8 } else { len as i64 };
    let norm = |v: i64| if v < 0 { (total + v).max(0) } else { v };
    let (start, end) = (norm(start), norm(end).min(total - 1));
    if start > end {
        return None;
    }
    let (s, e) = (start as u64, end as u64);
    Some(if bits { (s, e) } else { (s * 8, e * 8 + 7) })
}

/// The BIT|BYTE unit argument.
fn unit_is_bit(arg: &[u8]) -> Result<bool, Reply> {
    if is(arg, "bit") {
        Ok(true)
    } else if is(arg, "byte") {
        Ok(false)
    } else {
        Err(Reply::err(ERR_SYNTAX))
    }
}

/// Set bits of `p` in the inclusive bit range.
fn popcount(p: &[u8], (from, to): (u64, u64)) -> u64 {
    let (first, last) = ((from >> 3) as usize, (to >> 3) as usize);
    let bytes = &p[first..=last];
    let mut n: u64 = bytes.chunks(8).map(|w| u64::from_ne_bytes(pad8(w)).count_ones() as u64).sum();
    n -= (p[first] & !(0xffu8 >> (from & 7))).count_ones() as u64;
    n -= (p[last] & (0xffu32 >> ((to & 7) + 1)) as u8).count_ones() as u64;
    n
}

fn pad8(w: &[u8]) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..w.len()].copy_from_slice(w);
    b
}

fn bitcount(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_str_with(c, &a[1], |v| count_bits(v, a)).and_then(|r| r.unwrap_or(Ok(Reply::Int(0)))))
}

/// BITCOUNT over the string `v`.
fn count_bits(v: &[u8], a: &[Bytes]) -> Result<Reply, Reply> {
    let range = match a.len() {
        2 => bit_range(0, -1, v.len(), false),
        4 | 5 => {
            let (start, end) = (int_arg(&a[2])?, int_arg(&a[3])?);
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Int(0));
            }
            let bits = a.len() == 5 && unit_is_bit(&a[4])?;
            bit_range(start, end, v.len(), bits)
        }
        _ => return Err(Reply::err(ERR_SYNTAX)),
    };
    Ok(Reply::Int(range.map_or(0, |r| popcount(v, r)) as i64))
}

/// The first bit equal to `bit` in the inclusive bit range.
fn first_bit(p: &[u8], (from, to): (u64, u64), bit: u8) -> Option<u64> {
    let skip = if bit == 1 { 0u8 } else { 0xff };
    let mut pos = from;
    while pos <= to {
        if pos & 7 == 0 && to - pos >= 7 {
            // Whole bytes: jump over those that cannot match.
            let rest = &p[(pos >> 3) as usize..=(to >> 3) as usize];
            match rest.iter().position(|&b| b != skip) {
                Some(i) => pos += 8 * i as u64,
                None => return None,
            }
            if pos > to {
                return None;
            }
        }
        if bit_at(p, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

fn bitpos(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let bit = int_arg(&a[2])?;
        if bit != 0 && bit != 1 {
            return Err(Reply::err("ERR The bit argument must be 1 or 0."));
        }
        let bit = bit as u8;
        let missing = Reply::Int(if bit == 1 { -1 } else { 0 });
        read_str_with(c, &a[1], |v| find_bit(v, a, bit))?.unwrap_or(Ok(missing))
    })())
}

/// BITPOS over the string `v`.
fn find_bit(v: &[u8], a: &[Bytes], bit: u8) -> Result<Reply, Reply> {
    if a.len() > 6 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let start = if a.len() > 3 { int_arg(&a[3])? } else { 0 };
    let bits = a.len() == 6 && unit_is_bit(&a[5])?;
    let end_given = a.len() > 4;
    let end = if end_given { int_arg(&a[4])? } else { -1 };
    let Some(range) = bit_range(start, end, v.len(), bits) else { return Ok(Reply::Int(-1)) };
    Ok(Reply::Int(match first_bit(v, range, bit) {
        Some(pos) => pos as i64,
        // Looking for a clear bit past an open-ended range: the string
        // counts as padded with zeros on the right.
        None if bit == 0 && !end_given => range.1 as i64 + 1,
        None => -1,
    }))
}

/// BITOP's operations.
#[derive(Clone, Copy, PartialEq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

fn bitop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let op = [("and", BitOp::And), ("or", BitOp::Or), ("xor", BitOp::Xor), ("not", BitOp::Not)]
            .into_iter()
            .find(|(name, _)| is(&a[1], name))
            .map(|(_, op)| op)
            .ok_or_else(|| Reply::err(ERR_SYNTAX))?;
        if op == BitOp::Not && a.len() != 4 {
            return Err(Reply::err("ERR BITOP NOT must be called with a single source key."));
        }
        let sources =
            a[3..].iter().map(|k| Ok(read_str(c, k)?.unwrap_or_default())).collect::<Result<Vec<_>, Reply>>()?;
        let len = sources.iter().map(|s| s.len()).max().unwrap_or(0);
        let target = &a[2];
        if len == 0 {
            if c.db().remove(target).is_some() {
                c.dirty(1);
            }
            return Ok(Reply::Int(0));
        }
        let mut out = BytesMut::zeroed(len);
        out[..sources[0].len()].copy_from_slice(&sources[0]);
        for s in &sources[1..] {
            let pairs = out.iter_mut().zip(s.iter());
            match op {
                BitOp::And => pairs.for_each(|(o, x)| *o &= x),
                BitOp::Or => pairs.for_each(|(o, x)| *o |= x),
                BitOp::Xor => pairs.for_each(|(o, x)| *o ^= x),
                BitOp::Not => {}
            }
            if op == BitOp::And {
                out[s.len()..].fill(0);
            }
        }
        if op == BitOp::Not {
            out.iter_mut().for_each(|o| *o = !*o);
        }
        c.db().set(target, Value::Str(CompactBytes::raw(out)));
        c.dirty(1);
        Ok(Reply::Int(len as i64))
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_counts() {
        let p = [0xffu8, 0xf0, 0x00, 0x0f];
        assert_eq!(bit_range(0, -1, 4, false), Some((0, 31)));
        assert_eq!(bit_range(1, 1, 4, false), Some((8, 15)));
        assert_eq!(bit_range(5, 30, 4, true), Some((5, 30)));
        assert_eq!(bit_range(3, 2, 4, false), None);
        assert_eq!(bit_range(0, -1, 0, false), None);
        assert_eq!(popcount(&p, (0, 31)), 16);
        assert_eq!(popcount(&p, (5, 30)), 3 + 4 + 3);
        assert_eq!(popcount(&p, (9, 9)), 1);
        assert_eq!(first_bit(&p, (0, 31), 0), Some(12));
        assert_eq!(first_bit(&p, (16, 31), 1), Some(28));
        assert_eq!(first_bit(&p, (16, 27), 1), None);
        assert_eq!(first_bit(&[0xff, 0xff], (0, 15), 0), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(bit_offset(b"100", 0, 512), Ok(100));
        assert_eq!(bit_offset(b"#3", 8, 512), Ok(24));
        assert!(bit_offset(b"#3", 0, 512).is_err());
        assert!(bit_offset(b"-1", 0, 512).is_err());
        assert!(bit_offset(b"4096", 0, 512).is_err());
        assert_eq!(bit_offset(b"4095", 0, 512), Ok(4095));
    }
}
