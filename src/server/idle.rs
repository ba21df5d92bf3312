//! What a shard does when it has nothing to run: sleep in its own
//! `epoll_wait`, as redis-server does, instead of parking through glommio,
//! which costs several io_uring submissions, a descriptor duplicated and
//! closed, and more wake-ups per sleep (perf/README.md has the figures).
//!
//! While the dispatcher sleeps there, glommio's executor cannot run, so
//! it sleeps only when no other task is runnable (`how_to_sleep`), no task
//! waits for something only glommio's reactor delivers (`outside`), and
//! only within `LAPSE` of the last input and of the reactor's last run.
//! Everything else wakes it: input on its sockets, messages from other
//! cores (a `Doorbell` in its epoll set), new connections (the listening
//! sockets are in the set too), and completions of io_uring requests
//! glommio has submitted (their task work interrupts the sleep with
//! EINTR). Timers are the one thing that can be late, by up to `NAP`.

use std::cell::Cell;
use std::future::Future;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::time::Duration;

/// The longest a busy shard goes without letting glommio's reactor run
/// (its timers, accepts, and wake-ups from other threads). An idle shard
/// sleeps in its own `epoll_wait` only within this of the last input and
/// of the reactor's last run (each sleep up to `NAP`); past it, it sleeps
/// through glommio.
pub const LAPSE: Duration = Duration::from_millis(1);

/// The longest one sleep in the shard's own `epoll_wait` lasts. A timeout
/// shorter than the kernel's scheduler tick (4 ms at HZ=250) makes every
/// sleep program the CPU's timer for it and cancel it on waking, which
/// costs 5 us of CPU per sleep in a VM (perf/README.md); one past the
/// next tick costs nothing extra. It is also how late a timer can fire:
/// a shard woken by this timeout, idle for longer than `LAPSE`, goes on
/// to sleep through glommio, which fires timers on time.
pub const NAP: Duration = Duration::from_millis(5);

/// A `sched_yield` that lasts longer than this gave the CPU to another
/// thread; on its own the call takes about 0.5 us.
const HANDED_OVER: Duration = Duration::from_micros(3);

/// Offers the CPU to any other thread waiting for it (`sched_yield`) and
/// tells whether one took it. A shard about to sleep asks this first and,
/// when the CPU was wanted, looks for input again instead: a shard that
/// shares its CPU (with the load generator, when there are as many shards
/// as CPUs) would otherwise be woken by each request its neighbour sends
/// and preempt it at once, one request per wake-up, where yielding lets
/// the neighbour run until it waits and then finds a batch (30 % more
/// requests/s for `redis-benchmark -q` against `--shards 2` on 2 CPUs,
/// perf/README.md). Alone on its CPU, the shard pays one system call per
/// sleep.
pub fn cpu_wanted() -> bool {
    let start = crate::util::clock::stamp();
    // SAFETY: no arguments; it gives up the CPU only if another thread
    // waits for it.
    unsafe { libc::sched_yield() };
    start.elapsed() > HANDED_OVER
}

/// Wakes a shard sleeping in its own `epoll_wait` from any thread: an
/// eventfd in the shard's epoll set, written only while the shard sleeps.
pub struct Doorbell {
    fd: OwnedFd,
    asleep: AtomicBool,
}

impl Doorbell {
    pub fn new() -> std::io::Result<Doorbell> {
        // SAFETY: plain descriptor creation.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor owned by nothing else.
        Ok(Doorbell { fd: unsafe { OwnedFd::from_raw_fd(fd) }, asleep: AtomicBool::new(false) })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Wakes the shard if it sleeps. The caller has already made its news
    /// visible (a message counted); the fence pairs with the one in
    /// `dozing`, so either the sleeper sees the news before it sleeps or
    /// this sees it asleep.
    pub fn ring(&self) {
        fence(Ordering::SeqCst);
        if self.asleep.load(Ordering::Relaxed) {
            let one = 1u64;
            // SAFETY: an 8-byte write from a live value to an eventfd. It
            // cannot block (non-blocking) and a full counter cannot happen.
            unsafe { libc::write(self.fd(), (&one as *const u64).cast(), 8) };
        }
    }

    /// Marks the shard asleep; the caller then checks for news one last
    /// time before it sleeps. (The eventfd is edge-triggered in the epoll
    /// set, so every write is reported and it is never read.)
    pub fn dozing(&self) {
        self.asleep.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    pub fn awake(&self) {
        self.asleep.store(false, Ordering::Relaxed);
    }
}

thread_local! {
    /// Tasks of this shard waiting inside `outside`.
    static OUTSIDE: Cell<usize> = const { Cell::new(0) };
}

/// Counts a task in `OUTSIDE` for as long as it lives (a future dropped
/// while waiting is counted out too).
struct Outside;

impl Outside {
    fn enter() -> Outside {
        OUTSIDE.with(|n| n.set(n.get() + 1));
        Outside
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        OUTSIDE.with(|n| n.set(n.get() - 1));
    }
}

/// Runs `fut`, which may wait for something only glommio's reactor
/// delivers: another thread's wake-up (the AOF writer, a blocking job), a
/// socket with room to write again, a full channel to another core. While
/// it waits, the shard sleeps through glommio, not in its own epoll_wait.
pub async fn outside<F: Future>(fut: F) -> F::Output {
    let _counted = Outside::enter();
    fut.await
}

/// Runs `job` on glommio's thread pool (`outside`).
pub async fn spawn_blocking<R: Send + 'static>(job: impl FnOnce() -> R + Send + 'static) -> R {
    outside(glommio::executor().spawn_blocking(job)).await
}

/// How the dispatcher may wait for input, judged after it found none.
pub enum Sleep {
    /// Other tasks ran meanwhile: look for input again.
    Not,
    /// Nothing is runnable, but a task waits for the reactor.
    ThroughGlommio,
    /// Nothing is runnable and nothing waits for the reactor.
    InEpoll,
}

/// Lets every runnable task have its turn, twice, and tells from
/// glommio's count of tasks run whether any did. The count covers whole
/// runs of the task queue, so the first turn ends the run this task is
/// in, and the second is a run in which only this task ran, unless some
/// other task was runnable. (Reading the count resets it; nothing else in
/// Clover reads glommio's executor statistics.)
pub async fn how_to_sleep() -> Sleep {
    let ex = glommio::executor();
    ex.yield_task_queue_now().await;
    let _ = ex.executor_stats();
    ex.yield_task_queue_now().await;
    if ex.executor_stats().tasks_executed() > 1 {
        Sleep::Not
    } else if OUTSIDE.with(Cell::get) > 0 {
        Sleep::ThroughGlommio
    } else {
        Sleep::InEpoll
    }
}

/// Resumes after every runnable task has had its turn and glommio has
/// polled its reactor (timers, io_uring completions, other threads'
/// wake-ups and the mesh's channels). A timer due a microsecond from now
/// fires in that poll; one due now would be ready at once, without it.
pub async fn after_reactor_poll() {
    glommio::timer::sleep(Duration::from_micros(1)).await;
}
