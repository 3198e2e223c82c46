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

/// Makes a workspace for the signed-in person; answers its summary.
#[server(prefix = "/sfn", endpoint = "create_workspace")]
pub async fn create_workspace(handle: String, workspace: String) -> Result<WorkspaceSummary, AppError> {
    let viewer = owner_of(&handle).await?;
    let state = crate::ssr::AppState::from_context()?;
    let parts = crate::ssr::request::parts()?;
    let actor = crate::ssr::audit::Actor::viewer(&viewer, &parts);
    let ws = shared::WorkspaceHandle::parse(&workspace).map_err(|e| AppError::invalid(e.to_string()))?;
    let (_, ws, region, database_name, _, created_at, _) = workspace_store::create(&state, &viewer, &actor, &ws)
        .await
        .map_err(store_error)?;
    Ok(WorkspaceSummary {
        dns_name: ssr::dns_name(&state.settings, &ws, &viewer.handle, &region),
        handle: ws,
        region,
        database_name,
        created_at: crate::ssr::time::rfc3339(created_at),
    })
}

/// Deletes one of the signed-in person's workspaces; `confirm` is the
/// workspace's handle typed again, checked here as on the page.
#[server(prefix = "/sfn", endpoint = "delete_workspace")]
pub async fn delete_workspace(handle: String, workspace: String, confirm: String) -> Result<(), AppError> {
    let viewer = owner_of(&handle).await?;
    if confirm.trim() != workspace {
        return Err(AppError::invalid("Type the workspace's handle exactly to delete it."));
    }
    let state = crate::ssr::AppState::from_context()?;
    let parts = crate::ssr::request::parts()?;
    let actor = crate::ssr::audit::Actor::viewer(&viewer, &parts);
    let ws = shared::WorkspaceHandle::parse(&workspace).map_err(|e| AppError::invalid(e.to_string()))?;
    workspace_store::delete(&state, &viewer, &actor, &ws).await.map_err(store_error)?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn store_error(e: workspace_store::WorkspaceError) -> AppError {
    match e {
        workspace_store::WorkspaceError::Db(e) => e.into(),
        other => AppError::invalid(other.to_string()),
    }
}

/// The `{handle}` of the current account route.
pub fn use_handle() -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("handle").unwrap_or_default())
}
