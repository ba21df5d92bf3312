//! Support for the AOF tests: a clover (or redis-server) that keeps its
//! directory across restarts and can be killed with SIGKILL, a temporary
//! directory removed at the end, and a dump of a server's whole data set
//! to compare two servers.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The manifest of the AOF directory under `dir`.
pub fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap()
}

/// Waits (bounded) until no AOF rewrite runs or is scheduled.
pub fn wait_rewrite(c: &mut redis::Connection) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let i: String = redis::cmd("INFO").arg("persistence").query(c).unwrap();
        if i.contains("aof_rewrite_in_progress:0") && i.contains("aof_rewrite_scheduled:0") {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the rewrite did not finish");
}

/// A directory of one test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let p = std::env::temp_dir().join(format!("clover-aof-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A failed test leaves its directory (logs, files) to look at.
        if std::thread::panicking() {
            eprintln!("kept {}", self.0.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process over a directory that outlives it.
pub struct Node {
    pub port: u16,
    child: Option<Child>,
    pub dir: PathBuf,
    bin: String,
    args: Vec<String>,
}

pub const CLOVER: &str = env!("CARGO_BIN_EXE_clover");
pub const REDIS: &str = "/usr/bin/redis-server";

impl Node {
    /// Starts `bin` (clover or redis-server) on `dir` with AOF on and
    /// `extra` arguments; waits until it answers PING.
    pub fn start(bin: &str, dir: &Path, extra: &[&str]) -> Node {
        let mut n = Node::spawn(bin, dir, extra);
        n.wait_ready();
        n
    }

    /// Starts without waiting (for servers expected to refuse to start).
    pub fn spawn(bin: &str, dir: &Path, extra: &[&str]) -> Node {
        let port = crate::common::free_port();
        let log = if bin == CLOVER { "clover.log" } else { "redis.log" };
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--dir".into(),
            dir.display().to_string(),
            "--logfile".into(),
            dir.join(log).display().to_string(),
            "--save".into(),
            "".into(),
            "--appendonly".into(),
            "yes".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut n = Node { port, child: None, dir: dir.to_path_buf(), bin: bin.to_string(), args };
        n.launch();
        n
    }

    fn launch(&mut self) {
        let child = Command::new(&self.bin)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        self.child = Some(child);
    }

    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut c) = redis::Client::open(self.url()).and_then(|c| c.get_connection()) {
                if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                    return;
                }
            }
            if let Some(code) = self.exit_code() {
                panic!("server exited with {code:?}; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("server did not answer PING on port {}", self.port);
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn conn(&self) -> redis::Connection {
        let c = redis::Client::open(self.url()).unwrap().get_connection().unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        c
    }

    /// The exit status once the process ended (None while it runs).
    pub fn exit_code(&mut self) -> Option<Option<i32>> {
        let c = self.child.as_mut()?;
        c.try_wait().ok().flatten().map(|s| s.code())
    }

    /// Waits (bounded) for the process to end; its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(code) = self.exit_code() {
                self.child = None;
                return code;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("server did not exit");
    }

    fn signal(&mut self, sig: i32) {
        if let Some(c) = &self.child {
            // SAFETY: a signal to the child we started, by its PID.
            unsafe {
                libc::kill(c.id() as i32, sig);
            }
        }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill9(&mut self) {
        self.signal(libc::SIGKILL);
        self.wait_exit();
    }

    /// SIGTERM (a clean shutdown), and wait for it.
    pub fn stop(&mut self) {
        self.signal(libc::SIGTERM);
        self.wait_exit();
    }

    /// Starts the same server again on the same directory (on a port
    /// free now: another test may have taken the old one meanwhile).
    pub fn restart(&mut self) {
        self.port = crate::common::free_port();
        if let Some(i) = self.args.iter().position(|a| a == "--port") {
            self.args[i + 1] = self.port.to_string();
        }
        self.launch();
        self.wait_ready();
    }

    pub fn log(&self) -> String {
        let name = if self.bin == CLOVER { "clover.log" } else { "redis.log" };
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: SIGKILL to the child we started, by its PID.
            unsafe {
                libc::kill(c.id() as i32, libc::SIGKILL);
            }
            let _ = c.wait();
        }
    }
}

/// When redis-server is installed: it loads the files in `dir` (clover's
/// log moved out of its way) and holds exactly `expected`.
pub fn redis_loads(dir: &Path, expected: &BTreeMap<(i64, String), String>) {
    if !Path::new(REDIS).exists() {
        return;
    }
    std::fs::remove_file(dir.join("clover.log")).ok();
    let redis = Node::start(REDIS, dir, &[]);
    assert_eq!(dump(&mut redis.conn()), *expected);
}

/// Clover with `shards` shards loads the files in `dir` and holds exactly
/// `expected`.
pub fn clover_loads(dir: &Path, shards: &str, expected: &BTreeMap<(i64, String), String>) {
    let node = Node::start(CLOVER, dir, &["--shards", shards]);
    assert_eq!(dump(&mut node.conn()), *expected);
}

/// Every key of every database with its type, value (in a canonical
/// form) and whether it has a TTL: what two servers must agree on.
pub fn dump(c: &mut redis::Connection) -> BTreeMap<(i64, String), String> {
    let mut out = BTreeMap::new();
    for db in 0..16i64 {
        redis::cmd("SELECT").arg(db).query::<()>(c).unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(c).unwrap();
        for k in keys {
            let t: String = redis::cmd("TYPE").arg(&k).query(c).unwrap();
            let v = match t.as_str() {
                "string" => redis::cmd("GET").arg(&k).query::<String>(c).unwrap(),
                "list" => format!("{:?}", redis::cmd("LRANGE").arg(&k).arg(0).arg(-1).query::<Vec<String>>(c).unwrap()),
                "set" => {
                    let mut m: Vec<String> = redis::cmd("SMEMBERS").arg(&k).query(c).unwrap();
                    m.sort();
                    format!("{m:?}")
                }
                "zset" => format!(
                    "{:?}",
                    redis::cmd("ZRANGE").arg(&k).arg(0).arg(-1).arg("WITHSCORES").query::<Vec<String>>(c).unwrap()
                ),
                "hash" => {
                    let mut m: Vec<(String, String)> = redis::cmd("HGETALL").arg(&k).query(c).unwrap();
                    m.sort();
                    format!("{m:?}")
                }
                "stream" => {
                    format!("{:?}", redis::cmd("XRANGE").arg(&k).arg("-").arg("+").query::<redis::Value>(c).unwrap())
                }
                other => other.to_string(),
            };
            let ttl: i64 = redis::cmd("PTTL").arg(&k).query(c).unwrap();
            out.insert((db, k), format!("{t} {v} ttl={}", ttl > 0));
        }
    }
    redis::cmd("SELECT").arg(0).query::<()>(c).unwrap();
    out
}

/// A mixed workload over every type, with expiries, several databases
/// and commands Redis rewrites when it propagates them.
pub fn workload(c: &mut redis::Connection, n: usize) {
    for i in 0..n {
        let q = |args: &[String], c: &mut redis::Connection| {
            let mut cmd = redis::cmd(&args[0]);
            for a in &args[1..] {
                cmd.arg(a);
            }
            let _: redis::Value = cmd.query(c).unwrap();
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
        let i_s = i.to_string();
        q(&s(&["SET", &format!("str:{i}"), &i_s]), c);
        q(&s(&["SET", &format!("ttl:{i}"), "v", "EX", "1000"]), c);
        q(&s(&["SETEX", &format!("setex:{i}"), "500", "v"]), c);
        q(&s(&["INCRBYFLOAT", "float", "1.1"]), c);
        q(&s(&["RPUSH", &format!("list:{}", i % 7), &i_s, "x"]), c);
        q(&s(&["LPOP", &format!("list:{}", i % 7)]), c);
        q(&s(&["SADD", &format!("set:{}", i % 5), &i_s, "a", "b"]), c);
        q(&s(&["SPOP", &format!("set:{}", i % 5)]), c);
        q(&s(&["ZADD", &format!("zset:{}", i % 3), &i_s, &format!("m{i}")]), c);
        q(&s(&["HSET", &format!("hash:{}", i % 4), &format!("f{i}"), &i_s]), c);
        q(&s(&["HINCRBYFLOAT", "hf", "f", "0.5"]), c);
        q(&s(&["EXPIRE", &format!("str:{i}"), "3000"]), c);
        q(&s(&["XADD", "stream", "*", "i", &i_s]), c);
        q(&s(&["MSET", &format!("m1:{i}"), "1", &format!("m2:{i}"), "2"]), c);
        if i % 10 == 0 {
            q(&s(&["SELECT", "2"]), c);
            q(&s(&["SET", &format!("db2:{i}"), &i_s]), c);
            q(&s(&["SELECT", "0"]), c);
            q(&s(&["DEL", &format!("m1:{i}"), &format!("m2:{i}")]), c);
        }
    }
}
