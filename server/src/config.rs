//! Reads the site's settings from Leptos.toml and the environment, checks
//! every value, and stops the start with a one-line error naming the
//! setting that is wrong.

use app::infra::secret::Secret;
use app::infra::settings::ClusterSpec;
use app::infra::vault::KEY_LEN;
use app::infra::Settings;
use leptos::config::{get_configuration, LeptosOptions};
use std::path::PathBuf;
use url::Url;

use crate::args::{set, SettingsArgs};

/// A setting that is wrong, said in one line.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

fn bad(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { name, problem: problem.into() }
}

pub struct Config {
    pub leptos: LeptosOptions,
    pub settings: Settings,
}

/// Reads a variable; an empty value counts as unset.
/// A setting that must be a positive whole number, if it is set.
fn positive(name: &'static str, value: &Option<String>) -> Result<Option<i64>, ConfigError> {
    set(value)
        .map(|raw| {
            raw.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad(name, format!("expected a positive whole number, got {raw:?}")))
        })
        .transpose()
}

/// `acme.example=acme,other.org=other`: a domain name, then a tenant handle.
fn parse_tenant_domains(raw: &str) -> Result<Vec<(String, String)>, ConfigError> {
    const NAME: &str = "SLUICE_TENANT_DOMAINS";
    raw.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (domain, tenant) =
                pair.split_once('=').ok_or_else(|| bad(NAME, format!("expected domain=tenant, got {pair:?}")))?;
            let domain = domain.trim().to_ascii_lowercase();
            let ok = domain.contains('.')
                && domain
                    .split('.')
                    .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            if !ok {
                return Err(bad(NAME, format!("not a domain name: {domain:?}")));
            }
            let tenant = shared::Handle::parse(tenant).map_err(|e| bad(NAME, format!("tenant {tenant:?}: {e}")))?;
            Ok((domain, tenant.to_string()))
        })
        .collect()
}

/// `region=postgres://…;public=host:port`, separated by spaces: a region
/// name, the cluster's administrative URL and where people connect.
fn parse_workspace_clusters(raw: &str) -> Result<Vec<ClusterSpec>, ConfigError> {
    const NAME: &str = "SLUICE_WORKSPACE_CLUSTERS";
    let mut clusters: Vec<ClusterSpec> = Vec::new();
    for entry in raw.split_whitespace() {
        let (region, rest) = entry
            .split_once('=')
            .ok_or_else(|| bad(NAME, "expected region=postgres://…;public=host:port for each cluster"))?;
        let region_ok = !region.is_empty()
            && region.len() <= 32
            && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(bad(NAME, format!("not a region name (lowercase letters, digits, -): {region:?}")));
        }
        let (url, public) = rest
            .split_once(";public=")
            .ok_or_else(|| bad(NAME, format!("{region}: expected postgres://…;public=host:port")))?;
        let parsed = Url::parse(url).map_err(|_| bad(NAME, format!("{region}: the cluster's URL does not parse")))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") || parsed.host_str().is_none() {
            return Err(bad(NAME, format!("{region}: expected a postgres://user:password@host:port/database URL")));
        }
        let (host, port) = match public.rsplit_once(':') {
            Some((host, port)) => {
                let port = port
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad(NAME, format!("{region}: public port {port:?} is not a port")))?;
                (host, port)
            }
            None => (public, 5432),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !host_ok {
            return Err(bad(NAME, format!("{region}: public host {host:?} is not a host name or address")));
        }
        let spec = ClusterSpec {
            region: region.to_owned(),
            admin_url: Secret::new(url.to_owned()),
            public_host: host.to_ascii_lowercase(),
            public_port: port,
            local: false,
            hostaddr: None,
        };
        if clusters.iter().any(|c| c.key() == spec.key()) {
            return Err(bad(NAME, format!("{} is named twice", spec.key())));
        }
        clusters.push(spec);
    }
    Ok(clusters)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Leptos's own errors do not name the variable; check the common ones first.
