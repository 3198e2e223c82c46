//! Ids in the spec's format and secrets for links, sessions and tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use shared::token_format::BASE32HEX;

/// `{prefix}_` and 20 random base32hex characters (100 bits).
pub fn new_id(prefix: &str) -> String {
    let mut rng = OsRng;
    let body: String = (0..shared::ID_BODY_LEN).map(|_| BASE32HEX[rng.gen_range(0..32)] as char).collect();
    format!("{prefix}_{body}")
}

/// 256 random bits from the OS, URL-safe base64 (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The form a secret is stored and looked up in.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_spec_format() {
        for _ in 0..100 {
            assert!(shared::is_prefixed_id(&new_id("u"), "u"));
        }
    }

    #[test]
    fn secrets_are_distinct_and_long() {
        let a = new_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_secret());
        assert_eq!(hash_secret(&a).len(), 64);
    }
}
