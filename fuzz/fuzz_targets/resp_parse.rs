//! Fuzz target: the request parser never panics, and parsing a buffer fed
//! in arbitrary pieces gives the same requests (or the same error) as
//! parsing it whole.
#![no_main]

use bytes::BytesMut;
use clover::resp::parse::Limits;
use clover::resp::RequestParser;
use libfuzzer_sys::fuzz_target;

fn parse_all(chunks: &[&[u8]]) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
    let limits = Limits { max_bulk: 1 << 20, unauthenticated: false };
    let mut p = RequestParser::default();
    let mut buf = BytesMut::new();
    let mut args = Vec::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        loop {
            match p.parse(&mut buf, &mut args, limits) {
                Ok(true) => out.push(args.iter().map(|a| a.to_vec()).collect()),
                Ok(false) => break,
                Err(e) => return (out, Some(e.0)),
            }
        }
    }
    (out, None)
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let split = (data[0] as usize % 7) + 1;
    let body = &data[1..];
    let whole = parse_all(&[body]);
    let pieces: Vec<&[u8]> = body.chunks(split).collect();
    assert_eq!(parse_all(&pieces), whole);
});
