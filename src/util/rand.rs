//! A per-thread pseudo-random sequence for picking random members and
//! samples (SRANDMEMBER, SPOP, HRANDFIELD, ...): splitmix64 over a counter
//! seeded from the clock once per thread. Fast and uniform; not for
//! secrets.

use crate::server::shared::splitmix;
use std::cell::Cell;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    splitmix(t ^ ((std::process::id() as u64) << 32))
}

/// The next random 64-bit number.
pub fn next_u64() -> u64 {
    STATE.with(|s| {
        let x = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(x);
        splitmix(x)
    })
}

/// A uniform random number in `0..n` (`n > 0`), without modulo bias.
pub fn below(n: usize) -> usize {
    let n = n as u64;
    // Reject the top partial block of the u64 range.
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = next_u64();
        if x < zone {
            return (x % n) as usize;
        }
    }
}

/// `count` distinct positions out of `0..len` (`count <= len`), uniformly
/// chosen, in random order: a partial shuffle when most are wanted,
/// rejection sampling when few are.
pub fn distinct(len: usize, count: usize) -> Vec<usize> {
    if count.saturating_mul(3) > len {
        let mut all: Vec<usize> = (0..len).collect();
        for i in 0..count {
            let j = i + below(len - i);
            all.swap(i, j);
        }
        all.truncate(count);
        return all;
    }
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let i = below(len);
        if seen.insert(i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_positions() {
        for (len, count) in [(10, 10), (10, 8), (100, 2), (1, 1), (5, 0)] {
            let mut d = distinct(len, count);
            assert_eq!(d.len(), count);
            d.sort();
            d.dedup();
            assert_eq!(d.len(), count);
            assert!(d.iter().all(|&i| i < len));
        }
        let mut hits = [0; 4];
        for _ in 0..4000 {
            hits[below(4)] += 1;
        }
        assert!(hits.iter().all(|&h| h > 800), "{hits:?}");
    }
}
