//! The command line and the settings, defined once: `--help`, the
//! environment variables, the defaults, the ranges and the README's table
//! all come from here (a test holds the README to it). Every setting is an
//! environment variable and, equally, a flag; each value is parsed into
//! its type here (`values`), and `config` checks the rules between them.

use std::path::PathBuf;
use std::time::Duration;

use app::infra::clock::Clock;
use app::infra::db::PoolSettings;
use app::infra::secret::Secret;
use app::infra::settings::{ClusterSpec, DbTls, RoleLimits};
use app::infra::vault::KEY_LEN;
use app::infra::Settings;
use clap::{value_parser, Args, FromArgMatches, Parser, Subcommand};
use ipnet::IpNet;
use url::Url;

use crate::values;

#[derive(Debug, Parser)]
#[command(
    name = "sluice",
    version,
    about = "Sluice — the account console of a developer data platform.",
    after_help = "Also read: LEPTOS_SITE_ADDR (where the server listens; default from Leptos.toml), \
                  LEPTOS_SITE_ROOT (the built site), any other LEPTOS_* key of Leptos.toml, and RUST_LOG \
                  (the log filter, default info; the log goes to stderr)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Create the demo account (demo@sluice.localhost) if it is missing and print a one-time sign-in link
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign this machine in: prints a page to open, asks for the code shown there, and keeps a temporary
    /// token (30 days) in $SLUICE_CONFIG_DIR, else $XDG_CONFIG_HOME/sluice, else ~/.config/sluice
    /// (credentials.json, readable only by you)
    Login {
        /// The Sluice to sign in to [default: $SLUICE_PUBLIC_URL, else http://127.0.0.1:3000]
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Print the handle the kept token belongs to
    Whoami,
    /// For an owner who lost every second factor: stop requiring one at sign-in for the account HANDLE
    /// (recorded in its Audit Log). Uses the same settings as the server (SLUICE_DATABASE_URL,
    /// SLUICE_DATA_DIR)
    LiftSecondFactor {
        /// The account's handle
        handle: String,
    },
}

