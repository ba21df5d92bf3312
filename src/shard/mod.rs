//! The per-core keyspace: hash slots, per-slot tables, values, expiry.
//!
//! Everything here is plain single-threaded data; the server layer decides
//! which core owns which slots and never shares a `Keyspace` between cores.

pub mod db;
pub mod expire;
pub mod keyspace;
pub mod slot;
pub mod value;

pub use db::Db;
pub use keyspace::Keyspace;
pub use value::{Entry, Value};
