//! LCS: the longest common subsequence of two strings, its length (LEN) or
//! its matching ranges (IDX, MINMATCHLEN, WITHMATCHLEN), computed with the
//! same table and walk as Redis so ties resolve the same way.

use super::strings::read_str;
use super::util::*;
use crate::command::ExecCtx;
use crate::resp::Reply;
use bytes::Bytes;

/// What the caller asked for.
#[derive(Default)]
struct LcsOpts {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: u64,
}

fn parse_opts(a: &[Bytes]) -> Result<LcsOpts, Reply> {
    let mut o = LcsOpts::default();
    let mut i = 3;
    while i < a.len() {
        let w = &a[i];
        if is(w, "idx") {
            o.idx = true;
        } else if is(w, "len") {
            o.len = true;
        } else if is(w, "withmatchlen") {
            o.with_match_len = true;
        } else if is(w, "minmatchlen") && i + 1 < a.len() {
            o.min_match_len = int_arg(&a[i + 1])?.max(0) as u64;
            i += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    if o.len && o.idx {
        return Err(Reply::err("ERR If you want both the length and indexes, please just use IDX."));
    }
    Ok(o)
}

pub fn lcs(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (x, y) = (read_str(c, &a[1]), read_str(c, &a[2]));
        let (Ok(x), Ok(y)) = (x, y) else {
            return Err(Reply::err("ERR The specified keys must contain string values"));
        };
        let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default());
        let o = parse_opts(a)?;
        if x.len() >= u32::MAX as usize - 1 || y.len() >= u32::MAX as usize - 1 {
            return Err(Reply::err("ERR String too long for LCS"));
        }
        let cells = (x.len() as u64 + 1) * (y.len() as u64 + 1);
        if cells.saturating_mul(4) > c.settings.proto_max_bulk_len as u64 {
            return Err(Reply::err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
        }
        let table = Table::build(&x, &y)
            .ok_or_else(|| Reply::err("ERR Insufficient memory, failed allocating transient memory for LCS"))?;
        let total = table.at(x.len(), y.len());
        if o.len {
            return Ok(Reply::Int(total as i64));
        }
        let (common, ranges) = table.walk(&x, &y);
        if !o.idx {
            return Ok(Reply::Bulk(Bytes::from(common)));
        }
        let pair = |s: usize, e: usize| Reply::Array(vec![Reply::Int(s as i64), Reply::Int(e as i64)]);
        let matches = ranges
            .into_iter()
            .filter(|m| o.min_match_len == 0 || m.len() as u64 >= o.min_match_len)
            .map(|m| {
                let mut item = vec![pair(m.a, m.a_end), pair(m.b, m.b_end)];
                if o.with_match_len {
                    item.push(Reply::Int(m.len() as i64));
                }
                Reply::Array(item)
            })
            .collect();
        Ok(Reply::Map(vec![
            (Reply::str("matches"), Reply::Array(matches)),
            (Reply::str("len"), Reply::Int(total as i64)),
        ]))
    })())
}

/// A run of common bytes: x[a..=a_end] matches y[b..=b_end].
struct Match {
    a: usize,
    a_end: usize,
    b: usize,
    b_end: usize,
}

impl Match {
    fn len(&self) -> usize {
        self.a_end - self.a + 1
    }
}

/// LCS lengths of every pair of prefixes: cell (i, j) for x[..i], y[..j].
struct Table {
    cells: Vec<u32>,
    width: usize,
}

impl Table {
    fn build(x: &[u8], y: &[u8]) -> Option<Table> {
        let width = y.len() + 1;
        let mut cells = Vec::new();
        cells.try_reserve_exact((x.len() + 1) * width).ok()?;
        cells.resize((x.len() + 1) * width, 0u32);
        for i in 1..=x.len() {
            for j in 1..=y.len() {
                cells[i * width + j] = if x[i - 1] == y[j - 1] {
                    cells[(i - 1) * width + j - 1] + 1
                } else {
                    cells[(i - 1) * width + j].max(cells[i * width + j - 1])
                };
            }
        }
        Some(Table { cells, width })
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.width + j]
    }

    /// Walks back from the end: the common subsequence and its runs, last
    /// run first (Redis's order).
    fn walk(&self, x: &[u8], y: &[u8]) -> (Vec<u8>, Vec<Match>) {
        let total = self.at(x.len(), y.len()) as usize;
        let mut common = vec![0u8; total];
        let mut ranges = Vec::new();
        let mut run: Option<Match> = None;
        let (mut i, mut j, mut k) = (x.len(), y.len(), total);
        while i > 0 && j > 0 {
            let mut emit = false;
            if x[i - 1] == y[j - 1] {
                common[k - 1] = x[i - 1];
                match &mut run {
                    None => run = Some(Match { a: i - 1, a_end: i - 1, b: j - 1, b_end: j - 1 }),
                    Some(m) if m.a == i && m.b == j => {
                        m.a -= 1;
                        m.b -= 1;
                    }
                    Some(_) => emit = true,
                }
                emit |= run.as_ref().is_some_and(|m| m.a == 0 || m.b == 0);
                k -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit = run.is_some();
            }
            if emit {
                ranges.extend(run.take());
            }
        }
        (common, ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_finds_redis_ranges() {
        let (x, y) = (b"ohmytext".as_slice(), b"mynewtext".as_slice());
        let t = Table::build(x, y).unwrap();
        let (common, ranges) = t.walk(x, y);
        assert_eq!(common, b"mytext");
        let r: Vec<_> = ranges.iter().map(|m| (m.a, m.a_end, m.b, m.b_end)).collect();
        assert_eq!(r, vec![(4, 7, 5, 8), (2, 3, 0, 1)]);
    }
}