fn check_leptos_env() -> Result<(), ConfigError> {
    if let Some(addr) = var("LEPTOS_SITE_ADDR") {
        addr.parse::<std::net::SocketAddr>().map_err(|_| {
            bad("LEPTOS_SITE_ADDR", format!("expected an address such as 127.0.0.1:3000, got {addr:?}"))
        })?;
    }
    if let Some(port) = var("LEPTOS_RELOAD_PORT") {
        port.parse::<u16>().map_err(|_| bad("LEPTOS_RELOAD_PORT", format!("expected a port number, got {port:?}")))?;
    }
    if let Some(env) = var("LEPTOS_ENV") {
        if !matches!(env.to_ascii_lowercase().as_str(), "dev" | "development" | "prod" | "production") {
            return Err(bad("LEPTOS_ENV", format!("expected DEV or PROD, got {env:?}")));
        }
    }
    Ok(())
}

pub fn load(args: &SettingsArgs) -> Result<Config, ConfigError> {
    check_leptos_env()?;
    let file = set(&args.leptos_toml).unwrap_or_else(|| "Leptos.toml".into());
    let leptos = get_configuration(Some(&file))
        .map_err(|e| bad("SLUICE_LEPTOS_TOML", format!("cannot read {file}: {e}")))?
        .leptos_options;
    let settings = settings_from(args, &leptos)?;
    Ok(Config { leptos, settings })
}

