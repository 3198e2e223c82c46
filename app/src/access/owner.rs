//! The one check every page and server function makes before it reads or
//! changes an account: the signed-in person owns the handle in the path.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::session::Viewer;
#[cfg(feature = "ssr")]
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::infra::audit_trail::Actor;

/// The signed-in person, if `handle` is theirs.
#[cfg(feature = "ssr")]
pub async fn owner_of(handle: &str) -> Result<Viewer, AppError> {
    let viewer = super::session::ssr::require_viewer().await?;
    if viewer.handle != handle {
        // A refused authorization goes on the asker's own log.
        if let (Ok(state), Ok(parts)) = (crate::infra::AppState::from_context(), crate::infra::request::parts()) {
            let actor = Actor::viewer(&viewer, &parts);
            let data = serde_json::json!({ "path": parts.uri.path(), "handle": handle });
            crate::infra::audit_trail::write_own(&state.db, &actor, "auth.refused", data).await;
        }
        return Err(AppError::NotFound);
    }
    Ok(viewer)
}

/// The signed-in person as the actor of a change to `handle`, if it is theirs.
#[cfg(feature = "ssr")]
pub async fn owner_actor(handle: &str) -> Result<Actor, AppError> {
    let viewer = owner_of(handle).await?;
    let parts = crate::infra::request::parts()?;
    Ok(Actor::viewer(&viewer, &parts))
}

/// The `{handle}` of the current account route.
pub fn use_handle() -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("handle").unwrap_or_default())
}

#[cfg(feature = "ssr")]
impl Actor {
    /// The signed-in person acting through this request.
    pub fn viewer(viewer: &super::session::Viewer, parts: &http::request::Parts) -> Self {
        Self {
            id: viewer.id.clone(),
            handle: viewer.handle.clone(),
            display_name: viewer.display_name.clone(),
            avatar_url: viewer.avatar.clone(),
            ip: crate::infra::request::client_ip_text(parts),
        }
    }
}
