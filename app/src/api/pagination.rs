//! `limit` and `next_token`, the spec's cursor pagination, checked at the
//! edge: `limit` is a whole number from 1 to 100 (25 if absent).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use super::ApiError;

/// An opaque cursor carrying `raw`: where a list resumes.
pub fn cursor_token(raw: &str) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

/// What a cursor from [`cursor_token`] carries; `None` for anything else.
pub fn cursor_text(token: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}

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

    /// Where the list resumes, read by `parse` from the cursor's text; no
    /// cursor is `None`, one this list could not have issued a 400.
    pub fn resume<T>(&self, parse: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
        match self.next_token() {
            "" => Ok(None),
            token => cursor_text(token).and_then(|raw| parse(&raw)).map(Some).ok_or_else(Self::bad_token),
        }
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
