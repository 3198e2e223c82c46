//! Avatar URL: an http(s) address of an image. Sluice fetches it once and
//! serves its own copy, so the address is never hot-linked into a page.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvatarUrlError {
    #[error("Enter an address that starts with https:// or http://.")]
    Scheme,
    #[error("The address has no host name.")]
    NoHost,
    #[error("The address may not contain a user name or password.")]
    Credentials,
    #[error("The address may not contain spaces or control characters.")]
    Characters,
    #[error("The address is longer than 2048 characters.")]
    TooLong,
}

impl AvatarUrl {
    pub const MAX_LEN: usize = 2048;

    /// Trimmed; an empty value is not an address (it means "none").
    pub fn parse(input: &str) -> Result<Self, AvatarUrlError> {
        let s = input.trim();
        if s.len() > Self::MAX_LEN {
            return Err(AvatarUrlError::TooLong);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AvatarUrlError::Characters);
        }
        let lower = s.to_ascii_lowercase();
        let rest =
            lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).ok_or(AvatarUrlError::Scheme)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(AvatarUrlError::Credentials);
        }
        let host = authority.rsplit_once(':').map_or(authority, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                authority
            }
        });
        if host.is_empty() || host == "[]" {
            return Err(AvatarUrlError::NoHost);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AvatarUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_addresses() {
        for ok in [
            "https://example.com/me.png",
            "  http://cdn.example.com:8080/a/b.jpg?size=512  ",
            "https://[2001:db8::1]/x.png",
        ] {
            assert_eq!(AvatarUrl::parse(ok).unwrap().as_str(), ok.trim());
        }
    }

    #[test]
    fn refuses_what_is_not_an_http_address() {
        use AvatarUrlError::*;
        for (bad, why) in [
            ("", Scheme),
            ("ftp://example.com/a.png", Scheme),
            ("javascript:alert(1)", Scheme),
            ("data:image/png;base64,AAAA", Scheme),
            ("https://", NoHost),
            ("https://:443/x", NoHost),
            ("https://user:pw@example.com/a.png", Credentials),
            ("https://exa mple.com/a.png", Characters),
            ("https://example.com/\u{7}", Characters),
        ] {
            assert_eq!(AvatarUrl::parse(bad).unwrap_err(), why, "{bad:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert_eq!(AvatarUrl::parse(&long).unwrap_err(), AvatarUrlError::TooLong);
    }
}
