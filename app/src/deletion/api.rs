//! `DELETE /user/{user_handle}`: the spec's user_delete. The token that
//! asks goes with the account.

use axum::extract::State;
use axum::http::StatusCode;

use crate::access::Owner;
use crate::api::ApiError;
use crate::infra::AppState;

#[utoipa::path(delete, path = "/user/{user_handle}", operation_id = "user_delete", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 204, description = "No Content"), crate::api::Refusals),
    security(("bearer" = [])))]
pub async fn delete(State(state): State<AppState>, Owner(caller): Owner) -> Result<StatusCode, ApiError> {
    super::ssr::delete(&state, &caller.account.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
