//! `/user/{user_handle}/avatar`: the spec's user_createAvatar (a
//! multipart form with one JPEG or PNG file) and user_deleteAvatar.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, MAX_UPLOAD};
use crate::access::Owner;
use crate::api::ApiError;
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, delete))
}

/// The spec's `CreateAvatarResponse` and `DeleteAvatarResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct AvatarResponse {
    avatar_url: String,
}

/// The first file in the form, whatever its field is called.
async fn first_file(mut form: Multipart) -> Result<Vec<u8>, ApiError> {
    let unreadable = |_| ApiError::field("body", "is not a readable multipart form");
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        if field.file_name().is_none() && field.name() != Some("avatar") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > MAX_UPLOAD {
                return Err(ApiError::field("body", "the file is larger than 16 MB"));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(ApiError::field("body", "holds no file: send one JPEG or PNG image"))
}

#[utoipa::path(post, path = "/user/{user_handle}/avatar", operation_id = "user_createAvatar", tag = "Users",
    params(crate::api::UserPath),
    request_body(content_type = "multipart/form-data", description = "One JPEG or PNG image"),
    responses((status = 201, description = "Created", body = AvatarResponse), crate::api::Refusals),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Owner(caller): Owner,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let form = form.map_err(|_| ApiError::field("body", "must be multipart/form-data"))?;
    let bytes = first_file(form).await?;
    let pngs = store::process(&state, bytes).await.map_err(|e| match e {
        store::ImageError::Unusable(e) => ApiError::field("body", e.to_string()),
        store::ImageError::Stopped => ApiError::internal(),
    })?;
    let path = store::save(&state, &caller.actor, pngs, None).await?;
    let avatar_url = state.settings.absolute(&path);
    Ok((StatusCode::CREATED, Json(AvatarResponse { avatar_url })))
}

#[utoipa::path(delete, path = "/user/{user_handle}/avatar", operation_id = "user_deleteAvatar", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 201, description = "Deleted", body = AvatarResponse), crate::api::Refusals),
    security(("bearer" = [])))]
async fn delete(State(state): State<AppState>, Owner(caller): Owner) -> Result<impl IntoResponse, ApiError> {
    let removed = store::remove(&state, &caller.actor)
        .await?
        .ok_or_else(|| ApiError::bad_request("There is no custom avatar to delete."))?;
    let avatar_url = state.settings.absolute(&removed);
    Ok((StatusCode::CREATED, Json(AvatarResponse { avatar_url })))
}
