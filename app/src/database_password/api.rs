//! `/user/{user_handle}/password`: the spec's user_getDBPassword and
//! user_createDBPassword.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, Current};
use crate::access::Owner;
use crate::api::{ApiError, ApiJson};
use crate::infra::time::rfc3339;
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read, rotate))
}

/// The spec's `UserDatabasePassword`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct UserDatabasePassword {
    id: String,
    user_id: String,
    #[serde(rename = "$password")]
    password: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
}

impl From<Current> for UserDatabasePassword {
    fn from(c: Current) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            password: c.password.expose().clone(),
            created_at: rfc3339(c.created_at),
            expires_at: c.expires_at.map(rfc3339),
        }
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/password", operation_id = "user_getDBPassword", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = UserDatabasePassword), crate::api::Refusals),
    security(("bearer" = [])))]
async fn read(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<UserDatabasePassword>, ApiError> {
    caller.require_full_access(&state, "database password").await?;
    let current = ssr::current(&state.db, &state.vault, &caller.account.id).await.map_err(password_error)?;
    Ok(Json(current.into()))
}

/// The spec's `CreateUserPasswordRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateUserPasswordRequest {
    expires_in_minutes: Option<i64>,
}

/// A year, in minutes: the longest expiry a request may ask for.
const MAX_EXPIRY_MINUTES: i64 = 525_600;

#[utoipa::path(post, path = "/user/{user_handle}/password", operation_id = "user_createDBPassword", tag = "Users",
    params(crate::api::UserPath),
    request_body = CreateUserPasswordRequest,
    responses((status = 201, description = "Created", body = UserDatabasePassword), crate::api::Refusals),
    security(("bearer" = [])))]
async fn rotate(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(request): ApiJson<CreateUserPasswordRequest>,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(m) = request.expires_in_minutes {
        if !(1..=MAX_EXPIRY_MINUTES).contains(&m) {
            return Err(ApiError::field(
                "body.expires_in_minutes",
                "must be a whole number of minutes from 1 to 525600",
            ));
        }
    }
    let current = ssr::rotate(&state, &caller.actor, request.expires_in_minutes).await.map_err(password_error)?;
    Ok((StatusCode::CREATED, Json(UserDatabasePassword::from(current))))
}

/// The API's door onto a password that cannot be read or changed.
fn password_error(e: ssr::PasswordError) -> ApiError {
    match e {
        // Logged where it happened; the caller learns nothing more.
        ssr::PasswordError::Unreadable => ApiError::internal(),
        ssr::PasswordError::Db(e) => e.into(),
    }
}
