//! Argument parsing and reply helpers shared by the command families, with
//! Redis's exact error texts.

use crate::resp::Reply;
use bytes::Bytes;

pub const ERR_NOT_INT: &str = "ERR value is not an integer or out of range";
pub const ERR_NOT_FLOAT: &str = "ERR value is not a valid float";
pub const ERR_SYNTAX: &str = "ERR syntax error";
pub const ERR_WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const ERR_OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const ERR_NO_KEY: &str = "ERR no such key";
pub const ERR_DB_INDEX: &str = "ERR DB index is out of range";

/// Parses an integer argument or returns Redis's "not an integer" error.
pub fn int_arg(a: &[u8]) -> Result<i64, Reply> {
    crate::util::num::parse_i64(a).ok_or_else(|| Reply::err(ERR_NOT_INT))
}

/// Parses a float argument (inf allowed) or returns "not a valid float".
pub fn float_arg(a: &[u8]) -> Result<f64, Reply> {
    crate::util::num::parse_f64(a, true).ok_or_else(|| Reply::err(ERR_NOT_FLOAT))
}

/// Whether `a` equals `word`, ignoring ASCII case.
#[inline]
pub fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}

/// A copy of an argument to store: arguments are slices of the read
/// buffer, and a stored slice would keep the whole buffer alive.
#[inline]
pub fn owned(a: &Bytes) -> Bytes {
    Bytes::copy_from_slice(a)
}

/// Unwraps a `Result<Reply, Reply>` built with `?` on argument parsers.
pub fn either(r: Result<Reply, Reply>) -> Reply {
    r.unwrap_or_else(|e| e)
}
