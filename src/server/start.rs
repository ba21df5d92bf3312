//! Start-up and shutdown: memlock, CPUs, daemonizing, pidfile, executors,
//! listeners, signals, and the lines tools wait for in the log.

use super::control::Control;
use super::listen;
use super::peer::{MailCounts, Msg, Peer};
use super::settings::Settings;
use super::shard::Shard;
use super::shared::Shared;
use crate::config::Config;
use crate::server::log::{self, Level};
use crate::{notice, warning};
use glommio::channels::channel_mesh::MeshBuilder;
use glommio::{LocalExecutorBuilder, Placement};

use std::sync::mpsc;
use std::sync::Arc;

/// Memory glommio registers per executor for io_uring buffers.
const IO_MEMORY: usize = 1 << 20;
/// glommio refuses to start below this memlock limit.
const MIN_MEMLOCK: u64 = 512 * 1024;
/// Messages a mesh channel holds before a sender waits.
const MESH_CAPACITY: usize = 4096;

/// Runs the server until it shuts down; returns the exit status.
pub fn run(mut config: Config) -> i32 {
    let mut settings = Settings::from_config(&config);
    log::init(&config.logfile(), Level::parse(&config.loglevel()));
    if config.daemonize() {
        daemonize();
    }
    if let Err(e) = std::env::set_current_dir(config.dir()) {
        warning!("Can't chdir to '{}': {e}", config.dir());
        return 1;
    }
    let pid = std::process::id();
    notice!("oO0OoO0OoO0Oo Clover is starting oO0OoO0OoO0Oo");
    notice!(
        "Clover version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        pid
    );
    if config.file().is_empty() {
        warning!("Warning: no config file specified, using the default config. In order to specify a config file use clover /path/to/clover.conf");
    } else {
        notice!("Configuration loaded");
    }
    if !raise_memlock() {
        return 1;
    }
    crate::util::clock::calibrate();
    let cpus = allowed_cpus();
    let shards = match config.shards() {
        0 => cpus.len().max(1),
        n => n,
    };
    let maxclients = config.maxclients();
    match super::fdlimit::adjust(maxclients, shards) {
        0 => return 1,
        fits if fits < maxclients => {
            let _ = config.set_internal("maxclients", fits.to_string().as_bytes());
            settings = Settings::from_config(&config);
        }
        _ => {}
    }
    let port = config.port();
    let addrs = listen::addresses(&config.bind(), port);
    // Ask the port rather than test-bind it: a test bind would be refused
    // by our own previous run's connections still in TIME_WAIT.
    if let Some(a) = listen::taken(&addrs) {
        warning!("Warning: Could not create server TCP listening socket {a}: bind: Address already in use");
        warning!("Failed listening on port {port} (tcp), aborting.");
        return 1;
    }
    let pidfile = config.pidfile().unwrap_or_default();
    let shared = Arc::new(Shared::new(shards, cpus.clone(), port, config.file().to_string(), pidfile.clone()));
    if !pidfile.is_empty() {
        let _ = std::fs::write(&pidfile, format!("{pid}\n"));
    }
    if config.always_show_logo() || !config.daemonize() {
        log::write_raw(&banner(port, pid, shards));
    }
    block_signals();

    // The data set: the AOF when appendonly is on (it takes precedence
    // over the RDB file, as in Redis), else the RDB file.
    let aof = crate::aof::Options::from_config(&config);
    let keyspaces = if aof.enabled {
        let loaded = match crate::aof::load::load(&aof, &settings) {
            Ok(ks) => ks,
            Err(crate::aof::load::Refused) => return 1,
        };
        if let Err(e) = crate::aof::start(&aof, shards) {
            warning!("{e}");
            return 1;
        }
        match loaded {
            Some(ks) => crate::aof::load::split(ks, &shared),
            None => (0..shards).map(|_| crate::shard::Keyspace::new(settings.databases)).collect(),
        }
    } else {
        // An RDB file loads while the shards already serve (LOADING).
        let found = std::path::Path::new(&settings.dbfilename).exists();
        shared.persist.loading.store(found, std::sync::atomic::Ordering::Relaxed);
        (0..shards).map(|_| crate::shard::Keyspace::new(settings.databases)).collect()
    };
    let mut keyspaces: Vec<Option<crate::shard::Keyspace>> = keyspaces.into_iter().map(Some).collect();

    let mesh = MeshBuilder::<Msg, _>::full(shards + 1, MESH_CAPACITY);
    let mail = match MailCounts::new(shards + 1) {
        Ok(mail) => mail,
        Err(e) => {
            warning!("Failed creating the doorbells between cores: {e}");
            return 1;
        }
    };
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let mut handles = Vec::new();
    for i in 0..shards {
        let cpu = cpus[i % cpus.len()];
        let mesh = mesh.clone();
        let mail = mail.clone();
        let shared = shared.clone();
        let settings = settings.clone();
        let addrs = addrs.clone();
        let ready = ready_tx.clone();
        let ks = keyspaces[i].take();
        let h = LocalExecutorBuilder::new(Placement::Fixed(cpu))
            .name(&format!("shard-{i}"))
            .io_memory(IO_MEMORY)
            .spawn(move || async move {
                let Ok((senders, mut receivers)) = join(&mesh).await else { return };
                let shard = Shard::new(shared.clone(), Peer::new(senders, mail), settings);
                let peer = shard.peer.clone();
                let bell = peer.bell();
                super::ready::watch_mail(move || peer.mail_waiting(), bell);
                if let Some(ks) = ks {
                    *shard.ks.borrow_mut() = ks;
                }
                if shared.persist.loading.load(std::sync::atomic::Ordering::Relaxed) {
                    glommio::spawn_local(crate::persist::load::install(shard.clone())).detach();
                }
                crate::aof::attach(&shard);
                for (from, rx) in receivers.streams() {
                    let s = shard.clone();
                    glommio::spawn_local(async move {
                        while let Some(msg) = rx.recv().await {
                            s.peer.took();
                            s.handle(from, msg);
                        }
                    })
                    .detach();
                }
                let listeners = match listen::bind(&addrs) {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                listen::serve(&shard, listeners);
                shard.clone().cron().await;
            })
            .expect("spawn shard executor");
        handles.push(h);
    }
    let control_placement = if cpus.len() > shards { Placement::Fixed(cpus[shards]) } else { Placement::Unbound };
    {
        let mesh = mesh.clone();
        let mail = mail.clone();
        let shared = shared.clone();
        let h = LocalExecutorBuilder::new(control_placement)
            .name("control")
            .io_memory(IO_MEMORY)
            .spawn(move || async move {
                let Ok((senders, mut receivers)) = join(&mesh).await else { return };
                let control = Control::new(shared, Peer::new(senders, mail), config);
                glommio::spawn_local(crate::persist::schedule::run(control.clone())).detach();
                let mut loops = Vec::new();
                for (from, rx) in receivers.streams() {
                    let c = control.clone();
                    loops.push(glommio::spawn_local(async move {
                        while let Some(msg) = rx.recv().await {
                            c.peer.took();
                            c.handle(from, msg);
                        }
                    }));
                }
                for l in loops {
                    l.await;
                }
            })
            .expect("spawn control executor");
        handles.push(h);
    }
    drop(ready_tx);
    for _ in 0..shards {
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                warning!("Warning: Could not create server TCP listening socket {e}");
                warning!("Failed listening on port {port} (tcp), aborting.");
                return 1;
            }
            Err(_) => return 1,
        }
    }
    notice!("Server initialized");
    if shared.persist.loading.load(std::sync::atomic::Ordering::Relaxed) {
        crate::persist::load::in_background(shared.clone(), settings.clone());
        if let Some(code) = wait_for_load(&shared) {
            return code;
        }
    }
    crate::metrics::memory::note_startup();
    notice!("Ready to accept connections tcp");
    let code = wait_for_signal(&shared);
    drop(handles);
    code
}

