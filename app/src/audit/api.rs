//! `GET /user/{user_handle}/audit_log`: the spec's user_listAuditLogs.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};

use super::{ssr, AuditPage};
use crate::api::{ApiError, Owner, Page};
use crate::ssr::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/user/{user_handle}/audit_log", get(list))
}

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
