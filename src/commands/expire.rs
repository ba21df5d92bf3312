//! Key expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with their NX,
//! XX, GT and LT conditions), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

use super::keys::lookup_read;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let k = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("generic").acl(acl::KEYSPACE).keys(vec![ks::at(1, key)])
    };
    const W: u32 = f::WRITE | f::FAST;
    const R: u32 = f::READONLY | f::FAST;
    const RW_UPDATE: &[&str] = &["RW", "UPDATE"];
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const NONDETERMINISTIC: &[&str] = &["nondeterministic_output"];
    vec![
        k("expire", -3, W, expire, RW_UPDATE).doc("1.0.0", "Set a key's time to live in seconds", "O(1)"),
        k("pexpire", -3, W, pexpire, RW_UPDATE).doc("2.6.0", "Set a key's time to live in milliseconds", "O(1)"),
        k("expireat", -3, W, expireat, RW_UPDATE).doc(
            "1.2.0",
            "Set the expiration for a key as a UNIX timestamp",
            "O(1)",
        ),
        k("pexpireat", -3, W, pexpireat, RW_UPDATE).doc(
            "2.6.0",
            "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
            "O(1)",
        ),
        k("ttl", 2, R, ttl, RO_ACCESS).tips(NONDETERMINISTIC).doc(
            "1.0.0",
            "Get the time to live for a key in seconds",
            "O(1)",
        ),
        k("pttl", 2, R, pttl, RO_ACCESS).tips(NONDETERMINISTIC).doc(
            "2.6.0",
            "Get the time to live for a key in milliseconds",
            "O(1)",
        ),
        k("expiretime", 2, R, expiretime, RO_ACCESS).doc(
            "7.0.0",
            "Get the expiration Unix timestamp for a key",
            "O(1)",
        ),
        k("pexpiretime", 2, R, pexpiretime, RO_ACCESS).doc(
            "7.0.0",
            "Get the expiration Unix timestamp for a key in milliseconds",
            "O(1)",
        ),
        k("persist", 2, W, persist, RW_UPDATE).doc("2.2.0", "Remove the expiration from a key", "O(1)"),
    ]
}

/// The condition an EXPIRE family command puts on the current expiry.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct Cond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

