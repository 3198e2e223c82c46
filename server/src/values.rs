//! Each setting's value parsed into its type, with a message that says
//! what was expected: clap calls these (`args`), and names the setting.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use app::infra::secret::Secret;
use app::infra::settings::ClusterSpec;
use app::infra::vault::KEY_LEN;
use clap::builder::TypedValueParser;
use ipnet::IpNet;
use url::Url;

/// A setting that holds several values, given as one.
#[derive(Debug, Clone)]
pub struct List<T>(pub Vec<T>);

/// Whole seconds from `min` to `max`.
pub fn seconds(min: u64, max: u64) -> impl TypedValueParser<Value = Duration> {
    clap::value_parser!(u64).range(min..=max).map(Duration::from_secs)
}

/// A count from 1 to `max`.
pub fn count(max: u32) -> impl TypedValueParser<Value = usize> {
    clap::value_parser!(u32).range(1..=i64::from(max)).map(|n| n as usize)
}

pub fn on_off(raw: &str) -> Result<bool, String> {
    match raw {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("expected on or off".to_owned()),
    }
}

pub fn database_url(raw: &str) -> Result<Secret<String>, String> {
    match app::infra::db::Engine::of_url(raw) {
        Some(_) => Ok(Secret::new(raw.to_owned())),
        None => Err("expected sqlite://… or postgres://…".to_owned()),
    }
}

pub fn smtp_url(raw: &str) -> Result<Secret<String>, String> {
    if raw.starts_with("smtp://") || raw.starts_with("smtps://") {
        Ok(Secret::new(raw.to_owned()))
    } else {
        Err("expected smtp://… or smtps://…".to_owned())
    }
}

pub fn mailbox(raw: &str) -> Result<String, String> {
    match raw.parse::<lettre::message::Mailbox>() {
        Ok(_) => Ok(raw.to_owned()),
        Err(_) => Err("expected an address such as Sluice <no-reply@example.com>".to_owned()),
    }
}

pub fn domain(raw: &str) -> Result<String, String> {
    let ok = raw.split('.').all(|l| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if ok {
        Ok(raw.to_owned())
    } else {
        Err("not a domain name (lowercase letters, digits, -, dots)".to_owned())
    }
}

pub fn trusted_proxies(raw: &str) -> Result<List<IpNet>, String> {
    crate::proxy::parse_trusted(raw).map(List)
}

/// Where Sluice's own PostgreSQL listens; `None`: it does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

pub fn db_listen(raw: &str) -> Result<Listen, String> {
    match raw {
        "off" => Ok(Listen(None)),
        raw => raw
            .parse()
            .map(|a| Listen(Some(a)))
            .map_err(|_| "expected an address such as 127.0.0.1:9193, or off".to_owned()),
    }
}

/// The address copied psql commands connect to, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostAddr {
    None,
    Ip(IpAddr),
}

pub fn hostaddr(raw: &str) -> Result<HostAddr, String> {
    match raw {
        "none" => Ok(HostAddr::None),
        raw => raw.parse().map(HostAddr::Ip).map_err(|_| "expected an IP address, or none".to_owned()),
    }
}

/// `acme.example=acme,other.org=other`: a domain name, then a tenant handle.
pub fn tenant_domains(raw: &str) -> Result<List<(String, String)>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (domain, tenant) =
                pair.split_once('=').ok_or_else(|| format!("expected domain=tenant, got {pair:?}"))?;
            let domain = domain.trim().to_ascii_lowercase();
            let ok = domain.contains('.')
                && domain
                    .split('.')
                    .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            if !ok {
                return Err(format!("not a domain name: {domain:?}"));
            }
            let tenant = shared::Handle::parse(tenant).map_err(|e| format!("tenant {tenant:?}: {e}"))?;
            Ok((domain, tenant.to_string()))
        })
        .collect::<Result<_, _>>()
        .map(List)
}

