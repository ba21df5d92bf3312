//! Reading a whole RDB file record by record: the "REDIS" magic and
//! version (1 to 10), then opcodes and keys up to EOF, whose CRC-64 (RDB 5
//! and later; 0 = written without one) is checked against the bytes read.

use super::object::load_object;
use super::primitives::truncated;
use super::{crc64, opcode, skip_checksum, RdbError, Reader, Record, RDB_VERSION};
use crate::server::settings::Settings;
use crate::shard::expire::lru_clock;
use crate::shard::Entry;

/// A reader of a complete RDB image held in memory.
pub struct FileReader<'a> {
    r: Reader<'a>,
    version: u16,
    empty_keys: u64,
}

impl<'a> FileReader<'a> {
    /// Checks the magic and version.
    pub fn new(data: &'a [u8]) -> Result<FileReader<'a>, RdbError> {
        let mut r = Reader::new(data);
        let head = r.take(9)?;
        if &head[..5] != b"REDIS" {
            return Err(RdbError("Wrong signature trying to load DB from file".into()));
        }
        // The version as atoi reads it: its leading digits.
        let version = head[5..].iter().take_while(|b| b.is_ascii_digit()).fold(0u16, |v, b| v * 10 + (b - b'0') as u16);
        if !(1..=RDB_VERSION).contains(&version) {
            return Err(RdbError(format!("Can't handle RDB format version {version}")));
        }
        Ok(FileReader { r, version, empty_keys: 0 })
    }

    /// The file's RDB version.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Keys skipped for holding empty collections (for the "Done loading"
    /// line).
    pub fn empty_keys_skipped(&self) -> u64 {
        self.empty_keys
    }

    /// Bytes read so far.
    pub fn pos(&self) -> usize {
        self.r.pos()
    }

    /// The next record. Keys holding empty collections are skipped (the
    /// first ten logged), as Redis skips them.
    pub fn next(&mut self, settings: &Settings) -> Result<Record, RdbError> {
        let (mut expire, mut idle, mut freq) = (0u64, None, None);
        loop {
            let op = self.r.u8()?;
            match op {
                opcode::EXPIRETIME => expire = self.r.u32_le()? as u64 * 1000,
                opcode::EXPIRETIME_MS => expire = self.r.u64_le()?,
                opcode::FREQ => freq = Some(self.r.u8()?),
                opcode::IDLE => idle = Some(self.r.len()?),
                opcode::SELECTDB => return Ok(Record::SelectDb(self.r.len()?)),
                opcode::RESIZEDB => {
                    let keys = self.r.len()?;
                    return Ok(Record::ResizeDb(keys, self.r.len()?));
                }
                opcode::AUX => {
                    let k = self.r.string()?;
                    return Ok(Record::Aux(k, self.r.string()?));
                }
                opcode::FUNCTION2 => return Ok(Record::Function(self.r.string()?)),
                opcode::FUNCTION_PRE_GA => {
                    return Err(RdbError("pre-release function format not supported".into()));
                }
                opcode::MODULE_AUX => return Err(RdbError("module data not supported".into())),
                opcode::EOF => {
                    if self.version >= 5 {
                        let consumed = self.r.consumed();
                        let got = self.r.u64_le().map_err(|_| truncated())?;
                        if got != 0 && !skip_checksum() && got != crc64::crc64(consumed) {
                            return Err(RdbError("RDB CRC error".into()));
                        }
                    }
                    return Ok(Record::Eof);
                }
                rdb_type => {
                    let key = self.r.string()?;
                    match load_object(&mut self.r, rdb_type, settings)? {
                        Some(value) => {
                            let now = lru_clock();
                            let access = idle.map_or(now, |s: u64| now.wrapping_sub(s.min(u32::MAX as u64) as u32));
                            let entry = Entry { value, expire, access };
                            return Ok(Record::Entry { key, entry, freq });
                        }
                        None => {
                            if self.empty_keys < 10 {
                                crate::warning!("rdbLoadObject skipping empty key: {}", String::from_utf8_lossy(&key));
                            }
                            self.empty_keys += 1;
                            (expire, idle, freq) = (0, None, None);
                        }
                    }
                }
            }
        }
    }
}
