//! Counters on string values: INCR, DECR, INCRBY, DECRBY (64-bit signed
//! integers with overflow errors) and INCRBYFLOAT (x87 long double, as
//! Redis computes it). All keep the key's expiry.

use super::strings::{as_str, write_entry};
use super::util::*;
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::CompactBytes;
use crate::shard::{Entry, Value};
use crate::util::long_double::LongDouble;
use bytes::Bytes;

/// Adds `by` to the integer stored at `key`, keeping its expiry.
fn incr_by(c: &mut ExecCtx, key: &Bytes, by: i64) -> Reply {
    let text = |n: i64| Value::Str(CompactBytes::from_slice(crate::util::num::fmt_i64(n, &mut [0u8; 20])));
    either((|| {
        let n = match write_entry(c, key) {
            Some(e) => {
                let cur = crate::util::num::parse_i64(as_str(&e.value)?).ok_or_else(|| Reply::err(ERR_NOT_INT))?;
                let n = cur.checked_add(by).ok_or_else(|| Reply::err(ERR_OVERFLOW))?;
                e.value = text(n);
                n
            }
            None => {
                c.db().insert(key, Entry::new(text(by)));
                by
            }
        };
        c.dirty(1);
        Ok(Reply::Int(n))
    })())
}

pub fn incr(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    incr_by(c, &a[1], 1)
}

pub fn decr(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    incr_by(c, &a[1], -1)
}

pub fn incrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    match int_arg(&a[2]) {
        Ok(by) => incr_by(c, &a[1], by),
        Err(e) => e,
    }
}

pub fn decrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    match int_arg(&a[2]) {
        Ok(i64::MIN) => Reply::err("ERR decrement would overflow"),
        Ok(by) => incr_by(c, &a[1], -by),
        Err(e) => e,
    }
}

/// INCRBYFLOAT computes in x87 extended precision and prints the result
/// as Redis does ("%.17Lf" without trailing zeros), keeping the expiry.
pub fn incrbyfloat(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let not_float = || Reply::err(ERR_NOT_FLOAT);
    let sum = |cur: LongDouble| -> Result<Bytes, Reply> {
        let by = LongDouble::parse(&a[2]).ok_or_else(not_float)?;
        let sum = cur.checked_add(by).ok_or_else(|| Reply::err("ERR increment would produce NaN or Infinity"))?;
        Ok(Bytes::from(sum.to_human_string()))
    };
    either((|| {
        let text = match write_entry(c, &a[1]) {
            Some(e) => {
                let text = sum(LongDouble::parse(as_str(&e.value)?).ok_or_else(not_float)?)?;
                e.value = Value::Str(text.as_ref().into());
                text
            }
            None => {
                let text = sum(LongDouble::ZERO)?;
                c.db().insert(&a[1], Entry::new(Value::Str(text.as_ref().into())));
                text
            }
        };
        c.dirty(1);
        Ok(Reply::Bulk(text))
    })())
}
