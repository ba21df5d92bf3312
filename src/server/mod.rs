//! The running server: executors pinned to cores, the mesh between them,
//! listeners, connections, and the glue from a request to its reply.

pub mod blocking;
pub mod client;
pub mod conn;
pub mod control;
pub mod coordinator;
pub mod dispatch;
pub mod fdlimit;
pub mod idle;
pub mod listen;
pub mod lock;
pub mod log;
pub mod monitor;
pub mod multi;
pub mod pause;
pub mod peer;
pub mod pending;
pub mod propagate;
pub mod querybuf;
pub mod ready;
pub mod redact;
pub mod settings;
pub mod shard;
pub mod shared;
pub mod slowlog;
mod sock;
mod start;

pub use start::run;
pub use start::shutdown as run_shutdown;
