//! Where an API token stands. Stored as its lowercase word, which is also
//! what the API answers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Inactive,
    /// Made before the account's last Reset authentication.
    Revoked,
    /// Its expiry has passed.
    Expired,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// The word the pages show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Revoked => "Revoked",
            Self::Expired => "Expired",
        }
    }
}

/// A stored status Sluice does not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown token status {0:?}")]
pub struct UnknownTokenStatus(pub String);

impl TryFrom<String> for TokenStatus {
    type Error = UnknownTokenStatus;

    fn try_from(word: String) -> Result<Self, Self::Error> {
        match word.as_str() {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            "revoked" => Ok(Self::Revoked),
            "expired" => Ok(Self::Expired),
            _ => Err(UnknownTokenStatus(word)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_as_it_is_written() {
        for status in [TokenStatus::Active, TokenStatus::Inactive, TokenStatus::Revoked, TokenStatus::Expired] {
            assert_eq!(TokenStatus::try_from(status.as_str().to_owned()), Ok(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{}\"", status.as_str()));
        }
        assert!(TokenStatus::try_from("paused".to_owned()).is_err());
    }
}
