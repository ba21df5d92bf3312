//! GEO commands: positions stored in sorted sets, the score of a member
//! being its 52-bit geohash (`util::geohash`), exactly as Redis stores
//! them. GEOADD, GEODIST, GEOHASH, GEOPOS, and the searches GEOSEARCH,
//! GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms.

use super::util::*;
use super::zsets::{limits, read_zset, store_result, zadd_generic};
use crate::command::spec::{acl, flags as f, ks, Begin, CommandSpec, Exec, Find, KeySpec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::zset::cmp_elem;
use crate::shard::ZSet;
use crate::util::geohash::{self, Shape, ShapeKind};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let g = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("geo").acl(acl::GEO).keys(vec![ks::at(1, key)])
    };
    const RO: &[&str] = &["RO", "ACCESS"];
    const W: u32 = f::WRITE | f::DENYOOM;
    const SEARCH: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around \
                          the shape provided as the filter and M is the number of items inside the shape";
    const RADIUS: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area \
                          delimited by center and radius and M is the number of items inside the index.";
    let store_at = |keyword: &'static str, startfrom: i32| KeySpec {
        flags: &["OW", "UPDATE"],
        begin: Begin::Keyword { keyword, startfrom },
        find: Find::Range { lastkey: 0, step: 1, limit: 0 },
    };
    vec![
        g("geoadd", -5, W, geoadd, &["RW", "UPDATE"]).doc(
            "3.2.0",
            "Add one or more geospatial items in the geospatial index represented using a sorted set",
            "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        ),
        g("geodist", -4, f::READONLY, geodist, RO).doc(
            "3.2.0",
            "Returns the distance between two members of a geospatial index",
            "O(log(N))",
        ),
        g("geohash", -2, f::READONLY, geohash_cmd, RO).doc(
            "3.2.0",
            "Returns members of a geospatial index as standard geohash strings",
            "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
        ),
        g("geopos", -2, f::READONLY, geopos, RO).doc(
            "3.2.0",
            "Returns longitude and latitude of members of a geospatial index",
            "O(N) where N is the number of members requested.",
        ),
        g("geosearch", -7, f::READONLY, geosearch, RO).doc(
            "6.2.0",
            "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a \
             circle.",
            SEARCH,
        ),
        g("geosearchstore", -8, W, geosearchstore, RO).keys(vec![ks::at(1, &["OW", "UPDATE"]), ks::at(2, RO)]).doc(
            "6.2.0",
            "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a \
                 circle, and store the result in another key.",
            SEARCH,
        ),
        g("georadius", -6, W, georadius, RO)
            .keys(vec![ks::at(1, RO), store_at("STORE", 6), store_at("STOREDIST", 6)])
            .doc(
                "3.2.0",
                "Query a sorted set representing a geospatial index to fetch members matching a given maximum \
                 distance from a point",
                RADIUS,
            ),
        g("georadiusbymember", -5, W, georadiusbymember, RO)
            .keys(vec![ks::at(1, RO), store_at("STORE", 5), store_at("STOREDIST", 5)])
            .doc(
                "3.2.0",
                "Query a sorted set representing a geospatial index to fetch members matching a given maximum \
                 distance from a member",
                RADIUS,
            ),
        g("georadius_ro", -6, f::READONLY, georadius_ro, RO).doc("3.2.10", "A read-only variant for GEORADIUS", RADIUS),
        g("georadiusbymember_ro", -5, f::READONLY, georadiusbymember_ro, RO).doc(
            "3.2.10",
            "A read-only variant for GEORADIUSBYMEMBER",
            RADIUS,
        ),
    ]
}

// ---------------------------------------------------------------------------
// Arguments.

/// Parses a longitude and latitude, with Redis's range error.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), Reply> {
    let (x, y) = (float_arg(lon)?, float_arg(lat)?);
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x) || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y) {
        return Err(Reply::err(format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}")));
    }
    Ok((x, y))
}

/// Metres per unit.
fn unit(u: &[u8]) -> Result<f64, Reply> {
    [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)]
        .iter()
        .find(|(name, _)| is(u, name))
        .map(|&(_, m)| m)
        .ok_or_else(|| Reply::err("ERR unsupported unit provided. please use M, KM, FT, MI"))
}

