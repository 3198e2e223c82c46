//! TLS on the workspace endpoint. A client that asks for it (`sslmode=
//! require`, or libpq's default `prefer`) gets it; one that does not is
//! still served in the clear, as PostgreSQL does without `hostssl` rules.
//!
//! The certificate is the one configured (`SLUICE_DB_TLS_CERT` and
//! `SLUICE_DB_TLS_KEY`, PEM), else one made at the first start and kept in
//! the data dir, so that it stays the same across restarts and across
//! processes sharing the data dir.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

use app::infra::settings::DbTls;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("SLUICE_DB_TLS_CERT: cannot read a PEM certificate from {path}: {problem}")]
    Certificate { path: PathBuf, problem: String },
    #[error("SLUICE_DB_TLS_KEY: cannot read a PEM private key from {path}: {problem}")]
    Key { path: PathBuf, problem: String },
    #[error("SLUICE_DB_TLS_KEY: the key does not go with the certificate: {0}")]
    Mismatch(String),
    #[error("cannot keep the workspace endpoint's certificate in {path}: {source}")]
    Store { path: PathBuf, source: std::io::Error },
    #[error("cannot make a certificate for the workspace endpoint: {0}")]
    Generate(#[from] rcgen::Error),
}

/// Where the certificate made at first start is kept.
pub fn self_signed_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("endpoint-tls");
    (dir.join("certificate.pem"), dir.join("key.pem"))
}

/// The acceptor for the endpoint's TLS, or `None` when TLS is off.
/// Blocking (it may read and write files): called once at start.
pub fn acceptor(tls: &DbTls, data_dir: &Path, db_domain: &str) -> Result<Option<TlsAcceptor>, TlsError> {
    let (cert, key) = match tls {
        DbTls::Off => return Ok(None),
        DbTls::Files { certificate, key } => (certificate.clone(), key.clone()),
        DbTls::SelfSigned => {
            let (cert, key) = self_signed_paths(data_dir);
            if !cert.exists() || !key.exists() {
                make_self_signed(&cert, &key, db_domain)?;
            }
            (cert, key)
        }
    };
    let chain = CertificateDer::pem_file_iter(&cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate { path: cert.clone(), problem: e.to_string() })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate { path: cert, problem: "no CERTIFICATE block".into() });
    }
    let private =
        PrivateKeyDer::from_pem_file(&key).map_err(|e| TlsError::Key { path: key, problem: e.to_string() })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| TlsError::Mismatch(e.to_string()))?;
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}

/// Makes a certificate for the workspaces' names (`*.{region}.db.{domain}`:
/// a wildcard covers one label) and
/// keeps it with its key, the key readable by this user only. Written to
/// temporary names and renamed, so a process that starts at the same
/// moment reads a whole pair.
fn make_self_signed(cert: &Path, key: &Path, db_domain: &str) -> Result<(), TlsError> {
    let region = app::workspaces::ssr::DEFAULT_REGION;
    let names = vec![format!("*.{region}.db.{db_domain}"), "localhost".to_owned()];
    let made = rcgen::generate_simple_self_signed(names)?;
    let dir = cert.parent().unwrap_or(Path::new("."));
    let store = |source| TlsError::Store { path: dir.to_owned(), source };
    std::fs::create_dir_all(dir).map_err(store)?;
    let suffix = format!(".{}.tmp", std::process::id());
    let key_tmp = with_suffix(key, &suffix);
    let cert_tmp = with_suffix(cert, &suffix);
    write_private(&key_tmp, made.signing_key.serialize_pem().as_bytes()).map_err(store)?;
    std::fs::write(&cert_tmp, made.cert.pem()).map_err(store)?;
    if cert.exists() && key.exists() {
        // Another process made its pair first: use that one.
        let _ = std::fs::remove_file(&key_tmp);
        let _ = std::fs::remove_file(&cert_tmp);
        return Ok(());
    }
    std::fs::rename(&key_tmp, key).map_err(store)?;
    std::fs::rename(&cert_tmp, cert).map_err(store)?;
    tracing::info!(certificate = %cert.display(), "workspace endpoint: made a self-signed certificate");
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("sluice-tls-{}", rand::random::<u64>()));
        assert!(acceptor(&DbTls::Off, &dir, "sluice.localhost").unwrap().is_none());
        assert!(acceptor(&DbTls::SelfSigned, &dir, "sluice.localhost").unwrap().is_some());
        let (cert, key) = self_signed_paths(&dir);
        let first = std::fs::read(&cert).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(acceptor(&DbTls::SelfSigned, &dir, "sluice.localhost").unwrap().is_some());
        assert_eq!(std::fs::read(&cert).unwrap(), first, "the kept certificate is reused");
        // A configured pair is read as given; a key of another pair is refused.
        let other = dir.join("other");
        make_self_signed(&other.join("c.pem"), &other.join("k.pem"), "example.com").unwrap();
        let files = DbTls::Files { certificate: cert.clone(), key: key.clone() };
        assert!(acceptor(&files, &dir, "x").unwrap().is_some());
        let mixed = DbTls::Files { certificate: cert, key: other.join("k.pem") };
        assert!(matches!(acceptor(&mixed, &dir, "x"), Err(TlsError::Mismatch(_))));
        let missing = DbTls::Files { certificate: dir.join("nope.pem"), key };
        assert!(matches!(acceptor(&missing, &dir, "x"), Err(TlsError::Certificate { .. })));
        let _ = std::fs::remove_dir_all(dir);
    }
}
