//! What of a request's path may be logged. Some paths carry a secret: a
//! CLI login request is addressed by `spttr_{id}_{secret}`, whose secret
//! part is what lets its holder exchange it for a token. One rule for every
//! path: a segment shaped like one of Sluice's secrets (`sp…_{id}_{secret}`)
//! keeps its public `sp…_{id}` and loses the rest. Query strings are never
//! logged at all (sign-in links carry their secret there).

use std::borrow::Cow;

const REDACTED: &str = "[redacted]";

/// `segment`'s public part, if it is shaped like a secret.
fn public_part(segment: &str) -> Option<&str> {
    let mut parts = segment.splitn(3, '_');
    let (prefix, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (prefix.starts_with("sp") && word(prefix) && word(id) && !secret.is_empty())
        .then(|| &segment[..prefix.len() + 1 + id.len()])
}

/// The path as it may appear in the log.
pub fn loggable(path: &str) -> Cow<'_, str> {
    if !path.split('/').any(|s| public_part(s).is_some()) {
        return Cow::Borrowed(path);
    }
    let redacted: Vec<String> = path
        .split('/')
        .map(|s| match public_part(s) {
            Some(public) => format!("{public}_{REDACTED}"),
            None => s.to_owned(),
        })
        .collect();
    Cow::Owned(redacted.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_segment_keeps_only_its_public_part() {
        assert_eq!(
            loggable("/api/v0/login/token/spttr_0123456789abcdefghij_0123456789abcdefghijklmnop"),
            "/api/v0/login/token/spttr_0123456789abcdefghij_[redacted]"
        );
        assert_eq!(loggable("/x/spt_abc_def/y"), "/x/spt_abc_[redacted]/y");
    }

    #[test]
    fn other_paths_are_logged_as_they_are() {
        for path in [
            "/",
            "/user/ada/advanced/credentials",
            "/api/v0/user/ada/tokens/tok_123",
            "/avatar/u_0123456789abcdefghij.svg",
            "/pkg/sluice_bg.wasm",
            "/api/v0/login/token/spttr_short",
            "/user/some_handle_with_underscores",
        ] {
            assert_eq!(loggable(path), path);
        }
    }
}
