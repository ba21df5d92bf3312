//! The RDB codec: Redis 7.0's snapshot format (RDB version 10), shared by
//! snapshots, AOF preambles and DUMP/RESTORE.
//!
//! * `primitives`: lengths, strings (integer/LZF forms), doubles; `Reader`,
//!   the bounds-checked cursor every load goes through.
//! * `crc64`, `lzf`: the checksum and the compression.
//! * `listpack`: Redis's listpack bytes; `ziplist`: the older ziplist,
//!   zipmap and intset blobs.
//! * `object`: one value written in the encoding Redis 7.0 writes for it,
//!   and read back from every form Redis 7.0 reads (RDB 1 to 10), in the
//!   encoding the current settings call for.
//! * `file`: whole files: header, AUX fields, SELECTDB/RESIZEDB, keys with
//!   their expiry and LRU/LFU data, functions, EOF and checksum.
//! * `stream`: the stream object codec.
//!
//! Every read validates what it reads: corrupt or truncated input is an
//! `RdbError`, never a panic, and no length taken from the input allocates
//! more than the rest of the input could fill.

pub mod crc64;
mod file;
pub mod listpack;
pub mod lzf;
mod object;
pub mod primitives;
pub mod stream;
pub mod ziplist;

pub use crc64::Crc64;
pub use file::FileReader;
pub use object::{read_object, write_object};
pub use primitives::Reader;

use crate::shard::Entry;
use bytes::Bytes;
use primitives::{write_len, write_string};

/// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and file loads accept any
/// checksum while set.
static SKIP_CHECKSUM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_skip_checksum(skip: bool) {
    SKIP_CHECKSUM.store(skip, std::sync::atomic::Ordering::Relaxed);
}

pub fn skip_checksum() -> bool {
    SKIP_CHECKSUM.load(std::sync::atomic::Ordering::Relaxed)
}

/// The RDB version written (Redis 7.0's).
pub const RDB_VERSION: u16 = 10;

/// A load failure: what was wrong, for logs and RESTORE's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError(pub String);

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RdbError {}

/// How values are written.
#[derive(Debug, Clone, Copy)]
pub struct SaveOptions {
    /// LZF-compress strings and blobs longer than 20 bytes (rdbcompression).
    pub compress: bool,
}

/// Object type bytes.
pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// Opcodes between records of a file.
pub mod opcode {
    pub const FUNCTION2: u8 = 245;
    pub const FUNCTION_PRE_GA: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// One record of a file, as `FileReader::next` returns them.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Aux(Bytes, Bytes),
    SelectDb(u64),
    /// Keys and keys with an expiry in the database that follows.
    ResizeDb(u64, u64),
    /// A key: its value, expiry (0 = none) and access time (from IDLE when
    /// the file has it, else now); `freq` is the LFU counter when present.
    /// Expired keys are returned too: whether to keep them is the loader's
    /// choice (a master drops them).
    Entry {
        key: Bytes,
        entry: Entry,
        freq: Option<u8>,
    },
    /// A function library's code (FUNCTION2).
    Function(Bytes),
    Eof,
}

/// Appends one key's record: [EXPIRETIME_MS] type key object. (IDLE and
/// FREQ are written by Redis only under LRU/LFU maxmemory policies, which
/// Clover does not run; none is written.)
pub fn write_entry(out: &mut Vec<u8>, key: &[u8], entry: &Entry, opts: &SaveOptions) {
    if entry.expire != 0 {
        out.push(opcode::EXPIRETIME_MS);
        out.extend_from_slice(&entry.expire.to_le_bytes());
    }
    let at = out.len();
    out.push(0);
    write_string(out, key, opts.compress);
    out[at] = write_object(out, &entry.value, opts);
}

/// Appends the file header: "REDIS", the version in four digits, then
/// each AUX field.
pub fn write_header(out: &mut Vec<u8>, aux: &[(&str, &[u8])]) {
    out.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    for (k, v) in aux {
        out.push(opcode::AUX);
        write_string(out, k.as_bytes(), false);
        write_string(out, v, false);
    }
}

/// Appends SELECTDB `db` and RESIZEDB with its key counts.
pub fn write_select_db(out: &mut Vec<u8>, db: u64, keys: u64, volatile: u64) {
    out.push(opcode::SELECTDB);
    write_len(out, db);
    out.push(opcode::RESIZEDB);
    write_len(out, keys);
    write_len(out, volatile);
}

/// Appends the EOF opcode; the file writer adds the CRC-64 of everything
/// before it (8 bytes, little-endian).
pub fn write_eof(out: &mut Vec<u8>) {
    out.push(opcode::EOF);
}

/// A DUMP payload of `value`: type, object, RDB version (2 bytes LE) and
/// the CRC-64 of all that (8 bytes LE).
pub fn dump_payload(value: &crate::shard::Value, opts: &SaveOptions) -> Vec<u8> {
    let mut out = vec![0];
    out[0] = write_object(&mut out, value, opts);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Why a DUMP payload cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Too short, from a newer RDB version, or a wrong checksum.
    VersionOrChecksum,
    /// The object itself does not decode.
    BadData(RdbError),
}

/// Checks a DUMP payload's footer and decodes its value.
pub fn restore_payload(
    payload: &[u8],
    settings: &crate::server::settings::Settings,
) -> Result<crate::shard::Value, PayloadError> {
    let Some(body_len) = payload.len().checked_sub(10) else { return Err(PayloadError::VersionOrChecksum) };
    let version = u16::from_le_bytes([payload[body_len], payload[body_len + 1]]);
    if version > RDB_VERSION {
        return Err(PayloadError::VersionOrChecksum);
    }
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&payload[body_len + 2..]);
    if !skip_checksum() && crc64::crc64(&payload[..body_len + 2]) != u64::from_le_bytes(crc) {
        return Err(PayloadError::VersionOrChecksum);
    }
    // As Redis, the object is read from the whole payload: an object that
    // runs into the footer is read from it, bytes after one are ignored.
    let mut r = Reader::new(payload);
    let t = r.u8().map_err(PayloadError::BadData)?;
    read_object(&mut r, t, settings).map_err(PayloadError::BadData)
}

#[cfg(test)]
mod tests;

/// Bytes from a hex string (test data taken from redis-server).
#[cfg(test)]
pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
