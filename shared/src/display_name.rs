//! A person's display name: trimmed, 1–100 characters, no control characters.

use crate::newtype::string_newtype;
use serde::{Deserialize, Serialize};

pub const DISPLAY_NAME_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("Enter a display name.")]
    Empty,
    #[error("A display name has at most 100 characters.")]
    TooLong,
    #[error("A display name cannot contain control characters.")]
    ControlCharacter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, DisplayNameError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if s.chars().count() > DISPLAY_NAME_MAX {
            return Err(DisplayNameError::TooLong);
        }
        if s.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacter);
        }
        Ok(Self(s.to_owned()))
    }
}

string_newtype!(DisplayName, DisplayNameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts() {
        assert_eq!(DisplayName::parse("  Ada Lovelace ").unwrap().as_str(), "Ada Lovelace");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(DisplayName::parse(&"é".repeat(101)), Err(DisplayNameError::TooLong));
    }

    #[test]
    fn refuses_empty_and_control() {
        assert_eq!(DisplayName::parse("   "), Err(DisplayNameError::Empty));
        assert_eq!(DisplayName::parse("a\u{7}b"), Err(DisplayNameError::ControlCharacter));
        assert_eq!(DisplayName::parse("a\nb"), Err(DisplayNameError::ControlCharacter));
    }
}
