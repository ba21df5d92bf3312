//! Sorted set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES) and
//! its older forms (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE,
//! ZRANGEBYLEX, ZREVRANGEBYLEX), ZRANGESTORE, ZCOUNT, ZLEXCOUNT and
//! ZREMRANGEBYRANK/BYSCORE/BYLEX. Every range becomes a span of ranks
//! `[lo, hi)` of the ascending order; reversing and LIMIT are arithmetic
//! on that span.

use super::util::*;
use super::zsets::{drop_if_empty, elems_reply, limits, read_zset, store_result, write_zset, ERR_NOT_FLOAT_RANGE};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::ZSet;
use bytes::Bytes;

const ERR_NOT_LEX: &str = "ERR min or max not valid string range item";

/// A score interval with Redis's "(" exclusive bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

/// Parses a float as strtod does over a whole argument: leading spaces
/// allowed, an empty rest reads as 0, NaN refused.
fn range_float(a: &[u8]) -> Option<f64> {
    let start = a.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(a.len());
    let rest = &a[start..];
    if rest.is_empty() {
        return Some(0.0);
    }
    crate::util::num::parse_f64(rest, true)
}

impl ScoreRange {
    /// Parses `min max` ("ERR min or max is not a float").
    pub fn parse(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
        let bound = |b: &[u8]| match b.first() {
            Some(b'(') => range_float(&b[1..]).map(|v| (v, true)),
            _ => range_float(b).map(|v| (v, false)),
        };
        match (bound(min), bound(max)) {
            (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
            _ => Err(Reply::err(ERR_NOT_FLOAT_RANGE)),
        }
    }

    /// The ranks `[lo, hi)` of `z` inside the range.
    pub fn ranks(&self, z: &ZSet) -> (usize, usize) {
        let lo = z.count_while(|s, _| s < self.min || (self.minex && s == self.min));
        let hi = z.count_while(|s, _| s < self.max || (!self.maxex && s == self.max));
        (lo, hi.max(lo))
    }
}

/// One end of a lexicographic range.
#[derive(Debug, Clone, PartialEq)]
enum Lex {
    NegInf,
    PosInf,
    Incl(Bytes),
    Excl(Bytes),
}

/// A lexicographic interval ("[a", "(a", "-", "+").
#[derive(Debug, Clone, PartialEq)]
struct LexRange {
    min: Lex,
    max: Lex,
}

impl LexRange {
    fn parse(min: &Bytes, max: &Bytes) -> Result<LexRange, Reply> {
        let item = |b: &Bytes| match b.first() {
            Some(b'-') if b.len() == 1 => Some(Lex::NegInf),
            Some(b'+') if b.len() == 1 => Some(Lex::PosInf),
            Some(b'[') => Some(Lex::Incl(b.slice(1..))),
            Some(b'(') => Some(Lex::Excl(b.slice(1..))),
            _ => None,
        };
        match (item(min), item(max)) {
            (Some(min), Some(max)) => Ok(LexRange { min, max }),
            _ => Err(Reply::err(ERR_NOT_LEX)),
        }
    }

