//! Small helpers shared across the server: number parsing and formatting in
//! Redis's exact forms, argument splitting (sdssplitargs), glob matching,
//! random picks.

pub mod args;
pub mod clock;
pub mod geohash;
pub mod glob;
pub mod hll;
pub mod listpack;
pub mod long_double;
pub mod num;
pub mod rand;
pub mod sha1;

pub use args::split_args;
