//! Hash slots: `CRC16(key or its {hash tag}) mod 16384`, exactly as Redis
//! Cluster computes them, and the table that maps each slot to a shard.

/// Number of hash slots.
pub const SLOTS: usize = 16384;

/// The hash slot of `key`, honouring `{hash tags}`: when the key contains a
/// `{` followed later by a `}` with at least one byte between them, only
/// those bytes are hashed.
#[inline]
pub fn key_slot(key: &[u8]) -> u16 {
    let part = match memchr::memchr(b'{', key) {
        Some(open) => match memchr::memchr(b'}', &key[open + 1..]) {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16::State::<crc16::XMODEM>::calculate(part) & (SLOTS as u16 - 1)
}

/// Which shard of this node owns each slot. Slots are given to shards in
/// contiguous ranges so that keys of neighbouring slots share a shard and a
/// slot scan walks one shard at a time.
#[derive(Clone)]
pub struct SlotMap {
    owner: Box<[u16]>,
    shards: usize,
}

impl SlotMap {
    /// Splits the slot space evenly over `shards` shards.
    pub fn even(shards: usize) -> SlotMap {
        let shards = shards.max(1);
        let owner = (0..SLOTS).map(|s| (s * shards / SLOTS) as u16).collect::<Vec<_>>().into_boxed_slice();
        SlotMap { owner, shards }
    }

    /// The shard that owns `slot`.
    #[inline]
    pub fn shard_of(&self, slot: u16) -> usize {
        self.owner[slot as usize] as usize
    }

    pub fn shards(&self) -> usize {
        self.shards
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_slots() {
        // Values from redis-cli CLUSTER KEYSLOT.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{}{bar}"), key_slot(b"foo{}{bar}"));
        assert_eq!(key_slot(b"{}foo"), crc16::State::<crc16::XMODEM>::calculate(b"{}foo") & 16383);
        assert_eq!(key_slot(b""), 0);
    }

    #[test]
    fn even_map_is_contiguous() {
        let m = SlotMap::even(3);
        assert_eq!(m.shard_of(0), 0);
        assert_eq!(m.shard_of(16383), 2);
        let mut last = 0;
        for s in 0..SLOTS as u16 {
            assert!(m.shard_of(s) >= last);
            last = m.shard_of(s);
        }
    }
}
