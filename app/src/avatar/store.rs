//! Custom avatars in storage, and the route that serves them. Whatever
//! arrives is decoded, oriented, centre-cropped to a square and re-encoded
//! here (the browser's crop is a suggestion the server re-checks), off the
//! async threads and a few at a time.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::avatar::{avatar_pngs, AvatarImageError, AvatarPngs};

use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::time::now_millis;
use crate::infra::AppState;

/// The most bytes an upload may have: a large phone photo.
pub const MAX_UPLOAD: usize = 16 * 1024 * 1024;

/// Why an image did not become an avatar.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Not an image Sluice takes, or one too large to decode.
    #[error(transparent)]
    Unusable(#[from] AvatarImageError),
    /// The image work stopped on the server (logged where it happened).
    #[error("the avatar could not be processed")]
    Stopped,
}

impl From<ImageError> for AppError {
    fn from(e: ImageError) -> Self {
        match e {
            ImageError::Unusable(e) => AppError::invalid(e),
            ImageError::Stopped => AppError::Internal,
        }
    }
}

/// Decodes and re-encodes `bytes` on the blocking pool.
pub async fn process(state: &AppState, bytes: Vec<u8>) -> Result<AvatarPngs, ImageError> {
    let _permit = state.image_work.acquire().await.map_err(|_| ImageError::Stopped)?;
    let made = tokio::task::spawn_blocking(move || avatar_pngs(&bytes, None)).await.map_err(|error| {
        tracing::error!(%error, "the avatar pipeline stopped");
        ImageError::Stopped
    })?;
    Ok(made?)
}

fn content_hash(png: &[u8]) -> String {
    Sha256::digest(png)[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes `pngs` the person's avatar (fetched from `source_url`, if it
/// was); answers its path.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    pngs: AvatarPngs,
    source_url: Option<&str>,
) -> Result<String, sqlx::Error> {
    let now = now_millis();
    let hash = content_hash(&pngs.large);
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    sqlx::query(
        "INSERT INTO avatars (user_id, hash, small, large, source_url, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, small = excluded.small,
           large = excluded.large, source_url = excluded.source_url, created_at = excluded.created_at",
    )
    .bind(&actor.id)
    .bind(&hash)
    .bind(&pngs.small)
    .bind(&pngs.large)
    .bind(source_url)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let path = super::custom_avatar_path(&hash, false);
    let data = json!({ "avatar_url": path, "source_url": source_url });
    audit_trail::record_own(&mut tx, actor, "user.avatar.update", data, now).await?;
    tx.commit().await?;
    Ok(path)
}

/// Back to the generated avatar; answers the path of the one removed.
pub async fn remove(state: &AppState, actor: &Actor) -> Result<Option<String>, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let hash: Option<String> = sqlx::query_scalar("DELETE FROM avatars WHERE user_id = $1 RETURNING hash")
        .bind(&actor.id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(hash) = hash else {
        return Ok(None);
    };
    let path = super::custom_avatar_path(&hash, false);
    let data = json!({ "avatar_url": path });
    audit_trail::record_own(&mut tx, actor, "user.avatar.delete", data, now).await?;
    tx.commit().await?;
    Ok(Some(path))
}

/// The Avatar URL the current avatar came from, if it came from one.
pub async fn source_url(state: &AppState, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    let url: Option<Option<String>> = sqlx::query_scalar("SELECT source_url FROM avatars WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&state.db)
        .await?;
    Ok(url.flatten())
}

/// `GET /avatar/c/{hash}.png` and `…@2x.png`
pub async fn custom_avatar(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let (hash, large) = match file.strip_suffix("@2x.png") {
        Some(h) => (h, true),
        None => match file.strip_suffix(".png") {
            Some(h) => (h, false),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    if hash.len() != 32 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let column = if large { "large" } else { "small" };
    let png: Result<Option<Vec<u8>>, _> =
        sqlx::query_scalar(&format!("SELECT {column} FROM avatars WHERE hash = $1 LIMIT 1"))
            .bind(hash)
            .fetch_optional(&state.db)
            .await;
    match png {
        Ok(Some(png)) => {
            let tag = format!("\"{hash}{}\"", if large { "-2x" } else { "" });
            super::default_picture::immutable(&headers, &tag, "image/png", "default-src 'none'", png)
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot read an avatar");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
