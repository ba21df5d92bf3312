//! Test support: starts the real `clover` binary on a free loopback port and
//! stops it (by PID) when the test ends.

#![allow(dead_code)]

pub mod reference;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server started for one test.
pub struct Server {
    pub port: u16,
    child: Child,
    pub dir: std::path::PathBuf,
}

/// A port nobody listens on right now (nor on port + 10000).
pub fn free_port() -> u16 {
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let p = l.local_addr().unwrap().port();
        if p < 55000 && TcpListener::bind(("127.0.0.1", p + 10000)).is_ok() {
            return p;
        }
    }
}

impl Server {
    /// Starts clover with `--shards shards` and extra arguments.
    pub fn start(shards: usize, extra: &[&str]) -> Server {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("clover-test-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--shards".into(),
            shards.to_string(),
            "--dir".into(),
            dir.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::start_with_args(port, dir, &args)
    }

    /// Starts clover with exactly `args` (which must make it listen on `port`).
    pub fn start_with_args(port: u16, dir: std::path::PathBuf, args: &[String]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_clover"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start clover");
        let s = Server { port, child, dir };
        s.wait_ready();
        s
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut c) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                if c.write_all(b"PING\r\n").is_ok() {
                    let mut buf = [0u8; 64];
                    if let Ok(n) = c.read(&mut buf) {
                        // A server still loading its data answers LOADING.
                        if n > 0 && !buf[..n].starts_with(b"-LOADING") {
                            return;
                        }
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("clover did not answer PING on port {}", self.port);
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection with the `redis` crate.
    pub fn conn(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).unwrap();
        let c = client.get_connection().expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c
    }

    /// A raw TCP connection.
    pub fn raw(&self) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Raw { s }
    }

    /// Runs redis-cli against the server and returns its stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .arg("-p")
            .arg(self.port.to_string())
            .args(args)
            .output()
            .expect("run redis-cli (apt-get install redis-tools)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_none()).unwrap_or(false)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends signal `sig` to the server.
    pub fn signal(&self, sig: i32) {
        // SAFETY: a signal to the child this test started, by its PID.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// Waits up to `limit` for the process to exit; its exit code (None:
    /// still running, or killed by a signal).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Replays `(command, RESP2 reply, RESP3 reply)` cases recorded from the
/// real redis-server on a RESP2 and a RESP3 connection of a fresh server
/// with `shards` shards; every reply must match byte for byte.
pub fn replay(shards: usize, cases: &[(&str, &str, &str)]) {
    let s = Server::start(shards, &[]);
    let mut r2 = s.raw();
    let mut r3 = s.raw();
    r3.call("HELLO 3");
    for (line, want2, want3) in cases {
        assert_eq!(r2.call(line), *want2, "RESP2: {line}");
        assert_eq!(r3.call(line), *want3, "RESP3: {line}");
    }
}

/// A raw socket to send exact bytes and read exact replies.
pub struct Raw {
    pub s: TcpStream,
}

impl Raw {
    pub fn send(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    /// Reads until `n` bytes arrived, or the peer closed, or 5 s passed.
    pub fn read_n(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while out.len() < n {
            match self.s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => out.extend_from_slice(&buf[..k]),
            }
        }
        out
    }

    /// Switches the connection to RESP3 (HELLO 3) and reads HELLO's reply,
    /// which ends with the empty modules list.
    pub fn hello3(&mut self) {
        self.send(b"HELLO 3\r\n");
        let mut hello = Vec::new();
        while !hello.ends_with(b"modules\r\n*0\r\n") && hello.len() < 4096 {
            let byte = self.read_n(1);
            assert!(!byte.is_empty(), "HELLO 3 reply ended early: {}", String::from_utf8_lossy(&hello));
            hello.extend(byte);
        }
    }

    /// Sends `req` and returns exactly `expected.len()` bytes of reply.
    pub fn roundtrip(&mut self, req: &[u8], expected_len: usize) -> String {
        self.send(req);
        String::from_utf8_lossy(&self.read_n(expected_len)).into_owned()
    }

    /// Sends one command (words split on spaces) and returns its complete
    /// reply, exactly as the server wrote it.
    pub fn call(&mut self, line: &str) -> String {
        let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
        let mut req = format!("*{}\r\n", words.len());
        for w in &words {
            req.push_str(&format!("${}\r\n{}\r\n", w.len(), w));
        }
        self.send(req.as_bytes());
        let mut out = Vec::new();
        self.read_reply(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Reads one byte at a time (replies are small) up to a CRLF.
    fn read_line(&mut self, out: &mut Vec<u8>) -> String {
        let start = out.len();
        let mut b = [0u8; 1];
        while !out.ends_with(b"\r\n") || out.len() == start {
            match self.s.read(&mut b) {
                Ok(1) => out.push(b[0]),
                _ => break,
            }
        }
        String::from_utf8_lossy(&out[start..]).trim_end().to_string()
    }

    /// Reads one complete RESP2/RESP3 reply into `out`.
    fn read_reply(&mut self, out: &mut Vec<u8>) {
        let line = self.read_line(out);
        let (kind, rest) = line.split_at(line.len().min(1));
        let n: i64 = rest.parse().unwrap_or(-1);
        match kind {
            "$" | "=" if n >= 0 => {
                let mut body = vec![0u8; n as usize + 2];
                if self.s.read_exact(&mut body).is_ok() {
                    out.extend_from_slice(&body);
                }
            }
            "*" | "~" | ">" | "%" if n >= 0 => {
                let items = if kind == "%" { 2 * n } else { n };
                for _ in 0..items {
                    self.read_reply(out);
                }
            }
            _ => {}
        }
    }

    /// Whether the server closed the connection (read returns 0).
    pub fn closed(&mut self) -> bool {
        let mut buf = [0u8; 16];
        matches!(self.s.read(&mut buf), Ok(0))
    }
}

/// Sends `args` as one command and reads the reply as `T`.
pub fn query<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&str]) -> redis::RedisResult<T> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c)
}

/// The code and text of an error reply, as "CODE detail".
pub fn error_text(r: redis::RedisResult<redis::Value>) -> String {
    let e = r.expect_err("an error reply");
    format!("{} {}", e.code().unwrap_or(""), e.detail().unwrap_or(""))
}

/// An integer reply (panics on anything else).
pub fn int(c: &mut redis::Connection, args: &[&str]) -> i64 {
    query(c, args).unwrap()
}

/// OBJECT ENCODING of `key`.
pub fn encoding(c: &mut redis::Connection, key: &str) -> String {
    query(c, &["OBJECT", "ENCODING", key]).unwrap()
}

/// A directory of a test's own under the system temp dir, removed (with
/// what the test left in it) when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("clover-{name}-{}-{}", std::process::id(), free_port()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    /// The path as a string, for `--dir`.
    pub fn arg(&self) -> String {
        self.0.display().to_string()
    }

    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
