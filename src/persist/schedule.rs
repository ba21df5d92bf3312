//! The `save` schedule, evaluated on the control core: a BGSAVE starts
//! when, for some save point, at least `changes` writes happened node-wide
//! and more than `seconds` passed since the last save (a failed save is
//! retried only after a pause, as Redis does). A BGSAVE SCHEDULE waiting
//! for an AOF rewrite starts here too.

use super::save;
use crate::notice;
use crate::server::control::Control;
use crate::server::peer::Msg;
use crate::server::pending::Payload;
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// Seconds before a failed BGSAVE is retried by the schedule.
const RETRY_DELAY: u64 = 5;

/// The control core's schedule loop.
pub async fn run(control: Rc<Control>) {
    loop {
        glommio::timer::sleep(Duration::from_millis(100)).await;
        let shared = control.shared.clone();
        if shared.shutting_down.load(Relaxed) {
            return;
        }
        let status = &shared.persist;
        if status.running().is_some() || status.shutting_down.load(Relaxed) || status.cron_paused.load(Relaxed) {
            continue;
        }
        if status.scheduled.swap(false, Relaxed) {
            start_bgsave(&control).await;
            continue;
        }
        let now = crate::shard::expire::now_ms() / 1000;
        let dirty = status.dirty();
        let since_save = now.saturating_sub(status.lastsave.load(Relaxed));
        let may_retry = !status.bgsave_failed() || now.saturating_sub(status.last_try.load(Relaxed)) > RETRY_DELAY;
        let points = control.config.borrow().save_points().to_vec();
        let due = points
            .iter()
            .find(|&&(secs, changes)| dirty >= changes.max(0) as u64 && since_save > secs.max(0) as u64 && may_retry);
        if let Some(&(secs, changes)) = due {
            notice!("{changes} changes in {secs} seconds. Saving...");
            start_bgsave(&control).await;
        }
    }
}

/// Starts a BGSAVE on shard 0 (the engine needs a shard to take the cut).
async fn start_bgsave(control: &Rc<Control>) {
    let job: crate::server::peer::ShardJob = Box::new(|s| {
        let s = s.clone();
        glommio::spawn_local(async move {
            let _ = save::bgsave(&s).await;
        })
        .detach();
        Box::new(()) as Payload
    });
    control.peer.request(0, |tag| Msg::Job { tag, owner: 0, job }).await;
}
