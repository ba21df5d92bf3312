//! The table itself: every family's commands gathered once, with a
//! case-insensitive name lookup.

use super::spec::CommandSpec;
use std::collections::HashMap;
use std::sync::OnceLock;

/// All commands, by lower-case name.
pub struct Table {
    pub commands: Vec<CommandSpec>,
    by_name: HashMap<&'static str, usize, ahash::RandomState>,
    /// Number of command ids (commands and subcommands) for stats arrays.
    pub ids: usize,
}

static TABLE: OnceLock<Table> = OnceLock::new();

/// The command table, built on first use.
pub fn table() -> &'static Table {
    TABLE.get_or_init(|| {
        let mut commands = crate::commands::all();
        let mut id = 0;
        for c in &mut commands {
            c.id = id;
            id += 1;
            for s in &mut c.subcommands {
                s.id = id;
                id += 1;
            }
        }
        commands.sort_by_key(|c| c.name);
        let by_name = commands.iter().enumerate().map(|(i, c)| (c.name, i)).collect();
        Table { commands, by_name, ids: id }
    })
}

/// Looks a command up by name, case-insensitively.
#[inline]
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..name.len()]).ok()?;
    let t = table();
    t.by_name.get(lower).map(|&i| &t.commands[i])
}

/// Looks up the subcommand `sub` of a container command.
pub fn lookup_subcommand(parent: &'static CommandSpec, sub: &[u8]) -> Option<&'static CommandSpec> {
    parent.subcommands.iter().find(|s| {
        let short = s.name.rsplit('|').next().unwrap_or(s.name);
        short.as_bytes().eq_ignore_ascii_case(sub)
    })
}

impl Table {
    /// Every command and subcommand, with its id.
    pub fn all(&self) -> impl Iterator<Item = &CommandSpec> {
        self.commands.iter().flat_map(|c| std::iter::once(c).chain(c.subcommands.iter()))
    }
}