/// Parses the NX/XX/GT/LT options after the time argument.
fn parse_cond(opts: &[Bytes]) -> Result<Cond, Reply> {
    let mut c = Cond::default();
    for o in opts {
        if is(o, "nx") {
            c.nx = true;
        } else if is(o, "xx") {
            c.xx = true;
        } else if is(o, "gt") {
            c.gt = true;
        } else if is(o, "lt") {
            c.lt = true;
        } else {
            return Err(Reply::err(format!("ERR Unsupported option {}", String::from_utf8_lossy(o))));
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err(Reply::err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    }
    if c.gt && c.lt {
        return Err(Reply::err("ERR GT and LT options at the same time are not compatible"));
    }
    Ok(c)
}

impl Cond {
    /// Whether a new expiry `when` may replace `current` (None: no expiry,
    /// which counts as an infinite time to live).
    fn allows(self, current: Option<i64>, when: i64) -> bool {
        !((self.nx && current.is_some())
            || (self.xx && current.is_none())
            || (self.gt && current.is_none_or(|cur| when <= cur))
            || (self.lt && current.is_some_and(|cur| when >= cur)))
    }
}

/// The absolute expiry in ms for `v` given in seconds (`secs`) and relative
/// to `base` ms, or None when it overflows.
fn absolute_ms(v: i64, secs: bool, base: i64) -> Option<i64> {
    let ms = if secs { v.checked_mul(1000)? } else { v };
    if ms > i64::MAX - base {
        return None;
    }
    Some(ms + base)
}

/// What the four EXPIRE commands share (Redis's expireGenericCommand):
/// `relative` adds the command's time to the argument.
fn expire_generic(c: &mut ExecCtx, a: &[Bytes], secs: bool, relative: bool) -> Result<Reply, Reply> {
    let cond = parse_cond(&a[3..])?;
    let v = int_arg(&a[2])?;
    let base = if relative { c.now as i64 } else { 0 };
    let when = absolute_ms(v, secs, base).ok_or_else(|| {
        let name = String::from_utf8_lossy(&a[0]).to_ascii_lowercase();
        Reply::err(format!("ERR invalid expire time in '{name}' command"))
    })?;
    let now = c.now;
    let key = &a[1];
    let Some(e) = c.db().get(key, now) else { return Ok(Reply::Int(0)) };
    let current = (e.expire != 0).then_some(e.expire as i64);
    if !cond.allows(current, when) {
        return Ok(Reply::Int(0));
    }
    // While the AOF loads, a deadline already past is kept (the key
    // expires afterwards), as Redis's checkAlreadyExpired.
    if when <= now as i64 && !crate::shard::expire::loading() {
        c.db().remove(key);
    } else {
        c.db().set_expire(key, when.max(1) as u64);
    }
    c.dirty(1);
    Ok(Reply::Int(1))
}

fn expire(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(expire_generic(c, a, true, true))
}

fn pexpire(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(expire_generic(c, a, false, true))
}

fn expireat(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(expire_generic(c, a, true, false))
}

fn pexpireat(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(expire_generic(c, a, false, false))
}

/// How TTL-like commands report an expiry.
#[derive(Clone, Copy)]
enum Report {
    /// Time left, rounded to seconds.
    Secs,
    Ms,
    /// The absolute Unix time in seconds.
    AbsSecs,
    AbsMs,
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without an
/// expiry.
fn ttl_generic(c: &mut ExecCtx, key: &[u8], how: Report) -> Reply {
    let now = c.now;
    let Some(e) = lookup_read(c, key) else { return Reply::Int(-2) };
    if e.expire == 0 {
        return Reply::Int(-1);
    }
    let left = e.expire.saturating_sub(now) as i64;
    let at = e.expire as i64;
    Reply::Int(match how {
        Report::Secs => (left + 500) / 1000,
        Report::Ms => left,
        Report::AbsSecs => (at + 500) / 1000,
        Report::AbsMs => at,
    })
}

fn ttl(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    ttl_generic(c, &a[1], Report::Secs)
}

fn pttl(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    ttl_generic(c, &a[1], Report::Ms)
}

fn expiretime(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    ttl_generic(c, &a[1], Report::AbsSecs)
}

fn pexpiretime(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    ttl_generic(c, &a[1], Report::AbsMs)
}

fn persist(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let now = c.now;
    let had = c.db().get(&a[1], now).is_some_and(|e| e.expire != 0);
    if !had {
        return Reply::Int(0);
    }
    c.db().set_expire(&a[1], 0);
    c.dirty(1);
    Reply::Int(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::settings::Settings;
    use crate::shard::{Keyspace, Value};

    fn run(ks: &mut Keyspace, now: u64, h: ShardFn, line: &str) -> Reply {
        let settings = Settings::default();
        let args: Vec<Bytes> = line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect();
        h(&mut ExecCtx { ks, db: 0, now, settings: &settings }, &args)
    }

    #[test]
    fn conditions() {
        let mut ks = Keyspace::new(1);
        let now = 1_000_000;
        ks.db(0).set(Bytes::from("k"), Value::Str("v".into()));
        assert_eq!(run(&mut ks, now, expire, "expire k 10 xx"), Reply::Int(0));
        assert_eq!(run(&mut ks, now, expire, "expire k 10 gt"), Reply::Int(0));
        assert_eq!(run(&mut ks, now, expire, "expire k 10 lt"), Reply::Int(1));
        assert_eq!(run(&mut ks, now, pttl, "pttl k"), Reply::Int(10_000));
        assert_eq!(run(&mut ks, now, expire, "expire k 20 lt"), Reply::Int(0));
        assert_eq!(run(&mut ks, now, expire, "expire k 20 gt"), Reply::Int(1));
        assert_eq!(run(&mut ks, now, expire, "expire k 30 nx"), Reply::Int(0));
        assert_eq!(run(&mut ks, now, ttl, "ttl k"), Reply::Int(20));
        assert_eq!(run(&mut ks, now, persist, "persist k"), Reply::Int(1));
        assert_eq!(run(&mut ks, now, ttl, "ttl k"), Reply::Int(-1));
        assert_eq!(run(&mut ks, now, pexpireat, "pexpireat k 5"), Reply::Int(1));
        assert_eq!(run(&mut ks, now, ttl, "ttl k"), Reply::Int(-2));
    }

    #[test]
    fn errors() {
        let mut ks = Keyspace::new(1);
        let e = |s: &str| Reply::Error(s.to_string().into());
        assert_eq!(
            run(&mut ks, 0, expire, "expire k 1 nx xx"),
            e("ERR NX and XX, GT or LT options at the same time are not compatible")
        );
        assert_eq!(
            run(&mut ks, 0, expire, "expire k 1 gt lt"),
            e("ERR GT and LT options at the same time are not compatible")
        );
        assert_eq!(run(&mut ks, 0, expire, "expire k 1 foo"), e("ERR Unsupported option foo"));
        assert_eq!(
            run(&mut ks, 0, expire, "EXPIRE k 9223372036854775807"),
            e("ERR invalid expire time in 'expire' command")
        );
        assert_eq!(
            run(&mut ks, 5, pexpire, "pexpire k 9223372036854775807"),
            e("ERR invalid expire time in 'pexpire' command")
        );
    }
}
