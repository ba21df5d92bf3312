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

/// Redis's suffixes.
pub const BASE_RDB: &str = ".base.rdb";
pub const BASE_AOF: &str = ".base.aof";
pub const INCR: &str = ".incr.aof";

impl Manifest {
    /// Parses a manifest; the error is Redis's text.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        let mut maxseq = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = split_words(line).ok_or("Invalid AOF manifest file format")?;
            if !words.len().is_multiple_of(2) {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in words.chunks(2) {
                match pair[0].as_str() {
                    "file" => {
                        if pair[1].contains('/') {
                            return Err("File can't be a path, just a filename".into());
                        }
                        name = Some(pair[1].clone());
                    }
                    "seq" => seq = pair[1].parse().unwrap_or(0),
                    "type" => kind = pair[1].chars().next(),
                    _ => {}
                }
            }
            let (Some(name), Some(kind)) = (name, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            if seq == 0 {
                return Err("Invalid AOF manifest file format".into());
            }
            let info = FileInfo { name, seq };
            match kind {
                'b' => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.base_seq = seq;
                    m.base = Some(info);
                }
                'h' => m.history.push(info),
                'i' => {
                    if seq <= maxseq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    maxseq = seq;
                    m.incr_seq = seq;
                    m.incrs.push(info);
                }
                _ => return Err("Unknown AOF file type".into()),
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
        let path = dir.join(name);
        match fs::read_to_string(&path) {
            Ok(text) => Manifest::parse(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("Fatal error: can't open the AOF manifest file {name} for reading: {e}")),
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

/// Splits a line into words, honouring double quotes (file names with
/// spaces are written quoted).
fn split_words(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { return Some(out) };
        let mut w = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => w.push(chars.next()?),
                    ch => w.push(ch),
                }
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                w.push(ch);
                chars.next();
            }
        }
        out.push(w);
    }
}

/// A file name as the manifest writes it: quoted when it has a space or
/// a quote.
fn quote(name: &str) -> String {
    if name.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\') {
        let mut s = String::from("\"");
        for c in name.chars() {
            if c == '"' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_redis_format() {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let m = Manifest::parse(text).unwrap();
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
        assert_eq!(Manifest::parse("file a seq 1 type x\n").unwrap_err(), "Unknown AOF file type");
        assert_eq!(
            Manifest::parse("file a seq 2 type i\nfile b seq 1 type i\n").unwrap_err(),
            "Found a non-monotonic sequence number"
        );
        assert_eq!(Manifest::parse("file a/b seq 1 type b\n").unwrap_err(), "File can't be a path, just a filename");
        assert!(Manifest::parse("file \"my file\" seq 1 type b\n").unwrap().base.unwrap().name == "my file");
    }
}
