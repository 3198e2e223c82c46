//! `/user/{user_handle}/session…`: an extension of the spec (marked
//! `x-sluice-extension` in the OpenAPI document) that lists and ends a
//! person's sessions and CLI logins. Ending one through the API needs no
//! "current session": a token is not one.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::Json;
use http::request::Parts;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, SessionId};
use super::SessionItem;
use crate::access::Owner;
use crate::api::{path_param, ApiError};
use crate::infra::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(delete))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ListSessionsResponse {
    items: Vec<SessionItem>,
}

#[utoipa::path(get, path = "/user/{user_handle}/session", operation_id = "userSession_list", tag = "UserSessions",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = ListSessionsResponse), crate::api::Refusals),
    extensions(("x-sluice-extension" = json!(true))),
    security(("bearer" = [])))]
async fn list(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<ListSessionsResponse>, ApiError> {
    Ok(Json(ListSessionsResponse { items: ssr::list(&state, &caller.account.id, None).await? }))
}

/// `{session_id}`, parsed.
struct PathSession(SessionId);

impl<S: Send + Sync> FromRequestParts<S> for PathSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = path_param(parts, state, "session_id").await?;
        SessionId::parse(&raw)
            .map(Self)
            .ok_or_else(|| ApiError::field("path.session_id", "is not a session id (s_… or k_…)"))
    }
}

#[utoipa::path(delete, path = "/user/{user_handle}/session/{session_id}", operation_id = "userSession_delete", tag = "UserSessions",
    params(crate::api::UserPath, ("session_id" = String, Path, description = "A session's id (s_…) or a CLI login's token id (k_…)")),
    responses((status = 204, description = "Ended"), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    extensions(("x-sluice-extension" = json!(true))),
    security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Owner(caller): Owner,
    PathSession(id): PathSession,
) -> Result<StatusCode, ApiError> {
    if !ssr::revoke(&state, &caller.actor, &id).await? {
        return Err(ApiError::absent("No such session of this account: it may have ended already."));
    }
    Ok(StatusCode::NO_CONTENT)
}
