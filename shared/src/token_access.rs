//! What an API token may do. Stored as its word, which is also what the
//! API answers; the access layer reads it on every request.

use serde::{Deserialize, Serialize};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TokenAccess {
    /// Anything its owner can.
    #[default]
    Full,
    /// Read everything its owner can; change nothing.
    ReadOnly,
}

impl TokenAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ReadOnly => "read_only",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Full => "Full access",
            Self::ReadOnly => "Read only",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "full" => Some(Self::Full),
            "read_only" => Some(Self::ReadOnly),
            _ => None,
        }
    }
}
