//! How big a connection's query buffer is kept, as Redis sizes its own:
//! room for a full read before each read; after a big request, the space
//! goes back once the recent peak shows it is no longer used; and an idle
//! connection gives all its free space back (Redis's
//! clientsCronResizeQueryBuffer). CLIENT LIST shows the result as
//! qbuf-free.

use bytes::BytesMut;

/// Free space in the query buffer before each read.
pub const READ_ROOM: usize = 16 * 1024;

/// A buffer smaller than this is never trimmed after a peak (Redis's
/// PROTO_RESIZE_THRESHOLD).
const RESIZE_THRESHOLD: usize = 32 * 1024;

/// Free space not worth giving back.
const WASTE_MIN: usize = 4 * 1024;

/// Seconds without input after which a connection's free space goes back.
pub const IDLE_SECS: u64 = 2;

/// How often (ms) the peak is compared with the buffer's size.
const PEAK_PERIOD_MS: u64 = 500;

/// Ensures `buf` has at least `READ_ROOM` bytes free.
pub fn make_room(buf: &mut BytesMut) {
    if buf.capacity() - buf.len() < READ_ROOM {
        buf.reserve(READ_ROOM);
    }
}

/// Whether a buffer holding `len` bytes of `alloc` wastes enough to be
/// given back.
pub fn wasteful(len: usize, alloc: usize) -> bool {
    alloc.saturating_sub(len) > WASTE_MIN
}

/// `buf` with its free space given back: exactly its contents.
pub fn release(buf: &mut BytesMut) {
    if wasteful(buf.len(), buf.capacity()) {
        *buf = BytesMut::from(&buf[..]);
    }
}

/// The largest the buffer's contents got lately, and when to next
/// compare that with its size.
pub struct Peak {
    most: usize,
    next_check: u64,
}

impl Peak {
    pub fn new(now_ms: u64) -> Peak {
        Peak { most: 0, next_check: now_ms + PEAK_PERIOD_MS }
    }

    /// Notes the buffer's contents after a read.
    pub fn note(&mut self, len: usize) {
        self.most = self.most.max(len);
    }

    /// At the end of a turn: once per period, trims a big buffer to the
    /// recent peak when the peak used less than half of it, and starts a
    /// new period from what the buffer holds now.
    pub fn trim(&mut self, buf: &mut BytesMut, now_ms: u64) {
        if now_ms < self.next_check {
            return;
        }
        self.next_check = now_ms + PEAK_PERIOD_MS;
        let alloc = buf.capacity();
        if wasteful(buf.len(), alloc) && alloc > RESIZE_THRESHOLD && alloc / 2 > self.most {
            let mut trimmed = BytesMut::with_capacity(self.most.max(buf.len()));
            trimmed.extend_from_slice(buf);
            *buf = trimmed;
        }
        self.most = buf.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_buffer_is_trimmed_once_the_peak_falls() {
        let mut buf = BytesMut::with_capacity(400_000);
        let mut peak = Peak::new(0);
        peak.note(399_000);
        peak.trim(&mut buf, 1000);
        assert!(buf.capacity() >= 400_000, "the peak still uses it");
        buf.extend_from_slice(b"partial");
        peak.note(100);
        peak.trim(&mut buf, 1100);
        assert!(buf.capacity() >= 400_000, "not before the period ends");
        peak.trim(&mut buf, 1600);
        assert!(buf.capacity() < 1000);
        assert_eq!(&buf[..], b"partial");
    }

    #[test]
    fn small_buffers_are_kept_and_releasing_keeps_the_contents() {
        let mut buf = BytesMut::with_capacity(READ_ROOM);
        let mut peak = Peak::new(0);
        peak.trim(&mut buf, 1000);
        assert_eq!(buf.capacity(), READ_ROOM);
        buf.extend_from_slice(b"*1\r\n$4\r\nPI");
        release(&mut buf);
        assert_eq!(&buf[..], b"*1\r\n$4\r\nPI");
        assert!(buf.capacity() < 64);
        make_room(&mut buf);
        assert!(buf.capacity() - buf.len() >= READ_ROOM);
    }
}
