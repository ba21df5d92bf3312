//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. The
//! values are plain strings in Redis's exact HLL layout (`util::hll`), so
//! GET/SET move them between Clover and Redis unchanged.

use super::strings::{as_str_mut, read_str, write_entry};
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::{CompactBytes, Entry, Value};
use crate::util::hll::{self, Corrupt, Encoding, HDR_LEN, REGISTERS};
use bytes::{Bytes, BytesMut};

pub fn commands() -> Vec<CommandSpec> {
    let h = |name, arity, fl, handler: ShardFn| {
        CommandSpec::new(name, arity, fl, Exec::Shard(handler)).group("hyperloglog").acl(acl::HYPERLOGLOG)
    };
    const W: u32 = f::WRITE | f::DENYOOM;
    vec![
        h("pfadd", -2, W | f::FAST, pfadd).keys(vec![ks::at(1, &["RW", "INSERT"])]).doc(
            "2.8.9",
            "Adds the specified elements to the specified HyperLogLog.",
            "O(1) to add every element.",
        ),
        h("pfcount", -2, f::READONLY, pfcount).keys(vec![ks::range(1, -1, 1, &["RW", "ACCESS"])]).doc(
            "2.8.9",
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
            "O(1) with a very small average constant time when called with a single key. O(N) with N being the \
             number of keys, and much bigger constant times, when called with multiple keys.",
        ),
        h("pfmerge", -2, W, pfmerge)
            .keys(vec![ks::at(1, &["RW", "ACCESS", "INSERT"]), ks::range(2, -1, 1, &["RO", "ACCESS"])])
            .doc(
                "2.8.9",
                "Merge N different HyperLogLogs into a single one.",
                "O(N) to merge N HyperLogLogs, but with high constant times.",
            ),
        h("pfdebug", 3, W | f::ADMIN, pfdebug).keys(vec![ks::at(2, &["RW", "ACCESS"])]).doc(
            "2.8.9",
            "Internal commands for debugging HyperLogLog values",
            "N/A",
        ),
        h("pfselftest", 1, f::ADMIN, pfselftest).doc(
            "2.8.9",
            "An internal command for testing HyperLogLog values",
            "N/A",
        ),
    ]
}

const ERR_NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const ERR_CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

fn corrupt(_: Corrupt) -> Reply {
    Reply::err(ERR_CORRUPT)
}

/// The encoding of a string that must be a HyperLogLog.
fn hll_encoding(v: &[u8]) -> Result<Encoding, Reply> {
    hll::encoding(v).ok_or_else(|| Reply::err(ERR_NOT_HLL))
}

/// Runs `f` on the HyperLogLog at `key` (looked up for writing), checked
/// to be one; None when the key is missing.
fn with_hll<R>(
    c: &mut ExecCtx,
    key: &[u8],
    f: impl FnOnce(&mut BytesMut) -> Result<R, Reply>,
) -> Result<Option<R>, Reply> {
    let Some(e) = write_entry(c, key) else { return Ok(None) };
    let b = as_str_mut(&mut e.value)?;
    hll_encoding(b)?;
    b.edit(f).map(Some)
}

/// Adds `elements`; how many of them changed a register. Stops at the
/// first corrupt edit, keeping what was done before, as Redis.
fn add_all(v: &mut BytesMut, elements: &[Bytes], max_bytes: usize) -> Result<u64, Reply> {
    let mut changed = 0;
    for e in elements {
        if hll::add(v, e, max_bytes).map_err(corrupt)? {
            changed += 1;
        }
    }
    if changed > 0 {
        hll::invalidate(v);
    }
    Ok(changed)
}

fn pfadd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (key, elements) = (&a[1], &a[2..]);
        let max = c.settings.hll_sparse_max_bytes;
        let changed = match with_hll(c, key, |v| add_all(v, elements, max))? {
            Some(n) => n,
            None => {
                // A new key counts as a change even with no element.
                let mut v = hll::new_sparse();
                let n = add_all(&mut v, elements, max)? + 1;
                hll::invalidate(&mut v);
                c.db().insert(key, Entry::new(Value::Str(CompactBytes::raw(v))));
                n
            }
        };
        c.dirty(changed);
        Ok(Reply::Int((changed > 0) as i64))
    })())
}

fn pfcount(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        if a.len() > 2 {
            // The union of several: counted without changing any of them.
            let mut max = Box::new([0u8; REGISTERS]);
            for key in &a[1..] {
                let Some(v) = read_str(c, key)? else { continue };
                hll_encoding(&v)?;
                hll::merge_into(&mut max, &v).map_err(corrupt)?;
            }
            return Ok(Reply::Int(hll::estimate(&hll::raw_histogram(&max)) as i64));
        }
        let key = &a[1];
        let Some(v) = read_str(c, key)? else { return Ok(Reply::Int(0)) };
        hll_encoding(&v)?;
        if let Some(card) = hll::cached(&v) {
            return Ok(Reply::Int(card as i64));
        }
        let card = hll::estimate(&hll::histogram(&v).map_err(corrupt)?);
        drop(v);
        // The fresh count is cached in the value: a write, as in Redis.
        with_hll(c, key, |v| {
            hll::set_cached(v, card);
            Ok(())
        })?;
        c.dirty(1);
        Ok(Reply::Int(card as i64))
    })())
}