type Mesh = glommio::channels::channel_mesh::MeshBuilder<Msg, glommio::channels::channel_mesh::Full>;

/// Joins the mesh. A timer wakes the executor every few milliseconds
/// meanwhile: a peer's arrival is signalled from another thread, and an
/// executor asleep in io_uring with nothing else to wake it could miss it
/// (start-up then hung on loaded machines).
async fn join(
    mesh: &Mesh,
) -> glommio::Result<(glommio::channels::channel_mesh::Senders<Msg>, glommio::channels::channel_mesh::Receivers<Msg>), ()>
{
    let joined = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = joined.clone();
    glommio::spawn_local(async move {
        while !flag.get() {
            glommio::timer::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .detach();
    let r = mesh.clone().join().await;
    joined.set(true);
    r
}

/// The start-up banner; tools (and the Redis test suite) look for its
/// "PID: " line.
fn banner(port: u16, pid: u32, shards: usize) -> String {
    format!(
        "Clover {} (Redis 7.0.15 compatible) standalone mode\n    Port: {port}\n    PID: {pid}\n    Shards: {shards}\n\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Raises RLIMIT_MEMLOCK's soft limit as far as allowed; glommio needs at
/// least 512 KiB per executor. Returns false (after saying what to do) when
/// the limit stays too low.
fn raise_memlock() -> bool {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid rlimit we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut lim) != 0 {
            return true;
        }
        if lim.rlim_cur < lim.rlim_max {
            let wanted = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_MEMLOCK, &wanted) == 0 {
                lim = wanted;
            }
        }
        if lim.rlim_cur < MIN_MEMLOCK {
            let wanted = libc::rlimit { rlim_cur: libc::RLIM_INFINITY, rlim_max: libc::RLIM_INFINITY };
            if libc::setrlimit(libc::RLIMIT_MEMLOCK, &wanted) == 0 {
                return true;
            }
            warning!(
                "The locked-memory limit (ulimit -l) is {} KiB; Clover's io_uring executors need at least {} KiB. \
                 Raise it with `ulimit -l unlimited` (as root), `LimitMEMLOCK=infinity` in a systemd unit, \
                 or `--ulimit memlock=-1` for a container.",
                lim.rlim_cur / 1024,
                MIN_MEMLOCK / 1024
            );
            return false;
        }
    }
    true
}

/// The CPUs this process may run on (taskset, cpusets), in order.
fn allowed_cpus() -> Vec<usize> {
    let mut ids: Vec<usize> = core_affinity::get_core_ids().unwrap_or_default().into_iter().map(|c| c.id).collect();
    ids.sort_unstable();
    if ids.is_empty() {
        ids.push(0);
    }
    ids
}

/// Forks into the background as redis-server does with `daemonize yes`.
fn daemonize() {
    // SAFETY: called before any thread is started; the parent exits at once.
    unsafe {
        match libc::fork() {
            -1 => return,
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if devnull >= 0 {
            libc::dup2(devnull, 0);
            libc::dup2(devnull, 1);
            libc::dup2(devnull, 2);
            if devnull > 2 {
                libc::close(devnull);
            }
        }
    }
}

/// Blocks SIGTERM and SIGINT in this thread (and so in every thread it
/// starts), so that only `wait_for_signal` receives them.
fn block_signals() {
    // SAFETY: plain signal mask manipulation on this thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Waits until every shard has its loaded keyspace. A SIGTERM/SIGINT
/// meanwhile shuts down at once, without saving, as Redis does while
/// loading: then the exit status.
fn wait_for_load(shared: &Arc<Shared>) -> Option<i32> {
    use std::sync::atomic::Ordering;
    loop {
        if shared.persist.installed.load(Ordering::Acquire) >= shared.shards {
            shared.persist.loading.store(false, Ordering::Relaxed);
            return None;
        }
        // SAFETY: sigtimedwait on a set of signals blocked in every thread.
        let sig = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGINT);
            let wait = libc::timespec { tv_sec: 0, tv_nsec: 5_000_000 };
            libc::sigtimedwait(&set, std::ptr::null_mut(), &wait)
        };
        if sig == libc::SIGTERM || sig == libc::SIGINT {
            warning!("Received shutdown signal during loading, scheduling shutdown.");
            warning!("User requested shutdown...");
            shutdown(shared);
            return Some(0);
        }
    }
}

/// Waits for SIGTERM/SIGINT and hands each to shard 0, which shuts down as
/// Redis does (saving first when save points exist) and exits the process;
/// a failed save keeps the server running. A second SIGINT while the
/// shutdown saves exits at once, as Redis does.
fn wait_for_signal(shared: &Arc<Shared>) -> i32 {
    use std::sync::atomic::Ordering::Relaxed;
    loop {
        // SAFETY: sigwait on a set of signals blocked in every thread.
        let sig = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGINT);
            let mut sig = 0;
            libc::sigwait(&set, &mut sig);
            sig
        };
        if sig == libc::SIGINT && shared.persist.shutting_down.load(Relaxed) {
            warning!("You insist... exiting now.");
            crate::persist::file::remove_temp(&crate::persist::file::temp_path(shared.pid), shared.shards);
            return 1;
        }
        let name = if sig == libc::SIGINT { "SIGINT" } else { "SIGTERM" };
        warning!("Received {name} scheduling shutdown...");
        shared.persist.pending_signal.store(sig, Relaxed);
    }
}

/// Final steps before the process exits, after the shutdown's save.
pub fn shutdown(shared: &Shared) {
    let pidfile = shared.pidfile.as_str();
    shared.shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
    if !pidfile.is_empty() {
        notice!("Removing the pid file.");
        let _ = std::fs::remove_file(pidfile);
    }
    crate::aof::shutdown();
    notice!("Clover is now ready to exit, bye bye...");
}
