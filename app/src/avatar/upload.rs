//! The server functions behind the avatar: upload (a multipart form: the
//! browser's cropped PNG, or without JavaScript the original photo) and
//! Reset.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::AppError;

/// Takes the form's `handle` and `avatar` (a JPEG or PNG file); answers
/// the new avatar's path.
#[server(prefix = "/sfn", endpoint = "upload_avatar", input = MultipartFormData)]
pub async fn upload_avatar(data: MultipartData) -> Result<String, AppError> {
    let state = crate::infra::AppState::from_context()?;
    let (handle, bytes) = super::form::read_form(data).await?;
    let actor = crate::access::owner_actor(&handle).await?;
    let pngs = super::store::process(&state, bytes).await?;
    Ok(super::store::save(&state, &actor, pngs, None).await?)
}

/// Sets the avatar from an Avatar URL (fetched once, re-encoded, served by
/// Sluice); an empty URL returns to the generated avatar. Answers the path.
#[server(prefix = "/sfn", endpoint = "set_avatar_url")]
pub async fn set_avatar_url(handle: String, avatar_url: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    if avatar_url.trim().is_empty() {
        super::store::remove(&state, &actor).await?;
        return Ok(super::default_avatar_path(&actor.id));
    }
    let url = shared::avatar::AvatarUrl::parse(&avatar_url).map_err(AppError::invalid)?;
    let bytes = super::remote::fetch(&url, state.settings.avatar_fetch_private).await?;
    let pngs = super::store::process(&state, bytes).await?;
    Ok(super::store::save(&state, &actor, pngs, Some(url.as_str())).await?)
}

/// The Avatar URL the current avatar came from, if any.
#[server(prefix = "/sfn", endpoint = "avatar_url")]
pub async fn current_avatar_url(handle: String) -> Result<Option<String>, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(super::store::source_url(&state, &viewer.id).await?)
}

/// Back to the generated avatar; answers its path.
#[server(prefix = "/sfn", endpoint = "reset_avatar")]
pub async fn reset_avatar(handle: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    super::store::remove(&state, &actor).await?;
    Ok(super::default_avatar_path(&actor.id))
}
