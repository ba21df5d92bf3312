//! HyperLogLog values byte for byte as Redis stores them in a string, so a
//! value dumped from one server counts the same on the other.
//!
//! Layout: a 16-byte header ("HYLL", an encoding byte, three unused bytes,
//! then the cached cardinality as a little-endian u64 whose top bit set
//! means "stale"), followed by the 16384 registers in one of two forms:
//!
//! * dense: 6 bits per register, packed from the least significant bit of
//!   each byte upwards (12288 bytes);
//! * sparse: run-length opcodes. `00llllll` is a run of 1..=64 zero
//!   registers, `01llllll llllllll` a run of 1..=16384 zero registers,
//!   `1vvvvvll` a run of 1..=4 registers holding the value 1..=32 (every
//!   field stores its value minus one).
//!
//! Elements hash with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick
//! the register, and the position of the first set bit in the rest is the
//! value it may raise the register to. A sparse value becomes dense when a
//! register needs more than 32 or the string would grow beyond
//! hll-sparse-max-bytes; the edits of the sparse form follow Redis's exact
//! opcode splitting and merging so the bytes match. The estimate is
//! Ertl's improved estimator over the register histogram, as Redis 7.

use bytes::BytesMut;

/// Header bytes before the registers.
pub const HDR_LEN: usize = 16;
/// Number of registers (2^14).
pub const REGISTERS: usize = 1 << 14;
/// Bits of the hash that index the register.
const P: u32 = 14;
/// Hash bits left for the run of zeros.
const Q: usize = 64 - P as usize;
/// Register width in the dense form.
const BITS: usize = 6;
const REG_MASK: u32 = (1 << BITS) - 1;
/// Length of a dense value, header included.
pub const DENSE_LEN: usize = HDR_LEN + REGISTERS * BITS / 8;
const ENC_DENSE: u8 = 0;
const ENC_SPARSE: u8 = 1;
/// Largest register value a sparse VAL opcode holds.
const VAL_MAX: u8 = 32;
/// Longest run of one VAL opcode.
const VAL_MAX_RUN: usize = 4;
/// Longest run of a one-byte ZERO opcode.
const ZERO_MAX_RUN: usize = 64;
/// 0.5 / ln 2: the estimator's alpha for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The sparse representation is malformed (Redis's INVALIDOBJ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// How the registers of a value are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Dense,
    Sparse,
}

/// The encoding of `v` when it is a HyperLogLog: the magic, a known
/// encoding, and for the dense form the exact length. None otherwise.
pub fn encoding(v: &[u8]) -> Option<Encoding> {
    if v.len() < HDR_LEN || &v[..4] != b"HYLL" {
        return None;
    }
    match v[4] {
        ENC_DENSE if v.len() == DENSE_LEN => Some(Encoding::Dense),
        ENC_SPARSE => Some(Encoding::Sparse),
        _ => None,
    }
}

/// MurmurHash64A as Redis uses it: 8-byte blocks read little-endian on
/// every platform.
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for b in &mut blocks {
        let mut k = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the value it offers it: one more
/// than the number of zero bits above the index bits (at most Q + 1).
pub fn position(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, 0xadc8_3b19);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A new, empty HyperLogLog: sparse, one XZERO run over every register,
/// cached cardinality 0 (valid).
pub fn new_sparse() -> BytesMut {
    let mut v = BytesMut::with_capacity(HDR_LEN + 2);
    v.extend_from_slice(b"HYLL");
    v.extend_from_slice(&[ENC_SPARSE, 0, 0, 0]);
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&xzero(REGISTERS));
    v
}

// ---------------------------------------------------------------------------
// The cached cardinality.

/// The cached cardinality, when it is valid.
pub fn cached(v: &[u8]) -> Option<u64> {
    let card: [u8; 8] = v[8..16].try_into().ok()?;
    (card[7] & 0x80 == 0).then(|| u64::from_le_bytes(card))
}

