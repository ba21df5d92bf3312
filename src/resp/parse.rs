//! Incremental request parser over a connection's query buffer.
//!
//! A request is parsed in place: the parser remembers how far it got, so a
//! large request arriving in many reads is scanned once, and once complete
//! its arguments are zero-copy slices (`Bytes`) of the buffer.

use bytes::{Bytes, BytesMut};

/// Longest inline request, multibulk count line or bulk length line
/// (Redis's PROTO_INLINE_MAX_SIZE).
pub const INLINE_MAX: usize = 64 * 1024;

/// A protocol error: the reply text (without the leading '-') is sent and the
/// connection is closed after it, as Redis does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn new(what: &str) -> Self {
        ProtocolError(format!("ERR Protocol error: {what}"))
    }
}

/// Parser state kept between reads of one connection.
#[derive(Default)]
pub struct RequestParser {
    /// Offset of the next byte to look at in the buffer.
    pos: usize,
    /// Number of bulk strings the multibulk request being parsed declares;
    /// 0 when no multibulk request is in progress.
    expected: usize,
    /// Byte ranges of the arguments found so far.
    ranges: Vec<(usize, usize)>,
}

/// Limits the parser enforces.
#[derive(Clone, Copy)]
pub struct Limits {
    /// proto-max-bulk-len.
    pub max_bulk: usize,
    /// Whether the client still has to authenticate (tighter limits apply).
    pub unauthenticated: bool,
}

fn parse_len(line: &[u8]) -> Option<i64> {
    crate::util::num::parse_i64(line)
}

impl RequestParser {
    /// Parses one request from the front of `buf`. On success the request is
    /// removed from the buffer and its arguments are pushed into `args`
    /// (cleared first); `Ok(false)` means more bytes are needed. An empty
    /// request (blank inline line, `*0`) is consumed and yields no arguments:
    /// callers loop while `Ok(true)` and skip empty `args`.
    pub fn parse(&mut self, buf: &mut BytesMut, args: &mut Vec<Bytes>, limits: Limits) -> Result<bool, ProtocolError> {
        args.clear();
        if buf.is_empty() {
            return Ok(false);
        }
        if self.expected == 0 && buf[0] != b'*' {
            return self.parse_inline(buf, args);
        }
        if self.expected == 0 {
            let Some(nl) = memchr::memchr(b'\r', &buf[..]) else {
                if buf.len() > INLINE_MAX {
                    return Err(ProtocolError::new("too big mbulk count string"));
                }
                return Ok(false);
            };
            if nl + 1 >= buf.len() {
                return Ok(false);
            }
            let n = parse_len(&buf[1..nl]);
            let n = match n {
                Some(n) if n <= i32::MAX as i64 => n,
                _ => return Err(ProtocolError::new("invalid multibulk length")),
            };
            if limits.unauthenticated && n > 10 {
                return Err(ProtocolError::new("unauthenticated multibulk length"));
            }
            if n <= 0 {
                let _ = buf.split_to(nl + 2);
                self.pos = 0;
                return Ok(true);
            }
            self.expected = n as usize;
            self.pos = nl + 2;
            self.ranges.clear();
            self.ranges.reserve(self.expected.min(1024));
        }
        while self.ranges.len() < self.expected {
            let rest = &buf[self.pos..];
            if rest.is_empty() {
                return Ok(false);
            }
            if rest[0] != b'$' {
                let got = rest[0] as char;
                return Err(ProtocolError(format!("ERR Protocol error: expected '$', got '{got}'")));
            }
            let Some(nl) = memchr::memchr(b'\r', rest) else {
                if rest.len() > INLINE_MAX {
                    return Err(ProtocolError::new("too big bulk count string"));
                }
                return Ok(false);
            };
            let len = match parse_len(&rest[1..nl]) {
                Some(l) if l >= 0 && (l as u64) <= limits.max_bulk as u64 => l as usize,
                _ => return Err(ProtocolError::new("invalid bulk length")),
            };
            if limits.unauthenticated && len > 16384 {
                return Err(ProtocolError::new("unauthenticated bulk length"));
            }
            let start = self.pos + nl + 2;
            if buf.len() < start + len + 2 {
                if buf.capacity() < start + len + 2 {
                    buf.reserve(start + len + 2 - buf.len());
                }
                return Ok(false);
            }
            self.ranges.push((start, start + len));
            self.pos = start + len + 2;
        }
        let frame = buf.split_to(self.pos).freeze();
        args.extend(self.ranges.iter().map(|&(s, e)| frame.slice(s..e)));
        self.expected = 0;
        self.pos = 0;
        Ok(true)
    }

    fn parse_inline(&mut self, buf: &mut BytesMut, args: &mut Vec<Bytes>) -> Result<bool, ProtocolError> {
        let Some(nl) = memchr::memchr(b'\n', &buf[..]) else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError::new("too big inline request"));
            }
            return Ok(false);
        };
        let line = buf.split_to(nl + 1);
        let mut end = nl;
        if end > 0 && line[end - 1] == b'\r' {
            end -= 1;
        }
        match crate::util::split_args(&line[..end]) {
            Some(parts) => {
                args.extend(parts.into_iter().map(Bytes::from));
                Ok(true)
            }
            None => Err(ProtocolError::new("unbalanced quotes in request")),
        }
    }

    /// Bytes of the request in progress that are already parsed; used for
    /// the query buffer accounting in CLIENT LIST.
    pub fn in_progress(&self) -> bool {
        self.expected != 0
    }
}

