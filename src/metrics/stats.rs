//! Counters behind INFO commandstats, errorstats, latencystats and stats.

use super::instant::Rates;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// Statistics of one command on one core.
#[derive(Clone, Default)]
pub struct CmdStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected: u64,
    pub failed: u64,
    /// Latency in nanoseconds, created on the first call.
    pub hist: Option<Box<Histogram<u64>>>,
}

/// One core's counters.
#[derive(Clone, Default)]
pub struct Stats {
    /// Indexed by command id.
    pub cmds: Vec<CmdStat>,
    /// Error replies by their code (first word).
    pub errors: BTreeMap<String, u64>,
    pub total_commands: u64,
    pub total_error_replies: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub unexpected_error_replies: u64,
    /// Socket reads and writes (INFO total_reads/writes_processed).
    pub reads_processed: u64,
    pub writes_processed: u64,
    /// Recent rates, sampled by the shard's cron.
    pub rates: Rates,
}

impl Stats {
    pub fn new(ids: usize) -> Stats {
        Stats { cmds: vec![CmdStat::default(); ids], ..Default::default() }
    }

    /// Records one executed call of command `id` that took `nanos`.
    #[inline]
    pub fn call(&mut self, id: usize, nanos: u64, track_latency: bool) {
        self.total_commands += 1;
        let s = &mut self.cmds[id];
        s.calls += 1;
        s.usec += nanos / 1000;
        if track_latency {
            let h = s.hist.get_or_insert_with(|| {
                Box::new(Histogram::new_with_bounds(1, 1_000_000_000_000, 2).expect("valid histogram bounds"))
            });
            let _ = h.record(nanos.max(1));
        }
    }

    /// Records an error reply; `id` is the command it answered, if any, and
    /// `rejected` whether the command was refused before it ran.
    pub fn error(&mut self, text: &str, id: Option<usize>, rejected: bool) {
        self.total_error_replies += 1;
        let code = text.split(' ').next().unwrap_or("ERR");
        *self.errors.entry(code.to_string()).or_insert(0) += 1;
        if let Some(id) = id {
            if rejected {
                self.cmds[id].rejected += 1;
            } else {
                self.cmds[id].failed += 1;
            }
        }
    }

    /// Adds another core's counters into these.
    pub fn merge(&mut self, other: &Stats) {
        if self.cmds.len() < other.cmds.len() {
            self.cmds.resize(other.cmds.len(), CmdStat::default());
        }
        for (a, b) in self.cmds.iter_mut().zip(&other.cmds) {
            a.calls += b.calls;
            a.usec += b.usec;
            a.rejected += b.rejected;
            a.failed += b.failed;
            if let Some(h) = &b.hist {
                match &mut a.hist {
                    Some(mine) => {
                        let _ = mine.add(h.as_ref());
                    }
                    None => a.hist = Some(h.clone()),
                }
            }
        }
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_insert(0) += v;
        }
        self.total_commands += other.total_commands;
        self.total_error_replies += other.total_error_replies;
        self.net_input_bytes += other.net_input_bytes;
        self.net_output_bytes += other.net_output_bytes;
        self.unexpected_error_replies += other.unexpected_error_replies;
        self.reads_processed += other.reads_processed;
        self.writes_processed += other.writes_processed;
        self.rates.merge(&other.rates);
    }

    /// Samples the instantaneous rates (from the cron).
    pub fn sample_rates(&mut self, now_ms: u64) {
        self.rates.sample(now_ms, self.total_commands, self.net_input_bytes, self.net_output_bytes);
    }

    /// CONFIG RESETSTAT.
    pub fn reset(&mut self) {
        let ids = self.cmds.len();
        *self = Stats::new(ids);
    }
}
