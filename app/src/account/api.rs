//! `/user/{user_handle}`: the spec's user_get and user_update.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use shared::DisplayName;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::bearer::Account;
use crate::access::{Caller, Owner};
use crate::api::{ApiError, ApiJson};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(actor)).routes(routes!(read, update, crate::deletion::api::delete))
}

/// The spec's `User`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct User {
    id: String,
    handle: String,
    display_name: String,
    avatar_url: String,
    url: String,
    status: String,
    tenant_id: String,
    token_min_issued_at: String,
    created_at: String,
    updated_at: String,
    version_id: i64,
}

impl User {
    fn of(state: &AppState, account: Account) -> Self {
        let Account {
            id,
            handle,
            display_name,
            tenant_id,
            status,
            token_min_issued_at: min,
            created_at,
            updated_at,
            version_id,
            avatar_hash: avatar,
        } = account;
        Self {
            avatar_url: state.settings.absolute(&shared::avatar::avatar_path(&id, avatar.as_deref())),
            url: state.settings.absolute(&format!("/user/{handle}")),
            // A developer account is its own tenant.
            tenant_id: tenant_id.unwrap_or_else(|| format!("t_{}", &id[2..])),
            id,
            handle,
            display_name,
            status,
            token_min_issued_at: rfc3339(min),
            created_at: rfc3339(created_at),
            updated_at: rfc3339(updated_at),
            version_id,
        }
    }
}

/// A person as the API shows them, after a change.
async fn load(state: &AppState, user_id: &str) -> Result<User, ApiError> {
    let account: Account = sqlx::query_as(
        "SELECT u.id, u.handle, u.display_name, u.tenant_id, u.status, u.token_min_issued_at,
                u.created_at, u.updated_at, u.version_id, a.hash AS avatar_hash
         FROM users u LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_one(&state.db)
    .await?;
    Ok(User::of(state, account))
}

/// `GET /actor`: whoever the token belongs to.
#[utoipa::path(get, path = "/actor", operation_id = "actor_get", tag = "Actors",
    responses((status = 200, description = "OK", body = User), (status = 401, description = "Unauthorized", body = crate::api::ErrorModel), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)),
    security(("bearer" = [])))]
async fn actor(State(state): State<AppState>, caller: Caller) -> Result<Json<User>, ApiError> {
    Ok(Json(User::of(&state, caller.account)))
}

#[utoipa::path(get, path = "/user/{user_handle}", operation_id = "user_get", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = User), crate::api::Refusals),
    security(("bearer" = [])))]
async fn read(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<User>, ApiError> {
    Ok(Json(User::of(&state, caller.account)))
}

/// The spec's `UpdateUserRequest`. Fields Sluice does not change through
/// the API yet are read so that they can be refused by name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateUserRequest {
    display_name: Option<String>,
    token_min_issued_at: Option<String>,
    handle: Option<String>,
    url: Option<serde_json::Value>,
    usage_compute_action: Option<serde_json::Value>,
    usage_compute_threshold: Option<serde_json::Value>,
    usage_storage_action: Option<serde_json::Value>,
    usage_storage_threshold: Option<serde_json::Value>,
}

/// Clocks differ: a reset time up to a minute ahead is taken as now.
const CLOCK_SKEW_MS: i64 = 60_000;

fn parse_time(raw: &str) -> Result<i64, ApiError> {
    let ms = crate::infra::time::parse_rfc3339(raw).ok_or_else(|| {
        ApiError::field("body.token_min_issued_at", "must be a time in RFC 3339 form, such as 2026-01-31T12:00:00Z")
    })?;
    let now = now_millis();
    if ms > now + CLOCK_SKEW_MS {
        return Err(ApiError::field("body.token_min_issued_at", "cannot be in the future"));
    }
    Ok(ms.min(now + 1))
}

#[utoipa::path(patch, path = "/user/{user_handle}", operation_id = "user_update", tag = "Users",
    params(crate::api::UserPath),
    request_body = UpdateUserRequest,
    responses((status = 200, description = "OK", body = User), crate::api::Refusals),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> Result<Json<User>, ApiError> {
    let unsupported = [
        ("url", request.url.is_some()),
        ("usage_compute_action", request.usage_compute_action.is_some()),
        ("usage_compute_threshold", request.usage_compute_threshold.is_some()),
        ("usage_storage_action", request.usage_storage_action.is_some()),
        ("usage_storage_threshold", request.usage_storage_threshold.is_some()),
    ];
    if let Some((field, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(ApiError::field(&format!("body.{field}"), "cannot be changed through this API"));
    }
    // Everything is checked before anything changes.
    let name = request
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| ApiError::field("body.display_name", e.to_string()))?;
    let reset_at = request.token_min_issued_at.as_deref().map(parse_time).transpose()?;
    let handle = request
        .handle
        .as_deref()
        .map(shared::Handle::parse)
        .transpose()
        .map_err(|e| ApiError::field("body.handle", e.to_string()))?;
    // The one change that can still be refused (a handle taken) goes first.
    let mut actor = caller.actor.clone();
    if let Some(handle) = handle.filter(|h| h.as_str() != caller.account.handle) {
        crate::handle::ssr::change(&state, &actor, &handle).await.map_err(|e| match e {
            crate::handle::ssr::ChangeError::Db(e) => ApiError::from(e),
            e @ crate::handle::ssr::ChangeError::TooMany { retry_after_secs } => {
                ApiError::rate_limited(e.to_string(), retry_after_secs)
            }
            e @ crate::handle::ssr::ChangeError::Cluster => ApiError::unavailable(e.to_string()),
            other => ApiError::field("body.handle", other.to_string()),
        })?;
        actor.handle = handle.to_string();
    }
    if let Some(name) = &name {
        crate::display_name::ssr::update(&state, &actor, name).await?;
    }
    if let Some(at) = reset_at {
        crate::identity::reset::ssr::reset(&state, &actor, at).await.map_err(|e| match e {
            e @ crate::identity::reset::ssr::ResetError::MovesBack { .. } => {
                ApiError::field("body.token_min_issued_at", e.to_string())
            }
            crate::identity::reset::ssr::ResetError::Db(e) => e.into(),
        })?;
    }
    Ok(Json(load(&state, &caller.account.id).await?))
}
