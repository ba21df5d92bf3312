//! What a command is: `CommandSpec`, its flags, key specs and handler kinds.

use super::ctx::ExecCtx;
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;
use std::future::Future;
use std::pin::Pin;

/// Runs on the shard that owns the command's keys (or on a temporary
/// keyspace holding them, for a multi-shard command).
pub type ShardFn = fn(&mut ExecCtx<'_>, &[Bytes]) -> Reply;
/// Runs on the connection's core with the client's state, synchronously.
pub type ClientFn = fn(&mut Client, &[Bytes]) -> Reply;
/// A future returned by a `ServerFn`.
pub type LocalFuture<'a> = Pin<Box<dyn Future<Output = Reply> + 'a>>;
/// Runs on the connection's core and may wait for other cores.
pub type ServerFn = for<'a> fn(&'a mut Client, Vec<Bytes>) -> LocalFuture<'a>;

/// A command's own key finder (Redis's getkeys_proc), for commands whose
/// keys their specs cannot locate: pushes each key's index with its flags.
pub type GetKeysFn = fn(&[Bytes], &mut Vec<(usize, &'static [&'static str])>);

/// Keys a command reaches through the values of its own keys (SORT's BY
/// and GET patterns name keys built from the elements it sorts). When they
/// may live on other shards, the coordinator locks every shard, asks `keys`
/// (with the command's own keys at hand in the context) which keys the
/// command will read, and fetches them before running it.
#[derive(Clone, Copy)]
pub struct DerivedKeys {
    /// Whether these arguments read such keys at all (checked before any
    /// lock is taken).
    pub needed: fn(&[Bytes]) -> bool,
    /// The keys the command will read besides its own.
    pub keys: fn(&mut ExecCtx<'_>, &[Bytes]) -> Vec<Bytes>,
}

/// How a command executes.
#[derive(Clone, Copy)]
pub enum Exec {
    Shard(ShardFn),
    Client(ClientFn),
    Server(ServerFn),
    /// A container command (CONFIG, CLIENT, ...): dispatch to a subcommand.
    Container,
}

/// Command flags, as COMMAND INFO names them.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const ASKING: u32 = 1 << 11;
    pub const FAST: u32 = 1 << 12;
    pub const NO_AUTH: u32 = 1 << 13;
    pub const MAY_REPLICATE: u32 = 1 << 14;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 15;
    pub const NO_ASYNC_LOADING: u32 = 1 << 16;
    pub const NO_MULTI: u32 = 1 << 17;
    pub const ALLOW_BUSY: u32 = 1 << 18;
    pub const SENTINEL: u32 = 1 << 19;
    pub const ONLY_SENTINEL: u32 = 1 << 20;

    /// Flag names in the order Redis prints them.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories a command declares beyond those its flags imply.
pub mod acl {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const READ: u32 = 1 << 1;
    pub const WRITE: u32 = 1 << 2;
    pub const SET: u32 = 1 << 3;
    pub const SORTEDSET: u32 = 1 << 4;
    pub const LIST: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const STRING: u32 = 1 << 7;
    pub const BITMAP: u32 = 1 << 8;
    pub const HYPERLOGLOG: u32 = 1 << 9;
    pub const GEO: u32 = 1 << 10;
    pub const STREAM: u32 = 1 << 11;
    pub const PUBSUB: u32 = 1 << 12;
    pub const ADMIN: u32 = 1 << 13;
    pub const FAST: u32 = 1 << 14;
    pub const SLOW: u32 = 1 << 15;
    pub const BLOCKING: u32 = 1 << 16;
    pub const DANGEROUS: u32 = 1 << 17;
    pub const CONNECTION: u32 = 1 << 18;
    pub const TRANSACTION: u32 = 1 << 19;
    pub const SCRIPTING: u32 = 1 << 20;

    pub const NAMES: &[(u32, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// Where the search for a key spec's keys begins (Redis 7 key specs).
#[derive(Clone, Copy, Debug)]
pub enum Begin {
    /// At a fixed argument index.
    Index(usize),
    /// After `keyword`, searched from `startfrom` (negative: from the end,
    /// backwards).
    Keyword { keyword: &'static str, startfrom: i32 },
    /// Not described by a spec (SORT's BY/GET patterns and STORE): the
    /// command's getkeys procedure, if any, finds them.
    Unknown,
}

/// How a key spec finds its keys from where the search began.
#[derive(Clone, Copy, Debug)]
pub enum Find {
    /// Keys from the begin index up to `lastkey` (relative; -1 = the last
    /// argument), every `step`; `limit` > 1 keeps that share of the rest.
    Range { lastkey: i32, step: usize, limit: usize },
    /// The number of keys is at `keynumidx` (relative), the first key at
    /// `firstkey` (relative), every `step`.
    Keynum { keynumidx: usize, firstkey: usize, step: usize },
    /// Paired with `Begin::Unknown`.
    Unknown,
}

/// One Redis 7 key spec.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    /// Key spec flags as COMMAND INFO prints them (RW, RO, OW, RM, ACCESS,
    /// UPDATE, INSERT, DELETE, NOT_KEY, INCOMPLETE, VARIABLE_FLAGS).
    pub flags: &'static [&'static str],
    pub begin: Begin,
    pub find: Find,
}

/// Shorthands for the common key specs.
pub mod ks {
    use super::{Begin, Find, KeySpec};

    /// The key at `index`.
    pub const fn at(index: usize, flags: &'static [&'static str]) -> KeySpec {
        KeySpec { flags, begin: Begin::Index(index), find: Find::Range { lastkey: 0, step: 1, limit: 0 } }
    }

    /// Every `step`-th argument from `index` to the end (`lastkey` -1) or
    /// up to the argument `lastkey` from the end.
    pub const fn range(index: usize, lastkey: i32, step: usize, flags: &'static [&'static str]) -> KeySpec {
        KeySpec { flags, begin: Begin::Index(index), find: Find::Range { lastkey, step, limit: 0 } }
    }

