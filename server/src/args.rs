//! The command line and the settings, defined once: `--help`, the
//! environment variables and the README's table all come from here (a
//! test holds the README to it). Every setting is an environment variable
//! and, equally, a flag; values are checked in `config`.

use clap::{Args, Parser, Subcommand};

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
}

/// The server's settings, each `None` when unset (an empty value is unset).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Settings (environment variables, or the flags)")]
pub struct SettingsArgs {
    /// Where Sluice keeps its data [default: ./data]
    #[arg(long, env = "SLUICE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<String>,
    /// The database: sqlite://… or postgres://user:password@host:5432/sluice, which several server processes
    /// (same SLUICE_SECRET_KEY) can share [default: sqlite://$SLUICE_DATA_DIR/sluice.db]
    #[arg(long, env = "SLUICE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Connections this process keeps open to the database [default: 8]
    #[arg(long, env = "SLUICE_DB_MAX_CONNECTIONS", value_name = "N")]
    pub db_max_connections: Option<String>,
    /// Seconds a request waits for a free database connection before it fails [default: 10]
    #[arg(long, env = "SLUICE_DB_ACQUIRE_TIMEOUT", value_name = "SECONDS")]
    pub db_acquire_timeout: Option<String>,
    /// Seconds an unused database connection stays open [default: 600]
    #[arg(long, env = "SLUICE_DB_IDLE_TIMEOUT", value_name = "SECONDS")]
    pub db_idle_timeout: Option<String>,
    /// HTTP connections served at once (kept under half of ulimit -n); more wait in the listen backlog
    /// [default: 10000]
    #[arg(long, env = "SLUICE_HTTP_MAX_CONNECTIONS", value_name = "N")]
    pub http_max_connections: Option<String>,
    /// HTTP connections one client address may hold (trusted proxies are not capped); more are closed at once
    /// [default: 100]
    #[arg(long, env = "SLUICE_HTTP_PER_ADDRESS", value_name = "N")]
    pub http_per_address: Option<String>,
    /// Seconds a connection may take to send a request's head, or stay idle between requests [default: 15]
    #[arg(long, env = "SLUICE_HTTP_HEADER_TIMEOUT", value_name = "SECONDS")]
    pub http_header_timeout: Option<String>,
    /// Seconds a request body may pause between two pieces [default: 20]
    #[arg(long, env = "SLUICE_HTTP_BODY_TIMEOUT", value_name = "SECONDS")]
    pub http_body_timeout: Option<String>,
    /// Load balancers, addresses or networks (10.0.0.0/8,192.0.2.7), whose X-Forwarded-For names the client;
    /// nobody else's is believed [default: none]
    #[arg(long, env = "SLUICE_TRUSTED_PROXIES", value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// The URL people use to reach Sluice; https, or http on localhost [default: http://$LEPTOS_SITE_ADDR]
    #[arg(long, env = "SLUICE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// smtp://user:pass@host:587 or smtps://… to send mail [default: mail is written to
    /// $SLUICE_DATA_DIR/outbox/]
    #[arg(long, env = "SLUICE_SMTP_URL", value_name = "URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of Sluice's mail [default: Sluice <no-reply@sluice.localhost>]
    #[arg(long, env = "SLUICE_MAIL_FROM", value_name = "MAILBOX")]
    pub mail_from: Option<String>,
    /// The domain in workspace DNS names [default: sluice.localhost]
    #[arg(long, env = "SLUICE_DB_DOMAIN", value_name = "DOMAIN")]
    pub db_domain: Option<String>,
    /// Sign-in links one address may request per 15 minutes [default: 30]
    #[arg(long, env = "SLUICE_SIGN_IN_PER_PEER", value_name = "N")]
    pub sign_in_per_peer: Option<String>,
    /// /api/v0 requests one token may make per minute; more get 429 with Retry-After [default: 600]
    #[arg(long, env = "SLUICE_API_PER_MINUTE", value_name = "N")]
    pub api_per_minute: Option<String>,
    /// 32 random bytes, base64 (openssl rand -base64 32), that encrypt database passwords; required when the
    /// public URL is https [default on localhost: a key file, $SLUICE_DATA_DIR/secret.key]
    #[arg(long, env = "SLUICE_SECRET_KEY", value_name = "KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// domain=tenant pairs, comma-separated (acme.example=acme): who signs up with an address at the domain is
    /// a member of the tenant, which manages their billing [default: none]
    #[arg(long, env = "SLUICE_TENANT_DOMAINS", value_name = "LIST")]
    pub tenant_domains: Option<String>,
    /// Where Sluice's own PostgreSQL (the workspaces' default home) listens; off: it does not run
    /// [default: 127.0.0.1:9193]
    #[arg(long, env = "SLUICE_DB_LISTEN", value_name = "ADDRESS")]
    pub db_listen: Option<String>,
    /// on or off: TLS on Sluice's own PostgreSQL; connection strings then say sslmode=require [default: on]
    #[arg(long, env = "SLUICE_DB_TLS", value_name = "on|off")]
    pub db_tls: Option<String>,
    /// Its certificate chain (PEM), with SLUICE_DB_TLS_KEY [default: a self-signed certificate
    /// made at the first start, kept in $SLUICE_DATA_DIR/endpoint-tls/]
    #[arg(long, env = "SLUICE_DB_TLS_CERT", value_name = "FILE")]
    pub db_tls_cert: Option<String>,
    /// Its private key (PEM), with SLUICE_DB_TLS_CERT
    #[arg(long, env = "SLUICE_DB_TLS_KEY", value_name = "FILE")]
    pub db_tls_key: Option<String>,
    /// The folder of PostgreSQL's initdb and postgres (version 14 or newer) [default: pg_config --bindir, else
    /// the newest /usr/lib/postgresql/*/bin]
    #[arg(long, env = "SLUICE_POSTGRES_BIN", value_name = "DIR")]
    pub postgres_bin: Option<String>,
    /// max_connections of Sluice's own PostgreSQL (5 of them kept for Sluice) [default: 100]
    #[arg(long, env = "SLUICE_POSTGRES_MAX_CONNECTIONS", value_name = "N")]
    pub postgres_max_connections: Option<String>,
    /// MB of address space each process of Sluice's own PostgreSQL may take (its shared buffers, 128 MB,
    /// count in it): a session past it gets an out-of-memory error [default: 1024]
    #[arg(long, env = "SLUICE_POSTGRES_PROCESS_MEMORY", value_name = "MB")]
    pub postgres_process_memory: Option<String>,
    /// Seconds between readings of the workspaces' compute time and sizes (Usage and Billing; the storage
    /// limit) [default: 60]
    #[arg(long, env = "SLUICE_USAGE_INTERVAL", value_name = "SECONDS")]
    pub usage_interval: Option<String>,
    /// The address copied psql commands connect to (?hostaddr=) instead of resolving the workspace's DNS
    /// name; none leaves it out [default: SLUICE_DB_LISTEN's address when it is a loopback address]
    #[arg(long, env = "SLUICE_DB_HOSTADDR", value_name = "ADDRESS")]
    pub db_hostaddr: Option<String>,
    /// Seconds each workspace waits before taking a rotated password (to show propagation) [default: 0]
    #[arg(long, env = "SLUICE_PROPAGATION_DELAY", value_name = "SECONDS")]
    pub propagation_delay: Option<String>,
    /// PostgreSQL clusters for workspaces, separated by spaces: region=postgres://admin:…@host:5432/postgres;
    /// public=host:port (a role with CREATEDB and CREATEROLE; where people connect). A region may have
    /// several; regions without one use Sluice's own PostgreSQL [default: none]
    #[arg(long, env = "SLUICE_WORKSPACE_CLUSTERS", value_name = "LIST", hide_env_values = true)]
    pub workspace_clusters: Option<String>,
    /// Connections each person's role may hold open on a cluster [default: 20]
    #[arg(long, env = "SLUICE_CLUSTER_CONNECTION_LIMIT", value_name = "N")]
    pub cluster_connection_limit: Option<String>,
    /// Seconds a statement may run on a cluster (the role's statement_timeout) [default: 60]
    #[arg(long, env = "SLUICE_CLUSTER_STATEMENT_TIMEOUT", value_name = "SECONDS")]
    pub cluster_statement_timeout: Option<String>,
    /// MB of temporary files one session may write on a cluster (temp_file_limit) [default: 1024]
    #[arg(long, env = "SLUICE_CLUSTER_TEMP_FILE_LIMIT", value_name = "MB")]
    pub cluster_temp_file_limit: Option<String>,
    /// Seconds a session may sit idle inside a transaction on a cluster [default: 300]
    #[arg(long, env = "SLUICE_CLUSTER_IDLE_IN_TRANSACTION_TIMEOUT", value_name = "SECONDS")]
    pub cluster_idle_in_transaction_timeout: Option<String>,
    /// MB a workspace on a cluster may hold; past it the workspace is paused (closed to its owner) until it is
    /// below again [default: 1024]
    #[arg(long, env = "SLUICE_WORKSPACE_STORAGE_LIMIT", value_name = "MB")]
    pub workspace_storage_limit: Option<String>,
    /// Tests only: a file whose number of seconds moves forward the clock that "Confirm it is you" reads
    /// [default: the real clock]
    #[arg(long, env = "SLUICE_TEST_CLOCK_FILE", value_name = "FILE")]
    pub test_clock_file: Option<String>,
    /// The site settings file [default: Leptos.toml]
    #[arg(long, env = "SLUICE_LEPTOS_TOML", value_name = "FILE")]
    pub leptos_toml: Option<String>,
}

