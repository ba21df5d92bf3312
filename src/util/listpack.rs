//! The sizes of Redis's listpack entries, for the values that mirror a
//! listpack's size (stream nodes) or report it (MEMORY USAGE).

/// Bytes of a listpack string entry of `len` bytes (header, data, back length).
pub fn string(len: usize) -> usize {
    let head = match len {
        0..=63 => 1,
        64..=4095 => 2,
        _ => 5,
    };
    backlen(head + len)
}

/// Bytes of a listpack integer entry.
pub fn int(v: i64) -> usize {
    let body = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8388608..=8388607 => 4,
        -2147483648..=2147483647 => 5,
        _ => 9,
    };
    backlen(body)
}

/// Bytes of an element holding `s`: strings that read as integers are
/// stored as integers, as listpacks do.
pub fn element(s: &[u8]) -> usize {
    crate::util::num::parse_i64(s).map_or_else(|| string(s.len()), int)
}

/// An entry of `body` bytes with its back length appended.
fn backlen(body: usize) -> usize {
    body + match body {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2097151 => 3,
        2097152..=268435455 => 4,
        _ => 5,
    }
}
