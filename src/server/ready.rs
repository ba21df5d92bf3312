//! Read readiness of a shard's client sockets: one edge-triggered epoll
//! instance per shard, drained by one task, which marks the connections
//! that have input and wakes their tasks.
//!
//! Why not glommio's own reads: glommio waits for each socket with its own
//! one-shot io_uring poll, armed again after every read. Each completion
//! reaches the shard as kernel task work that interrupts it while it runs
//! (a reschedule IPI: glommio 0.9 sets up its rings without
//! IORING_SETUP_COOP_TASKRUN), which cost about a third of the CPU of a
//! request. Here one `epoll_wait` collects a whole batch of ready sockets.
//! With nothing to do, the dispatcher sleeps in that same `epoll_wait`
//! (`idle`), and through glommio only when it must. It also makes room for
//! glommio to deliver messages from other cores (`watch_mail`).

use super::idle::{self, Doorbell, Sleep};
use crate::util::clock::{stamp, Stamp};
use std::cell::{Cell, OnceCell, RefCell};
use std::future::poll_fn;
use std::os::unix::io::{FromRawFd, RawFd};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};

/// Events taken from the epoll instance per `epoll_wait`.
const BATCH: usize = 256;

/// Event data of the shard's doorbell (the other tokens index `waiters`).
const BELL: u64 = u64::MAX;
/// Event data of a listening socket.
const LISTENER: u64 = u64::MAX - 1;

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
    /// Wakes the connection's task. The waker stays, so that the task's
    /// next wait need not store it again (waking a task that has moved on
    /// to wait for something else only makes it look once more).
    fn wake(&self) {
        if let Some(waker) = &*self.waker.borrow() {
            waker.wake_by_ref();
        }
    }
}

/// A shard's epoll instance and the connections registered with it; a
/// connection's token (the event's data) is its index in `waiters`.
struct Poller {
    epfd: RawFd,
    /// True while messages from other cores wait in the mesh, and the
    /// doorbell their senders ring; set once, when the shard starts (see
    /// `watch_mail`).
    mail: OnceCell<Mail>,
    /// When glommio's reactor last ran for certain (see `idle::LAPSE`).
    reactor_ran: Cell<Stamp>,
    waiters: RefCell<Vec<Option<Rc<Waiter>>>>,
    /// Indexes of `waiters` free for reuse.
    free: RefCell<Vec<usize>>,
}

/// How a shard sees that messages from other cores wait for it.
struct Mail {
    waiting: Box<dyn Fn() -> bool>,
    bell: Arc<Doorbell>,
}

/// What a batch of events asked for, besides waking connections.
#[derive(Default)]
struct Batch {
    /// Some connection has input.
    input: bool,
    /// A listening socket has a connection for glommio to accept.
    accept: bool,
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
        if let Err(e) = poller.add(fd, libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET, token as u64) {
            poller.free.borrow_mut().push(token);
            return Err(e);
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
            let mut waker = self.waiter.waker.borrow_mut();
            if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
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
        self.mail.get().is_some_and(|m| (m.waiting)())
    }

    /// Lets the tasks woken so far run before the dispatcher looks again;
    /// with mail waiting, or the reactor's lapse over, lets the executor
    /// poll its reactor as well.
    async fn take_turn(&self) {
        if self.mail_waiting() || self.reactor_ran.get().elapsed() >= idle::LAPSE {
            self.poll_reactor().await;
        } else {
            futures_lite::future::yield_now().await;
        }
    }

    async fn poll_reactor(&self) {
        idle::after_reactor_poll().await;
        self.reactor_ran.set(stamp());
    }

    /// Marks the connections of `events` ready and wakes those waiting.
    /// (A deregistered socket is never reported: events are taken and
    /// handled here without a suspension point in between.)
    fn mark_ready(&self, events: &[libc::epoll_event]) -> Batch {
        let waiters = self.waiters.borrow();
        let mut batch = Batch::default();
        for ev in events {
            match ev.u64 {
                // Mail: the dispatcher's next look finds it waiting.
                BELL => {}
                LISTENER => batch.accept = true,
                token => {
                    if let Some(Some(w)) = waiters.get(token as usize) {
                        w.ready.set(true);
                        w.wake();
                        batch.input = true;
                    }
                }
            }
        }
        batch
    }