/// Parses `chunks` fed one after another into a fresh parser, as a
/// connection would receive them; returns the requests and the error that
/// stopped parsing, if any. For tests and the fuzz target.
pub fn parse_chunks(chunks: &[&[u8]], limits: Limits) -> (Vec<Vec<Bytes>>, Option<ProtocolError>) {
    let mut p = RequestParser::default();
    let mut buf = BytesMut::new();
    let mut args = Vec::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        loop {
            match p.parse(&mut buf, &mut args, limits) {
                Ok(true) => out.push(args.clone()),
                Ok(false) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits { max_bulk: 512 * 1024 * 1024, unauthenticated: false };

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Bytes>>, ProtocolError> {
        let mut p = RequestParser::default();
        let mut buf = BytesMut::from(input);
        let mut args = Vec::new();
        let mut out = Vec::new();
        while p.parse(&mut buf, &mut args, LIM)? {
            if !args.is_empty() {
                out.push(args.clone());
            }
        }
        Ok(out)
    }

    #[test]
    fn multibulk_and_inline() {
        let r = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\nset \"a b\" 'c'\r\n").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], vec![Bytes::from("GET"), Bytes::from("a")]);
        assert_eq!(r[1], vec![Bytes::from("PING")]);
        assert_eq!(r[2][1], Bytes::from("a b"));
    }

    #[test]
    fn incremental_feed() {
        let input = b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$10\r\n0123456789\r\n";
        let mut p = RequestParser::default();
        let mut buf = BytesMut::new();
        let mut args = Vec::new();
        for (i, b) in input.iter().enumerate() {
            buf.extend_from_slice(&[*b]);
            let done = p.parse(&mut buf, &mut args, LIM).unwrap();
            assert_eq!(done, i == input.len() - 1, "at byte {i}");
        }
        assert_eq!(args[2], Bytes::from("0123456789"));
        assert!(buf.is_empty());
    }

    #[test]
    fn errors() {
        assert_eq!(parse_all(b"*1\r\nfoo\r\n").unwrap_err().0, "ERR Protocol error: expected '$', got 'f'");
        assert_eq!(parse_all(b"*x\r\n").unwrap_err().0, "ERR Protocol error: invalid multibulk length");
        assert_eq!(parse_all(b"*1\r\n$-5\r\n").unwrap_err().0, "ERR Protocol error: invalid bulk length");
        assert_eq!(parse_all(b"*3000000000\r\n").unwrap_err().0, "ERR Protocol error: invalid multibulk length");
        assert_eq!(parse_all(b"set \"a\r\n").unwrap_err().0, "ERR Protocol error: unbalanced quotes in request");
        let big = vec![b'a'; INLINE_MAX + 10];
        assert_eq!(parse_all(&big).unwrap_err().0, "ERR Protocol error: too big inline request");
    }

    #[test]
    fn empty_requests_are_skipped() {
        assert_eq!(parse_all(b"\r\n*0\r\n*-1\r\n").unwrap().len(), 0);
    }

    fn feed(chunks: &[&[u8]]) -> (Vec<Vec<Bytes>>, Option<ProtocolError>) {
        parse_chunks(chunks, LIM)
    }

    /// A bounded, deterministic fuzz run (the cargo-fuzz target in fuzz/
    /// explores further): mutated requests never panic, and feeding them
    /// in pieces gives what parsing them whole gives.
    #[test]
    fn mutated_inputs_parse_the_same_in_pieces() {
        let seeds: [&[u8]; 4] = [
            b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
            b"PING\r\nset \"a b\" 'c'\r\n",
            b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*0\r\n",
            b"*1\r\n$-1\r\n*-1\r\n\r\n",
        ];
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            x = crate::server::shared::splitmix(x);
            x
        };
        for round in 0..20_000 {
            let mut input = seeds[round % seeds.len()].to_vec();
            for _ in 0..(next() % 4) {
                let pos = (next() % (input.len() as u64 + 1)) as usize;
                match next() % 3 {
                    0 if pos < input.len() => input[pos] = next() as u8,
                    1 => input.insert(pos, b"*$\r\n-0123456789\"'\\ "[(next() % 18) as usize]),
                    _ if pos < input.len() => {
                        input.remove(pos);
                    }
                    _ => {}
                }
            }
            let whole = feed(&[&input]);
            let split = (next() % 5 + 1) as usize;
            let pieces: Vec<&[u8]> = input.chunks(split).collect();
            assert_eq!(feed(&pieces), whole, "input {:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn bulk_limit() {
        let mut p = RequestParser::default();
        let mut buf = BytesMut::from(&b"*1\r\n$100\r\n"[..]);
        let lim = Limits { max_bulk: 10, unauthenticated: false };
        assert!(p.parse(&mut buf, &mut Vec::new(), lim).is_err());
    }
}
