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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 15)] as char);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_to_lowercase_hex_sha256() {
        // SHA-256("abc"), FIPS 180-2's example.
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

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
