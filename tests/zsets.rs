//! Sorted sets over TCP, compared byte for byte with what Redis 7.0
//! replies: the tables below were recorded from redis-server 7.0.15 (each
//! line run on a RESP2 and then a RESP3 connection), and are replayed on
//! one shard and on several (where ZUNIONSTORE and friends span shards).

mod common;
use common::{replay, Server};
use redis::Commands;

#[test]
fn core_commands_as_redis_one_shard() {
    replay(1, CORE);
}

#[test]
fn core_commands_as_redis_two_shards() {
    replay(2, CORE);
}

#[test]
fn plain_sets_as_inputs_as_redis() {
    replay(2, WITH_SETS);
}

#[test]
fn zscan_of_compact_sets_as_redis() {
    replay(1, SCAN);
}

/// A big set's ZSCAN walks its table: every member that stays from the
/// first call to the last comes back, with its score, whatever changes
/// meanwhile.
#[test]
fn zscan_of_big_sets_returns_every_member() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let items: Vec<(f64, String)> = (0..2000).map(|i| (i as f64 / 4.0, format!("m{i}"))).collect();
    let _: i64 = c.zadd_multiple("big", &items).unwrap();
    let (mut cursor, mut seen) = (0u64, std::collections::HashMap::new());
    for round in 0.. {
        let (next, page): (u64, Vec<(String, f64)>) =
            redis::cmd("ZSCAN").arg("big").arg(cursor).arg("COUNT").arg(50).query(&mut c).unwrap();
        seen.extend(page);
        let _: i64 = c.zrem("big", format!("m{}", 1900 + round % 100)).unwrap();
        let _: i64 = c.zadd("big", format!("new{round}"), 1).unwrap();
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    for (score, m) in &items[..1900] {
        assert_eq!(seen.get(m), Some(score), "{m}");
    }
}

/// A big set (the hash-and-index encoding) agrees with a sorted model.
#[test]
fn big_set_ranks_and_ranges() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let mut model: Vec<(i64, String)> = (0..3000).map(|i| ((i * 7919) % 101, format!("m{i}"))).collect();
    for chunk in model.chunks(500) {
        let items: Vec<(i64, &str)> = chunk.iter().map(|(s, m)| (*s, m.as_str())).collect();
        let _: i64 = c.zadd_multiple("big", &items).unwrap();
    }
    model.sort();
    let enc: String = redis::cmd("OBJECT").arg("ENCODING").arg("big").query(&mut c).unwrap();
    assert_eq!(enc, "skiplist");
    for i in (0..model.len()).step_by(97) {
        let rank: i64 = c.zrank("big", &model[i].1).unwrap();
        assert_eq!(rank as usize, i);
        let rev: i64 = c.zrevrank("big", &model[i].1).unwrap();
        assert_eq!(rev as usize, model.len() - 1 - i);
    }
    let got: Vec<String> = c.zrange("big", 1000, 1009).unwrap();
    let want: Vec<String> = model[1000..1010].iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(got, want);
    let count: i64 = c.zcount("big", "(10", 20).unwrap();
    assert_eq!(count as usize, model.iter().filter(|(s, _)| *s > 10 && *s <= 20).count());
    let got: Vec<String> = c.zrevrangebyscore_limit("big", 50, 40, 5, 3).unwrap();
    let want: Vec<String> =
        model.iter().rev().filter(|(s, _)| (40..=50).contains(s)).skip(5).take(3).map(|(_, m)| m.clone()).collect();
    assert_eq!(got, want);
    let removed: i64 = c.zrembyscore("big", 0, 49).unwrap();
    assert_eq!(removed as usize, model.iter().filter(|(s, _)| *s <= 49).count());
    let card: i64 = c.zcard("big").unwrap();
    assert_eq!(card as usize + removed as usize, model.len());
    let popped: Vec<(String, f64)> = c.zpopmax("big", 2).unwrap();
    let last = model.last().unwrap();
    assert_eq!(popped[0], (last.1.clone(), last.0 as f64));
    let n: i64 = c.zremrangebyrank("big", 0, -1).unwrap();
    assert_eq!(n + 2 + removed, model.len() as i64);
    let exists: bool = c.exists("big").unwrap();
    assert!(!exists, "an emptied sorted set is deleted");
}

