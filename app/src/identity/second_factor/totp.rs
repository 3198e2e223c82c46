//! Time-based one-time passwords (RFC 6238, as authenticator apps make
//! them): HMAC-SHA1 over the 30-second step, six digits. The secret is 20
//! random bytes, shown as base32 (RFC 4648, no padding).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Steps either side of now whose codes are still accepted: a phone's
/// clock a little off, a code typed as it changed.
pub const SKEW: i64 = 1;
pub const SECRET_LEN: usize = 20;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The step a moment (ms since the epoch) falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000 * STEP_SECS)
}

/// The six-digit code of `step`.
pub fn code(secret: &[u8], step: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", (word & 0x7fff_ffff) % 1_000_000)
}

/// The step within [`SKEW`] of `now_ms` whose code `typed` is, if any.
pub fn matching_step(secret: &[u8], typed: &str, now_ms: i64) -> Option<i64> {
    let now = step_at(now_ms);
    (now - SKEW..=now + SKEW).find(|&step| {
        let right = code(secret, step);
        bool::from(subtle::ConstantTimeEq::ct_eq(right.as_bytes(), typed.as_bytes()))
    })
}

/// Six digits as typed (spaces and a hyphen allowed), or `None`.
pub fn parse_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Base32 without padding, as authenticator apps read it.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The secret in groups of four, easier to type by hand.
pub fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// What an authenticator app scans: `otpauth://totp/Sluice:{handle}?…`.
pub fn uri(secret_b32: &str, handle: &str, issuer: &str) -> String {
    let enc = crate::access::encode_component;
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        enc(issuer),
        enc(handle),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_rfc_6238s_sha1_vectors() {
        // RFC 6238, Appendix B: the SHA-1 key and the last six digits.
        let key = b"12345678901234567890";
        for (secs, want) in [
            (59i64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code(key, step_at(secs * 1000)), want, "at {secs}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let key = b"12345678901234567890";
        let now = 1_234_567_890_000;
        let step = step_at(now);
        for (offset, ok) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let typed = code(key, step + offset);
            assert_eq!(matching_step(key, &typed, now) == Some(step + offset), ok, "offset {offset}");
        }
        assert_eq!(parse_code(" 123 456 "), Some("123456".into()));
        assert_eq!(parse_code("123-456"), Some("123456".into()));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(parse_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn base32_is_rfc_4648s() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(
            uri("GEZD", "ada", "Sluice"),
            "otpauth://totp/Sluice:ada?secret=GEZD&issuer=Sluice&algorithm=SHA1&digits=6&period=30"
        );
    }
}
