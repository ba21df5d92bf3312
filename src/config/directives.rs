//! The static table of every configuration directive Clover accepts: all of
//! Redis 7.0.15's (as `CONFIG GET *` lists them on a TLS-enabled build, plus
//! the hidden ones) and Clover's own `shards`. Each row gives the name, the
//! alias, the flags, the kind with its kind-specific data, and the default
//! exactly as `CONFIG GET` prints it. Adding a directive is one row here.
//!
//! Directives that only exist in configuration files (`include`,
//! `rename-command`, `user`, `loadmodule`, `sentinel`, dotted module
//! options and the deprecated ones Redis silently skips) are handled by the
//! file reader in `parse.rs`, not by this table.
//!
//! The module also says, for the README, what Clover does with each
//! directive today: [`IMPLEMENTED_DIRECTIVES`], [`PENDING_DIRECTIVES`]
//! (accepted, shown and stored, used once a later piece of work lands) and
//! [`NOOP_DIRECTIVES`] (accepted and shown, never has an effect in Clover).

/// `CONFIG SET` refuses it: "can't set immutable config".
pub const IMMUTABLE: u32 = 1 << 0;
/// Its value is redacted from the slow log, MONITOR and the like.
pub const SENSITIVE: u32 = 1 << 1;
/// Shown by Redis's `INFO debug`-style dumps (kept for completeness).
pub const DEBUG: u32 = 1 << 2;
/// Takes several arguments (`save`, `bind`, ...): a single argument in a
/// file is split again, and `CONFIG SET` splits its value on spaces.
pub const MULTI_ARG: u32 = 1 << 3;
/// Left out of `CONFIG GET` glob matches; an exact name still finds it.
pub const HIDDEN: u32 = 1 << 4;
/// `CONFIG SET` needs `enable-protected-configs` to allow it.
pub const PROTECTED: u32 = 1 << 5;
/// `CONFIG SET` answers -LOADING while a data set is being loaded.
pub const DENY_LOADING: u32 = 1 << 6;
/// Every `CONFIG SET` counts as a change, even to the same value (files
/// whose content may have changed, like TLS certificates).
pub const VOLATILE: u32 = 1 << 7;

const INT_MIN: i128 = i32::MIN as i128;
const INT_MAX: i128 = i32::MAX as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LLONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;

/// What a directive's value is, with the data its parser needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `yes` / `no` (any case).
    Bool,
    /// An integer in Redis's strict form (no spaces, no '+', no leading
    /// zeros), within `min..=max`. `unsigned` selects Redis's unsigned range
    /// check (negative input wraps around and fails the range).
    Int { min: i128, max: i128, unsigned: bool },
    /// A byte count: a plain integer or one with a unit (`1k` = 1000,
    /// `1kb` = 1024, `m`, `mb`, `g`, `gb`, `b`); printed as plain bytes.
    /// With `percent`, `N%` is accepted too (stored negated, as in Redis).
    Memory { min: i128, max: i128, unsigned: bool, percent: bool },
    /// An octal number (`unixsocketperm`), printed in octal.
    Octal { min: i128, max: i128 },
    /// One of the names (any case); with [`MULTI_ARG`] a set of flags.
    Enum { items: &'static [(&'static str, i32)] },
    /// A string. `empty_is_null`: an empty value means "unset" (left out of
    /// rewritten files). `binary`: kept whole (Redis's sds strings); other
    /// strings stop at the first NUL byte like C strings.
    Str { empty_is_null: bool, binary: bool },
    /// Custom parsing and printing.
    Special(Special),
}

/// The directives with their own parser and printer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `dir`: the working directory; printed absolute.
    Dir,
    /// `save`: pairs of seconds and changes; `""` for none.
    Save,
    /// `client-output-buffer-limit`: class, hard, soft, soft seconds.
    ClientOutputBufferLimit,
    /// `oom-score-adj-values`: three integers in -2000..=2000.
    OomScoreAdjValues,
    /// `notify-keyspace-events`: a string of event class letters.
    NotifyKeyspaceEvents,
    /// `bind`: up to 16 addresses.
    Bind,
    /// `replicaof` / `slaveof`: host and port, or `no one`.
    ReplicaOf,
    /// `latency-tracking-info-percentiles`: floats in 0..=100.
    LatencyPercentiles,
}

