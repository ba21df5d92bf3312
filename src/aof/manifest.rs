//! The AOF manifest: which files make the append-only file, in Redis 7.0's
//! format (`<appendfilename>.manifest` in the AOF directory, one line per
//! file: `file <name> seq <n> type <b|h|i>`), so a directory moves between
//! Clover and redis-server either way.

use std::fs;
use std::io::Write;
use std::path::Path;

/// One file the manifest names.
#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub seq: u64,
}

/// The parsed manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub base: Option<FileInfo>,
    /// Files a rewrite replaced, kept until deleted.
    pub history: Vec<FileInfo>,
    /// Incremental files, oldest first.
    pub incrs: Vec<FileInfo>,
    pub base_seq: u64,
    pub incr_seq: u64,
}

/// Why `read_checked` failed.
#[derive(Debug)]
pub enum ReadError {
    Unreadable(String),
    Malformed(ManifestError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Unreadable(s) => f.write_str(s),
            ReadError::Malformed(e) => f.write_str(e.msg),
        }
    }
}

/// Redis's suffixes.
pub const BASE_RDB: &str = ".base.rdb";
pub const BASE_AOF: &str = ".base.aof";
pub const INCR: &str = ".incr.aof";

/// Why a manifest cannot be read: Redis's text, and the line it is about
/// (number from 1, trimmed text) when there is one.
#[derive(Debug, PartialEq)]
pub struct ManifestError {
    pub msg: &'static str,
    pub line: Option<(usize, String)>,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.msg)
    }
}

/// Redis's longest manifest line.
const MAX_LINE: usize = 1024;

impl Manifest {
    /// Parses a manifest as Redis 7.0 does (every line must end with a
    /// newline and hold at least file, seq and type).
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut maxseq = 0;
        if text.is_empty() {
            return Err(ManifestError { msg: "Found an empty AOF manifest", line: None });
        }
        let mut rest = text;
        let mut linenum = 0;
        while !rest.is_empty() {
            linenum += 1;
            let take = rest.len().min(MAX_LINE);
            let nl = rest[..take].iter().position(|&b| b == b'\n');
            let raw = &rest[..nl.map_or(take, |i| i + 1)];
            rest = &rest[raw.len()..];
            if raw.first() == Some(&b'#') {
                continue;
            }
            if nl.is_none() {
                return Err(ManifestError { msg: "The AOF manifest file contains too long line", line: None });
            }
            let line = String::from_utf8_lossy(raw).trim_matches([' ', '\t', '\r', '\n']).to_string();
            let bad = |msg| Err(ManifestError { msg, line: Some((linenum, line.clone())) });
            if line.is_empty() {
                return bad("Invalid AOF manifest file format");
            }
            let Some(words) = split_words(&line) else { return bad("Invalid AOF manifest file format") };
            if words.len() < 6 || !words.len().is_multiple_of(2) {
                return bad("Invalid AOF manifest file format");
            }
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in words.chunks(2) {
                let key = pair[0].to_ascii_lowercase();
                match key.as_str() {
                    "file" => {
                        if pair[1].contains('/') {
                            return bad("File can't be a path, just a filename");
                        }
                        name = Some(pair[1].clone());
                    }
                    "seq" => seq = atoll(&pair[1]),
                    "type" => kind = pair[1].chars().next(),
                    _ => {}
                }
            }
            let (Some(name), Some(kind), true) = (name, kind, seq != 0) else {
                return bad("Invalid AOF manifest file format");
            };
            let info = FileInfo { name, seq };
            match kind {
                'b' => {
                    if m.base.is_some() {
                        return bad("Found duplicate base file information");
                    }
                    m.base_seq = seq;
                    m.base = Some(info);
                }
                'h' => m.history.push(info),
                'i' => {
                    if seq <= maxseq {
                        return bad("Found a non-monotonic sequence number");
                    }
                    maxseq = seq;
                    m.incr_seq = seq;
                    m.incrs.push(info);
                }
                _ => return bad("Unknown AOF file type"),
            }
        }
        Ok(m)
    }

    /// The manifest's text: base, history, then incremental files.
    pub fn format(&self) -> String {
        let mut s = String::new();
        let mut line = |f: &FileInfo, t: char| {
            s.push_str(&format!("file {} seq {} type {}\n", quote(&f.name), f.seq, t));
        };
        if let Some(b) = &self.base {
            line(b, 'b');
        }
        for h in &self.history {
            line(h, 'h');
        }
        for i in &self.incrs {
            line(i, 'i');
        }
        s
    }

    /// Whether it names no data file.
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incrs.is_empty()
    }

    /// Names a new base file (the old base and incremental files become
    /// history) and returns its name.
    pub fn new_base(&mut self, prefix: &str, rdb: bool) -> String {
        self.base_seq += 1;
        let name = format!("{prefix}.{}{}", self.base_seq, if rdb { BASE_RDB } else { BASE_AOF });
        if let Some(old) = self.base.take() {
            self.history.push(old);
        }
        self.base = Some(FileInfo { name: name.clone(), seq: self.base_seq });
        name
    }

    /// Names a new incremental file, appended last, and returns its name.
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}{INCR}", self.incr_seq);
        self.incrs.push(FileInfo { name: name.clone(), seq: self.incr_seq });
        name
    }

    /// Moves the incremental files numbered below `seq` to the history
    /// (after a rewrite whose base holds them).
    pub fn retire_incrs_before(&mut self, seq: u64) {
        let (old, keep): (Vec<FileInfo>, Vec<FileInfo>) = self.incrs.drain(..).partition(|i| i.seq < seq);
        self.history.extend(old);
        self.incrs = keep;
    }

    /// Reads `<dir>/<name>`; None when there is none.
    pub fn read(dir: &Path, name: &str) -> Result<Option<Manifest>, String> {
        Manifest::read_checked(dir, name).map_err(|e| e.to_string())
    }

    /// As `read`, with the details of a malformed manifest.
    pub fn read_checked(dir: &Path, name: &str) -> Result<Option<Manifest>, ReadError> {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(text) => Manifest::parse(&text).map(Some).map_err(ReadError::Malformed),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ReadError::Unreadable(format!(
                "Fatal error: can't open the AOF manifest file {name} for reading: {e}"
            ))),
        }
    }

    /// Writes the manifest atomically: a temporary file, fsynced, renamed
    /// over the old one, and the directory fsynced.
    pub fn persist(&self, dir: &Path, name: &str) -> Result<(), String> {
        let tmp = dir.join(format!("temp-{name}"));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(self.format().as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, dir.join(name))?;
            fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| format!("Can't persist the AOF manifest file {name}: {e}"))
    }
}

