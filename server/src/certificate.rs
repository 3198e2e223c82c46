//! The workspace databases' TLS certificate: the one configured
//! (`SLUICE_DB_TLS_CERT` and `SLUICE_DB_TLS_KEY`, PEM), else one made at
//! the first start and kept in the data dir, so that it stays the same
//! across restarts and across processes sharing the data dir.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("cannot keep the workspace databases' certificate in {path}: {source}")]
    Store { path: PathBuf, source: std::io::Error },
    #[error("cannot make a certificate for the workspace databases: {0}")]
    Generate(#[from] rcgen::Error),
}

/// Where the certificate made at first start is kept (the folder's name
/// is the one earlier releases used, so a certificate people trust stays).
pub fn self_signed_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("endpoint-tls");
    (dir.join("certificate.pem"), dir.join("key.pem"))
}

/// Makes the pair unless both files are there.
pub fn ensure(cert: &Path, key: &Path, db_domain: &str) -> Result<(), CertificateError> {
    if cert.exists() && key.exists() {
        return Ok(());
    }
    make_self_signed(cert, key, db_domain)
}

/// Makes a certificate for the workspaces' names (`*.{region}.db.{domain}`:
/// a wildcard covers one label) and keeps it with its key, the key
/// readable by this user only. Written to temporary names and renamed, so
/// a process that starts at the same moment reads a whole pair.
fn make_self_signed(cert: &Path, key: &Path, db_domain: &str) -> Result<(), CertificateError> {
    let region = app::infra::workspace_storage::DEFAULT_REGION;
    let names = vec![format!("*.{region}.db.{db_domain}"), "localhost".to_owned()];
    let made = rcgen::generate_simple_self_signed(names)?;
    let dir = cert.parent().unwrap_or(Path::new("."));
    let store = |source| CertificateError::Store { path: dir.to_owned(), source };
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
    tracing::info!(certificate = %cert.display(), "made a self-signed certificate for the workspace databases");
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_made_once_and_kept_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("sluice-tls-{}", rand::random::<u64>()));
        let (cert, key) = self_signed_paths(&dir);
        ensure(&cert, &key, "sluice.localhost").unwrap();
        let first = std::fs::read(&cert).unwrap();
        assert!(String::from_utf8_lossy(&first).starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        ensure(&cert, &key, "sluice.localhost").unwrap();
        assert_eq!(std::fs::read(&cert).unwrap(), first, "the kept certificate is reused");
        let _ = std::fs::remove_dir_all(dir);
    }
}
