//! Handle (User Profile): edit and Save, with the rule of `shared::Handle`
//! checked as the person types and again on the server, availability asked
//! as they type, and a confirmation that lists every workspace DNS name
//! before and after, because they all contain the handle.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::HandleForm;

/// Days a handle given up stays unavailable to anyone else.
pub const HOLD_DAYS: i64 = 30;

/// One workspace's DNS name before and after a handle change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsChange {
    pub workspace: String,
    pub before: String,
    pub after: String,
}

/// What changing to a handle would do; asked before saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandleChange {
    pub handle: String,
    pub changes: Vec<DnsChange>,
}

/// Whether `new_handle` can be the account's handle, and what it would
/// change. A rule broken or a handle taken is an error that says which.
#[server(prefix = "/sfn", endpoint = "handle_preview")]
pub async fn handle_preview(handle: String, new_handle: String) -> Result<HandleChange, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let new = shared::Handle::parse(&new_handle).map_err(AppError::invalid)?;
    let state = crate::infra::AppState::from_context()?;
    if new.as_str() == viewer.handle {
        return Err(AppError::invalid(ssr::ChangeError::Unchanged(viewer.handle)));
    }
    let mut conn = state.db.acquire().await?;
    if ssr::taken(&mut conn, new.as_str(), Some(&viewer.id), crate::infra::time::now_millis()).await? {
        return Err(AppError::invalid(ssr::ChangeError::Taken(new.to_string())));
    }
    drop(conn);
    let changes = ssr::dns_changes(&state, &viewer.id, &viewer.handle, new.as_str()).await?;
    Ok(HandleChange { handle: new.to_string(), changes })
}

/// Changes the account's handle; answers the new one. A form posted
/// without JavaScript is sent on to the profile page at its new address.
#[server(prefix = "/sfn", endpoint = "change_handle")]
pub async fn change_handle(handle: String, new_handle: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let new = shared::Handle::parse(&new_handle).map_err(AppError::invalid)?;
    let state = crate::infra::AppState::from_context()?;
    ssr::change(&state, &actor, &new).await.map_err(|e| match e {
        ssr::ChangeError::Db(e) => e.into(),
        ssr::ChangeError::TooMany { retry_after_secs } => AppError::RateLimited { retry_after_secs },
        other => AppError::invalid(other),
    })?;
    let parts = crate::infra::request::parts()?;
    let plain_form =
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if plain_form {
        leptos_axum::redirect(&format!("/user/{new}/advanced/profile"));
    }
    Ok(new.to_string())
}
