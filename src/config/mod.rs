//! Clover's configuration: every Redis 7.0.15 directive (plus `shards`),
//! read from the command line and configuration files with redis-server's
//! exact rules and error texts, and served to CONFIG GET, CONFIG SET and
//! CONFIG REWRITE with Redis 7's semantics.
//!
//! * `directives.rs` — the table: names, aliases, kinds, defaults, flags,
//!   and which directives Clover implements, will implement, or ignores.
//! * `value.rs` — typed values, their parsers and printers.
//! * `parse.rs` — the command line, configuration files, fatal errors.
//! * `rewrite.rs` — CONFIG REWRITE.
//!
//! Clover does not change its working directory: `dir` holds an absolute
//! path (CONFIG SET dir checks it like chdir would), and the server core
//! resolves relative file names (dbfilename, logfile, ...) against it or
//! changes directory itself.

pub mod directives;
pub mod parse;
pub mod rewrite;
pub mod value;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::util::glob::glob_match;
use directives::{
    Directive, Kind, Special, DENY_LOADING, DIRECTIVES, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED, SENSITIVE, VOLATILE,
};
pub use directives::{IMPLEMENTED_DIRECTIVES, NOOP_DIRECTIVES, PENDING_DIRECTIVES};
pub use parse::fatal_error;
pub use value::ObufLimit;
use value::{SaveMode, SetEnv, TitleEnv, Value};

/// A `rename-command` line, kept for the server core to apply (it knows
/// the command table); `line` and `text` let it report errors the way
/// Redis does, with [`fatal_error`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameCommand {
    pub from: String,
    /// Empty: the command is removed.
    pub to: String,
    pub line: usize,
    pub text: String,
}

/// `enable-debug-command`, `enable-protected-configs`,
/// `enable-module-command`: who may use the feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allow {
    No,
    Yes,
    /// Only connections from the local host (loopback or Unix socket).
    Local,
}

impl Allow {
    /// Whether a client (local or not) may use the feature.
    pub fn permits(self, local_client: bool) -> bool {
        match self {
            Allow::No => false,
            Allow::Yes => true,
            Allow::Local => local_client,
        }
    }
}

/// Who is asking for a CONFIG SET.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetContext {
    /// The client is local (for `enable-protected-configs local`).
    pub local_client: bool,
    /// A data set is being loaded (DENY_LOADING directives answer -LOADING).
    pub loading: bool,
}

/// The current value of every directive, and where it came from.
#[derive(Clone, Debug)]
pub struct Config {
    /// Parallel to [`DIRECTIVES`].
    values: Vec<Value>,
    /// Absolute path of the configuration file; empty when there is none.
    file: String,
    /// The working directory at start-up: `dir`'s default.
    start_dir: String,
    rename_commands: Vec<RenameCommand>,
    users: Vec<Vec<String>>,
    loadmodules: Vec<Vec<String>>,
    module_configs: Vec<(String, Vec<u8>)>,
}

/// Name (and alias) to table index.
fn index() -> &'static HashMap<&'static str, usize> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for (i, d) in DIRECTIVES.iter().enumerate() {
            m.insert(d.name, i);
            if let Some(a) = d.alias {
                m.insert(a, i);
            }
        }
        m
    })
}

/// Every name and alias that CONFIG GET patterns can match, sorted.
fn glob_names() -> &'static [(&'static str, usize)] {
    static NAMES: OnceLock<Vec<(&'static str, usize)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<(&'static str, usize)> = index().iter().map(|(n, i)| (*n, *i)).collect();
        v.retain(|(_, i)| !DIRECTIVES[*i].has(HIDDEN));
        v.sort();
        v
    })
}

/// Parsed defaults (with `dir` empty; it is filled in per Config).
fn defaults() -> &'static [Value] {
    static DEFAULTS: OnceLock<Vec<Value>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let empty = Value::Str(None);
        DIRECTIVES
            .iter()
            .map(|d| {
                if d.kind == Kind::Special(Special::Dir) {
                    return Value::Dir(String::new());
                }
                let args = split_value(d, d.default.as_bytes());
                let env = SetEnv {
                    save_mode: SaveMode::Replace,
                    dir: "",
                    title: TitleEnv { cluster_enabled: false, unixsocket: b"" },
                };
                value::parse(d, &args, &empty, &env).unwrap_or(Value::Str(None))
            })
            .collect()
    })
}

/// Looks a directive up by name or alias, ignoring ASCII case. Returns its
/// index in [`DIRECTIVES`] and whether `name` is the alias.
pub fn lookup(name: &[u8]) -> Option<(usize, bool)> {
    let find = |n: &str| index().get(n).map(|&i| (i, DIRECTIVES[i].name != n));
    if let Ok(s) = std::str::from_utf8(name) {
        if let Some(r) = find(s) {
            return Some(r);
        }
    }
    let lower = name.to_ascii_lowercase();
    std::str::from_utf8(&lower).ok().and_then(find)
}

/// The table row for a name or alias (any case).
pub fn directive(name: &[u8]) -> Option<&'static Directive> {
    lookup(name).map(|(i, _)| &DIRECTIVES[i])
}

/// True for directives whose values must not be shown in logs (CONFIG SET
/// arguments of `requirepass`, `masterauth`, `masteruser`).
pub fn is_sensitive(name: &[u8]) -> bool {
    directive(name).is_some_and(|d| d.has(SENSITIVE))
}

/// CONFIG SET's value to arguments: multi-argument directives split on
/// single spaces (so "a  b" has an empty middle argument), as Redis does.
fn split_value<'a>(d: &Directive, v: &'a [u8]) -> Vec<&'a [u8]> {
    if d.has(MULTI_ARG) {
        if v.is_empty() {
            Vec::new()
        } else {
            v.split(|&c| c == b' ').collect()
        }
    } else {
        vec![v]
    }
}

