//! Reading configuration the way redis-server does: the command line
//! (`[file] [--name value ...] [-]`, turned into extra configuration lines),
//! configuration files (comments, "double" and 'single' quoting with
//! sdssplitargs's escapes, `include` with wildcards), and the fatal error
//! texts, byte for byte, that Redis prints when something is wrong.

use std::path::{Path, PathBuf};

use super::directives::{Special, DIRECTIVES, MULTI_ARG};
use super::value::{cstr, strerror, SaveMode, Value};
use super::{Config, RenameCommand};
pub use crate::util::args::{repr, split_args};
use crate::util::glob::glob_match;

/// The Redis version Clover reports in configuration errors.
pub const REDIS_VERSION: &str = "7.0.15";

/// Includes nested deeper than this fail instead of recursing forever
/// (Redis itself would run out of stack).
const MAX_INCLUDE_DEPTH: usize = 32;

/// Directives Redis 7.0 still accepts in files, with exactly one argument,
/// and ignores.
const DEPRECATED: &[&str] = &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// Redis's `sdstrim`: drops bytes of `set` from both ends.
pub fn trim<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !set.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !set.contains(c)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Redis's `getAbsolutePath`: joins a relative name to the working
/// directory, folding leading "../" elements (no symlink resolution).
pub fn absolute_path(name: &str) -> String {
    let rel = String::from_utf8_lossy(trim(name.as_bytes(), b" \r\n\t")).into_owned();
    if rel.starts_with('/') {
        return rel;
    }
    let Ok(cwd) = std::env::current_dir() else {
        return rel;
    };
    let mut abs = cwd.to_string_lossy().into_owned();
    if !abs.ends_with('/') {
        abs.push('/');
    }
    let mut rel = rel.as_str();
    while let Some(rest) = rel.strip_prefix("../") {
        rel = rest;
        if abs.len() > 1 {
            // Drop the last path element, keeping its leading '/'.
            let body = &abs[..abs.len() - 1];
            if let Some(slash) = body.rfind('/') {
                abs.truncate(slash + 1);
            }
        }
    }
    abs.push_str(rel);
    abs
}

/// The text Redis prints when the configuration cannot be loaded; with a
/// line number and the offending line when the error is tied to one.
/// (Redis writes it to stderr followed by a newline.)
pub fn fatal_error(line: Option<(usize, &[u8])>, reason: &str) -> String {
    let mut s = format!("\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n");
    if let Some((n, text)) = line {
        s.push_str(&format!("Reading the configuration file, at line {n}\n>>> '{}'\n", String::from_utf8_lossy(text)));
    }
    s.push_str(reason);
    s
}

/// What redis-server makes of its command line: the configuration file
/// (made absolute), whether to read stdin, and the `--options` rewritten
/// as configuration lines.
pub struct CommandLine {
    pub file: Option<String>,
    pub stdin: bool,
    pub options: Vec<u8>,
}

