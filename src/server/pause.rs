//! CLIENT PAUSE: each core keeps the pause's end and mode, and holds
//! commands back until it ends.

use super::shard::Shard;
use crate::command::spec::flags;
use crate::command::CommandSpec;
use std::time::Duration;

/// The pause in force on a core (`until` 0: none).
#[derive(Clone, Copy, Default)]
pub struct ClientPause {
    /// Unix ms when the pause ends.
    pub until: u64,
    /// PAUSE WRITE: only commands that may write wait.
    pub write_only: bool,
}

/// How often a held command looks at the pause again.
const STEP: Duration = Duration::from_millis(5);

/// Waits while a pause holds `cmd` back: admin commands (CLIENT UNPAUSE)
/// never wait; in WRITE mode only commands that may write do. The wait
/// ends at the pause's end (or at an UNPAUSE), so it is bounded.
pub async fn wait_if_paused(shard: &Shard, cmd: &CommandSpec) {
    if cmd.has(flags::ADMIN) {
        return;
    }
    loop {
        let p = shard.pause.get();
        if p.until == 0 || (p.write_only && !cmd.has(flags::WRITE | flags::MAY_REPLICATE)) {
            return;
        }
        let now = crate::shard::expire::now_ms();
        if now >= p.until {
            return;
        }
        glommio::timer::sleep(STEP.min(Duration::from_millis(p.until - now))).await;
    }
}
