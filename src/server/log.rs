//! Logging in Redis's line format: `pid:role dd Mon yyyy hh:mm:ss.mmm * text`,
//! to the logfile or standard output, filtered by loglevel.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// Log levels, as the loglevel directive names them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

impl Level {
    pub fn parse(s: &str) -> Level {
        match s {
            "debug" => Level::Debug,
            "verbose" => Level::Verbose,
            "warning" => Level::Warning,
            _ => Level::Notice,
        }
    }

    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Notice as u8);
static LOGFILE: OnceLock<String> = OnceLock::new();

/// Sets where log lines go ("" = standard output) and the level.
pub fn init(logfile: &str, level: Level) {
    let _ = LOGFILE.set(logfile.to_string());
    set_level(level);
}

pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Writes one log line at `level`.
pub fn log(level: Level, text: &str) {
    if (level as u8) < LEVEL.load(Ordering::Relaxed) {
        return;
    }
    let line = format!("{}:M {} {} {}\n", std::process::id(), timestamp(), level.mark(), text);
    write_raw(&line);
}

/// Writes text to the log as it is (the start-up banner).
pub fn write_raw(text: &str) {
    let file = LOGFILE.get().map(String::as_str).unwrap_or("");
    if file.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    } else if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(file) {
        let _ = f.write_all(text.as_bytes());
    }
}

/// "22 Nov 2026 22:43:57.123" in local time.
fn timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r fills the tm we own from a valid time_t.
    unsafe { libc::localtime_r(&secs, &mut tm) };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

#[macro_export]
macro_rules! notice {
    ($($arg:tt)*) => { $crate::server::log::log($crate::server::log::Level::Notice, &format!($($arg)*)) };
}

#[macro_export]
macro_rules! warning {
    ($($arg:tt)*) => { $crate::server::log::log($crate::server::log::Level::Warning, &format!($($arg)*)) };
}

#[macro_export]
macro_rules! verbose {
    ($($arg:tt)*) => { $crate::server::log::log($crate::server::log::Level::Verbose, &format!($($arg)*)) };
}