/// A setting's value; an empty one counts as unset.
pub fn set(value: &Option<String>) -> Option<String> {
    value.as_ref().filter(|v| !v.trim().is_empty()).cloned()
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
    /// defined here is in the table, with the default the help gives.
    #[test]
    fn the_readme_table_lists_every_setting_with_its_default() {
        let readme = include_str!("../../README.md");
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `SLUICE_")).collect();
        let command = Cli::command();
        let defined: Vec<(String, String)> = command
            .get_arguments()
            .filter_map(|a| {
                let env = a.get_env()?.to_string_lossy().into_owned();
                let help = a.get_help().map(ToString::to_string).unwrap_or_default();
                Some((env, help))
            })
            .collect();
        for (env, help) in &defined {
            let row = rows.iter().find(|r| r.contains(&format!("`{env}`")));
            let row = row.unwrap_or_else(|| panic!("the README's table lacks {env}"));
            if let Some(default) = help.split("[default: ").nth(1).and_then(|d| d.strip_suffix(']')) {
                let cell = row.split('|').nth(2).unwrap_or_default().replace('`', "");
                assert_eq!(cell.trim(), default, "{env}: the README's default differs from --help's");
            }
        }
        for row in rows {
            let env = row.split('`').nth(1).unwrap();
            assert!(defined.iter().any(|(e, _)| e == env), "{env} is in the README but not a setting");
        }
    }
}
