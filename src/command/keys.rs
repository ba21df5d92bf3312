//! Finding a command's keys in its arguments from its key specs, as Redis's
//! getKeysUsingKeySpecs does; and the legacy (first, last, step) triple
//! COMMAND INFO still reports.

use super::spec::{Begin, CommandSpec, Find};
use bytes::Bytes;

/// The arguments do not fit the command's key specs (a bad numkeys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadKeyArgs;

/// Indices of the key arguments of `args` (command name at 0). Fails when
/// the arguments are malformed for the key specs (a bad numkeys); arity has
/// been checked before.
pub fn key_indices(cmd: &CommandSpec, args: &[Bytes], out: &mut Vec<usize>) -> Result<(), BadKeyArgs> {
    out.clear();
    if let Some(getkeys) = cmd.getkeys {
        let mut found = Vec::new();
        getkeys(args, &mut found);
        out.extend(found.into_iter().map(|(i, _)| i));
        return Ok(());
    }
    let argc = args.len() as i64;
    for spec in &cmd.key_specs {
        let first = match spec.begin {
            Begin::Index(i) => i as i64,
            Begin::Keyword { keyword, startfrom } => {
                let found = if startfrom >= 0 {
                    (startfrom as i64..argc).find(|&i| args[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                } else {
                    let from = argc + startfrom as i64;
                    (1..=from).rev().find(|&i| args[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                };
                match found {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            Begin::Unknown => continue,
        };
        if first >= argc {
            continue;
        }
        match spec.find {
            Find::Range { lastkey, step, limit } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit > 1 {
                    first + ((argc - first) / limit as i64) + lastkey as i64
                } else {
                    argc + lastkey as i64
                };
                let mut i = first;
                while i <= last && i < argc {
                    out.push(i as usize);
                    i += step.max(1) as i64;
                }
            }
            Find::Keynum { keynumidx, firstkey, step } => {
                let at = (first + keynumidx as i64) as usize;
                let Some(n) = args.get(at).and_then(|a| crate::util::num::parse_i64(a)) else {
                    return Err(BadKeyArgs);
                };
                if n < 0 {
                    return Err(BadKeyArgs);
                }
                let start = first + firstkey as i64;
                // A hostile count must not overflow: it cannot name more
                // keys than there are arguments.
                let end = (n - 1).checked_mul(step as i64).and_then(|d| start.checked_add(d));
                if n > 0 && end.is_none_or(|end| end >= argc) {
                    return Err(BadKeyArgs);
                }
                let mut i = start;
                for _ in 0..n {
                    out.push(i as usize);
                    i += step as i64;
                }
            }
            Find::Unknown => {}
        }
    }
    Ok(())
}

/// The legacy (first key, last key, step) triple of COMMAND INFO, derived
/// from the key specs as Redis's populateCommandLegacyRangeSpec does.
pub fn legacy_range(cmd: &CommandSpec) -> (i64, i64, i64) {
    let (mut first, mut last, mut step) = (0i64, 0i64, 0i64);
    for spec in &cmd.key_specs {
        let Begin::Index(idx) = spec.begin else { continue };
        let Find::Range { lastkey, step: s, limit } = spec.find else { continue };
        if limit > 1 {
            continue;
        }
        let this_last = if lastkey < 0 { lastkey as i64 } else { idx as i64 + lastkey as i64 };
        if first == 0 {
            first = idx as i64;
            last = this_last;
            step = s as i64;
        } else if step == s as i64 && last >= 0 && idx as i64 == last + step {
            last = this_last;
        } else {
            break;
        }
    }
    (first, last, step)
}
