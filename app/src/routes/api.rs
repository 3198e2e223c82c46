//! `/api/v0`: the public Pipes API v0 for a person's own account. Bearer
//! tokens authenticate it (cookies never do) and errors are the spec's
//! `ErrorModel`.

use axum::Router;

use crate::infra::AppState;

/// Every path of `/api/v0`, relative to it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", axum::routing::get(super::openapi::document))
        .merge(crate::account::api::routes())
        .merge(crate::workspaces::api::routes())
        .merge(crate::avatar::api::routes())
        .merge(crate::tokens::api::routes())
        .merge(crate::password::api::routes())
        .merge(crate::activity::api::routes())
        .merge(crate::notifications::api::routes())
        .merge(crate::cli_login::api::routes())
        .merge(crate::usage::api::routes())
        .merge(crate::billing::api::routes())
        .fallback(|| async { crate::api::ApiError::no_route() })
        .layer(axum::middleware::from_fn(crate::api::error_model))
}
