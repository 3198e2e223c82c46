//! The one error type of `/api/v0`, answered as the spec's `ErrorModel`.
//! Axum's own rejections (bad JSON, a wrong content type, an oversized
//! body) are rewritten into the same shape, so a client sees one format.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::future::Future;

use crate::error::AppError;

/// One field that was wrong: where (`body.status`, `path.user_handle`,
/// `query.limit`) and what a person should do about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub location: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    validation_errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
}

/// The spec's `ErrorModel` (RFC 7807 problem details).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorModel {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    instance: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    validation_errors: Vec<FieldError>,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, detail: detail.into(), validation_errors: Vec::new(), retry_after_secs: None }
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "A valid API token is required: send it as Authorization: Bearer <token>.")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "This token can act only on its own user's account.")
    }

    /// A read-only token asked to change something.
    pub fn read_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This token has Read only access: it reads its owner's account, changes nothing and is \
             given no credential (such as the database password). Use a token with Full access.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found.")
    }

    /// A 404 that says why the thing is not here.
    pub fn absent(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// The thing to create exists already (the spec's 409).
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// A path the API does not have (see `/api/v0/openapi.json`).
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "There is no such path in the API; /api/v0/openapi.json lists them.")
    }

    /// A plan limit is reached (the spec's 402).
    pub fn limit_reached(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYMENT_REQUIRED, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// A 400 naming the field that was wrong.
    pub fn field(location: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::bad_request(format!("{location}: {message}"));
        e.validation_errors.push(FieldError { location: location.to_owned(), message });
        e
    }

    /// The request's body stopped arriving before it was whole.
    pub fn request_timeout() -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "The request body stopped arriving before it was complete. Try again.")
    }

    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large.")
    }

    /// A 429 with `Retry-After`.
    pub fn rate_limited(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, detail);
        e.retry_after_secs = Some(retry_after_secs);
        e
    }

    /// Too much of one kind of work is under way (uploads); try again soon.
    pub fn busy() -> Self {
        Self::unavailable("Sluice is busy with other uploads. Try again in a moment.")
    }

    /// Something Sluice depends on (a workspace cluster) failed; nothing
    /// changed, and trying again later may work.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
    }

    /// The request took longer than its kind may (a trickled upload).
    pub fn timeout() -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "The request took too long. Check the connection and try again.")
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `ErrorModel` response, for the request at `instance`.
    pub fn body(&self, instance: &str) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let model = ErrorModel {
            kind: "about:blank".to_owned(),
            title: title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            instance: instance.to_owned(),
            validation_errors: self.validation_errors.clone(),
        };
        let mut response = (self.status, axum::Json(model)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<AppError> for ApiError {
    /// The status is the error's own ([`AppError::status`]); the words are
    /// the API's where they differ from a page's.
    fn from(error: AppError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = match &error {
            AppError::Unauthorized => Self::unauthorized().detail,
            AppError::NotFound => Self::not_found().detail,
            AppError::ConfirmIdentity => Self::forbidden().detail,
            AppError::Internal | AppError::Unreachable => Self::internal().detail,
            AppError::Invalid(message) => message.clone(),
            AppError::RateLimited { .. } => error.to_string(),
        };
        let mut api = Self::new(status, detail);
        if let AppError::RateLimited { retry_after_secs } = error {
            api.retry_after_secs = Some(retry_after_secs);
        }
        api
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

/// The error travels to [`error_model`] in the response's extensions,
/// which knows the request path for `instance`.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Largest rejection text carried over into `detail`.
const REJECTION_TEXT_LIMIT: usize = 4096;

/// The request's whole path: inside `nest`, the URI is relative.
pub fn full_path(extensions: &http::Extensions, uri: &http::Uri) -> String {
    extensions.get::<axum::extract::OriginalUri>().map(|u| u.path().to_owned()).unwrap_or_else(|| uri.path().to_owned())
}

/// Every error of `/api/v0` leaves as an `ErrorModel`: a step of the
/// server's one layer, around the API's router (`next` answers the
/// request). The layer runs before any nesting, so the URI is whole.
pub async fn error_model<F: Future<Output = Response>>(request: Request, next: impl FnOnce(Request) -> F) -> Response {
    // A clone shares the URI's bytes; the path is copied only for an error.
    let uri = request.uri().clone();
    let instance = uri.path();
    let response = next(request).await;
    if let Some(error) = response.extensions().get::<ApiError>() {
        return error.body(instance);
    }
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    // An extractor's rejection: plain text that names the problem.
    let text = to_bytes(response.into_body(), REJECTION_TEXT_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    ApiError::new(status, detail).body(instance)
}
