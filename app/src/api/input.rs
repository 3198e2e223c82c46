//! Input at the edge of `/api/v0`: JSON bodies and path handles parsed
//! into their types, with a 400 `ErrorModel` naming the field otherwise.

use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;
use shared::Handle;
use std::collections::HashMap;

use super::ApiError;

/// A JSON body; a body that does not parse is a 400 that says why.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => {
                let status = rejection.status();
                let text = rejection.body_text();
                if status == http::StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(ApiError::too_large());
                }
                Err(ApiError::field("body", text))
            }
        }
    }
}

/// `{user_handle}`: whose account the path is under, parsed; the same
/// type documents the parameter (`params(crate::api::UserPath)`).
#[derive(Debug, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The handle of the user
    #[param(value_type = String)]
    pub user_handle: Handle,
}

impl UserPath {
    pub fn as_str(&self) -> &str {
        self.user_handle.as_str()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = path_param(parts, state, "user_handle").await?;
        Handle::parse(&raw)
            .map(|user_handle| Self { user_handle })
            .map_err(|e| ApiError::field("path.user_handle", e.to_string()))
    }
}

/// One parameter of the route's path, as written (empty if absent).
pub async fn path_param<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str) -> Result<String, ApiError> {
    let axum::extract::Path(mut params) =
        axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("The path could not be read."))?;
    Ok(params.remove(name).unwrap_or_default())
}
