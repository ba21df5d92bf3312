//! Reply slots for requests a core sent to another core: the request carries
//! a tag, the answer comes back as a message with that tag, and the task
//! that sent the request waits on the slot.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// What a request's answer carries across cores.
pub type Payload = Box<dyn Any + Send>;

enum Slot {
    Free,
    Waiting(Option<Waker>),
    Ready(Payload),
}

/// The reply slots of one core.
#[derive(Default)]
pub struct Pending {
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
}

impl Pending {
    /// Reserves a slot and returns its tag.
    pub fn register(&self) -> u32 {
        if let Some(t) = self.free.borrow_mut().pop() {
            self.slots.borrow_mut()[t as usize] = Slot::Waiting(None);
            return t;
        }
        let mut slots = self.slots.borrow_mut();
        slots.push(Slot::Waiting(None));
        (slots.len() - 1) as u32
    }

    /// Stores the answer for `tag` and wakes its waiter.
    pub fn complete(&self, tag: u32, payload: Payload) {
        let mut slots = self.slots.borrow_mut();
        let Some(slot) = slots.get_mut(tag as usize) else { return };
        if let Slot::Waiting(Some(w)) = std::mem::replace(slot, Slot::Ready(payload)) {
            w.wake();
        }
    }

    /// Waits for the answer to `tag` and frees the slot.
    pub fn wait(&self, tag: u32) -> Wait<'_> {
        Wait { pending: self, tag }
    }
}

/// Future of one answer.
pub struct Wait<'a> {
    pending: &'a Pending,
    tag: u32,
}

impl Future for Wait<'_> {
    type Output = Payload;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Payload> {
        let mut slots = self.pending.slots.borrow_mut();
        let slot = &mut slots[self.tag as usize];
        match std::mem::replace(slot, Slot::Free) {
            Slot::Ready(p) => {
                self.pending.free.borrow_mut().push(self.tag);
                Poll::Ready(p)
            }
            Slot::Waiting(_) => {
                *slot = Slot::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
            Slot::Free => unreachable!("reply slot polled after completion"),
        }
    }
}
