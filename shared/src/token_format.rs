//! What an API token looks like, so that a secret scanner (or anyone) can
//! tell a leaked Sluice token from random text without asking Sluice:
//! `spt_` + the token's id (20 base32hex characters) + `_` + 45 random
//! base32hex characters + 7 base32hex characters of the CRC-32 of
//! everything before them. Tokens made before the checksum (52 random
//! characters) keep working; only the format check tells them apart.

/// base32hex, lowercase: the alphabet of ids and secrets.
pub const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
/// Characters after the id's `_`: random ones, then the checksum.
pub const TAIL_CHARS: usize = 52;
pub const CHECKSUM_CHARS: usize = 7;
pub const RANDOM_CHARS: usize = TAIL_CHARS - CHECKSUM_CHARS;

/// Whether every character of `text` is one of [`BASE32HEX`]'s (a range
/// test: every API request asks this of its token).
pub fn is_base32hex(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
}

/// The CRC-32 (IEEE) of `text`, as 7 base32hex characters (35 bits, the
/// top three always zero), most significant first.
pub fn checksum(text: &str) -> String {
    let crc = u64::from(crc32fast::hash(text.as_bytes()));
    (0..CHECKSUM_CHARS).rev().map(|i| BASE32HEX[((crc >> (5 * i)) & 31) as usize] as char).collect()
}

/// A token's id body and tail, if it has a Sluice token's shape:
/// `spt_[0-9a-v]{20}_[0-9a-v]{52}`.
pub fn parts(token: &str) -> Option<(&str, &str)> {
    let (id, tail) = token.strip_prefix("spt_")?.split_once('_')?;
    let shaped = id.len() == crate::ID_BODY_LEN && tail.len() == TAIL_CHARS && is_base32hex(id) && is_base32hex(tail);
    shaped.then_some((id, tail))
}

/// Whether `token` has the shape of a Sluice token and its checksum
/// matches: `spt_[0-9a-v]{20}_[0-9a-v]{52}` whose last 7 characters are
/// the checksum of the rest.
pub fn has_valid_checksum(token: &str) -> bool {
    if parts(token).is_none() {
        return false;
    }
    let (body, sum) = token.split_at(token.len() - CHECKSUM_CHARS);
    checksum(body) == sum
}

/// Finishes a token from its id's body and [`RANDOM_CHARS`] random
/// characters: `spt_{id}_{random}{checksum}`.
pub fn with_checksum(id_body: &str, random: &str) -> String {
    let body = format!("spt_{id_body}_{random}");
    let sum = checksum(&body);
    body + &sum
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdefghij";
    const RANDOM: &str = "0123456789abcdefghijklmnopqrstuv0123456789abc";

    #[test]
    fn base32hex_is_exactly_its_alphabet() {
        for b in 0..=255u8 {
            let text = [b];
            let text = std::str::from_utf8(&text).unwrap_or("-");
            assert_eq!(is_base32hex(text), BASE32HEX.contains(&b), "{b}");
        }
        assert!(is_base32hex("0123456789abcdefghijklmnopqrstuv"));
        assert!(!is_base32hex("0123456789ABCDEF"));
    }

    #[test]
    fn a_token_with_its_checksum_validates_and_any_one_character_change_fails_it() {
        let token = with_checksum(ID, RANDOM);
        assert_eq!(token.len(), 4 + 20 + 1 + TAIL_CHARS);
        assert!(has_valid_checksum(&token), "{token}");
        // Every position after the prefix, every other character.
        for at in 4..token.len() {
            if at == 24 {
                continue; // the `_` between id and tail
            }
            for &c in BASE32HEX {
                if token.as_bytes()[at] == c {
                    continue;
                }
                let mut changed = token.clone().into_bytes();
                changed[at] = c;
                let changed = String::from_utf8(changed).unwrap();
                assert!(!has_valid_checksum(&changed), "{changed} passed");
            }
        }
    }

    #[test]
    fn random_text_and_other_shapes_fail() {
        let token = with_checksum(ID, RANDOM);
        for bad in [
            "",
            "spt_",
            &token[..token.len() - 1],
            &format!("{token}0"),
            &token.replace("spt_", "spx_"),
            &token.to_uppercase(),
        ] {
            assert!(!has_valid_checksum(bad), "{bad}");
        }
        // A token in the older format (52 random characters) has the shape,
        // and almost surely not the checksum.
        let old = format!("spt_{ID}_{}", "0123456789abcdefghijklmnopqrstuv0123456789abcdefghij");
        assert!(!has_valid_checksum(&old));
    }

    #[test]
    fn the_documented_python_check_agrees() {
        // What docs/security.md's Python snippet computes for this token.
        assert_eq!(
            with_checksum(ID, RANDOM),
            "spt_0123456789abcdefghij_0123456789abcdefghijklmnopqrstuv0123456789abc0jl8qtc"
        );
    }

    #[test]
    fn the_checksum_is_crc32_in_base32hex() {
        // CRC-32 of "123456789" is 0xCBF43926.
        assert_eq!(checksum("123456789"), "35v8e96");
        assert_eq!(u64::from_str_radix("35v8e96", 32).unwrap(), 0xCBF4_3926);
    }
}
