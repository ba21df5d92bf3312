//! The RDB file on disk: its temporary names, the header's AUX fields, and
//! the final assembly (as Redis: written to temp-<pid>.rdb in `dir`,
//! fsynced, renamed to `dbfilename`). Shard 0's part file is the temporary
//! file itself (header first); the other shards' parts are appended to it
//! in shard order, then the EOF opcode and the CRC64 of everything before.

use crate::rdb;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

/// The temporary file a snapshot of this process is written to.
pub fn temp_path(pid: u32) -> String {
    format!("temp-{pid}.rdb")
}

/// Where shard `shard` writes its part.
pub fn part_path(temp: &str, shard: usize) -> String {
    if shard == 0 {
        temp.to_string()
    } else {
        format!("{temp}.part{shard}")
    }
}

/// The AUX fields Redis 7.0 writes at the start of a file.
pub fn header_aux(ctime: u64, used_mem: u64, aof_base: bool) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("redis-ver", b"7.0.15".to_vec()),
        ("redis-bits", b"64".to_vec()),
        ("ctime", ctime.to_string().into_bytes()),
        ("used-mem", used_mem.to_string().into_bytes()),
        ("aof-base", if aof_base { b"1".to_vec() } else { b"0".to_vec() }),
    ]
}

/// Appends the other shards' parts to the temporary file, ends it with EOF
/// and the checksum (0 without `checksum`), fsyncs it and renames it to
/// `path`. Returns the file's size.
pub fn assemble(temp: &str, shards: usize, path: &str, checksum: bool) -> Result<u64, String> {
    let werr = |e: std::io::Error| format!("Write error saving DB on disk: {e}");
    let mut out = OpenOptions::new().read(true).write(true).open(temp).map_err(werr)?;
    let mut crc = rdb::Crc64::default();
    let mut buf = vec![0u8; 1 << 20];
    if checksum {
        loop {
            let n = out.read(&mut buf).map_err(werr)?;
            if n == 0 {
                break;
            }
            crc.update(&buf[..n]);
        }
    }
    out.seek(SeekFrom::End(0)).map_err(werr)?;
    for s in 1..shards {
        let part = part_path(temp, s);
        let mut f = File::open(&part).map_err(werr)?;
        loop {
            let n = f.read(&mut buf).map_err(werr)?;
            if n == 0 {
                break;
            }
            if checksum {
                crc.update(&buf[..n]);
            }
            out.write_all(&buf[..n]).map_err(werr)?;
        }
        let _ = fs::remove_file(&part);
    }
    let mut tail = Vec::with_capacity(9);
    rdb::write_eof(&mut tail);
    crc.update(&tail);
    let sum = if checksum { crc.value() } else { 0 };
    tail.extend_from_slice(&sum.to_le_bytes());
    out.write_all(&tail).map_err(werr)?;
    out.sync_all().map_err(werr)?;
    let size = out.metadata().map(|m| m.len()).unwrap_or(0);
    drop(out);
    if let Err(e) = fs::rename(temp, path) {
        let cwd = std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(format!(
            "Error moving temp DB file {temp} on the final destination {path} (in server root dir {cwd}): {e}"
        ));
    }
    // The rename itself is durable once the directory is synced.
    let dir = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty());
    if let Ok(d) = File::open(dir.unwrap_or_else(|| std::path::Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(size)
}

/// Removes a snapshot's temporary files (a failed or stopped snapshot).
pub fn remove_temp(temp: &str, shards: usize) {
    for s in 0..shards {
        let _ = fs::remove_file(part_path(temp, s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::{FileReader, Record, SaveOptions};
    use crate::server::settings::Settings;
    use crate::shard::{Entry, Value};

    /// Parts written as the shards write them come out as one file the
    /// reader accepts, checksum included, with every part's keys.
    #[test]
    fn parts_assemble_into_one_checked_file() {
        let dir = std::env::temp_dir().join(format!("clover-assemble-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let temp = dir.join("temp-1.rdb").display().to_string();
        let path = dir.join("dump.rdb").display().to_string();
        let opts = SaveOptions { compress: true };
        for shard in 0..3usize {
            let mut out = Vec::new();
            if shard == 0 {
                let aux = header_aux(1_700_000_000, 1024, false);
                let aux: Vec<(&str, &[u8])> = aux.iter().map(|(k, v)| (*k, v.as_slice())).collect();
                crate::rdb::write_header(&mut out, &aux);
            }
            crate::rdb::write_select_db(&mut out, 0, 2, 0);
            for j in 0..2 {
                let key = format!("s{shard}k{j}");
                crate::rdb::write_entry(&mut out, key.as_bytes(), &Entry::new(Value::Str(key.as_str().into())), &opts);
            }
            std::fs::write(part_path(&temp, shard), out).unwrap();
        }
        let size = assemble(&temp, 3, &path, true).unwrap();
        let data = std::fs::read(&path).unwrap();
        assert_eq!(size, data.len() as u64);
        assert!(!std::path::Path::new(&temp).exists() && !std::path::Path::new(&part_path(&temp, 2)).exists());
        let mut r = FileReader::new(&data).unwrap();
        let (mut keys, mut aux) = (Vec::new(), Vec::new());
        loop {
            match r.next(&Settings::default()).unwrap() {
                Record::Entry { key, .. } => keys.push(String::from_utf8(key.to_vec()).unwrap()),
                Record::Aux(k, _) => aux.push(String::from_utf8(k.to_vec()).unwrap()),
                Record::Eof => break,
                _ => {}
            }
        }
        assert_eq!(keys, ["s0k0", "s0k1", "s1k0", "s1k1", "s2k0", "s2k1"]);
        assert_eq!(aux, ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"]);
        // A damaged byte fails the checksum.
        let mut bad = data.clone();
        let at = bad.len() - 12;
        bad[at] ^= 0xff;
        let mut r = FileReader::new(&bad).unwrap();
        let failed = loop {
            match r.next(&Settings::default()) {
                Err(_) => break true,
                Ok(Record::Eof) => break false,
                Ok(_) => {}
            }
        };
        assert!(failed);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
