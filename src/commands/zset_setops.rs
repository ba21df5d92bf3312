//! Operations over several sorted sets: ZUNION, ZINTER, ZDIFF, their STORE
//! forms, and ZINTERCARD. Plain sets are accepted as inputs, each member
//! with score 1, as Redis does.

use super::util::*;
use super::zsets::{elems_reply, limits, store_result};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::zset::cmp_elem;
use crate::shard::{Set, Value, ZSet};
use bytes::Bytes;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, acc: &mut f64, v: f64) {
        match self {
            Aggregate::Sum => {
                *acc += v;
                if acc.is_nan() {
                    *acc = 0.0;
                }
            }
            Aggregate::Min => *acc = acc.min(v),
            Aggregate::Max => *acc = acc.max(v),
        }
    }
}

/// One input: a sorted set, a plain set (with its members as bytes, see
/// `set_members`), or nothing (missing key).
#[derive(Clone, Copy)]
enum Src<'a> {
    Z(&'a ZSet),
    S(&'a Set, &'a [Bytes]),
    Empty,
}

impl<'a> Src<'a> {
    fn len(&self) -> usize {
        match self {
            Src::Z(z) => z.len(),
            Src::S(s, _) => s.len(),
            Src::Empty => 0,
        }
    }

    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Z(z) => z.score(m),
            Src::S(s, _) => s.contains(m).then_some(1.0),
            Src::Empty => None,
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
        match *self {
            Src::Z(z) => z.iter(),
            Src::S(_, members) => Box::new(members.iter().map(|m| (&m[..], 1.0))),
            Src::Empty => Box::new(std::iter::empty()),
        }
    }
}

