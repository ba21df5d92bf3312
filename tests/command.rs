//! COMMAND as client libraries read it: INFO entries, COUNT, GETKEYS.

mod common;
use common::Server;

#[test]
fn command_info_and_getkeys() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let info: Vec<redis::Value> = redis::cmd("COMMAND").arg("INFO").arg("get").arg("nosuch").query(&mut c).unwrap();
    assert_eq!(info.len(), 2);
    assert_eq!(info[1], redis::Value::Nil);
    let redis::Value::Array(get) = &info[0] else { panic!("{info:?}") };
    assert_eq!(get.len(), 10);
    assert_eq!(get[1], redis::Value::Int(2));
    let n: i64 = redis::cmd("COMMAND").arg("COUNT").query(&mut c).unwrap();
    let all: Vec<redis::Value> = redis::cmd("COMMAND").query(&mut c).unwrap();
    assert_eq!(all.len() as i64, n);
    let keys: Vec<String> =
        redis::cmd("COMMAND").arg("GETKEYS").arg("MSET").arg("a").arg("1").arg("b").arg("2").query(&mut c).unwrap();
    assert_eq!(keys, vec!["a", "b"]);
    let err = redis::cmd("COMMAND").arg("GETKEYS").arg("PING").arg("x").query::<Vec<String>>(&mut c).unwrap_err();
    assert!(err.to_string().contains("The command has no key arguments"), "{err}");
    let names: Vec<String> = redis::cmd("COMMAND").arg("LIST").query(&mut c).unwrap();
    assert!(names.contains(&"config|get".to_string()) && names.contains(&"get".to_string()));
}
