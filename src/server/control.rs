//! The control core: its own executor and thread, off the data path. It
//! owns the master copy of the configuration (CONFIG GET/SET/REWRITE go
//! through it) and, in later stages, the cluster bus and replication links.

use super::peer::{Msg, Peer};
use super::shared::Shared;
use crate::config::Config;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// State of the control core.
pub struct Control {
    pub shared: Arc<Shared>,
    pub peer: Rc<Peer>,
    pub config: RefCell<Config>,
}

impl Control {
    pub fn new(shared: Arc<Shared>, peer: Peer, config: Config) -> Rc<Control> {
        Rc::new(Control { shared, peer: Rc::new(peer), config: RefCell::new(config) })
    }

    /// Handles one message from core `from`.
    pub fn handle(self: &Rc<Self>, from: usize, msg: Msg) {
        match msg {
            Msg::Control { tag, job } => {
                let out = job(self);
                self.peer.reply(from, tag, out);
            }
            Msg::Done { tag, payload } => self.peer.pending.complete(tag, payload),
            Msg::Exec { .. } | Msg::Job { .. } | Msg::Lock { .. } | Msg::Unlock { .. } | Msg::Post { .. } => {}
        }
    }
}
