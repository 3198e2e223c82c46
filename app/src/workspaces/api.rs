//! `/user/{user_handle}/workspace…`: the spec's UserWorkspaces operations.
//! A developer account has at most three workspaces; a new one takes the
//! account's current database password at once.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use shared::WorkspaceHandle;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::naming::dns_name;
use super::ssr::{self, WorkspaceError, WorkspaceRow, SELECT};
use crate::access::bearer::Account;
use crate::access::Owner;
use crate::api::{path_param, ApiError, ApiJson, Page};
use crate::infra::time::rfc3339;
use crate::infra::workspace_storage::DEFAULT_REGION;
use crate::infra::AppState;

/// The spec's statuses for what the store refuses.
fn api_error(e: WorkspaceError) -> ApiError {
    match e {
        WorkspaceError::Limit => ApiError::limit_reached(e.to_string()),
        WorkspaceError::Taken(_) => ApiError::conflict(e.to_string()),
        // The spec has no 404 on delete: an unknown workspace is a bad request.
        WorkspaceError::Unknown(_) => ApiError::field("path.workspace_handle", "is not one of your workspaces"),
        WorkspaceError::UnknownRegion(_) => ApiError::field("body.region", e.to_string()),
        WorkspaceError::Unavailable(_) => ApiError::unavailable(e.to_string()),
        WorkspaceError::Capped(_) => ApiError::conflict(e.to_string()),
        WorkspaceError::Db(e) => e.into(),
    }
}

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, delete))
}

/// Where a workspace stands, as the spec's `state` and `desired_state`
/// say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum WorkspaceState {
    /// Its engine has made its database: people connect.
    Enabled,
    /// Waiting for its engine to make its database.
    Creating,
}

/// The spec's `Workspace`, with the fields Sluice knows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Workspace {
    id: String,
    identity_id: String,
    handle: String,
    database_name: String,
    host: String,
    /// An extension: the region the workspace is in.
    region: String,
    #[schema(value_type = String)]
    desired_state: WorkspaceState,
    /// `creating` while its cluster makes its database, then `enabled`.
    #[schema(value_type = String)]
    state: WorkspaceState,
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

fn workspace(state: &AppState, owner: &Account, row: WorkspaceRow) -> Workspace {
    let WorkspaceRow { id, handle, region, database_name, version_id, created_at, updated_at, provisioned_at, .. } =
        row;
    Workspace {
        host: dns_name(&state.settings, &handle, &owner.handle, &region),
        state: if provisioned_at.is_some() { WorkspaceState::Enabled } else { WorkspaceState::Creating },
        region,
        id,
        identity_id: owner.id.clone(),
        handle,
        database_name,
        desired_state: WorkspaceState::Enabled,
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
    params(crate::api::UserPath, crate::api::PageQuery),
    responses((status = 200, description = "OK", body = ListWorkspacesResponse), crate::api::Refusals),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<ListWorkspacesResponse>, ApiError> {
    // A person has few workspaces: one page holds them, no cursor is issued.
    page.single()?;
    let rows: Vec<WorkspaceRow> = sqlx::query_as(&format!("{SELECT} ORDER BY created_at, handle"))
        .bind(&caller.account.id)
        .fetch_all(&state.db)
        .await?;
    Ok(Json(ListWorkspacesResponse {
        items: rows.into_iter().map(|r| workspace(&state, &caller.account, r)).collect(),
    }))
}

/// `{workspace_handle}`, parsed.
struct PathWorkspace(WorkspaceHandle);

impl<S: Send + Sync> FromRequestParts<S> for PathWorkspace {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = path_param(parts, state, "workspace_handle").await?;
        WorkspaceHandle::parse(&raw).map(Self).map_err(|e| ApiError::field("path.workspace_handle", e.to_string()))
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/workspace/{workspace_handle}", operation_id = "userWorkspace_get", tag = "UserWorkspaces",
    params(crate::api::UserPath, ("workspace_handle" = String, Path, description = "The handle of the workspace")),
    responses((status = 200, description = "OK", body = Workspace), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn read(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathWorkspace(handle): PathWorkspace,
) -> Result<Json<Workspace>, ApiError> {
    let row: Option<WorkspaceRow> = sqlx::query_as(&format!("{SELECT} AND handle = $2"))
        .bind(&caller.account.id)
        .bind(handle.as_str())
        .fetch_optional(&state.db)
        .await?;
    let row = row.ok_or_else(ApiError::not_found)?;
    Ok(Json(workspace(&state, &caller.account, row)))
}

/// The spec's `CreateWorkspaceRequest`. Sluice runs every workspace
/// enabled on the shared instance type; asking for anything else is refused
/// by name rather than ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateWorkspaceRequest {
    handle: String,
    /// An extension: the region to make it in (New Workspace on the page
    /// lists them); the default region, `us-east-1`, when left out.
    region: Option<String>,
    db_volume_size_bytes: Option<i64>,
    desired_state: Option<String>,
    instance_type: Option<String>,
}

impl WorkspaceState {
    fn parse(word: &str) -> Option<Self> {
        match word {
            "enabled" => Some(Self::Enabled),
            "creating" => Some(Self::Creating),
            _ => None,
        }
    }
}

impl CreateWorkspaceRequest {
    fn check(&self) -> Result<WorkspaceHandle, ApiError> {
        // A workspace can only be asked to be enabled.
        if self.desired_state.as_deref().is_some_and(|s| WorkspaceState::parse(s) != Some(WorkspaceState::Enabled)) {
            return Err(ApiError::field("body.desired_state", "only \"enabled\" is supported"));
        }
        if self.instance_type.as_deref().is_some_and(|s| s != "db1.shared") {
            return Err(ApiError::field("body.instance_type", "only \"db1.shared\" is available"));
        }
        if self.db_volume_size_bytes.is_some_and(|n| n < 0) {
            return Err(ApiError::field("body.db_volume_size_bytes", "cannot be negative"));
        }
        WorkspaceHandle::parse(&self.handle).map_err(|e| ApiError::field("body.handle", e.to_string()))
    }
}

#[utoipa::path(post, path = "/user/{user_handle}/workspace", operation_id = "userWorkspace_create", tag = "UserWorkspaces",
    params(crate::api::UserPath),
    request_body = CreateWorkspaceRequest,
    responses((status = 201, description = "Created", body = Workspace), (status = 402, description = "Payment Required", body = crate::api::ErrorModel), (status = 409, description = "Conflict", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(body): ApiJson<CreateWorkspaceRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let handle = body.check()?;
    let region = body.region.as_deref().unwrap_or(DEFAULT_REGION);
    let row = ssr::create(&state, &caller.actor, &handle, region).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(workspace(&state, &caller.account, row))))
}

#[utoipa::path(delete, path = "/user/{user_handle}/workspace/{workspace_handle}", operation_id = "userWorkspace_delete", tag = "UserWorkspaces",
    params(crate::api::UserPath, ("workspace_handle" = String, Path, description = "The handle of the workspace")),
    responses((status = 200, description = "Deleted", body = Workspace), crate::api::Refusals),
    security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathWorkspace(handle): PathWorkspace,
) -> Result<Json<Workspace>, ApiError> {
    let row = ssr::delete(&state, &caller.actor, &handle).await.map_err(api_error)?;
    Ok(Json(workspace(&state, &caller.account, row)))
}
