//! `/user/{user_handle}/workspace…`: the spec's UserWorkspaces reads. A
//! person's workspaces as the Workspaces tab lists them; creating and
//! deleting them come with the Workspaces page.

use axum::extract::{FromRequestParts, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use http::request::Parts;
use serde::Serialize;
use shared::WorkspaceHandle;

use super::ssr::dns_name;
use crate::api::{path_param, ApiError, Owner, Page};
use crate::ssr::time::rfc3339;
use crate::ssr::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/user/{user_handle}/workspace", get(list))
        .route("/user/{user_handle}/workspace/{workspace_handle}", get(read))
}

/// The spec's `Workspace`, with the fields Sluice knows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Workspace {
    id: String,
    identity_id: String,
    handle: String,
    database_name: String,
    host: String,
    desired_state: &'static str,
    state: &'static str,
    instance_type: &'static str,
    db_volume_size_bytes: i64,
    created_at: String,
    created_by_id: String,
    updated_at: String,
    updated_by_id: String,
    /// Empty: a workspace Sluice shows has not been deleted.
    deleted_by_id: String,
    version_id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ListWorkspacesResponse {
    items: Vec<Workspace>,
}

type Row = (String, String, String, String, i64, i64, i64);

const SELECT: &str = "SELECT id, handle, region, database_name, version_id, created_at, updated_at
     FROM workspaces WHERE user_id = $1";

fn workspace(state: &AppState, owner: &crate::session::Viewer, row: Row) -> Workspace {
    let (id, handle, region, database_name, version_id, created_at, updated_at) = row;
    Workspace {
        host: dns_name(&state.settings, &handle, &owner.handle, &region),
        id,
        identity_id: owner.id.clone(),
        handle,
        database_name,
        desired_state: "enabled",
        state: "enabled",
        instance_type: "db1.shared",
        db_volume_size_bytes: 0,
        created_at: rfc3339(created_at),
        created_by_id: owner.id.clone(),
        updated_at: rfc3339(updated_at),
        updated_by_id: owner.id.clone(),
        deleted_by_id: String::new(),
        version_id,
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/workspace", operation_id = "userWorkspace_list", tag = "UserWorkspaces",
    params(("user_handle" = String, Path, description = "The handle of the user"),
        ("limit" = Option<i64>, Query, description = "1 to 100 (25)"),
        ("next_token" = Option<String>, Query, description = "The cursor of the next page")),
    responses((status = 200, description = "OK", body = ListWorkspacesResponse),
        (status = 400, description = "Bad Request", body = crate::api::ErrorModel),
        (status = 401, description = "Unauthorized", body = crate::api::ErrorModel),
        (status = 403, description = "Forbidden", body = crate::api::ErrorModel),
        (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<ListWorkspacesResponse>, ApiError> {
    // A person has few workspaces: one page holds them, no cursor is issued.
    page.limit()?;
    if !page.next_token().is_empty() {
        return Err(Page::bad_token());
    }
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY created_at, handle"))
        .bind(&caller.user.id)
        .fetch_all(&state.db)
        .await?;
    Ok(Json(ListWorkspacesResponse {
        items: rows.into_iter().map(|r| workspace(&state, &caller.user, r)).collect(),
    }))
}

/// `{workspace_handle}`, parsed.
struct PathWorkspace(WorkspaceHandle);

impl<S: Send + Sync> FromRequestParts<S> for PathWorkspace {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = path_param(parts, state, "workspace_handle").await?;
        WorkspaceHandle::parse(&raw)
            .map(Self)
            .map_err(|e| ApiError::field("path.workspace_handle", e.to_string()))
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/workspace/{workspace_handle}", operation_id = "userWorkspace_get", tag = "UserWorkspaces",
    params(("user_handle" = String, Path, description = "The handle of the user"),
        ("workspace_handle" = String, Path, description = "The handle of the workspace")),
    responses((status = 200, description = "OK", body = Workspace),
        (status = 400, description = "Bad Request", body = crate::api::ErrorModel),
        (status = 401, description = "Unauthorized", body = crate::api::ErrorModel),
        (status = 403, description = "Forbidden", body = crate::api::ErrorModel),
        (status = 404, description = "Not Found", body = crate::api::ErrorModel),
        (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)),
    security(("bearer" = [])))]
async fn read(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathWorkspace(handle): PathWorkspace,
) -> Result<Json<Workspace>, ApiError> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND handle = $2"))
        .bind(&caller.user.id)
        .bind(handle.as_str())
        .fetch_optional(&state.db)
        .await?;
    let row = row.ok_or_else(ApiError::not_found)?;
    Ok(Json(workspace(&state, &caller.user, row)))
}
