//! API tokens (Credentials & Access › Tokens): list, New Token (a name,
//! an expiration, an access level) shown in full once,
//! Deactivate/Activate, Delete. At most two per person that still work:
//! an expired token does not count.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod jobs;
pub mod new_token;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use new_token::TokenAccess;

pub use view::TokensSection;

pub const MAX_TOKENS: i64 = 2;
/// What a person is told when they hold [`MAX_TOKENS`] and ask for another.
pub fn cap_message() -> String {
    format!("You can have up to {MAX_TOKENS} tokens at a time. Delete one to create another.")
}
pub const REVOKED_MESSAGE: &str = "This token was revoked by Reset authentication. Delete it and create a new one.";
pub const EXPIRED_MESSAGE: &str = "This token has expired. Delete it and create a new one.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: String,
    pub title: String,
    /// `spt_…` and the last four characters: all that is ever shown again.
    pub masked: String,
    pub status: shared::TokenStatus,
    pub access: TokenAccess,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// `None`: No expiration.
    pub expires_at: Option<String>,
}

/// A token just created: the only time its secret leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: TokenSummary,
    pub secret: String,
}

impl crate::access::flash::Flashed for CreatedToken {
    const KIND: &'static str = "new_token";
}

#[server(prefix = "/sfn", endpoint = "tokens")]
pub async fn list_tokens(handle: String) -> Result<Vec<TokenSummary>, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::list(&state.db, &viewer.id).await?)
}

/// Makes a token: `name` (a default when empty), `expiration` (one of
/// [`new_token::EXPIRATIONS`]; `date` then reads `date`, YYYY-MM-DD) and
/// `access` (`full`, the default, or `read_only`).
#[server(prefix = "/sfn", endpoint = "create_token")]
pub async fn create_token(
    handle: String,
    name: Option<String>,
    expiration: Option<String>,
    date: Option<String>,
    access: Option<String>,
) -> Result<CreatedToken, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let now = crate::infra::time::now_millis();
    let title = new_token::parse_name(name.as_deref().unwrap_or_default()).map_err(AppError::invalid)?;
    let expires_at = new_token::parse_expiration(
        expiration.as_deref().unwrap_or_default(),
        date.as_deref().unwrap_or_default(),
        now,
    )
    .map_err(AppError::invalid)?;
    let access = match access.as_deref().filter(|a| !a.is_empty()) {
        None => TokenAccess::Full,
        Some(raw) => TokenAccess::parse(raw).ok_or_else(|| AppError::invalid("Choose Full access or Read only."))?,
    };
    if access == TokenAccess::Full {
        // A full-access token can do anything the account can.
        crate::access::proof::require(&state, &crate::infra::request::parts()?).await?;
    }
    let new = ssr::NewToken { title, description: String::new(), expires_at, access };
    let (token, secret) = ssr::create(&state, &actor, &new).await?;
    let mut created = CreatedToken { token: token.summary(), secret: secret.expose().clone() };
    if crate::access::flash::ssr::divert(&state, &actor.id, || crate::access::flash::Flash::of(&created)) {
        created.secret.clear();
    }
    Ok(created)
}

#[server(prefix = "/sfn", endpoint = "set_token_status")]
pub async fn set_token_status(handle: String, id: String, active: bool) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let change = ssr::TokenChange { active, ..Default::default() };
    Ok(ssr::update(&state, &actor, &id, change).await.map(drop)?)
}

#[server(prefix = "/sfn", endpoint = "delete_token")]
pub async fn delete_token(handle: String, id: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::delete(&state, &actor, &id).await.map(drop)?)
}
