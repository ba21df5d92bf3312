//! Read readiness of a shard's client sockets: one edge-triggered epoll
//! instance per shard, drained by one task, which marks the connections
//! that have input and wakes their tasks.
//!
//! Why not glommio's own reads: glommio waits for each socket with its own
//! one-shot io_uring poll, armed again after every read. Each completion
//! reaches the shard as kernel task work that interrupts it while it runs
//! (a reschedule IPI: glommio 0.9 sets up its rings without
//! IORING_SETUP_COOP_TASKRUN), which cost about a third of the CPU of a
//! request. Here one `epoll_wait` collects a whole batch of ready sockets,
//! and the only io_uring poll left is the one on the epoll descriptor
//! while the shard has nothing else to do. perf/README.md has the numbers.
//! The dispatcher also makes room for glommio to deliver messages from
//! other cores (`watch_mail`) and gives way to threads sharing its CPU.

use std::cell::{Cell, OnceCell, RefCell};
use std::future::poll_fn;
use std::os::unix::io::{FromRawFd, RawFd};
use std::rc::Rc;
use std::task::{Poll, Waker};

/// Events taken from the epoll instance per `epoll_wait`.
const BATCH: usize = 256;

/// How long after the last ready socket the dispatcher keeps looking
/// (between the other tasks' turns) before the shard sleeps. Going to
/// sleep and waking up through glommio costs several io_uring submissions
/// and a descriptor duplicated and closed, more CPU than a few looks: with
/// clients one round trip away, the next request usually comes within
/// this time (-P 1: 6 % less CPU per request than sleeping at once).
/// Between looks the shard offers its CPU to any other thread waiting for
/// it (`sched_yield`), so lingering never delays a load generator or
/// another shard that shares the core.
const LINGER: std::time::Duration = std::time::Duration::from_micros(20);

