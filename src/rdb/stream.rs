//! The stream object codec (STREAM_LISTPACKS_2). Placeholder until the
//! stream codec lands: streams are written empty and refused on load.

use super::{types, RdbError, Reader, SaveOptions};
use crate::server::settings::Settings;
use crate::shard::{Stream, Value};

/// Appends `s` as a stream object and returns its type byte.
pub fn write_stream(out: &mut Vec<u8>, _s: &Stream, _opts: &SaveOptions) -> u8 {
    // No listpacks, length 0, last ID 0-0, first ID, max deleted ID,
    // entries added 0, no consumer groups.
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    types::STREAM_LISTPACKS_2
}

/// Reads a stream object of `rdb_type`.
pub fn read_stream(_r: &mut Reader, _rdb_type: u8, _settings: &Settings) -> Result<Value, RdbError> {
    Err(RdbError("stream encoding not supported yet".into()))
}
