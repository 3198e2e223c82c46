//! Sessions (Credentials & Access): every signed-in browser and every CLI
//! login of the account, each with **Revoke**, and **Sign out other
//! sessions**. A revoked browser's next request finds no session and lands
//! on `/login`; a revoked CLI login's token gets 401.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::SessionsSection;

/// What kind of sign-in a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser signed in with an e-mail link.
    Browser,
    /// A temporary token from `sluice login`.
    Cli,
}

/// One live session, as the page and the API show it: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionItem {
    /// `s_…` for a browser, the token's `k_…` for a CLI login.
    pub id: String,
    pub kind: SessionKind,
    /// The browser and its major version, read from its User-Agent.
    pub browser: String,
    /// The operating system, read from the same.
    pub system: String,
    /// The address it signed in from.
    pub signed_in_ip: String,
    /// The address it was last seen at (a browser's).
    pub last_ip: String,
    pub created_at: String,
    pub last_active_at: Option<String>,
    /// When it ends unless revoked before.
    pub expires_at: String,
    /// The session this request came with.
    pub current: bool,
}

#[server(prefix = "/sfn", endpoint = "list_sessions")]
pub async fn list_sessions(handle: String) -> Result<Vec<SessionItem>, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    let current = crate::access::session::ssr::presented_hash(&state.settings, &parts);
    Ok(ssr::list(&state, &viewer.id, current.as_deref()).await?)
}

/// Ends one session or CLI login of the signed-in person.
#[server(prefix = "/sfn", endpoint = "revoke_session")]
pub async fn revoke_session(handle: String, session: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let id = ssr::SessionId::parse(&session).ok_or(AppError::NotFound)?;
    if !ssr::revoke(&state, &actor, &id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session and CLI login of the signed-in person but this one;
/// answers how many ended.
#[server(prefix = "/sfn", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions(handle: String) -> Result<u64, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    crate::access::proof::require(&state, &parts).await?;
    let current = crate::access::session::ssr::presented_hash(&state.settings, &parts).ok_or(AppError::Unauthorized)?;
    Ok(ssr::revoke_others(&state, &actor, Some(&current)).await?)
}