pub fn settings_from(a: &SettingsArgs, leptos: &LeptosOptions) -> Result<Settings, ConfigError> {
    let data_dir = PathBuf::from(set(&a.data_dir).unwrap_or_else(|| "./data".into()));
    let public_url = match set(&a.public_url) {
        Some(raw) => parse_public_url(&raw)?,
        None => parse_public_url(&format!("http://{}", leptos.site_addr))?,
    };
    let mut settings = Settings::for_data_dir(data_dir, public_url);
    if let Some(url) = set(&a.database_url) {
        if app::infra::db::Engine::of_url(&url).is_none() {
            return Err(bad("SLUICE_DATABASE_URL", "expected sqlite://… or postgres://…"));
        }
        settings.database_url = Secret::new(url);
    }
    if let Some(url) = set(&a.smtp_url) {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(bad("SLUICE_SMTP_URL", "expected smtp://… or smtps://…"));
        }
        settings.smtp_url = Some(Secret::new(url));
    }
    if let Some(from) = set(&a.mail_from) {
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad("SLUICE_MAIL_FROM", "expected an address such as Sluice <no-reply@example.com>"));
        }
        settings.mail_from = from;
    }
    if let Some(domain) = set(&a.db_domain) {
        let ok = domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        if !ok {
            return Err(bad("SLUICE_DB_DOMAIN", format!("not a domain name: {domain:?}")));
        }
        settings.db_domain = domain;
    }
    settings.db_listen = parse_db_listen(set(&a.db_listen).as_deref())?;
    settings.db_hostaddr = parse_db_hostaddr(set(&a.db_hostaddr).as_deref(), settings.db_listen)?;
    settings.db_tls = parse_db_tls(set(&a.db_tls).as_deref(), set(&a.db_tls_cert), set(&a.db_tls_key))?;
    settings.postgres_bin = set(&a.postgres_bin).map(PathBuf::from);
    if let Some(n) = positive("SLUICE_POSTGRES_MAX_CONNECTIONS", &a.postgres_max_connections)? {
        if n < 20 {
            return Err(bad("SLUICE_POSTGRES_MAX_CONNECTIONS", "at least 20 (5 are kept for Sluice)"));
        }
        settings.postgres_max_connections = n.min(10_000) as u32;
    }
    if let Some(n) = positive("SLUICE_POSTGRES_PROCESS_MEMORY", &a.postgres_process_memory)? {
        if n < 512 {
            return Err(bad("SLUICE_POSTGRES_PROCESS_MEMORY", "at least 512 (MB; the shared buffers alone take 128)"));
        }
        settings.postgres_process_memory_mb = n.min(1 << 30) as u64;
    }
    if let Some(raw) = set(&a.tenant_domains) {
        settings.tenant_domains = parse_tenant_domains(&raw)?;
    }
    if let Some(raw) = set(&a.trusted_proxies) {
        settings.trusted_proxies =
            crate::proxy::parse_trusted(&raw).map_err(|problem| bad("SLUICE_TRUSTED_PROXIES", problem))?;
    }
    if let Some(n) = positive("SLUICE_HTTP_MAX_CONNECTIONS", &a.http_max_connections)? {
        settings.http_max_connections = n.min(1_000_000) as usize;
    }
    if let Some(n) = positive("SLUICE_HTTP_PER_ADDRESS", &a.http_per_address)? {
        settings.http_per_address = n.min(1_000_000) as usize;
    }
    if let Some(n) = positive("SLUICE_HTTP_HEADER_TIMEOUT", &a.http_header_timeout)? {
        settings.http_header_timeout = std::time::Duration::from_secs(n.min(3600) as u64);
    }
    if let Some(n) = positive("SLUICE_HTTP_BODY_TIMEOUT", &a.http_body_timeout)? {
        settings.http_body_timeout = std::time::Duration::from_secs(n.min(3600) as u64);
    }
    if let Some(n) = positive("SLUICE_USAGE_INTERVAL", &a.usage_interval)? {
        settings.usage_interval = std::time::Duration::from_secs(n.min(3600) as u64);
    }
    if let Some(n) = positive("SLUICE_DB_MAX_CONNECTIONS", &a.db_max_connections)? {
        settings.pool.max_connections = u32::try_from(n.min(1000)).unwrap_or(1000);
    }
    if let Some(n) = positive("SLUICE_DB_ACQUIRE_TIMEOUT", &a.db_acquire_timeout)? {
        settings.pool.acquire_timeout = std::time::Duration::from_secs(n.min(3600) as u64);
    }
    if let Some(n) = positive("SLUICE_DB_IDLE_TIMEOUT", &a.db_idle_timeout)? {
        settings.pool.idle_timeout = std::time::Duration::from_secs(n.min(86_400) as u64);
    }
    if let Some(n) = positive("SLUICE_SIGN_IN_PER_PEER", &a.sign_in_per_peer)? {
        settings.sign_in_per_peer = n;
    }
    if let Some(n) = positive("SLUICE_API_PER_MINUTE", &a.api_per_minute)? {
        settings.api_per_minute = n;
    }
    if let Some(raw) = set(&a.secret_key) {
        settings.secret_key = Some(parse_secret_key(&raw)?);
    } else if settings.secure_cookies() {
        return Err(bad(
            "SLUICE_SECRET_KEY",
            "required when SLUICE_PUBLIC_URL is https: 32 random bytes, base64 (openssl rand -base64 32)",
        ));
    }
    if let Some(raw) = set(&a.workspace_clusters) {
        settings.workspace_clusters = parse_workspace_clusters(&raw)?;
    }
    let limits = &mut settings.cluster_limits;
    if let Some(n) = positive("SLUICE_CLUSTER_CONNECTION_LIMIT", &a.cluster_connection_limit)? {
        limits.connections = n.min(10_000) as u32;
    }
    if let Some(n) = positive("SLUICE_CLUSTER_STATEMENT_TIMEOUT", &a.cluster_statement_timeout)? {
        limits.statement_timeout = std::time::Duration::from_secs(n.min(86_400) as u64);
    }
    if let Some(n) = positive("SLUICE_CLUSTER_TEMP_FILE_LIMIT", &a.cluster_temp_file_limit)? {
        limits.temp_file_limit_mb = n.min(1 << 30) as u64;
    }
    if let Some(file) = set(&a.test_clock_file) {
        settings.clock = app::infra::clock::Clock::shifted_by(PathBuf::from(file));
    }
    if let Some(n) = positive("SLUICE_CLUSTER_IDLE_IN_TRANSACTION_TIMEOUT", &a.cluster_idle_in_transaction_timeout)? {
        limits.idle_in_transaction_timeout = std::time::Duration::from_secs(n.min(86_400) as u64);
    }
    if let Some(n) = positive("SLUICE_WORKSPACE_STORAGE_LIMIT", &a.workspace_storage_limit)? {
        limits.storage_mb = n.min(1 << 30) as u64;
    }
    if let Some(raw) = set(&a.propagation_delay) {
        let secs = raw.parse::<u64>().ok().filter(|s| *s <= 3600).ok_or_else(|| {
            bad("SLUICE_PROPAGATION_DELAY", format!("expected whole seconds from 0 to 3600, got {raw:?}"))
        })?;
        settings.propagation_delay = std::time::Duration::from_secs(secs);
    }
    Ok(settings)
}

