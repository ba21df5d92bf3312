//! The RDB part of an AOF: a `.base.rdb` file, or an old-style file's RDB
//! preamble, read through the RDB codec; and the RDB base a new AOF starts
//! with when aof-use-rdb-preamble is yes.

use crate::rdb::{self, FileReader, Record};
use crate::server::settings::Settings;
use crate::shard::Keyspace;

/// Loads the RDB at the start of `data` into `ks` (expired keys too, as
/// Redis does for an AOF preamble); returns how many bytes it took.
pub fn load(data: &[u8], settings: &Settings, ks: &mut Keyspace) -> Result<usize, String> {
    let mut r = FileReader::new(data).map_err(|e| e.0)?;
    let mut db = 0;
    loop {
        match r.next(settings).map_err(|e| e.0)? {
            Record::SelectDb(n) => {
                db = usize::try_from(n).ok().filter(|&n| n < ks.dbs.len()).ok_or_else(|| {
                    format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                        ks.dbs.len()
                    )
                })?;
            }
            Record::Entry { key, entry, .. } => {
                ks.db(db).insert(key, entry);
            }
            Record::Eof => return Ok(r.pos()),
            _ => {}
        }
    }
}

/// An RDB image of an empty data set, as the base of a new AOF.
pub fn empty_base(ctime_secs: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let aux = crate::persist::file::header_aux(ctime_secs, 0, true);
    let aux: Vec<(&str, &[u8])> = aux.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    rdb::write_header(&mut out, &aux);
    rdb::write_eof(&mut out);
    let crc = rdb::crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}