/// A float argument with a custom error text.
fn float_or(a: &[u8], msg: &'static str) -> Result<f64, Reply> {
    crate::util::num::parse_f64(a, true).ok_or_else(|| Reply::err(msg))
}

/// `radius unit`: (radius, metres per unit).
fn radius(r: &[u8], u: &[u8]) -> Result<(f64, f64), Reply> {
    let r = float_or(r, "ERR need numeric radius")?;
    if r < 0.0 {
        return Err(Reply::err("ERR radius cannot be negative"));
    }
    Ok((r, unit(u)?))
}

/// `width height unit`.
fn box_size(w: &[u8], h: &[u8], u: &[u8]) -> Result<(f64, f64, f64), Reply> {
    let w = float_or(w, "ERR need numeric width")?;
    let h = float_or(h, "ERR need numeric height")?;
    if h < 0.0 || w < 0.0 {
        return Err(Reply::err("ERR height or width cannot be negative"));
    }
    Ok((w, h, unit(u)?))
}

/// A distance as Redis prints it: rounded to four decimals.
fn distance_reply(d: f64) -> Reply {
    let v = (d * 10000.0).round_ties_even();
    if !v.is_finite() || v.abs() >= i64::MAX as f64 {
        return Reply::str(format!("{d:.4}"));
    }
    let v = v as i64;
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    Reply::str(format!("{sign}{}.{:04}", a / 10000, a % 10000))
}

const ERR_MEMBER: &str = "ERR could not decode requested zset member";

/// The sorted set at `key` once `read_zset` has looked it up (no more
/// statistics, no expiry).
fn peek_zset<'a>(c: &'a ExecCtx, key: &[u8]) -> Option<&'a ZSet> {
    match c.ks.dbs[c.db].peek(key, c.now).map(|e| &e.value) {
        Some(crate::shard::Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

/// The position of `member` in `z`.
fn member_pos(z: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).and_then(geohash::decode_score)
}

// ---------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS.

/// GEOADD key [NX|XX] [CH] lon lat member ...: ZADD with geohash scores.
fn geoadd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (mut i, mut nx, mut xx) = (2, false, false);
        while i < a.len() {
            if is(&a[i], "nx") {
                nx = true;
            } else if is(&a[i], "xx") {
                xx = true;
            } else if !is(&a[i], "ch") {
                break;
            }
            i += 1;
        }
        if !(a.len() - i).is_multiple_of(3) || (nx && xx) {
            return Err(Reply::err(ERR_SYNTAX));
        }
        let mut argv: Vec<Bytes> = Vec::with_capacity(i + (a.len() - i) / 3 * 2);
        argv.push(Bytes::from_static(b"zadd"));
        argv.extend(a[1..i].iter().cloned());
        for t in a[i..].chunks(3) {
            let (lon, lat) = lon_lat(&t[0], &t[1])?;
            let score = geohash::score_of(lon, lat).ok_or_else(|| Reply::err(ERR_NOT_FLOAT))?;
            argv.push(Bytes::from((score as u64).to_string()));
            argv.push(t[2].clone());
        }
        zadd_generic(c, &argv, false)
    })())
}

fn geodist(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let to_meter = match a.len() {
            5 => unit(&a[4])?,
            n if n > 5 => return Err(Reply::err(ERR_SYNTAX)),
            _ => 1.0,
        };
        let Some(z) = read_zset(c, &a[1])? else { return Ok(Reply::Nil) };
        let (Some(p1), Some(p2)) = (member_pos(z, &a[2]), member_pos(z, &a[3])) else { return Ok(Reply::Nil) };
        Ok(distance_reply(geohash::distance(p1.0, p1.1, p2.0, p2.1) / to_meter))
    })())
}

fn geohash_cmd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_zset(c, &a[1]).map(|z| {
        let z = z.map(|z| &*z);
        Reply::Array(
            a[2..]
                .iter()
                .map(|m| z.and_then(|z| z.score(m)).and_then(geohash::geohash_string).map_or(Reply::Nil, Reply::str))
                .collect(),
        )
    }))
}

