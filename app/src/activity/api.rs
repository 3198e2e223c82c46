//! `GET /user/{user_handle}/audit_log`: the spec's user_listAuditLogs.

use axum::extract::{Query, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ssr, AuditPage};
use crate::access::Owner;
use crate::api::{ApiError, Page};
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/user/{user_handle}/audit_log", operation_id = "user_listAuditLogs", tag = "Users",
    params(crate::api::UserPath, crate::api::PageQuery),
    responses((status = 200, description = "OK", body = super::AuditPage), crate::api::Refusals),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = page.limit()?;
    let after = ssr::cursor(page.next_token()).map_err(|_| Page::bad_token())?;
    let query = ssr::Query { after, ..Default::default() };
    let mut conn = state.db.acquire().await?;
    let mut list = ssr::page(&mut conn, &caller.account.id, &query, limit).await?;
    for record in &mut list.items {
        record.actor_avatar_url = state.settings.absolute(&record.actor_avatar_url);
    }
    Ok(Json(list))
}
