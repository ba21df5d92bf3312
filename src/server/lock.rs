//! The shard lock that makes multi-shard commands atomic: a coordinator
//! takes the locks of every shard it needs in ascending shard order (so two
//! coordinators cannot deadlock), and while a shard is locked every other
//! command for it queues. It is state owned by one core, never a mutex.
//!
//! Waiters, local tasks and messages from other cores alike, queue in one
//! FIFO (kept by the shard, which knows how to run a message); releasing the
//! lock runs queued messages in order and hands the lock to the first local
//! waiter it meets, so nobody starves.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Lock state of one shard: the owner holding it, 0 when free.
#[derive(Default)]
pub struct ShardLock {
    owner: Cell<u64>,
}

impl ShardLock {
    #[inline]
    pub fn owner(&self) -> u64 {
        self.owner.get()
    }

    #[inline]
    pub fn is_locked(&self) -> bool {
        self.owner.get() != 0
    }

    /// Takes the free lock (or hands it over) to `owner`.
    pub fn set_owner(&self, owner: u64) {
        self.owner.set(owner);
    }
}

/// A local task waiting in the queue for the lock.
pub struct Grant {
    pub owner: u64,
    granted: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Grant {
    pub fn new(owner: u64) -> Rc<Grant> {
        Rc::new(Grant { owner, granted: Cell::new(false), waker: RefCell::new(None) })
    }

    /// Marks the lock as handed to this waiter and wakes it.
    pub fn grant(&self) {
        self.granted.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Completes once the lock has been handed over.
    pub fn wait(self: &Rc<Self>) -> GrantWait {
        GrantWait { grant: self.clone() }
    }
}

/// Future of a `Grant`.
pub struct GrantWait {
    grant: Rc<Grant>,
}

impl Future for GrantWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.grant.granted.get() {
            Poll::Ready(())
        } else {
            *self.grant.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}
