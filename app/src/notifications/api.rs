//! `/user/{user_handle}/preferences`: the spec's user_getPreferences and
//! user_updatePreferences. There is no field for System e-mails: sending
//! one is refused by name, like any unknown field.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, Row};
use super::Kind;
use crate::access::Owner;
use crate::api::{ApiError, ApiJson};
use crate::infra::time::rfc3339;
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read, update))
}

/// The spec's `UserPreferences`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct UserPreferences {
    id: String,
    communication_community_updates: String,
    communication_product_updates: String,
    communication_tips_and_tricks: String,
    created_at: String,
    updated_at: String,
    version_id: i64,
}

impl From<Row> for UserPreferences {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            communication_community_updates: r.community_updates,
            communication_product_updates: r.product_updates,
            communication_tips_and_tricks: r.tips_and_tricks,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            version_id: r.version_id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum Choice {
    Enabled,
    Disabled,
}

/// The spec's `UpdateUserPreferencesRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateUserPreferencesRequest {
    communication_community_updates: Option<Choice>,
    communication_product_updates: Option<Choice>,
    communication_tips_and_tricks: Option<Choice>,
}

#[utoipa::path(get, path = "/user/{user_handle}/preferences", operation_id = "user_getPreferences", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = UserPreferences), crate::api::Refusals),
    security(("bearer" = [])))]
async fn read(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<UserPreferences>, ApiError> {
    Ok(Json(ssr::read(&state.db, &caller.account.id).await?.into()))
}

#[utoipa::path(patch, path = "/user/{user_handle}/preferences", operation_id = "user_updatePreferences", tag = "Users",
    params(crate::api::UserPath),
    request_body = UpdateUserPreferencesRequest,
    responses((status = 200, description = "OK", body = UserPreferences), crate::api::Refusals),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(body): ApiJson<UpdateUserPreferencesRequest>,
) -> Result<Json<UserPreferences>, ApiError> {
    let choices = [
        (Kind::CommunityUpdates, body.communication_community_updates),
        (Kind::ProductUpdates, body.communication_product_updates),
        (Kind::TipsAndTricks, body.communication_tips_and_tricks),
    ];
    let change = |p: super::Preferences| {
        choices.into_iter().fold(p, |p, (kind, choice)| match choice {
            Some(c) => p.with(kind, c == Choice::Enabled),
            None => p,
        })
    };
    Ok(Json(ssr::update(&state.db, &caller.actor, change).await?.into()))
}
