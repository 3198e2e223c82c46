//! `GET /user/{user_handle}/audit_log`: the spec's user_listAuditLogs.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};

use super::{ssr, AuditPage};
use crate::api::{ApiError, Page};
use crate::access::Owner;
use crate::infra::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/user/{user_handle}/audit_log", get(list))
}

#[utoipa::path(get, path = "/user/{user_handle}/audit_log", operation_id = "user_listAuditLogs", tag = "Users", params(("user_handle" = String, Path, description = "The handle of the user"), ("limit" = Option<i64>, Query, description = "1 to 100 (25)"), ("next_token" = Option<String>, Query, description = "The cursor of the next page")), responses((status = 200, description = "OK", body = super::AuditPage), (status = 400, description = "Bad Request", body = crate::api::ErrorModel), (status = 401, description = "Unauthorized", body = crate::api::ErrorModel), (status = 403, description = "Forbidden", body = crate::api::ErrorModel), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = page.limit()?;
    let after = ssr::cursor(page.next_token()).map_err(|_| Page::bad_token())?;
    let query = ssr::Query { after, ..Default::default() };
    let mut conn = state.db.acquire().await?;
    let mut list = ssr::page(&mut conn, &caller.user.id, &query, limit).await?;
    for record in &mut list.items {
        record.actor_avatar_url = state.settings.absolute(&record.actor_avatar_url);
    }
    Ok(Json(list))
}
