//! The per-core keyspace: hash slots, per-slot tables, values, expiry.
//!
//! Everything here is plain single-threaded data; the server layer decides
//! which core owns which slots and never shares a `Keyspace` between cores.

pub mod compact;
pub mod db;
pub mod digest;
pub mod expire;
pub mod hash;
pub mod intset;
pub mod keyspace;
pub mod list;
pub mod listpack;
pub mod set;
pub mod slot;
pub mod stream;
pub mod table;
pub mod value;
pub mod zset;
pub mod zset_index;

pub use compact::CompactBytes;
pub use db::Db;
pub use hash::Hash;
pub use keyspace::Keyspace;
pub use list::List;
pub use set::Set;
pub use stream::Stream;
pub use value::{Entry, Value};
pub use zset::ZSet;
