//! Typed configuration values and the text forms Redis uses for them: the
//! parsers behind CONFIG SET and the configuration file (strict integers,
//! memory units, percentages, octal, yes/no, enums and flag sets), the
//! printers behind CONFIG GET, and the small C-library look-alikes they
//! need (`strtoll`, `strtod`, `memtoull`, `string2ll`) so that every odd
//! input gives Redis's answer.

use super::directives::{Check, Directive, Kind, Special, MULTI_ARG};

/// One client class's output buffer limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: i64,
}

/// Redis's built-in limits for the normal, replica and pubsub classes.
pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit { hard: 0, soft: 0, soft_seconds: 0 },
    ObufLimit { hard: 256 << 20, soft: 64 << 20, soft_seconds: 60 },
    ObufLimit { hard: 32 << 20, soft: 8 << 20, soft_seconds: 60 },
];

/// Class names as CONFIG GET prints them (index = class).
pub const OBUF_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// Redis's `oom-score-adj-values` defaults.
pub const OOM_DEFAULTS: [i32; 3] = [0, 200, 800];

/// The current value of one directive.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Integers, memory values, percentages (negated) and octal numbers, as
    /// Redis's `long long`; unsigned 64-bit values keep their bit pattern.
    Num(i64),
    Enum(i32),
    /// `None` is an unset string (an empty value where empty means unset).
    Str(Option<Vec<u8>>),
    /// An absolute directory path.
    Dir(String),
    /// `(seconds, changes)` pairs.
    Save(Vec<(i64, i32)>),
    Obuf([ObufLimit; 3]),
    Oom([i32; 3]),
    Notify(i32),
    Bind(Vec<Vec<u8>>),
    /// `(host, port)`, or `None` for "no one".
    ReplicaOf(Option<(Vec<u8>, i32)>),
    Percentiles(Vec<f64>),
}

impl Value {
    pub fn as_num(&self) -> i64 {
        match self {
            Value::Num(n) => *n,
            Value::Bool(b) => i64::from(*b),
            Value::Enum(e) | Value::Notify(e) => i64::from(*e),
            _ => 0,
        }
    }
}

/// How a `save` line combines with the current save points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveMode {
    /// CONFIG SET, or the first `save` line of a file: replace.
    Replace,
    /// Later `save` lines while reading a file: append.
    Append,
}

/// The rest of the configuration some parsers look at.
pub struct SetEnv<'a> {
    pub save_mode: SaveMode,
    /// The current `dir`, against which a relative new `dir` resolves.
    pub dir: &'a str,
    /// For `proc-title-template` validation.
    pub title: TitleEnv<'a>,
}

/// What `{variables}` of a process title template expand to.
pub struct TitleEnv<'a> {
    pub cluster_enabled: bool,
    pub unixsocket: &'a [u8],
}

pub use crate::util::args::{cstr, is_c_space};

pub use crate::util::num::parse_i64 as string2ll;

/// C's `strtoll` on a C string: returns the value (saturated on overflow),
/// how many bytes were used (0 when no digits), and whether it overflowed.
pub fn strtoll(s: &[u8], base: u32) -> (i64, usize, bool) {
    let s = cstr(s);
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u128 = 0;
    let mut overflow = false;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        if !overflow {
            v = v * u128::from(base) + u128::from(d);
            if v > u128::from(u64::MAX) {
                overflow = true;
            }
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    let limit: u128 = if neg { (i64::MAX as u128) + 1 } else { i64::MAX as u128 };
    if overflow || v > limit {
        return (if neg { i64::MIN } else { i64::MAX }, i, true);
    }
    let val = if neg { (v as i64).wrapping_neg() } else { v as i64 };
    (val, i, false)
}

/// True when `strtoll` consumes the whole C string (and found digits, or
/// the string is empty, which C also accepts as 0).
fn strtoll_full(s: &[u8], base: u32) -> Option<(i64, bool)> {
    let c = cstr(s);
    let (v, used, overflow) = strtoll(c, base);
    // No digits: C leaves the end pointer at the start of the string, which
    // is the terminator only for an empty string.
    if used == c.len() {
        Some((v, overflow))
    } else {
        None
    }
}

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g,
/// gb; any case). Overflow wraps around like the C code does.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = cstr(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = s[digits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    // strtoull on plain digits: saturates at ULLONG_MAX on overflow.
    let mut v: u64 = 0;
    for &c in &s[..digits] {
        v = v.checked_mul(10).and_then(|x| x.checked_add(u64::from(c - b'0'))).unwrap_or(u64::MAX);
        if v == u64::MAX {
            break;
        }
    }
    Some(v.wrapping_mul(mul))
}

