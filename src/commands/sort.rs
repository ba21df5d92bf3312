//! SORT and SORT_RO over lists, sets and sorted sets: numeric or ALPHA
//! order, ASC/DESC, LIMIT, BY (a pattern naming the weight keys or hash
//! fields, or a constant for no sorting), GET patterns (`#` is the element
//! itself) and STORE into a list, with Redis 7.0's replies and errors.
//!
//! BY and GET patterns name keys built from the elements, which in
//! standalone mode may live on any shard: the command declares them as
//! derived keys (`DerivedKeys`), so with several shards the coordinator
//! locks every shard, fetches the keys `pattern_keys` lists, and runs the
//! same handler on them (see ARCHITECTURE.md).

use super::keys::lookup_read;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, DerivedKeys, Exec};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::list::Fill;
use crate::shard::{Entry, List, Value};
use bytes::Bytes;
use std::cmp::Ordering;

pub fn commands() -> Vec<CommandSpec> {
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M \
         the number of returned elements. When the elements are not sorted, complexity is O(N).";
    let derived = DerivedKeys { needed: uses_patterns, keys: pattern_keys };
    let cmd = |name, fl, h| {
        CommandSpec::new(name, -2, fl, Exec::Shard(h))
            .acl(acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS)
            .derived(derived)
    };
    vec![
        cmd("sort", f::WRITE | f::DENYOOM, sort)
            .keys(vec![ks::at(1, RO_ACCESS), ks::unknown(RO_ACCESS), ks::unknown(&["OW", "UPDATE"])])
            .getkeys(sort_getkeys)
            .doc("1.0.0", "Sort the elements in a list, set or sorted set", COMPLEXITY),
        cmd("sort_ro", f::READONLY, sort_ro).keys(vec![ks::at(1, RO_ACCESS), ks::unknown(RO_ACCESS)]).doc(
            "7.0.0",
            "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
            COMPLEXITY,
        ),
    ]
}

/// SORT's keys as Redis's sortGetKeys finds them: the sorted key, and the
/// key of the last STORE (options are skipped with their arguments).
fn sort_getkeys(a: &[Bytes], out: &mut Vec<(usize, &'static [&'static str])>) {
    out.push((1, &["RO", "ACCESS"]));
    let mut store = None;
    let mut i = 2;
    while i < a.len() {
        if is(&a[i], "limit") {
            i += 2;
        } else if is(&a[i], "get") || is(&a[i], "by") {
            i += 1;
        } else if is(&a[i], "store") && i + 1 < a.len() {
            // The key itself is looked at as an option next, as in Redis.
            store = Some(i + 1);
        }
        i += 1;
    }
    out.extend(store.map(|i| (i, &["OW", "UPDATE"][..])));
}

/// The parsed options.
struct Opts<'a> {
    desc: bool,
    alpha: bool,
    start: i64,
    count: i64,
    store: Option<&'a Bytes>,
    by: Option<&'a Bytes>,
    /// BY named a constant: keep the native order.
    dontsort: bool,
    gets: Vec<&'a Bytes>,
}