/// The server's settings, each with its type, its range and its default:
/// what a value must be is said here once, and `Settings` is made from it
/// (`into_settings`); `config` adds the rules between settings. An empty
/// environment variable counts as unset (`forget_empty_settings`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings (environment variables, or the flags)")]
pub struct SettingsArgs {
    /// Where Sluice keeps its data
    #[arg(long, env = "SLUICE_DATA_DIR", value_name = "DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The database: sqlite://… or postgres://user:password@host:5432/sluice, which several server processes
    /// (same SLUICE_SECRET_KEY) can share [default: sqlite://$SLUICE_DATA_DIR/sluice.db]
    #[arg(long, env = "SLUICE_DATABASE_URL", value_name = "URL", hide_env_values = true, value_parser = values::database_url)]
    pub database_url: Option<Secret<String>>,
    /// Connections this process keeps open to the database
    #[arg(long, env = "SLUICE_DB_MAX_CONNECTIONS", value_name = "N", default_value = "8", value_parser = value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,
    /// Seconds a request waits for a free database connection before it fails
    #[arg(long, env = "SLUICE_DB_ACQUIRE_TIMEOUT", value_name = "SECONDS", default_value = "10", value_parser = values::seconds(1, 3600))]
    pub db_acquire_timeout: Duration,
    /// Seconds an unused database connection stays open
    #[arg(long, env = "SLUICE_DB_IDLE_TIMEOUT", value_name = "SECONDS", default_value = "600", value_parser = values::seconds(1, 86_400))]
    pub db_idle_timeout: Duration,
    /// HTTP connections served at once (kept under half of ulimit -n); more wait in the listen backlog
    #[arg(long, env = "SLUICE_HTTP_MAX_CONNECTIONS", value_name = "N", default_value = "10000", value_parser = values::count(1_000_000))]
    pub http_max_connections: usize,
    /// HTTP connections one client address may hold (trusted proxies are not capped); more are closed at once
    #[arg(long, env = "SLUICE_HTTP_PER_ADDRESS", value_name = "N", default_value = "100", value_parser = values::count(1_000_000))]
    pub http_per_address: usize,
    /// Seconds a connection may take to send a request's head, or stay idle between requests
    #[arg(long, env = "SLUICE_HTTP_HEADER_TIMEOUT", value_name = "SECONDS", default_value = "15", value_parser = values::seconds(1, 3600))]
    pub http_header_timeout: Duration,
    /// Seconds a request body may pause between two pieces
    #[arg(long, env = "SLUICE_HTTP_BODY_TIMEOUT", value_name = "SECONDS", default_value = "20", value_parser = values::seconds(1, 3600))]
    pub http_body_timeout: Duration,
    /// Load balancers, addresses or networks (10.0.0.0/8,192.0.2.7), whose X-Forwarded-For names the client;
    /// nobody else's is believed [default: none]
    #[arg(long, env = "SLUICE_TRUSTED_PROXIES", value_name = "LIST", value_parser = values::trusted_proxies)]
    pub trusted_proxies: Option<values::List<IpNet>>,
    /// The URL people use to reach Sluice; https, or http on localhost [default: http://$LEPTOS_SITE_ADDR]
    #[arg(long, env = "SLUICE_PUBLIC_URL", value_name = "URL", value_parser = values::public_url)]
    pub public_url: Option<Url>,
    /// smtp://user:pass@host:587 or smtps://… to send mail [default: mail is written to
    /// $SLUICE_DATA_DIR/outbox/]
    #[arg(long, env = "SLUICE_SMTP_URL", value_name = "URL", hide_env_values = true, value_parser = values::smtp_url)]
    pub smtp_url: Option<Secret<String>>,
    /// The sender of Sluice's mail
    #[arg(long, env = "SLUICE_MAIL_FROM", value_name = "MAILBOX", default_value = "Sluice <no-reply@sluice.localhost>", value_parser = values::mailbox)]
    pub mail_from: String,
    /// The domain in workspace DNS names
    #[arg(long, env = "SLUICE_DB_DOMAIN", value_name = "DOMAIN", default_value = "sluice.localhost", value_parser = values::domain)]
    pub db_domain: String,
    /// Sign-in links one address may request per 15 minutes
    #[arg(long, env = "SLUICE_SIGN_IN_PER_PEER", value_name = "N", default_value = "30", value_parser = value_parser!(i64).range(1..=1_000_000))]
    pub sign_in_per_peer: i64,
    /// /api/v0 requests one token may make per minute; more get 429 with Retry-After
    #[arg(long, env = "SLUICE_API_PER_MINUTE", value_name = "N", default_value = "600", value_parser = value_parser!(i64).range(1..=1_000_000_000))]
    pub api_per_minute: i64,
    /// 32 random bytes, base64 (openssl rand -base64 32), that encrypt database passwords; required when the
    /// public URL is https [default on localhost: a key file, $SLUICE_DATA_DIR/secret.key]
    #[arg(long, env = "SLUICE_SECRET_KEY", value_name = "KEY", hide_env_values = true, value_parser = values::secret_key)]
    pub secret_key: Option<Secret<[u8; KEY_LEN]>>,
    /// domain=tenant pairs, comma-separated (acme.example=acme): who signs up with an address at the domain is
    /// a member of the tenant, which manages their billing [default: none]
    #[arg(long, env = "SLUICE_TENANT_DOMAINS", value_name = "LIST", value_parser = values::tenant_domains)]
    pub tenant_domains: Option<values::List<(String, String)>>,
    /// Where Sluice's own PostgreSQL (the workspaces' default home) listens; off: it does not run
    #[arg(long, env = "SLUICE_DB_LISTEN", value_name = "ADDRESS", default_value = "127.0.0.1:9193", value_parser = values::db_listen)]
    pub db_listen: values::Listen,
    /// on or off: TLS on Sluice's own PostgreSQL; connection strings then say sslmode=require
    #[arg(long, env = "SLUICE_DB_TLS", value_name = "on|off", default_value = "on", value_parser = values::on_off)]
    pub db_tls: bool,
    /// Its certificate chain (PEM), with SLUICE_DB_TLS_KEY [default: a self-signed certificate
    /// made at the first start, kept in $SLUICE_DATA_DIR/endpoint-tls/]
    #[arg(long, env = "SLUICE_DB_TLS_CERT", value_name = "FILE")]
    pub db_tls_cert: Option<PathBuf>,
    /// Its private key (PEM), with SLUICE_DB_TLS_CERT
    #[arg(long, env = "SLUICE_DB_TLS_KEY", value_name = "FILE")]
    pub db_tls_key: Option<PathBuf>,
    /// The folder of PostgreSQL's initdb and postgres (version 14 or newer) [default: pg_config --bindir, else
    /// the newest /usr/lib/postgresql/*/bin]
    #[arg(long, env = "SLUICE_POSTGRES_BIN", value_name = "DIR")]
    pub postgres_bin: Option<PathBuf>,
    /// max_connections of Sluice's own PostgreSQL (5 of them kept for Sluice)
    #[arg(long, env = "SLUICE_POSTGRES_MAX_CONNECTIONS", value_name = "N", default_value = "100", value_parser = value_parser!(u32).range(20..=10_000))]
    pub postgres_max_connections: u32,
    /// MB of shared_buffers of Sluice's own PostgreSQL: the cache all its sessions share
    #[arg(long, env = "SLUICE_POSTGRES_SHARED_BUFFERS", value_name = "MB", default_value = "128", value_parser = value_parser!(u64).range(16..=65_536))]
    pub postgres_shared_buffers: u64,
    /// MB of address space each process of Sluice's own PostgreSQL may take (its shared buffers count in it): a
    /// session past it gets an out-of-memory error
    #[arg(long, env = "SLUICE_POSTGRES_PROCESS_MEMORY", value_name = "MB", default_value = "1024", value_parser = value_parser!(u64).range(512..=1 << 30))]
    pub postgres_process_memory: u64,
    /// Seconds between readings of the workspaces' compute time and sizes (Usage and Billing; the storage
    /// limit)
    #[arg(long, env = "SLUICE_USAGE_INTERVAL", value_name = "SECONDS", default_value = "60", value_parser = values::seconds(1, 3600))]
    pub usage_interval: Duration,
    /// The address copied psql commands connect to (?hostaddr=) instead of resolving the workspace's DNS
    /// name; none leaves it out [default: SLUICE_DB_LISTEN's address when it is a loopback address]
    #[arg(long, env = "SLUICE_DB_HOSTADDR", value_name = "ADDRESS", value_parser = values::hostaddr)]
    pub db_hostaddr: Option<values::HostAddr>,
    /// Seconds each workspace waits before taking a rotated password (to show propagation)
    #[arg(long, env = "SLUICE_PROPAGATION_DELAY", value_name = "SECONDS", default_value = "0", value_parser = values::seconds(0, 3600))]
    pub propagation_delay: Duration,
    /// PostgreSQL clusters for workspaces, separated by spaces: region=postgres://admin:…@host:5432/postgres;
    /// public=host:port (a role with CREATEDB and CREATEROLE; where people connect). A region may have
    /// several; regions without one use Sluice's own PostgreSQL [default: none]
    #[arg(long, env = "SLUICE_WORKSPACE_CLUSTERS", value_name = "LIST", hide_env_values = true, value_parser = values::workspace_clusters)]
    pub workspace_clusters: Option<values::List<ClusterSpec>>,
    /// Connections each person's role may hold open on a cluster
    #[arg(long, env = "SLUICE_CLUSTER_CONNECTION_LIMIT", value_name = "N", default_value = "20", value_parser = value_parser!(u32).range(1..=10_000))]
    pub cluster_connection_limit: u32,
    /// Seconds a statement may run on a cluster (the role's statement_timeout)
    #[arg(long, env = "SLUICE_CLUSTER_STATEMENT_TIMEOUT", value_name = "SECONDS", default_value = "60", value_parser = values::seconds(1, 86_400))]
    pub cluster_statement_timeout: Duration,
    /// MB of temporary files one session may write on a cluster (temp_file_limit)
    #[arg(long, env = "SLUICE_CLUSTER_TEMP_FILE_LIMIT", value_name = "MB", default_value = "1024", value_parser = value_parser!(u64).range(1..=1 << 30))]
    pub cluster_temp_file_limit: u64,
    /// Seconds a session may sit idle inside a transaction on a cluster
    #[arg(long, env = "SLUICE_CLUSTER_IDLE_IN_TRANSACTION_TIMEOUT", value_name = "SECONDS", default_value = "300", value_parser = values::seconds(1, 86_400))]
    pub cluster_idle_in_transaction_timeout: Duration,
    /// MB a workspace on a cluster may hold; past it the workspace is paused (closed to its owner) until it is
    /// below again
    #[arg(long, env = "SLUICE_WORKSPACE_STORAGE_LIMIT", value_name = "MB", default_value = "1024", value_parser = value_parser!(u64).range(1..=1 << 30))]
    pub workspace_storage_limit: u64,
    /// Tests only: a file whose number of seconds moves forward the clock that "Confirm it is you" reads
    /// [default: the real clock]
    #[arg(long, env = "SLUICE_TEST_CLOCK_FILE", value_name = "FILE")]
    pub test_clock_file: Option<PathBuf>,
    /// The site settings file
    #[arg(long, env = "SLUICE_LEPTOS_TOML", value_name = "FILE", default_value = "Leptos.toml")]
    pub leptos_toml: PathBuf,
}