/// Turns `args` (without the program name) into a [`CommandLine`]: a first
/// argument not starting with '-' is the file; `--name` starts a line and
/// the following arguments are its (quoted) values; `-` as the first or
/// last argument reads stdin; `--save` with no value means `save ""`.
pub fn command_line(args: &[String]) -> CommandLine {
    let mut cl = CommandLine { file: None, stdin: false, options: Vec::new() };
    let mut j = 0;
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            cl.file = Some(absolute_path(first));
            j = 1;
        }
    }
    let last = args.len().saturating_sub(1);
    let mut handled_last = true;
    while j < args.len() {
        let a = args[j].as_bytes();
        if a == b"-" && (j == 0 || j == last) {
            cl.stdin = true;
        } else if handled_last && a.starts_with(b"--") {
            if !cl.options.is_empty() {
                cl.options.push(b'\n');
            }
            cl.options.extend_from_slice(&a[2..]);
            cl.options.push(b' ');
            let tokens = split_args(a).map_or(0, |t| t.len());
            if tokens == 1 {
                handled_last = false;
                let next_is_option = j != last && args[j + 1].starts_with("--");
                let is_save = a.eq_ignore_ascii_case(b"--save");
                let is_sentinel = a.eq_ignore_ascii_case(b"--sentinel");
                if next_is_option && is_save {
                    cl.options.extend_from_slice(b"\"\"");
                    handled_last = true;
                } else if j == last && is_save {
                    cl.options.extend_from_slice(b"\"\"");
                } else if next_is_option && is_sentinel {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            cl.options.extend_from_slice(&repr(a));
            cl.options.push(b' ');
            handled_last = true;
        }
        j += 1;
    }
    cl
}

/// Reads a configuration source: one file, or every file a wildcard
/// pattern matches (none is fine). `shown` is the name used in errors.
pub fn read_source(path: &Path, shown: &str) -> Result<Vec<u8>, String> {
    let text = path.to_string_lossy();
    if text.contains(['*', '?', '[']) {
        let mut content = Vec::new();
        for p in expand_glob(path) {
            content.extend(read_one(&p, &p.to_string_lossy())?);
        }
        return Ok(content);
    }
    read_one(path, shown)
}

fn read_one(path: &Path, shown: &str) -> Result<Vec<u8>, String> {
    match std::fs::read(path) {
        Ok(c) => Ok(c),
        // fopen() succeeds on a directory; reading it just yields nothing.
        Err(_) if path.is_dir() => Ok(Vec::new()),
        Err(e) => Err(format!("Fatal error, can't open config file '{shown}': {}", strerror(&e))),
    }
}

/// A small glob(3): wildcards in any path element, hidden names only when
/// the element starts with '.', results sorted, only existing paths.
fn expand_glob(pattern: &Path) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let mut current: Vec<PathBuf> = vec![if pattern.is_absolute() { PathBuf::from("/") } else { PathBuf::new() }];
    for comp in pattern.iter() {
        let c = comp.as_bytes();
        if c == b"/" {
            continue;
        }
        let wild = c.iter().any(|b| matches!(b, b'*' | b'?' | b'['));
        let mut next = Vec::new();
        for dir in &current {
            if !wild {
                next.push(dir.join(comp));
                continue;
            }
            let listing = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
            let Ok(entries) = std::fs::read_dir(listing) else { continue };
            let mut names: Vec<std::ffi::OsString> = entries
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .filter(|n| {
                    let n = n.as_bytes();
                    (!n.starts_with(b".") || c.starts_with(b".")) && glob_match(c, n, false)
                })
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        current = next;
    }
    let mut found: Vec<PathBuf> = current.into_iter().filter(|p| p.symlink_metadata().is_ok()).collect();
    found.sort();
    found
}

/// Applies configuration text to a [`Config`], with the state Redis keeps
/// while reading files.
pub struct Loader<'a> {
    pub cfg: &'a mut Config,
    /// True while a file's lines are being applied (Redis's
    /// `reading_config_file`); it drops to false after an `include`.
    reading: bool,
    /// The first `save` line read from files replaces the defaults, the
    /// following ones add to it.
    save_loaded: bool,
    depth: usize,
}