/// Extra validation (or adjustment) after the kind's own parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    None,
    /// `activedefrag yes` is refused: Clover has no defragmenter (like a
    /// Redis built without Jemalloc's defrag support).
    NoActiveDefrag,
    /// No '/' or '\\' in `dbfilename`.
    DbFilename,
    /// Not empty, no '/' or '\\'.
    AofFilename,
    /// Not empty, no '/' or '\\'.
    AofDirname,
    /// `save` and `nosave` together are refused.
    ShutdownFlags,
    /// Fewer than 256 bytes of letters, digits, '-' and '.'.
    Hostname,
    /// A valid `proc-title-template` that does not expand to nothing.
    ProcTitle,
    /// `hz` is accepted as any non-negative int and clamped to 1..=500.
    ClampHz,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Directive {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
    /// The default exactly as `CONFIG GET` prints it (for `dir`: empty,
    /// meaning the working directory at start-up).
    pub default: &'static str,
    pub check: Check,
}

impl Directive {
    /// True when every bit of `flag` is set.
    pub const fn has(&self, flag: u32) -> bool {
        self.flags & flag == flag
    }

    const fn check(mut self, check: Check) -> Directive {
        self.check = check;
        self
    }

    /// True for `MULTI_ARG` enums, whose value is a set of flags.
    pub const fn is_flag_set(&self) -> bool {
        matches!(self.kind, Kind::Enum { .. }) && self.has(MULTI_ARG)
    }
}

const fn row(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    kind: Kind,
    default: &'static str,
) -> Directive {
    Directive { name, alias, flags, kind, default, check: Check::None }
}

const fn boolean(name: &'static str, alias: Option<&'static str>, flags: u32, default: &'static str) -> Directive {
    row(name, alias, flags, Kind::Bool, default)
}

const fn int(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Int { min, max, unsigned: false }, default)
}

const fn uint(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Int { min, max, unsigned: true }, default)
}

const fn memory(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Memory { min, max, unsigned: false, percent: false }, default)
}

const fn umemory(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Memory { min, max, unsigned: true, percent: false }, default)
}

const fn memory_percent(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Memory { min, max, unsigned: false, percent: true }, default)
}

const fn octal(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i128,
    max: i128,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Octal { min, max }, default)
}

const fn enumeration(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    items: &'static [(&'static str, i32)],
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Enum { items }, default)
}

const fn string(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    empty_is_null: bool,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Str { empty_is_null, binary: false }, default)
}

const fn sds(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    empty_is_null: bool,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Str { empty_is_null, binary: true }, default)
}

const fn special(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    s: Special,
    default: &'static str,
) -> Directive {
    row(name, alias, flags, Kind::Special(s), default)
}

