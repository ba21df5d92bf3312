//! LATENCY: the latency monitor's events (LATEST, HISTORY, RESET, DOCTOR)
//! and the per-command latency histograms (HISTOGRAM), merged from every
//! core.

use super::help::help;
use crate::command::spec::{flags as f, CommandSpec, Exec, LocalFuture};
use crate::command::{lookup, lookup_subcommand, table};
use crate::metrics::latency::{EventHistory, LatencyMonitor};
use crate::metrics::stats::Stats;
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;
use hdrhistogram::Histogram;

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, arity, h| {
        CommandSpec::new(name, arity, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, Exec::Server(h)).group("server")
    };
    vec![CommandSpec::new("latency", -2, 0, Exec::Container)
        .group("server")
        .doc("2.8.13", "A container for latency diagnostics commands", "Depends on subcommand.")
        .sub(vec![
            sub("latency|latest", 2, latest)
                .doc("2.8.13", "Return the latest latency samples for all events.", "O(1)")
                .tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"]),
            sub("latency|history", 3, history)
                .doc("2.8.13", "Return timestamp-latency samples for the event.", "O(1)")
                .tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"]),
            sub("latency|reset", -2, reset)
                .doc("2.8.13", "Reset latency data for one or more events.", "O(1)")
                .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
            sub("latency|histogram", -2, histogram)
                .doc(
                    "7.0.0",
                    "Return the cumulative distribution of latencies of a subset of commands or all.",
                    "O(N) where N is the number of commands with latency information being retrieved.",
                )
                .tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"]),
            sub("latency|graph", 3, graph).doc("2.8.13", "Return a latency graph for the event.", "O(1)").tips(&[
                "nondeterministic_output",
                "request_policy:all_nodes",
                "response_policy:special",
            ]),
            sub("latency|doctor", 2, doctor)
                .doc("2.8.13", "Return a human readable latency analysis report.", "O(1)")
                .tips(&["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"]),
            CommandSpec::new("latency|help", 2, f::LOADING | f::STALE, Exec::Client(latency_help)).group("server").doc(
                "2.8.13",
                "Show helpful text about the different subcommands.",
                "O(1)",
            ),
        ])]
}

/// Every core's latency events, merged.
async fn monitor(c: &Client) -> LatencyMonitor {
    let all = c.shard.run_on_all(|s| s.latency.borrow().clone()).await;
    let mut m = LatencyMonitor::default();
    for other in &all {
        m.merge(other);
    }
    m
}

fn latest(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let m = monitor(c).await;
        let rows = m.events.iter().filter_map(|(name, h)| {
            let &(time, ms) = h.samples.last()?;
            Some(Reply::Array(vec![Reply::str(name.clone()), int(time), int(ms), int(h.max)]))
        });
        Reply::Array(rows.collect())
    })
}

fn int(n: u64) -> Reply {
    Reply::Int(n as i64)
}

fn history(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let m = monitor(c).await;
        let event = String::from_utf8_lossy(&a[2]);
        let samples = m.events.get(event.as_ref()).map(|h| h.samples.as_slice()).unwrap_or_default();
        Reply::Array(samples.iter().map(|&(t, ms)| Reply::Array(vec![int(t), int(ms)])).collect())
    })
}

/// Resets the named events (all without names); replies how many existed.
fn reset(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let names: Vec<String> = a[2..].iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
        let existing = monitor(c).await;
        let count = if names.is_empty() {
            existing.events.len()
        } else {
            names.iter().filter(|n| existing.events.contains_key(n.as_str())).count()
        };
        c.shard
            .run_on_all(move |s| {
                let mut m = s.latency.borrow_mut();
                if names.is_empty() {
                    m.events.clear();
                } else {
                    m.events.retain(|k, _| !names.contains(k));
                }
            })
            .await;
        Reply::Int(count as i64)
    })
}

/// Every core's command statistics, merged.
async fn stats(c: &Client) -> Stats {
    let all = c.shard.run_on_all(|s| s.stats.borrow().clone()).await;
    let mut total = Stats::default();
    for s in &all {
        total.merge(s);
    }
    total
}

/// The commands LATENCY HISTOGRAM reports: all, or those named (a
/// container stands for its subcommands too; unknown names are skipped).
fn selected(names: &[Bytes]) -> Vec<&'static CommandSpec> {
    if names.is_empty() {
        return table().all().collect();
    }
    let mut out = Vec::new();
    for n in names {
        let mut parts = n.splitn(2, |&b| b == b'|');
        let Some(cmd) = parts.next().and_then(lookup) else { continue };
        match parts.next() {
            Some(sub) => out.extend(lookup_subcommand(cmd, sub)),
            None => {
                out.push(cmd);
                out.extend(cmd.subcommands.iter());
            }
        }
    }
    out
}

fn histogram(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let stats = stats(c).await;
        let mut map = Vec::new();
        for cmd in selected(&a[2..]) {
            if let Some(h) = stats.cmds.get(cmd.id).and_then(|s| s.hist.as_deref()) {
                map.push((Reply::str(cmd.name), distribution(h)));
            }
        }
        Reply::Map(map)
    })
}