/// What a set operation was asked: inputs' keys, weights, aggregation.
struct OpArgs<'a> {
    keys: &'a [Bytes],
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Parses `numkeys key... [WEIGHTS w...] [AGGREGATE x] [WITHSCORES]
/// [LIMIT n]` from `a[at]`, allowing what the command allows.
fn parse(a: &[Bytes], at: usize, op: Op, store: bool, card: bool) -> Result<OpArgs<'_>, Reply> {
    let n = int_arg(&a[at])?;
    if n < 1 {
        let name = String::from_utf8_lossy(&a[0]).to_ascii_lowercase();
        return Err(Reply::err(format!("ERR at least 1 input key is needed for '{name}' command")));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > a.len() - at - 1 {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let mut o = OpArgs {
        keys: &a[at + 1..at + 1 + n],
        weights: vec![1.0; n],
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = at + 1 + n;
    while j < a.len() {
        let left = a.len() - j;
        let w = &a[j];
        if op != Op::Diff && !card && left > n && is(w, "weights") {
            for i in 0..n {
                o.weights[i] = crate::util::num::parse_f64(&a[j + 1 + i], true)
                    .ok_or_else(|| Reply::err("ERR weight value is not a float"))?;
            }
            j += n + 1;
        } else if op != Op::Diff && !card && left >= 2 && is(w, "aggregate") {
            let v = &a[j + 1];
            o.aggregate = if is(v, "sum") {
                Aggregate::Sum
            } else if is(v, "min") {
                Aggregate::Min
            } else if is(v, "max") {
                Aggregate::Max
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            };
            j += 2;
        } else if !store && !card && is(w, "withscores") {
            o.withscores = true;
            j += 1;
        } else if card && left >= 2 && is(w, "limit") {
            o.limit = super::zsets::positive_arg(&a[j + 1], "ERR LIMIT can't be negative")?;
            j += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    Ok(o)
}

/// Looks every input up (hits/misses, expiry, type checks) before reading
/// them all at once.
fn check_inputs(c: &mut ExecCtx, keys: &[Bytes]) -> Result<(), Reply> {
    for k in keys {
        if let Some(e) = super::keys::lookup_read(c, k) {
            e.access = crate::shard::expire::lru_clock();
            if !matches!(e.value, Value::ZSet(_) | Value::Set(_)) {
                return Err(Reply::err(ERR_WRONGTYPE));
            }
        }
    }
    Ok(())
}

/// The members of the inputs that are plain sets, as bytes (an intset
/// holds integers), one list per key (empty for the others).
fn set_members(c: &ExecCtx, keys: &[Bytes]) -> Vec<Vec<Bytes>> {
    let db = &c.ks.dbs[c.db];
    keys.iter()
        .map(|k| match db.peek(k, c.now).map(|e| &e.value) {
            Some(Value::Set(s)) => s.iter().map(|m| m.to_bytes()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// The inputs, read together (after `check_inputs`); `members` from
/// `set_members`.
fn sources<'a>(c: &'a ExecCtx, keys: &[Bytes], members: &'a [Vec<Bytes>]) -> Vec<Src<'a>> {
    let db = &c.ks.dbs[c.db];
    keys.iter()
        .zip(members)
        .map(|(k, m)| match db.peek(k, c.now).map(|e| &e.value) {
            Some(Value::ZSet(z)) => Src::Z(z),
            Some(Value::Set(s)) => Src::S(s, m),
            _ => Src::Empty,
        })
        .collect()
}

/// The result of an operation, ascending: (member, score).
fn compute<'a>(srcs: &[Src<'a>], o: &OpArgs, op: Op) -> Vec<(&'a [u8], f64)> {
    let weighted = |s: f64, w: f64| {
        let v = s * w;
        if v.is_nan() {
            0.0
        } else {
            v
        }
    };
    let mut out: Vec<(&[u8], f64)> = match op {
        Op::Union => {
            let mut acc: HashMap<&[u8], f64, ahash::RandomState> = HashMap::default();
            for (src, &w) in srcs.iter().zip(&o.weights) {
                for (m, s) in src.iter() {
                    let v = weighted(s, w);
                    acc.entry(m).and_modify(|cur| o.aggregate.apply(cur, v)).or_insert(v);
                }
            }
            acc.into_iter().collect()
        }
        Op::Inter => {
            let mut order: Vec<usize> = (0..srcs.len()).collect();
            order.sort_by_key(|&i| srcs[i].len());
            let first = order[0];
            srcs[first]
                .iter()
                .filter_map(|(m, s)| {
                    let mut score = weighted(s, o.weights[first]);
                    for &i in &order[1..] {
                        let v = srcs[i].score(m)? * o.weights[i];
                        o.aggregate.apply(&mut score, v);
                    }
                    Some((m, score))
                })
                .collect()
        }
        Op::Diff => srcs[0].iter().filter(|(m, _)| srcs[1..].iter().all(|s| s.score(m).is_none())).collect(),
    };
    out.sort_by(|x, y| cmp_elem(x.1, x.0, y.1, y.0));
    out
}

/// The common body: `at` is the index of numkeys, `dst` the destination
/// of the STORE forms.
fn setop(c: &mut ExecCtx, a: &[Bytes], at: usize, dst: Option<&Bytes>, op: Op) -> Result<Reply, Reply> {
    let o = parse(a, at, op, dst.is_some(), false)?;
    check_inputs(c, o.keys)?;
    let limits = limits(c);
    let members = set_members(c, o.keys);
    let srcs = sources(c, o.keys, &members);
    let result = compute(&srcs, &o, op);
    match dst {
        None => Ok(elems_reply(result.into_iter(), o.withscores)),
        Some(d) => {
            let z = ZSet::from_sorted(limits, result.into_iter());
            Ok(store_result(c, d, z))
        }
    }
}

pub fn zunion(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 1, None, Op::Union))
}

pub fn zinter(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 1, None, Op::Inter))
}

pub fn zdiff(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 1, None, Op::Diff))
}

pub fn zunionstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 2, Some(&a[1]), Op::Union))
}

pub fn zinterstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 2, Some(&a[1]), Op::Inter))
}

pub fn zdiffstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(setop(c, a, 2, Some(&a[1]), Op::Diff))
}

/// ZINTERCARD numkeys key... [LIMIT n]: the size of the intersection,
/// counting stopped at LIMIT (0: no limit).
pub fn zintercard(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let o = parse(a, 1, Op::Inter, false, true)?;
        check_inputs(c, o.keys)?;
        let members = set_members(c, o.keys);
        let mut order = sources(c, o.keys, &members);
        order.sort_by_key(|s| s.len());
        let mut n = 0;
        for (m, _) in order[0].iter() {
            if order[1..].iter().all(|s| s.score(m).is_some()) {
                n += 1;
                if o.limit != 0 && n >= o.limit {
                    break;
                }
            }
        }
        Ok(Reply::Int(n as i64))
    })())
}
