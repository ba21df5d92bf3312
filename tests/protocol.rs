//! Wire-level behaviour: RESP2/RESP3, inline commands, pipelining order and
//! every kind of malformed input, checked byte for byte over raw TCP.

mod common;
use common::Server;

#[test]
fn inline_and_multibulk() {
    let s = Server::start(2, &[]);
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"PING\r\n", 7), "+PONG\r\n");
    assert_eq!(r.roundtrip(b"set  \"a b\"   'c d'\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"*2\r\n$3\r\nGET\r\n$3\r\na b\r\n", 9), "$3\r\nc d\r\n");
    // Blank lines and empty multibulks are ignored.
    assert_eq!(r.roundtrip(b"\r\n*0\r\nECHO x\r\n", 7), "$1\r\nx\r\n");
}

/// A pipeline of `n` steps, each `step(i)` giving its requests and the
/// replies they must get: the whole request and the whole expected reply.
fn pipeline(n: usize, step: impl Fn(usize) -> (String, String)) -> (Vec<u8>, String) {
    let mut req = Vec::new();
    let mut expected = String::new();
    for i in 0..n {
        let (request, reply) = step(i);
        req.extend_from_slice(request.as_bytes());
        expected.push_str(&reply);
    }
    (req, expected)
}

#[test]
fn pipelined_replies_keep_request_order_across_shards() {
    let s = Server::start(4, &[]);
    let mut r = s.raw();
    let (req, expected) = pipeline(500, |i| {
        (
            format!("SET key:{i} {i}\r\nGET key:{i}\r\nPING\r\n"),
            format!("+OK\r\n${}\r\n{i}\r\n+PONG\r\n", i.to_string().len()),
        )
    });
    assert_eq!(r.roundtrip(&req, expected.len()), expected);
}

/// More than the query buffer and more than one turn reads (256 KiB):
/// 1 KiB values, every reply in order.
#[test]
fn a_pipeline_larger_than_the_read_buffer_is_answered_in_order() {
    let s = Server::start(2, &[]);
    let mut r = s.raw();
    let (req, expected) = pipeline(400, |i| {
        let value = format!("{i:04}").repeat(256);
        let request = format!(
            "*3\r\n$3\r\nSET\r\n$6\r\nk:{i:04}\r\n$1024\r\n{value}\r\n*2\r\n$3\r\nGET\r\n$6\r\nk:{:04}\r\n",
            i / 2
        );
        (request, format!("+OK\r\n$1024\r\n{}\r\n", format!("{:04}", i / 2).repeat(256)))
    });
    assert!(req.len() > 400_000);
    // Sent from another thread, so that replies are read while requests
    // are still going out.
    let mut w = r.s.try_clone().unwrap();
    let sender = std::thread::spawn(move || std::io::Write::write_all(&mut w, &req));
    assert_eq!(String::from_utf8_lossy(&r.read_n(expected.len())), expected);
    sender.join().unwrap().unwrap();
}

/// A reply the socket cannot take in one write (a client that does not
/// read for a while) is finished later, whole, and the shard meanwhile
/// serves other clients.
#[test]
fn a_reply_larger_than_the_socket_takes_arrives_whole() {
    let s = Server::start(1, &[]);
    // 32 MiB: more than the server's send buffer and the client's receive
    // buffer can hold together, however far the kernel grows them.
    let value = "0123456789abcdef".repeat(1 << 21);
    let mut set = format!("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${}\r\n", value.len()).into_bytes();
    set.extend_from_slice(value.as_bytes());
    set.extend_from_slice(b"\r\n");
    let mut r = s.raw();
    assert_eq!(r.roundtrip(&set, 5), "+OK\r\n");
    std::io::Write::write_all(&mut r.s, b"GET big\r\nPING\r\n").unwrap();
    // Not read yet: the server is left with most of the reply to write.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(s.raw().roundtrip(b"PING\r\n", 7), "+PONG\r\n");
    let expected = format!("${}\r\n{value}\r\n+PONG\r\n", value.len());
    assert_eq!(String::from_utf8_lossy(&r.read_n(expected.len())), expected);
}

#[test]
fn resp3_hello_and_types() {
    let s = Server::start(2, &[]);
    let mut r = s.raw();
    r.send(b"HELLO 3\r\n");
    let hello = String::from_utf8_lossy(&r.read_n(60)).into_owned();
    assert!(hello.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), "{hello}");
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"HELLO 3\r\n", 0), "");
    let _ = r.read_n(100);
    assert_eq!(r.roundtrip(b"GET nokey\r\n", 3), "_\r\n");
    let mut r2 = s.raw();
    assert_eq!(r2.roundtrip(b"GET nokey\r\n", 5), "$-1\r\n");
    assert_eq!(r2.roundtrip(b"HELLO 4\r\n", 38), "-NOPROTO unsupported protocol version\r\n");
}

