//! The open files limit `maxclients` needs: raised as far as the system
//! allows, at start-up and on CONFIG SET maxclients, as Redis does; when it
//! cannot be raised enough, the number of clients it does allow.

use crate::{notice, warning};

/// Descriptors kept for things other than clients, as Redis reserves.
const RESERVED: u64 = 32;
/// Descriptors each executor (shard or control) holds: its io_uring rings,
/// event and timer descriptors, listeners.
const PER_EXECUTOR: u64 = 8;

/// Descriptors Clover needs besides its clients' sockets.
fn reserved(shards: usize) -> u64 {
    RESERVED + PER_EXECUTOR * (shards as u64 + 1)
}

/// Makes room for `maxclients` clients, raising RLIMIT_NOFILE if needed.
/// Returns how many clients fit: `maxclients` itself, or fewer when the
/// limit could not be raised enough (0 when not even the reserve fits).
pub fn adjust(maxclients: u64, shards: usize) -> u64 {
    let reserve = reserved(shards);
    let wanted = maxclients.saturating_add(reserve);
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with an rlimit we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        warning!("Unable to obtain the current NOFILE limit, assuming 1024 and setting the max clients configuration accordingly.");
        return 1024u64.saturating_sub(reserve);
    }
    let old = limit.rlim_cur;
    if old >= wanted {
        return maxclients;
    }
    // Try what is wanted (root may raise the hard limit too), then the hard
    // limit, then a little less each time, as Redis does.
    let mut error = std::io::Error::from_raw_os_error(0);
    let mut best = wanted;
    while best > old {
        let l = libc::rlimit { rlim_cur: best, rlim_max: limit.rlim_max.max(best) };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &l) } == 0 {
            break;
        }
        error = std::io::Error::last_os_error();
        best = if best > limit.rlim_max && limit.rlim_max > old { limit.rlim_max } else { best.saturating_sub(16) };
    }
    let best = best.max(old);
    if best >= wanted {
        notice!("Increased maximum number of open files to {wanted} (it was originally set to {old}).");
        return maxclients;
    }
    if best <= reserve {
        warning!(
            "Your current 'ulimit -n' of {old} is not enough for the server to start. Please increase your open \
             file limit to at least {wanted}. Exiting."
        );
        return 0;
    }
    let fits = best - reserve;
    warning!("You requested maxclients of {maxclients} requiring at least {wanted} max file descriptors.");
    let error = error.to_string();
    let error = error.split(" (os error").next().unwrap_or_default();
    warning!("Server can't set maximum open files to {wanted} because of OS error: {error}.");
    warning!(
        "Current maximum open files is {best}. maxclients has been reduced to {fits} to compensate for low ulimit. \
         If you need higher maxclients increase 'ulimit -n'."
    );
    fits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_maxclients_fits() {
        assert_eq!(adjust(10, 2), 10);
    }

    #[test]
    fn reserve_grows_with_shards() {
        assert!(reserved(8) > reserved(1));
        assert_eq!(reserved(0), RESERVED + PER_EXECUTOR);
    }
}
