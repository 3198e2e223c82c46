//! The workspace cluster the tests share, and the names and limits used on it.

#[allow(unused_imports)]
use super::*;

/// The variable naming the workspace cluster of the tests: a role with
/// CREATEDB and CREATEROLE on a PostgreSQL server that checks passwords.
pub const CLUSTER_VAR: &str = "SLUICE_TEST_CLUSTER_URL";

/// The test cluster's administrative URL.
pub fn cluster_url() -> String {
    std::env::var(CLUSTER_VAR).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
        panic!("{CLUSTER_VAR} is unset: the test command (scripts/test.sh) starts a PostgreSQL for it")
    })
}

/// The test cluster as the server is configured with it: people connect
/// where Sluice does.
pub fn test_cluster(region: &str) -> app::infra::settings::ClusterSpec {
    let admin = cluster_url();
    let url = url::Url::parse(&admin).expect(CLUSTER_VAR);
    app::infra::settings::ClusterSpec {
        region: region.to_owned(),
        admin_url: app::infra::secret::Secret::new(admin.clone()),
        public_host: url.host_str().expect("a host").to_owned(),
        public_port: url.port().unwrap_or(5432),
        local: false,
        hostaddr: None,
    }
}

/// A handle no other test (nor an earlier run) has on the shared cluster,
/// where roles are named by handle.
pub fn unique_handle(prefix: &str) -> String {
    use rand::Rng;
    let tail: String = (0..8).map(|_| (b'a' + rand::thread_rng().gen_range(0..26)) as char).collect();
    format!("{prefix}{tail}")
}

/// The limits a role has on a cluster by default.
pub fn default_limits() -> app::infra::settings::RoleLimits {
    server::config::settings_for("/nowhere".into(), "http://localhost".parse().unwrap()).cluster_limits
}
