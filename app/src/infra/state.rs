//! The one state every handler and server function receives.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use super::db::Db;
use super::mail::Mailer;
use super::settings::Settings;
use super::vault::Vault;

/// Cloned for every request by each layer and extractor that takes it, so
/// it is one pointer: cloning the parts themselves (the Leptos options'
/// strings, a dozen reference counts) was a third of the time of a request
/// that did not reach the database.
#[derive(Clone)]
pub struct AppState(Arc<StateParts>);

/// What [`AppState`] holds.
pub struct StateParts {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub mailer: Mailer,
    /// Seals and opens the database passwords.
    pub vault: Vault,
    /// Wakes the worker that runs every feature's jobs (`routes::jobs`).
    pub jobs: std::sync::Arc<tokio::sync::Notify>,
    /// How many images may be decoded at once.
    pub image_work: std::sync::Arc<tokio::sync::Semaphore>,
    /// This process's share of busy rate-limit windows.
    pub leases: super::rate_limit::Leases,
    /// Where workspaces live: Sluice's own PostgreSQL and the clusters.
    pub workspaces: Arc<dyn super::workspace_storage::WorkspaceStorage>,
    /// This site as a WebAuthn relying party (passkeys).
    pub relying_party: super::relying_party::RelyingParty,
}

impl AppState {
    pub fn new(parts: StateParts) -> Self {
        Self(Arc::new(parts))
    }

    /// The state inside a server function or while rendering.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// What leptos_axum asks of the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
