//! Closed-loop latency profile of a RESP server (clover or redis-server).
//!
//! Not a criterion bench: a small load generator built as a `harness = false`
//! bench target so it is compiled with the release profile. It opens CONNS
//! plain TCP connections (one thread each), sends GET/SET commands PIPELINE at
//! a time and waits for all replies before sending the next batch, records the
//! latency of every request (batch write to its reply) in an HDR histogram and
//! prints percentiles and throughput.
//!
//!   ADDR=127.0.0.1:7000 cargo bench --bench latency_profile
//!   ADDR=127.0.0.1:7000 COMMAND=set PIPELINE=16 CONNS=8 cargo bench --bench latency_profile
//!
//! Environment (defaults in brackets):
//!   ADDR [127.0.0.1:6379]  CONNS [4]  REQUESTS [200000] (total, all conns)
//!   PIPELINE [1]  VALUE_SIZE [16]  COMMAND [get]: get | set | mixed
//!   SET_PERCENT [20]: share of SETs when COMMAND=mixed
//!   KEYSPACE [100000]: keys are key:000000000000.. like redis-benchmark -r
//!   PREFILL [1 for get/mixed]: SET every key of KEYSPACE first (not measured)
//!   PREFILL_ONLY [0]: 1 = only fill the keyspace, then exit
//!   MAX_SECS [60]: stop measuring after this long, whatever was done
//!   IO_TIMEOUT_SECS [10]: a read or write stuck this long is an error
//!
//! Output ends with one machine-readable line:
//!   RESULT ops_per_sec=.. p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=.. requests=.. errors=..
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it does nothing,
//! so test runs never need a server.

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

// ------------------------------------------------------------------ config --

#[derive(Clone, Copy, Debug, PartialEq)]
enum Command {
    Get,
    Set,
    Mixed,
}

#[derive(Clone, Debug)]
struct Config {
    addr: String,
    conns: usize,
    requests: u64,
    pipeline: usize,
    value_size: usize,
    command: Command,
    set_percent: u64,
    keyspace: u64,
    prefill: bool,
    prefill_only: bool,
    max_secs: f64,
    io_timeout: Duration,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| format!("bad value for {name}: {v:?}")),
        _ => Ok(default),
    }
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let command = match env::var("COMMAND").unwrap_or_else(|_| "get".into()).to_ascii_lowercase().as_str() {
            "get" => Command::Get,
            "set" => Command::Set,
            "mixed" => Command::Mixed,
            other => return Err(format!("COMMAND must be get, set or mixed, not {other:?}")),
        };
        let cfg = Config {
            addr: env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into()),
            conns: env_or("CONNS", 4)?,
            requests: env_or("REQUESTS", 200_000)?,
            pipeline: env_or("PIPELINE", 1)?,
            value_size: env_or("VALUE_SIZE", 16)?,
            command,
            set_percent: env_or("SET_PERCENT", 20)?,
            keyspace: env_or("KEYSPACE", 100_000)?,
            prefill: env_or::<u8>("PREFILL", u8::from(command != Command::Set))? != 0,
            prefill_only: env_or::<u8>("PREFILL_ONLY", 0)? != 0,
            max_secs: env_or("MAX_SECS", 60.0)?,
            io_timeout: Duration::from_secs_f64(env_or("IO_TIMEOUT_SECS", 10.0)?),
        };
        if cfg.conns == 0 || cfg.conns > 1024 {
            return Err("CONNS must be 1..=1024".into());
        }
        if cfg.pipeline == 0 || cfg.pipeline > 100_000 {
            return Err("PIPELINE must be 1..=100000".into());
        }
        if cfg.requests == 0 || cfg.keyspace == 0 {
            return Err("REQUESTS and KEYSPACE must be > 0".into());
        }
        if cfg.set_percent > 100 {
            return Err("SET_PERCENT must be 0..=100".into());
        }
        if !cfg.max_secs.is_finite() || cfg.max_secs <= 0.0 {
            return Err("MAX_SECS must be > 0".into());
        }
        Ok(cfg)
    }
}

// ------------------------------------------------------------ RESP replies --

