//! `/api/v0`: the public Pipes API v0 for a person's own account. Bearer
//! tokens authenticate it (cookies never do), errors are the spec's
//! `ErrorModel`, and each feature brings its own paths.

mod auth;
mod error;
mod input;
mod openapi;
mod page;

pub use auth::{Caller, Owner};
pub use error::{error_model, ApiError, FieldError};
pub use input::{path_param, ApiJson};
pub use error::ErrorModel;
pub use page::{cursor_text, cursor_token, Page};
use input::PathHandle;

use axum::Router;

use crate::ssr::AppState;

/// Every path of `/api/v0`, relative to it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", axum::routing::get(openapi::document))
        .merge(crate::account::api::routes())
        .merge(crate::account::workspace_api::routes())
        .merge(crate::avatar::api::routes())
        .merge(crate::tokens::api::routes())
        .merge(crate::password::api::routes())
        .merge(crate::audit::api::routes())
        .merge(crate::notifications::api::routes())
        .merge(crate::cli_login::api::routes())
        .merge(crate::usage::api::routes())
        .merge(crate::billing::api::routes())
        .fallback(|| async { ApiError::no_route() })
        .layer(axum::middleware::from_fn(error_model))
}
