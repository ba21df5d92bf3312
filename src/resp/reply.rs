//! Replies: the protocol-neutral `Reply` value a command produces, and its
//! encoding as RESP2 or RESP3 bytes.

use bytes::{BufMut, Bytes, BytesMut};
use std::borrow::Cow;

/// A command's reply. Handlers build it without knowing the protocol
/// version; `encode` writes it for the connection's protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A status reply: `+OK`.
    Ok,
    /// A status reply with another text (`+PONG`, `+QUEUED`).
    Status(Cow<'static, str>),
    /// An error reply; the text includes its code (`ERR ...`, `WRONGTYPE ...`).
    Error(Cow<'static, str>),
    Int(i64),
    Bulk(Bytes),
    /// A bulk string straight from a stored string value (short ones are
    /// carried inline, so replying to GET allocates nothing).
    Str(crate::shard::CompactBytes),
    /// Null bulk string (RESP2 `$-1`, RESP3 `_`).
    Nil,
    /// Null array (RESP2 `*-1`, RESP3 `_`).
    NilArray,
    Array(Vec<Reply>),
    /// RESP3 map; a flat array of key, value pairs in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 map; in RESP2 an array of two-element arrays (XREAD's
    /// streams).
    PairMap(Vec<(Reply, Reply)>),
    /// RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 double; a bulk string in RESP2.
    Double(f64),
    /// A double printed as Redis's "human" long double ("%.17Lf" without
    /// trailing zeros: GEOPOS coordinates): RESP3 double, RESP2 bulk.
    HumanDouble(f64),
    /// Ordered pairs (member and score, field and value): an array of
    /// two-element arrays in RESP3, one flat array in RESP2.
    Pairs(Vec<(Reply, Reply)>),
    /// RESP3 boolean; the integer 1 or 0 in RESP2.
    Bool(bool),
    /// RESP3 verbatim string ("txt"); a bulk string in RESP2.
    Verbatim(Bytes),
    /// RESP3 push (pub/sub, monitor); an array in RESP2.
    Push(Vec<Reply>),
    /// Bytes already encoded for this connection's protocol (used when a
    /// reply is produced by code that writes RESP itself).
    Raw(Bytes),
}

impl Reply {
    /// An error reply from a static or owned text.
    pub fn err(text: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Error(text.into())
    }

    /// A bulk reply copied from a byte slice.
    pub fn bulk(b: &[u8]) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(b))
    }

    /// A bulk reply from a string.
    pub fn str(s: impl Into<String>) -> Reply {
        Reply::Bulk(Bytes::from(s.into()))
    }

    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Writes the reply into `out` for RESP3 when `resp3`, else RESP2.
    pub fn encode(&self, out: &mut BytesMut, resp3: bool) {
        match self {
            Reply::Ok => out.put_slice(b"+OK\r\n"),
            Reply::Status(s) => line(out, b'+', s.as_bytes()),
            Reply::Error(e) => line(out, b'-', e.as_bytes()),
            Reply::Int(i) => int_line(out, b':', *i),
            Reply::Bulk(b) => bulk(out, b),
            Reply::Str(b) => bulk(out, b),
            Reply::Nil => out.put_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
            Reply::NilArray => out.put_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
            Reply::Array(items) => {
                int_line(out, b'*', items.len() as i64);
                for i in items {
                    i.encode(out, resp3);
                }
            }
            Reply::Set(items) => {
                int_line(out, if resp3 { b'~' } else { b'*' }, items.len() as i64);
                for i in items {
                    i.encode(out, resp3);
                }
            }
            Reply::Push(items) => {
                int_line(out, if resp3 { b'>' } else { b'*' }, items.len() as i64);
                for i in items {
                    i.encode(out, resp3);
                }
            }
            Reply::Map(pairs) => {
                if resp3 {
                    int_line(out, b'%', pairs.len() as i64);
                } else {
                    int_line(out, b'*', 2 * pairs.len() as i64);
                }
                for (k, v) in pairs {
                    k.encode(out, resp3);
                    v.encode(out, resp3);
                }
            }
            Reply::HumanDouble(d) => {
                let text = crate::util::long_double::LongDouble::from_f64(*d).to_human_string();
                if resp3 {
                    line(out, b',', text.as_bytes());
                } else {
                    bulk(out, text.as_bytes());
                }
            }
            Reply::Pairs(pairs) => {
                int_line(out, b'*', if resp3 { pairs.len() } else { 2 * pairs.len() } as i64);
                for (a, b) in pairs {
                    if resp3 {
                        out.put_slice(b"*2\r\n");
                    }
                    a.encode(out, resp3);
                    b.encode(out, resp3);
                }
            }
            Reply::PairMap(pairs) => {
                int_line(out, if resp3 { b'%' } else { b'*' }, pairs.len() as i64);
                for (k, v) in pairs {
                    if !resp3 {
                        out.put_slice(b"*2\r\n");
                    }
                    k.encode(out, resp3);
                    v.encode(out, resp3);
                }
            }
            Reply::Double(d) => {
                let text = crate::util::num::fmt_double(*d);
                if resp3 {
                    line(out, b',', text.as_bytes());
                } else {
                    bulk(out, text.as_bytes());
                }
            }
            Reply::Bool(b) => {
                if resp3 {
                    out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" });
                } else {
                    out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" });
                }
            }
            Reply::Verbatim(b) => {
                if resp3 {
                    int_line(out, b'=', b.len() as i64 + 4);
                    out.put_slice(b"txt:");
                    out.put_slice(b);
                    out.put_slice(b"\r\n");
                } else {
                    bulk(out, b);
                }
            }
            Reply::Raw(b) => out.put_slice(b),
        }
    }
}

