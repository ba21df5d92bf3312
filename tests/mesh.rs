//! Commands forwarded between shards: every forwarded command is answered,
//! in order, while many connections keep all shards busy, and the shards
//! go back to sleep afterwards (a shard that believed messages were still
//! on their way to it would keep polling for them).

mod common;
use common::Server;
use std::time::Duration;

/// CPU time (utime + stime, in clock ticks) the process has used so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name (field 2) may hold spaces; fields after it are plain.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15, i.e. 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn forwarded_commands_are_answered_and_shards_then_sleep() {
    let s = Server::start(4, &[]);
    let mut workers = Vec::new();
    for w in 0..8 {
        let mut c = s.conn();
        workers.push(std::thread::spawn(move || {
            for round in 0..20 {
                let mut pipe = redis::pipe();
                for i in 0..200 {
                    let key = format!("mesh:{w}:{i}");
                    pipe.cmd("SET").arg(&key).arg(format!("{round}:{i}")).ignore();
                    pipe.cmd("GET").arg(&key);
                }
                let got: Vec<String> = pipe.query(&mut c).unwrap();
                let want: Vec<String> = (0..200).map(|i| format!("{round}:{i}")).collect();
                assert_eq!(got, want, "worker {w} round {round}");
            }
        }));
    }
    for w in workers {
        w.join().unwrap();
    }
    let mut c = s.conn();
    let keys: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(keys, 8 * 200);

    // Idle now: the cron ticks a few times a second; a shard still polling
    // would use a whole CPU (one tick per 10 ms) over the same time.
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(s.pid());
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_ticks(s.pid()) - before;
    assert!(used < 40, "an idle server used {used} ticks of CPU in 1.5 s");
}
