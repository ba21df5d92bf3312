//! The latency monitor: events (such as "command") whose duration exceeded
//! latency-monitor-threshold, with a per-second history.

use std::collections::BTreeMap;

/// Samples kept per event, as Redis's LATENCY_TS_LEN.
const HISTORY: usize = 160;

/// One event's history: (unix seconds, milliseconds), oldest first.
#[derive(Clone, Default)]
pub struct EventHistory {
    pub samples: Vec<(u64, u64)>,
    pub max: u64,
}

/// One core's latency monitor.
#[derive(Clone, Default)]
pub struct LatencyMonitor {
    pub events: BTreeMap<String, EventHistory>,
}

impl LatencyMonitor {
    /// Records `ms` for `event` at unix second `now`; several samples in the
    /// same second keep the largest.
    pub fn add(&mut self, event: &str, now: u64, ms: u64) {
        let h = self.events.entry(event.to_string()).or_default();
        h.max = h.max.max(ms);
        match h.samples.last_mut() {
            Some(last) if last.0 == now => last.1 = last.1.max(ms),
            _ => {
                h.samples.push((now, ms));
                if h.samples.len() > HISTORY {
                    h.samples.remove(0);
                }
            }
        }
    }

    /// Merges another core's events in.
    pub fn merge(&mut self, other: &LatencyMonitor) {
        for (name, oh) in &other.events {
            let h = self.events.entry(name.clone()).or_default();
            h.max = h.max.max(oh.max);
            for &(t, ms) in &oh.samples {
                match h.samples.iter_mut().find(|s| s.0 == t) {
                    Some(s) => s.1 = s.1.max(ms),
                    None => h.samples.push((t, ms)),
                }
            }
            h.samples.sort_unstable();
            let excess = h.samples.len().saturating_sub(HISTORY);
            h.samples.drain(..excess);
        }
    }
}
