//! The reference redis-server for tests that compare Clover with Redis:
//! the same commands go to both, replies (and stored bytes) must match.

use super::{free_port, Server};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The reference redis-server on a free loopback port, stopped by PID.
pub struct Reference {
    port: u16,
    child: Child,
}

impl Reference {
    pub fn start() -> Option<Reference> {
        Self::start_with(&[])
    }

    /// Starts it with `extra` arguments after the defaults.
    pub fn start_with(extra: &[&str]) -> Option<Reference> {
        let bin = "/usr/bin/redis-server";
        if !std::path::Path::new(bin).exists() {
            eprintln!("no {bin}: skipping the comparison");
            return None;
        }
        let port = free_port();
        let child = Command::new(bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let r = Reference { port, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut c) = redis::Client::open(r.url()).and_then(|c| c.get_connection()) {
                if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                    return Some(r);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url()).unwrap().get_connection().unwrap()
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        // SAFETY: SIGTERM to the child we started, by its PID.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// One command on a connection, the reply (or error) as comparable text.
pub fn run(c: &mut redis::Connection, args: &[&[u8]]) -> String {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    format!("{:?}", cmd.query::<redis::Value>(c))
}

/// A value's bytes (GET).
pub fn get(c: &mut redis::Connection, key: &str) -> Vec<u8> {
    redis::cmd("GET").arg(key).query::<Option<Vec<u8>>>(c).unwrap().unwrap_or_default()
}

/// A deterministic stream of pseudo-random numbers.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Both servers, each with a connection.
pub struct Pair {
    _ours: Server,
    _theirs: Reference,
    pub a: redis::Connection,
    pub b: redis::Connection,
}

impl Pair {
    pub fn start(shards: usize) -> Option<Pair> {
        Self::start_with(shards, &[])
    }

    /// Both servers with the same `extra` arguments.
    pub fn start_with(shards: usize, extra: &[&str]) -> Option<Pair> {
        let theirs = Reference::start_with(extra)?;
        let ours = Server::start(shards, extra);
        let (a, b) = (ours.conn(), theirs.conn());
        Some(Pair { _ours: ours, _theirs: theirs, a, b })
    }

    /// Runs a command on both; the replies must match. Returns ours.
    pub fn same(&mut self, args: &[&[u8]]) -> String {
        let (x, y) = (run(&mut self.a, args), run(&mut self.b, args));
        assert_eq!(x, y, "reply to {:?}", args.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>());
        x
    }

    /// The key's bytes must match.
    pub fn same_bytes(&mut self, key: &str) -> Vec<u8> {
        let (x, y) = (get(&mut self.a, key), get(&mut self.b, key));
        assert!(x == y, "bytes of {key} differ (ours {} bytes, Redis {} bytes)", x.len(), y.len());
        x
    }
}
