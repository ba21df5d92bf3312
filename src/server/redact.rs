//! Secrets kept out of MONITOR and the slow log: the arguments Redis
//! replaces with "(redacted)" (passwords of AUTH, HELLO AUTH, MIGRATE
//! AUTH/AUTH2, values of sensitive CONFIG SET directives, ACL SETUSER rules).

use crate::command::CommandSpec;
use bytes::Bytes;

/// The arguments as they may be shown, when some of them are secret.
pub fn redacted(cmd: &CommandSpec, args: &[Bytes]) -> Option<Vec<Bytes>> {
    let secret = secret_positions(cmd.name, args);
    if secret.is_empty() {
        return None;
    }
    let mut shown = args.to_vec();
    for i in secret {
        shown[i] = Bytes::from_static(b"(redacted)");
    }
    Some(shown)
}

fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}

/// Which arguments of the command are secret.
fn secret_positions(name: &str, args: &[Bytes]) -> Vec<usize> {
    match name {
        "auth" => (1..args.len()).collect(),
        "acl|setuser" => (2..args.len()).collect(),
        "config|set" => (3..args.len()).step_by(2).filter(|&i| crate::config::is_sensitive(&args[i - 1])).collect(),
        "hello" => hello_secrets(args),
        "migrate" => migrate_secrets(args),
        _ => Vec::new(),
    }
}

/// HELLO [protover [AUTH username password] [SETNAME name]].
fn hello_secrets(args: &[Bytes]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut j = 2;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if is(&args[j], "auth") && more >= 2 {
            out.extend([j + 1, j + 2]);
            j += 3;
        } else if is(&args[j], "setname") && more >= 1 {
            j += 2;
        } else {
            break;
        }
    }
    out
}

/// MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH password |
/// AUTH2 username password] [KEYS key ...].
fn migrate_secrets(args: &[Bytes]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut j = 6;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if is(&args[j], "auth") && more >= 1 {
            out.push(j + 1);
            j += 2;
        } else if is(&args[j], "auth2") && more >= 2 {
            out.extend([j + 1, j + 2]);
            j += 3;
        } else if is(&args[j], "copy") || is(&args[j], "replace") {
            j += 1;
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<Bytes> {
        s.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect()
    }

    #[test]
    fn secrets_of_each_command() {
        assert_eq!(secret_positions("auth", &args("auth a b")), [1, 2]);
        assert_eq!(secret_positions("hello", &args("hello 3 SETNAME auth AUTH u p")), [5, 6]);
        assert_eq!(secret_positions("hello", &args("hello 3 AUTH u")), Vec::<usize>::new());
        assert_eq!(secret_positions("migrate", &args("migrate h p k 0 5 COPY AUTH2 u p")), [8, 9]);
        assert_eq!(secret_positions("migrate", &args("migrate h p k 0 5 AUTH p KEYS x")), [7]);
        assert_eq!(secret_positions("config|set", &args("config set port 1 masterauth x")), [5]);
        assert_eq!(secret_positions("acl|setuser", &args("acl setuser u on")), [2, 3]);
        assert!(secret_positions("set", &args("set auth x")).is_empty());
    }
}
