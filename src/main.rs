//! `clover [config-file] [--directive value ...]`: reads the configuration
//! and runs the server.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("-v" | "--version")) {
        println!("Clover server v={} (Redis 7.0.15 compatible)", env!("CARGO_PKG_VERSION"));
        return;
    }
    if matches!(args.first().map(String::as_str), Some("-h" | "--help")) {
        println!("Usage: clover [/path/to/clover.conf] [--directive value ...]");
        return;
    }
    let config = match clover::config::Config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    std::process::exit(clover::server::run(config));
}