/// One reply, as far as a load generator needs to know it.
#[derive(Debug, PartialEq)]
enum Reply {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<Reply>),
    /// RESP3 double, boolean, big number, verbatim string: kept as text.
    Other(Vec<u8>),
}

/// A buffered reader of RESP2/RESP3 replies. Replies are parsed out of the
/// buffer in place; more bytes are read only when a reply is incomplete.
struct RespReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// Where parsing stopped: need more bytes, or the stream is not RESP.
enum Parse {
    Incomplete,
    Invalid(String),
}

impl<R: Read> RespReader<R> {
    fn new(inner: R) -> Self {
        RespReader { inner, buf: vec![0; 64 * 1024], start: 0, end: 0 }
    }

    /// Reads one complete reply, blocking as needed.
    fn read_reply(&mut self) -> io::Result<Reply> {
        loop {
            let mut pos = self.start;
            match parse_reply(&self.buf[..self.end], &mut pos, 0) {
                Ok(reply) => {
                    self.start = pos;
                    if self.start == self.end {
                        self.start = 0;
                        self.end = 0;
                    }
                    return Ok(reply);
                }
                Err(Parse::Invalid(msg)) => {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, msg));
                }
                Err(Parse::Incomplete) => self.fill()?,
            }
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let len = self.buf.len();
            self.buf.resize(len * 2, 0);
        }
        let n = self.inner.read(&mut self.buf[self.end..])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection"));
        }
        self.end += n;
        Ok(())
    }
}

/// The line at `*pos` without its CRLF; advances past the CRLF.
fn parse_line<'a>(buf: &'a [u8], pos: &mut usize) -> Result<&'a [u8], Parse> {
    let rest = &buf[*pos..];
    match rest.windows(2).position(|w| w == b"\r\n") {
        Some(i) => {
            *pos += i + 2;
            Ok(&rest[..i])
        }
        None if rest.len() > 64 * 1024 * 1024 => Err(Parse::Invalid("line too long".into())),
        None => Err(Parse::Incomplete),
    }
}

fn parse_int(line: &[u8]) -> Result<i64, Parse> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Parse::Invalid(format!("bad integer {:?}", String::from_utf8_lossy(line))))
}

/// Parses one reply starting at `*pos`; on success `*pos` is past it. On
/// `Incomplete`, `*pos` is meaningless and the caller retries from the start.
fn parse_reply(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Reply, Parse> {
    if depth > 64 {
        return Err(Parse::Invalid("replies nested too deep".into()));
    }
    let Some(&tag) = buf.get(*pos) else {
        return Err(Parse::Incomplete);
    };
    *pos += 1;
    match tag {
        b'+' => Ok(Reply::Simple(parse_line(buf, pos)?.to_vec())),
        b'-' => Ok(Reply::Error(parse_line(buf, pos)?.to_vec())),
        b':' => Ok(Reply::Integer(parse_int(parse_line(buf, pos)?)?)),
        b'_' => {
            parse_line(buf, pos)?;
            Ok(Reply::Nil)
        }
        b',' | b'#' | b'(' => Ok(Reply::Other(parse_line(buf, pos)?.to_vec())),
        b'$' | b'!' | b'=' => {
            let len = parse_int(parse_line(buf, pos)?)?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            let len = len as usize;
            if buf.len() < *pos + len + 2 {
                return Err(Parse::Incomplete);
            }
            if &buf[*pos + len..*pos + len + 2] != b"\r\n" {
                return Err(Parse::Invalid("bulk string not followed by CRLF".into()));
            }
            let data = buf[*pos..*pos + len].to_vec();
            *pos += len + 2;
            Ok(match tag {
                b'$' => Reply::Bulk(data),
                b'!' => Reply::Error(data),
                _ => Reply::Other(data),
            })
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n = parse_int(parse_line(buf, pos)?)?;
            if n < 0 {
                return Ok(Reply::Nil);
            }
            let n = if tag == b'%' { n as usize * 2 } else { n as usize };
            let mut items = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                items.push(parse_reply(buf, pos, depth + 1)?);
            }
            Ok(Reply::Array(items))
        }
        other => Err(Parse::Invalid(format!("unexpected reply type byte {:?}", other as char))),
    }
}