/// One connection's readiness as the dispatcher last saw it.
#[derive(Default)]
struct Waiter {
    ready: Cell<bool>,
    /// Woken for housekeeping rather than input (see `Nudge`).
    nudged: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// Wakes a connection waiting for input although none arrived, so that it
/// can tend to its own state (the cron asks an idle connection to release
/// its query buffer this way).
pub struct Nudge(Rc<Waiter>);

impl Nudge {
    pub fn wake(&self) {
        self.0.nudged.set(true);
        self.0.wake();
    }
}

impl Waiter {
    /// Wakes the connection's task if it waits.
    fn wake(&self) {
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// A shard's epoll instance and the connections registered with it; a
/// connection's token (the event's data) is its index in `waiters`.
struct Poller {
    epfd: RawFd,
    /// True while messages from other cores wait in the mesh; set once,
    /// when the shard starts (see `watch_mail`).
    mail_waiting: OnceCell<Box<dyn Fn() -> bool>>,
    waiters: RefCell<Vec<Option<Rc<Waiter>>>>,
    /// Indexes of `waiters` free for reuse.
    free: RefCell<Vec<usize>>,
}

thread_local! {
    /// This shard's poller, made (and its dispatcher started) when the
    /// shard starts (`watch_mail`) or by its first connection.
    static POLLER: RefCell<Option<Rc<Poller>>> = const { RefCell::new(None) };
}

/// A socket registered for read readiness; deregistered when dropped.
pub struct Registration {
    poller: Rc<Poller>,
    token: usize,
    fd: RawFd,
    waiter: Rc<Waiter>,
}

impl Registration {
    /// Registers `fd` with this shard's epoll instance. It starts out ready,
    /// since input may have arrived before it was registered.
    pub fn new(fd: RawFd) -> std::io::Result<Registration> {
        let poller = poller()?;
        let token = poller.free.borrow_mut().pop().unwrap_or_else(|| {
            let mut waiters = poller.waiters.borrow_mut();
            waiters.push(None);
            waiters.len() - 1
        });
        let mut ev =
            libc::epoll_event { events: (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET) as u32, u64: token as u64 };
        // SAFETY: epoll_ctl on descriptors this shard owns, with an event
        // struct that lives across the call.
        if unsafe { libc::epoll_ctl(poller.epfd, libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0 {
            poller.free.borrow_mut().push(token);
            return Err(std::io::Error::last_os_error());
        }
        let waiter = Rc::new(Waiter { ready: Cell::new(true), ..Waiter::default() });
        if let Some(slot) = poller.waiters.borrow_mut().get_mut(token) {
            *slot = Some(waiter.clone());
        }
        Ok(Registration { poller, token, fd, waiter })
    }

    /// Takes the readiness reported so far: true when input may have
    /// arrived since the last call, so the caller reads now. Any input
    /// that arrives after this call is reported again.
    pub fn take(&self) -> bool {
        self.waiter.ready.replace(false)
    }

    /// Marks the socket ready again: the caller stopped reading before it
    /// had everything.
    pub fn keep(&self) {
        self.waiter.ready.set(true);
    }

    /// A handle that wakes this connection's `wait` without input.
    pub fn nudge(&self) -> Nudge {
        Nudge(self.waiter.clone())
    }

    /// Takes a nudge: true when one came since the last call.
    pub fn take_nudge(&self) -> bool {
        self.waiter.nudged.replace(false)
    }

    /// Waits until input is reported or a nudge comes (without taking
    /// either).
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.waiter.ready.get() || self.waiter.nudged.get() {
                return Poll::Ready(());
            }
            *self.waiter.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(slot) = self.poller.waiters.borrow_mut().get_mut(self.token) {
            *slot = None;
        }
        self.poller.free.borrow_mut().push(self.token);
        // SAFETY: the descriptor is still open (the connection closes it
        // after dropping this); a failure leaves nothing to undo.
        unsafe {
            libc::epoll_ctl(self.poller.epfd, libc::EPOLL_CTL_DEL, self.fd, std::ptr::null_mut());
        }
    }
}

impl Poller {
    fn mail_waiting(&self) -> bool {
        self.mail_waiting.get().is_some_and(|waiting| waiting())
    }

    /// Lets the tasks woken so far run before the dispatcher looks again;
    /// with mail waiting, also lets the executor poll its reactor.
    async fn take_turn(&self) {
        if self.mail_waiting() {
            after_reactor_poll().await;
        } else {
            futures_lite::future::yield_now().await;
        }
    }

    /// Marks the connections of `events` ready and wakes those waiting.
    /// (A deregistered socket is never reported: events are taken and
    /// handled here without a suspension point in between.)
    fn mark_ready(&self, events: &[libc::epoll_event]) {
        let waiters = self.waiters.borrow();
        for ev in events {
            let token = ev.u64 as usize;
            if let Some(Some(w)) = waiters.get(token) {
                w.ready.set(true);
                w.wake();
            }
        }
    }
}

/// This shard's poller, made on first use.
fn poller() -> std::io::Result<Rc<Poller>> {
    POLLER.with(|p| {
        if let Some(p) = &*p.borrow() {
            return Ok(p.clone());
        }
        // SAFETY: plain descriptor creation.
        let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epfd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let poller = Rc::new(Poller {
            epfd,
            mail_waiting: OnceCell::new(),
            waiters: RefCell::default(),
            free: RefCell::default(),
        });
        glommio::spawn_local(dispatch(poller.clone())).detach();
        *p.borrow_mut() = Some(poller.clone());
        Ok(poller)
    })
}

/// Tells this shard's dispatcher how to see that messages from other cores
/// are waiting for it. glommio hands them over only when the executor
/// polls its reactor, which it does when no task is runnable; a dispatcher
/// that keeps taking turns (a busy shard, or one lingering) would hold
/// them back, so while `waiting` says so it lets the executor poll first.
pub fn watch_mail(waiting: impl Fn() -> bool + 'static) {
    match poller() {
        // Each shard calls this once, as it starts.
        Ok(p) => {
            let _ = p.mail_waiting.set(Box::new(waiting));
        }
        Err(e) => crate::warning!("epoll_create: {e}"),
    }
}

/// Resumes after every runnable task has had its turn and glommio has
/// polled its reactor (timers, io_uring completions and the mesh's
/// channels). A timer due a microsecond from now fires in that poll; one
/// due now would be ready at once, without the poll.
async fn after_reactor_poll() {
    glommio::timer::sleep(std::time::Duration::from_micros(1)).await;
}

/// Takes ready sockets from the epoll instance and wakes their
/// connections. After a batch it looks again once the woken connections
/// ran, and keeps looking between other tasks' turns for `LINGER`; when
/// the instance stays empty, it waits for it through glommio.
async fn dispatch(p: Rc<Poller>) {
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; BATCH];
    let mut last_ready = std::time::Instant::now();
    loop {
        // SAFETY: the buffer holds BATCH events.
        let n = unsafe { libc::epoll_wait(p.epfd, events.as_mut_ptr(), BATCH as i32, 0) };
        if n > 0 {
            p.mark_ready(&events[..n as usize]);
            p.take_turn().await;
            // Lingering counts from when the woken connections have run.
            last_ready = std::time::Instant::now();
            continue;
        }
        if n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            crate::warning!("epoll_wait: {}", std::io::Error::last_os_error());
            glommio::timer::sleep(std::time::Duration::from_millis(1)).await;
            continue;
        }
        if p.mail_waiting() {
            after_reactor_poll().await;
            last_ready = std::time::Instant::now();
            continue;
        }
        if last_ready.elapsed() < LINGER {
            // SAFETY: no arguments; it only gives up the CPU if another
            // thread waits for it.
            unsafe { libc::sched_yield() };
            futures_lite::future::yield_now().await;
            continue;
        }
        wait_readable(p.epfd).await;
    }
}

/// Waits until the epoll instance has events, through glommio's reactor.
/// glommio has no public "wait until readable" for a descriptor, but a
/// stream made from one arms exactly that io_uring poll when created, and
/// its first read waits for it; the read then fails (an epoll descriptor is
/// not a socket), which is the signal. The stream owns a duplicate of the
/// descriptor and closes it.
async fn wait_readable(epfd: RawFd) {
    // SAFETY: duplicating a descriptor this shard owns.
    let dup = unsafe { libc::fcntl(epfd, libc::F_DUPFD_CLOEXEC, 0) };
    if dup < 0 {
        glommio::timer::sleep(std::time::Duration::from_millis(1)).await;
        return;
    }
    // SAFETY: `dup` is a fresh descriptor owned by nothing else.
    let mut stream = unsafe { glommio::net::TcpStream::from_raw_fd(dup) };
    let mut byte = [0u8; 1];
    let _ = futures_lite::AsyncReadExt::read(&mut stream, &mut byte).await;
}