/// Redis's addReplyErrorFormat: no newlines inside an error.
fn one_line(s: String) -> String {
    s.replace(['\r', '\n'], " ")
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// Every directive at its default; `dir` is the working directory.
    pub fn new() -> Config {
        let start_dir = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let mut values = defaults().to_vec();
        for (d, v) in DIRECTIVES.iter().zip(values.iter_mut()) {
            if d.kind == Kind::Special(Special::Dir) {
                *v = Value::Dir(start_dir.clone());
            }
        }
        Config {
            values,
            file: String::new(),
            start_dir,
            rename_commands: Vec::new(),
            users: Vec::new(),
            loadmodules: Vec::new(),
            module_configs: Vec::new(),
        }
    }

    /// Reads the configuration like redis-server reads its arguments (the
    /// program name left out): `[config-file] [--name value ...] [-]`.
    /// On error returns the text Redis prints before exiting with status 1:
    /// the `*** FATAL CONFIG FILE ERROR ***` block, or (for an unreadable
    /// file) the message Redis logs, without its log prefix.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut cfg = Config::new();
        if args.is_empty() {
            return Ok(cfg);
        }
        let cl = parse::command_line(args);
        let mut text = Vec::new();
        if let Some(file) = &cl.file {
            cfg.file = file.clone();
            text = parse::read_source(std::path::Path::new(file), file)?;
        }
        if cl.stdin {
            use std::io::Read;
            let _ = std::io::stdin().read_to_end(&mut text);
        }
        text.push(b'\n');
        text.extend_from_slice(&cl.options);
        cfg.load_text(&text)?;
        if let Some(m) = cfg.loadmodules.first() {
            return Err(format!(
                "Can't load module from {}: server aborting",
                m.first().map(String::as_str).unwrap_or_default()
            ));
        }
        if !cfg.module_configs.is_empty() {
            return Err("Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"
                .to_string());
        }
        Ok(cfg)
    }

    /// Applies configuration text (file syntax) on top of the current
    /// values, with the same errors as a file.
    pub fn load_text(&mut self, text: &[u8]) -> Result<(), String> {
        parse::Loader::new(self).load_string(text)
    }

    /// The configuration file's absolute path, or "" when there is none.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The configuration file's absolute path, if any.
    pub fn config_file(&self) -> Option<&str> {
        (!self.file.is_empty()).then_some(self.file.as_str())
    }

    /// Sets the file CONFIG REWRITE writes to (tests, or a core that wants
    /// one).
    pub fn set_file(&mut self, path: &str) {
        self.file = path.to_string();
    }

    fn idx(&self, name: &str) -> Option<usize> {
        index().get(name).copied().or_else(|| lookup(name.as_bytes()).map(|(i, _)| i))
    }

    pub(crate) fn value(&self, name: &str) -> Option<&Value> {
        self.idx(name).and_then(|i| self.values.get(i))
    }

    pub(crate) fn default_value(&self, idx: usize) -> Option<Value> {
        let d = DIRECTIVES.get(idx)?;
        if d.kind == Kind::Special(Special::Dir) {
            return Some(Value::Dir(self.start_dir.clone()));
        }
        defaults().get(idx).cloned()
    }

    /// The value as CONFIG GET prints it, as bytes.
    pub fn get_bytes(&self, name: &str) -> Option<Vec<u8>> {
        let i = self.idx(name)?;
        Some(value::format(&DIRECTIVES[i], &self.values[i]))
    }

    /// The value as CONFIG GET prints it; None for an unknown name.
    pub fn get(&self, name: &str) -> Option<String> {
        self.get_bytes(name).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The value as CONFIG GET prints it; "" for an unknown name.
    pub fn get_str(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    /// Numbers (memory values in bytes, percentages negated), yes/no as
    /// 1/0, enums as their Redis value; 0 for anything else.
    pub fn get_int(&self, name: &str) -> i64 {
        self.value(name).map_or(0, Value::as_num)
    }

    /// Unsigned view of a number (maxmemory may exceed i64::MAX).
    pub fn get_u64(&self, name: &str) -> u64 {
        self.get_int(name) as u64
    }

    /// A yes/no directive; false for anything else.
    pub fn get_bool(&self, name: &str) -> bool {
        matches!(self.value(name), Some(Value::Bool(true)))
    }

    fn str_value(&self, name: &str) -> Option<&[u8]> {
        match self.value(name) {
            Some(Value::Str(Some(s))) => Some(s),
            _ => None,
        }
    }

    fn allow(&self, name: &str) -> Allow {
        match self.get_int(name) {
            1 => Allow::Yes,
            2 => Allow::Local,
            _ => Allow::No,
        }
    }

    // ----- Named accessors for what the server core reads. -----

    pub fn port(&self) -> u16 {
        self.get_int("port") as u16
    }

    /// The addresses to listen on (a leading '-' marks an optional one).
    pub fn bind(&self) -> Vec<String> {
        match self.value("bind") {
            Some(Value::Bind(a)) => a.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn protected_mode(&self) -> bool {
        self.get_bool("protected-mode")
    }

    /// The absolute working directory for data files.
    pub fn dir(&self) -> &str {
        match self.value("dir") {
            Some(Value::Dir(d)) => d,
            _ => "",
        }
    }

    /// Empty: log to standard output.
    pub fn logfile(&self) -> String {
        self.get_str("logfile")
    }

    /// "debug", "verbose", "notice" or "warning".
    pub fn loglevel(&self) -> String {
        self.get_str("loglevel")
    }

    pub fn pidfile(&self) -> Option<String> {
        self.str_value("pidfile").map(|s| String::from_utf8_lossy(s).into_owned())
    }

    pub fn daemonize(&self) -> bool {
        self.get_bool("daemonize")
    }

    pub fn always_show_logo(&self) -> bool {
        self.get_bool("always-show-logo")
    }

    pub fn databases(&self) -> usize {
        self.get_int("databases").max(1) as usize
    }

    /// Idle client timeout in seconds; 0 = never.
    pub fn timeout(&self) -> u64 {
        self.get_int("timeout").max(0) as u64
    }

    pub fn tcp_keepalive(&self) -> u64 {
        self.get_int("tcp-keepalive").max(0) as u64
    }

    pub fn tcp_backlog(&self) -> u32 {
        self.get_int("tcp-backlog").max(0) as u32
    }

    pub fn maxclients(&self) -> u64 {
        self.get_u64("maxclients")
    }

    pub fn proto_max_bulk_len(&self) -> u64 {
        self.get_int("proto-max-bulk-len").max(0) as u64
    }

    pub fn client_query_buffer_limit(&self) -> u64 {
        self.get_u64("client-query-buffer-limit")
    }

    /// The password of the default user, if any (any bytes).
    pub fn requirepass(&self) -> Option<&[u8]> {
        self.str_value("requirepass")
    }

    pub fn masterauth(&self) -> Option<&[u8]> {
        self.str_value("masterauth")
    }

    /// Shards to run; 0 = one per CPU the process may run on.
    pub fn shards(&self) -> usize {
        self.get_int("shards").max(0) as usize
    }

    /// Already clamped to 1..=500.
    pub fn hz(&self) -> u32 {
        self.get_int("hz").clamp(1, 500) as u32
    }

    /// Microseconds; negative disables the slow log.
    pub fn slowlog_log_slower_than(&self) -> i64 {
        self.get_int("slowlog-log-slower-than")
    }

    pub fn slowlog_max_len(&self) -> u64 {
        self.get_int("slowlog-max-len").max(0) as u64
    }

    /// Milliseconds; 0 disables the latency monitor.
    pub fn latency_monitor_threshold(&self) -> u64 {
        self.get_int("latency-monitor-threshold").max(0) as u64
    }

    pub fn latency_tracking(&self) -> bool {
        self.get_bool("latency-tracking")
    }

    pub fn latency_tracking_info_percentiles(&self) -> &[f64] {
        match self.value("latency-tracking-info-percentiles") {
            Some(Value::Percentiles(p)) => p,
            _ => &[],
        }
    }

    pub fn enable_debug_command(&self) -> Allow {
        self.allow("enable-debug-command")
    }

    pub fn enable_protected_configs(&self) -> Allow {
        self.allow("enable-protected-configs")
    }

    pub fn enable_module_command(&self) -> Allow {
        self.allow("enable-module-command")
    }

    pub fn appendonly(&self) -> bool {
        self.get_bool("appendonly")
    }

    /// `save` points as (seconds, changes); empty when saving is off.
    pub fn save_points(&self) -> &[(i64, i32)] {
        match self.value("save") {
            Some(Value::Save(p)) => p,
            _ => &[],
        }
    }

    pub fn dbfilename(&self) -> String {
        self.get_str("dbfilename")
    }

    /// Bytes; 0 = no limit.
    pub fn maxmemory(&self) -> u64 {
        self.get_u64("maxmemory")
    }

    pub fn maxmemory_policy(&self) -> String {
        self.get_str("maxmemory-policy")
    }

    /// Milliseconds (`busy-reply-threshold`, alias `lua-time-limit`).
    pub fn busy_reply_threshold(&self) -> i64 {
        self.get_int("busy-reply-threshold")
    }

    /// Normal, replica and pubsub limits, in that order.
    pub fn client_output_buffer_limits(&self) -> [ObufLimit; 3] {
        match self.value("client-output-buffer-limit") {
            Some(Value::Obuf(l)) => *l,
            _ => value::OBUF_DEFAULTS,
        }
    }

    /// Redis's NOTIFY_* bit flags.
    pub fn notify_keyspace_events(&self) -> i32 {
        self.get_int("notify-keyspace-events") as i32
    }

    /// The master to replicate from, if any.
    pub fn replicaof(&self) -> Option<(String, u16)> {
        match self.value("replicaof") {
            Some(Value::ReplicaOf(Some((h, p)))) => Some((String::from_utf8_lossy(h).into_owned(), *p as u16)),
            _ => None,
        }
    }

    pub fn cluster_enabled(&self) -> bool {
        self.get_bool("cluster-enabled")
    }

    /// `rename-command` lines, in file order.
    pub fn rename_commands(&self) -> &[RenameCommand] {
        &self.rename_commands
    }

    /// `user` lines (their arguments), in file order; not applied yet.
    pub fn users(&self) -> &[Vec<String>] {
        &self.users
    }

    // ----- CONFIG GET / SET / REWRITE -----

    /// CONFIG GET: each pattern without `*`, `?` or `[` looks one name or
    /// alias up (any case; the reply echoes the name as given); others are
    /// globs (case-insensitive) over every name and alias except hidden
    /// directives. A name is reported once, under the first name that
    /// matched it. Values are converted to text lossily; see
    /// [`Config::config_get_raw`] for the bytes.
    pub fn config_get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        self.config_get_raw(patterns).into_iter().map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned())).collect()
    }

    /// CONFIG GET with the values' exact bytes.
    pub fn config_get_raw(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for &p in patterns {
            if !p.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
                let key = p.to_ascii_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                if let Some((i, _)) = lookup(p) {
                    seen.insert(key);
                    out.push((String::from_utf8_lossy(p).into_owned(), value::format(&DIRECTIVES[i], &self.values[i])));
                }
                continue;
            }
            for &(name, i) in glob_names() {
                if seen.contains(name.as_bytes()) || !glob_match(p, name.as_bytes(), true) {
                    continue;
                }
                seen.insert(name.as_bytes().to_vec());
                out.push((name.to_string(), value::format(&DIRECTIVES[i], &self.values[i])));
            }
        }
        out
    }

    /// CONFIG SET from a client that is not local, while not loading.
    pub fn config_set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        self.config_set_with(pairs, SetContext::default())
    }

    /// CONFIG SET with Redis 7's rules: every name is checked first (the
    /// first unknown name wins, then immutable/protected, -LOADING and
    /// duplicate errors), then all values are set in order; if one fails,
    /// every value is restored. Returns the (primary) names whose value
    /// changed, or the error reply without its leading '-'.
    pub fn config_set_with(&mut self, pairs: &[(&[u8], &[u8])], ctx: SetContext) -> Result<Vec<&'static str>, String> {
        let mut unknown: Option<&[u8]> = None;
        let mut err: Option<(String, String)> = None;
        let mut deny_loading = false;
        let mut invalid = false;
        let mut targets: Vec<Option<(usize, bool)>> = vec![None; pairs.len()];
        for (i, (name, _)) in pairs.iter().enumerate() {
            let Some((idx, alias)) = lookup(name) else {
                if !invalid {
                    unknown = Some(name);
                    invalid = true;
                }
                continue;
            };
            if invalid {
                continue;
            }
            let d = &DIRECTIVES[idx];
            if d.has(IMMUTABLE) || (d.has(PROTECTED) && !self.enable_protected_configs().permits(ctx.local_client)) {
                let why = if d.has(IMMUTABLE) { "can't set immutable config" } else { "can't set protected config" };
                err = Some((String::from_utf8_lossy(name).into_owned(), why.to_string()));
                invalid = true;
                continue;
            }
            if ctx.loading && d.has(DENY_LOADING) {
                deny_loading = true;
                invalid = true;
                continue;
            }
            // Redis compares table entries: a name and its alias are two
            // entries, so "slave-priority 1 replica-priority 2" is allowed.
            if targets[..i].contains(&Some((idx, alias))) {
                err = Some((String::from_utf8_lossy(name).into_owned(), "duplicate parameter".to_string()));
                invalid = true;
            }
            targets[i] = Some((idx, alias));
        }
        if !invalid {
            let backup = self.values.clone();
            for (i, (_, v)) in pairs.iter().enumerate() {
                let Some((idx, alias)) = targets[i] else { continue };
                let d = &DIRECTIVES[idx];
                let args = split_value(d, v);
                if let Err(e) = self.set_index(idx, &args, SaveMode::Replace) {
                    self.values.clone_from(&backup);
                    let shown = if alias { d.alias.unwrap_or(d.name) } else { d.name };
                    err = Some((shown.to_string(), e));
                    break;
                }
            }
            if err.is_none() {
                let mut changed: Vec<&'static str> = Vec::new();
                for &(idx, _) in targets.iter().flatten() {
                    let d = &DIRECTIVES[idx];
                    if (self.values[idx] != backup[idx] || d.has(VOLATILE)) && !changed.contains(&d.name) {
                        changed.push(d.name);
                    }
                }
                return Ok(changed);
            }
        }
        Err(if deny_loading {
            "LOADING Redis is loading the dataset in memory".to_string()
        } else if let Some(name) = unknown {
            one_line(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                String::from_utf8_lossy(name)
            ))
        } else if let Some((name, why)) = err {
            one_line(format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"))
        } else {
            "ERR CONFIG SET failed".to_string()
        })
    }

    /// The error reply for a CONFIG SET whose new value was stored but
    /// could not be applied (e.g. `Unable to listen on this port. Check
    /// server logs.`); restore the previous Config before replying.
    pub fn set_failed_error(name: &str, reason: &str) -> String {
        one_line(format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"))
    }

    /// Sets one directive from inside the server, ignoring immutability
    /// (e.g. the pid file chosen when daemonizing, or maxclients lowered to
    /// what the file descriptor limit allows). The value is split like a
    /// CONFIG SET value. Returns whether the value changed.
    pub fn set_internal(&mut self, name: &str, value: &[u8]) -> Result<bool, String> {
        let idx = self.idx(name).ok_or_else(|| format!("unknown directive '{name}'"))?;
        let d = &DIRECTIVES[idx];
        let before = self.values[idx].clone();
        self.set_index(idx, &split_value(d, value), SaveMode::Replace)?;
        Ok(self.values[idx] != before)
    }

    /// Parses `args` for directive `idx` and stores the value.
    pub(crate) fn set_index(&mut self, idx: usize, args: &[&[u8]], save_mode: SaveMode) -> Result<(), String> {
        let d = DIRECTIVES.get(idx).ok_or("no such directive")?;
        let unixsocket = self.str_value("unixsocket").unwrap_or_default().to_vec();
        let dir = self.dir().to_string();
        let env = SetEnv {
            save_mode,
            dir: &dir,
            title: TitleEnv { cluster_enabled: self.get_bool("cluster-enabled"), unixsocket: &unixsocket },
        };
        let new = value::parse(d, args, &self.values[idx], &env)?;
        self.values[idx] = new;
        Ok(())
    }

    /// CONFIG REWRITE: rewrites the configuration file in place. Errors are
    /// the reply texts without the leading '-'.
    pub fn rewrite(&self) -> Result<(), String> {
        if self.file.is_empty() {
            return Err("ERR The server is running without a config file".to_string());
        }
        rewrite::rewrite_file(self, std::path::Path::new(&self.file))
            .map_err(|e| one_line(format!("ERR Rewriting config file: {e}")))
    }

    /// The lines CONFIG REWRITE writes for a directive (by name or alias),
    /// whether or not it would write them; empty when the directive would
    /// be left out (unset strings, default `bind`, no `replicaof`).
    pub fn render_lines(&self, name: &str) -> Vec<String> {
        let Some(idx) = self.idx(name) else { return Vec::new() };
        let Some(def) = self.default_value(idx) else { return Vec::new() };
        match rewrite::render(self, &DIRECTIVES[idx], &self.values[idx], &def) {
            rewrite::Rewrite::Remove => Vec::new(),
            rewrite::Rewrite::Lines(lines) => {
                lines.into_iter().map(|(l, _)| String::from_utf8_lossy(&l).into_owned()).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// `CONFIG GET *` of a pristine redis-server 7.0.15 (TLS build), with
    /// Clover's differences applied: the default `bind`, port 6379 (the
    /// capture ran on another port) and no `dir` (the working directory).
    const DEFAULTS_TSV: &str = "acl-pubsub-default\tresetchannels\n\
aclfile\t\n\
acllog-max-len\t128\n\
active-defrag-cycle-max\t25\n\
active-defrag-cycle-min\t1\n\
active-defrag-ignore-bytes\t104857600\n\
active-defrag-max-scan-fields\t1000\n\
active-defrag-threshold-lower\t10\n\
active-defrag-threshold-upper\t100\n\
active-expire-effort\t1\n\
activedefrag\tno\n\
activerehashing\tyes\n\
always-show-logo\tno\n\
aof-disable-auto-gc\tno\n\
aof-load-truncated\tyes\n\
aof-rewrite-incremental-fsync\tyes\n\
aof-timestamp-enabled\tno\n\
aof-use-rdb-preamble\tyes\n\
aof_rewrite_cpulist\t\n\
appenddirname\tappendonlydir\n\
appendfilename\tappendonly.aof\n\
appendfsync\teverysec\n\
appendonly\tno\n\
auto-aof-rewrite-min-size\t67108864\n\
auto-aof-rewrite-percentage\t100\n\
bgsave_cpulist\t\n\
bind\t127.0.0.1 -::1\n\
bind-source-addr\t\n\
bio_cpulist\t\n\
busy-reply-threshold\t5000\n\
client-output-buffer-limit\tnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\n\
client-query-buffer-limit\t1073741824\n\
cluster-allow-pubsubshard-when-down\tyes\n\
cluster-allow-reads-when-down\tno\n\
cluster-allow-replica-migration\tyes\n\
cluster-announce-bus-port\t0\n\
cluster-announce-hostname\t\n\
cluster-announce-ip\t\n\
cluster-announce-port\t0\n\
cluster-announce-tls-port\t0\n\
cluster-config-file\tnodes.conf\n\
cluster-enabled\tno\n\
cluster-link-sendbuf-limit\t0\n\
cluster-migration-barrier\t1\n\
cluster-node-timeout\t15000\n\
cluster-port\t0\n\
cluster-preferred-endpoint-type\tip\n\
cluster-replica-no-failover\tno\n\
cluster-replica-validity-factor\t10\n\
cluster-require-full-coverage\tyes\n\
cluster-slave-no-failover\tno\n\
cluster-slave-validity-factor\t10\n\
crash-log-enabled\tyes\n\
crash-memcheck-enabled\tyes\n\
daemonize\tno\n\
databases\t16\n\
dbfilename\tdump.rdb\n\
disable-thp\tyes\n\
dynamic-hz\tyes\n\
enable-debug-command\tno\n\
enable-module-command\tno\n\
enable-protected-configs\tno\n\
hash-max-listpack-entries\t512\n\
hash-max-listpack-value\t64\n\
hash-max-ziplist-entries\t512\n\
hash-max-ziplist-value\t64\n\
hll-sparse-max-bytes\t3000\n\
hz\t10\n\
ignore-warnings\t\n\
io-threads\t1\n\
io-threads-do-reads\tno\n\
jemalloc-bg-thread\tyes\n\
latency-monitor-threshold\t0\n\
latency-tracking\tyes\n\
latency-tracking-info-percentiles\t50 99 99.9\n\
lazyfree-lazy-eviction\tno\n\
lazyfree-lazy-expire\tno\n\
lazyfree-lazy-server-del\tno\n\
lazyfree-lazy-user-del\tno\n\
lazyfree-lazy-user-flush\tno\n\
lfu-decay-time\t1\n\
lfu-log-factor\t10\n\
list-compress-depth\t0\n\
list-max-listpack-size\t-2\n\
list-max-ziplist-size\t-2\n\
logfile\t\n\
loglevel\tnotice\n\
lua-time-limit\t5000\n\
masterauth\t\n\
masteruser\t\n\
maxclients\t10000\n\
maxmemory\t0\n\
maxmemory-clients\t0\n\
maxmemory-eviction-tenacity\t10\n\
maxmemory-policy\tnoeviction\n\
maxmemory-samples\t5\n\
min-replicas-max-lag\t10\n\
min-replicas-to-write\t0\n\
min-slaves-max-lag\t10\n\
min-slaves-to-write\t0\n\
no-appendfsync-on-rewrite\tno\n\
notify-keyspace-events\t\n\
oom-score-adj\tno\n\
oom-score-adj-values\t0 200 800\n\
pidfile\t\n\
port\t6379\n\
proc-title-template\t{title} {listen-addr} {server-mode}\n\
propagation-error-behavior\tignore\n\
protected-mode\tyes\n\
proto-max-bulk-len\t536870912\n\
rdb-del-sync-files\tno\n\
rdb-save-incremental-fsync\tyes\n\
rdbchecksum\tyes\n\
rdbcompression\tyes\n\
repl-backlog-size\t1048576\n\
repl-backlog-ttl\t3600\n\
repl-disable-tcp-nodelay\tno\n\
repl-diskless-load\tdisabled\n\
repl-diskless-sync\tyes\n\
repl-diskless-sync-delay\t5\n\
repl-diskless-sync-max-replicas\t0\n\
repl-ping-replica-period\t10\n\
repl-ping-slave-period\t10\n\
repl-timeout\t60\n\
replica-announce-ip\t\n\
replica-announce-port\t0\n\
replica-announced\tyes\n\
replica-ignore-disk-write-errors\tno\n\
replica-ignore-maxmemory\tyes\n\
replica-lazy-flush\tno\n\
replica-priority\t100\n\
replica-read-only\tyes\n\
replica-serve-stale-data\tyes\n\
replicaof\t\n\
requirepass\t\n\
sanitize-dump-payload\tno\n\
save\t3600 1 300 100 60 10000\n\
server_cpulist\t\n\
set-max-intset-entries\t512\n\
set-proc-title\tyes\n\
shutdown-on-sigint\tdefault\n\
shutdown-on-sigterm\tdefault\n\
shutdown-timeout\t10\n\
slave-announce-ip\t\n\
slave-announce-port\t0\n\
slave-ignore-maxmemory\tyes\n\
slave-lazy-flush\tno\n\
slave-priority\t100\n\
slave-read-only\tyes\n\
slave-serve-stale-data\tyes\n\
slaveof\t\n\
slowlog-log-slower-than\t10000\n\
slowlog-max-len\t128\n\
socket-mark-id\t0\n\
stop-writes-on-bgsave-error\tyes\n\
stream-node-max-bytes\t4096\n\
stream-node-max-entries\t100\n\
supervised\tno\n\
syslog-enabled\tno\n\
syslog-facility\tlocal0\n\
syslog-ident\tredis\n\
tcp-backlog\t511\n\
tcp-keepalive\t300\n\
timeout\t0\n\
tls-auth-clients\tyes\n\
tls-ca-cert-dir\t\n\
tls-ca-cert-file\t\n\
tls-cert-file\t\n\
tls-ciphers\t\n\
tls-ciphersuites\t\n\
tls-client-cert-file\t\n\
tls-client-key-file\t\n\
tls-client-key-file-pass\t\n\
tls-cluster\tno\n\
tls-dh-params-file\t\n\
tls-key-file\t\n\
tls-key-file-pass\t\n\
tls-port\t0\n\
tls-prefer-server-ciphers\tno\n\
tls-protocols\t\n\
tls-replication\tno\n\
tls-session-cache-size\t20480\n\
tls-session-cache-timeout\t300\n\
tls-session-caching\tyes\n\
tracking-table-max-keys\t1000000\n\
unixsocket\t\n\
unixsocketperm\t0\n\
zset-max-listpack-entries\t128\n\
zset-max-listpack-value\t64\n\
zset-max-ziplist-entries\t128\n\
zset-max-ziplist-value\t64";

    fn temp_dir(tag: &str) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "clover-config-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d.canonicalize().unwrap()
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<Vec<&'static str>, String> {
        let p: Vec<(&[u8], &[u8])> = pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())).collect();
        c.config_set(&p)
    }

    fn get(c: &Config, patterns: &[&str]) -> Vec<(String, String)> {
        let p: Vec<&[u8]> = patterns.iter().map(|s| s.as_bytes()).collect();
        c.config_get(&p)
    }

    fn load(text: &str) -> Result<Config, String> {
        let mut c = Config::new();
        c.load_text(text.as_bytes())?;
        Ok(c)
    }

    #[test]
    fn table_shape() {
        assert_eq!(DIRECTIVES.len(), 180, "179 Redis 7.0.15 directives + shards");
        let mut names = HashSet::new();
        for d in DIRECTIVES {
            assert!(names.insert(d.name), "duplicate {}", d.name);
            assert_eq!(d.name, d.name.to_ascii_lowercase());
            if let Some(a) = d.alias {
                assert!(names.insert(a), "duplicate alias {a}");
            }
        }
        // Every default parses and prints back as itself.
        let c = Config::new();
        for d in DIRECTIVES {
            if d.kind != Kind::Special(Special::Dir) {
                assert_eq!(c.get(d.name).unwrap(), d.default, "{}", d.name);
            }
        }
        // Every directive is implemented, pending or a no-op, exactly once.
        let mut seen = HashMap::new();
        for n in IMPLEMENTED_DIRECTIVES
            .iter()
            .chain(PENDING_DIRECTIVES.iter().map(|(n, _)| n))
            .chain(NOOP_DIRECTIVES.iter().map(|(n, _)| n))
        {
            assert!(directive(n.as_bytes()).is_some_and(|d| d.name == *n), "unknown {n}");
            *seen.entry(*n).or_insert(0) += 1;
        }
        for d in DIRECTIVES {
            assert_eq!(seen.get(d.name), Some(&1), "{} must be listed exactly once", d.name);
        }
    }

    #[test]
    fn defaults_match_redis() {
        let c = Config::new();
        let mut expected: Vec<(String, String)> = DEFAULTS_TSV
            .lines()
            .map(|l| {
                let (k, v) = l.split_once('\t').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        expected.sort();
        let mut got: Vec<(String, String)> = get(&c, &["*"]).into_iter().filter(|(k, _)| k != "dir").collect();
        got.sort();
        assert_eq!(got, expected);
        let hidden = [
            ("use-exit-on-panic", "no"),
            ("lua-enable-deprecated-api", "no"),
            ("rdb-key-save-delay", "0"),
            ("key-load-delay", "0"),
            ("watchdog-period", "0"),
            ("loading-process-events-interval-bytes", "2097152"),
            ("shards", "0"),
        ];
        for (n, v) in hidden {
            assert_eq!(get(&c, &[n]), vec![(n.to_string(), v.to_string())]);
            assert!(get(&c, &["*"]).iter().all(|(k, _)| k != n), "{n} is hidden from globs");
        }
        let cwd = std::env::current_dir().unwrap().to_string_lossy().into_owned();
        assert_eq!(c.get("dir").unwrap(), cwd);
        assert_eq!(c.bind(), vec!["127.0.0.1".to_string(), "-::1".to_string()]);
        assert_eq!(c.port(), 6379);
        assert_eq!(c.save_points(), &[(3600, 1), (300, 100), (60, 10000)]);
        assert_eq!(c.latency_tracking_info_percentiles(), &[50.0, 99.0, 99.9]);
        assert_eq!(c.requirepass(), None);
        assert_eq!(c.pidfile(), None);
        assert_eq!(c.enable_debug_command(), Allow::No);
        assert_eq!(c.hz(), 10);
        assert_eq!(c.shards(), 0);
        assert_eq!(c.databases(), 16);
        assert_eq!(c.maxclients(), 10000);
        assert_eq!(c.proto_max_bulk_len(), 512 << 20);
        assert_eq!(c.client_query_buffer_limit(), 1 << 30);
        assert_eq!(c.client_output_buffer_limits()[1], ObufLimit { hard: 256 << 20, soft: 64 << 20, soft_seconds: 60 });
        assert_eq!(c.file(), "");
        assert_eq!(c.get_int("maxmemory-policy"), 1792);
        assert_eq!(c.get_str("no-such-thing"), "");
    }

    #[test]
    fn startup_errors_match_redis() {
        // Captured from redis-server 7.0.15's stderr (without the final
        // newline, which the caller's eprintln! adds).
        let vectors: &[(&[&str], &str)] = &[
        (&["--foo", "bar"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments"),
        (&["--port", "abc"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer"),
        (&["--port", "70000"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"70000\"'\nargument must be between 0 and 65535 inclusive"),
        (&["--port"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port'\nwrong number of arguments"),
        (&["--port", "1", "2"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"1\" \"2\"'\nwrong number of arguments"),
        (&["--daemonize", "maybe"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'daemonize \"maybe\"'\nargument must be 'yes' or 'no'"),
        (&["--maxmemory", "1x"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory \"1x\"'\nargument must be a memory value"),
        (&["--maxmemory", "-1"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory \"-1\"'\nargument must be a memory value"),
        (&["--loglevel", "foo"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'loglevel \"foo\"'\nargument(s) must be one of the following: debug, verbose, notice, warning"),
        (&["--save", "1"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'save \"1\"'\nInvalid save parameters"),
        (&["--save", "0", "1"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'save \"0\" \"1\"'\nInvalid save parameters"),
        (&["--unixsocketperm", "999"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'unixsocketperm \"999\"'\nargument couldn't be parsed as an octal number"),
        (&["--unixsocketperm", "1777"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'unixsocketperm \"1777\"'\nargument must be between 0 and 777 inclusive"),
        (&["--dbfilename", "a/b"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'dbfilename \"a/b\"'\ndbfilename can't be a path, just a filename"),
        (&["--appendfilename", ""], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'appendfilename \"\"'\nappendfilename can't be empty"),
        (&["--appenddirname", "a/b"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'appenddirname \"a/b\"'\nappenddirname can't be a path, just a dirname"),
        (&["--maxmemory-clients", "200%"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory-clients \"200%\"'\npercentage argument must be less or equal to 100"),
        (&["--maxmemory-clients", "-5"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory-clients \"-5\"'\nargument must be a memory or percent value"),
        (&["--shutdown-on-sigint", "save", "nosave"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'shutdown-on-sigint \"save\" \"nosave\"'\nshutdown options SAVE and NOSAVE can't be used simultaneously"),
        (&["--shutdown-on-sigint", "foo"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'shutdown-on-sigint \"foo\"'\nargument(s) must be one of the following: default, save, nosave, now, force"),
        (&["--oom-score-adj-values", "1", "2"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'oom-score-adj-values \"1\" \"2\"'\nwrong number of arguments"),
        (&["--oom-score-adj-values", "1", "2", "3000"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'oom-score-adj-values \"1\" \"2\" \"3000\"'\nInvalid oom-score-adj-values, elements must be between -2000 and 2000."),
        (&["--client-output-buffer-limit", "normal", "1", "2"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'client-output-buffer-limit \"normal\" \"1\" \"2\"'\nWrong number of arguments in buffer limit configuration."),
        (&["--client-output-buffer-limit", "master", "1", "2", "3"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'client-output-buffer-limit \"master\" \"1\" \"2\" \"3\"'\nInvalid client class specified in buffer limit configuration."),
        (&["--client-output-buffer-limit", "normal", "1x", "2", "3"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'client-output-buffer-limit \"normal\" \"1x\" \"2\" \"3\"'\nError in hard, soft or soft_seconds setting in buffer limit configuration."),
        (&["--notify-keyspace-events", "Q"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'notify-keyspace-events \"Q\"'\nInvalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        (&["--latency-tracking-info-percentiles", "101"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'latency-tracking-info-percentiles \"101\"'\nlatency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
        (&["--latency-tracking-info-percentiles", "abc"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'latency-tracking-info-percentiles \"abc\"'\nInvalid latency-tracking-info-percentiles parameters"),
        (&["--replicaof", "localhost"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'replicaof \"localhost\"'\nwrong number of arguments"),
        (&["--replicaof", "localhost", "99999"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'replicaof \"localhost\" \"99999\"'\nInvalid master port"),
        (&["--cluster-announce-hostname", "a_b"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'cluster-announce-hostname \"a_b\"'\nHostnames may only contain alphanumeric characters, hyphens or dots"),
        (&["--proc-title-template", "{foo}"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'proc-title-template \"{foo}\"'\ntemplate format is invalid or contains unknown variables"),
        (&["--dir", "/nonexistent"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'dir \"/nonexistent\"'\nNo such file or directory"),
        (&["--hz", "1x"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'hz \"1x\"'\nargument couldn't be parsed into an integer"),
        (&["--maxclients", "0"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxclients \"0\"'\nargument must be between 1 and 4294967295 inclusive"),
        (&["--slowlog-log-slower-than", "-2"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'slowlog-log-slower-than \"-2\"'\nargument must be between -1 and 9223372036854775807 inclusive"),
        (&["--proto-max-bulk-len", "100"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'proto-max-bulk-len \"100\"'\nargument must be between 1048576 and 9223372036854775807 inclusive"),
        (&["--activedefrag", "yes"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'activedefrag \"yes\"'\nActive defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"),
        (&["--bind", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'bind \"1\" \"2\" \"3\" \"4\" \"5\" \"6\" \"7\" \"8\" \"9\" \"10\" \"11\" \"12\" \"13\" \"14\" \"15\" \"16\" \"17\"'\nToo many bind addresses specified."),
        (&["--port", "0", "--save", "a b"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'save \"a b\"'\nInvalid save parameters"),
        (&["--rename-command", "a"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'rename-command \"a\"'\nBad directive or wrong number of arguments"),
        (&["--include"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'include'\nBad directive or wrong number of arguments"),
        (&["--foo.bar"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo.bar'\nModule config specified without value"),
        (&["--enable-debug-command", "sometimes"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'enable-debug-command \"sometimes\"'\nargument(s) must be one of the following: no, yes, local"),
        (&["--repl-backlog-size", "0"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'repl-backlog-size \"0\"'\nargument must be between 1 and 9223372036854775807 inclusive"),
        (&["--databases", "0"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'databases \"0\"'\nargument must be between 1 and 2147483647 inclusive"),
        (&["--list-max-ziplist-size", "99999999999"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'list-max-ziplist-size \"99999999999\"'\nargument must be between -2147483648 and 2147483647 inclusive"),
        (&["--port", "1", "--port"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'port'\nwrong number of arguments"),
        (&["--PORT", "x"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'PORT \"x\"'\nargument couldn't be parsed into an integer"),
        (&["--port", "--port", "0"], "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"--port\" \"0\"'\nwrong number of arguments"),
        ];
        for (a, expected) in vectors {
            match Config::from_args(&args(a)) {
                Ok(_) => panic!("{a:?} should fail"),
                Err(e) => assert_eq!(&e, expected, "{a:?}"),
            }
        }
        assert_eq!(
            Config::from_args(&args(&["--sentinel", "x"])).unwrap_err(),
            fatal_error(Some((2, b"sentinel \"x\"")), "sentinel directive while not in sentinel mode")
        );
        assert_eq!(
            Config::from_args(&args(&["--loadmodule", "/x.so"])).unwrap_err(),
            "Can't load module from /x.so: server aborting"
        );
        assert_eq!(
            Config::from_args(&args(&["--foo.bar", "1"])).unwrap_err(),
            "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"
        );
        // Deprecated directives with one argument are skipped.
        assert!(
            Config::from_args(&args(&["--list-max-ziplist-entries", "5", "--lua-replicate-commands", "yes"])).is_ok()
        );
    }

    #[test]
    fn command_line_values() {
        let c = Config::from_args(&args(&["--port", "7000", "--save", "", "--bind", "127.0.0.1", "::1"])).unwrap();
        assert_eq!(c.port(), 7000);
        assert_eq!(c.save_points(), &[]);
        assert_eq!(c.get("save").unwrap(), "");
        assert_eq!(c.get("bind").unwrap(), "127.0.0.1 ::1");
        let c = Config::from_args(&args(&["--save", "--port", "7001"])).unwrap();
        assert_eq!(c.get("save").unwrap(), "");
        assert_eq!(c.port(), 7001);
        let c = Config::from_args(&args(&["--save", "60 1"])).unwrap();
        assert_eq!(c.get("save").unwrap(), "60 1");
        let c = Config::from_args(&args(&["--save", "60", "1", "--save", "30", "2"])).unwrap();
        assert_eq!(c.get("save").unwrap(), "60 1 30 2", "later save lines add to the first");
        let c = Config::from_args(&args(&["--port 7002", "--maxmemory", "1gb", "--requirepass", "a \"b\" c"])).unwrap();
        assert_eq!(c.port(), 7002);
        assert_eq!(c.maxmemory(), 1 << 30);
        assert_eq!(c.requirepass(), Some(&b"a \"b\" c"[..]));
        assert_eq!(c.file(), "");
        let c = Config::from_args(&args(&["--slaveof", "10.0.0.1", "6380", "--SLAVE-PRIORITY", "7"])).unwrap();
        assert_eq!(c.replicaof(), Some(("10.0.0.1".to_string(), 6380)));
        assert_eq!(c.get("replicaof").unwrap(), "10.0.0.1 6380");
        assert_eq!(c.get_int("replica-priority"), 7);
        let c = Config::from_args(&args(&["--hz", "1000", "--maxmemory", "9999999999999999999999"])).unwrap();
        assert_eq!(c.get("hz").unwrap(), "500");
        assert_eq!(c.get("maxmemory").unwrap(), "18446744073709551615");
    }

    #[test]
    fn file_parsing() {
        let dir = temp_dir("file");
        let inc_dir = dir.join("conf.d");
        std::fs::create_dir_all(&inc_dir).unwrap();
        std::fs::write(inc_dir.join("a.conf"), "maxclients 100\n").unwrap();
        std::fs::write(inc_dir.join("b.conf"), "maxclients 200\ntimeout 9\n").unwrap();
        std::fs::write(dir.join("extra.conf"), "databases 4\n").unwrap();
        let text = format!(
            "# a comment\n\
             \n\
             \t port 7100 \r\n\
             requirepass \"p\\x41ss\\tword\\\"\"\n\
             masterauth 'it\\'s'\n\
             save 100 1\n\
             save \"200 2\"\n\
             bind '127.0.0.1 ::1'\n\
             notify-keyspace-events \"\"\n\
             dir {d}\n\
             include extra.conf\n\
             include {d}/conf.d/*.conf\n\
             include {d}/nothing-matches-*.conf\n\
             rename-command CONFIG \"\"\n\
             user alice on >pw ~* +@all\n\
             shutdown-on-sigint \"save now\"\n\
             LogLevel WARNING\n",
            d = dir.display()
        );
        let path = dir.join("redis.conf");
        std::fs::write(&path, text).unwrap();
        let c = Config::from_args(&args(&[path.to_str().unwrap(), "--timeout", "3"])).unwrap();
        assert_eq!(c.file(), path.to_str().unwrap());
        assert_eq!(c.config_file(), Some(path.to_str().unwrap()));
        assert_eq!(c.port(), 7100);
        assert_eq!(c.requirepass(), Some(&b"pAss\tword\""[..]));
        assert_eq!(c.masterauth(), Some(&b"it's"[..]));
        assert_eq!(c.save_points(), &[(100, 1), (200, 2)]);
        assert_eq!(c.bind(), vec!["127.0.0.1".to_string(), "::1".to_string()]);
        assert_eq!(c.dir(), dir.to_str().unwrap());
        assert_eq!(c.databases(), 4, "relative includes resolve against dir");
        assert_eq!(c.maxclients(), 200, "wildcard includes are read in sorted order");
        assert_eq!(c.timeout(), 3, "command line options come after the file");
        assert_eq!(
            c.rename_commands(),
            &[RenameCommand {
                from: "CONFIG".into(),
                to: "".into(),
                line: 14,
                text: "rename-command CONFIG \"\"".into()
            }]
        );
        assert_eq!(c.users(), &[vec!["alice".to_string(), "on".into(), ">pw".into(), "~*".into(), "+@all".into()]]);
        assert_eq!(c.get("shutdown-on-sigint").unwrap(), "save now");
        assert_eq!(c.loglevel(), "warning");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn file_errors() {
        let dir = temp_dir("errors");
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p.to_str().unwrap().to_string()
        };
        let a = write("a.conf", "port 0\nfoo bar\n");
        assert_eq!(
            Config::from_args(&args(&[&a])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"
        );
        let b = write("b.conf", "# c\n\n  port \"0\n");
        assert_eq!(
            Config::from_args(&args(&[&b])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'port \"0'\nUnbalanced quotes in configuration line"
        );
        write("c.conf", "\n\nmaxmemory 5q\n");
        let inc = write("inc.conf", &format!("port 0\ninclude {}/c.conf\n", dir.display()));
        assert_eq!(
            Config::from_args(&args(&[&inc])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'maxmemory 5q'\nargument must be a memory value"
        );
        let missing = format!("{}/nonexist.conf", dir.display());
        assert_eq!(
            Config::from_args(&args(&[&missing])).unwrap_err(),
            format!("Fatal error, can't open config file '{missing}': No such file or directory")
        );
        let inc2 = write("inc2.conf", "include /nonexistent/x.conf\n");
        assert_eq!(
            Config::from_args(&args(&[&inc2])).unwrap_err(),
            "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory"
        );
        let d = write("d.conf", "port 0");
        assert_eq!(
            Config::from_args(&args(&[&d, "--foo"])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo'\nBad directive or wrong number of arguments"
        );
        assert_eq!(
            Config::from_args(&args(&[&d, "--foo", "--bar"])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo \"--bar\"'\nBad directive or wrong number of arguments"
        );
        assert_eq!(
            Config::from_args(&args(&["--port", "0", "--logfile", "/nonexistent/x.log"])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"
        );
        assert_eq!(
            Config::from_args(&args(&["--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "5"])).unwrap_err(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
        );
        let e = write("e.conf", "save \"a\\x41\"b\n");
        assert!(Config::from_args(&args(&[&e]))
            .unwrap_err()
            .ends_with(">>> 'save \"a\\x41\"b'\nUnbalanced quotes in configuration line"));
        let looped = write("loop.conf", &format!("include {}/loop.conf\n", dir.display()));
        let err = Config::from_args(&args(&[&looped])).unwrap_err();
        assert!(err.ends_with("Too many nested include directives"), "{err}");
        // A logfile that can be opened is created, relative to dir.
        let ok = Config::from_args(&args(&["--dir", dir.to_str().unwrap(), "--logfile", "clover.log"])).unwrap();
        assert_eq!(ok.logfile(), "clover.log");
        assert!(dir.join("clover.log").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn config_get_patterns_and_aliases() {
        let c = Config::new();
        assert_eq!(get(&c, &["MAXMEMORY"]), vec![("MAXMEMORY".to_string(), "0".to_string())]);
        assert_eq!(get(&c, &["maxmemory", "MAXMEMORY"]), vec![("maxmemory".to_string(), "0".to_string())]);
        assert_eq!(
            get(&c, &["slaveof", "replicaof"]),
            vec![("slaveof".to_string(), String::new()), ("replicaof".to_string(), String::new())]
        );
        let names: Vec<String> = get(&c, &["slave*"]).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "slave-announce-ip",
                "slave-announce-port",
                "slave-ignore-maxmemory",
                "slave-lazy-flush",
                "slave-priority",
                "slave-read-only",
                "slave-serve-stale-data",
                "slaveof"
            ]
        );
        let both = get(&c, &["SLAVE-PRI*", "replica-pri*"]);
        assert_eq!(both, vec![("slave-priority".into(), "100".into()), ("replica-priority".into(), "100".into())]);
        let mm: Vec<String> = get(&c, &["maxmemory", "maxmemory*"]).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            mm,
            ["maxmemory", "maxmemory-clients", "maxmemory-eviction-tenacity", "maxmemory-policy", "maxmemory-samples"]
        );
        assert!(get(&c, &["nothing"]).is_empty());
        assert!(get(&c, &["watchdog*"]).is_empty());
        assert_eq!(get(&c, &["*ziplist-entries"]).len(), 2);
        assert_eq!(get(&c, &["*"]).len(), 192, "Redis's 192 names and aliases (shards is hidden)");
        assert_eq!(get(&c, &["port", "*"]).iter().filter(|(k, _)| k == "port").count(), 1);
        assert_eq!(c.config_get_raw(&[b"requirepass"]), vec![("requirepass".to_string(), Vec::new())]);
    }

    #[test]
    fn config_set_errors_match_redis() {
        // Captured from redis-server 7.0.15 replies (leading '-' removed).
        let vectors: &[(&[&[u8]], &str)] = &[
        (&[b"foo", b"bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"maxmemory", b"10", b"foo", b"bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"daemonize", b"yes", b"foo", b"bar"], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[b"foo", b"bar", b"daemonize", b"yes"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"dir", b"/tmp", b"dbfilename", b"x"], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
        (&[b"dbfilename", b"x"], "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
        (&[b"maxmemory", b"1x"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[b"MAXMEMORY", b"1x"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[b"maxmemory", b"1", b"maxmemory", b"2"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"),
        (&[b"maxmemory", b"1", b"MAXMEMORY", b"2"], "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"),
        (&[b"SLAVE-PRIORITY", b"x"], "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"),
        (&[b"port", b"abc"], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
        (&[b"hz", b"-1"], "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"),
        (&[b"activedefrag", b"yes"], "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"),
        (&[b"maxmemory", b"5", b"port", b"abc"], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
        (&[b"save", b"1 2 3"], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[b"save", b"1  2"], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[b"shutdown-on-sigint", b""], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"),
        (&[b"loglevel", b"notice "], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"),
        (&[b"maxclients", b"-1"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
        (&[b"maxmemory-clients", b"101%"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"),
        (&[b"maxmemory-clients", b"x"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"),
        (&[b"client-output-buffer-limit", b"normal 1 2"], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."),
        (&[b"oom-score-adj-values", b"1 2"], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"),
        (&[b"notify-keyspace-events", b"KEQ"], "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        (&[b"appendfilename", b"x"], "ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config"),
        (&[b"replicaof", b"a 1"], "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"),
        (&[b"slaveof", b"a 1"], "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"),
        (&[b"latency-tracking-info-percentiles", b"50 abc"], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"),
        (&[b"a\nb", b"1"], "ERR Unknown option or number of arguments for CONFIG SET - 'a b'"),
        (&[b"maxmemory", b"x\ny"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[b"bind", b"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"], "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified."),
        (&[b"lua-time-limit", b"-1"], "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument must be between 0 and 9223372036854775807 inclusive"),
        (&[b"hash-max-ziplist-entries", b"-1"], "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument must be between 0 and 9223372036854775807 inclusive"),
        (&[b"slowlog-max-len", b"-1"], "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive"),
        (&[b"tcp-keepalive", b"01"], "ERR CONFIG SET failed (possibly related to argument 'tcp-keepalive') - argument couldn't be parsed into an integer"),
        (&[b"proto-max-bulk-len", b"1k"], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"),
        (&[b"maxmemory", b"1", b"daemonize", b"yes"], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[b"dbfilename", b"a\\b"], "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
        ];
        for (pairs, expected) in vectors {
            let mut c = Config::new();
            let p: Vec<(&[u8], &[u8])> = pairs.chunks(2).map(|p| (p[0], p[1])).collect();
            let before = c.clone();
            assert_eq!(c.config_set(&p).unwrap_err(), *expected, "{pairs:?}");
            assert_eq!(get(&c, &["*"]), get(&before, &["*"]), "nothing changes on error");
        }
        let mut c = Config::new();
        let long = "x".repeat(256);
        assert_eq!(
            set(&mut c, &[("cluster-announce-hostname", &long)]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames must be less than 256 characters"
        );
    }

    #[test]
    fn config_set_semantics() {
        let mut c = Config::new();
        assert_eq!(
            set(&mut c, &[("maxmemory", "1gb"), ("MAXMEMORY-POLICY", "ALLKEYS-LRU")]).unwrap(),
            vec!["maxmemory", "maxmemory-policy"]
        );
        assert_eq!(c.get("maxmemory").unwrap(), "1073741824");
        assert_eq!(c.get("maxmemory-policy").unwrap(), "allkeys-lru");
        assert_eq!(set(&mut c, &[("maxmemory", "1073741824")]).unwrap(), Vec::<&str>::new(), "no change");
        // Atomic: the second value fails, the first is rolled back.
        assert!(set(&mut c, &[("maxmemory", "5"), ("port", "abc")]).is_err());
        assert_eq!(c.maxmemory(), 1 << 30);
        // A name and its alias are different entries for the duplicate check.
        set(&mut c, &[("slave-priority", "1"), ("replica-priority", "2")]).unwrap();
        assert_eq!(c.get("replica-priority").unwrap(), "2");
        set(&mut c, &[("hz", "1000")]).unwrap();
        assert_eq!(c.get("hz").unwrap(), "500");
        set(&mut c, &[("hz", "0")]).unwrap();
        assert_eq!(c.get("hz").unwrap(), "1");
        set(&mut c, &[("save", "1 2 3 4")]).unwrap();
        assert_eq!(c.get("save").unwrap(), "1 2 3 4");
        set(&mut c, &[("save", "")]).unwrap();
        assert_eq!(c.get("save").unwrap(), "");
        set(&mut c, &[("oom-score-adj", "relative")]).unwrap();
        assert_eq!(c.get("oom-score-adj").unwrap(), "yes");
        set(&mut c, &[("shutdown-on-sigint", "now save")]).unwrap();
        assert_eq!(c.get("shutdown-on-sigint").unwrap(), "save now");
        set(&mut c, &[("loglevel", "NOTICE")]).unwrap();
        assert_eq!(c.get("loglevel").unwrap(), "notice");
        set(&mut c, &[("maxmemory", "")]).unwrap();
        assert_eq!(c.get("maxmemory").unwrap(), "0");
        set(&mut c, &[("maxmemory", "20000000000000000000")]).unwrap();
        assert_eq!(c.get("maxmemory").unwrap(), "18446744073709551615");
        set(&mut c, &[("maxmemory-clients", "10%")]).unwrap();
        assert_eq!(c.get("maxmemory-clients").unwrap(), "10%");
        assert_eq!(c.get_int("maxmemory-clients"), -10);
        set(&mut c, &[("client-output-buffer-limit", "pubsub 1mb 2mb 3 normal 1 2 3")]).unwrap();
        assert_eq!(
            c.get("client-output-buffer-limit").unwrap(),
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 2097152 3"
        );
        set(&mut c, &[("latency-tracking-info-percentiles", "0.0001 1e-7 -0.0")]).unwrap();
        assert_eq!(c.get("latency-tracking-info-percentiles").unwrap(), "0.0001 0 -0");
        set(&mut c, &[("notify-keyspace-events", "KEA")]).unwrap();
        assert_eq!(c.get("notify-keyspace-events").unwrap(), "AKE");
        set(&mut c, &[("bind", "")]).unwrap();
        assert_eq!(c.get("bind").unwrap(), "");
        assert!(c.bind().is_empty());
        set(&mut c, &[("requirepass", "secret"), ("lua-time-limit", "100")]).unwrap();
        assert_eq!(c.requirepass(), Some(&b"secret"[..]));
        assert_eq!(c.busy_reply_threshold(), 100);
        set(&mut c, &[("requirepass", "")]).unwrap();
        assert_eq!(c.requirepass(), None);
        let binary: &[u8] = b"a\0b\xff";
        c.config_set(&[(b"requirepass", binary), (b"masteruser", binary)]).unwrap();
        assert_eq!(c.requirepass(), Some(binary), "sds strings keep every byte");
        assert_eq!(c.get_bytes("masteruser").unwrap(), b"a", "C strings stop at NUL");
        assert!(is_sensitive(b"REQUIREPASS") && is_sensitive(b"masterauth") && !is_sensitive(b"port"));
        // TLS file names always count as changed.
        assert_eq!(set(&mut c, &[("tls-cert-file", "")]).unwrap(), vec!["tls-cert-file"]);
    }

    #[test]
    fn protected_and_loading() {
        let dir = temp_dir("protected");
        let mut c = Config::from_args(&args(&["--enable-protected-configs", "local"])).unwrap();
        let pairs: [(&[u8], &[u8]); 1] = [(b"dir", dir.to_str().unwrap().as_bytes())];
        assert!(c.config_set(&pairs).unwrap_err().ends_with("can't set protected config"));
        assert_eq!(c.config_set_with(&pairs, SetContext { local_client: true, loading: false }).unwrap(), vec!["dir"]);
        assert_eq!(c.dir(), dir.to_str().unwrap());
        assert_eq!(
            c.config_set_with(&[(b"appendonly", b"yes")], SetContext { local_client: true, loading: true })
                .unwrap_err(),
            "LOADING Redis is loading the dataset in memory"
        );
        let mut y = Config::from_args(&args(&["--enable-protected-configs", "yes"])).unwrap();
        assert_eq!(
            set(&mut y, &[("dir", "/nonexistent-dir")]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        std::fs::write(dir.join("f"), "").unwrap();
        assert_eq!(
            set(&mut y, &[("dir", &format!("{}/f", dir.display()))]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory"
        );
        set(&mut y, &[("dir", dir.to_str().unwrap())]).unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        set(&mut y, &[("dir", "sub")]).unwrap();
        assert_eq!(y.dir(), dir.join("sub").to_str().unwrap(), "relative to the current dir");
        set(&mut y, &[("dir", "..")]).unwrap();
        assert_eq!(y.dir(), dir.to_str().unwrap());
        set(&mut y, &[("dbfilename", "x.rdb")]).unwrap();
        assert_eq!(y.dbfilename(), "x.rdb");
        // The server itself may set immutable values.
        assert!(y.set_internal("pidfile", b"/var/run/redis.pid").unwrap());
        assert_eq!(y.pidfile().as_deref(), Some("/var/run/redis.pid"));
        assert_eq!(
            Config::set_failed_error("port", "Unable to listen on this port. Check server logs."),
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rewrite_matches_redis() {
        let dir = temp_dir("rewrite");
        let d = dir.display();
        std::fs::write(dir.join("inc.conf"), "").unwrap();
        let original = format!(
            "# top comment\nport 7781\nsave 100 1\nsave 200 2\nmaxmemory 1mb\nslave-priority 50\nbind 127.0.0.1\n\
             rename-command FLUSHALL \"\"\n\n\n# end\nlist-max-ziplist-entries 5\nhash-max-ziplist-entries 100\n\
             include {d}/inc.conf\nrequirepass \"old pass\"\ndir {d}\n  appendonly   no  \n"
        );
        let path = dir.join("rw.conf");
        std::fs::write(&path, &original).unwrap();
        let mut c = Config::from_args(&args(&[path.to_str().unwrap()])).unwrap();
        set(
            &mut c,
            &[
                ("maxmemory", "2gb"),
                ("notify-keyspace-events", "KEA"),
                ("requirepass", ""),
                ("hash-max-ziplist-entries", "512"),
                ("slave-priority", "100"),
                ("save", ""),
                ("shutdown-on-sigterm", "force now"),
                ("maxmemory-clients", "10%"),
                ("client-output-buffer-limit", "pubsub 1mb 2mb 3"),
            ],
        )
        .unwrap();
        // A line the server would not have loaded, added after start-up.
        std::fs::write(&path, format!("{original}bogus line \"unbalanced\n")).unwrap();
        c.rewrite().unwrap();
        // Redis 7.0.15 wrote exactly this for the same steps, apart from the
        // order of the appended lines (its hash order; Clover uses table
        // order) and a "user default ..." line (Clover has no ACL users).
        let expected = format!(
            "# top comment\nport 7781\nsave \"\"\n\nmaxmemory 2gb\nreplica-priority 100\nbind 127.0.0.1\n\
             rename-command FLUSHALL \"\"\n\n# end\n# ??? list-max-ziplist-entries 5\nhash-max-listpack-entries 512\n\
             include {d}/inc.conf\n\ndir \"{d}\"\nappendonly no\n# ??? bogus line \"unbalanced\n\n\
             # Generated by CONFIG REWRITE\nshutdown-on-sigterm now force\nmaxmemory-clients 10%\n\
             client-output-buffer-limit pubsub 1mb 2mb 3\nnotify-keyspace-events \"AKE\"\n\
             latency-tracking-info-percentiles 50 99 99.9\n"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & !0o644, 0, "0644 minus the umask");
        }
        // Reloading the rewritten file gives the same configuration.
        let again = Config::from_args(&args(&[path.to_str().unwrap()])).unwrap();
        assert_eq!(get(&again, &["*"]), get(&c, &["*"]));
        // Rewriting again reproduces Redis's quirk with the three
        // client-output-buffer-limit lines: the first class reuses the old
        // line even at its default, and the changed class is appended.
        again.rewrite().unwrap();
        let second = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            second,
            expected
                .replace("client-output-buffer-limit pubsub 1mb 2mb 3\n", "client-output-buffer-limit normal 0 0 0\n")
                + "\nclient-output-buffer-limit pubsub 1mb 2mb 3\n"
        );
        again.rewrite().unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().ends_with(
            "\nclient-output-buffer-limit replica 256mb 64mb 60\n\nclient-output-buffer-limit pubsub 1mb 2mb 3\n"
        ));
        // No leftover temporary files.
        let names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(names.iter().all(|n| !n.starts_with("rw.conf.")), "{names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rewrite_new_and_missing_files() {
        assert_eq!(Config::new().rewrite().unwrap_err(), "ERR The server is running without a config file");
        let dir = temp_dir("rewrite-new");
        let path = dir.join("empty.conf");
        std::fs::write(&path, "").unwrap();
        let mut c =
            Config::from_args(&args(&[path.to_str().unwrap(), "--port", "7779", "--dir", dir.to_str().unwrap()]))
                .unwrap();
        c.rewrite().unwrap();
        // Redis wrote the same lines (in its own order, plus a default user).
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "# Generated by CONFIG REWRITE\nport 7779\ndir \"{}\"\nsave 3600 1\nsave 300 100\nsave 60 10000\n\
                 latency-tracking-info-percentiles 50 99 99.9\n",
                dir.display()
            )
        );
        // A file that no longer exists is created.
        std::fs::remove_file(&path).unwrap();
        c.rewrite().unwrap();
        assert!(path.exists());
        c.set_file(&format!("{}/no-such-dir/x.conf", dir.display()));
        assert_eq!(c.rewrite().unwrap_err(), "ERR Rewriting config file: No such file or directory");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rendered_lines() {
        let mut c = Config::new();
        assert_eq!(c.render_lines("appendonly"), vec!["appendonly no"]);
        assert_eq!(c.render_lines("bind"), Vec::<String>::new(), "default bind is left out");
        assert_eq!(c.render_lines("save"), vec!["save 3600 1", "save 300 100", "save 60 10000"]);
        assert_eq!(
            c.render_lines("client-output-buffer-limit"),
            vec![
                "client-output-buffer-limit normal 0 0 0",
                "client-output-buffer-limit replica 256mb 64mb 60",
                "client-output-buffer-limit pubsub 32mb 8mb 60"
            ]
        );
        assert_eq!(c.render_lines("proto-max-bulk-len"), vec!["proto-max-bulk-len 512mb"]);
        assert_eq!(c.render_lines("unixsocketperm"), vec!["unixsocketperm 0"]);
        assert_eq!(c.render_lines("requirepass"), Vec::<String>::new());
        assert_eq!(c.render_lines("logfile"), vec!["logfile \"\""]);
        c.load_text(b"unixsocketperm 700\nrequirepass \"a b\\\"c\"\nbind 1.2.3.4 ::1\nreplicaof h 1\nnotify-keyspace-events Ex\n").unwrap();
        assert_eq!(c.get("unixsocketperm").unwrap(), "700");
        assert_eq!(c.get_int("unixsocketperm"), 0o700);
        assert_eq!(c.render_lines("unixsocketperm"), vec!["unixsocketperm 700"]);
        assert_eq!(c.render_lines("requirepass"), vec!["requirepass \"a b\\\"c\""]);
        assert_eq!(c.render_lines("bind"), vec!["bind 1.2.3.4 ::1"]);
        assert_eq!(c.render_lines("slaveof"), vec!["replicaof h 1"]);
        assert_eq!(c.render_lines("notify-keyspace-events"), vec!["notify-keyspace-events \"xE\""]);
    }

    #[test]
    fn save_lines_in_files() {
        let c = load("save 100 1\nsave \"\"\nsave 200 2\n").unwrap();
        assert_eq!(c.get("save").unwrap(), "200 2");
        let c = load("save 100 1 200 2\nsave 300 3\n").unwrap();
        assert_eq!(c.get("save").unwrap(), "100 1 200 2 300 3");
        assert_eq!(load("port 1\n").unwrap().get("save").unwrap(), "3600 1 300 100 60 10000");
        assert_eq!(load("save 1 4294967297\n").unwrap().get("save").unwrap(), "1 1", "changes are a C int");
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet: &[u8] = b" \t\n\r\"'\\x0a-%*?[]^kKbmgG19yesno.{}\x00\xff";
        let names: Vec<&str> = DIRECTIVES.iter().map(|d| d.name).collect();
        let mut c = Config::new();
        for _ in 0..4000 {
            let len = (next() % 24) as usize;
            let v: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let name = names[(next() % names.len() as u64) as usize];
            if name == "dir" || name == "logfile" {
                continue;
            }
            let _ = c.config_set_with(&[(name.as_bytes(), &v)], SetContext { local_client: true, loading: false });
            let _ = c.config_get(&[&v]);
            let mut line = name.as_bytes().to_vec();
            line.push(b' ');
            line.extend_from_slice(&v);
            if !line.windows(7).any(|w| w == b"include") {
                let _ = c.clone().load_text(&line);
            }
            let _ = split_value(&DIRECTIVES[0], &v);
            let _ = c.render_lines(name);
        }
        let _ = rewrite::rewrite_content(&c, b"\"\nport 1 2\n\0\n#x\n\n\nsave\n");
    }
}