/// C's atoll: leading digits (after an optional sign), 0 when none.
fn atoll(s: &str) -> u64 {
    let digits: String = s.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(0)
}

/// Splits a line into words as Redis's `sdssplitargs`: double-quoted
/// words take escapes (\n, \r, \t, \b, \a, \xHH, \\, \"), single-quoted
/// ones only \'. None when a quote is not closed.
fn split_words(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let mut w: Vec<u8> = Vec::new();
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    let c = *b.get(i)?;
                    i += 1;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = *b.get(i)?;
                            i += 1;
                            match e {
                                b'n' => w.push(b'\n'),
                                b'r' => w.push(b'\r'),
                                b't' => w.push(b'\t'),
                                b'b' => w.push(8),
                                b'a' => w.push(7),
                                b'x' if b.len() >= i + 2
                                    && b[i].is_ascii_hexdigit()
                                    && b[i + 1].is_ascii_hexdigit() =>
                                {
                                    let hex = std::str::from_utf8(&b[i..i + 2]).ok()?;
                                    w.push(u8::from_str_radix(hex, 16).ok()?);
                                    i += 2;
                                }
                                other => w.push(other),
                            }
                        }
                        other => w.push(other),
                    }
                }
                // A closing quote must be followed by a space or the end.
                if i < b.len() && !b[i].is_ascii_whitespace() {
                    return None;
                }
            }
            b'\'' => {
                i += 1;
                loop {
                    let c = *b.get(i)?;
                    i += 1;
                    match c {
                        b'\'' => break,
                        b'\\' if b.get(i) == Some(&b'\'') => {
                            w.push(b'\'');
                            i += 1;
                        }
                        other => w.push(other),
                    }
                }
                if i < b.len() && !b[i].is_ascii_whitespace() {
                    return None;
                }
            }
            _ => {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    w.push(b[i]);
                    i += 1;
                }
            }
        }
        out.push(String::from_utf8_lossy(&w).into_owned());
    }
}

/// A file name as the manifest writes it: as is, or quoted with escapes
/// (Redis's `sdscatrepr`) when it has spaces, quotes or control bytes.
fn quote(name: &str) -> String {
    let plain = name.bytes().all(|c| c.is_ascii_graphic() && c != b'"' && c != b'\\' && c != b'\'');
    if plain && !name.is_empty() {
        return name.to_string();
    }
    let mut s = String::from("\"");
    for c in name.bytes() {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            7 => s.push_str("\\a"),
            8 => s.push_str("\\b"),
            c if c.is_ascii_graphic() || c == b' ' => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_redis_format() {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let m = Manifest::parse(text.as_bytes()).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.1.base.rdb");
        assert_eq!(m.format(), text);
        let mut m2 = m.clone();
        assert_eq!(m2.new_incr("appendonly.aof"), "appendonly.aof.2.incr.aof");
        assert_eq!(m2.new_base("appendonly.aof", false), "appendonly.aof.2.base.aof");
        m2.retire_incrs_before(2);
        assert_eq!(
            m2.format(),
            "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn errors_are_redis_texts() {
        let err = |t: &str| Manifest::parse(t.as_bytes()).unwrap_err().msg;
        assert_eq!(err("file a seq 1 type x\n"), "Unknown AOF file type");
        assert_eq!(err("file a seq 2 type i\nfile b seq 1 type i\n"), "Found a non-monotonic sequence number");
        assert_eq!(err("file a/b seq 1 type b\n"), "File can't be a path, just a filename");
        assert_eq!(err(""), "Found an empty AOF manifest");
        assert_eq!(err("file a seq 1 type b\n\n"), "Invalid AOF manifest file format");
        assert_eq!(err("file a seq 1\n"), "Invalid AOF manifest file format");
        assert_eq!(err("file a seq 1 type b"), "The AOF manifest file contains too long line");
        let name = " file seq \n\n.aof .2.base.rdb";
        let m = Manifest { base: Some(FileInfo { name: name.into(), seq: 2 }), base_seq: 2, ..Default::default() };
        assert_eq!(m.format(), "file \" file seq \\n\\n.aof .2.base.rdb\" seq 2 type b\n");
        assert_eq!(Manifest::parse(m.format().as_bytes()).unwrap(), m);
    }
}