// --------------------------------------------------------------- requests --

fn push_bulk(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(arg.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(arg);
    out.extend_from_slice(b"\r\n");
}

fn push_key(out: &mut Vec<u8>, key: u64) {
    // Same names as redis-benchmark -r: key:%012d.
    push_bulk(out, format!("key:{key:012}").as_bytes());
}

fn push_get(out: &mut Vec<u8>, key: u64) {
    out.extend_from_slice(b"*2\r\n$3\r\nGET\r\n");
    push_key(out, key);
}

fn push_set(out: &mut Vec<u8>, key: u64, value: &[u8]) {
    out.extend_from_slice(b"*3\r\n$3\r\nSET\r\n");
    push_key(out, key);
    push_bulk(out, value);
}

/// xorshift64*: enough randomness for key choice, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn connect(cfg: &Config) -> Result<TcpStream, String> {
    let addrs: Vec<_> = cfg.addr.to_socket_addrs().map_err(|e| format!("cannot resolve {}: {e}", cfg.addr))?.collect();
    let mut last = String::from("no address");
    for a in addrs {
        match TcpStream::connect_timeout(&a, cfg.io_timeout) {
            Ok(s) => {
                s.set_nodelay(true).ok();
                s.set_read_timeout(Some(cfg.io_timeout)).ok();
                s.set_write_timeout(Some(cfg.io_timeout)).ok();
                return Ok(s);
            }
            Err(e) => last = format!("{a}: {e}"),
        }
    }
    Err(format!("cannot connect to {}: {last}", cfg.addr))
}

/// SETs every key of the keyspace, pipelined, before the measured run.
fn prefill(cfg: &Config, value: &[u8], deadline: Instant) -> Result<(), String> {
    let stream = connect(cfg)?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = RespReader::new(stream);
    let mut out = Vec::new();
    let batch = 1000u64;
    let mut key = 0;
    while key < cfg.keyspace {
        if Instant::now() > deadline {
            return Err("prefill did not finish within MAX_SECS".into());
        }
        let n = batch.min(cfg.keyspace - key);
        out.clear();
        for k in key..key + n {
            push_set(&mut out, k, value);
        }
        writer.write_all(&out).map_err(|e| format!("prefill write: {e}"))?;
        for _ in 0..n {
            let r = reader.read_reply().map_err(|e| format!("prefill read: {e}"))?;
            if let Reply::Error(e) = r {
                return Err(format!("prefill SET failed: {}", String::from_utf8_lossy(&e)));
            }
        }
        key += n;
    }
    Ok(())
}

// ----------------------------------------------------------------- workers --

#[derive(Default)]
struct Counts {
    done: u64,
    errors: u64,
    nils: u64,
    unexpected: u64,
    first_error: Option<String>,
    failure: Option<String>,
}

fn new_histogram() -> Histogram<u64> {
    // Nanoseconds, 1 ns .. 120 s, 3 significant digits.
    Histogram::new_with_bounds(1, 120_000_000_000, 3).expect("histogram bounds")
}