impl SettingsArgs {
    /// Every setting at its default, whatever the environment holds: what
    /// tests and benchmarks start from.
    pub fn defaults() -> Self {
        let command = Self::augment_args(clap::Command::new("sluice")).mut_args(|arg| arg.env(None::<&str>));
        let matches = command.try_get_matches_from(["sluice"]).expect("the defaults parse");
        Self::from_arg_matches(&matches).expect("the defaults are settings")
    }

    /// The settings as they are, before `config` applies the rules between
    /// them (the defaults that come from other settings, the pairs that go
    /// together).
    pub fn into_settings(self, public_url: Url) -> Settings {
        let database_url = format!("sqlite://{}", self.data_dir.join("sluice.db").display());
        Settings {
            database_url: self.database_url.unwrap_or_else(|| Secret::new(database_url)),
            data_dir: self.data_dir,
            pool: PoolSettings {
                max_connections: self.db_max_connections,
                acquire_timeout: self.db_acquire_timeout,
                idle_timeout: self.db_idle_timeout,
            },
            public_url,
            smtp_url: self.smtp_url,
            mail_from: self.mail_from,
            db_domain: self.db_domain,
            db_listen: self.db_listen.0,
            db_port: shared::DEFAULT_DB_PORT,
            db_hostaddr: None,
            db_tls: if self.db_tls { DbTls::SelfSigned } else { DbTls::Off },
            postgres_bin: self.postgres_bin,
            postgres_max_connections: self.postgres_max_connections,
            postgres_shared_buffers_mb: self.postgres_shared_buffers,
            postgres_process_memory_mb: self.postgres_process_memory,
            usage_interval: self.usage_interval,
            session_idle: Duration::from_secs(24 * 3600),
            session_absolute: Duration::from_secs(14 * 24 * 3600),
            sign_in_link_ttl: Duration::from_secs(15 * 60),
            sign_in_per_peer: self.sign_in_per_peer,
            api_per_minute: self.api_per_minute,
            secret_key: self.secret_key,
            propagation_delay: self.propagation_delay,
            avatar_fetch_private: false,
            tenant_domains: self.tenant_domains.map(|l| l.0).unwrap_or_default(),
            trusted_proxies: self.trusted_proxies.map(|l| l.0).unwrap_or_default(),
            http_max_connections: self.http_max_connections,
            http_per_address: self.http_per_address,
            http_header_timeout: self.http_header_timeout,
            http_body_timeout: self.http_body_timeout,
            workspace_clusters: self.workspace_clusters.map(|l| l.0).unwrap_or_default(),
            cluster_limits: RoleLimits {
                connections: self.cluster_connection_limit,
                statement_timeout: self.cluster_statement_timeout,
                temp_file_limit_mb: self.cluster_temp_file_limit,
                idle_in_transaction_timeout: self.cluster_idle_in_transaction_timeout,
                storage_mb: self.workspace_storage_limit,
            },
            clock: match self.test_clock_file {
                Some(file) => Clock::shifted_by(file),
                None => Clock::default(),
            },
        }
    }
}

