//! The process's memory figures INFO and MEMORY report: what the allocator
//! (glibc malloc) has handed out and holds, the resident set size, the
//! figure at start-up and the peak seen so far.

use std::sync::atomic::{AtomicU64, Ordering};

static STARTUP: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

/// One reading of the process's memory.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    /// Bytes in use by the program (Redis's used_memory).
    pub used: u64,
    /// Bytes the allocator took from the system for its arenas and large
    /// blocks (allocator_active).
    pub active: u64,
    /// Resident set size of the process.
    pub rss: u64,
    /// `used` right after start-up.
    pub startup: u64,
    /// The largest `used` read so far.
    pub peak: u64,
}

/// Reads the figures now; a reading may raise the peak.
pub fn read() -> Memory {
    // SAFETY: mallinfo2 only reads the allocator's bookkeeping.
    let mi = unsafe { libc::mallinfo2() };
    let used = (mi.uordblks + mi.hblkhd) as u64;
    let active = (mi.arena + mi.hblkhd) as u64;
    let peak = PEAK.fetch_max(used, Ordering::Relaxed).max(used);
    Memory { used, active: active.max(used), rss: rss(), startup: STARTUP.load(Ordering::Relaxed), peak }
}

/// Records the start-up figure, once the server is ready.
pub fn note_startup() {
    STARTUP.store(read().used, Ordering::Relaxed);
}

/// Returns unused allocator memory to the system (MEMORY PURGE).
pub fn purge() {
    // SAFETY: malloc_trim has no preconditions.
    unsafe { libc::malloc_trim(0) };
}

/// Resident set size of the process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * page_size()
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64
}

/// Physical memory of the machine, in bytes.
pub fn total_system_memory() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
    pages.max(0) as u64 * page_size()
}

/// Bytes as Redis's bytesToHuman prints them ("1.50M").
pub fn human(n: u64) -> String {
    const UNITS: [&str; 6] = ["K", "M", "G", "T", "P", "E"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.2}{}", UNITS[unit])
}

/// What the allocator really reserves for a request of `n` bytes, as
/// jemalloc's size classes round it (Redis's figures assume them): 8, 16,
/// then multiples of 16 up to 128, then four classes per doubling.
pub fn alloc_size(n: usize) -> usize {
    match n {
        0..=8 => 8,
        9..=128 => n.div_ceil(16) * 16,
        _ => {
            let spacing = n.next_power_of_two() / 8;
            n.div_ceil(spacing) * spacing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_matches_redis() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(940968), "918.91K");
        assert_eq!(human(12304384), "11.73M");
        assert_eq!(human(3 << 30), "3.00G");
    }

    #[test]
    fn size_classes() {
        let classes: Vec<usize> = [1, 8, 9, 16, 17, 23, 33, 104, 128, 129, 161, 257, 513, 1025, 5000]
            .iter()
            .map(|&n| alloc_size(n))
            .collect();
        assert_eq!(classes, [8, 8, 16, 16, 32, 32, 48, 112, 128, 160, 192, 320, 640, 1280, 5120]);
    }

    #[test]
    fn reading_counts_an_allocation() {
        let v = std::hint::black_box(vec![1u8; 4 << 20]);
        let m = read();
        assert!(m.used >= 4 << 20);
        assert!(m.peak >= m.used);
        drop(v);
    }
}
