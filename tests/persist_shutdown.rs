//! SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE], SIGTERM/SIGINT (saving when save
//! points exist, refusing to exit on a failed save unless FORCE, with
//! Redis's log lines), and MISCONF after a failed BGSAVE.

mod common;

use common::{error_text, query, Server, TempDir};
use redis::Value;
use std::time::{Duration, Instant};

fn run_ok(c: &mut redis::Connection, args: &[&str]) {
    query::<Value>(c, args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
}

fn start(dir: &TempDir, extra: &[&str]) -> Server {
    let log = dir.join("clover.log").display().to_string();
    let mut args = vec!["--dir", dir.0.to_str().unwrap(), "--logfile", &log];
    args.extend_from_slice(extra);
    Server::start(2, &args)
}

fn log(dir: &TempDir) -> String {
    std::fs::read_to_string(dir.join("clover.log")).unwrap_or_default()
}

fn wait_log(dir: &TempDir, line: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log(dir).contains(line) {
        assert!(Instant::now() < deadline, "no '{line}' in the log:\n{}", log(dir));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A directory named like the RDB file makes the final rename fail (the
/// way Redis's tests break saving; permissions do not stop root).
fn break_saving(dir: &TempDir) {
    let _ = std::fs::remove_file(dir.join("dump.rdb"));
    std::fs::create_dir_all(dir.join("dump.rdb")).unwrap();
}

fn fix_saving(dir: &TempDir) {
    std::fs::remove_dir_all(dir.join("dump.rdb")).unwrap();
}

#[test]
fn shutdown_saves_with_save_points_and_not_with_nosave() {
    let dir = TempDir::new("shutdown-save");
    let mut s = start(&dir, &[]);
    run_ok(&mut s.conn(), &["SET", "a", "1"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN"]);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(dir.join("dump.rdb").exists());
    let l = log(&dir);
    for line in [
        "User requested shutdown...",
        "Saving the final RDB snapshot before exiting.",
        "DB saved on disk",
        "ready to exit, bye bye...",
    ] {
        assert!(l.contains(line), "no '{line}' in:\n{l}");
    }
    std::fs::remove_file(dir.join("dump.rdb")).unwrap();

    let mut s = start(&dir, &[]);
    run_ok(&mut s.conn(), &["SET", "a", "1"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN", "NOSAVE"]);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(!dir.join("dump.rdb").exists());

    // Without save points only SAVE saves.
    let mut s = start(&dir, &["--save", ""]);
    run_ok(&mut s.conn(), &["SET", "a", "1"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN", "NOW"]);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(!dir.join("dump.rdb").exists());
    let mut s = start(&dir, &["--save", ""]);
    run_ok(&mut s.conn(), &["SET", "a", "1"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN", "SAVE"]);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(dir.join("dump.rdb").exists());
}

#[test]
fn shutdown_refuses_to_exit_on_a_failed_save_unless_force() {
    let dir = TempDir::new("shutdown-fail");
    let mut s = start(&dir, &[]);
    let mut c = s.conn();
    run_ok(&mut c, &["SET", "a", "1"]);
    break_saving(&dir);
    assert_eq!(error_text(query(&mut c, &["SHUTDOWN"])), "ERR Errors trying to SHUTDOWN. Check logs.");
    assert!(log(&dir).contains("Error trying to save the DB, can't exit."));
    assert_eq!(query::<String>(&mut c, &["PING"]).unwrap(), "PONG");
    assert_eq!(error_text(query(&mut c, &["SHUTDOWN", "SAVE", "NOSAVE"])), "ERR syntax error");
    assert_eq!(error_text(query(&mut c, &["SHUTDOWN", "ABORT"])), "ERR No shutdown in progress.");
    // SIGTERM: the same refusal, the server keeps running.
    s.signal(libc::SIGTERM);
    wait_log(&dir, "Received SIGTERM scheduling shutdown...");
    let deadline = Instant::now() + Duration::from_secs(10);
    while log(&dir).matches("Error trying to save the DB, can't exit.").count() < 2 {
        assert!(Instant::now() < deadline, "{}", log(&dir));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(s.alive());
    assert_eq!(query::<String>(&mut c, &["PING"]).unwrap(), "PONG");
    let _ = query::<Value>(&mut c, &["SHUTDOWN", "FORCE"]);
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(log(&dir).contains("Error trying to save the DB. Exit anyway."));
}

#[test]
fn sigterm_and_sigint_save_before_exiting() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let dir = TempDir::new("sigterm");
        let mut s = start(&dir, &[]);
        run_ok(&mut s.conn(), &["SET", "a", "1"]);
        s.signal(sig);
        assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
        assert!(dir.join("dump.rdb").exists());
        assert!(log(&dir).contains("Saving the final RDB snapshot before exiting."));
        // shutdown-on-sigterm nosave: no file.
        std::fs::remove_file(dir.join("dump.rdb")).unwrap();
        let mut s = start(&dir, &["--shutdown-on-sigterm", "nosave", "--shutdown-on-sigint", "nosave"]);
        run_ok(&mut s.conn(), &["SET", "a", "1"]);
        s.signal(sig);
        assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(0));
        assert!(!dir.join("dump.rdb").exists());
    }
}

#[test]
fn misconf_after_a_failed_bgsave() {
    let dir = TempDir::new("misconf");
    let s = start(&dir, &[]);
    let mut c = s.conn();
    run_ok(&mut c, &["SET", "a", "1"]);
    break_saving(&dir);
    assert_eq!(query::<String>(&mut c, &["BGSAVE"]).unwrap(), "Background saving started");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
        if info.contains("rdb_last_bgsave_status:err") {
            break;
        }
        assert!(Instant::now() < deadline, "{info}");
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_log(&dir, "Background saving error");
    let misconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. \
                   Commands that may modify the data set are disabled, because this instance is configured to report \
                   errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check \
                   the Redis logs for details about the RDB error.";
    let mut raw = s.raw();
    assert_eq!(raw.call("SET a 2"), format!("-{misconf}\r\n"));
    assert_eq!(raw.call("PING"), format!("-{misconf}\r\n"));
    assert_eq!(raw.call("GET a"), "$1\r\n1\r\n");
    // Reads and writes again once the option is off, or a save succeeds.
    run_ok(&mut c, &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]);
    run_ok(&mut c, &["SET", "a", "3"]);
    run_ok(&mut c, &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"]);
    assert_eq!(raw.call("SET a 4"), format!("-{misconf}\r\n"));
    fix_saving(&dir);
    assert_eq!(query::<String>(&mut c, &["BGSAVE"]).unwrap(), "Background saving started");
    let deadline = Instant::now() + Duration::from_secs(10);
    while query::<Value>(&mut c, &["SET", "a", "5"]).is_err() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn shutdown_abort_cancels_a_held_signal() {
    let dir = TempDir::new("shutdown-abort");
    let mut s = start(&dir, &["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    run_ok(&mut c, &["DEBUG", "PAUSE-CRON", "1"]);
    s.signal(libc::SIGTERM);
    wait_log(&dir, "Received SIGTERM scheduling shutdown...");
    assert_eq!(query::<String>(&mut c, &["SHUTDOWN", "ABORT"]).unwrap(), "OK");
    wait_log(&dir, "Shutdown manually aborted.");
    run_ok(&mut c, &["DEBUG", "PAUSE-CRON", "0"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.alive());
    assert_eq!(query::<String>(&mut c, &["PING"]).unwrap(), "PONG");
}