/// Set operations whose keys live on different shards run atomically
/// through the coordinator and store their result on the right shard.
#[test]
fn multi_key_commands_across_shards() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    for i in 0..8 {
        let _: i64 = c.zadd_multiple(format!("in:{i}"), &[(i, "shared"), (1, &format!("own{i}"))]).unwrap();
    }
    let keys: Vec<String> = (0..8).map(|i| format!("in:{i}")).collect();
    let n: i64 = redis::cmd("ZUNIONSTORE").arg("out").arg(8).arg(&keys).query(&mut c).unwrap();
    assert_eq!(n, 9);
    let shared: f64 = c.zscore("out", "shared").unwrap();
    assert_eq!(shared, 28.0);
    let n: i64 = redis::cmd("ZINTERCARD").arg(8).arg(&keys).query(&mut c).unwrap();
    assert_eq!(n, 1);
    let popped: redis::Value = redis::cmd("ZMPOP")
        .arg(3)
        .arg("nope:1")
        .arg("nope:2")
        .arg("in:5")
        .arg("MAX")
        .arg("COUNT")
        .arg(5)
        .query(&mut c)
        .unwrap();
    assert_eq!(
        popped,
        redis::Value::Array(vec![
            redis::Value::BulkString(b"in:5".to_vec()),
            redis::Value::Array(vec![
                redis::Value::Array(vec![
                    redis::Value::BulkString(b"shared".to_vec()),
                    redis::Value::BulkString(b"5".to_vec())
                ]),
                redis::Value::Array(vec![
                    redis::Value::BulkString(b"own5".to_vec()),
                    redis::Value::BulkString(b"1".to_vec())
                ]),
            ]),
        ])
    );
    let gone: bool = c.exists("in:5").unwrap();
    assert!(!gone);
    let n: i64 = redis::cmd("ZDIFFSTORE").arg("in:0").arg(2).arg("in:1").arg("in:2").query(&mut c).unwrap();
    assert_eq!(n, 1);
    let members: Vec<String> = c.zrange("in:0", 0, -1).unwrap();
    assert_eq!(members, vec!["own1"]);
}

#[test]
fn random_members() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = c.zadd_multiple("z", &[(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]).unwrap();
    for count in [1, 2, 3, 4, 5, 10] {
        let got: Vec<String> = redis::cmd("ZRANDMEMBER").arg("z").arg(count).query(&mut c).unwrap();
        let mut uniq = got.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(got.len(), count.min(5));
        assert_eq!(uniq.len(), got.len(), "a positive count gives distinct members");
    }
    let got: Vec<String> = redis::cmd("ZRANDMEMBER").arg("z").arg(-20).query(&mut c).unwrap();
    assert_eq!(got.len(), 20);
    assert!(got.iter().all(|m| ["a", "b", "c", "d", "e"].contains(&m.as_str())));
    let pairs: Vec<(String, f64)> = redis::cmd("ZRANDMEMBER").arg("z").arg(3).arg("WITHSCORES").query(&mut c).unwrap();
    for (m, s) in pairs {
        assert_eq!(s, (m.as_bytes()[0] - b'a' + 1) as f64);
    }
}

