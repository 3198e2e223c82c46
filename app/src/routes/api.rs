//! `/api/v0`: the public Pipes API v0 for a person's own account. Bearer
//! tokens authenticate it (cookies never do) and errors are the spec's
//! `ErrorModel`. Each feature's router brings its operations and their
//! documentation together; a new operation is written once, in its
//! feature's `api.rs`.

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::infra::AppState;

/// Every path of `/api/v0`, relative to it, and `GET /openapi.json`. Its
/// errors become `ErrorModel`s in [`crate::api::error_model`], which the
/// server's one layer runs around this router.
pub fn router() -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(super::openapi::frame())
        .merge(crate::account::api::routes())
        .merge(crate::workspaces::api::routes())
        .merge(crate::sessions::api::routes())
        .merge(crate::avatar::api::routes())
        .merge(crate::tokens::api::routes())
        .merge(crate::database_password::api::routes())
        .merge(crate::activity::api::routes())
        .merge(crate::notifications::api::routes())
        .merge(crate::cli_login::api::routes())
        .merge(crate::usage::api::routes())
        .merge(crate::usage::thresholds::api::routes())
        .merge(crate::billing::api::routes())
        .merge(crate::identity::second_factor::api::routes())
        .split_for_parts();
    // Written out once; each request gets the same bytes.
    let document = axum::body::Bytes::from(serde_json::to_vec(&document).expect("the document serialises"));
    let json = [(http::header::CONTENT_TYPE, "application/json")];
    router
        .route("/openapi.json", axum::routing::get(move || std::future::ready((json, document.clone()))))
        .fallback(|| async { crate::api::ApiError::no_route() })
}
