//! Instantaneous rates (INFO's instantaneous_ops_per_sec and
//! instantaneous_*_kbps) as Redis derives them: a counter is sampled about
//! every 100 ms, and the rate is the mean of the last 16 per-second rates.

/// Samples averaged into a rate.
const SAMPLES: usize = 16;
/// Least time between two samples, in milliseconds.
const PERIOD_MS: u64 = 100;

/// The recent rate of one ever-growing counter.
#[derive(Clone, Default)]
pub struct Rate {
    last_ms: u64,
    last: u64,
    samples: [u64; SAMPLES],
    next: usize,
}

impl Rate {
    /// Takes a sample of the counter's `reading` at `now_ms`.
    fn track(&mut self, now_ms: u64, reading: u64) {
        if self.last_ms != 0 {
            let elapsed = now_ms.saturating_sub(self.last_ms).max(1);
            self.samples[self.next] = reading.saturating_sub(self.last) * 1000 / elapsed;
            self.next = (self.next + 1) % SAMPLES;
        }
        self.last_ms = now_ms;
        self.last = reading;
    }

    /// Events per second, averaged over the samples.
    pub fn per_sec(&self) -> u64 {
        self.samples.iter().sum::<u64>() / SAMPLES as u64
    }

    /// Adds another core's rate into this one.
    fn merge(&mut self, other: &Rate) {
        for (a, b) in self.samples.iter_mut().zip(&other.samples) {
            *a += b;
        }
    }
}

/// The rates INFO reports.
#[derive(Clone, Default)]
pub struct Rates {
    pub ops: Rate,
    pub net_input: Rate,
    pub net_output: Rate,
}

impl Rates {
    /// Samples the counters if the last sample is at least 100 ms old.
    pub fn sample(&mut self, now_ms: u64, ops: u64, net_input: u64, net_output: u64) {
        if now_ms < self.ops.last_ms + PERIOD_MS {
            return;
        }
        self.ops.track(now_ms, ops);
        self.net_input.track(now_ms, net_input);
        self.net_output.track(now_ms, net_output);
    }

    pub fn merge(&mut self, other: &Rates) {
        self.ops.merge(&other.ops);
        self.net_input.merge(&other.net_input);
        self.net_output.merge(&other.net_output);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_rate() {
        let mut r = Rates::default();
        for i in 0..=SAMPLES as u64 {
            r.sample(1_000 + i * 100, i * 50, i * 1024, 0);
        }
        assert_eq!(r.ops.per_sec(), 500);
        assert_eq!(r.net_input.per_sec(), 10240);
        // Too early for another sample: nothing changes.
        r.sample(1_000 + SAMPLES as u64 * 100 + 10, 1_000_000, 0, 0);
        assert_eq!(r.ops.per_sec(), 500);
        let mut sum = r.clone();
        sum.merge(&r);
        assert_eq!(sum.ops.per_sec(), 1000);
    }
}
