//! Reads the site's settings from Leptos.toml, and applies the rules
//! between settings (each value on its own is parsed in `args`); stops the
//! start with a one-line error naming the setting that is wrong.

use app::infra::settings::DbTls;
use app::infra::Settings;
use leptos::config::{get_configuration, LeptosOptions};
use std::path::PathBuf;
use url::Url;

use crate::args::SettingsArgs;
use crate::values::{self, HostAddr};

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
    let file = &args.leptos_toml;
    let leptos = get_configuration(Some(&file.to_string_lossy()))
        .map_err(|e| bad("SLUICE_LEPTOS_TOML", format!("cannot read {}: {e}", file.display())))?
        .leptos_options;
    let settings = settings_from(args.clone(), &leptos)?;
    Ok(Config { leptos, settings })
}

/// The settings, with the rules between them: defaults that come from
/// other settings, and values that only go together.
pub fn settings_from(args: SettingsArgs, leptos: &LeptosOptions) -> Result<Settings, ConfigError> {
    let public_url = match &args.public_url {
        Some(url) => url.clone(),
        None => values::public_url(&format!("http://{}", leptos.site_addr)).map_err(|p| bad("SLUICE_PUBLIC_URL", p))?,
    };
    let hostaddr = args.db_hostaddr;
    let tls = (args.db_tls, args.db_tls_cert.clone(), args.db_tls_key.clone());
    let mut settings = args.into_settings(public_url);
    // psql commands carry hostaddr= where workspace DNS names cannot
    // resolve: at a loopback listen address.
    settings.db_hostaddr = match hostaddr {
        None => settings.db_listen.map(|a| a.ip()).filter(|ip| ip.is_loopback()),
        Some(HostAddr::None) => None,
        Some(HostAddr::Ip(ip)) => Some(ip),
    };
    settings.db_tls = db_tls(tls.0, tls.1, tls.2)?;
    if settings.secret_key.is_none() && settings.secure_cookies() {
        return Err(bad(
            "SLUICE_SECRET_KEY",
            "required when SLUICE_PUBLIC_URL is https: 32 random bytes, base64 (openssl rand -base64 32)",
        ));
    }
    if settings.postgres_process_memory_mb < settings.postgres_shared_buffers_mb + 384 {
        return Err(bad(
            "SLUICE_POSTGRES_PROCESS_MEMORY",
            format!(
                "at least SLUICE_POSTGRES_SHARED_BUFFERS + 384 MB ({} MB): every process maps the shared buffers",
                settings.postgres_shared_buffers_mb + 384
            ),
        ));
    }
    Ok(settings)
}

/// The settings of a test or a benchmark: every default, data under
/// `data_dir`, reached at `public_url`.
pub fn settings_for(data_dir: PathBuf, public_url: Url) -> Settings {
    let mut args = SettingsArgs::defaults();
    args.data_dir = data_dir;
    let mut settings = args.into_settings(public_url);
    settings.db_listen = None;
    settings
}

/// TLS on Sluice's own PostgreSQL: on unless off; with a certificate and
/// key when both are given, else one made at the first start.
fn db_tls(on: bool, certificate: Option<PathBuf>, key: Option<PathBuf>) -> Result<DbTls, ConfigError> {
    match (on, certificate, key) {
        (false, None, None) => Ok(DbTls::Off),
        (false, _, _) => Err(bad("SLUICE_DB_TLS", "off, yet SLUICE_DB_TLS_CERT or SLUICE_DB_TLS_KEY is set")),
        (true, None, None) => Ok(DbTls::SelfSigned),
        (true, Some(certificate), Some(key)) => Ok(DbTls::Files { certificate, key }),
        (true, Some(_), None) => Err(bad("SLUICE_DB_TLS_KEY", "SLUICE_DB_TLS_CERT is set: give its private key too")),
        (true, None, Some(_)) => Err(bad("SLUICE_DB_TLS_CERT", "SLUICE_DB_TLS_KEY is set: give its certificate too")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leptos() -> LeptosOptions {
        LeptosOptions::builder().output_name("sluice").site_addr(([127, 0, 0, 1], 3000)).build()
    }

    #[test]
    fn defaults_that_come_from_other_settings() {
        let settings = settings_from(SettingsArgs::defaults(), &leptos()).unwrap();
        assert_eq!(settings.public_origin(), "http://127.0.0.1:3000");
        assert_eq!(settings.db_listen.unwrap().to_string(), "127.0.0.1:9193");
        // psql commands carry hostaddr= only where names cannot resolve.
        assert_eq!(settings.db_hostaddr.unwrap().to_string(), "127.0.0.1");
        let mut args = SettingsArgs::defaults();
        args.db_listen = values::Listen(Some("0.0.0.0:9193".parse().unwrap()));
        assert_eq!(settings_from(args.clone(), &leptos()).unwrap().db_hostaddr, None);
        args.db_hostaddr = Some(HostAddr::Ip("10.0.0.5".parse().unwrap()));
        assert_eq!(settings_from(args.clone(), &leptos()).unwrap().db_hostaddr.unwrap().to_string(), "10.0.0.5");
        let mut args = SettingsArgs::defaults();
        args.db_hostaddr = Some(HostAddr::None);
        assert_eq!(settings_from(args, &leptos()).unwrap().db_hostaddr, None);
    }

    #[test]
    fn values_that_only_go_together() {
        assert_eq!(db_tls(true, None, None).unwrap(), DbTls::SelfSigned);
        assert_eq!(db_tls(false, None, None).unwrap(), DbTls::Off);
        assert_eq!(
            db_tls(true, Some("c.pem".into()), Some("k.pem".into())).unwrap(),
            DbTls::Files { certificate: "c.pem".into(), key: "k.pem".into() }
        );
        assert_eq!(db_tls(true, Some("c.pem".into()), None).unwrap_err().name, "SLUICE_DB_TLS_KEY");
        assert_eq!(db_tls(false, Some("c.pem".into()), None).unwrap_err().name, "SLUICE_DB_TLS");
        let mut args = SettingsArgs::defaults();
        args.public_url = Some("https://sluice.example.com".parse().unwrap());
        assert_eq!(settings_from(args, &leptos()).unwrap_err().name, "SLUICE_SECRET_KEY");
        let mut args = SettingsArgs::defaults();
        args.postgres_shared_buffers = 1024;
        let error = settings_from(args.clone(), &leptos()).unwrap_err();
        assert_eq!(error.name, "SLUICE_POSTGRES_PROCESS_MEMORY");
        assert!(error.problem.contains("1408 MB"), "{error}");
        args.postgres_process_memory = 1408;
        assert_eq!(settings_from(args, &leptos()).unwrap().postgres_shared_buffers_mb, 1024);
    }
}