fn pfmerge(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let mut max = Box::new([0u8; REGISTERS]);
        let mut dense = false;
        for key in &a[1..] {
            let Some(v) = read_str(c, key)? else { continue };
            dense |= hll_encoding(&v)? == Encoding::Dense;
            hll::merge_into(&mut max, &v).map_err(corrupt)?;
        }
        let dest = &a[1];
        if write_entry(c, dest).is_none() {
            c.db().insert(dest, Entry::new(Value::Str(CompactBytes::raw(hll::new_sparse()))));
        }
        let sparse_max = c.settings.hll_sparse_max_bytes;
        with_hll(c, dest, |v| {
            // Dense when any input was, to skip the sparse steps.
            if dense {
                *v = hll::to_dense(v).map_err(corrupt)?;
            }
            for (i, &m) in max.iter().enumerate().filter(|(_, &m)| m != 0) {
                // As Redis, a corrupt destination is not reported here
                // (it was merged above without error).
                let _ = hll::raise(v, i, m, sparse_max);
            }
            hll::invalidate(v);
            Ok(())
        })?;
        c.dirty(1);
        Ok(Reply::Ok)
    })())
}

fn pfdebug(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let sub = &a[1];
        let mut converted = false;
        let reply = with_hll(c, &a[2], |v| {
            let sparse = hll::encoding(v) == Some(Encoding::Sparse);
            let mut densify = |v: &mut BytesMut| -> Result<(), Reply> {
                if sparse {
                    *v = hll::to_dense(v).map_err(corrupt)?;
                    converted = true;
                }
                Ok(())
            };
            if is(sub, "getreg") {
                densify(v)?;
                let regs = &v[HDR_LEN..];
                Ok(Reply::Array((0..REGISTERS).map(|i| Reply::Int(hll::dense_get(regs, i) as i64)).collect()))
            } else if is(sub, "decode") {
                if !sparse {
                    return Err(Reply::err("ERR HLL encoding is not sparse"));
                }
                Ok(Reply::Bulk(Bytes::from(hll::decode(v))))
            } else if is(sub, "encoding") {
                Ok(Reply::status(if sparse { "sparse" } else { "dense" }))
            } else if is(sub, "todense") {
                densify(v)?;
                Ok(Reply::Int(sparse as i64))
            } else {
                Err(Reply::err(format!("ERR Unknown PFDEBUG subcommand '{}'", String::from_utf8_lossy(sub))))
            }
        })?;
        if converted {
            c.dirty(1);
        }
        reply.ok_or_else(|| Reply::err("ERR The specified key does not exist"))
    })())
}

/// PFSELFTEST: checks the dense register packing on random values, then
/// adds ten million distinct elements to a dense and a sparse value at
/// once, comparing their estimates and the error at every power of ten.
fn pfselftest(c: &mut ExecCtx, _a: &[Bytes]) -> Reply {
    either(selftest(c.settings.hll_sparse_max_bytes))
}

fn selftest(sparse_max: usize) -> Result<Reply, Reply> {
    let failed = |msg: String| Err(Reply::err(format!("TESTFAILED {msg}")));
    let mut rng = crate::server::shared::splitmix(std::process::id() as u64 ^ 0x5eed);
    let mut next = || {
        rng = crate::server::shared::splitmix(rng);
        rng
    };
    let mut dense = hll::to_dense(&hll::new_sparse()).map_err(corrupt)?;
    let mut want = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        let regs = &mut dense[HDR_LEN..];
        for (i, w) in want.iter_mut().enumerate() {
            *w = (next() & 63) as u8;
            hll::dense_put(regs, i, *w);
        }
        for (i, &w) in want.iter().enumerate() {
            let got = hll::dense_get(regs, i);
            if got != w {
                return failed(format!("Register {i} should be {w} but is {got}"));
            }
        }
    }
    dense[HDR_LEN..].fill(0);
    let mut sparse = hll::new_sparse();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let seed = next();
    let mut checkpoint: u64 = 1;
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        hll::add(&mut dense, &ele, sparse_max).map_err(corrupt)?;
        hll::add(&mut sparse, &ele, sparse_max).map_err(corrupt)?;
        if j != checkpoint {
            continue;
        }
        if j < (sparse_max / 2) as u64 && hll::encoding(&sparse) != Some(Encoding::Sparse) {
            return failed("sparse encoding not used".into());
        }
        let card = hll::estimate(&hll::histogram(&dense).map_err(corrupt)?);
        if card != hll::estimate(&hll::histogram(&sparse).map_err(corrupt)?) {
            return failed("dense/sparse disagree".into());
        }
        let err = checkpoint.abs_diff(card);
        // Ten elements may well collide: allow one off there.
        let max_err = if j == 10 { 1 } else { (relerr * 6.0 * checkpoint as f64).ceil() as u64 };
        if err > max_err {
            return failed(format!("Too big error. card:{checkpoint} abserr:{err}"));
        }
        checkpoint *= 10;
    }
    Ok(Reply::Ok)
}
