//! SORT and SORT_RO, checked against the real redis-server: the same
//! commands go to both and the replies must be identical. Clover runs with
//! several shards, so BY/GET pattern keys live on other shards than the
//! sorted key (the coordinator path) as well as with one.

mod common;

use common::reference::{Pair, Rng};

fn args(s: &str) -> Vec<Vec<u8>> {
    s.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// Runs a space-separated command on both servers.
fn same(p: &mut Pair, cmd: &str) -> String {
    let a = args(cmd);
    let refs: Vec<&[u8]> = a.iter().map(|v| v.as_slice()).collect();
    p.same(&refs)
}

fn fill_list(p: &mut Pair, rng: &mut Rng, n: usize) {
    same(p, "DEL tosort");
    for i in 0..n {
        let w = if rng.below(2) == 0 { rng.below(1_000_000).to_string() } else { format!("0.{}", rng.below(1 << 40)) };
        same(p, &format!("LPUSH tosort {i}"));
        same(p, &format!("SET weight_{i} {w}"));
    }
}

fn scenarios(shards: usize) {
    let Some(mut p) = Pair::start(shards) else { return };
    let mut rng = Rng(42 + shards as u64);
    fill_list(&mut p, &mut rng, 300);
    for cmd in [
        "SORT tosort",
        "SORT tosort DESC",
        "SORT tosort BY weight_*",
        "SORT tosort BY weight_* DESC",
        "SORT tosort BY weight_* LIMIT 5 5",
        "SORT tosort BY weight_* LIMIT -5 10",
        "SORT tosort BY weight_* LIMIT 290 100",
        "SORT tosort BY weight_* LIMIT 5 -1",
        "SORT tosort BY weight_* LIMIT 400 1",
        "SORT tosort BY nosort",
        "SORT tosort BY nosort DESC LIMIT 3 4",
        "SORT tosort BY nosort LIMIT 1000 5",
        "SORT tosort GET #",
        "SORT tosort GET # GET weight_* LIMIT 0 20",
        "SORT tosort GET foo LIMIT 0 3",
        "SORT tosort ALPHA",
        "SORT tosort ALPHA DESC LIMIT 10 10",
        "SORT tosort BY weight_* ALPHA",
        "SORT tosort BY nosort GET weight_* LIMIT 0 10",
        "SORT_RO tosort BY weight_* LIMIT 0 10",
        "SORT tosort BY weight_* STORE dest",
        "LRANGE dest 0 -1",
        "SORT tosort BY weight_* GET # GET weight_* STORE dest",
        "LRANGE dest 0 -1",
        "SORT tosort BY nosort LIMIT 0 3 STORE dest",
        "LRANGE dest 0 -1",
        "SORT missing STORE dest",
        "EXISTS dest",
        "SORT missing",
        "SORT_RO tosort STORE dest",
        "SORT tosort LIMIT 1",
        "SORT tosort LIMIT a 1",
        "SORT tosort FOO",
        "SORT tosort BY",
        "SORT_RO L BY a LIMIT 2 9223372036854775807",
    ] {
        same(&mut p, cmd);
    }
    // Missing weights sort as 0, ties by element; bad weights are errors.
    same(&mut p, "DEL weight_3 weight_7");
    same(&mut p, "SORT tosort BY weight_* LIMIT 0 10");
    same(&mut p, "SORT tosort BY weight_* ALPHA LIMIT 0 10");
    for bad in ["not-a-double", "nan", "1.5x", "0x"] {
        same(&mut p, &format!("SET weight_5 {bad}"));
        same(&mut p, "SORT tosort BY weight_* LIMIT 0 3");
    }
    for odd in ["inf", "-inf", "0x10", "1e-5", "+3"] {
        same(&mut p, &format!("SET weight_5 {odd}"));
        same(&mut p, "SORT tosort BY weight_* LIMIT 0 5");
    }
    same(&mut p, "SET weight_5 5");
    // Element values as numbers, ALPHA against integers.
    same(&mut p, "RPUSH nums 2 1 3 10 1.5 -4 0.25 1e3");
    same(&mut p, "SORT nums");
    same(&mut p, "SORT nums ALPHA");
    same(&mut p, "RPUSH words b a c");
    same(&mut p, "SORT words");
    // Keys of other types: WRONGTYPE for the sorted key, nothing for GET.
    same(&mut p, "SET str x");
    same(&mut p, "SORT str");
    same(&mut p, "SET x:a-> 100");
    same(&mut p, "DEL mylist");
    same(&mut p, "LPUSH mylist a");
    same(&mut p, "SORT mylist BY num GET x:*->");
    same(&mut p, "SORT mylist GET words GET *");
    // Weights in hash fields, and sets (sorted by value, or BY weights).
    for i in 0..300 {
        same(&mut p, &format!("HSET wobj_{i} weight {}", rng.below(1000)));
    }
    for cmd in [
        "SORT tosort BY wobj_*->weight",
        "SORT tosort BY wobj_*->weight LIMIT 5 5",
        "SORT tosort BY wobj_*->nofield LIMIT 0 5",
        "SORT tosort BY wobj_*->weight GET # GET wobj_*->weight LIMIT 0 10",
        "SORT tosort BY wobj_*->weight STORE hdest",
        "LRANGE hdest 0 20",
        "SORT tosort BY weight_* GET wobj_* LIMIT 0 3",
        "SORT tosort BY wobj_* LIMIT 0 3",
    ] {
        same(&mut p, cmd);
    }
    same(&mut p, "SADD sset 5 3 9 1 7 10 2");
    same(&mut p, "SADD wset b a c aa aaa azz d");
    for cmd in [
        "SORT sset",
        "SORT sset BY nosort",
        "SORT sset BY nosort DESC LIMIT 1 3",
        "SORT sset DESC LIMIT 1 3",
        "SORT sset BY weight_*",
        "SORT sset BY wobj_*->weight GET #",
        "SORT wset ALPHA",
        "SORT wset ALPHA BY nosort STORE sdest",
        "LRANGE sdest 0 -1",
        "SORT wset",
        "SORT sset ALPHA DESC STORE sdest2",
        "LRANGE sdest2 0 -1",
    ] {
        same(&mut p, cmd);
    }
    // Sorted sets: native order is the score order.
    same(&mut p, "ZADD zset 1 a 5 b 2 c 10 d 3 e");
    for cmd in [
        "SORT zset ALPHA DESC",
        "SORT zset BY nosort",
        "SORT zset BY nosort DESC",
        "SORT zset BY nosort ASC LIMIT 0 1",
        "SORT zset BY nosort DESC LIMIT 0 2",
        "SORT zset BY nosort LIMIT 5 10",
        "SORT zset BY nosort LIMIT -10 100",
        "SORT zset BY nosort DESC LIMIT 1 3 STORE zdest",
        "LRANGE zdest 0 -1",
        "SORT zset BY weight_*",
        "SORT zset",
    ] {
        same(&mut p, cmd);
    }
    same(&mut p, "ZADD znum 1 3 2 1 3 2.5 4 -1");
    same(&mut p, "SORT znum");
    same(&mut p, "SORT znum DESC LIMIT 1 2");
    // Inside a transaction.
    same(&mut p, "MULTI");
    same(&mut p, "SORT tosort BY weight_* LIMIT 0 5");
    same(&mut p, "SORT tosort BY weight_* LIMIT 0 3 STORE dest2");
    same(&mut p, "LRANGE dest2 0 -1");
    same(&mut p, "EXEC");
    // What COMMAND says about them.
    same(&mut p, "COMMAND INFO sort sort_ro");
    same(&mut p, "COMMAND GETKEYS sort abc store def");
    same(&mut p, "COMMAND GETKEYS sort abc store invalid store stillbad store def");
    same(&mut p, "COMMAND GETKEYS sort_ro abc");
    same(&mut p, "COMMAND GETKEYSANDFLAGS sort abc limit 0 1 store def");
    // Out of range weights (last: Redis does not clear errno before
    // strtod, so an ERANGE lingers into later numeric SORTs on its thread).
    for huge in ["1e-400", "1e400"] {
        same(&mut p, &format!("SET weight_5 {huge}"));
        same(&mut p, "SORT tosort BY weight_* LIMIT 0 3");
    }
}

/// Many ties (ALPHA with BY compares only the weights) under random LIMIT
/// and DESC: the order of ties must be Redis's (its partial quicksort
/// with LIMIT, a stable sort without).
#[test]
fn ties_come_out_in_redis_order() {
    let Some(mut p) = Pair::start(2) else { return };
    let mut rng = Rng(5);
    for round in 0..30 {
        let n = 1 + rng.below(120) as usize;
        same(&mut p, "DEL t");
        for i in 0..n {
            same(&mut p, &format!("RPUSH t e{i}"));
            if rng.below(4) == 0 {
                same(&mut p, &format!("DEL w_e{i}"));
            } else {
                same(&mut p, &format!("SET w_e{i} {}", rng.below(4)));
            }
        }
        for _ in 0..6 {
            let order = if rng.below(2) == 0 { "ASC" } else { "DESC" };
            let (start, count) = (rng.below(n as u64 + 2), rng.below(n as u64 + 2) as i64 - 1);
            same(&mut p, &format!("SORT t BY w_* ALPHA {order} LIMIT {start} {count}"));
            same(&mut p, &format!("SORT t BY w_* {order} LIMIT {start} {count}"));
        }
        if round % 5 == 0 {
            same(&mut p, "SORT t BY w_* ALPHA");
            same(&mut p, "SORT t BY w_* ALPHA DESC");
        }
    }
}

#[test]
fn sort_matches_redis_one_shard() {
    scenarios(1);
}

#[test]
fn sort_matches_redis_across_shards() {
    scenarios(3);
}