fn geopos(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_zset(c, &a[1]).map(|z| {
        let z = z.map(|z| &*z);
        Reply::Array(
            a[2..]
                .iter()
                .map(|m| match z.and_then(|z| member_pos(z, m)) {
                    Some((lon, lat)) => Reply::Array(vec![Reply::HumanDouble(lon), Reply::HumanDouble(lat)]),
                    None => Reply::NilArray,
                })
                .collect(),
        )
    }))
}

// ---------------------------------------------------------------------------
// Searches.

/// Which search command runs.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// GEORADIUS / GEORADIUS_RO: centre and radius as arguments.
    Coords,
    /// GEORADIUSBYMEMBER / _RO: centre at a member.
    Member,
    /// GEOSEARCH; `store`: GEOSEARCHSTORE.
    Search { store: bool },
}

/// One match.
struct Point {
    member: Bytes,
    dist: f64,
    score: f64,
    lon: f64,
    lat: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// Every member of `z` inside `shape`, stopping at `limit` (0: all).
fn search(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let mut out = Vec::new();
    let mut last: Option<geohash::Hash> = None;
    for cell in shape.cells() {
        if cell.is_zero() || last == Some(cell) {
            continue;
        }
        if limit != 0 && out.len() >= limit {
            break;
        }
        last = Some(cell);
        let min = cell.align52() as f64;
        let max = geohash::Hash { bits: cell.bits.wrapping_add(1), step: cell.step }.align52() as f64;
        let start = z.count_while(|s, _| s < min);
        for (m, s) in z.iter_from(start) {
            if s >= max {
                break;
            }
            if let Some((lon, lat)) = geohash::decode_score(s) {
                if let Some(dist) = shape.contains(lon, lat) {
                    out.push(Point { member: Bytes::copy_from_slice(m), dist, score: s, lon, lat });
                }
            }
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH and GEOSEARCHSTORE (Redis's
/// georadiusGeneric): `src` is the index of the source key, `nostore`
/// refuses STORE/STOREDIST (the _RO forms).
fn radius_generic(c: &mut ExecCtx, a: &[Bytes], src: usize, kind: Kind, nostore: bool) -> Result<Reply, Reply> {
    let has_key = read_zset(c, &a[src])?.is_some();
    let mut store: Option<&Bytes> = None;
    let mut storedist = false;
    let mut center: Option<(f64, f64)> = None;
    let mut size: Option<(ShapeKind, f64)> = None;
    let base = match kind {
        Kind::Coords => {
            center = Some(lon_lat(&a[2], &a[3])?);
            let (r, conv) = radius(&a[4], &a[5])?;
            size = Some((ShapeKind::Radius(r), conv));
            6
        }
        Kind::Member if !has_key => 5,
        Kind::Member => {
            center =
                Some(peek_zset(c, &a[src]).and_then(|z| member_pos(z, &a[2])).ok_or_else(|| Reply::err(ERR_MEMBER))?);
            let (r, conv) = radius(&a[3], &a[4])?;
            size = Some((ShapeKind::Radius(r), conv));
            5
        }
        Kind::Search { store: s } => {
            if s {
                store = Some(&a[1]);
                3
            } else {
                2
            }
        }
    };
    let search_cmd = matches!(kind, Kind::Search { .. });
    let (mut withdist, mut withhash, mut withcoord, mut any) = (false, false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut count: usize = 0;
    let mut i = base;
    while i < a.len() {
        let o = &a[i];
        let left = a.len() - i - 1;
        if is(o, "withdist") {
            withdist = true;
        } else if is(o, "withhash") {
            withhash = true;
        } else if is(o, "withcoord") {
            withcoord = true;
        } else if is(o, "any") {
            any = true;
        } else if is(o, "asc") {
            sort = Sort::Asc;
        } else if is(o, "desc") {
            sort = Sort::Desc;
        } else if is(o, "count") && left >= 1 {
            let n = int_arg(&a[i + 1])?;
            if n <= 0 {
                return Err(Reply::err("ERR COUNT must be > 0"));
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
            i += 1;
        } else if (is(o, "store") || is(o, "storedist")) && left >= 1 && !nostore && !search_cmd {
            store = Some(&a[i + 1]);
            storedist = is(o, "storedist");
            i += 1;
        } else if is(o, "storedist") && kind == (Kind::Search { store: true }) {
            storedist = true;
        } else if is(o, "frommember") && left >= 1 && search_cmd && !fromloc {
            if has_key {
                let z = peek_zset(c, &a[src]);
                center = Some(z.and_then(|z| member_pos(z, &a[i + 1])).ok_or_else(|| Reply::err(ERR_MEMBER))?);
            }
            frommember = true;
            i += 1;
        } else if is(o, "fromlonlat") && left >= 2 && search_cmd && !frommember {
            center = Some(lon_lat(&a[i + 1], &a[i + 2])?);
            fromloc = true;
            i += 2;
        } else if is(o, "byradius") && left >= 2 && search_cmd && !bybox {
            let (r, conv) = radius(&a[i + 1], &a[i + 2])?;
            size = Some((ShapeKind::Radius(r), conv));
            byradius = true;
            i += 2;
        } else if is(o, "bybox") && left >= 3 && search_cmd && !byradius {
            let (w, h, conv) = box_size(&a[i + 1], &a[i + 2], &a[i + 3])?;
            size = Some((ShapeKind::Box { width: w, height: h }, conv));
            bybox = true;
            i += 3;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    if store.is_some() && (withdist || withhash || withcoord) {
        let what = if kind == (Kind::Search { store: true }) { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" };
        return Err(Reply::err(format!("ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options")));
    }
    let name = || String::from_utf8_lossy(&a[0]).into_owned();
    if search_cmd && !(frommember || fromloc) {
        return Err(Reply::err(format!("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {}", name())));
    }
    if search_cmd && !(byradius || bybox) {
        return Err(Reply::err(format!("ERR exactly one of BYRADIUS and BYBOX can be specified for {}", name())));
    }
    if any && count == 0 {
        return Err(Reply::err("ERR the ANY argument requires COUNT argument"));
    }
    let limits = limits(c);
    let (Some(z), Some((lon, lat)), Some((shape_kind, conversion))) = (peek_zset(c, &a[src]), center, size) else {
        return Ok(match store {
            Some(dst) => store_result(c, dst, ZSet::default()),
            None => Reply::Array(vec![]),
        });
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let shape = Shape { lon, lat, conversion, kind: shape_kind };
    let mut found = search(z, &shape, if any { count } else { 0 });
    match sort {
        Sort::Asc => found.sort_by(|x, y| x.dist.total_cmp(&y.dist)),
        Sort::Desc => found.sort_by(|x, y| y.dist.total_cmp(&x.dist)),
        Sort::None => {}
    }
    if count != 0 {
        found.truncate(count);
    }
    for p in &mut found {
        p.dist /= conversion;
    }
    let Some(dst) = store else {
        let opts = withdist || withhash || withcoord;
        return Ok(Reply::Array(
            found
                .into_iter()
                .map(|p| {
                    if !opts {
                        return Reply::Bulk(p.member);
                    }
                    let mut item = vec![Reply::Bulk(p.member)];
                    if withdist {
                        item.push(distance_reply(p.dist));
                    }
                    if withhash {
                        item.push(Reply::Int(p.score as i64));
                    }
                    if withcoord {
                        item.push(Reply::Array(vec![Reply::HumanDouble(p.lon), Reply::HumanDouble(p.lat)]));
                    }
                    Reply::Array(item)
                })
                .collect(),
        ));
    };
    let n = found.len();
    let mut items: Vec<(&[u8], f64)> =
        found.iter().map(|p| (&p.member[..], if storedist { p.dist } else { p.score })).collect();
    items.sort_by(|x, y| cmp_elem(x.1, x.0, y.1, y.0));
    items.dedup_by(|x, y| x.0 == y.0);
    let out = ZSet::from_sorted(limits, items.into_iter());
    let reply = store_result(c, dst, out);
    // Redis counts one change per stored member.
    if n > 1 {
        c.dirty(n as u64 - 1);
    }
    Ok(reply)
}

fn georadius(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 1, Kind::Coords, false))
}

fn georadius_ro(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 1, Kind::Coords, true))
}

fn georadiusbymember(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 1, Kind::Member, false))
}

fn georadiusbymember_ro(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 1, Kind::Member, true))
}

fn geosearch(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 1, Kind::Search { store: false }, false))
}

fn geosearchstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(radius_generic(c, a, 2, Kind::Search { store: true }, false))
}
