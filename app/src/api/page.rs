//! `limit` and `next_token`, the spec's cursor pagination, checked at the
//! edge: `limit` is a whole number from 1 to 100 (25 if absent).

use serde::Deserialize;

use super::ApiError;

pub const DEFAULT_LIMIT: i64 = 25;

#[derive(Debug, Default, Deserialize)]
pub struct Page {
    limit: Option<String>,
    next_token: Option<String>,
}

impl Page {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit.as_deref() {
            None => Ok(DEFAULT_LIMIT),
            Some(raw) => match raw.parse::<i64>() {
                Ok(n @ 1..=100) => Ok(n),
                _ => Err(ApiError::field("query.limit", "must be a whole number from 1 to 100")),
            },
        }
    }

    /// The cursor as sent (empty if none).
    pub fn next_token(&self) -> &str {
        self.next_token.as_deref().unwrap_or_default()
    }

    /// Checks a list that always fits one page, so issues no cursor: a
    /// good `limit`, and no `next_token`.
    pub fn single(&self) -> Result<(), ApiError> {
        self.limit()?;
        if self.next_token().is_empty() {
            Ok(())
        } else {
            Err(Self::bad_token())
        }
    }

    /// The error for a `next_token` this list did not issue.
    pub fn bad_token() -> ApiError {
        ApiError::field("query.next_token", "is not a cursor this list issued")
    }
}
