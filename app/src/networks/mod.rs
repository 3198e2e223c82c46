//! Networks: where the account's credentials were used from. The list of
//! known networks (on the Sessions section, each removable), and "This
//! wasn't me" (`/not-me/{id}`), where an alert's link leads: after Confirm
//! it is you, it ends that session, revokes that token or rotates the
//! database password. Noticing a new network is `access::networks`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod page;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use page::NotMePage;
pub use view::KnownNetworks;

/// A network the account used in the last 90 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownNetwork {
    pub network: String,
    pub first_used_at: String,
    pub last_used_at: String,
}

/// What "This wasn't me" does about an alert, by what was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Undo {
    /// A browser sign-in: that browser is signed out.
    SignOut,
    /// An API token or a CLI login's token: it is revoked.
    RevokeToken,
    /// A workspace sign-in: the database password is rotated.
    RotatePassword,
}

impl Undo {
    /// The button that does it.
    pub fn label(self) -> &'static str {
        match self {
            Self::SignOut => "Sign out that browser",
            Self::RevokeToken => "Revoke that token",
            Self::RotatePassword => "Rotate the database password",
        }
    }

    /// What was done, once it has been.
    pub fn done(self) -> &'static str {
        match self {
            Self::SignOut => "that browser was signed out",
            Self::RevokeToken => "that token was revoked",
            Self::RotatePassword => "the database password was rotated",
        }
    }
}

/// What an alert told of, and what "This wasn't me" does about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub handle: String,
    pub credential_name: String,
    pub network: String,
    pub address: String,
    pub client: String,
    pub created_at: String,
    /// What "This wasn't me" does.
    pub undo: Undo,
    /// Done already, when.
    pub undone_at: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "known_networks")]
pub async fn known_networks(handle: String) -> Result<Vec<KnownNetwork>, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::list(&state, &viewer.id).await?)
}

/// Forgets a network: the next use of any credential from it alerts again.
#[server(prefix = "/sfn", endpoint = "remove_network")]
pub async fn remove_network(handle: String, network: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    if !ssr::remove(&state, &actor, &network).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "network_alert")]
pub async fn network_alert(id: String) -> Result<Alert, AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let state = crate::infra::AppState::from_context()?;
    ssr::alert(&state, &viewer.id, &viewer.handle, &id).await?.ok_or(AppError::NotFound)
}

/// "This wasn't me": ends what the alert names (after Confirm it is you).
#[server(prefix = "/sfn", endpoint = "not_me")]
pub async fn not_me(id: String) -> Result<(), AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    ssr::undo(&state, &actor, &id).await
}