// Enum tables: names in Redis's order (it matters for error texts and for
// which name is printed when two share a value), values as in Redis.
pub const SUPERVISED: &[(&str, i32)] = &[("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)];
pub const SYSLOG_FACILITY: &[(&str, i32)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
pub const REPL_DISKLESS_LOAD: &[(&str, i32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
pub const LOGLEVEL: &[(&str, i32)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub const MAXMEMORY_POLICY: &[(&str, i32)] = &[
    ("volatile-lru", 1),
    ("volatile-lfu", 258),
    ("volatile-random", 768),
    ("volatile-ttl", 512),
    ("allkeys-lru", 1029),
    ("allkeys-lfu", 1286),
    ("allkeys-random", 1540),
    ("noeviction", 1792),
];
pub const APPENDFSYNC: &[(&str, i32)] = &[("everysec", 2), ("always", 1), ("no", 0)];
pub const OOM_SCORE_ADJ: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
pub const ACL_PUBSUB_DEFAULT: &[(&str, i32)] = &[("allchannels", 8), ("resetchannels", 0)];
pub const SANITIZE_DUMP_PAYLOAD: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
/// `enable-protected-configs`, `enable-debug-command`, `enable-module-command`.
pub const PROTECTED_ACTION: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];
pub const ENDPOINT_TYPE: &[(&str, i32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
pub const PROPAGATION_ERROR: &[(&str, i32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
/// Flags: save = 1, nosave = 2, now = 4, force = 8.
pub const SHUTDOWN_ON_SIG: &[(&str, i32)] = &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];
pub const TLS_AUTH_CLIENTS: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];

/// Every directive, in Redis's table order (which is also the order in
/// which CONFIG REWRITE appends lines), then Clover's own.
pub static DIRECTIVES: &[Directive] = &[
    boolean("rdbchecksum", None, IMMUTABLE, "yes"),
    boolean("daemonize", None, IMMUTABLE, "no"),
    boolean("io-threads-do-reads", None, DEBUG | IMMUTABLE, "no"),
    boolean("always-show-logo", None, IMMUTABLE, "no"),
    boolean("protected-mode", None, 0, "yes"),
    boolean("rdbcompression", None, 0, "yes"),
    boolean("rdb-del-sync-files", None, 0, "no"),
    boolean("activerehashing", None, 0, "yes"),
    boolean("stop-writes-on-bgsave-error", None, 0, "yes"),
    boolean("set-proc-title", None, IMMUTABLE, "yes"),
    boolean("dynamic-hz", None, 0, "yes"),
    boolean("lazyfree-lazy-eviction", None, DEBUG, "no"),
    boolean("lazyfree-lazy-expire", None, DEBUG, "no"),
    boolean("lazyfree-lazy-server-del", None, DEBUG, "no"),
    boolean("lazyfree-lazy-user-del", None, DEBUG, "no"),
    boolean("lazyfree-lazy-user-flush", None, DEBUG, "no"),
    boolean("repl-disable-tcp-nodelay", None, 0, "no"),
    boolean("repl-diskless-sync", None, DEBUG, "yes"),
    boolean("aof-rewrite-incremental-fsync", None, 0, "yes"),
    boolean("no-appendfsync-on-rewrite", None, 0, "no"),
    boolean("cluster-require-full-coverage", None, 0, "yes"),
    boolean("rdb-save-incremental-fsync", None, 0, "yes"),
    boolean("aof-load-truncated", None, 0, "yes"),
    boolean("aof-use-rdb-preamble", None, 0, "yes"),
    boolean("aof-timestamp-enabled", None, 0, "no"),
    boolean("cluster-replica-no-failover", Some("cluster-slave-no-failover"), 0, "no"),
    boolean("replica-lazy-flush", Some("slave-lazy-flush"), 0, "no"),
    boolean("replica-serve-stale-data", Some("slave-serve-stale-data"), 0, "yes"),
    boolean("replica-read-only", Some("slave-read-only"), DEBUG, "yes"),
    boolean("replica-ignore-maxmemory", Some("slave-ignore-maxmemory"), 0, "yes"),
    boolean("jemalloc-bg-thread", None, 0, "yes"),
    boolean("activedefrag", None, DEBUG, "no").check(Check::NoActiveDefrag),
    boolean("syslog-enabled", None, IMMUTABLE, "no"),
    boolean("cluster-enabled", None, IMMUTABLE, "no"),
    boolean("appendonly", None, DENY_LOADING, "no"),
    boolean("cluster-allow-reads-when-down", None, 0, "no"),
    boolean("cluster-allow-pubsubshard-when-down", None, 0, "yes"),
    boolean("crash-log-enabled", None, 0, "yes"),
    boolean("crash-memcheck-enabled", None, 0, "yes"),
    boolean("use-exit-on-panic", None, HIDDEN, "no"),
    boolean("disable-thp", None, IMMUTABLE, "yes"),
    boolean("cluster-allow-replica-migration", None, 0, "yes"),
    boolean("replica-announced", None, 0, "yes"),
    boolean("latency-tracking", None, 0, "yes"),
    boolean("aof-disable-auto-gc", None, 0, "no"),
    boolean("replica-ignore-disk-write-errors", None, 0, "no"),
    boolean("lua-enable-deprecated-api", None, IMMUTABLE | HIDDEN, "no"),
    string("aclfile", None, IMMUTABLE, false, ""),
    string("unixsocket", None, IMMUTABLE, true, ""),
    string("pidfile", None, IMMUTABLE, true, ""),
    string("replica-announce-ip", Some("slave-announce-ip"), 0, true, ""),
    string("masteruser", None, SENSITIVE, true, ""),
    string("cluster-announce-ip", None, 0, true, ""),
    string("cluster-config-file", None, IMMUTABLE, false, "nodes.conf"),
    string("cluster-announce-hostname", None, 0, true, "").check(Check::Hostname),
    string("syslog-ident", None, IMMUTABLE, false, "redis"),
    string("dbfilename", None, PROTECTED, false, "dump.rdb").check(Check::DbFilename),
    string("appendfilename", None, IMMUTABLE, false, "appendonly.aof").check(Check::AofFilename),
    string("appenddirname", None, IMMUTABLE, false, "appendonlydir").check(Check::AofDirname),
    string("server_cpulist", None, IMMUTABLE, true, ""),
    string("bio_cpulist", None, IMMUTABLE, true, ""),
    string("aof_rewrite_cpulist", None, IMMUTABLE, true, ""),
    string("bgsave_cpulist", None, IMMUTABLE, true, ""),
    string("ignore-warnings", None, 0, false, ""),
    string("proc-title-template", None, 0, false, "{title} {listen-addr} {server-mode}").check(Check::ProcTitle),
    string("bind-source-addr", None, 0, true, ""),
    string("logfile", None, IMMUTABLE, false, ""),
    sds("masterauth", None, SENSITIVE, true, ""),
    sds("requirepass", None, SENSITIVE, true, ""),
    enumeration("supervised", None, IMMUTABLE, SUPERVISED, "no"),
    enumeration("syslog-facility", None, IMMUTABLE, SYSLOG_FACILITY, "local0"),
    enumeration("repl-diskless-load", None, DEBUG | DENY_LOADING, REPL_DISKLESS_LOAD, "disabled"),
    enumeration("loglevel", None, 0, LOGLEVEL, "notice"),
    enumeration("maxmemory-policy", None, 0, MAXMEMORY_POLICY, "noeviction"),
    enumeration("appendfsync", None, 0, APPENDFSYNC, "everysec"),
    enumeration("oom-score-adj", None, 0, OOM_SCORE_ADJ, "no"),
    enumeration("acl-pubsub-default", None, 0, ACL_PUBSUB_DEFAULT, "resetchannels"),
    enumeration("sanitize-dump-payload", None, DEBUG, SANITIZE_DUMP_PAYLOAD, "no"),
    enumeration("enable-protected-configs", None, IMMUTABLE, PROTECTED_ACTION, "no"),
    enumeration("enable-debug-command", None, IMMUTABLE, PROTECTED_ACTION, "no"),
    enumeration("enable-module-command", None, IMMUTABLE, PROTECTED_ACTION, "no"),
    enumeration("cluster-preferred-endpoint-type", None, 0, ENDPOINT_TYPE, "ip"),
    enumeration("propagation-error-behavior", None, 0, PROPAGATION_ERROR, "ignore"),
    enumeration("shutdown-on-sigint", None, MULTI_ARG, SHUTDOWN_ON_SIG, "default").check(Check::ShutdownFlags),
    enumeration("shutdown-on-sigterm", None, MULTI_ARG, SHUTDOWN_ON_SIG, "default").check(Check::ShutdownFlags),
    int("databases", None, IMMUTABLE, 1, INT_MAX, "16"),
    int("port", None, 0, 0, 65535, "6379"),
    int("io-threads", None, DEBUG | IMMUTABLE, 1, 128, "1"),
    int("auto-aof-rewrite-percentage", None, 0, 0, INT_MAX, "100"),
    int("cluster-replica-validity-factor", Some("cluster-slave-validity-factor"), 0, 0, INT_MAX, "10"),
    int("list-max-listpack-size", Some("list-max-ziplist-size"), 0, INT_MIN, INT_MAX, "-2"),
    int("tcp-keepalive", None, 0, 0, INT_MAX, "300"),
    int("cluster-migration-barrier", None, 0, 0, INT_MAX, "1"),
    int("active-defrag-cycle-min", None, 0, 1, 99, "1"),
    int("active-defrag-cycle-max", None, 0, 1, 99, "25"),
    int("active-defrag-threshold-lower", None, 0, 0, 1000, "10"),
    int("active-defrag-threshold-upper", None, 0, 0, 1000, "100"),
    int("lfu-log-factor", None, 0, 0, INT_MAX, "10"),
    int("lfu-decay-time", None, 0, 0, INT_MAX, "1"),
    int("replica-priority", Some("slave-priority"), 0, 0, INT_MAX, "100"),
    int("repl-diskless-sync-delay", None, 0, 0, INT_MAX, "5"),
    int("maxmemory-samples", None, 0, 1, INT_MAX, "5"),
    int("maxmemory-eviction-tenacity", None, 0, 0, 100, "10"),
    int("timeout", None, 0, 0, INT_MAX, "0"),
    int("replica-announce-port", Some("slave-announce-port"), 0, 0, 65535, "0"),
    int("tcp-backlog", None, IMMUTABLE, 0, INT_MAX, "511"),
    int("cluster-port", None, IMMUTABLE, 0, 65535, "0"),
    int("cluster-announce-bus-port", None, 0, 0, 65535, "0"),
    int("cluster-announce-port", None, 0, 0, 65535, "0"),
    int("cluster-announce-tls-port", None, 0, 0, 65535, "0"),
    int("repl-timeout", None, 0, 1, INT_MAX, "60"),
    int("repl-ping-replica-period", Some("repl-ping-slave-period"), 0, 1, INT_MAX, "10"),
    int("list-compress-depth", None, DEBUG, 0, INT_MAX, "0"),
    int("rdb-key-save-delay", None, HIDDEN, INT_MIN, INT_MAX, "0"),
    int("key-load-delay", None, HIDDEN, INT_MIN, INT_MAX, "0"),
    int("active-expire-effort", None, 0, 1, 10, "1"),
    int("hz", None, 0, 0, INT_MAX, "10").check(Check::ClampHz),
    int("min-replicas-to-write", Some("min-slaves-to-write"), 0, 0, INT_MAX, "0"),
    int("min-replicas-max-lag", Some("min-slaves-max-lag"), 0, 0, INT_MAX, "10"),
    int("watchdog-period", None, HIDDEN, 0, INT_MAX, "0"),
    int("shutdown-timeout", None, 0, 0, INT_MAX, "10"),
    int("repl-diskless-sync-max-replicas", None, 0, 0, INT_MAX, "0"),
    uint("maxclients", None, 0, 1, UINT_MAX, "10000"),
    octal("unixsocketperm", None, IMMUTABLE, 0, 511, "0"),
    uint("socket-mark-id", None, IMMUTABLE, 0, UINT_MAX, "0"),
    int("active-defrag-max-scan-fields", None, 0, 1, LLONG_MAX, "1000"),
    int("slowlog-max-len", None, 0, 0, LLONG_MAX, "128"),
    int("acllog-max-len", None, 0, 0, LLONG_MAX, "128"),
    int("busy-reply-threshold", Some("lua-time-limit"), 0, 0, LLONG_MAX, "5000"),
    int("cluster-node-timeout", None, 0, 0, LLONG_MAX, "15000"),
    int("slowlog-log-slower-than", None, 0, -1, LLONG_MAX, "10000"),
    int("latency-monitor-threshold", None, 0, 0, LLONG_MAX, "0"),
    memory("proto-max-bulk-len", None, DEBUG, 1048576, LLONG_MAX, "536870912"),
    int("stream-node-max-entries", None, 0, 0, LLONG_MAX, "100"),
    memory("repl-backlog-size", None, 0, 1, LLONG_MAX, "1048576"),
    umemory("maxmemory", None, 0, 0, ULLONG_MAX, "0"),
    umemory("cluster-link-sendbuf-limit", None, 0, 0, ULLONG_MAX, "0"),
    uint("hash-max-listpack-entries", Some("hash-max-ziplist-entries"), 0, 0, LLONG_MAX, "512"),
    uint("set-max-intset-entries", None, 0, 0, LLONG_MAX, "512"),
    uint("zset-max-listpack-entries", Some("zset-max-ziplist-entries"), 0, 0, LLONG_MAX, "128"),
    umemory("active-defrag-ignore-bytes", None, 0, 1, LLONG_MAX, "104857600"),
    umemory("hash-max-listpack-value", Some("hash-max-ziplist-value"), 0, 0, LLONG_MAX, "64"),
    umemory("stream-node-max-bytes", None, 0, 0, LLONG_MAX, "4096"),
    umemory("zset-max-listpack-value", Some("zset-max-ziplist-value"), 0, 0, LLONG_MAX, "64"),
    umemory("hll-sparse-max-bytes", None, 0, 0, LLONG_MAX, "3000"),
    uint("tracking-table-max-keys", None, 0, 0, LLONG_MAX, "1000000"),
    umemory("client-query-buffer-limit", None, DEBUG, 1048576, LLONG_MAX, "1073741824"),
    memory_percent("maxmemory-clients", None, 0, -100, LLONG_MAX, "0"),
    int("repl-backlog-ttl", None, 0, 0, LLONG_MAX, "3600"),
    memory("auto-aof-rewrite-min-size", None, 0, 0, LLONG_MAX, "67108864"),
    int("loading-process-events-interval-bytes", None, HIDDEN, 1024, INT_MAX, "2097152"),
    int("tls-port", None, 0, 0, 65535, "0"),
    int("tls-session-cache-size", None, 0, 0, INT_MAX, "20480"),
    int("tls-session-cache-timeout", None, 0, 0, INT_MAX, "300"),
    boolean("tls-cluster", None, 0, "no"),
    boolean("tls-replication", None, 0, "no"),
    enumeration("tls-auth-clients", None, 0, TLS_AUTH_CLIENTS, "yes"),
    boolean("tls-prefer-server-ciphers", None, 0, "no"),
    boolean("tls-session-caching", None, 0, "yes"),
    string("tls-cert-file", None, VOLATILE, true, ""),
    string("tls-key-file", None, VOLATILE, true, ""),
    string("tls-key-file-pass", None, 0, true, ""),
    string("tls-client-cert-file", None, VOLATILE, true, ""),
    string("tls-client-key-file", None, VOLATILE, true, ""),
    string("tls-client-key-file-pass", None, 0, true, ""),
    string("tls-dh-params-file", None, VOLATILE, true, ""),
    string("tls-ca-cert-file", None, VOLATILE, true, ""),
    string("tls-ca-cert-dir", None, VOLATILE, true, ""),
    string("tls-protocols", None, 0, true, ""),
    string("tls-ciphers", None, 0, true, ""),
    string("tls-ciphersuites", None, 0, true, ""),
    special("dir", None, PROTECTED | DENY_LOADING, Special::Dir, ""),
    special("save", None, MULTI_ARG, Special::Save, "3600 1 300 100 60 10000"),
    special(
        "client-output-buffer-limit",
        None,
        MULTI_ARG,
        Special::ClientOutputBufferLimit,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    special("oom-score-adj-values", None, MULTI_ARG, Special::OomScoreAdjValues, "0 200 800"),
    special("notify-keyspace-events", None, 0, Special::NotifyKeyspaceEvents, ""),
    special("bind", None, MULTI_ARG, Special::Bind, "127.0.0.1 -::1"),
    special("replicaof", Some("slaveof"), IMMUTABLE | MULTI_ARG, Special::ReplicaOf, ""),
    special("latency-tracking-info-percentiles", None, MULTI_ARG, Special::LatencyPercentiles, "50 99 99.9"),
    // Clover's own: how many shards (threads, one per CPU) to run; 0 means
    // one per CPU the process may run on. Hidden from `CONFIG GET *` (named
    // in full it answers), so that tools which set back every config they
    // read do not trip over an immutable one they do not know.
    int("shards", None, IMMUTABLE | HIDDEN, 0, 1024, "0"),
];

/// Directives the server core acts on today.
pub const IMPLEMENTED_DIRECTIVES: &[&str] = &[
    "port",
    "appendonly",
    "appendfsync",
    "appendfilename",
    "appenddirname",
    "aof-load-truncated",
    "aof-timestamp-enabled",
    "aof-use-rdb-preamble",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "lazyfree-lazy-expire",
    "bind",
    "protected-mode",
    "dir",
    "logfile",
    "loglevel",
    "pidfile",
    "daemonize",
    "always-show-logo",
    "databases",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    "timeout",
    "tcp-keepalive",
    "maxclients",
    "proto-max-bulk-len",
    "client-query-buffer-limit",
    "requirepass",
    "shards",
    "hz",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "enable-debug-command",
    "enable-protected-configs",
    "list-max-listpack-size",
    "hll-sparse-max-bytes",
    "stream-node-max-entries",
    "stream-node-max-bytes",
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "set-max-intset-entries",
    "save",
    "dbfilename",
    "rdbcompression",
    "rdbchecksum",
    "stop-writes-on-bgsave-error",
    "rdb-key-save-delay",
    "key-load-delay",
    "shutdown-on-sigterm",
    "shutdown-on-sigint",
];

const PERSISTENCE: &str = "pending: persistence (RDB/AOF) is not implemented yet";
const REPLICATION: &str = "pending: replication is not implemented yet";
const CLUSTER: &str = "pending: Redis Cluster mode (gossip bus, failover) is not implemented yet";
const MEMORY: &str = "pending: maxmemory and eviction are not implemented yet";
const ENCODING: &str = "pending: compact encodings (listpack/intset thresholds) are not implemented yet";
const ACL: &str = "pending: ACL users are not implemented yet (requirepass is)";
const SCRIPTING: &str = "pending: Lua scripting and functions are not implemented yet";
const TLS: &str = "no TLS support: accepted and shown, no TLS listener or TLS connection is ever made";
const DEFRAG: &str = "no active defragmentation: Clover does not use Jemalloc's defrag hooks";
const LAZYFREE: &str = "no background free thread: values are freed on the shard that owns them";
const CPULIST: &str = "thread placement is Clover's own: one shard per CPU (see `shards`)";
const SYSLOG: &str = "no syslog: Clover logs to stdout or to `logfile`";

/// Accepted, shown and stored, but used only once a later piece of work
/// lands; the reason says which.
pub const PENDING_DIRECTIVES: &[(&str, &str)] = &[
    ("rdb-del-sync-files", REPLICATION),
    ("aof-rewrite-incremental-fsync", PERSISTENCE),
    ("no-appendfsync-on-rewrite", PERSISTENCE),
    ("rdb-save-incremental-fsync", PERSISTENCE),
    ("aof-disable-auto-gc", PERSISTENCE),
    ("loading-process-events-interval-bytes", PERSISTENCE),
    ("shutdown-timeout", REPLICATION),
    ("replicaof", REPLICATION),
    ("masterauth", REPLICATION),
    ("masteruser", REPLICATION),
    ("replica-lazy-flush", REPLICATION),
    ("replica-serve-stale-data", REPLICATION),
    ("replica-read-only", REPLICATION),
    ("replica-ignore-maxmemory", REPLICATION),
    ("replica-announced", REPLICATION),
    ("replica-ignore-disk-write-errors", REPLICATION),
    ("replica-announce-ip", REPLICATION),
    ("replica-announce-port", REPLICATION),
    ("replica-priority", REPLICATION),
    ("repl-disable-tcp-nodelay", REPLICATION),
    ("repl-diskless-sync", REPLICATION),
    ("repl-diskless-sync-delay", REPLICATION),
    ("repl-diskless-sync-max-replicas", REPLICATION),
    ("repl-diskless-load", REPLICATION),
    ("repl-timeout", REPLICATION),
    ("repl-ping-replica-period", REPLICATION),
    ("repl-backlog-size", REPLICATION),
    ("repl-backlog-ttl", REPLICATION),
    ("min-replicas-to-write", REPLICATION),
    ("min-replicas-max-lag", REPLICATION),
    ("propagation-error-behavior", REPLICATION),
    ("bind-source-addr", REPLICATION),
    ("cluster-enabled", CLUSTER),
    ("cluster-config-file", CLUSTER),
    ("cluster-node-timeout", CLUSTER),
    ("cluster-port", CLUSTER),
    ("cluster-announce-ip", CLUSTER),
    ("cluster-announce-hostname", CLUSTER),
    ("cluster-announce-port", CLUSTER),
    ("cluster-announce-bus-port", CLUSTER),
    ("cluster-announce-tls-port", CLUSTER),
    ("cluster-require-full-coverage", CLUSTER),
    ("cluster-replica-no-failover", CLUSTER),
    ("cluster-replica-validity-factor", CLUSTER),
    ("cluster-migration-barrier", CLUSTER),
    ("cluster-allow-reads-when-down", CLUSTER),
    ("cluster-allow-pubsubshard-when-down", CLUSTER),
    ("cluster-allow-replica-migration", CLUSTER),
    ("cluster-preferred-endpoint-type", CLUSTER),
    ("cluster-link-sendbuf-limit", CLUSTER),
    ("maxmemory", MEMORY),
    ("maxmemory-policy", MEMORY),
    ("maxmemory-samples", MEMORY),
    ("maxmemory-eviction-tenacity", MEMORY),
    ("maxmemory-clients", MEMORY),
    ("lfu-log-factor", MEMORY),
    ("lfu-decay-time", MEMORY),
    ("list-compress-depth", ENCODING),
    ("aclfile", ACL),
    ("acllog-max-len", ACL),
    ("acl-pubsub-default", ACL),
    ("busy-reply-threshold", SCRIPTING),
    ("lua-enable-deprecated-api", SCRIPTING),
    ("notify-keyspace-events", "pending: keyspace notifications wait for Pub/Sub"),
    ("tracking-table-max-keys", "pending: client-side caching (CLIENT TRACKING) is not implemented yet"),
    ("client-output-buffer-limit", "pending: output buffer limits are not enforced yet"),
    ("active-expire-effort", "pending: the active expire cycle does not read it yet"),
    ("unixsocket", "pending: no Unix socket listener yet"),
    ("unixsocketperm", "pending: no Unix socket listener yet"),
    ("tcp-backlog", "pending: the listener does not pass it to listen() yet"),
];

/// Accepted and shown (CONFIG GET/SET/REWRITE work on them), but they have
/// no effect in Clover; the reason says why.
pub const NOOP_DIRECTIVES: &[(&str, &str)] = &[
    ("sanitize-dump-payload", "RESTORE payloads and RDB files are always fully validated, as with `yes`"),
    ("io-threads", "thread-per-core shards do all network I/O; there are no I/O threads"),
    ("io-threads-do-reads", "thread-per-core shards do all network I/O; there are no I/O threads"),
    ("activerehashing", "Clover's hash tables do not use Redis's incremental rehash step"),
    ("dynamic-hz", "each shard's timer runs at `hz`; it is not scaled by the client count"),
    ("set-proc-title", "Clover never changes its process title"),
    ("proc-title-template", "Clover never changes its process title"),
    ("jemalloc-bg-thread", "Clover does not use Jemalloc"),
    ("activedefrag", DEFRAG),
    ("active-defrag-cycle-min", DEFRAG),
    ("active-defrag-cycle-max", DEFRAG),
    ("active-defrag-threshold-lower", DEFRAG),
    ("active-defrag-threshold-upper", DEFRAG),
    ("active-defrag-ignore-bytes", DEFRAG),
    ("active-defrag-max-scan-fields", DEFRAG),
    ("lazyfree-lazy-eviction", LAZYFREE),
    ("lazyfree-lazy-server-del", LAZYFREE),
    ("lazyfree-lazy-user-del", LAZYFREE),
    ("lazyfree-lazy-user-flush", LAZYFREE),
    ("server_cpulist", CPULIST),
    ("bio_cpulist", CPULIST),
    ("aof_rewrite_cpulist", CPULIST),
    ("bgsave_cpulist", CPULIST),
    ("syslog-enabled", SYSLOG),
    ("syslog-ident", SYSLOG),
    ("syslog-facility", SYSLOG),
    ("supervised", "no systemd/upstart readiness notification"),
    ("crash-log-enabled", "Rust panics are reported by the runtime; there is no crash log with a memory test"),
    ("crash-memcheck-enabled", "Rust panics are reported by the runtime; there is no crash log with a memory test"),
    ("use-exit-on-panic", "Rust panics are reported by the runtime; there is no crash log with a memory test"),
    ("watchdog-period", "no software watchdog (SIGALRM stack dumps)"),
    ("disable-thp", "Clover does not change the transparent huge pages setting"),
    ("oom-score-adj", "Clover does not write /proc/self/oom_score_adj"),
    ("oom-score-adj-values", "Clover does not write /proc/self/oom_score_adj"),
    ("socket-mark-id", "sockets are not marked (SO_MARK)"),
    ("ignore-warnings", "Clover has no start-up system checks to silence"),
    ("enable-module-command", "Clover does not support modules; MODULE is never available"),
    ("tls-port", TLS),
    ("tls-cert-file", TLS),
    ("tls-key-file", TLS),
    ("tls-key-file-pass", TLS),
    ("tls-client-cert-file", TLS),
    ("tls-client-key-file", TLS),
    ("tls-client-key-file-pass", TLS),
    ("tls-dh-params-file", TLS),
    ("tls-ca-cert-file", TLS),
    ("tls-ca-cert-dir", TLS),
    ("tls-auth-clients", TLS),
    ("tls-replication", TLS),
    ("tls-cluster", TLS),
    ("tls-protocols", TLS),
    ("tls-ciphers", TLS),
    ("tls-ciphersuites", TLS),
    ("tls-prefer-server-ciphers", TLS),
    ("tls-session-caching", TLS),
    ("tls-session-cache-size", TLS),
    ("tls-session-cache-timeout", TLS),
];
