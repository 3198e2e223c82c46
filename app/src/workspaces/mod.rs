//! Workspaces: each one a database reached by any PostgreSQL client with
//! the connection string Sluice shows. Creating, listing and deleting them,
//! on the page and in the API; where their data lives is
//! `crate::infra::workspace_storage`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod naming;
#[cfg(feature = "ssr")]
pub mod placement;
#[cfg(feature = "ssr")]
pub mod ssr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    pub handle: String,
    pub region: String,
    pub database_name: String,
    pub dns_name: String,
    pub created_at: String,
    /// What runs it ("PostgreSQL 15 on this server"); empty while it waits
    /// for an engine.
    #[serde(default)]
    pub runs_on: String,
    /// Its engine has it ready; a cluster's is first being made.
    pub ready: bool,
    /// Its cluster failed to make it at least once (Sluice keeps trying).
    pub retrying: bool,
    /// Past the storage limit: closed to its owner until it is below.
    #[serde(default)]
    pub paused: bool,
    /// A usage cap of its owner is reached: sign-ins to it are refused.
    #[serde(default)]
    pub capped: bool,
}

/// A region offered for new workspaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionChoice {
    pub name: String,
    /// What runs its workspaces.
    pub engine: String,
    pub default: bool,
}

/// Where new workspaces can go, or why they cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regions {
    pub choices: Vec<RegionChoice>,
    /// Why this server runs no workspaces now (New Workspace is off).
    pub unavailable: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "workspace_regions")]
pub async fn workspace_regions(handle: String) -> Result<Regions, AppError> {
    crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let choices = state
        .workspaces
        .regions()
        .into_iter()
        .map(|r| RegionChoice {
            default: r.name == crate::infra::workspace_storage::DEFAULT_REGION,
            engine: r.engine,
            name: r.name,
        })
        .collect();
    Ok(Regions { choices, unavailable: state.workspaces.unavailable() })
}

#[server(prefix = "/sfn", endpoint = "workspaces")]
pub async fn list_workspaces(handle: String) -> Result<Vec<WorkspaceSummary>, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::list(&state, &viewer.id, &viewer.handle).await?)
}

/// Makes a workspace for the signed-in person in `region` (the default
/// region when left out); answers its summary.
#[server(prefix = "/sfn", endpoint = "create_workspace")]
pub async fn create_workspace(
    handle: String,
    workspace: String,
    region: Option<String>,
) -> Result<WorkspaceSummary, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    let ws = shared::WorkspaceHandle::parse(&workspace).map_err(|e| AppError::invalid(e.to_string()))?;
    let region = region.as_deref().filter(|r| !r.is_empty()).unwrap_or(crate::infra::workspace_storage::DEFAULT_REGION);
    let row = ssr::create(&state, &actor, &ws, region).await.map_err(store_error)?;
    Ok(ssr::summary(&state, &viewer.handle, row))
}

/// Deletes one of the signed-in person's workspaces; `confirm` is the
/// workspace's handle typed again, checked here as on the page.
#[server(prefix = "/sfn", endpoint = "delete_workspace")]
pub async fn delete_workspace(handle: String, workspace: String, confirm: String) -> Result<(), AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    if confirm.trim() != workspace {
        return Err(AppError::invalid("Type the workspace's handle exactly to delete it."));
    }
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    // Its data goes with it, for good.
    crate::access::proof::require(&state, &parts).await?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    let ws = shared::WorkspaceHandle::parse(&workspace).map_err(|e| AppError::invalid(e.to_string()))?;
    ssr::delete(&state, &actor, &ws).await.map_err(store_error)?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn store_error(e: ssr::WorkspaceError) -> AppError {
    match e {
        ssr::WorkspaceError::Db(e) => e.into(),
        other => AppError::invalid(other.to_string()),
    }
}