pub fn set_cached(v: &mut [u8], card: u64) {
    v[8..16].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate(v: &mut [u8]) {
    v[15] |= 0x80;
}

// ---------------------------------------------------------------------------
// The dense form. `regs` is the register area (after the header).

/// Register `i` of a dense register area.
#[inline]
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let (byte, shift) = (i * BITS / 8, (i * BITS) & 7);
    let lo = regs[byte] as u32 >> shift;
    // The last register ends inside its first byte: nothing beyond.
    let hi = regs.get(byte + 1).map_or(0, |&b| (b as u32) << (8 - shift));
    ((lo | hi) & REG_MASK) as u8
}

/// Sets register `i` of a dense register area to `val` (< 64).
#[inline]
pub fn dense_put(regs: &mut [u8], i: usize, val: u8) {
    let (byte, shift) = (i * BITS / 8, (i * BITS) & 7);
    let v = val as u32;
    regs[byte] = ((regs[byte] as u32 & !(REG_MASK << shift)) | (v << shift)) as u8;
    if let Some(b) = regs.get_mut(byte + 1) {
        let spill = 8 - shift;
        *b = ((*b as u32 & !(REG_MASK >> spill)) | (v >> spill)) as u8;
    }
}

/// Raises register `i` to `val` if it is lower; whether it changed.
fn dense_raise(regs: &mut [u8], i: usize, val: u8) -> bool {
    if val > dense_get(regs, i) {
        dense_put(regs, i, val);
        true
    } else {
        false
    }
}

// ---------------------------------------------------------------------------
// The sparse form.

/// One sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// A run of zero registers (the one-byte ZERO or two-byte XZERO).
    Zero { run: usize, wide: bool },
    /// A run of registers holding `val`.
    Val { val: u8, run: usize },
}

impl Op {
    fn run(self) -> usize {
        match self {
            Op::Zero { run, .. } | Op::Val { run, .. } => run,
        }
    }

    fn width(self) -> usize {
        match self {
            Op::Zero { wide: true, .. } => 2,
            _ => 1,
        }
    }
}

/// The opcode at `p` of `v`. An XZERO cut short by the end of the string
/// reads a zero second byte (Redis reads the string's terminator there).
fn op_at(v: &[u8], p: usize) -> Op {
    let b = v[p];
    if b & 0x80 != 0 {
        Op::Val { val: ((b >> 2) & 0x1f) + 1, run: (b & 3) as usize + 1 }
    } else if b & 0x40 != 0 {
        let low = v.get(p + 1).copied().unwrap_or(0) as usize;
        Op::Zero { run: ((((b & 0x3f) as usize) << 8) | low) + 1, wide: true }
    } else {
        Op::Zero { run: (b & 0x3f) as usize + 1, wide: false }
    }
}

fn val_op(val: u8, run: usize) -> u8 {
    0x80 | ((val - 1) << 2) | (run - 1) as u8
}

fn xzero(run: usize) -> [u8; 2] {
    let l = run - 1;
    [0x40 | (l >> 8) as u8, (l & 0xff) as u8]
}

/// Appends the shortest zero-run opcode for `run` (1..=16384) registers.
fn push_zeros(seq: &mut Vec<u8>, run: usize) {
    if run > ZERO_MAX_RUN {
        seq.extend_from_slice(&xzero(run));
    } else {
        seq.push((run - 1) as u8);
    }
}