/// Redis's `string2d` (strtod that must use every byte, no leading space,
/// no NaN, no overflow or underflow to zero).
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let (v, used, range_err) = strtod(s)?;
    if used != s.len() || range_err || v.is_nan() {
        return None;
    }
    Some(v)
}

/// A `strtod` look-alike: the value, the bytes used, and whether the result
/// over- or underflowed (ERANGE with an infinite or zero result).
fn strtod(s: &[u8]) -> Option<(f64, usize, bool)> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let sign_at = i;
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let rest = &s[i..];
    let lower: Vec<u8> = rest.iter().take(8).map(|c| c.to_ascii_lowercase()).collect();
    let signed = |v: f64| if neg { -v } else { v };
    if lower.starts_with(b"infinity") {
        return Some((signed(f64::INFINITY), i + 8, false));
    }
    if lower.starts_with(b"inf") {
        return Some((signed(f64::INFINITY), i + 3, false));
    }
    if lower.starts_with(b"nan") {
        let mut j = i + 3;
        // "nan(chars)" is accepted too.
        if s.get(j) == Some(&b'(') {
            let mut k = j + 1;
            while k < s.len() && (s[k].is_ascii_alphanumeric() || s[k] == b'_') {
                k += 1;
            }
            if s.get(k) == Some(&b')') {
                j = k + 1;
            }
        }
        return Some((f64::NAN, j, false));
    }
    if lower.starts_with(b"0x") {
        if let Some((v, used)) = hex_float(&s[i + 2..]) {
            return Some((signed(v), i + 2 + used, v.is_infinite()));
        }
        // "0x" with no hex digits: just the "0" is used.
        return Some((signed(0.0), i + 1, false));
    }
    let start = i;
    let mut mantissa_digits = 0;
    let mut nonzero = false;
    while i < s.len() && s[i].is_ascii_digit() {
        nonzero |= s[i] != b'0';
        mantissa_digits += 1;
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            nonzero |= s[i] != b'0';
            mantissa_digits += 1;
            i += 1;
        }
    }
    if mantissa_digits == 0 {
        // No conversion: C reports the start of the string.
        let _ = sign_at;
        return Some((0.0, 0, false));
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        if j < s.len() && s[j].is_ascii_digit() {
            while j < s.len() && s[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    let text = std::str::from_utf8(&s[start..i]).ok()?;
    let v: f64 = text.parse().ok()?;
    let range_err = v.is_infinite() || (v == 0.0 && nonzero);
    Some((signed(v), i, range_err))
}

/// Parses the part of a C hex float after "0x": digits, optional fraction,
/// optional binary exponent. Returns None when there is no hex digit.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut v = 0f64;
    let mut any = false;
    while i < s.len() && s[i].is_ascii_hexdigit() {
        v = v * 16.0 + f64::from((s[i] as char).to_digit(16).unwrap_or(0));
        any = true;
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        let mut j = i + 1;
        let mut scale = 1.0 / 16.0;
        let mut frac_any = false;
        while j < s.len() && s[j].is_ascii_hexdigit() {
            v += f64::from((s[j] as char).to_digit(16).unwrap_or(0)) * scale;
            scale /= 16.0;
            frac_any = true;
            j += 1;
        }
        if any || frac_any {
            any = true;
            i = j;
        }
    }
    if !any {
        return None;
    }
    if i < s.len() && (s[i] == b'p' || s[i] == b'P') {
        let (e, used, _) = strtoll(&s[i + 1..], 10);
        if used > 0 && !is_c_space(s[i + 1]) {
            v *= 2f64.powi(e.clamp(-10000, 10000) as i32);
            i += 1 + used;
        }
    }
    Some((v, i))
}

/// `printf("%f")` followed by Redis's `trimDoubleString`.
pub fn format_percentile(v: f64) -> String {
    let mut s = if v.is_finite() {
        format!("{v:.6}")
    } else if v.is_nan() {
        "nan".to_string()
    } else if v > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    };
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// `notify-keyspace-events` letters to flags; None on an unknown letter.
pub fn keyspace_events_from_str(s: &[u8]) -> Option<i32> {
    let mut flags = 0;
    for &c in cstr(s) {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => 1 << 2,
            b'$' => 1 << 3,
            b'l' => 1 << 4,
            b's' => 1 << 5,
            b'h' => 1 << 6,
            b'z' => 1 << 7,
            b'x' => 1 << 8,
            b'e' => 1 << 9,
            b'K' => 1 << 0,
            b'E' => 1 << 1,
            b't' => 1 << 10,
            b'm' => 1 << 11,
            b'd' => 1 << 13,
            b'n' => 1 << 14,
            _ => return None,
        };
    }
    Some(flags)
}

