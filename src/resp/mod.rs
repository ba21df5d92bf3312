//! RESP: parsing client requests (multibulk and inline) and encoding replies
//! in RESP2 or RESP3.

pub mod parse;
pub mod reply;

pub use parse::{ProtocolError, RequestParser};
pub use reply::Reply;