fn parse(a: &[Bytes], readonly: bool) -> Result<Opts<'_>, Reply> {
    let mut o = Opts {
        desc: false,
        alpha: false,
        start: 0,
        count: -1,
        store: None,
        by: None,
        dontsort: false,
        gets: Vec::new(),
    };
    let mut j = 2;
    while j < a.len() {
        let left = a.len() - j - 1;
        let w = &a[j];
        if is(w, "asc") {
            o.desc = false;
        } else if is(w, "desc") {
            o.desc = true;
        } else if is(w, "alpha") {
            o.alpha = true;
        } else if is(w, "limit") && left >= 2 {
            o.start = int_arg(&a[j + 1])?;
            o.count = int_arg(&a[j + 2])?;
            j += 2;
        } else if !readonly && is(w, "store") && left >= 1 {
            o.store = Some(&a[j + 1]);
            j += 1;
        } else if is(w, "by") && left >= 1 {
            o.by = Some(&a[j + 1]);
            if !c_str(&a[j + 1]).contains(&b'*') {
                o.dontsort = true;
            }
            j += 1;
        } else if is(w, "get") && left >= 1 {
            o.gets.push(&a[j + 1]);
            j += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// The part of `p` before any NUL byte: Redis reads patterns as C strings
/// when it looks for `#`, `*` and `->`.
fn c_str(p: &[u8]) -> &[u8] {
    p.iter().position(|&b| b == 0).map_or(p, |n| &p[..n])
}

/// What a BY or GET pattern names for one element.
enum Target {
    /// `#`: the element itself.
    Element,
    /// A string key, or with a field a hash key's field.
    Key(Bytes, Option<Bytes>),
}

/// Resolves `pattern` for `elem` as Redis's lookupKeyByPattern: None when
/// it has no `*` (a constant names nothing). The first `*` takes the
/// element; `->field` after it (with something after the arrow) selects a
/// hash field.
fn resolve(pattern: &[u8], elem: &[u8]) -> Option<Target> {
    let cp = c_str(pattern);
    if cp == b"#" {
        return Some(Target::Element);
    }
    let star = cp.iter().position(|&b| b == b'*')?;
    let arrow = cp[star + 1..].windows(2).position(|w| w == b"->").map(|i| star + 1 + i).filter(|&f| f + 2 < cp.len());
    let (postfix, field) = match arrow {
        Some(f) => (&pattern[star + 1..f], Some(Bytes::copy_from_slice(&pattern[f + 2..]))),
        None => (&pattern[star + 1..], None),
    };
    let mut key = Vec::with_capacity(star + elem.len() + postfix.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(postfix);
    Some(Target::Key(Bytes::from(key), field))
}

/// The value a pattern gives for an element: the element, a string key's
/// value or a hash field; None when missing or of another type.
fn lookup(c: &mut ExecCtx, pattern: &[u8], elem: &Bytes) -> Option<Bytes> {
    match resolve(pattern, elem)? {
        Target::Element => Some(elem.clone()),
        Target::Key(key, field) => {
            let e = lookup_read(c, &key)?;
            e.access = crate::shard::expire::lru_clock();
            match (&e.value, field) {
                (Value::Str(s), None) => Some(s.to_bytes()),
                (Value::Hash(h), Some(f)) => h.get(&f).map(Bytes::copy_from_slice),
                _ => None,
            }
        }
    }
}

/// Whether BY or GET patterns name other keys (SORT's derived keys).
fn uses_patterns(a: &[Bytes]) -> bool {
    parse(a, false).is_ok_and(|o| {
        o.by.is_some_and(|b| !o.dontsort && c_str(b).contains(&b'*'))
            || o.gets.iter().any(|g| matches!(resolve(g, b""), Some(Target::Key(..))))
    })
}

/// The keys BY and GET patterns name for the elements of the sorted key.
fn pattern_keys(c: &mut ExecCtx, a: &[Bytes]) -> Vec<Bytes> {
    let Ok(o) = parse(a, false) else { return Vec::new() };
    let now = c.now;
    let Some(e) = c.db().peek(&a[1], now) else { return Vec::new() };
    let elems = all_elements(&e.value);
    let patterns: Vec<&Bytes> = o.by.filter(|_| !o.dontsort).into_iter().chain(o.gets.iter().copied()).collect();
    let mut keys = Vec::new();
    for elem in &elems {
        for p in &patterns {
            if let Some(Target::Key(k, _)) = resolve(p, elem) {
                keys.push(k);
            }
        }
    }
    keys
}

/// Every element of a sortable value in its native order (None for a
/// type SORT refuses).
fn all_elements(v: &Value) -> Vec<Bytes> {
    match v {
        Value::List(l) => l.iter().map(Bytes::copy_from_slice).collect(),
        Value::Set(s) => s.iter().map(|m| m.to_bytes()).collect(),
        Value::ZSet(z) => z.iter().map(|(m, _)| Bytes::copy_from_slice(m)).collect(),
        _ => Vec::new(),
    }
}

fn sort(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(sort_generic(c, a, false))
}

fn sort_ro(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(sort_generic(c, a, true))
}

/// One element to sort, with what it sorts by.
struct Item {
    elem: Bytes,
    score: f64,
    /// The BY value for ALPHA with BY (None: missing, sorts first).
    cmp: Option<Bytes>,
}

/// The kinds of values SORT takes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    List,
    Set,
    ZSet,
}

/// strcoll in the C locale: bytes up to the first NUL.
fn collate(a: &[u8], b: &[u8]) -> Ordering {
    c_str(a).cmp(c_str(b))
}

fn sort_generic(c: &mut ExecCtx, a: &[Bytes], readonly: bool) -> Result<Reply, Reply> {
    let mut o = parse(a, readonly)?;
    let (kind, elems) = match lookup_read(c, &a[1]) {
        None => (Kind::List, Vec::new()),
        Some(e) => {
            e.access = crate::shard::expire::lru_clock();
            let kind = match &e.value {
                Value::List(_) => Kind::List,
                Value::Set(_) => Kind::Set,
                Value::ZSet(_) => Kind::ZSet,
                _ => return Err(Reply::err(ERR_WRONGTYPE)),
            };
            (kind, all_elements(&e.value))
        }
    };
    // A set has no order of its own: stored results are sorted anyway.
    if o.dontsort && kind == Kind::Set && o.store.is_some() {
        o.dontsort = false;
        o.alpha = true;
        o.by = None;
    }
    let len = elems.len() as i64;
    let mut start = o.start.max(0).min(len);
    let count = o.count.max(-1).min(len);
    let mut end = if count < 0 { len - 1 } else { start + count - 1 };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    end = end.min(len - 1);
    let mut items: Vec<Item>;
    if o.dontsort && kind != Kind::Set {
        // Native order (reversed for DESC), just the LIMIT range.
        let n = (end - start + 1).max(0) as usize;
        let picked: Vec<Bytes> = if o.desc {
            elems.into_iter().rev().skip(start.max(0) as usize).take(n).collect()
        } else {
            elems.into_iter().skip(start.max(0) as usize).take(n).collect()
        };
        if n > 0 {
            end -= start;
            start = 0;
        }
        items = picked.into_iter().map(|elem| Item { elem, score: 0.0, cmp: None }).collect();
    } else {
        items = elems.into_iter().map(|elem| Item { elem, score: 0.0, cmp: None }).collect();
    }
    let mut bad_score = false;
    if !o.dontsort {
        for it in &mut items {
            let by = match o.by {
                Some(p) => match lookup(c, p, &it.elem) {
                    Some(v) => v,
                    None => continue,
                },
                None => it.elem.clone(),
            };
            if o.alpha {
                if o.by.is_some() {
                    it.cmp = Some(by);
                }
            } else {
                let (v, used, erange) = crate::util::num::strtod(&by);
                // strtod must reach the end (or a NUL, where C stops).
                if by.get(used).is_some_and(|&b| b != 0) || erange || v.is_nan() {
                    bad_score = true;
                }
                it.score = v;
            }
        }
        if bad_score {
            return Err(Reply::err("ERR One or more scores can't be converted into double"));
        }
        let (alpha, bypattern, store) = (o.alpha, o.by.is_some(), o.store.is_some());
        let order = |x: &Item, y: &Item| -> Ordering {
            if !alpha {
                x.score.partial_cmp(&y.score).unwrap_or(Ordering::Equal).then_with(|| x.elem.cmp(&y.elem))
            } else if bypattern {
                match (&x.cmp, &y.cmp) {
                    (Some(p), Some(q)) if store => p.cmp(q),
                    (Some(p), Some(q)) => collate(p, q),
                    (p, q) => p.is_some().cmp(&q.is_some()),
                }
            } else if store {
                x.elem.cmp(&y.elem)
            } else {
                collate(&x.elem, &y.elem)
            }
        };
        let (desc, len) = (o.desc, items.len());
        let cmp = |x: &Item, y: &Item| if desc { order(x, y).reverse() } else { order(x, y) };
        // As Redis: a partial quicksort when BY and LIMIT leave part of the
        // result unused (its order of ties is the algorithm's own), glibc's
        // stable merge sort otherwise.
        if o.by.is_some() && (start != 0 || end != len as i64 - 1) {
            if end >= start {
                partial_sort(&mut items, start as usize, end as usize, &cmp);
            }
        } else {
            items.sort_by(cmp);
        }
    }
    let range: &[Item] = if end >= start { &items[start as usize..=end as usize] } else { &[] };
    let Some(dest) = o.store else {
        let mut out = Vec::with_capacity(range.len() * o.gets.len().max(1));
        for it in range {
            if o.gets.is_empty() {
                out.push(Reply::Bulk(it.elem.clone()));
            }
            for g in &o.gets {
                out.push(lookup(c, g, &it.elem).map_or(Reply::Nil, Reply::Bulk));
            }
        }
        return Ok(Reply::Array(out));
    };
    let mut list = List::default();
    let fill = Fill::new(c.settings.list_max_listpack_size);
    for it in range {
        if o.gets.is_empty() {
            list.push(&it.elem, false, fill);
        }
        for g in &o.gets {
            let v = lookup(c, g, &it.elem).unwrap_or_default();
            list.push(&v, false, fill);
        }
    }
    let n = list.len();
    if n > 0 {
        c.db().insert(owned(dest), Entry::new(Value::List(Box::new(list))));
        c.dirty(n as u64);
    } else {
        let now = c.now;
        let live = c.db().peek(dest, now).is_some();
        if c.db().remove(dest).is_some() && live {
            c.dirty(1);
        }
    }
    Ok(Reply::Int(n as i64))
}

/// Bentley and McIlroy's quicksort as Redis's pqsort runs it: the same
/// pivots and partitioning, skipping the parts that lie wholly outside
/// the positions `lo..=hi`, so that ties come out in Redis's order.
fn partial_sort<T>(v: &mut [T], lo: usize, hi: usize, cmp: &impl Fn(&T, &T) -> Ordering) {
    let n = v.len();
    partial_sort_at(v, 0, n, lo, hi, cmp);
}

/// `partial_sort` of `v[base..base + n]`.
fn partial_sort_at<T>(
    v: &mut [T],
    mut base: usize,
    mut n: usize,
    lo: usize,
    hi: usize,
    cmp: &impl Fn(&T, &T) -> Ordering,
) {
    let wanted = |l: usize, cnt: usize| !((lo < l && hi < l) || (lo >= l + cnt && hi >= l + cnt));
    let med3 = |v: &[T], a: usize, b: usize, c: usize| {
        if cmp(&v[a], &v[b]) == Ordering::Less {
            if cmp(&v[b], &v[c]) == Ordering::Less {
                b
            } else if cmp(&v[a], &v[c]) == Ordering::Less {
                c
            } else {
                a
            }
        } else if cmp(&v[b], &v[c]) == Ordering::Greater {
            b
        } else if cmp(&v[a], &v[c]) == Ordering::Less {
            a
        } else {
            c
        }
    };
    let vecswap = |v: &mut [T], a: usize, b: usize, n: usize| (0..n).for_each(|i| v.swap(a + i, b + i));
    loop {
        if n < 7 {
            for m in base + 1..base + n {
                let mut l = m;
                while l > base && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = base + n / 2;
        if n > 7 {
            let (mut pl, mut pn) = (base, base + n - 1);
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d);
                pm = med3(v, pm - d, pm, pm + d);
                pn = med3(v, pn - 2 * d, pn - d, pn);
            }
            pm = med3(v, pl, pm, pn);
        }
        v.swap(base, pm);
        let (mut pa, mut pb) = (base + 1, base + 1);
        let (mut pc, mut pd) = (base + n - 1, base + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[base]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[base]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let pn = base + n;
        let r = (pa - base).min(pb - pa);
        vecswap(v, base, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && wanted(base, r) {
            partial_sort_at(v, base, r, lo, hi, cmp);
        }
        let r = pd - pc;
        if r > 1 && wanted(pn - r, r) {
            base = pn - r;
            n = r;
            continue;
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_sort_orders_the_asked_range() {
        let mut x = 7u64;
        for n in [0usize, 1, 5, 7, 8, 40, 41, 200] {
            for _ in 0..20 {
                let v: Vec<u64> = (0..n)
                    .map(|_| {
                        x = crate::server::shared::splitmix(x);
                        x % 50
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_unstable();
                x = crate::server::shared::splitmix(x);
                let lo = if n == 0 { 0 } else { (x as usize) % n };
                let hi = if n == 0 { 0 } else { lo + ((x >> 20) as usize) % (n - lo) };
                let mut got = v.clone();
                partial_sort(&mut got, lo, hi, &|a: &u64, b: &u64| a.cmp(b));
                if n > 0 {
                    assert_eq!(got[lo..=hi], want[lo..=hi], "n={n} lo={lo} hi={hi}");
                }
            }
        }
    }

    #[test]
    fn patterns_resolve_as_redis() {
        let key = |p: &[u8], e: &[u8]| match resolve(p, e) {
            Some(Target::Key(k, f)) => Some((k, f)),
            _ => None,
        };
        assert!(matches!(resolve(b"#", b"x"), Some(Target::Element)));
        assert!(resolve(b"const", b"x").is_none());
        assert_eq!(key(b"w_*", b"1"), Some((Bytes::from("w_1"), None)));
        assert_eq!(key(b"h_*->f", b"1"), Some((Bytes::from("h_1"), Some(Bytes::from("f")))));
        assert_eq!(key(b"x:*->", b"a"), Some((Bytes::from("x:a->"), None)));
        assert_eq!(key(b"a->b*c", b"1"), Some((Bytes::from("a->b1c"), None)));
    }

    #[test]
    fn store_key_is_the_last_store() {
        let args = |s: &str| s.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect::<Vec<_>>();
        let keys = |s: &str| {
            let mut out = Vec::new();
            sort_getkeys(&args(s), &mut out);
            out.into_iter().map(|(i, _)| i).collect::<Vec<_>>()
        };
        assert_eq!(keys("sort abc store def"), vec![1, 3]);
        assert_eq!(keys("sort abc store invalid store stillbad store def"), vec![1, 7]);
        assert_eq!(keys("sort abc limit store 1 by x"), vec![1]);
        assert_eq!(keys("sort abc store"), vec![1]);
    }
}
