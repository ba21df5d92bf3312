//! The command table: one description per command (name, arity, flags, key
//! specs, ACL categories, handler). Routing, CROSSSLOT checks, COMMAND
//! INFO/DOCS/GETKEYS and INFO commandstats all read it; nothing else lists
//! commands.

pub mod ctx;
pub mod keys;
pub mod spec;
pub mod table;

pub use ctx::ExecCtx;
pub use spec::{CommandSpec, Exec};
pub use table::{lookup, lookup_subcommand, table};
