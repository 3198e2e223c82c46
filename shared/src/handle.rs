//! User and workspace handles: the rule of the public API spec
//! (`^[a-z0-9]{1,2}(?:[a-z0-9]{1,2}|-[a-z0-9]){0,18}[a-z0-9]?$` for a new
//! handle, `^[a-z0-9][a-z0-9-]{0,37}[a-z0-9]$` for one in a path), plus the
//! words Sluice keeps for its own routes.

use crate::newtype::string_newtype;
use serde::{Deserialize, Serialize};

/// Handles that would collide with Sluice's own routes or look official.
const RESERVED: &[&str] = &[
    "about",
    "account",
    "accounts",
    "admin",
    "administrator",
    "api",
    "app",
    "assets",
    "auth",
    "billing",
    "cli",
    "console",
    "dashboard",
    "docs",
    "help",
    "login",
    "logout",
    "me",
    "new",
    "org",
    "pkg",
    "root",
    "security",
    "settings",
    "signin",
    "signout",
    "signup",
    "sluice",
    "static",
    "status",
    "support",
    "system",
    "tenant",
    "user",
    "users",
    "www",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("Enter a handle.")]
    Empty,
    #[error("A handle has at least 2 characters.")]
    TooShort,
    #[error("A handle has at most 39 characters.")]
    TooLong,
    #[error("Use lowercase letters, digits and single hyphens (not at the start or end).")]
    BadCharacters,
    #[error("“{0}” is reserved. Choose another handle.")]
    Reserved(String),
}

/// A user handle that passed [`Handle::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Handle(String);

impl Handle {
    /// Parses what a person typed. Surrounding spaces are ignored; case is not
    /// folded, so a person sees exactly what they will get.
    pub fn parse(input: &str) -> Result<Self, HandleError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(HandleError::Empty);
        }
        if s.len() < 2 {
            return Err(HandleError::TooShort);
        }
        if s.len() > 39 {
            return Err(HandleError::TooLong);
        }
        if !matches_spec(s.as_bytes()) {
            return Err(HandleError::BadCharacters);
        }
        if RESERVED.contains(&s) {
            return Err(HandleError::Reserved(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }
}

string_newtype!(Handle, HandleError);

/// A workspace handle: `^[a-z0-9]{1,23}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkspaceHandle(String);

impl WorkspaceHandle {
    pub fn parse(input: &str) -> Result<Self, HandleError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(HandleError::Empty);
        }
        if s.len() > 23 {
            return Err(HandleError::TooLong);
        }
        if !s.bytes().all(is_alnum) {
            return Err(HandleError::BadCharacters);
        }
        Ok(Self(s.to_owned()))
    }
}

string_newtype!(WorkspaceHandle, HandleError);

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// The spec's new-handle expression, matched without a regex engine (which
/// would cost the browser build more than this whole crate):
/// `[a-z0-9]{1,2}` then up to 18 of (`[a-z0-9]{1,2}` | `-[a-z0-9]`), then an
/// optional `[a-z0-9]`. `reach[i]` holds the group counts that can end at i.
fn matches_spec(s: &[u8]) -> bool {
    let n = s.len();
    // reach[i] = bit set of how many middle groups were used to arrive at i.
    let mut reach = vec![0u32; n + 1];
    for head in 1..=2 {
        if head <= n && s[..head].iter().all(|&b| is_alnum(b)) {
            reach[head] |= 1;
        }
    }
    for i in 0..=n {
        let here = reach[i];
        if here == 0 {
            continue;
        }
        for groups in 0..18u32 {
            if here & (1 << groups) == 0 {
                continue;
            }
            let next = 1 << (groups + 1);
            if i < n && is_alnum(s[i]) {
                reach[i + 1] |= next;
                if i + 1 < n && is_alnum(s[i + 1]) {
                    reach[i + 2] |= next;
                }
            }
            if i + 1 < n && s[i] == b'-' && is_alnum(s[i + 1]) {
                reach[i + 2] |= next;
            }
        }
    }
    reach[n] != 0 || (n > 0 && is_alnum(s[n - 1]) && reach[n - 1] != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_handles() {
        for ok in ["ab", "jane", "jane-doe", "a1-b2-c3", "x9", "dev-team-42"] {
            assert_eq!(Handle::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
    }

    #[test]
    fn trims_surrounding_space() {
        assert_eq!(Handle::parse("  jane ").unwrap().as_str(), "jane");
    }

    #[test]
    fn refuses_bad_shapes() {
        assert_eq!(Handle::parse(""), Err(HandleError::Empty));
        assert_eq!(Handle::parse("a"), Err(HandleError::TooShort));
        assert_eq!(Handle::parse(&"a".repeat(40)), Err(HandleError::TooLong));
        for bad in ["-ab", "ab-", "a--b", "Jane", "ja_ne", "jané", "a b", "ab.c"] {
            assert_eq!(Handle::parse(bad), Err(HandleError::BadCharacters), "{bad}");
        }
    }

    #[test]
    fn refuses_reserved_words() {
        for word in ["api", "login", "settings", "admin"] {
            assert!(matches!(Handle::parse(word), Err(HandleError::Reserved(_))), "{word}");
        }
    }

    #[test]
    fn agrees_with_the_spec_at_the_length_limit() {
        assert!(Handle::parse(&"a".repeat(39)).is_ok());
        // 19 "-b" groups after one letter need more groups than the spec allows.
        let too_many_groups = format!("a{}", "-b".repeat(19));
        assert_eq!(too_many_groups.len(), 39);
        assert_eq!(Handle::parse(&too_many_groups), Err(HandleError::BadCharacters));
        let fits = format!("ab{}", "-b".repeat(18));
        assert!(Handle::parse(&fits).is_ok(), "{fits}");
    }

    #[test]
    fn deserializing_applies_the_rule() {
        let h: Result<Handle, _> = serde_json::from_str("\"Bad Handle\"");
        assert!(h.is_err());
    }

    #[test]
    fn workspace_handles() {
        assert!(WorkspaceHandle::parse("default").is_ok());
        assert!(WorkspaceHandle::parse("a").is_ok());
        assert!(WorkspaceHandle::parse("with-hyphen").is_err());
        assert!(WorkspaceHandle::parse(&"a".repeat(24)).is_err());
    }
}
