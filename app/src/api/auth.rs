//! Who is calling: the bearer token in `Authorization`, and nothing else.
//! A session cookie on an API request is ignored.

use axum::extract::FromRequestParts;
use http::header::AUTHORIZATION;
use http::request::Parts;

use super::{ApiError, PathHandle};
use crate::session::Viewer;
use crate::ssr::audit::Actor;
use crate::ssr::AppState;

/// The person an API token belongs to, and the token they used.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Viewer,
    pub token_id: String,
    pub actor: Actor,
}

/// The caller, on a path under `/user/{user_handle}` that is theirs:
/// every such route takes this, so none can forget the check. Another
/// handle is a 403 whether or not it exists; no token is a 401 first.
#[derive(Debug, Clone)]
pub struct Owner(pub Caller);

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let handle = PathHandle::from_request_parts(parts, state).await?;
        if handle.as_str() == caller.user.handle {
            Ok(Self(caller))
        } else {
            Err(ApiError::forbidden())
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        let (user, token_id) = crate::tokens::ssr::authenticate(&state.db, token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let actor = Actor::viewer(&user, parts);
        Ok(Self {
            user,
            token_id,
            actor,
        })
    }
}