/// Where Sluice's own PostgreSQL listens: loopback port 9193 unless set;
/// `off`: it does not run.
fn parse_db_listen(raw: Option<&str>) -> Result<Option<std::net::SocketAddr>, ConfigError> {
    match raw {
        None => Ok(Some(std::net::SocketAddr::from(([127, 0, 0, 1], shared::DEFAULT_DB_PORT)))),
        Some("off") => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| {
            bad("SLUICE_DB_LISTEN", format!("expected an address such as 127.0.0.1:9193, or off; got {raw:?}"))
        }),
    }
}

/// TLS on Sluice's own PostgreSQL: on unless `off`; with a certificate and
/// key when both are given, else one made at the first start.
fn parse_db_tls(
    raw: Option<&str>,
    certificate: Option<String>,
    key: Option<String>,
) -> Result<app::infra::settings::DbTls, ConfigError> {
    use app::infra::settings::DbTls;
    match raw {
        None | Some("on") => {}
        Some("off") if certificate.is_none() && key.is_none() => return Ok(DbTls::Off),
        Some("off") => {
            return Err(bad("SLUICE_DB_TLS", "off, yet SLUICE_DB_TLS_CERT or SLUICE_DB_TLS_KEY is set"));
        }
        Some(raw) => return Err(bad("SLUICE_DB_TLS", format!("expected on or off; got {raw:?}"))),
    }
    match (certificate, key) {
        (None, None) => Ok(DbTls::SelfSigned),
        (Some(c), Some(k)) => Ok(DbTls::Files { certificate: c.into(), key: k.into() }),
        (Some(_), None) => Err(bad("SLUICE_DB_TLS_KEY", "SLUICE_DB_TLS_CERT is set: give its private key too")),
        (None, Some(_)) => Err(bad("SLUICE_DB_TLS_CERT", "SLUICE_DB_TLS_KEY is set: give its certificate too")),
    }
}

/// Where copied psql commands connect: SLUICE_DB_LISTEN's address when it
/// is a loopback one (workspace DNS names do not resolve there); `none`
/// leaves it out.
fn parse_db_hostaddr(
    raw: Option<&str>,
    listen: Option<std::net::SocketAddr>,
) -> Result<Option<std::net::IpAddr>, ConfigError> {
    match raw {
        None => Ok(listen.map(|a| a.ip()).filter(|ip| ip.is_loopback())),
        Some("none") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| bad("SLUICE_DB_HOSTADDR", format!("expected an IP address, or none; got {raw:?}"))),
    }
}

/// Base64 (standard or URL-safe) of exactly 32 bytes. The value is never
/// repeated in the error.
fn parse_secret_key(raw: &str) -> Result<Secret<[u8; KEY_LEN]>, ConfigError> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')))
        .map_err(|_| bad("SLUICE_SECRET_KEY", "not base64"))?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice())
        .map(Secret::new)
        .map_err(|_| bad("SLUICE_SECRET_KEY", format!("expected {KEY_LEN} bytes, got {}", bytes.len())))
}

