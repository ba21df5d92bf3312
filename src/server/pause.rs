//! CLIENT PAUSE: each core keeps the pause's end and mode, and holds
//! commands back until it ends. While a pause lasts, keys past their time
//! are reported missing but not deleted (neither lazily nor by the active
//! cycle), as in Redis, so that a paused server's data does not change.

use super::client::Client;
use super::shard::Shard;
use crate::command::spec::flags;
use crate::command::CommandSpec;
use crate::shard::expire;
use std::time::Duration;

/// The pause in force on a core (`until` 0: none).
#[derive(Clone, Copy, Default)]
pub struct ClientPause {
    /// Unix ms when the pause ends.
    pub until: u64,
    /// PAUSE WRITE: only commands that may write wait.
    pub write_only: bool,
}

impl ClientPause {
    /// Whether a pause was set (it may have ended since).
    #[inline]
    pub fn is_set(&self) -> bool {
        self.until != 0
    }

    /// This pause and a new one together, as Redis combines them: the
    /// later end and the stricter mode.
    pub fn merge(self, new: ClientPause, now: u64) -> ClientPause {
        if self.until <= now {
            return new;
        }
        if new.until <= now {
            return self;
        }
        ClientPause { until: self.until.max(new.until), write_only: self.write_only && new.write_only }
    }
}

/// Sets this core's pause (every core gets the same).
pub fn apply(shard: &Shard, p: ClientPause) {
    shard.pause.set(p);
    expire::pause_expiry(p.until);
}

/// How often a held command looks at the pause again.
const STEP: Duration = Duration::from_millis(5);

/// Whether the command may write or propagate (EXEC: one of its queued
/// commands may): what PAUSE WRITE holds.
fn may_write(c: &Client, cmd: &CommandSpec) -> bool {
    let writes = |cmd: &CommandSpec| cmd.has(flags::WRITE | flags::MAY_REPLICATE);
    writes(cmd) || (cmd.name == "exec" && c.multi.as_ref().is_some_and(|m| m.queued.iter().any(|(q, _)| writes(q))))
}

/// Counts the client in INFO's blocked_clients while it is held.
struct Held<'a>(&'a Shard);

impl<'a> Held<'a> {
    fn new(shard: &'a Shard) -> Held<'a> {
        shard.clients.borrow_mut().blocked += 1;
        Held(shard)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.clients.borrow_mut().blocked -= 1;
    }
}

/// Waits while the pause holds `cmd` back: PAUSE ALL holds every command
/// (CLIENT UNPAUSE included, as Redis does), PAUSE WRITE those that may
/// write. The wait ends at the pause's end or at an UNPAUSE, so it is
/// bounded. Called only when a pause is set.
pub async fn hold(c: &Client, cmd: &CommandSpec) {
    let shard = &c.shard;
    let mut held = None;
    loop {
        let p = shard.pause.get();
        let now = expire::now_ms();
        if now >= p.until {
            // Ended (or lifted): back to the one-check path.
            if p.is_set() {
                shard.pause.set(ClientPause::default());
            }
            return;
        }
        if p.write_only && !may_write(c, cmd) {
            return;
        }
        held.get_or_insert_with(|| Held::new(shard));
        glommio::timer::sleep(STEP.min(Duration::from_millis(p.until - now))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_combine_to_the_later_end_and_the_stricter_mode() {
        let write = |until| ClientPause { until, write_only: true };
        let all = |until| ClientPause { until, write_only: false };
        let m = write(500).merge(all(200), 100);
        assert!(m.until == 500 && !m.write_only);
        let m = write(500).merge(write(900), 100);
        assert!(m.until == 900 && m.write_only);
        // An ended pause is replaced; a new pause that ended already does nothing.
        assert_eq!(all(50).merge(write(300), 100).until, 300);
        assert_eq!(all(500).merge(write(0), 100).until, 500);
    }
}
