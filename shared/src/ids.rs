//! The spec's ids: a lowercase prefix, `_`, then 20 base32hex characters
//! (`[0-9a-v]`), e.g. `u_c8r2j6a1b3d4e5f6g7h8` for a user.

pub const ID_BODY_LEN: usize = 20;

/// True when `id` is `{prefix}_` followed by 20 characters of `[0-9a-v]`.
pub fn is_prefixed_id(id: &str, prefix: &str) -> bool {
    let Some(body) = id.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('_')) else {
        return false;
    };
    body.len() == ID_BODY_LEN && body.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_format() {
        assert!(is_prefixed_id("u_0123456789abcdefghij", "u"));
        assert!(!is_prefixed_id("u_0123456789abcdefghiw", "u"));
        assert!(!is_prefixed_id("t_0123456789abcdefghij", "u"));
        assert!(!is_prefixed_id("u_0123456789abcdefghi", "u"));
    }
}
