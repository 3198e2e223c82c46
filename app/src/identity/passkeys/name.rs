//! A passkey's name, as its owner chose it: what tells one from another.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyName(String);

pub const NAME_MAX: usize = 64;

impl PasskeyName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Give the passkey a name, such as the device it is on.");
        }
        if name.chars().count() > NAME_MAX {
            return Err("A passkey's name has at most 64 characters.");
        }
        if name.chars().any(char::is_control) {
            return Err("A passkey's name cannot contain control characters.");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_printable_and_trimmed() {
        assert_eq!(PasskeyName::parse("  Work laptop ").unwrap().as_str(), "Work laptop");
        assert!(PasskeyName::parse("   ").is_err());
        assert!(PasskeyName::parse(&"x".repeat(65)).is_err());
        assert!(PasskeyName::parse(&"é".repeat(64)).is_ok());
        assert!(PasskeyName::parse("a\u{0}b").is_err());
    }
}
