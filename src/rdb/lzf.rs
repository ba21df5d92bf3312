//! LZF, the compression RDB strings use (`rdbcompression`): a stream of
//! literal runs (control byte < 32: that many plus one bytes follow) and
//! back references (top three bits: length - 2, 7 meaning "plus the next
//! byte"; low five bits and the next byte: distance - 1, up to 8 KiB back).
//! The compressor here is our own greedy one over a hash of 3-byte
//! sequences; any valid stream decodes the same in Redis.

/// Farthest a back reference reaches.
const MAX_OFF: usize = 1 << 13;
/// Longest back reference: 7 + 255 + 2 bytes.
const MAX_REF: usize = 264;
/// Longest literal run.
const MAX_LIT: usize = 32;
/// Bits of the match-finder hash.
const HASH_BITS: u32 = 14;

fn hash3(b: &[u8]) -> usize {
    let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
    (v.wrapping_mul(2654435761) >> (32 - HASH_BITS)) as usize
}

/// Compresses `input`; `None` when the result would not be shorter than
/// `max_out` bytes (Redis stores such strings uncompressed).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    TABLE.with(|t| compress_with(&mut t.borrow_mut(), input, max_out))
}

thread_local! {
    /// The match finder's table, kept between calls instead of zeroed for
    /// each string (a snapshot compresses millions): a position left by an
    /// earlier input is only a candidate, checked against the bytes.
    static TABLE: std::cell::RefCell<Vec<u32>> = std::cell::RefCell::new(vec![0; 1 << HASH_BITS]);
}

fn compress_with(table: &mut [u32], input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(max_out.min(input.len()));
    let n = input.len();
    let mut lit_start = 0;
    let mut i = 0;
    while i + 2 < n {
        let h = hash3(&input[i..]);
        // Stored positions are biased by one so that 0 means "none".
        let cand = table[h] as usize;
        table[h] = (i + 1) as u32;
        if cand > 0 && cand <= i {
            let r = cand - 1;
            let off = i - r - 1;
            if off < MAX_OFF && input[r..r + 3] == input[i..i + 3] {
                flush_literals(&mut out, &input[lit_start..i]);
                let max = MAX_REF.min(n - i);
                let mut len = 3;
                while len < max && input[r + len] == input[i + len] {
                    len += 1;
                }
                let l = len - 2;
                if l < 7 {
                    out.push(((l << 5) | (off >> 8)) as u8);
                } else {
                    out.push(((7 << 5) | (off >> 8)) as u8);
                    out.push((l - 7) as u8);
                }
                out.push((off & 0xff) as u8);
                // Index the positions inside the match too, so later
                // repeats of them are found.
                for j in i + 1..(i + len).min(n.saturating_sub(2)) {
                    table[hash3(&input[j..])] = (j + 1) as u32;
                }
                i += len;
                lit_start = i;
                if out.len() >= max_out {
                    return None;
                }
                continue;
            }
        }
        i += 1;
    }
    flush_literals(&mut out, &input[lit_start..]);
    (out.len() < max_out).then_some(out)
}

fn flush_literals(out: &mut Vec<u8>, mut lit: &[u8]) {
    while !lit.is_empty() {
        let take = lit.len().min(MAX_LIT);
        out.push((take - 1) as u8);
        out.extend_from_slice(&lit[..take]);
        lit = &lit[take..];
    }
}

/// Decompresses `input` into exactly `out_len` bytes; `None` when the
/// stream is malformed or does not produce that length.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let lit = input.get(ip..ip.checked_add(run)?)?;
            if out.len() + run > out_len {
                return None;
            }
            out.extend_from_slice(lit);
            ip += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(ip)? as usize;
                ip += 1;
            }
            len += 2;
            let back = ((ctrl & 0x1f) << 8) + *input.get(ip)? as usize + 1;
            ip += 1;
            let start = out.len().checked_sub(back)?;
            if out.len() + len > out_len {
                return None;
            }
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) {
        if let Some(c) = compress(data, data.len()) {
            assert!(c.len() < data.len());
            assert_eq!(decompress(&c, data.len()).as_deref(), Some(data));
        }
    }

    #[test]
    fn round_trips() {
        round_trip(&[b'a'; 1000]);
        round_trip(b"hello hello hello hello hello world world world");
        let mut x: u32 = 12345;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                (x >> 16) as u8 % 4 + b'a'
            })
            .collect();
        round_trip(&noise);
        assert!(compress(&[b'z'; 100000], 100000).is_some());
        let random: Vec<u8> = (0..64u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert!(compress(&random, random.len() - 4).is_none());
    }

    #[test]
    fn decodes_what_redis_wrote() {
        // DUMP of SET k2 "hello hello hello hello hello world world world"
        // on redis-server 7.0.15: the LZF body after its two lengths.
        let body = [
            0x06, b'h', b'e', b'l', b'l', b'o', b' ', b'h', 0xe0, 0x0e, 0x05, 0x04, b'w', b'o', b'r', b'l', b'd', 0xe0,
            0x01, 0x05, 0x01, b'l', b'd',
        ];
        let text = b"hello hello hello hello hello world world world";
        assert_eq!(decompress(&body, text.len()).as_deref(), Some(&text[..]));
        assert_eq!(decompress(&body, text.len() - 1), None);
    }

    #[test]
    fn rejects_bad_streams() {
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
        assert_eq!(decompress(&[0x20, 0x00], 3), None);
        assert_eq!(decompress(&[0x00, b'a', 0xe0], 10), None);
        assert_eq!(decompress(&[0x00, b'a'], 2), None);
    }
}