/// One command's calls and cumulative latency distribution in
/// microseconds, reported as Redis's log iteration (base 2 from 1024 ns)
/// does: each power-of-two level covers the values of its own bucket, is
/// named after that bucket's highest value, and shows only when it adds
/// calls.
fn distribution(h: &Histogram<u64>) -> Reply {
    let mut buckets = Vec::new();
    let mut level = 1024u64;
    let (mut cumulative, mut reported) = (0, 0);
    let mut report = |level: u64, cumulative: u64, reported: &mut u64| {
        if cumulative > *reported {
            buckets.push((int(h.highest_equivalent(level) / 1000), int(cumulative)));
            *reported = cumulative;
        }
    };
    for v in h.iter_recorded() {
        let top = h.highest_equivalent(v.value_iterated_to());
        while top > h.highest_equivalent(level) {
            report(level, cumulative, &mut reported);
            level *= 2;
        }
        cumulative += v.count_at_value();
    }
    report(level, cumulative, &mut reported);
    Reply::Map(vec![(Reply::str("calls"), int(h.len())), (Reply::str("histogram_usec"), Reply::Map(buckets))])
}

/// An event's samples as a text chart, one bar per sample, oldest first.
fn graph(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let m = monitor(c).await;
        let event = String::from_utf8_lossy(&a[2]).into_owned();
        let Some(h) = m.events.get(&event).filter(|h| !h.samples.is_empty()) else {
            return Reply::err(format!("ERR No samples available for event '{event}'"));
        };
        Reply::Verbatim(Bytes::from(chart(&event, h, crate::shard::expire::now_ms() / 1000)))
    })
}

/// Columns of the longest bar.
const BAR_WIDTH: u64 = 60;

fn chart(event: &str, h: &EventHistory, now: u64) -> String {
    let high = h.samples.iter().map(|s| s.1).max().unwrap_or(0);
    let low = h.samples.iter().map(|s| s.1).min().unwrap_or(0);
    let mut out = format!("{event} - high {high} ms, low {low} ms (all time high {} ms)\n", h.max);
    out.push_str(&"-".repeat(80));
    out.push('\n');
    for &(time, ms) in &h.samples {
        let bar = (ms * BAR_WIDTH).checked_div(high).unwrap_or(0).max(1) as usize;
        let ago = now.saturating_sub(time);
        out.push_str(&format!("{ago:>8}s ago {ms:>8} ms {}\n", "#".repeat(bar)));
    }
    out
}

fn doctor(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let m = monitor(c).await;
        let threshold = c.shard.settings().latency_monitor_threshold;
        let mut report = String::new();
        if m.events.is_empty() {
            report.push_str("No latency spikes were recorded");
            if threshold == 0 {
                report.push_str(": the latency monitor is disabled (latency-monitor-threshold is 0)");
            }
            report.push_str(".\n");
        } else {
            report.push_str("Latency spikes recorded, by event:\n\n");
            for (i, (name, h)) in m.events.iter().enumerate() {
                let n = h.samples.len().max(1) as u64;
                let avg = h.samples.iter().map(|s| s.1).sum::<u64>() / n;
                let first = h.samples.first().map_or(0, |s| s.0);
                let last = h.samples.last().map_or(0, |s| s.0);
                report.push_str(&format!(
                    "{}. {}: {} latency spikes (average {}ms, all time high {}ms) between unix times {} and {}.\n",
                    i + 1,
                    name,
                    h.samples.len(),
                    avg,
                    h.max,
                    first,
                    last
                ));
            }
            report.push_str(&format!(
                "\nEvents that take {threshold}ms or more are recorded (latency-monitor-threshold). Slow commands: \
                 see SLOWLOG GET; avoid O(N) commands on large values.\n"
            ));
        }
        Reply::Verbatim(Bytes::from(report))
    })
}

fn latency_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(values: &[u64]) -> Vec<(i64, i64)> {
        let mut h = Histogram::new_with_bounds(1, 1_000_000_000_000, 2).unwrap();
        for &v in values {
            h.record(v).unwrap();
        }
        let Reply::Map(m) = distribution(&h) else { panic!() };
        let Reply::Map(b) = &m[1].1 else { panic!() };
        b.iter()
            .map(|(k, v)| match (k, v) {
                (Reply::Int(k), Reply::Int(v)) => (*k, *v),
                _ => panic!(),
            })
            .collect()
    }

    #[test]
    fn histogram_buckets_are_named_as_redis_names_them() {
        // Redis: 1000 ns in the 1024 level (1 us), 2000 in 2048 (2 us),
        // 3000 in 4096 (4 us), 40 us in 65536 (66 us: 2 significant digits).
        assert_eq!(buckets(&[1000, 2000, 3000, 3000]), [(1, 1), (2, 2), (4, 4)]);
        assert_eq!(buckets(&[40_000]), [(66, 1)]);
        assert_eq!(buckets(&[10]), [(1, 1)]);
    }

    #[test]
    fn graph_has_a_bar_per_sample() {
        let h = EventHistory { samples: vec![(100, 300), (102, 600)], max: 600 };
        let text = chart("command", &h, 105);
        assert!(text.starts_with("command - high 600 ms, low 300 ms (all time high 600 ms)\n"), "{text}");
        assert_eq!(text.lines().count(), 4);
        assert!(text.ends_with(&format!("3s ago      600 ms {}\n", "#".repeat(60))), "{text}");
    }
}
