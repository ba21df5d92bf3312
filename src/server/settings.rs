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
        }
    }
}