impl<'a> Loader<'a> {
    pub fn new(cfg: &'a mut Config) -> Loader<'a> {
        Loader { cfg, reading: false, save_loaded: false, depth: 0 }
    }

    /// Redis's loadServerConfigFromString.
    pub fn load_string(&mut self, text: &[u8]) -> Result<(), String> {
        self.reading = true;
        let lines: Vec<&[u8]> = if text.is_empty() { Vec::new() } else { text.split(|&c| c == b'\n').collect() };
        for (i, raw) in lines.iter().enumerate() {
            let line = cstr(trim(raw, b" \t\r\n"));
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            self.line(i + 1, line).map_err(|e| match e {
                LineError::Reason(r) => fatal_error(Some((i + 1, line)), &r),
                LineError::Done(text) => text,
            })?;
        }
        self.after_load()?;
        self.reading = false;
        Ok(())
    }

    fn line(&mut self, linenum: usize, line: &[u8]) -> Result<(), LineError> {
        let reason = |r: &str| LineError::Reason(r.to_string());
        let Some(mut argv) = split_args(line) else {
            return Err(reason("Unbalanced quotes in configuration line"));
        };
        if argv.is_empty() {
            return Ok(());
        }
        argv[0].make_ascii_lowercase();
        let argc = argv.len();
        if let Some((idx, _)) = super::lookup(&argv[0]) {
            let d = &DIRECTIVES[idx];
            if !d.has(MULTI_ARG) && argc != 2 {
                return Err(reason("wrong number of arguments"));
            }
            let resplit;
            let args: Vec<&[u8]> = if d.has(MULTI_ARG) && argc == 2 && !argv[1].is_empty() {
                resplit = split_args(&argv[1]).unwrap_or_default();
                resplit.iter().map(Vec::as_slice).collect()
            } else {
                argv[1..].iter().map(Vec::as_slice).collect()
            };
            let mode = if d.kind == super::directives::Kind::Special(Special::Save) && self.reading && self.save_loaded
            {
                SaveMode::Append
            } else {
                if d.kind == super::directives::Kind::Special(Special::Save) && self.reading {
                    self.save_loaded = true;
                }
                SaveMode::Replace
            };
            self.cfg.set_index(idx, &args, mode).map_err(LineError::Reason)?;
            return Ok(());
        }
        let name = argv[0].as_slice();
        if argc == 2 && DEPRECATED.iter().any(|d| d.as_bytes() == name) {
            return Ok(());
        }
        match name {
            b"include" if argc == 2 => {
                if self.depth >= MAX_INCLUDE_DEPTH {
                    return Err(reason("Too many nested include directives"));
                }
                self.include(&argv[1]).map_err(LineError::Done)?;
                self.reading = false;
            }
            b"rename-command" if argc == 3 => self.cfg.rename_commands.push(RenameCommand {
                from: String::from_utf8_lossy(&argv[1]).into_owned(),
                to: String::from_utf8_lossy(&argv[2]).into_owned(),
                line: linenum,
                text: String::from_utf8_lossy(line).into_owned(),
            }),
            b"user" if argc >= 2 => {
                self.cfg.users.push(argv[1..].iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect())
            }
            b"loadmodule" if argc >= 2 => {
                self.cfg.loadmodules.push(argv[1..].iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect())
            }
            _ if name.contains(&b'.') => {
                if argc < 2 {
                    return Err(reason("Module config specified without value"));
                }
                let value = argv[1..].join(&b' ');
                let name = String::from_utf8_lossy(name).into_owned();
                self.cfg.module_configs.retain(|(n, _)| *n != name);
                self.cfg.module_configs.push((name, value));
            }
            b"sentinel" => {
                if argc != 1 {
                    return Err(reason("sentinel directive while not in sentinel mode"));
                }
            }
            _ => return Err(reason("Bad directive or wrong number of arguments")),
        }
        Ok(())
    }

    /// `include`: relative names resolve against the current `dir`, which
    /// is where Redis's working directory would be at this point.
    fn include(&mut self, name: &[u8]) -> Result<(), String> {
        use std::os::unix::ffi::OsStrExt;
        let shown = String::from_utf8_lossy(name).into_owned();
        let p = Path::new(std::ffi::OsStr::from_bytes(name));
        let path = if p.is_absolute() { p.to_path_buf() } else { Path::new(self.cfg.dir()).join(p) };
        let content = read_source(&path, &shown)?;
        self.depth += 1;
        let r = self.load_string(&content);
        self.depth -= 1;
        r
    }

    /// The checks Redis runs after each piece of configuration text.
    fn after_load(&mut self) -> Result<(), String> {
        let logfile = self.cfg.get_bytes("logfile").unwrap_or_default();
        if !logfile.is_empty() {
            use std::os::unix::ffi::OsStrExt;
            let p = Path::new(std::ffi::OsStr::from_bytes(&logfile));
            let path = if p.is_absolute() { p.to_path_buf() } else { Path::new(self.cfg.dir()).join(p) };
            if let Err(e) = std::fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(fatal_error(None, &format!("Can't open the log file: {}", strerror(&e))));
            }
        }
        if self.cfg.get_bool("cluster-enabled")
            && matches!(self.cfg.value("replicaof"), Some(Value::ReplicaOf(Some(_))))
        {
            return Err(fatal_error(None, "replicaof directive not allowed in cluster mode"));
        }
        Ok(())
    }
}