#[test]
fn protocol_errors_reply_then_close() {
    let s = Server::start(2, &[]);
    let cases: &[(&[u8], &str)] = &[
        (b"*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"),
        (b"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"set \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"),
    ];
    for (req, want) in cases {
        let mut r = s.raw();
        assert_eq!(r.roundtrip(req, want.len()), *want);
        assert!(r.closed(), "connection must close after {want}");
    }
    // A command before the bad one is still answered.
    let mut r = s.raw();
    let want = "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n";
    assert_eq!(r.roundtrip(b"PING\r\n*abc\r\n", want.len()), want);
    let mut c = s.conn();
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn oversized_inputs() {
    let s = Server::start(1, &["--proto-max-bulk-len", "1048576", "--client-query-buffer-limit", "1048576"]);
    let big = Server::start(1, &["--proto-max-bulk-len", "8388608", "--client-query-buffer-limit", "1048576"]);
    let mut r = s.raw();
    let want = "-ERR Protocol error: invalid bulk length\r\n";
    assert_eq!(r.roundtrip(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$2000000\r\n", want.len()), want);
    // An inline request without newline past 64 KiB.
    let mut r = s.raw();
    let want = "-ERR Protocol error: too big inline request\r\n";
    assert_eq!(r.roundtrip(&vec![b'a'; 70 * 1024], want.len()), want);
    // A query buffer over client-query-buffer-limit disconnects the client.
    let mut r = big.raw();
    r.send(b"*2\r\n$4\r\nECHO\r\n$4000000\r\n");
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..20 {
        if std::io::Write::write_all(&mut r.s, &chunk).is_err() {
            break;
        }
    }
    assert!(r.read_n(1).is_empty(), "client over the query buffer limit is closed without a reply");
}

#[test]
fn command_errors() {
    let s = Server::start(2, &[]);
    let mut r = s.raw();
    let want = "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n";
    assert_eq!(r.roundtrip(b"NOSUCH a b\r\n", want.len()), want);
    let want = "-ERR wrong number of arguments for 'get' command\r\n";
    assert_eq!(r.roundtrip(b"GET\r\n", want.len()), want);
    let want = "-ERR value is not an integer or out of range\r\n";
    assert_eq!(r.roundtrip(b"INCRBY a notanumber\r\n", want.len()), want);
    let want = "-ERR syntax error\r\n";
    assert_eq!(r.roundtrip(b"SET a b NX XX\r\n", want.len()), want);
    let want = "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n";
    assert_eq!(r.roundtrip(b"CONFIG nope\r\n", want.len()), want);
    // The connection is still usable.
    assert_eq!(r.roundtrip(b"PING\r\n", 7), "+PONG\r\n");
}

#[test]
fn quit_closes_after_reply() {
    let s = Server::start(1, &[]);
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"QUIT\r\n", 5), "+OK\r\n");
    assert!(r.closed());
}