/// https anywhere; plain http only for loopback development.
fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    const NAME: &str = "SLUICE_PUBLIC_URL";
    let url = Url::parse(raw).map_err(|e| bad(NAME, format!("not a URL ({e}): {raw:?}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad(NAME, "must be https unless the host is localhost")),
        other => return Err(bad(NAME, format!("expected http(s), got {other}:"))),
    }
    if url.path() != "/" || url.query().is_some() {
        return Err(bad(NAME, "give the origin only, e.g. https://sluice.example.com"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_rules() {
        assert!(parse_public_url("https://sluice.example.com").is_ok());
        assert!(parse_public_url("http://127.0.0.1:3000").is_ok());
        assert!(parse_public_url("http://localhost:3000").is_ok());
        assert_eq!(parse_public_url("http://sluice.example.com").unwrap_err().name, "SLUICE_PUBLIC_URL");
        assert!(parse_public_url("ftp://x").is_err());
        assert!(parse_public_url("https://x.example/sub").is_err());
        assert!(parse_public_url("nonsense").is_err());
    }

    #[test]
    fn workspace_database_rules() {
        let default = parse_db_listen(None).unwrap().unwrap();
        assert_eq!(default.to_string(), "127.0.0.1:9193");
        assert_eq!(parse_db_listen(Some("off")).unwrap(), None);
        use app::infra::settings::DbTls;
        assert_eq!(parse_db_tls(None, None, None).unwrap(), DbTls::SelfSigned);
        assert_eq!(parse_db_tls(Some("off"), None, None).unwrap(), DbTls::Off);
        assert_eq!(
            parse_db_tls(Some("on"), Some("c.pem".into()), Some("k.pem".into())).unwrap(),
            DbTls::Files { certificate: "c.pem".into(), key: "k.pem".into() }
        );
        assert_eq!(parse_db_tls(None, Some("c.pem".into()), None).unwrap_err().name, "SLUICE_DB_TLS_KEY");
        assert_eq!(parse_db_tls(Some("maybe"), None, None).unwrap_err().name, "SLUICE_DB_TLS");
        assert_eq!(parse_db_tls(Some("off"), Some("c.pem".into()), None).unwrap_err().name, "SLUICE_DB_TLS");
        assert_eq!(parse_db_listen(Some("0.0.0.0:5432")).unwrap().unwrap().port(), 5432);
        assert_eq!(parse_db_listen(Some("localhost")).unwrap_err().name, "SLUICE_DB_LISTEN");
        // psql commands carry hostaddr= only where names cannot resolve.
        assert_eq!(parse_db_hostaddr(None, Some(default)).unwrap().unwrap().to_string(), "127.0.0.1");
        assert_eq!(parse_db_hostaddr(None, parse_db_listen(Some("0.0.0.0:9193")).unwrap()).unwrap(), None);
        assert_eq!(parse_db_hostaddr(None, None).unwrap(), None);
        assert_eq!(parse_db_hostaddr(Some("none"), Some(default)).unwrap(), None);
        assert_eq!(parse_db_hostaddr(Some("10.0.0.5"), None).unwrap().unwrap().to_string(), "10.0.0.5");
        assert_eq!(parse_db_hostaddr(Some("db.example"), None).unwrap_err().name, "SLUICE_DB_HOSTADDR");
    }

    #[test]
    fn workspace_cluster_rules() {
        let clusters = parse_workspace_clusters(
            " us-east-1=postgres://sluice_admin:p%40ss@10.0.1.5:5432/postgres;public=DB-use1.example.com:6432\n\
             eu-west-1=postgresql://a:b@10.0.2.5/postgres;public=db-euw1.example.com ",
        )
        .unwrap();
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].region, "us-east-1");
        assert_eq!(clusters[0].key(), "db-use1.example.com:6432");
        assert_eq!(clusters[0].admin_url.expose(), "postgres://sluice_admin:p%40ss@10.0.1.5:5432/postgres");
        assert_eq!(clusters[1].key(), "db-euw1.example.com:5432");
        assert!(parse_workspace_clusters("").unwrap().is_empty());
        for bad in [
            "us-east-1",
            "US=postgres://a@h/p;public=h:1",
            "r=mysql://a@h/p;public=h:1",
            "r=postgres://a@h/p",
            "r=postgres://a@h/p;public=h:0",
            "r=postgres://a@h/p;public=h:x",
            "r=postgres://a@h/p;public=h/x:5432",
            "r=postgres://a@h/p;public=h:1 s=postgres://a@h/p;public=h:1",
        ] {
            let e = parse_workspace_clusters(bad).unwrap_err();
            assert_eq!(e.name, "SLUICE_WORKSPACE_CLUSTERS", "{bad}");
            assert!(!e.to_string().contains("p%40ss"), "{e}");
        }
    }

    #[test]
    fn tenant_domain_rules() {
        assert_eq!(
            parse_tenant_domains(" Acme.Example=acme , other.org=other-co,").unwrap(),
            [("acme.example".to_owned(), "acme".to_owned()), ("other.org".to_owned(), "other-co".to_owned())]
        );
        for bad in ["acme.example", "acme=acme", "acme.example=Acme Co", "a..b=acme", "acme.example=admin"] {
            assert_eq!(parse_tenant_domains(bad).unwrap_err().name, "SLUICE_TENANT_DOMAINS", "{bad}");
        }
    }

    #[test]
    fn secret_key_rules() {
        let key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        assert_eq!(parse_secret_key(key).unwrap().expose().len(), 32);
        let short = parse_secret_key("c2hvcnQ=").unwrap_err();
        assert_eq!(short.name, "SLUICE_SECRET_KEY");
        assert!(short.problem.contains("32 bytes"));
        let bad_b64 = parse_secret_key("not base64 at all!").unwrap_err();
        assert!(!bad_b64.to_string().contains("at all"));
    }
}