    fn ranks(&self, z: &ZSet) -> (usize, usize) {
        let lo = z.count_while(|_, m| match &self.min {
            Lex::NegInf => false,
            Lex::PosInf => true,
            Lex::Incl(x) => m < &x[..],
            Lex::Excl(x) => m <= &x[..],
        });
        let hi = z.count_while(|_, m| match &self.max {
            Lex::NegInf => false,
            Lex::PosInf => true,
            Lex::Incl(x) => m <= &x[..],
            Lex::Excl(x) => m < &x[..],
        });
        (lo, hi.max(lo))
    }
}

/// The ranks `[lo, hi)` that `start stop` (ZRANGE's indexes, negative
/// from the end) name in a set of `len`, in the requested direction.
fn index_ranks(start: i64, end: i64, len: usize, rev: bool) -> (usize, usize) {
    let n = len as i64;
    let start = if start < 0 { start.saturating_add(n).max(0) } else { start };
    let end = if end < 0 { end.saturating_add(n) } else { end };
    if start > end || start >= n {
        return (0, 0);
    }
    let end = end.min(n - 1);
    let (start, end) = (start as usize, end as usize);
    if rev {
        (len - 1 - end, len - start)
    } else {
        (start, end + 1)
    }
}

/// Applies LIMIT offset count to ranks `[lo, hi)` read in direction `rev`:
/// a negative offset selects nothing, a negative count means all.
fn limit_ranks(lo: usize, hi: usize, offset: i64, count: i64, rev: bool) -> (usize, usize) {
    let Ok(offset) = usize::try_from(offset) else { return (0, 0) };
    let n = hi - lo;
    if offset >= n {
        return (0, 0);
    }
    let take = usize::try_from(count).map_or(n - offset, |c| c.min(n - offset));
    if rev {
        (hi - offset - take, hi - offset)
    } else {
        (lo + offset, lo + offset + take)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum By {
    Rank,
    Score,
    Lex,
}

/// The parsed interval of a ZRANGE-like command.
enum Interval {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

impl Interval {
    /// Parses `min max` as indexes, scores or lex bounds.
    fn parse(by: By, min: &Bytes, max: &Bytes) -> Result<Interval, Reply> {
        Ok(match by {
            By::Rank => Interval::Rank(int_arg(min)?, int_arg(max)?),
            By::Score => Interval::Score(ScoreRange::parse(min, max)?),
            By::Lex => Interval::Lex(LexRange::parse(min, max)?),
        })
    }

    /// The ranks `[lo, hi)` of `z` inside the interval (indexes counted
    /// from the end when `rev`).
    fn ranks(&self, z: &ZSet, rev: bool) -> (usize, usize) {
        match self {
            Interval::Rank(s, e) => index_ranks(*s, *e, z.len(), rev),
            Interval::Score(r) => r.ranks(z),
            Interval::Lex(r) => r.ranks(z),
        }
    }
}

/// ZRANGE and its variants: `a[at]` is the source key, then min, max and
/// options. `by`/`rev` are fixed for the old forms, None for ZRANGE and
/// ZRANGESTORE (options decide). `dst` is ZRANGESTORE's destination.
fn range_generic(
    c: &mut ExecCtx,
    a: &[Bytes],
    at: usize,
    dst: Option<&Bytes>,
    by: Option<By>,
    rev: Option<bool>,
) -> Result<Reply, Reply> {
    let (mut by_opt, mut rev_opt) = (by, rev);
    let (mut withscores, mut limit) = (false, None);
    let mut j = at + 3;
    while j < a.len() {
        let left = a.len() - j - 1;
        let o = &a[j];
        if dst.is_none() && is(o, "withscores") {
            withscores = true;
        } else if is(o, "limit") && left >= 2 {
            limit = Some((int_arg(&a[j + 1])?, int_arg(&a[j + 2])?));
            j += 2;
        } else if rev_opt.is_none() && is(o, "rev") {
            rev_opt = Some(true);
        } else if by_opt.is_none() && is(o, "bylex") {
            by_opt = Some(By::Lex);
        } else if by_opt.is_none() && is(o, "byscore") {
            by_opt = Some(By::Score);
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    let by = by_opt.unwrap_or(By::Rank);
    let rev = rev_opt.unwrap_or(false);
    if limit.is_some() && by == By::Rank {
        return Err(Reply::err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && by == By::Lex {
        return Err(Reply::err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    let (mut lo_arg, mut hi_arg) = (&a[at + 1], &a[at + 2]);
    if rev && by != By::Rank {
        std::mem::swap(&mut lo_arg, &mut hi_arg);
    }
    let interval = Interval::parse(by, lo_arg, hi_arg)?;
    let limits = limits(c);
    let Some(z) = read_zset(c, &a[at])? else {
        return Ok(match dst {
            Some(d) => store_result(c, d, ZSet::default()),
            None => Reply::Array(vec![]),
        });
    };
    let (lo, hi) = interval.ranks(z, rev);
    let (lo, hi) = match limit {
        Some((offset, count)) => limit_ranks(lo, hi, offset, count, rev),
        None => (lo, hi),
    };
    let mut items = z.range(lo, hi);
    if rev {
        items.reverse();
    }
    match dst {
        None => Ok(elems_reply(items.into_iter(), withscores)),
        Some(d) => {
            let mut out = ZSet::with_hint(limits, items.len(), 0);
            for (m, s) in items {
                out.set(m, s, limits);
            }
            Ok(store_result(c, d, out))
        }
    }
}

pub fn zrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, None, None))
}

pub fn zrangestore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 2, Some(&a[1]), None, None))
}

pub fn zrevrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, Some(By::Rank), Some(true)))
}

pub fn zrangebyscore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, Some(By::Score), Some(false)))
}