fn worker(
    cfg: &Config,
    id: usize,
    quota: u64,
    value: &[u8],
    start: &Barrier,
    stop: &AtomicBool,
    deadline: &Instant,
) -> (Histogram<u64>, Counts) {
    let mut hist = new_histogram();
    let mut counts = Counts::default();
    let stream = match connect(cfg) {
        Ok(s) => s,
        Err(e) => {
            counts.failure = Some(e);
            start.wait();
            return (hist, counts);
        }
    };
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(e) => {
            counts.failure = Some(e.to_string());
            start.wait();
            return (hist, counts);
        }
    };
    let mut reader = RespReader::new(stream);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((id as u64 + 1) * 0x1234_5678_9ABC_DEF1));
    let mut out = Vec::with_capacity(cfg.pipeline * (64 + value.len()));
    let mut kinds = Vec::with_capacity(cfg.pipeline);
    start.wait();

    while counts.done < quota && !stop.load(Ordering::Relaxed) {
        if Instant::now() >= *deadline {
            stop.store(true, Ordering::Relaxed);
            break;
        }
        let n = (cfg.pipeline as u64).min(quota - counts.done) as usize;
        out.clear();
        kinds.clear();
        for _ in 0..n {
            let key = rng.below(cfg.keyspace);
            let is_set = match cfg.command {
                Command::Get => false,
                Command::Set => true,
                Command::Mixed => rng.below(100) < cfg.set_percent,
            };
            if is_set {
                push_set(&mut out, key, value);
            } else {
                push_get(&mut out, key);
            }
            kinds.push(is_set);
        }
        let sent = Instant::now();
        if let Err(e) = writer.write_all(&out) {
            counts.failure = Some(format!("write: {e}"));
            break;
        }
        for &is_set in &kinds {
            let reply = match reader.read_reply() {
                Ok(r) => r,
                Err(e) => {
                    counts.failure = Some(format!("read: {e}"));
                    break;
                }
            };
            let ns = sent.elapsed().as_nanos().min(u64::MAX as u128) as u64;
            hist.saturating_record(ns.max(1));
            counts.done += 1;
            match (&reply, is_set) {
                (Reply::Error(e), _) => {
                    counts.errors += 1;
                    if counts.first_error.is_none() {
                        counts.first_error = Some(String::from_utf8_lossy(e).into_owned());
                    }
                }
                (Reply::Simple(s), true) if s == b"OK" => {}
                (Reply::Bulk(_), false) => {}
                (Reply::Nil, false) => counts.nils += 1,
                _ => {
                    counts.unexpected += 1;
                    if counts.first_error.is_none() {
                        counts.first_error = Some(format!("unexpected reply {reply:?}"));
                    }
                }
            }
        }
        if counts.failure.is_some() {
            break;
        }
    }
    if counts.failure.is_some() {
        stop.store(true, Ordering::Relaxed);
    }
    (hist, counts)
}

// -------------------------------------------------------------------- main --

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

