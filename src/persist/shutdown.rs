//! Shutting down as Redis does: SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] and
//! SIGTERM/SIGINT (with shutdown-on-sigterm/sigint). A running BGSAVE is
//! stopped; the final RDB is saved when save points exist (or SAVE asks);
//! a failed save keeps the server running unless FORCE.

use super::{file, save};
use crate::server::shard::Shard;
use crate::{notice, warning};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;

/// SHUTDOWN's options (and the shutdown-on-sig* directives' words).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub save: bool,
    pub nosave: bool,
    pub now: bool,
    pub force: bool,
}

impl Flags {
    /// From a shutdown-on-sigterm/sigint value ("default", "save now" ...).
    pub fn from_words(words: &str) -> Flags {
        let mut f = Flags::default();
        for w in words.split_whitespace() {
            match w {
                "save" => f.save = true,
                "nosave" => f.nosave = true,
                "now" => f.now = true,
                "force" => f.force = true,
                _ => {}
            }
        }
        f
    }
}

/// Runs the shutdown; on success the process exits here. Err: the server
/// keeps running (the reason is logged).
pub async fn shutdown(shard: &Rc<Shard>, mut flags: Flags) -> Result<(), ()> {
    let status = &shard.shared.persist;
    if status.loading.load(Relaxed) {
        // Saving half a data set would overwrite the file being loaded.
        flags.save = false;
        flags.nosave = true;
    }
    status.shutting_down.store(true, Relaxed);
    warning!("User requested shutdown...");
    if status.running() == Some(super::status::Kind::Rdb) {
        warning!("There is a child saving an .rdb. Killing it!");
        save::kill_bgsave(shard).await;
        file::remove_temp(&file::temp_path(shard.shared.pid), shard.shared.shards);
    }
    // The AOF's final flush and fsync (helper `aof`) go here.
    let settings = shard.settings();
    if (settings.save_points && !flags.nosave) || flags.save {
        notice!("Saving the final RDB snapshot before exiting.");
        if save::save(shard, true).await.is_err() {
            if flags.force {
                warning!("Error trying to save the DB. Exit anyway.");
            } else {
                warning!("Error trying to save the DB, can't exit.");
                warning!("Errors trying to shut down the server. Check the logs for more information.");
                status.shutting_down.store(false, Relaxed);
                return Err(());
            }
        }
    }
    crate::server::run_shutdown(&shard.shared);
    std::process::exit(0);
}

/// SHUTDOWN ABORT: forgets a signal's shutdown that has not started yet
/// (DEBUG PAUSE-CRON holds it). False when there is none.
pub fn abort(shard: &Shard) -> bool {
    if shard.shared.persist.pending_signal.swap(0, Relaxed) == 0 {
        return false;
    }
    notice!("Shutdown manually aborted.");
    true
}

/// A SIGTERM/SIGINT the main thread received: shuts down with the flags
/// shutdown-on-sigterm/sigint give.
pub async fn on_signal(shard: Rc<Shard>, sig: i32) {
    let settings = shard.settings();
    let words = if sig == libc::SIGINT { &settings.shutdown_on_sigint } else { &settings.shutdown_on_sigterm };
    let _ = shutdown(&shard, Flags::from_words(words)).await;
}

#[cfg(test)]
mod tests {
    use super::Flags;

    #[test]
    fn flags_from_the_directive_words() {
        assert_eq!(Flags::from_words("default"), Flags::default());
        let f = Flags::from_words("save now force");
        assert!(f.save && f.now && f.force && !f.nosave);
        assert!(Flags::from_words("nosave").nosave);
    }
}