const CORE: &[(&str, &str, &str)] = &[
    ("zadd z 1 a 2 b 3 c", ":3\r\n", ":0\r\n"),
    ("zadd z nx xx 1 a", "-ERR XX and NX options at the same time are not compatible\r\n", "-ERR XX and NX options at the same time are not compatible\r\n"),
    ("zadd z gt lt 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    ("zadd z nx gt 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    ("zadd z incr 1 a 2 b", "-ERR INCR option supports a single increment-element pair\r\n", "-ERR INCR option supports a single increment-element pair\r\n"),
    ("zadd z 1", "-ERR wrong number of arguments for 'zadd' command\r\n", "-ERR wrong number of arguments for 'zadd' command\r\n"),
    ("zadd z abc a", "-ERR value is not a valid float\r\n", "-ERR value is not a valid float\r\n"),
    ("zadd z incr 5 a", "$1\r\n6\r\n", ",11\r\n"),
    ("zadd z xx incr 5 new", "$-1\r\n", "_\r\n"),
    ("zadd z nx incr 5 a", "$-1\r\n", "_\r\n"),
    ("zadd z ch 10 a 20 b 3 c 4 d", ":3\r\n", ":0\r\n"),
    ("zadd z gt ch 5 a 30 b", ":1\r\n", ":0\r\n"),
    ("zadd z lt ch 5 a 30 b", ":1\r\n", ":0\r\n"),
    ("zadd z inf x -inf y", ":2\r\n", ":0\r\n"),
    ("zadd z incr -inf x", "-ERR resulting score is not a number (NaN)\r\n", "-ERR resulting score is not a number (NaN)\r\n"),
    ("zadd z -0 zero", ":1\r\n", ":0\r\n"),
    ("zscore z zero", "$1\r\n0\r\n", ",0\r\n"),
    ("zscore z a", "$1\r\n5\r\n", ",5\r\n"),
    ("zscore z nosuch", "$-1\r\n", "_\r\n"),
    ("zscore nokey a", "$-1\r\n", "_\r\n"),
    ("zmscore z a nosuch b", "*3\r\n$1\r\n5\r\n$-1\r\n$2\r\n30\r\n", "*3\r\n,5\r\n_\r\n,30\r\n"),
    ("zmscore nokey a b", "*2\r\n$-1\r\n$-1\r\n", "*2\r\n_\r\n_\r\n"),
    ("zincrby z 1.5 a", "$3\r\n6.5\r\n", ",8\r\n"),
    ("zincrby z 0.1 a", "$18\r\n8.0999999999999996\r\n", ",8.1999999999999993\r\n"),
    ("zincrby z abc a", "-ERR value is not a valid float\r\n", "-ERR value is not a valid float\r\n"),
    ("zcard z", ":7\r\n", ":7\r\n"),
    ("zcard nokey", ":0\r\n", ":0\r\n"),
    ("zrank z a", ":4\r\n", ":4\r\n"),
    ("zrevrank z a", ":2\r\n", ":2\r\n"),
    ("zrank z nosuch", "$-1\r\n", "_\r\n"),
    ("zrange z 0 -1", "*7\r\n$1\r\ny\r\n$4\r\nzero\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n", "*7\r\n$1\r\ny\r\n$4\r\nzero\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n"),
    ("zrange z 0 -1 withscores", "*14\r\n$1\r\ny\r\n$4\r\n-inf\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\nx\r\n$3\r\ninf\r\n", "*7\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\nx\r\n,inf\r\n"),
    ("zrange z 0 -1 rev withscores", "*14\r\n$1\r\nx\r\n$3\r\ninf\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\ny\r\n$4\r\n-inf\r\n", "*7\r\n*2\r\n$1\r\nx\r\n,inf\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\ny\r\n,-inf\r\n"),
    ("zrange z 1 2 limit 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    ("zrange z -inf +inf byscore withscores", "*14\r\n$1\r\ny\r\n$4\r\n-inf\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\nx\r\n$3\r\ninf\r\n", "*7\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\nx\r\n,inf\r\n"),
    ("zrange z +inf -inf byscore rev limit 1 2 withscores", "*4\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n", "*2\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n"),
    ("zrange z (1 (30 byscore", "*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n", "*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n"),
    ("zrange z [a [c bylex", "*0\r\n", "*0\r\n"),
    ("zrange z [a [c bylex withscores", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"),
    ("zrange z 0 -1 byscore bylex", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zrangebyscore z -inf +inf withscores limit 0 3", "*6\r\n$1\r\ny\r\n$4\r\n-inf\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n", "*3\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\nc\r\n,3\r\n"),
    ("zrangebyscore z -inf +inf withscores limit -1 3", "*0\r\n", "*0\r\n"),
    ("zrangebyscore z -inf +inf limit 2 -1", "*5\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n", "*5\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n"),
    ("zrangebyscore z a b", "-ERR min or max is not a float\r\n", "-ERR min or max is not a float\r\n"),
    ("zrevrangebyscore z +inf -inf withscores", "*14\r\n$1\r\nx\r\n$3\r\ninf\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\ny\r\n$4\r\n-inf\r\n", "*7\r\n*2\r\n$1\r\nx\r\n,inf\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\ny\r\n,-inf\r\n"),
    ("zrevrangebyscore z 20 5", "*1\r\n$1\r\na\r\n", "*1\r\n$1\r\na\r\n"),
    ("zrangebylex z - +", "*7\r\n$1\r\ny\r\n$4\r\nzero\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n", "*7\r\n$1\r\ny\r\n$4\r\nzero\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n"),
    ("zrangebylex z a +", "-ERR min or max not valid string range item\r\n", "-ERR min or max not valid string range item\r\n"),
    ("zrevrangebylex z + - limit 1 2", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"),
    ("zrevrange z 0 1 withscores", "*4\r\n$1\r\nx\r\n$3\r\ninf\r\n$1\r\nb\r\n$2\r\n30\r\n", "*2\r\n*2\r\n$1\r\nx\r\n,inf\r\n*2\r\n$1\r\nb\r\n,30\r\n"),
    ("zrevrange z 0 1 byscore", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zcount z -inf +inf", ":7\r\n", ":7\r\n"),
    ("zcount z (1 5", ":2\r\n", ":2\r\n"),
    ("zcount z x 5", "-ERR min or max is not a float\r\n", "-ERR min or max is not a float\r\n"),
    ("zlexcount z - +", ":7\r\n", ":7\r\n"),
    ("zlexcount z [b (d", ":0\r\n", ":0\r\n"),
    ("set str foo", "+OK\r\n", "+OK\r\n"),
    ("zadd str 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    ("zrange str 0 -1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    ("zscore str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    ("zrangestore dst z 0 -1", ":7\r\n", ":7\r\n"),
    ("zrange dst 0 -1 withscores", "*14\r\n$1\r\ny\r\n$4\r\n-inf\r\n$4\r\nzero\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\na\r\n$18\r\n8.1999999999999993\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\nx\r\n$3\r\ninf\r\n", "*7\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$4\r\nzero\r\n,0\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nb\r\n,30\r\n*2\r\n$1\r\nx\r\n,inf\r\n"),
    ("zrangestore dst z 5 3 byscore", ":0\r\n", ":0\r\n"),
    ("exists dst", ":0\r\n", ":0\r\n"),
    ("zrangestore dst z 0 1 withscores", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zpopmin z", "*2\r\n$1\r\ny\r\n$4\r\n-inf\r\n", "*2\r\n$4\r\nzero\r\n,0\r\n"),
    ("zpopmax z 2", "*4\r\n$1\r\nx\r\n$3\r\ninf\r\n$1\r\nb\r\n$2\r\n30\r\n", "*2\r\n*2\r\n$1\r\na\r\n,8.1999999999999993\r\n*2\r\n$1\r\nd\r\n,4\r\n"),
    ("zpopmin z 0", "*0\r\n", "*0\r\n"),
    ("zpopmin z -1", "-ERR value is out of range, must be positive\r\n", "-ERR value is out of range, must be positive\r\n"),
    ("zpopmin z abc", "-ERR value is out of range, must be positive\r\n", "-ERR value is out of range, must be positive\r\n"),
    ("zpopmin nokey", "*0\r\n", "*0\r\n"),
    ("zpopmin nokey 3", "*0\r\n", "*0\r\n"),
    ("zpopmin z 1 2", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zmpop 1 z min", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", "_\r\n"),
    ("zmpop 2 nokey z max count 2", "*-1\r\n", "_\r\n"),
    ("zmpop 1 nokey min", "*-1\r\n", "_\r\n"),
    ("zmpop 0 z min", "-ERR numkeys should be greater than 0\r\n", "-ERR numkeys should be greater than 0\r\n"),
    ("zmpop 1 z min count 0", "-ERR count should be greater than 0\r\n", "-ERR count should be greater than 0\r\n"),
    ("zmpop 1 z foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zmpop 5 z min", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zmpop 1 z min count 1 count 2", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zadd r 1 a 2 b 3 c 4 d 5 e", ":5\r\n", ":0\r\n"),
    ("zremrangebyrank r 0 1", ":2\r\n", ":2\r\n"),
    ("zremrangebyscore r (3 4", ":0\r\n", ":0\r\n"),
    ("zremrangebylex r - +", ":1\r\n", ":0\r\n"),
    ("exists r", ":0\r\n", ":0\r\n"),
    ("zadd u1 1 a 2 b 3 c", ":3\r\n", ":0\r\n"),
    ("zadd u2 4 b 5 c 6 d", ":3\r\n", ":0\r\n"),
    ("zunion 2 u1 u2 withscores", "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n6\r\n$1\r\nd\r\n$1\r\n6\r\n$1\r\nc\r\n$1\r\n8\r\n", "*4\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,6\r\n*2\r\n$1\r\nd\r\n,6\r\n*2\r\n$1\r\nc\r\n,8\r\n"),
    ("zunion 2 u1 u2 weights 2 3 aggregate max withscores", "*8\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n15\r\n$1\r\nd\r\n$2\r\n18\r\n", "*4\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,12\r\n*2\r\n$1\r\nc\r\n,15\r\n*2\r\n$1\r\nd\r\n,18\r\n"),
    ("zinter 2 u1 u2 withscores", "*4\r\n$1\r\nb\r\n$1\r\n6\r\n$1\r\nc\r\n$1\r\n8\r\n", "*2\r\n*2\r\n$1\r\nb\r\n,6\r\n*2\r\n$1\r\nc\r\n,8\r\n"),
    ("zinter 2 u1 u2 aggregate min withscores", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"),
    ("zdiff 2 u1 u2 withscores", "*2\r\n$1\r\na\r\n$1\r\n1\r\n", "*1\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    ("zdiff 2 u1 u2 weights 1 2", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zunionstore out 2 u1 u2", ":4\r\n", ":4\r\n"),
    ("zrange out 0 -1 withscores", "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n6\r\n$1\r\nd\r\n$1\r\n6\r\n$1\r\nc\r\n$1\r\n8\r\n", "*4\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,6\r\n*2\r\n$1\r\nd\r\n,6\r\n*2\r\n$1\r\nc\r\n,8\r\n"),
    ("zunionstore out 2 u1 u2 withscores", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zinterstore out 2 u1 nokey", ":0\r\n", ":0\r\n"),
    ("exists out", ":0\r\n", ":0\r\n"),
    ("zunion 0 u1", "-ERR at least 1 input key is needed for 'zunion' command\r\n", "-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    ("zunion -1 u1", "-ERR at least 1 input key is needed for 'zunion' command\r\n", "-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    ("zunion 3 u1 u2", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zunion 2 u1 str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    ("zunion 2 u1 u2 weights 1 x", "-ERR weight value is not a float\r\n", "-ERR weight value is not a float\r\n"),
    ("zunion 2 u1 u2 aggregate foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zintercard 2 u1 u2", ":2\r\n", ":2\r\n"),
    ("zintercard 2 u1 u2 limit 1", ":1\r\n", ":1\r\n"),
    ("zintercard 2 u1 u2 limit -1", "-ERR LIMIT can't be negative\r\n", "-ERR LIMIT can't be negative\r\n"),
    ("zintercard 2 u1 u2 withscores", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zdiffstore out 2 u1 u2", ":1\r\n", ":1\r\n"),
    ("zrandmember nokey", "$-1\r\n", "_\r\n"),
    ("zrandmember nokey 5", "*0\r\n", "*0\r\n"),
    ("zrandmember u1 0", "*0\r\n", "*0\r\n"),
    ("zrandmember u1 -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"),
    ("zrandmember u1 1 foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zrem u1 a b c d", ":3\r\n", ":0\r\n"),
    ("exists u1", ":0\r\n", ":0\r\n"),
    ("object encoding u2", "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"),
    ("zadd big 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ":1\r\n", ":0\r\n"),
    ("object encoding big", "$8\r\nskiplist\r\n", "$8\r\nskiplist\r\n"),
    ("zadd mix 1 a 1 b 1 c 1 d", ":4\r\n", ":0\r\n"),
    ("zrangebylex mix (a [c", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    ("zrangebylex mix a c", "-ERR min or max not valid string range item\r\n", "-ERR min or max not valid string range item\r\n"),
    ("zrangebylex mix [a +c", "-ERR min or max not valid string range item\r\n", "-ERR min or max not valid string range item\r\n"),
    ("config set zset-max-listpack-entries 2", "+OK\r\n", "+OK\r\n"),
    ("zadd enc 1 a 2 b", ":2\r\n", ":0\r\n"),
    ("object encoding enc", "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"),
    ("zadd enc 3 c", ":1\r\n", ":0\r\n"),
    ("object encoding enc", "$8\r\nskiplist\r\n", "$8\r\nskiplist\r\n"),
    ("zrem enc a b", ":2\r\n", ":0\r\n"),
    ("object encoding enc", "$8\r\nskiplist\r\n", "$8\r\nskiplist\r\n"),
    ("zunionstore enc2 1 enc", ":1\r\n", ":1\r\n"),
    ("object encoding enc2", "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"),
    ("config set zset-max-listpack-entries 128", "+OK\r\n", "+OK\r\n"),
    ("config set zset-max-listpack-value 3", "+OK\r\n", "+OK\r\n"),
    ("zadd enc3 1 abcd", ":1\r\n", ":0\r\n"),
    ("object encoding enc3", "$8\r\nskiplist\r\n", "$8\r\nskiplist\r\n"),
    ("zadd enc4 1 abc", ":1\r\n", ":0\r\n"),
    ("object encoding enc4", "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"),
    ("zadd enc4 2 abcde", ":1\r\n", ":0\r\n"),
    ("object encoding enc4", "$8\r\nskiplist\r\n", "$8\r\nskiplist\r\n"),
    ("config set zset-max-listpack-value 64", "+OK\r\n", "+OK\r\n"),
    ("zadd zneg -0 a", ":1\r\n", ":0\r\n"),
    ("zscore zneg a", "$1\r\n0\r\n", ",0\r\n"),
    ("zrangebyscore z 1 (1", "*0\r\n", "*0\r\n"),
    ("zrangebyscore z ( 5", "*0\r\n", "*0\r\n"),
    ("zadd lex 0 a 0 b 0 c 0 d 0 e 0 f", ":6\r\n", ":0\r\n"),
    ("zrangebylex lex (a [c", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    ("zrangebylex lex [c (a", "*0\r\n", "*0\r\n"),
    ("zrevrangebylex lex [d (b", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"),
    ("zrangebylex lex - + limit 2 2", "*2\r\n$1\r\nc\r\n$1\r\nd\r\n", "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"),
    ("zremrangebylex lex (a [c", ":2\r\n", ":0\r\n"),
    ("zrange lex 0 -1", "*4\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n", "*4\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"),
    ("zrange lex - + bylex rev limit 0 2", "*0\r\n", "*0\r\n"),
    ("zrangestore dst lex + - bylex rev limit 0 2", ":2\r\n", ":2\r\n"),
    ("zrange dst 0 -1 withscores", "*4\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nf\r\n$1\r\n0\r\n", "*2\r\n*2\r\n$1\r\ne\r\n,0\r\n*2\r\n$1\r\nf\r\n,0\r\n"),
    ("zadd sc 1.5 a 2.25 b 1e20 c 0.1 d", ":4\r\n", ":0\r\n"),
    ("zrange sc 0 -1 withscores", "*8\r\n$1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$4\r\n2.25\r\n$1\r\nc\r\n$5\r\n1e+20\r\n", "*4\r\n*2\r\n$1\r\nd\r\n,0.10000000000000001\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2.25\r\n*2\r\n$1\r\nc\r\n,1e+20\r\n"),
    ("zincrby sc 1e20 c", "$5\r\n2e+20\r\n", ",3e+20\r\n"),
    ("zadd sc incr 0.2 d", "$19\r\n0.30000000000000004\r\n", ",0.5\r\n"),
    ("zrevrangebyscore sc (2.25 -inf withscores limit 1 5", "*2\r\n$1\r\nd\r\n$3\r\n0.5\r\n", "*1\r\n*2\r\n$1\r\nd\r\n,0.5\r\n"),
    ("zremrangebyscore sc -inf (2", ":2\r\n", ":0\r\n"),
    ("zrange sc 0 -1 withscores", "*4\r\n$1\r\nb\r\n$4\r\n2.25\r\n$1\r\nc\r\n$5\r\n3e+20\r\n", "*2\r\n*2\r\n$1\r\nb\r\n,2.25\r\n*2\r\n$1\r\nc\r\n,3e+20\r\n"),
    ("zremrangebyrank sc -1 -1", ":1\r\n", ":1\r\n"),
    ("zremrangebyrank sc 5 10", ":0\r\n", ":0\r\n"),
    ("zremrangebyrank sc x 1", "-ERR value is not an integer or out of range\r\n", "-ERR value is not an integer or out of range\r\n"),
    ("zremrangebyscore sc x 1", "-ERR min or max is not a float\r\n", "-ERR min or max is not a float\r\n"),
    ("zremrangebylex sc x +", "-ERR min or max not valid string range item\r\n", "-ERR min or max not valid string range item\r\n"),
    ("zunionstore u3 2 u1 u2 weights 1 inf", ":3\r\n", ":3\r\n"),
    ("zrange u3 0 -1 withscores", "*6\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n$1\r\nd\r\n$3\r\ninf\r\n", "*3\r\n*2\r\n$1\r\nb\r\n,inf\r\n*2\r\n$1\r\nc\r\n,inf\r\n*2\r\n$1\r\nd\r\n,inf\r\n"),
    ("zunion 2 u2 u2 weights inf -inf withscores", "*6\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nd\r\n$1\r\n0\r\n", "*3\r\n*2\r\n$1\r\nb\r\n,0\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$1\r\nd\r\n,0\r\n"),
    ("zinterstore dst 2 u2 u2 aggregate max", ":3\r\n", ":3\r\n"),
    ("zinter 1 u2 withscores foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
];

const SCAN: &[(&str, &str, &str)] = &[
    ("zadd zs 1 a 2.5 b -0 c 1e20 d 0.1 e inf f -inf g 4611686018427387904 h 4611686018427387903 i 123456789012345678 j", ":10\r\n", ":0\r\n"),
    ("zscan zs 0", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n"),
    ("zscan zs 0 match [a-c]", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n"),
    ("zscan zs 0 count 1", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n"),
    ("zscan zs 0 match", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zscan zs x", "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"),
    ("zscan zs -1", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n"),
    ("zscan zs 18446744073709551615", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n", "*2\r\n$1\r\n0\r\n*20\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nj\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n"),
    ("zscan zs 18446744073709551616", "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"),
    ("zscan nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n", "*2\r\n$1\r\n0\r\n*0\r\n"),
    ("zscan nokey x", "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"),
    ("set str v", "+OK\r\n", "+OK\r\n"),
    ("zscan str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    ("zscan str x", "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"),
    ("zscan zs 0 count 0", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zscan zs 0 count -1", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
    ("zscan zs 0 foo bar", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
];

const WITH_SETS: &[(&str, &str, &str)] = &[
    ("zadd u1 1 a 2 b 3 c", ":3\r\n", ":0\r\n"),
    ("sadd s1 a d e", ":3\r\n", ":0\r\n"),
    ("sadd si 1 2 3", ":3\r\n", ":0\r\n"),
    ("zadd zi 10 1 20 5", ":2\r\n", ":0\r\n"),
    ("zunion 3 u1 s1 si withscores", "*16\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "*8\r\n*2\r\n$1\r\n1\r\n,1\r\n*2\r\n$1\r\n2\r\n,1\r\n*2\r\n$1\r\n3\r\n,1\r\n*2\r\n$1\r\nd\r\n,1\r\n*2\r\n$1\r\ne\r\n,1\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"),
    ("zunion 3 u1 s1 si weights 2 3 4 withscores", "*16\r\n$1\r\nd\r\n$1\r\n3\r\n$1\r\ne\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n4\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\na\r\n$1\r\n5\r\n$1\r\nc\r\n$1\r\n6\r\n", "*8\r\n*2\r\n$1\r\nd\r\n,3\r\n*2\r\n$1\r\ne\r\n,3\r\n*2\r\n$1\r\n1\r\n,4\r\n*2\r\n$1\r\n2\r\n,4\r\n*2\r\n$1\r\n3\r\n,4\r\n*2\r\n$1\r\nb\r\n,4\r\n*2\r\n$1\r\na\r\n,5\r\n*2\r\n$1\r\nc\r\n,6\r\n"),
    ("zinter 2 u1 s1 withscores", "*2\r\n$1\r\na\r\n$1\r\n2\r\n", "*1\r\n*2\r\n$1\r\na\r\n,2\r\n"),
    ("zinter 2 si zi withscores", "*2\r\n$1\r\n1\r\n$2\r\n11\r\n", "*1\r\n*2\r\n$1\r\n1\r\n,11\r\n"),
    ("zdiff 2 u1 s1 withscores", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"),
    ("zdiff 2 s1 u1 withscores", "*4\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\n1\r\n", "*2\r\n*2\r\n$1\r\nd\r\n,1\r\n*2\r\n$1\r\ne\r\n,1\r\n"),
    ("zunionstore out 2 si zi weights 1 2", ":4\r\n", ":4\r\n"),
    ("zrange out 0 -1 withscores", "*8\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n1\r\n$2\r\n21\r\n$1\r\n5\r\n$2\r\n40\r\n", "*4\r\n*2\r\n$1\r\n2\r\n,1\r\n*2\r\n$1\r\n3\r\n,1\r\n*2\r\n$1\r\n1\r\n,21\r\n*2\r\n$1\r\n5\r\n,40\r\n"),
    ("object encoding out", "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"),
    ("zintercard 2 s1 u1", ":1\r\n", ":1\r\n"),
    ("zinterstore out 2 s1 nokey", ":0\r\n", ":0\r\n"),
    ("exists out", ":0\r\n", ":0\r\n"),
];