fn run(cfg: Config) -> Result<(), String> {
    let value = vec![b'x'; cfg.value_size];
    let begin = Instant::now();
    let deadline = begin + Duration::from_secs_f64(cfg.max_secs);
    println!(
        "latency_profile: addr={} command={:?} conns={} pipeline={} value_size={} requests={} keyspace={}",
        cfg.addr, cfg.command, cfg.conns, cfg.pipeline, cfg.value_size, cfg.requests, cfg.keyspace
    );
    if cfg.prefill || cfg.prefill_only {
        let t = Instant::now();
        prefill(&cfg, &value, deadline)?;
        println!("prefill: {} keys in {:.2} s (not measured)", cfg.keyspace, t.elapsed().as_secs_f64());
    }

    let cfg = Arc::new(cfg);
    let value = Arc::new(value);
    let start = Arc::new(Barrier::new(cfg.conns + 1));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for id in 0..cfg.conns {
        let quota = cfg.requests / cfg.conns as u64 + u64::from((id as u64) < cfg.requests % cfg.conns as u64);
        let (cfg, value, start, stop) = (cfg.clone(), value.clone(), start.clone(), stop.clone());
        handles.push(thread::spawn(move || worker(&cfg, id, quota, &value, &start, &stop, &deadline)));
    }
    start.wait();
    let t0 = Instant::now();

    let mut hist = new_histogram();
    let mut total = Counts::default();
    for h in handles {
        let (h, c) = h.join().map_err(|_| "worker thread panicked".to_string())?;
        hist.add(&h).map_err(|e| format!("histogram merge: {e:?}"))?;
        total.done += c.done;
        total.errors += c.errors;
        total.nils += c.nils;
        total.unexpected += c.unexpected;
        total.first_error = total.first_error.or(c.first_error);
        total.failure = total.failure.or(c.failure);
    }
    let secs = t0.elapsed().as_secs_f64();
    let ops = total.done as f64 / secs.max(1e-9);

    if let Some(f) = &total.failure {
        eprintln!("latency_profile: connection failure: {f}");
    }
    if total.done < cfg.requests && total.failure.is_none() {
        eprintln!(
            "latency_profile: stopped after MAX_SECS={} with {} of {} requests",
            cfg.max_secs, total.done, cfg.requests
        );
    }
    println!(
        "requests {} in {:.3} s: {:.0} ops/s   errors {}  nil {}  unexpected {}",
        total.done, secs, ops, total.errors, total.nils, total.unexpected
    );
    if let Some(e) = &total.first_error {
        println!("first error: {e}");
    }
    if total.done == 0 {
        return Err(total.failure.unwrap_or_else(|| "no request completed".into()));
    }
    let q = |p: f64| us(hist.value_at_quantile(p));
    println!(
        "latency us: p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1}  mean {:.1}",
        q(0.50),
        q(0.90),
        q(0.99),
        q(0.999),
        us(hist.max()),
        hist.mean() / 1000.0
    );
    println!(
        "RESULT ops_per_sec={:.0} p50_us={:.1} p90_us={:.1} p99_us={:.1} p999_us={:.1} max_us={:.1} requests={} errors={}",
        ops,
        q(0.50),
        q(0.90),
        q(0.99),
        q(0.999),
        us(hist.max()),
        total.done,
        total.errors + total.unexpected
    );
    match total.failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

fn main() -> ExitCode {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not, and
    // there is no server to talk to then.
    if !env::args().any(|a| a == "--bench") {
        // libtest does not run #[test]s in a harness = false target, so the
        // RESP reader is checked here instead.
        checks::run_all();
        println!(
            "latency_profile: RESP reader checks ok; this is a load generator, \
             run it with `cargo bench --bench latency_profile`"
        );
        return ExitCode::SUCCESS;
    }
    let cfg = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latency_profile: {e}");
            return ExitCode::from(2);
        }
    };
    match run(cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latency_profile: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks of the reply reader and the command encoder. They run when the
/// target is executed without `--bench` (e.g. `cargo test --benches`).
mod checks {
    use super::*;

    pub fn run_all() {
        parses_reply_types();
        bulk_with_crlf_inside();
        rejects_garbage();
        encodes_commands();
        resp3_types();
    }

    fn parse_all(bytes: &[u8]) -> Vec<Reply> {
        // Feed one byte at a time to exercise the incomplete paths.
        struct Drip<'a>(&'a [u8]);
        impl Read for Drip<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let mut r = RespReader::new(Drip(bytes));
        let mut v = Vec::new();
        while let Ok(x) = r.read_reply() {
            v.push(x);
        }
        v
    }

    fn parses_reply_types() {
        let got =
            parse_all(b"+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n*2\r\n$1\r\na\r\n:1\r\n*-1\r\n_\r\n");
        assert_eq!(
            got,
            vec![
                Reply::Simple(b"OK".to_vec()),
                Reply::Error(b"ERR bad".to_vec()),
                Reply::Integer(42),
                Reply::Bulk(b"hello".to_vec()),
                Reply::Nil,
                Reply::Bulk(Vec::new()),
                Reply::Array(vec![Reply::Bulk(b"a".to_vec()), Reply::Integer(1)]),
                Reply::Nil,
                Reply::Nil,
            ]
        );
    }

    fn bulk_with_crlf_inside() {
        assert_eq!(parse_all(b"$4\r\na\r\nb\r\n"), vec![Reply::Bulk(b"a\r\nb".to_vec())]);
    }

    fn rejects_garbage() {
        let mut pos = 0;
        assert!(matches!(parse_reply(b"?x\r\n", &mut pos, 0), Err(Parse::Invalid(_))));
    }

    fn resp3_types() {
        assert_eq!(
            parse_all(b",1.5\r\n#t\r\n%1\r\n+a\r\n:1\r\n!3\r\nERR\r\n=7\r\ntxt:abc\r\n"),
            vec![
                Reply::Other(b"1.5".to_vec()),
                Reply::Other(b"t".to_vec()),
                Reply::Array(vec![Reply::Simple(b"a".to_vec()), Reply::Integer(1)]),
                Reply::Error(b"ERR".to_vec()),
                Reply::Other(b"txt:abc".to_vec()),
            ]
        );
    }

    fn encodes_commands() {
        let mut out = Vec::new();
        push_set(&mut out, 7, b"vv");
        push_get(&mut out, 7);
        assert_eq!(
            out,
            b"*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$2\r\nvv\r\n*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n"
                .to_vec()
        );
    }
}