fn line(out: &mut BytesMut, prefix: u8, text: &[u8]) {
    out.reserve(text.len() + 3);
    out.put_u8(prefix);
    // Status and error lines cannot carry newlines.
    if memchr::memchr2(b'\r', b'\n', text).is_some() {
        out.extend(text.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
    } else {
        out.put_slice(text);
    }
    out.put_slice(b"\r\n");
}

fn int_line(out: &mut BytesMut, prefix: u8, n: i64) {
    let mut buf = itoa_buf();
    let s = crate::util::num::fmt_i64(n, &mut buf);
    out.reserve(s.len() + 3);
    out.put_u8(prefix);
    out.put_slice(s);
    out.put_slice(b"\r\n");
}

fn itoa_buf() -> [u8; 20] {
    [0; 20]
}

/// Writes a bulk string.
pub fn bulk(out: &mut BytesMut, b: &[u8]) {
    int_line(out, b'$', b.len() as i64);
    out.reserve(b.len() + 2);
    out.put_slice(b);
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(r: &Reply, resp3: bool) -> String {
        let mut out = BytesMut::new();
        r.encode(&mut out, resp3);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn resp2_and_resp3() {
        assert_eq!(enc(&Reply::Nil, false), "$-1\r\n");
        assert_eq!(enc(&Reply::Nil, true), "_\r\n");
        assert_eq!(enc(&Reply::Int(-42), false), ":-42\r\n");
        assert_eq!(enc(&Reply::Int(i64::MIN), false), ":-9223372036854775808\r\n");
        let m = Reply::Map(vec![(Reply::str("a"), Reply::Int(1))]);
        assert_eq!(enc(&m, false), "*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc(&m, true), "%1\r\n$1\r\na\r\n:1\r\n");
        let pm = Reply::PairMap(vec![(Reply::str("a"), Reply::Int(1))]);
        assert_eq!(enc(&pm, false), "*1\r\n*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc(&pm, true), "%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc(&Reply::Double(1.5), true), ",1.5\r\n");
        assert_eq!(enc(&Reply::Double(1.5), false), "$3\r\n1.5\r\n");
        assert_eq!(enc(&Reply::Bool(true), true), "#t\r\n");
        let p = Reply::Pairs(vec![(Reply::str("a"), Reply::Double(1.0))]);
        assert_eq!(enc(&p, false), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
        assert_eq!(enc(&p, true), "*1\r\n*2\r\n$1\r\na\r\n,1\r\n");
        assert_eq!(enc(&Reply::err("ERR a\r\nb"), false), "-ERR a  b\r\n");
        assert_eq!(enc(&Reply::Verbatim(Bytes::from("x")), true), "=5\r\ntxt:x\r\n");
    }
}