/// Removes every setting's environment variable whose value is empty, so
/// that `SLUICE_X=` means unset. Call before any thread starts.
pub fn forget_empty_settings() {
    use clap::CommandFactory;
    for arg in Cli::command().get_arguments() {
        if let Some(name) = arg.get_env() {
            if std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
                std::env::remove_var(name);
            }
        }
    }
}

/// A wrong value, said in one line that names the environment variable
/// (and the flag), never the value of a secret.
pub fn explain(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    use clap::CommandFactory;
    let text = error.render().to_string();
    let first = text.lines().next().unwrap_or("error: bad arguments").trim_start_matches("error: ").to_owned();
    let Some(ContextValue::String(flag)) = error.get(ContextKind::InvalidArg) else { return first };
    let long = flag.trim_start_matches("--").split([' ', '=']).next().unwrap_or_default();
    let command = Cli::command();
    let Some(arg) = command.get_arguments().find(|a| a.get_long() == Some(long)) else { return first };
    let Some(env) = arg.get_env().map(|e| e.to_string_lossy().into_owned()) else { return first };
    let problem =
        std::error::Error::source(error).map(|source| match source.downcast_ref::<std::num::ParseIntError>() {
            Some(_) => "expected a whole number".to_owned(),
            None => source.to_string(),
        });
    let value = match error.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) if !arg.is_hide_env_values_set() => format!(" (got {v:?})"),
        _ => String::new(),
    };
    match problem {
        Some(problem) => format!("{env} (--{long}): {problem}{value}"),
        None => format!("{env} (--{long}): {first}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every setting of the README's table is defined here and every one
    /// defined here is in the table, with its real default (or, for one
    /// that comes from other settings, the one its help describes).
    #[test]
    fn the_readme_table_lists_every_setting_with_its_default() {
        let readme = include_str!("../../README.md");
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `SLUICE_")).collect();
        let command = Cli::command();
        let defined: Vec<(String, Option<String>)> = command
            .get_arguments()
            .filter_map(|a| {
                let env = a.get_env()?.to_string_lossy().into_owned();
                let help = a.get_help().map(ToString::to_string).unwrap_or_default();
                let real: Vec<String> =
                    a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
                let described = help
                    .split("[default")
                    .nth(1)
                    .and_then(|d| d.strip_suffix(']'))
                    .map(|d| d.trim_start_matches(':').trim().to_owned());
                assert!(real.is_empty() || described.is_none(), "{env}: a default both real and described");
                Some((env, real.first().cloned().or(described)))
            })
            .collect();
        for (env, default) in &defined {
            let row = rows.iter().find(|r| r.contains(&format!("`{env}`")));
            let row = row.unwrap_or_else(|| panic!("the README's table lacks {env}"));
            let cell = row.split('|').nth(2).unwrap_or_default().replace('`', "");
            match default {
                Some(default) => assert_eq!(cell.trim(), default, "{env}: the README's default differs"),
                None => assert_eq!(cell.trim(), "", "{env}: the README gives a default the setting does not have"),
            }
        }
        for row in rows {
            let env = row.split('`').nth(1).unwrap();
            assert!(defined.iter().any(|(e, _)| e == env), "{env} is in the README but not a setting");
        }
    }
}