    /// Keys no spec can locate (COMMAND INFO says "unknown").
    pub const fn unknown(flags: &'static [&'static str]) -> KeySpec {
        KeySpec { flags, begin: Begin::Unknown, find: Find::Unknown }
    }

    /// A count at `index`, keys right after it.
    pub const fn keynum(index: usize, flags: &'static [&'static str]) -> KeySpec {
        KeySpec { flags, begin: Begin::Index(index), find: Find::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }
    }
}

/// Everything Clover knows about one command.
pub struct CommandSpec {
    /// Lower-case name; "parent|sub" for subcommands.
    pub name: &'static str,
    /// Redis arity: exact argument count, or at least -arity when negative
    /// (the command name included).
    pub arity: i32,
    pub flags: u32,
    /// ACL categories besides those the flags imply.
    pub acl: u32,
    pub key_specs: Vec<KeySpec>,
    pub group: &'static str,
    pub summary: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    /// COMMAND DOCS arguments are not described yet; tips as Redis prints.
    pub tips: &'static [&'static str],
    pub exec: Exec,
    pub subcommands: Vec<CommandSpec>,
    /// How a blocking command waits (BLPOP ...); None for the others.
    pub block: Option<&'static crate::server::blocking::BlockOn>,
    /// Finds the keys instead of the key specs (movable keys).
    pub getkeys: Option<GetKeysFn>,
    /// Keys named by values (see `DerivedKeys`).
    pub derived: Option<DerivedKeys>,
    /// Index in the table's statistics arrays (set when the table is built).
    pub id: usize,
}

impl CommandSpec {
    /// A command with the usual defaults; adjust fields with the builder
    /// methods below.
    pub fn new(name: &'static str, arity: i32, flags: u32, exec: Exec) -> CommandSpec {
        CommandSpec {
            name,
            arity,
            flags,
            acl: 0,
            key_specs: Vec::new(),
            group: "generic",
            summary: "",
            since: "1.0.0",
            complexity: "",
            tips: &[],
            exec,
            subcommands: Vec::new(),
            block: None,
            getkeys: None,
            derived: None,
            id: 0,
        }
    }

    pub fn keys(mut self, specs: Vec<KeySpec>) -> Self {
        self.key_specs = specs;
        self
    }

    pub fn acl(mut self, acl: u32) -> Self {
        self.acl = acl;
        self
    }

    pub fn group(mut self, group: &'static str) -> Self {
        self.group = group;
        self
    }

    pub fn doc(mut self, since: &'static str, summary: &'static str, complexity: &'static str) -> Self {
        self.since = since;
        self.summary = summary;
        self.complexity = complexity;
        self
    }

    pub fn tips(mut self, tips: &'static [&'static str]) -> Self {
        self.tips = tips;
        self
    }

    /// Makes the command block outside MULTI when it finds nothing.
    pub fn blocks(mut self, on: &'static crate::server::blocking::BlockOn) -> Self {
        self.block = Some(on);
        self
    }

    #[allow(clippy::should_implement_trait)]
    pub fn sub(mut self, subs: Vec<CommandSpec>) -> Self {
        self.subcommands = subs;
        self
    }

    pub fn getkeys(mut self, f: GetKeysFn) -> Self {
        self.getkeys = Some(f);
        self
    }

    pub fn derived(mut self, d: DerivedKeys) -> Self {
        self.derived = Some(d);
        self
    }

    /// Whether running these arguments reads keys named by values, which
    /// may live on any shard.
    pub fn derives_keys(&self, args: &[Bytes]) -> bool {
        self.derived.is_some_and(|d| (d.needed)(args))
    }

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether `argc` arguments (name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        if self.arity >= 0 {
            argc == self.arity as usize
        } else {
            argc >= (-self.arity) as usize
        }
    }

    /// The full name as errors and stats print it ("config|get").
    pub fn full_name(&self) -> &'static str {
        self.name
    }

    /// ACL categories including those implied by the flags, as Redis's
    /// setImplicitACLCategories derives them.
    pub fn acl_categories(&self) -> u32 {
        let mut c = self.acl;
        if self.has(flags::WRITE) {
            c |= acl::WRITE;
        }
        if self.has(flags::READONLY) && self.acl & acl::SCRIPTING == 0 {
            c |= acl::READ;
        }
        if self.has(flags::ADMIN) {
            c |= acl::ADMIN | acl::DANGEROUS;
        }
        if self.has(flags::PUBSUB) {
            c |= acl::PUBSUB;
        }
        if self.has(flags::FAST) {
            c |= acl::FAST;
        }
        if self.has(flags::BLOCKING) {
            c |= acl::BLOCKING;
        }
        if c & acl::FAST == 0 {
            c |= acl::SLOW;
        }
        c
    }
}