/// Walks the opcodes of a sparse value, calling `f(first, run, val)` for
/// each run of non-zero registers. Corrupt unless the runs cover exactly
/// the 16384 registers.
fn sparse_runs(v: &[u8], mut f: impl FnMut(usize, usize, u8)) -> Result<(), Corrupt> {
    let mut p = HDR_LEN;
    let mut idx = 0usize;
    while p < v.len() {
        let op = op_at(v, p);
        if let Op::Val { val, run } = op {
            if idx + run > REGISTERS {
                return Err(Corrupt);
            }
            f(idx, run, val);
        }
        idx += op.run();
        p += op.width();
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// The dense form of `v` (a copy when it is sparse; the header, cached
/// cardinality included, carries over).
pub fn to_dense(v: &[u8]) -> Result<BytesMut, Corrupt> {
    if encoding(v) == Some(Encoding::Dense) {
        return Ok(BytesMut::from(v));
    }
    let mut d = BytesMut::zeroed(DENSE_LEN);
    d[..HDR_LEN].copy_from_slice(&v[..HDR_LEN]);
    d[4] = ENC_DENSE;
    let regs = &mut d[HDR_LEN..];
    sparse_runs(v, |first, run, val| (first..first + run).for_each(|i| dense_put(regs, i, val)))?;
    Ok(d)
}

/// Raises register `index` of a sparse value to `count` if it is lower,
/// editing the opcodes in place as Redis does (the result is byte-identical),
/// or turning the value dense when `count` does not fit a VAL opcode or the
/// value would outgrow `max_bytes`. Whether the register changed.
fn sparse_raise(v: &mut BytesMut, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    if count > VAL_MAX {
        return promote(v, index, count);
    }
    // Find the opcode covering `index`.
    let (mut p, mut first, mut prev) = (HDR_LEN, 0usize, None);
    let mut found = None;
    while p < v.len() {
        let op = op_at(v, p);
        if index < first + op.run() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.width();
        first += op.run();
    }
    let Some(op) = found else { return Err(Corrupt) };
    let last = first + op.run() - 1;
    match op {
        Op::Val { val, .. } if val >= count => return Ok(false),
        Op::Val { run: 1, .. } | Op::Zero { run: 1, wide: false } => v[p] = val_op(count, 1),
        _ => {
            // Split the run into what precedes the register, the register,
            // and what follows it.
            let mut seq = Vec::with_capacity(5);
            match op {
                Op::Zero { .. } => {
                    if index != first {
                        push_zeros(&mut seq, index - first);
                    }
                    seq.push(val_op(count, 1));
                    if index != last {
                        push_zeros(&mut seq, last - index);
                    }
                }
                Op::Val { val, .. } => {
                    if index != first {
                        seq.push(val_op(val, index - first));
                    }
                    seq.push(val_op(count, 1));
                    if index != last {
                        seq.push(val_op(val, last - index));
                    }
                }
            }
            let old_len = v.len();
            let new_len = (old_len + seq.len()).saturating_sub(op.width());
            if new_len > old_len && new_len > max_bytes {
                return promote(v, index, count);
            }
            let tail = (p + op.width()).min(old_len);
            if new_len > old_len {
                v.resize(new_len, 0);
                v.copy_within(tail..old_len, tail + (new_len - old_len));
            } else if new_len < old_len {
                v.copy_within(tail..old_len, tail - (old_len - new_len));
                v.truncate(new_len);
            }
            // An XZERO cut short at the end leaves less room than the
            // sequence: what does not fit is dropped, as in Redis.
            let fit = seq.len().min(v.len() - p);
            v[p..p + fit].copy_from_slice(&seq[..fit]);
        }
    }
    merge_adjacent(v, prev.unwrap_or(HDR_LEN));
    invalidate(v);
    Ok(true)
}

/// Joins neighbouring VAL opcodes of equal value whose runs fit one
/// opcode, looking at up to five opcodes from `p` (around an edit).
fn merge_adjacent(v: &mut BytesMut, mut p: usize) {
    let mut budget = 5;
    while p < v.len() && budget > 0 {
        budget -= 1;
        let op = op_at(v, p);
        let Op::Val { val, run } = op else {
            p += op.width();
            continue;
        };
        if p + 1 < v.len() {
            if let Op::Val { val: val2, run: run2 } = op_at(v, p + 1) {
                if val == val2 && run + run2 <= VAL_MAX_RUN {
                    v[p + 1] = val_op(val, run + run2);
                    let len = v.len();
                    v.copy_within(p + 1..len, p);
                    v.truncate(len - 1);
                    continue;
                }
            }
        }
        p += 1;
    }
}

/// Turns a sparse value dense, then raises register `index` to `count`.
fn promote(v: &mut BytesMut, index: usize, count: u8) -> Result<bool, Corrupt> {
    *v = to_dense(v)?;
    dense_raise(&mut v[HDR_LEN..], index, count);
    Ok(true)
}

/// Raises register `index` to `count` in either form; whether it changed.
/// The value must be a HyperLogLog (see [`encoding`]).
pub fn raise(v: &mut BytesMut, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    match encoding(v) {
        Some(Encoding::Dense) => Ok(dense_raise(&mut v[HDR_LEN..], index, count)),
        Some(Encoding::Sparse) => sparse_raise(v, index, count, max_bytes),
        None => Err(Corrupt),
    }
}

/// Adds an element; whether a register changed. Does not touch the cache.
pub fn add(v: &mut BytesMut, ele: &[u8], max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = position(ele);
    raise(v, index, count, max_bytes)
}

// ---------------------------------------------------------------------------
// Counting and merging.

/// How many registers hold each value.
pub type Histogram = [u32; 64];

/// The register histogram of a HyperLogLog value.
pub fn histogram(v: &[u8]) -> Result<Histogram, Corrupt> {
    let mut h = [0u32; 64];
    match encoding(v) {
        Some(Encoding::Dense) => {
            for c in v[HDR_LEN..].chunks_exact(3) {
                let (a, b, d) = (c[0] as u32, c[1] as u32, c[2] as u32);
                h[(a & 63) as usize] += 1;
                h[((a >> 6 | b << 2) & 63) as usize] += 1;
                h[((b >> 4 | d << 4) & 63) as usize] += 1;
                h[(d >> 2) as usize] += 1;
            }
        }
        Some(Encoding::Sparse) => {
            let mut nonzero = 0u32;
            sparse_runs(v, |_, run, val| {
                h[val as usize] += run as u32;
                nonzero += run as u32;
            })?;
            h[0] = REGISTERS as u32 - nonzero;
        }
        None => return Err(Corrupt),
    }
    Ok(h)
}

/// The histogram of plain one-byte-per-register registers (a union).
pub fn raw_histogram(regs: &[u8; REGISTERS]) -> Histogram {
    let mut h = [0u32; 64];
    for &r in regs {
        h[(r & 63) as usize] += 1;
    }
    h
}

/// Raises every register of `max` to the matching register of `v`.
pub fn merge_into(max: &mut [u8; REGISTERS], v: &[u8]) -> Result<(), Corrupt> {
    match encoding(v) {
        Some(Encoding::Dense) => {
            let regs = &v[HDR_LEN..];
            for (i, m) in max.iter_mut().enumerate() {
                *m = (*m).max(dense_get(regs, i));
            }
            Ok(())
        }
        Some(Encoding::Sparse) => sparse_runs(v, |first, run, val| {
            for m in &mut max[first..first + run] {
                *m = (*m).max(val);
            }
        }),
        None => Err(Corrupt),
    }
}

/// sigma(x) of Ertl's estimator: x + x^2 + 2x^4 + 4x^8 + ... until the sum
/// stops changing.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

/// tau(x) of Ertl's estimator, summed until it stops changing.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from a register histogram (Ertl, "New
/// cardinality estimation algorithms for HyperLogLog sketches").
pub fn estimate(h: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - h[Q + 1] as f64) / m);
    for &n in h[1..=Q].iter().rev() {
        z += n as f64;
        z *= 0.5;
    }
    z += m * sigma(h[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// PFDEBUG DECODE's text for a sparse value: "z:N" (ZERO), "Z:N" (XZERO),
/// "v:VAL,N" (VAL), space separated.
pub fn decode(v: &[u8]) -> String {
    let mut out = Vec::new();
    let mut p = HDR_LEN;
    while p < v.len() {
        let op = op_at(v, p);
        out.push(match op {
            Op::Zero { run, wide: false } => format!("z:{run}"),
            Op::Zero { run, wide: true } => format!("Z:{run}"),
            Op::Val { val, run } => format!("v:{val},{run}"),
        });
        p += op.width();
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sparse_with(elements: &[&[u8]]) -> BytesMut {
        let mut v = new_sparse();
        for e in elements {
            add(&mut v, e, 3000).unwrap();
        }
        v
    }

    #[test]
    fn murmur_matches_reference_values() {
        // The hash of the empty string with seed 0 is the final mix of 0.
        assert_eq!(murmur64a(b"", 0), 0);
        // Tails of every length go through the same path as Redis's switch.
        let h: Vec<u64> = (0..=9).map(|n| murmur64a(&b"abcdefghij"[..n], 0xadc83b19)).collect();
        let mut uniq = h.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), h.len());
    }

    #[test]
    fn dense_registers_round_trip_without_touching_neighbours() {
        let mut regs = vec![0u8; DENSE_LEN - HDR_LEN];
        let mut x = 12345u64;
        let mut want = vec![0u8; REGISTERS];
        for (i, w) in want.iter_mut().enumerate() {
            x = crate::server::shared::splitmix(x);
            *w = (x & 63) as u8;
            dense_put(&mut regs, i, *w);
        }
        for (i, &w) in want.iter().enumerate() {
            assert_eq!(dense_get(&regs, i), w, "register {i}");
        }
    }

    #[test]
    fn empty_value_is_one_xzero() {
        let v = new_sparse();
        assert_eq!(&v[..], b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(decode(&v), "Z:16384");
        assert_eq!(estimate(&histogram(&v).unwrap()), 0);
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut s = new_sparse();
        let mut d = to_dense(&new_sparse()).unwrap();
        for i in 0..2000u32 {
            let e = i.to_string();
            let a = add(&mut s, e.as_bytes(), 1 << 20).unwrap();
            let b = add(&mut d, e.as_bytes(), 1 << 20).unwrap();
            assert_eq!(a, b);
            if i % 97 == 0 {
                assert_eq!(to_dense(&s).unwrap()[HDR_LEN..], d[HDR_LEN..]);
                assert_eq!(histogram(&s).unwrap(), histogram(&d).unwrap());
            }
        }
        assert_eq!(encoding(&s), Some(Encoding::Sparse));
        let n = estimate(&histogram(&d).unwrap());
        assert!((1900..2100).contains(&n), "{n}");
    }

    #[test]
    fn sparse_promotes_past_the_size_limit() {
        let mut v = new_sparse();
        for i in 0..400u32 {
            add(&mut v, i.to_string().as_bytes(), 200).unwrap();
        }
        assert_eq!(encoding(&v), Some(Encoding::Dense));
        assert_eq!(v.len(), DENSE_LEN);
    }

    #[test]
    fn corrupt_sparse_values_are_detected() {
        let mut v = sparse_with(&[b"a", b"b", b"c"]);
        v.extend_from_slice(b"hello");
        assert_eq!(histogram(&v), Err(Corrupt));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &v), Err(Corrupt));
        // Truncated: an XZERO missing its second byte, then edits on it.
        let mut t = BytesMut::from(&new_sparse()[..HDR_LEN + 1]);
        assert!(histogram(&t).is_err());
        for i in 0..50u32 {
            let _ = add(&mut t, i.to_string().as_bytes(), 3000);
        }
    }

    #[test]
    fn cache_bit() {
        let mut v = new_sparse();
        assert_eq!(cached(&v), Some(0));
        invalidate(&mut v);
        assert_eq!(cached(&v), None);
        set_cached(&mut v, 42);
        assert_eq!(cached(&v), Some(42));
    }
}
