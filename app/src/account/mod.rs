//! The account page `/user/{handle}`: its tabs (Workspaces, Activity,
//! Advanced), what they list, and the rule that a person sees only their
//! own account (another handle is a 404, never data).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::session::Viewer;

#[cfg(feature = "ssr")]
pub mod api;
mod advanced;
mod layout;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod workspace_api;
#[cfg(feature = "ssr")]
pub mod workspace_store;
mod workspaces;

pub use advanced::{AdvancedIndex, AdvancedLayout};
pub use layout::AccountLayout;
pub use workspaces::WorkspacesTab;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    pub handle: String,
    pub region: String,
    pub database_name: String,
    pub dns_name: String,
    pub created_at: String,
}

/// The signed-in person, if `handle` is theirs.
#[cfg(feature = "ssr")]
pub async fn owner_of(handle: &str) -> Result<Viewer, AppError> {
    let viewer = crate::session::ssr::require_viewer().await?;
    if viewer.handle != handle {
        // A refused authorization goes on the asker's own log.
        if let (Ok(state), Ok(parts)) = (crate::ssr::AppState::from_context(), crate::ssr::request::parts()) {
            let actor = crate::ssr::audit::Actor::viewer(&viewer, &parts);
            let data = serde_json::json!({ "path": parts.uri.path(), "handle": handle });
            crate::ssr::audit::write_own(&state.db, &actor, "auth.refused", data).await;
        }
        return Err(AppError::NotFound);
    }
    Ok(viewer)
}

/// The signed-in person as the actor of a change to `handle`, if it is theirs.
#[cfg(feature = "ssr")]
pub async fn owner_actor(handle: &str) -> Result<crate::ssr::audit::Actor, AppError> {
    let viewer = owner_of(handle).await?;
    let parts = crate::ssr::request::parts()?;
    Ok(crate::ssr::audit::Actor::viewer(&viewer, &parts))
}

#[server(prefix = "/sfn", endpoint = "workspaces")]
pub async fn list_workspaces(handle: String) -> Result<Vec<WorkspaceSummary>, AppError> {
    let viewer = owner_of(&handle).await?;
    let state = crate::ssr::AppState::from_context()?;
    Ok(ssr::workspaces(&state.db, &state.settings, &viewer.id, &viewer.handle).await?)
}

/// The `{handle}` of the current account route.
pub fn use_handle() -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("handle").unwrap_or_default())
}
