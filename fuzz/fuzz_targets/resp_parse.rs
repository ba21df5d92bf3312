//! Fuzz target: the request parser never panics, and parsing a buffer fed
//! in arbitrary pieces gives the same requests (or the same error) as
//! parsing it whole.
#![no_main]

use clover::resp::parse::{parse_chunks, Limits, ProtocolError};
use libfuzzer_sys::fuzz_target;

fn parse_all(chunks: &[&[u8]]) -> (Vec<Vec<bytes::Bytes>>, Option<ProtocolError>) {
    parse_chunks(chunks, Limits { max_bulk: 1 << 20, unauthenticated: false })
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
