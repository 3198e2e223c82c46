//! The settings the server runs with, after the `server` crate has read
//! Leptos.toml and the environment and checked every value.

use std::path::PathBuf;
use std::time::Duration;
use url::Url;

use super::secret::Secret;

#[derive(Clone, Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: Secret<String>,
    /// Connections to the database, and how long a request waits for one.
    pub pool: super::db::PoolSettings,
    /// The origin people reach Sluice at; links in mail and the CSRF check use it.
    pub public_url: Url,
    pub smtp_url: Option<Secret<String>>,
    pub mail_from: String,
    /// The domain in workspace DNS names: `{workspace}-{handle}.{region}.db.{domain}`.
    pub db_domain: String,
    /// Where Sluice's own PostgreSQL listens; `None`: it does not run.
    pub db_listen: Option<std::net::SocketAddr>,
    /// The port in its connection strings: the real one once it runs.
    pub db_port: u16,
    /// An address psql should connect to instead of resolving the
    /// workspace's DNS name (`hostaddr=` in the psql command), for a
    /// machine where those names do not resolve, such as localhost.
    pub db_hostaddr: Option<std::net::IpAddr>,
    /// TLS on Sluice's own PostgreSQL.
    pub db_tls: DbTls,
    /// The folder of PostgreSQL's programs (else found: see
    /// `server::local_postgres`).
    pub postgres_bin: Option<PathBuf>,
    /// `max_connections` of Sluice's own PostgreSQL.
    pub postgres_max_connections: u32,
    /// The address space each of its processes may take, in MB.
    pub postgres_process_memory_mb: u64,
    /// `shared_buffers` of Sluice's own PostgreSQL, in MB.
    pub postgres_shared_buffers_mb: u64,
    /// How often the workspaces' compute time and sizes are read (Usage,
    /// the storage limit).
    pub usage_interval: Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub sign_in_link_ttl: Duration,
    /// Sign-in links one peer address may ask for in 15 minutes.
    pub sign_in_per_peer: i64,
    /// `/api/v0` requests one token may make in a minute.
    pub api_per_minute: i64,
    /// The key that seals database passwords; unset in development, where
    /// a key file in the data dir is used instead.
    pub secret_key: Option<Secret<[u8; super::vault::KEY_LEN]>>,
    /// An added wait before each workspace takes a new password, to show
    /// propagation in a demonstration.
    pub propagation_delay: Duration,
    /// Let Avatar URLs reach private and loopback addresses (tests only).
    pub avatar_fetch_private: bool,
    /// E-mail domains and the tenant whose members sign up with them:
    /// `(domain, tenant handle)`, the domain in lowercase.
    pub tenant_domains: Vec<(String, String)>,
    /// Proxies (load balancers) whose `X-Forwarded-For` is believed: a
    /// request from one of them is from the address it names.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// HTTP connections served at once (kept within `ulimit -n` at start).
    pub http_max_connections: usize,
    /// HTTP connections one client address may hold open.
    pub http_per_address: usize,
    /// How long a connection may take to send a request's head, and may
    /// wait idle between requests.
    pub http_header_timeout: Duration,
    /// How long a request body may pause between two pieces.
    pub http_body_timeout: Duration,
    /// PostgreSQL clusters that hold the workspaces of their regions; a
    /// region without one uses Sluice's own PostgreSQL.
    pub workspace_clusters: Vec<ClusterSpec>,
    /// What Sluice sets on each person's role on a cluster.
    pub cluster_limits: RoleLimits,
    /// The clock "Confirm it is you" reads (the real one, except in tests).
    pub clock: super::clock::Clock,
}

/// A PostgreSQL cluster for a region's workspaces: how Sluice administers
/// it, and where people connect to it.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub region: String,
    /// A role with CREATEDB and CREATEROLE, and a database to connect to.
    pub admin_url: Secret<String>,
    pub public_host: String,
    pub public_port: u16,
    /// Sluice's own PostgreSQL: each workspace is reached at its own DNS
    /// name (`public_host` is the domain), keyed as `local`.
    pub local: bool,
    /// The address psql is given instead of resolving the name.
    pub hostaddr: Option<std::net::IpAddr>,
}

impl ClusterSpec {
    /// How workspaces name the cluster that holds them: its public
    /// address, or `local` for the managed PostgreSQL (whose port may
    /// change without moving anything).
    pub fn key(&self) -> String {
        if self.local {
            return "local".to_owned();
        }
        format!("{}:{}", self.public_host, self.public_port)
    }
}

/// Per-role limits on a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleLimits {
    /// `CONNECTION LIMIT`.
    pub connections: u32,
    pub statement_timeout: Duration,
    /// `temp_file_limit`, in MB.
    pub temp_file_limit_mb: u64,
    pub idle_in_transaction_timeout: Duration,
    /// MB one workspace may hold: past it, it is paused until it is below.
    pub storage_mb: u64,
}

/// Where the certificate of Sluice's own PostgreSQL comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbTls {
    /// No TLS: connection strings leave `sslmode` out.
    Off,
    /// One made at the first start, kept in the data dir.
    SelfSigned,
    /// A configured certificate chain and its private key, PEM files.
    Files { certificate: PathBuf, key: PathBuf },
}

impl DbTls {
    pub fn is_on(&self) -> bool {
        *self != Self::Off
    }
}

impl Settings {
    /// `Secure` cookies everywhere but plain-http loopback development.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// `scheme://host[:port]`, as a browser sends it in `Origin`.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// The tenant (its handle) that people signing up with `email` join.
    pub fn tenant_for(&self, email: &str) -> Option<&str> {
        let domain = email.rsplit_once('@')?.1;
        self.tenant_domains.iter().find(|(d, _)| d.eq_ignore_ascii_case(domain)).map(|(_, t)| t.as_str())
    }

    /// An absolute URL for a path on this site.
    pub fn absolute(&self, path_and_query: &str) -> String {
        absolute(&self.public_url, path_and_query)
    }
}

/// `path_and_query` on the site at `url`.
fn absolute(url: &Url, path_and_query: &str) -> String {
    // The URL as parsed already starts with its origin (scheme, host in
    // ASCII, a port only if not the default): one copy, where the origin's
    // own serialisation would make two. A URL with a user or password is
    // not an origin's prefix.
    if !url.username().is_empty() || url.password().is_some() || !url.has_host() {
        return format!("{}{}", url.origin().ascii_serialization(), path_and_query);
    }
    let origin = &url[..url::Position::BeforePath];
    let mut out = String::with_capacity(origin.len() + path_and_query.len());
    out.push_str(origin);
    out.push_str(path_and_query);
    out
}

#[cfg(test)]
mod absolute_tests {
    use super::absolute;

    #[test]
    fn an_absolute_address_starts_with_the_public_origin() {
        for url in [
            "http://localhost:3000",
            "http://127.0.0.1:8080/",
            "https://Console.Example.COM:443/sluice/",
            "https://bücher.example/",
            "http://[::1]:9000/a?b#c",
            "https://user:secret@example.com/",
        ] {
            let url: url::Url = url.parse().unwrap();
            let origin = url.origin().ascii_serialization();
            assert_eq!(absolute(&url, "/user/ada?x=1"), format!("{origin}/user/ada?x=1"), "{url}");
        }
    }
}
