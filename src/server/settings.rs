//! The typed configuration values the data path reads. Each core keeps its
//! own copy; CONFIG SET sends every core a new one.

use bytes::Bytes;

/// Hot configuration, copied to every core.
#[derive(Clone, Debug)]
pub struct Settings {
    pub databases: usize,
    pub proto_max_bulk_len: usize,
    pub client_query_buffer_limit: usize,
    /// Idle client timeout in seconds; 0 = never.
    pub timeout: u64,
    pub maxclients: usize,
    pub requirepass: Option<Bytes>,
    pub protected_mode: bool,
    pub hz: u64,
    /// Microseconds; negative disables the slow log, 0 logs everything.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: usize,
    /// Milliseconds; 0 disables the latency monitor.
    pub latency_monitor_threshold: u64,
    /// "yes", "no" or "local".
    pub enable_debug_command: String,
    pub enable_protected_configs: String,
    pub tcp_keepalive: u64,
    /// Percentiles INFO latencystats reports.
    pub latency_tracking_info_percentiles: Vec<f64>,
    pub latency_tracking: bool,
    /// The maxmemory-policy is an LFU one (OBJECT FREQ / IDLETIME).
    pub lfu: bool,
    /// Thresholds of the compact encodings, under Redis's directive names.
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub stream_node_max_entries: usize,
    pub stream_node_max_bytes: usize,
    pub hll_sparse_max_bytes: usize,
    /// Persistence (`persist`): the RDB file name (in `dir`, the working
    /// directory), its options, whether save points exist, and the
    /// shutdown-on-sigterm/sigint words.
    pub dbfilename: String,
    pub rdbcompression: bool,
    pub rdbchecksum: bool,
    pub stop_writes_on_bgsave_error: bool,
    pub save_points: bool,
    /// rdb-key-save-delay / key-load-delay: microseconds per key written
    /// or loaded (tests).
    pub rdb_key_save_delay: i64,
    pub key_load_delay: i64,
    pub shutdown_on_sigterm: String,
    pub shutdown_on_sigint: String,
    /// lazyfree-lazy-expire: expired keys propagate as UNLINK.
    pub lazyfree_lazy_expire: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            databases: 16,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            timeout: 0,
            maxclients: 10000,
            requirepass: None,
            protected_mode: true,
            hz: 10,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            enable_debug_command: "no".into(),
            enable_protected_configs: "no".into(),
            tcp_keepalive: 300,
            latency_tracking_info_percentiles: vec![50.0, 99.0, 99.9],
            latency_tracking: true,
            lfu: false,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_entries: 100,
            stream_node_max_bytes: 4096,
            hll_sparse_max_bytes: 3000,
            dbfilename: "dump.rdb".into(),
            rdbcompression: true,
            rdbchecksum: true,
            stop_writes_on_bgsave_error: true,
            save_points: true,
            rdb_key_save_delay: 0,
            key_load_delay: 0,
            shutdown_on_sigterm: "default".into(),
            shutdown_on_sigint: "default".into(),
            lazyfree_lazy_expire: false,
        }
    }
}

impl Settings {
    /// Reads the hot values out of the configuration.
    pub fn from_config(c: &crate::config::Config) -> Settings {
        Settings {
            databases: c.databases(),
            proto_max_bulk_len: c.proto_max_bulk_len() as usize,
            client_query_buffer_limit: c.client_query_buffer_limit() as usize,
            timeout: c.timeout(),
            maxclients: c.maxclients() as usize,
            requirepass: c.requirepass().map(Bytes::copy_from_slice),
            protected_mode: c.protected_mode(),
            hz: c.hz() as u64,
            slowlog_log_slower_than: c.slowlog_log_slower_than(),
            slowlog_max_len: c.slowlog_max_len() as usize,
            latency_monitor_threshold: c.latency_monitor_threshold(),
            enable_debug_command: c.get_str("enable-debug-command"),
            enable_protected_configs: c.get_str("enable-protected-configs"),
            tcp_keepalive: c.tcp_keepalive(),
            latency_tracking_info_percentiles: c.latency_tracking_info_percentiles().to_vec(),
            latency_tracking: c.latency_tracking(),
            lfu: c.maxmemory_policy().contains("lfu"),
            list_max_listpack_size: c.get_int("list-max-listpack-size"),
            list_compress_depth: c.get_int("list-compress-depth"),
            hash_max_listpack_entries: c.get_u64("hash-max-listpack-entries") as usize,
            hash_max_listpack_value: c.get_u64("hash-max-listpack-value") as usize,
            set_max_intset_entries: c.get_u64("set-max-intset-entries") as usize,
            zset_max_listpack_entries: c.get_u64("zset-max-listpack-entries") as usize,
            zset_max_listpack_value: c.get_u64("zset-max-listpack-value") as usize,
            stream_node_max_entries: c.get_u64("stream-node-max-entries") as usize,
            stream_node_max_bytes: c.get_u64("stream-node-max-bytes") as usize,
            hll_sparse_max_bytes: c.get_u64("hll-sparse-max-bytes") as usize,
            dbfilename: c.dbfilename(),
            rdbcompression: c.get_bool("rdbcompression"),
            rdbchecksum: c.get_bool("rdbchecksum"),
            stop_writes_on_bgsave_error: c.get_bool("stop-writes-on-bgsave-error"),
            save_points: !c.save_points().is_empty(),
            rdb_key_save_delay: c.get_int("rdb-key-save-delay"),
            key_load_delay: c.get_int("key-load-delay"),
            shutdown_on_sigterm: c.get_str("shutdown-on-sigterm"),
            shutdown_on_sigint: c.get_str("shutdown-on-sigint"),
            lazyfree_lazy_expire: c.get_bool("lazyfree-lazy-expire"),
        }
    }
}
