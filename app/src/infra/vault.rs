//! Encryption at rest for the one secret Sluice must be able to read back:
//! the database password. XChaCha20-Poly1305 under a 256-bit key from the
//! environment, with the owner's user id as associated data, so a sealed
//! value copied onto another account does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use std::path::Path;
use std::sync::Arc;

use super::secret::Secret;

const NONCE_LEN: usize = 24;
pub const KEY_LEN: usize = 32;
/// The key file dev mode keeps in the data dir.
pub const KEY_FILE: &str = "secret.key";

#[derive(Clone)]
pub struct Vault {
    cipher: Arc<XChaCha20Poly1305>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([redacted])")
    }
}

/// A sealed value that does not open: wrong key, wrong owner, or damage.
#[derive(Debug, thiserror::Error)]
#[error("the sealed value does not open with this key and owner")]
pub struct Unsealable;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("SLUICE_SECRET_KEY is not set, and the key file {path} cannot be used: {problem}")]
    File { path: String, problem: String },
}

impl Vault {
    pub fn new(key: &Secret<[u8; KEY_LEN]>) -> Self {
        Self { cipher: Arc::new(XChaCha20Poly1305::new(key.expose().into())) }
    }

    /// Development: the key in `data_dir/secret.key`, made on first use
    /// (readable by its owner only).
    pub fn from_key_file(data_dir: &Path) -> Result<Self, KeyFileError> {
        let path = data_dir.join(KEY_FILE);
        let fail = |problem: String| KeyFileError::File { path: path.display().to_string(), problem };
        let key = match std::fs::read(&path) {
            Ok(bytes) => <[u8; KEY_LEN]>::try_from(bytes.as_slice())
                .map_err(|_| fail(format!("expected {KEY_LEN} bytes, found {}", bytes.len())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                OsRng.fill_bytes(&mut key);
                std::fs::create_dir_all(data_dir).map_err(|e| fail(e.to_string()))?;
                write_private(&path, &key).map_err(|e| fail(e.to_string()))?;
                key
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        Ok(Self::new(&Secret::new(key)))
    }

    /// `nonce || ciphertext || tag`, bound to `owner`.
    pub fn seal(&self, owner: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: owner.as_bytes() })
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, owner: &str, sealed: &[u8]) -> Result<Secret<Vec<u8>>, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: owner.as_bytes() })
            .map(Secret::new)
            .map_err(|_| Unsealable)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(&Secret::new([byte; KEY_LEN]))
    }

    #[test]
    fn opens_only_with_the_same_key_and_owner() {
        let v = vault(1);
        let sealed = v.seal("u_aaaaaaaaaaaaaaaaaaaa", b"hunter2");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(v.open("u_aaaaaaaaaaaaaaaaaaaa", &sealed).unwrap().expose(), b"hunter2");
        assert!(v.open("u_bbbbbbbbbbbbbbbbbbbb", &sealed).is_err());
        assert!(vault(2).open("u_aaaaaaaaaaaaaaaaaaaa", &sealed).is_err());
        let mut damaged = sealed.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert!(v.open("u_aaaaaaaaaaaaaaaaaaaa", &damaged).is_err());
        assert!(v.open("u_aaaaaaaaaaaaaaaaaaaa", &sealed[..10]).is_err());
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let v = vault(1);
        assert_ne!(v.seal("u", b"x"), v.seal("u", b"x"));
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("sluice-vault-{}", super::super::ids::new_secret()));
        let a = Vault::from_key_file(&dir).unwrap();
        let sealed = a.seal("u", b"x");
        let b = Vault::from_key_file(&dir).unwrap();
        assert_eq!(b.open("u", &sealed).unwrap().expose(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