pub fn zrevrangebyscore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, Some(By::Score), Some(true)))
}

pub fn zrangebylex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, Some(By::Lex), Some(false)))
}

pub fn zrevrangebylex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(range_generic(c, a, 1, None, Some(By::Lex), Some(true)))
}

/// ZCOUNT and ZLEXCOUNT: the size of the interval's span of ranks.
fn count(c: &mut ExecCtx, a: &[Bytes], by: By) -> Reply {
    either((|| {
        let interval = Interval::parse(by, &a[2], &a[3])?;
        let Some(z) = read_zset(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let (lo, hi) = interval.ranks(z, false);
        Ok(Reply::Int((hi - lo) as i64))
    })())
}

pub fn zcount(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    count(c, a, By::Score)
}

pub fn zlexcount(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    count(c, a, By::Lex)
}

/// ZREMRANGEBY*: removes the ranks the interval names.
fn remrange(c: &mut ExecCtx, a: &[Bytes], by: By) -> Result<Reply, Reply> {
    let interval = Interval::parse(by, &a[2], &a[3])?;
    let key = &a[1];
    let Some(z) = write_zset(c, key)? else { return Ok(Reply::Int(0)) };
    let (lo, hi) = interval.ranks(z, false);
    let n = z.remove_range(lo, hi);
    drop_if_empty(c, key);
    c.dirty(n as u64);
    Ok(Reply::Int(n as i64))
}

pub fn zremrangebyrank(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(remrange(c, a, By::Rank))
}

pub fn zremrangebyscore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(remrange(c, a, By::Score))
}

pub fn zremrangebylex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(remrange(c, a, By::Lex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_limit_arithmetic() {
        assert_eq!(index_ranks(0, -1, 5, false), (0, 5));
        assert_eq!(index_ranks(0, 1, 5, true), (3, 5));
        assert_eq!(index_ranks(-2, -1, 5, false), (3, 5));
        assert_eq!(index_ranks(3, 1, 5, false), (0, 0));
        assert_eq!(index_ranks(i64::MIN, i64::MAX, 5, false), (0, 5));
        assert_eq!(index_ranks(5, 10, 5, false), (0, 0));
        assert_eq!(limit_ranks(2, 8, 1, 2, false), (3, 5));
        assert_eq!(limit_ranks(2, 8, 1, 2, true), (5, 7));
        assert_eq!(limit_ranks(2, 8, 0, -1, true), (2, 8));
        assert_eq!(limit_ranks(2, 8, -1, 5, false), (0, 0));
        assert_eq!(limit_ranks(2, 8, 6, 5, false), (0, 0));
    }

    #[test]
    fn range_parsing() {
        let r = ScoreRange::parse(b"(1", b"+inf").ok();
        assert_eq!(r, Some(ScoreRange { min: 1.0, max: f64::INFINITY, minex: true, maxex: false }));
        assert!(ScoreRange::parse(b"nan", b"1").is_err());
        assert!(ScoreRange::parse(b"1x", b"1").is_err());
        assert!(LexRange::parse(&Bytes::from("a"), &Bytes::from("+")).is_err());
        assert!(LexRange::parse(&Bytes::from("-x"), &Bytes::from("+")).is_err());
    }
}
