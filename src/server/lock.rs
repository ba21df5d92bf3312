//! The shard lock that makes multi-shard commands atomic: a coordinator
//! takes the locks of every shard it needs in ascending shard order (so two
//! coordinators cannot deadlock), and while a shard is locked every other
//! command for it waits. It is a flag owned by one core, never a mutex.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Lock state of one shard.
#[derive(Default)]
pub struct ShardLock {
    owner: Cell<u64>,
    waiters: RefCell<Vec<Waker>>,
}

impl ShardLock {
    /// The owner holding the lock, 0 when free.
    #[inline]
    pub fn owner(&self) -> u64 {
        self.owner.get()
    }

    #[inline]
    pub fn is_locked(&self) -> bool {
        self.owner.get() != 0
    }

    /// Takes the free lock for `owner`.
    pub fn acquire(&self, owner: u64) {
        debug_assert!(!self.is_locked());
        self.owner.set(owner);
    }

    /// Frees the lock and wakes whoever waits for it.
    pub fn release(&self) {
        self.owner.set(0);
        for w in self.waiters.borrow_mut().drain(..) {
            w.wake();
        }
    }

    /// Waits until the lock is free (or held by `owner`).
    pub fn until_free(&self, owner: u64) -> UntilFree<'_> {
        UntilFree { lock: self, owner }
    }
}

/// Future that completes when the lock is free.
pub struct UntilFree<'a> {
    lock: &'a ShardLock,
    owner: u64,
}

impl Future for UntilFree<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let o = self.lock.owner();
        if o == 0 || o == self.owner {
            Poll::Ready(())
        } else {
            self.lock.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}