    /// Adds `fd` to the epoll set, reported with `token`.
    fn add(&self, fd: RawFd, flags: i32, token: u64) -> std::io::Result<()> {
        let mut ev = libc::epoll_event { events: flags as u32, u64: token };
        // SAFETY: epoll_ctl on descriptors this shard owns, with an event
        // struct that lives across the call.
        if unsafe { libc::epoll_ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Acts on what `look` or `sleep` returned: wakes the connections with input
    /// and lets them run (true when there were some), or lets the reactor
    /// run when a listening socket has a connection or the sleep was
    /// interrupted (io_uring task work: a completion glommio waits for).
    async fn handle(&self, n: isize, events: &[libc::epoll_event]) -> bool {
        if n > 0 {
            let batch = self.mark_ready(&events[..n as usize]);
            if batch.accept {
                self.poll_reactor().await;
            } else {
                self.take_turn().await;
            }
            if batch.input {
                // A second turn for the woken connections' writes (each
                // yields once before writing, see `conn`): the next look
                // comes after the replies are out, as redis-server writes
                // its replies before its next epoll_wait. Looking between
                // the reads and the writes instead takes about one request
                // a look and cuts the shard's idle time into pieces too
                // short to sleep in (perf/README.md).
                futures_lite::future::yield_now().await;
            }
            return batch.input;
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                self.poll_reactor().await;
            } else {
                crate::warning!("epoll_wait: {e}");
                glommio::timer::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
        false
    }

    /// Takes the events ready now.
    fn look(&self, events: &mut [libc::epoll_event]) -> isize {
        self.epoll_wait(events, std::time::Duration::ZERO)
    }

    /// Waits up to `idle::NAP` for events, the doorbell to ring, or an
    /// io_uring completion to interrupt the wait (then, as for any
    /// failure, the count is negative and errno says why).
    fn sleep(&self, events: &mut [libc::epoll_event]) -> isize {
        let Some(Mail { waiting, bell }) = self.mail.get() else { return 0 };
        bell.dozing();
        let n = if waiting() { 0 } else { self.epoll_wait(events, idle::NAP) };
        bell.awake();
        n
    }

    /// `epoll_pwait2` (its timeout in nanoseconds) as a plain system call:
    /// libc's `epoll_wait` is a thread-cancellation point, two more calls
    /// each.
    fn epoll_wait(&self, events: &mut [libc::epoll_event], timeout: std::time::Duration) -> isize {
        let timeout = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        // SAFETY: the buffer holds `events.len()` events; the timeout
        // lives across the call; no signal mask.
        unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                self.epfd,
                events.as_mut_ptr(),
                events.len() as libc::c_int,
                &timeout as *const libc::timespec,
                std::ptr::null::<libc::sigset_t>(),
                0usize,
            ) as isize
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
            mail: OnceCell::new(),
            reactor_ran: Cell::new(stamp()),
            waiters: RefCell::default(),
            free: RefCell::default(),
        });
        glommio::spawn_local(dispatch(poller.clone())).detach();
        *p.borrow_mut() = Some(poller.clone());
        Ok(poller)
    })
}

/// Tells this shard's dispatcher how to see that messages from other cores
/// are waiting for it, and the doorbell their senders ring. glommio hands
/// them over only when the executor polls its reactor, which it does when
/// no task is runnable; a dispatcher that keeps taking turns (a busy
/// shard) or sleeps in its own `epoll_wait` would hold them back, so while
/// `waiting` says so it lets the executor poll first.
pub fn watch_mail(waiting: impl Fn() -> bool + 'static, bell: Arc<Doorbell>) {
    let added = poller().and_then(|p| {
        p.add(bell.fd(), libc::EPOLLIN | libc::EPOLLET, BELL)?;
        // Each shard calls this once, as it starts.
        let _ = p.mail.set(Mail { waiting: Box::new(waiting), bell });
        Ok(())
    });
    if let Err(e) = added {
        crate::warning!("epoll: {e}");
    }
}

/// Wakes the dispatcher when a connection waits on the listening socket
/// `fd`, for glommio to accept it; the registration goes when the socket
/// closes.
pub fn watch_listener(fd: RawFd) {
    if let Err(e) = poller().and_then(|p| p.add(fd, libc::EPOLLIN | libc::EPOLLET, LISTENER)) {
        crate::warning!("epoll: {e}");
    }
}

/// Takes ready sockets from the epoll instance and wakes their
/// connections, looking again once the woken connections ran. With none
/// ready and no task runnable, it sleeps in `epoll_wait` while that is safe
/// (`idle`), within `idle::LAPSE` of the last input; after that, or while
/// a task waits for glommio's reactor, it waits for the epoll instance
/// through glommio. It does not spin: a look that finds nothing is
/// followed by a sleep as soon as nothing else runs, as in redis-server,
/// since on a shard that waits for its clients a sleep costs less than the
/// looks it replaces (perf/README.md); only when another thread wants the
/// CPU (`idle::cpu_wanted`) does it look again first.
async fn dispatch(p: Rc<Poller>) {
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; BATCH];
    let mut last_input = stamp();
    loop {
        let n = p.look(&mut events);
        if n != 0 {
            if p.handle(n, &events).await {
                last_input = stamp();
            }
            continue;
        }
        if p.mail_waiting() || p.reactor_ran.get().elapsed() >= idle::LAPSE {
            p.poll_reactor().await;
            continue;
        }
        if last_input.elapsed() < idle::LAPSE {
            match idle::how_to_sleep().await {
                Sleep::Not => continue,
                Sleep::InEpoll => {
                    if idle::cpu_wanted() {
                        continue;
                    }
                    let n = p.sleep(&mut events);
                    if p.handle(n, &events).await {
                        last_input = stamp();
                    }
                    continue;
                }
                Sleep::ThroughGlommio => {}
            }
        }
        wait_readable(p.epfd).await;
        p.reactor_ran.set(stamp());
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
