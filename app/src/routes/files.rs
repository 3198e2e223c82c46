//! The routes that answer with a file rather than a page or JSON: the
//! default and uploaded avatars, the Audit Log's exports, the account's
//! data archive, usage as CSV and invoices.

use axum::routing::get;
use axum::Router;

use crate::infra::AppState;

/// The largest body a request may carry: an avatar upload, with room for
/// the form around it.
pub const LARGEST_UPLOAD: usize = crate::avatar::store::MAX_UPLOAD + 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/avatar/{file}", get(crate::avatar::default_picture::default_avatar))
        .route("/avatar/c/{file}", get(crate::avatar::store::custom_avatar))
        .merge(crate::activity::export::routes())
        .merge(crate::data_export::archive::routes())
        .merge(crate::usage::export::routes())
        .merge(crate::billing::invoice::routes())
}
