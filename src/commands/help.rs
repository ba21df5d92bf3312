//! The HELP reply of container commands: a usage line, the subcommands'
//! lines, and the HELP entry every container ends with, as status lines.

use crate::resp::Reply;
use std::borrow::Cow;

/// `CMD HELP`: `lines` describes the subcommands (HELP itself is added).
pub fn help(command: &str, lines: &[&'static str]) -> Reply {
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Status(Cow::Owned(format!("{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))));
    out.extend(lines.iter().map(|l| Reply::Status(Cow::Borrowed(*l))));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Prints this help."));
    Reply::Array(out)
}