/// `region=postgres://…;public=host:port`, separated by spaces: a region
/// name, the cluster's administrative URL and where people connect.
pub fn workspace_clusters(raw: &str) -> Result<List<ClusterSpec>, String> {
    let mut clusters: Vec<ClusterSpec> = Vec::new();
    for entry in raw.split_whitespace() {
        let (region, rest) = entry
            .split_once('=')
            .ok_or_else(|| "expected region=postgres://…;public=host:port for each cluster".to_owned())?;
        let region_ok = !region.is_empty()
            && region.len() <= 32
            && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(format!("not a region name (lowercase letters, digits, -): {region:?}"));
        }
        let (url, public) =
            rest.split_once(";public=").ok_or_else(|| format!("{region}: expected postgres://…;public=host:port"))?;
        let parsed = Url::parse(url).map_err(|_| format!("{region}: the cluster's URL does not parse"))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") || parsed.host_str().is_none() {
            return Err(format!("{region}: expected a postgres://user:password@host:port/database URL"));
        }
        let (host, port) = match public.rsplit_once(':') {
            Some((host, port)) => {
                let port = port
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("{region}: public port {port:?} is not a port"))?;
                (host, port)
            }
            None => (public, 5432),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !host_ok {
            return Err(format!("{region}: public host {host:?} is not a host name or address"));
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
            return Err(format!("{} is named twice", spec.key()));
        }
        clusters.push(spec);
    }
    Ok(List(clusters))
}

/// Base64 (standard or URL-safe) of exactly 32 bytes. The value is never
/// repeated in the error.
pub fn secret_key(raw: &str) -> Result<Secret<[u8; KEY_LEN]>, String> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')))
        .map_err(|_| "not base64".to_owned())?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice())
        .map(Secret::new)
        .map_err(|_| format!("expected {KEY_LEN} bytes, got {}", bytes.len()))
}

/// https anywhere; plain http only for loopback development.
pub fn public_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL ({e}): {raw:?}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("must be https unless the host is localhost".to_owned()),
        other => return Err(format!("expected http(s), got {other}:")),
    }
    if url.path() != "/" || url.query().is_some() {
        return Err("give the origin only, e.g. https://sluice.example.com".to_owned());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_rules() {
        assert!(public_url("https://sluice.example.com").is_ok());
        assert!(public_url("http://127.0.0.1:3000").is_ok());
        assert!(public_url("http://localhost:3000").is_ok());
        assert!(public_url("http://sluice.example.com").unwrap_err().contains("https"));
        assert!(public_url("ftp://x").is_err());
        assert!(public_url("https://x.example/sub").is_err());
        assert!(public_url("nonsense").is_err());
    }

    #[test]
    fn workspace_cluster_rules() {
        let clusters = workspace_clusters(
            " us-east-1=postgres://sluice_admin:p%40ss@10.0.1.5:5432/postgres;public=DB-use1.example.com:6432\n\
             eu-west-1=postgresql://a:b@10.0.2.5/postgres;public=db-euw1.example.com ",
        )
        .unwrap()
        .0;
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].region, "us-east-1");
        assert_eq!(clusters[0].key(), "db-use1.example.com:6432");
        assert_eq!(clusters[0].admin_url.expose(), "postgres://sluice_admin:p%40ss@10.0.1.5:5432/postgres");
        assert_eq!(clusters[1].key(), "db-euw1.example.com:5432");
        assert!(workspace_clusters("").unwrap().0.is_empty());
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
            let e = workspace_clusters(bad).unwrap_err();
            assert!(!e.contains("p%40ss"), "{e}");
        }
    }

    #[test]
    fn tenant_domain_rules() {
        assert_eq!(
            tenant_domains(" Acme.Example=acme , other.org=other-co,").unwrap().0,
            [("acme.example".to_owned(), "acme".to_owned()), ("other.org".to_owned(), "other-co".to_owned())]
        );
        for bad in ["acme.example", "acme=acme", "acme.example=Acme Co", "a..b=acme", "acme.example=admin"] {
            assert!(tenant_domains(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_key_rules() {
        let key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        assert_eq!(secret_key(key).unwrap().expose().len(), 32);
        assert!(secret_key("c2hvcnQ=").unwrap_err().contains("32 bytes"));
        assert!(!secret_key("not base64 at all!").unwrap_err().contains("at all"));
    }

    #[test]
    fn listen_and_hostaddr_rules() {
        assert_eq!(db_listen("off").unwrap(), Listen(None));
        assert_eq!(db_listen("0.0.0.0:5432").unwrap().0.unwrap().port(), 5432);
        assert!(db_listen("localhost").is_err());
        assert_eq!(hostaddr("none").unwrap(), HostAddr::None);
        assert_eq!(hostaddr("10.0.0.5").unwrap(), HostAddr::Ip("10.0.0.5".parse().unwrap()));
        assert!(hostaddr("db.example").is_err());
        assert!(on_off("on").unwrap() && !on_off("off").unwrap() && on_off("maybe").is_err());
    }
}
