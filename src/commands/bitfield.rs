//! BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits
//! at any bit offset of a string (GET, SET, INCRBY), with the WRAP, SAT and
//! FAIL overflow behaviours.

use super::bitmap::{bit_at, bit_offset, with_bits};
use super::strings::read_str_with;
use super::util::*;
use crate::command::ExecCtx;
use crate::resp::Reply;
use bytes::Bytes;

#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Get,
    Set,
    IncrBy,
}

/// One GET, SET or INCRBY with the OVERFLOW in force where it appeared.
struct Op {
    kind: Kind,
    signed: bool,
    bits: u32,
    offset: u64,
    /// The SET value or the INCRBY increment.
    value: i64,
    overflow: Overflow,
}

/// An integer type: "i1".."i64" or "u1".."u63".
fn parse_type(arg: &[u8]) -> Result<(bool, u32), Reply> {
    let err = || {
        Reply::err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    };
    let (signed, max) = match arg.first() {
        Some(b'i') => (true, 64),
        Some(b'u') => (false, 63),
        _ => return Err(err()),
    };
    match crate::util::num::parse_i64(&arg[1..]) {
        Some(bits) if (1..=max).contains(&bits) => Ok((signed, bits as u32)),
        _ => Err(err()),
    }
}

fn parse_ops(c: &ExecCtx, a: &[Bytes]) -> Result<Vec<Op>, Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < a.len() {
        let rest = a.len() - j - 1;
        let w = &a[j];
        let kind = if is(w, "get") && rest >= 2 {
            Kind::Get
        } else if is(w, "set") && rest >= 3 {
            Kind::Set
        } else if is(w, "incrby") && rest >= 3 {
            Kind::IncrBy
        } else if is(w, "overflow") && rest >= 1 {
            let t = &a[j + 1];
            overflow = if is(t, "wrap") {
                Overflow::Wrap
            } else if is(t, "sat") {
                Overflow::Sat
            } else if is(t, "fail") {
                Overflow::Fail
            } else {
                return Err(Reply::err("ERR Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        };
        let (signed, bits) = parse_type(&a[j + 1])?;
        let offset = bit_offset(&a[j + 2], bits, c.settings.proto_max_bulk_len)?;
        let value = if kind == Kind::Get { 0 } else { int_arg(&a[j + 3])? };
        ops.push(Op { kind, signed, bits, offset, value, overflow });
        j += if kind == Kind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

pub fn bitfield(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(bitfield_generic(c, a, false))
}

pub fn bitfield_ro(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(bitfield_generic(c, a, true))
}

fn bitfield_generic(c: &mut ExecCtx, a: &[Bytes], read_only: bool) -> Result<Reply, Reply> {
    let ops = parse_ops(c, a)?;
    let writes = ops.iter().filter(|o| o.kind != Kind::Get);
    let Some(max_bit) = writes.map(|o| o.offset + o.bits as u64 - 1).max() else {
        let read = |v: &[u8]| Reply::Array(ops.iter().map(|op| Reply::Int(get(v, op))).collect());
        return Ok(read_str_with(c, &a[1], |v| read(v))?.unwrap_or_else(|| read(&[])));
    };
    if read_only {
        return Err(Reply::err("ERR BITFIELD_RO only supports the GET subcommand"));
    }
    let (replies, changes) = with_bits(c, &a[1], max_bit, |p, grew| {
        let mut changes = 0;
        let replies = ops
            .iter()
            .map(|op| {
                if op.kind == Kind::Get {
                    return Reply::Int(get(p, op));
                }
                let old = get(p, op);
                let (sum, overflowed) = match op.kind {
                    Kind::IncrBy => add(op, old, op.value),
                    _ => add(op, op.value, 0),
                };
                if overflowed && op.overflow == Overflow::Fail {
                    return Reply::Nil;
                }
                set(p, op, sum);
                changes += (grew || old != sum) as u64;
                Reply::Int(if op.kind == Kind::IncrBy { sum } else { old })
            })
            .collect();
        (replies, changes)
    })?;
    c.dirty(changes);
    Ok(Reply::Array(replies))
}

/// The field `op` names, sign-extended when signed; bits past the end of
/// the string read as zero.
fn get(p: &[u8], op: &Op) -> i64 {
    let raw = (0..op.bits as u64).fold(0u64, |v, i| (v << 1) | bit_at(p, op.offset + i) as u64);
    if op.signed && op.bits < 64 && raw >> (op.bits - 1) & 1 == 1 {
        (raw | (u64::MAX << op.bits)) as i64
    } else {
        raw as i64
    }
}

/// Stores the low `op.bits` bits of `v` into the field.
fn set(p: &mut [u8], op: &Op, v: i64) {
    for i in 0..op.bits as u64 {
        let pos = op.offset + i;
        let (byte, mask) = ((pos >> 3) as usize, 1u8 << (7 - (pos & 7)));
        if (v as u64 >> (op.bits as u64 - 1 - i)) & 1 == 1 {
            p[byte] |= mask;
        } else {
            p[byte] &= !mask;
        }
    }
}

/// `value + incr` in the field's type, as Redis's
/// check(Un)signedBitfieldOverflow: the result under the op's overflow
/// behaviour, and whether it overflowed. SET passes its value with incr 0,
/// so an out-of-range value counts as an overflow too.
fn add(op: &Op, value: i64, incr: i64) -> (i64, bool) {
    let bits = op.bits;
    let wrapped = (value as u64).wrapping_add(incr as u64);
    if op.signed {
        let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
        let min = -max - 1;
        let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
        let min_incr = min.wrapping_sub(value);
        let over = value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
        let under = value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr);
        let wrap = || {
            if bits == 64 {
                wrapped as i64
            } else if wrapped >> (bits - 1) & 1 == 1 {
                (wrapped | (u64::MAX << bits)) as i64
            } else {
                (wrapped & !(u64::MAX << bits)) as i64
            }
        };
        match (over, under, op.overflow) {
            (true, _, Overflow::Sat) => (max, true),
            (false, true, Overflow::Sat) => (min, true),
            (true, _, _) | (_, true, _) => (wrap(), true),
            _ => (wrapped as i64, false),
        }
    } else {
        let value = value as u64;
        let max = (1u64 << bits) - 1;
        let max_incr = max.wrapping_sub(value) as i64;
        let min_incr = value.wrapping_neg() as i64;
        let over = value > max || (incr > 0 && incr > max_incr);
        let under = !over && incr < 0 && incr < min_incr;
        match (over, under, op.overflow) {
            (true, _, Overflow::Sat) => (max as i64, true),
            (_, true, Overflow::Sat) => (0, true),
            (true, _, _) | (_, true, _) => ((wrapped & max) as i64, true),
            _ => (wrapped as i64, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(signed: bool, bits: u32, overflow: Overflow) -> Op {
        Op { kind: Kind::IncrBy, signed, bits, offset: 0, value: 0, overflow }
    }

    #[test]
    fn overflow_behaviours() {
        let u8w = op(false, 8, Overflow::Wrap);
        assert_eq!(add(&u8w, 250, 10), (4, true));
        assert_eq!(add(&u8w, 5, -10), (251, true));
        assert_eq!(add(&op(false, 8, Overflow::Sat), 250, 10), (255, true));
        assert_eq!(add(&op(false, 8, Overflow::Sat), 5, -10), (0, true));
        assert_eq!(add(&op(false, 8, Overflow::Sat), -1, 0), (255, true));
        assert_eq!(add(&op(true, 8, Overflow::Wrap), 120, 10), (-126, true));
        assert_eq!(add(&op(true, 8, Overflow::Sat), -120, -10), (-128, true));
        assert_eq!(add(&op(true, 8, Overflow::Wrap), 200, 0), (-56, true));
        assert_eq!(add(&op(true, 64, Overflow::Sat), i64::MAX, 1), (i64::MAX, true));
        assert_eq!(add(&op(true, 64, Overflow::Wrap), i64::MAX, 1), (i64::MIN, true));
        assert_eq!(add(&op(true, 64, Overflow::Wrap), -5, 3), (-2, false));
    }

    #[test]
    fn fields_round_trip() {
        let mut p = [0u8; 9];
        let f = Op { kind: Kind::Set, signed: true, bits: 13, offset: 5, value: 0, overflow: Overflow::Wrap };
        set(&mut p, &f, -1000);
        assert_eq!(get(&p, &f), -1000);
        let g = Op { bits: 64, offset: 3, ..f };
        set(&mut p, &g, i64::MIN + 7);
        assert_eq!(get(&p, &g), i64::MIN + 7);
    }
}