/// Every class `A` stands for (not `m`, `n`, `K`, `E`).
const NOTIFY_ALL: i32 =
    (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13);

/// Flags back to letters, in Redis's order (and with its quirks: `A`
/// hides `n`).
pub fn keyspace_events_to_string(flags: i32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (1 << 2, 'g'),
            (1 << 3, '$'),
            (1 << 4, 'l'),
            (1 << 5, 's'),
            (1 << 6, 'h'),
            (1 << 7, 'z'),
            (1 << 8, 'x'),
            (1 << 9, 'e'),
            (1 << 10, 't'),
            (1 << 13, 'd'),
            (1 << 14, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(1 << 0, 'K'), (1 << 1, 'E'), (1 << 11, 'm')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// The name(s) of an enum value; "unknown" when nothing matches.
pub fn enum_name(items: &[(&str, i32)], val: i32, flag_set: bool) -> String {
    let mut names: Option<String> = None;
    let mut unmatched = val;
    for &(name, v) in items {
        if v == val {
            return name.to_string();
        }
        if flag_set && v != 0 && v == (unmatched & v) {
            names = Some(match names {
                Some(n) => format!("{n} {name}"),
                None => name.to_string(),
            });
            unmatched &= !v;
        }
    }
    match names {
        Some(n) if unmatched == 0 => n,
        _ => "unknown".to_string(),
    }
}

fn enum_value(items: &[(&str, i32)], args: &[&[u8]], flag_set: bool) -> Option<i32> {
    if args.is_empty() || (!flag_set && args.len() != 1) {
        return None;
    }
    let mut values = 0;
    for arg in args {
        let arg = cstr(arg);
        let mut matched = false;
        for &(name, v) in items {
            if arg.eq_ignore_ascii_case(name.as_bytes()) {
                values |= v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(values)
}

fn yes_no(arg: &[u8]) -> Option<bool> {
    let arg = cstr(arg);
    if arg.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if arg.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// Parses a numeric directive's argument like Redis's numericParseString.
fn parse_number(kind: &Kind, arg: &[u8]) -> Result<i64, String> {
    let (memory, percent, octal) = match *kind {
        Kind::Memory { percent, .. } => (true, percent, false),
        Kind::Octal { .. } => (false, false, true),
        _ => (false, false, false),
    };
    if memory {
        if let Some(v) = memtoull(arg) {
            return Ok(v as i64);
        }
    }
    if percent && arg.len() > 1 && arg[arg.len() - 1] == b'%' {
        if let Some(v) = string2ll(&arg[..arg.len() - 1]) {
            if v >= 0 {
                return Ok(-v);
            }
        }
    }
    if octal {
        if let Some((v, false)) = strtoll_full(arg, 8) {
            return Ok(v);
        }
    }
    if !memory && !octal {
        if let Some(v) = string2ll(arg) {
            return Ok(v);
        }
    }
    Err(if memory && percent {
        "argument must be a memory or percent value"
    } else if memory {
        "argument must be a memory value"
    } else if octal {
        "argument couldn't be parsed as an octal number"
    } else {
        "argument couldn't be parsed into an integer"
    }
    .to_string())
}

/// Redis's numericBoundaryCheck.
fn check_bounds(kind: &Kind, v: i64) -> Result<(), String> {
    let (min, max, unsigned, percent, octal) = match *kind {
        Kind::Int { min, max, unsigned } => (min, max, unsigned, false, false),
        Kind::Memory { min, max, unsigned, percent } => (min, max, unsigned, percent, false),
        Kind::Octal { min, max } => (min, max, true, false, true),
        _ => return Ok(()),
    };
    if unsigned {
        let u = i128::from(v as u64);
        if u > max || u < min {
            return Err(if octal {
                format!("argument must be between {min:o} and {max:o} inclusive")
            } else {
                format!("argument must be between {min} and {max} inclusive")
            });
        }
    } else if percent && v < 0 {
        if i128::from(v) < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if i128::from(v) > max || i128::from(v) < min {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(())
}

fn base_name(s: &[u8]) -> bool {
    !s.contains(&b'/') && !s.contains(&b'\\')
}

fn check_string(check: Check, s: &[u8], env: &SetEnv) -> Result<(), String> {
    let s = cstr(s);
    let err = |m: &str| Err(m.to_string());
    match check {
        Check::DbFilename if !base_name(s) => err("dbfilename can't be a path, just a filename"),
        Check::AofFilename if s.is_empty() => err("appendfilename can't be empty"),
        Check::AofFilename if !base_name(s) => err("appendfilename can't be a path, just a filename"),
        Check::AofDirname if s.is_empty() => err("appenddirname can't be empty"),
        Check::AofDirname if !base_name(s) => err("appenddirname can't be a path, just a dirname"),
        Check::Hostname if s.len() >= 256 => err("Hostnames must be less than 256 characters"),
        Check::Hostname if !s.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.') => {
            err("Hostnames may only contain alphanumeric characters, hyphens or dots")
        }
        Check::ProcTitle if !valid_proc_title(s, &env.title) => {
            err("template format is invalid or contains unknown variables")
        }
        _ => Ok(()),
    }
}

/// Expands a process title template the way Redis validates it (with an
/// empty title): unknown variables or a bad template are invalid, and so is
/// a template that expands to nothing but spaces.
fn valid_proc_title(t: &[u8], env: &TitleEnv) -> bool {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let Some(rel) = t[i..].iter().position(|&c| c == b'{') else {
            out.extend_from_slice(&t[i..]);
            break;
        };
        out.extend_from_slice(&t[i..i + rel]);
        let sv = i + rel + 1;
        if sv >= t.len() {
            return false;
        }
        if t[sv] == b'{' {
            out.push(b'{');
            i = sv + 1;
            continue;
        }
        let Some(len) = t[sv..].iter().position(|&c| c == b'}') else {
            return false;
        };
        let value: &[u8] = match &t[sv..sv + len] {
            b"title" => b"",
            // "*:6379", "127.0.0.1:6379" or "unixsocket:...": never empty.
            b"listen-addr" => b"*",
            b"server-mode" if env.cluster_enabled => b"[cluster]",
            b"server-mode" => b"",
            b"config-file" | b"port" | b"tls-port" => b"-",
            b"unixsocket" => env.unixsocket,
            _ => return false,
        };
        out.extend_from_slice(value);
        i = sv + len + 1;
    }
    out.iter().any(|&c| c != b' ')
}

/// Parses `args` (already split) into a new value for `d`. `old` is the
/// current value (`save` may append to it, `client-output-buffer-limit`
/// changes only the classes given).
pub fn parse(d: &Directive, args: &[&[u8]], old: &Value, env: &SetEnv) -> Result<Value, String> {
    let first = args.first().copied().unwrap_or(b"");
    let value = match d.kind {
        Kind::Bool => {
            let b = yes_no(first).ok_or("argument must be 'yes' or 'no'")?;
            if b && d.check == Check::NoActiveDefrag {
                return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution".to_string());
            }
            Value::Bool(b)
        }
        Kind::Int { .. } | Kind::Memory { .. } | Kind::Octal { .. } => {
            let v = parse_number(&d.kind, first)?;
            check_bounds(&d.kind, v)?;
            let v = if d.check == Check::ClampHz { v.clamp(1, 500) } else { v };
            Value::Num(v)
        }
        Kind::Enum { items } => {
            let flag_set = d.has(MULTI_ARG);
            let Some(v) = enum_value(items, args, flag_set) else {
                let names: Vec<&str> = items.iter().map(|(n, _)| *n).collect();
                let mut msg = format!("argument(s) must be one of the following: {}", names.join(", "));
                msg.truncate(255);
                return Err(msg);
            };
            if d.check == Check::ShutdownFlags && v & 1 != 0 && v & 2 != 0 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".to_string());
            }
            Value::Enum(v)
        }
        Kind::Str { empty_is_null, binary } => {
            check_string(d.check, first, env)?;
            let v = if binary { first } else { cstr(first) };
            if empty_is_null && v.is_empty() {
                Value::Str(None)
            } else {
                Value::Str(Some(v.to_vec()))
            }
        }
        Kind::Special(s) => parse_special(s, args, old, env)?,
    };
    Ok(value)
}

fn wrong_args() -> String {
    "wrong number of arguments".to_string()
}

fn parse_special(s: Special, args: &[&[u8]], old: &Value, env: &SetEnv) -> Result<Value, String> {
    match s {
        Special::Dir => {
            if args.len() != 1 {
                return Err(wrong_args());
            }
            Ok(Value::Dir(resolve_dir(env.dir, args[0])?))
        }
        Special::Save => {
            let mut args = args;
            let mut reset = env.save_mode == SaveMode::Replace;
            if args.len() == 1 && args[0].is_empty() {
                reset = true;
                args = &[];
            }
            let invalid = || "Invalid save parameters".to_string();
            if !args.len().is_multiple_of(2) {
                return Err(invalid());
            }
            let mut points = Vec::with_capacity(args.len() / 2);
            for pair in args.chunks(2) {
                let (secs, _) = strtoll_full(pair[0], 10).ok_or_else(invalid)?;
                let (changes, _) = strtoll_full(pair[1], 10).ok_or_else(invalid)?;
                if secs < 1 || changes < 0 {
                    return Err(invalid());
                }
                points.push((secs, changes as i32));
            }
            let mut new = match (reset, old) {
                (false, Value::Save(p)) => p.clone(),
                _ => Vec::new(),
            };
            new.extend(points);
            Ok(Value::Save(new))
        }
        Special::ClientOutputBufferLimit => {
            if !args.len().is_multiple_of(4) {
                return Err("Wrong number of arguments in buffer limit configuration.".to_string());
            }
            let mut limits = match old {
                Value::Obuf(l) => *l,
                _ => OBUF_DEFAULTS,
            };
            let mut staged = Vec::new();
            for quad in args.chunks(4) {
                let class = cstr(quad[0]);
                let idx = if class.eq_ignore_ascii_case(b"normal") {
                    0
                } else if class.eq_ignore_ascii_case(b"slave") || class.eq_ignore_ascii_case(b"replica") {
                    1
                } else if class.eq_ignore_ascii_case(b"pubsub") {
                    2
                } else {
                    return Err("Invalid client class specified in buffer limit configuration.".to_string());
                };
                let hard = memtoull(quad[1]);
                let soft = memtoull(quad[2]);
                let secs = strtoll_full(quad[3], 10).map(|(v, _)| v as i32);
                match (hard, soft, secs) {
                    (Some(hard), Some(soft), Some(secs)) if secs >= 0 => {
                        staged.push((idx, ObufLimit { hard, soft, soft_seconds: i64::from(secs) }));
                    }
                    _ => {
                        return Err(
                            "Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string()
                        )
                    }
                }
            }
            for (idx, l) in staged {
                limits[idx] = l;
            }
            Ok(Value::Obuf(limits))
        }
        Special::OomScoreAdjValues => {
            if args.len() != 3 {
                return Err(wrong_args());
            }
            let mut v = [0i32; 3];
            for (slot, arg) in v.iter_mut().zip(args) {
                match strtoll_full(arg, 10) {
                    Some((n, _)) if (-2000..=2000).contains(&n) => *slot = n as i32,
                    _ => {
                        return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".to_string())
                    }
                }
            }
            Ok(Value::Oom(v))
        }
        Special::NotifyKeyspaceEvents => {
            if args.len() != 1 {
                return Err(wrong_args());
            }
            keyspace_events_from_str(args[0])
                .map(Value::Notify)
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".to_string())
        }
        Special::Bind => {
            if args.len() > 16 {
                return Err("Too many bind addresses specified.".to_string());
            }
            let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
            Ok(Value::Bind(args.iter().map(|a| cstr(a).to_vec()).collect()))
        }
        Special::ReplicaOf => {
            if args.len() != 2 {
                return Err(wrong_args());
            }
            if cstr(args[0]).eq_ignore_ascii_case(b"no") && cstr(args[1]).eq_ignore_ascii_case(b"one") {
                return Ok(Value::ReplicaOf(None));
            }
            // strtol into an int: the value is truncated before the check.
            match strtoll_full(args[1], 10) {
                Some((port, _)) if (0..=65535).contains(&(port as i32)) => {
                    Ok(Value::ReplicaOf(Some((cstr(args[0]).to_vec(), port as i32))))
                }
                _ => Err("Invalid master port".to_string()),
            }
        }
        Special::LatencyPercentiles => {
            let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
            let mut v = Vec::with_capacity(args.len());
            for arg in args {
                let p = string2d(arg).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".to_string()
                    );
                }
                v.push(p);
            }
            Ok(Value::Percentiles(v))
        }
    }
}

/// What `chdir(arg)` would do from `base`: the absolute, resolved path of
/// an existing directory, or the C error text.
pub fn resolve_dir(base: &str, arg: &[u8]) -> Result<String, String> {
    use std::os::unix::ffi::OsStrExt;
    let arg = cstr(arg);
    if arg.is_empty() {
        return Err(strerror_code(2));
    }
    let p = std::path::Path::new(std::ffi::OsStr::from_bytes(arg));
    let full = if p.is_absolute() || base.is_empty() { p.to_path_buf() } else { std::path::Path::new(base).join(p) };
    match std::fs::metadata(&full) {
        Err(e) => return Err(strerror(&e)),
        Ok(m) if !m.is_dir() => return Err(strerror_code(20)),
        Ok(_) => {}
    }
    match std::fs::canonicalize(&full) {
        Ok(c) => Ok(c.to_string_lossy().into_owned()),
        Err(e) => Err(strerror(&e)),
    }
}

/// The C library's text for an I/O error, without Rust's " (os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn strerror_code(code: i32) -> String {
    strerror(&std::io::Error::from_raw_os_error(code))
}

/// The value as CONFIG GET prints it.
pub fn format(d: &Directive, v: &Value) -> Vec<u8> {
    match v {
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Num(n) => match d.kind {
            Kind::Memory { percent: true, .. } if *n < 0 => format!("{}%", n.unsigned_abs()).into_bytes(),
            Kind::Memory { .. } => (*n as u64).to_string().into_bytes(),
            Kind::Octal { .. } => format!("{:o}", *n).into_bytes(),
            _ => n.to_string().into_bytes(),
        },
        Value::Enum(e) => match d.kind {
            Kind::Enum { items } => enum_name(items, *e, d.has(MULTI_ARG)).into_bytes(),
            _ => Vec::new(),
        },
        Value::Str(s) => s.clone().unwrap_or_default(),
        Value::Dir(p) => p.clone().into_bytes(),
        Value::Save(points) => {
            points.iter().map(|(s, c)| format!("{s} {c}")).collect::<Vec<_>>().join(" ").into_bytes()
        }
        Value::Obuf(limits) => limits
            .iter()
            .zip(OBUF_CLASSES)
            .map(|(l, class)| format!("{class} {} {} {}", l.hard, l.soft, l.soft_seconds))
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        Value::Oom(o) => format!("{} {} {}", o[0], o[1], o[2]).into_bytes(),
        Value::Notify(f) => keyspace_events_to_string(*f).into_bytes(),
        Value::Bind(addrs) => addrs.join(&b' '),
        Value::ReplicaOf(None) => Vec::new(),
        Value::ReplicaOf(Some((host, port))) => {
            let mut out = cstr(host).to_vec();
            out.extend_from_slice(format!(" {port}").as_bytes());
            out
        }
        Value::Percentiles(p) => p.iter().map(|v| format_percentile(*v)).collect::<Vec<_>>().join(" ").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b""[..], b"-", b"01", b"-0", b"+1", b" 1", b"1 ", b"9223372036854775808", b"1x", b"1\0"] {
            assert_eq!(string2ll(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn memtoull_units_and_quirks() {
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1kb"), Some(1024));
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"2m"), Some(2_000_000));
        assert_eq!(memtoull(b"2mb"), Some(2 << 20));
        assert_eq!(memtoull(b"1g"), Some(1_000_000_000));
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"5b"), Some(5));
        // Redis accepts an empty number as 0, and a bare unit too.
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1x"), None);
        assert_eq!(memtoull(b"1 kb"), None);
        assert_eq!(memtoull(b"20000000000000000000"), Some(u64::MAX));
        assert_eq!(memtoull(b"5\0junk"), Some(5));
    }

    #[test]
    fn strtoll_like_c() {
        assert_eq!(strtoll(b"  -12x", 10), (-12, 5, false));
        assert_eq!(strtoll(b"x", 10), (0, 0, false));
        assert_eq!(strtoll(b"777", 8), (511, 3, false));
        assert_eq!(strtoll(b"99999999999999999999", 10), (i64::MAX, 20, true));
        assert_eq!(strtoll_full(b"", 10), Some((0, false)));
        assert_eq!(strtoll_full(b"12 ", 10), None);
    }

    #[test]
    fn string2d_like_redis() {
        assert_eq!(string2d(b"99.9"), Some(99.9));
        assert_eq!(string2d(b"1e2"), Some(100.0));
        assert_eq!(string2d(b"0x10"), Some(16.0));
        assert_eq!(string2d(b"inf"), Some(f64::INFINITY));
        assert_eq!(string2d(b"1e-7"), Some(1e-7));
        assert_eq!(string2d(b"-0.0").map(|v| v.is_sign_negative()), Some(true));
        for bad in [&b""[..], b" 1", b"1 ", b"abc", b"nan", b"1e400", b"1e-400", b"1e", b"."] {
            assert_eq!(string2d(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn percentile_printing() {
        assert_eq!(format_percentile(50.0), "50");
        assert_eq!(format_percentile(99.9), "99.9");
        assert_eq!(format_percentile(0.0001), "0.0001");
        assert_eq!(format_percentile(1e-7), "0");
        assert_eq!(format_percentile(-0.0), "-0");
    }

    #[test]
    fn keyspace_events_round_trip() {
        assert_eq!(keyspace_events_to_string(keyspace_events_from_str(b"KEA").unwrap()), "AKE");
        assert_eq!(keyspace_events_to_string(keyspace_events_from_str(b"Ex").unwrap()), "xE");
        assert_eq!(keyspace_events_to_string(keyspace_events_from_str(b"An").unwrap()), "A");
        assert_eq!(keyspace_events_to_string(keyspace_events_from_str(b"").unwrap()), "");
        assert_eq!(keyspace_events_from_str(b"Q"), None);
    }

    #[test]
    fn enum_names() {
        use crate::config::directives::{OOM_SCORE_ADJ, SHUTDOWN_ON_SIG};
        assert_eq!(enum_name(OOM_SCORE_ADJ, 1, false), "yes");
        assert_eq!(enum_name(SHUTDOWN_ON_SIG, 0, true), "default");
        assert_eq!(enum_name(SHUTDOWN_ON_SIG, 5, true), "save now");
        assert_eq!(enum_name(SHUTDOWN_ON_SIG, 16, true), "unknown");
        assert_eq!(enum_value(SHUTDOWN_ON_SIG, &[b"now", b"SAVE"], true), Some(5));
        assert_eq!(enum_value(SHUTDOWN_ON_SIG, &[], true), None);
    }

    #[test]
    fn proc_title_templates() {
        let env = TitleEnv { cluster_enabled: false, unixsocket: b"" };
        assert!(valid_proc_title(b"{title} {listen-addr} {server-mode}", &env));
        assert!(!valid_proc_title(b"{title}", &env));
        assert!(!valid_proc_title(b"{server-mode}", &env));
        assert!(!valid_proc_title(b"{foo}", &env));
        assert!(!valid_proc_title(b"x {", &env));
        assert!(!valid_proc_title(b"x {port", &env));
        assert!(valid_proc_title(b"{{", &env));
        assert!(!valid_proc_title(b"   ", &env));
    }
}