enum LineError {
    /// A reason to print with the line number and text.
    Reason(String),
    /// An already formatted message (from an included file).
    Done(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn split_args_quoting() {
        let s = |l: &str| {
            split_args(l.as_bytes())
                .map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect::<Vec<_>>())
        };
        assert_eq!(s("set a b"), Some(vec!["set".into(), "a".into(), "b".into()]));
        assert_eq!(s("  a   b  "), Some(vec!["a".into(), "b".into()]));
        assert_eq!(s("a \"b c\" 'd e'"), Some(vec!["a".into(), "b c".into(), "d e".into()]));
        assert_eq!(s("\"\\n\\t\\x41\\q\""), Some(vec!["\n\tAq".into()]));
        assert_eq!(s("'it\\'s' '\\n'"), Some(vec!["it's".into(), "\\n".into()]));
        assert_eq!(s("foo\"bar baz\""), Some(vec!["foobar baz".into()]));
        assert_eq!(s("\"\""), Some(vec!["".into()]));
        assert_eq!(s("\"a\"b"), None);
        assert_eq!(s("'a'b"), None);
        assert_eq!(s("\"abc"), None);
        assert_eq!(s("'abc"), None);
        assert_eq!(s(""), Some(vec![]));
        assert_eq!(s("\x0b"), Some(vec![]));
        assert_eq!(s("a\x0bb"), Some(vec!["a\x0bb".into()]));
        assert_eq!(split_args(b"a\0 b"), Some(vec![b"a".to_vec()]));
        assert_eq!(split_args(b"\"\\x4g\""), Some(vec![b"x4g".to_vec()]));
    }

    #[test]
    fn repr_round_trips() {
        let raw = b"a \"b\"\\\n\r\t\x07\x08\x00\xff~";
        assert_eq!(repr(raw), b"\"a \\\"b\\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff~\"".to_vec());
        assert_eq!(split_args(&repr(raw)), Some(vec![raw.to_vec()]));
    }

    #[test]
    fn trims() {
        assert_eq!(trim(b"  a b \r\n", b" \t\r\n"), b"a b");
        assert_eq!(trim(b" \t ", b" \t\r\n"), b"");
        assert_eq!(trim(b"", b" "), b"");
    }

    #[test]
    fn command_line_forms() {
        let cl = command_line(&args(&["--port", "7000", "--save", "", "--bind", "127.0.0.1", "::1"]));
        assert_eq!(cl.file, None);
        assert_eq!(String::from_utf8_lossy(&cl.options), "port \"7000\" \nsave \"\" \nbind \"127.0.0.1\" \"::1\" ");
        let cl = command_line(&args(&["/etc/c.conf", "--save", "--port", "1"]));
        assert_eq!(cl.file.as_deref(), Some("/etc/c.conf"));
        assert_eq!(String::from_utf8_lossy(&cl.options), "save \"\"\nport \"1\" ");
        let cl = command_line(&args(&["--port", "--port", "0"]));
        assert_eq!(String::from_utf8_lossy(&cl.options), "port \"--port\" \"0\" ");
        let cl = command_line(&args(&["--save"]));
        assert_eq!(String::from_utf8_lossy(&cl.options), "save \"\"");
        let cl = command_line(&args(&["--port 6380", "--foo"]));
        assert_eq!(String::from_utf8_lossy(&cl.options), "port 6380 \nfoo ");
        let cl = command_line(&args(&["-", "--port", "1"]));
        assert!(cl.stdin);
        let cl = command_line(&args(&["c.conf", "-"]));
        assert!(cl.stdin);
        assert!(cl.file.unwrap().ends_with("/c.conf"));
    }

    #[test]
    fn absolute_paths() {
        assert_eq!(absolute_path("/a/b"), "/a/b");
        assert_eq!(absolute_path(" /a/b\n"), "/a/b");
        let cwd = std::env::current_dir().unwrap().to_string_lossy().into_owned();
        let cwd_slash = if cwd.ends_with('/') { cwd.clone() } else { format!("{cwd}/") };
        assert_eq!(absolute_path("x.conf"), format!("{cwd_slash}x.conf"));
        let parent = Path::new(&cwd).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let parent = if parent.ends_with('/') { parent } else { format!("{parent}/") };
        assert_eq!(absolute_path("../x.conf"), format!("{parent}x.conf"));
    }

    #[test]
    fn fatal_error_texts() {
        assert_eq!(
            fatal_error(Some((2, b"foo bar")), "Bad directive or wrong number of arguments"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"
        );
        assert_eq!(
            fatal_error(None, "replicaof directive not allowed in cluster mode"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
        );
    }
}
