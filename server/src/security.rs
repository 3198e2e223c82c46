//! Request-level protection: the CSRF check for every state-changing
//! request a cookie could authenticate, the body cap, the upload gate, and
//! the headers every response carries. `front` runs them in order.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::nonce::Nonce;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

use app::infra::AppState;

/// What the CSRF check needs to know.
#[derive(Clone)]
pub struct CsrfPolicy {
    pub public_origin: Arc<str>,
}

/// Refuses a cross-site state-changing request: `Sec-Fetch-Site` must be
/// `same-origin` or `none`; a browser that does not send it must send an
/// `Origin` equal to ours; a request with neither may pass only without a
/// cookie (it then authenticates nobody). The answer is the refusal, if any.
pub fn csrf(policy: &CsrfPolicy, request: &Request) -> Option<Response> {
    if is_safe(request.method()) || request.uri().path().starts_with("/api/v0/") {
        return None;
    }
    let headers = request.headers();
    let allowed = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => origin == &*policy.public_origin,
            None => !headers.contains_key(header::COOKIE),
        },
    };
    if allowed {
        return None;
    }
    let path = crate::log_path::loggable(request.uri().path());
    tracing::warn!(method = %request.method(), path = %path, "cross-site request refused");
    Some((StatusCode::FORBIDDEN, "Cross-site request refused.").into_response())
}

/// Forms and JSON are small; only avatar uploads may be large.
const BODY_LIMIT: usize = 64 * 1024;
const UPLOAD_PATH: &str = "/sfn/upload_avatar";

fn is_upload(path: &str) -> bool {
    path == UPLOAD_PATH || (path.starts_with("/api/v0/user/") && path.ends_with("/avatar"))
}

/// A request whose body stopped arriving before it was whole (408). The
/// rest may still come: the connection is not kept.
pub fn body_stalled(path: &str) -> Response {
    let mut response = if path.starts_with("/api/v0/") {
        app::api::ApiError::request_timeout().body(path)
    } else {
        (StatusCode::REQUEST_TIMEOUT, "The request's body stopped arriving before it was complete. Try again.")
            .into_response()
    };
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Caps every request body, refusing at once what says it is too long; an
/// upload must say it is a multipart form (the server function behind it
/// cannot answer anything else).
pub fn body_limit(request: Request) -> Result<Request, Box<Response>> {
    let path = request.uri().path();
    let limit = if is_upload(path) { app::routes::files::LARGEST_UPLOAD } else { BODY_LIMIT };
    if path == UPLOAD_PATH && request.method() == Method::POST {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data") && v.contains("boundary="));
        if !multipart {
            return Err(Box::new((StatusCode::BAD_REQUEST, "Send the image as a multipart form.").into_response()));
        }
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        let mut response = if path.starts_with("/api/v0/") {
            app::api::ApiError::too_large().body(path)
        } else {
            (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response()
        };
        // The unread body is still on the wire: the connection cannot be
        // reused, so say so rather than let the client's next request fail.
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return Err(Box::new(response));
    }
    Ok(request.map(|body| Body::new(http_body_util::Limited::new(body, limit))))
}

/// Avatar uploads read at once, across the process: each may buffer up to
/// 16 MB, so together they hold at most about 130 MB.
const UPLOADS_AT_ONCE: usize = 8;
/// The longest an upload may take, from its first byte to the answer; a
/// client that trickles a body holds an upload slot no longer than this.
const UPLOAD_DEADLINE: Duration = Duration::from_secs(120);

/// Who may send an upload, and how many at once.
pub struct UploadGate {
    slots: Arc<Semaphore>,
}

impl Default for UploadGate {
    fn default() -> Self {
        Self { slots: Arc::new(Semaphore::new(UPLOADS_AT_ONCE)) }
    }
}

/// An answer that ends the connection: the body that was not read is
/// still on the wire, so it cannot carry another request.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A server function's error, as its client decodes it.
fn server_fn_error(status: StatusCode, error: app::error::AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_default();
    closing((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Before an upload's body is read: the upload server function answers
/// only a signed-in person (the API's bearer token is checked by its
/// extractor, also before the body), a few uploads are read at once, and
/// none for longer than [`UPLOAD_DEADLINE`]. Without this, anyone could
/// make the server hold 16 MB per connection without signing in.
/// `next` answers the request once it may go on.
pub async fn upload_gate<F: Future<Output = Response>>(
    gate: &UploadGate,
    state: &AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let path = request.uri().path();
    if request.method() != Method::POST || !is_upload(path) {
        return next(request).await;
    }
    let api = path.starts_with("/api/v0/");
    let request = if api {
        request
    } else {
        let (parts, body) = request.into_parts();
        match app::access::session::ssr::viewer(state, &parts).await {
            Ok(Some(_)) => {}
            Ok(None) => return server_fn_error(StatusCode::UNAUTHORIZED, app::error::AppError::Unauthorized),
            Err(error) => return server_fn_error(StatusCode::INTERNAL_SERVER_ERROR, error),
        }
        Request::from_parts(parts, body)
    };
    let Ok(_slot) = gate.slots.clone().try_acquire_owned() else {
        let mut response = if api {
            app::api::ApiError::busy().body(request.uri().path())
        } else {
            server_fn_error(
                StatusCode::SERVICE_UNAVAILABLE,
                app::error::AppError::invalid("Sluice is busy with other uploads. Try again in a moment."),
            )
        };
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return closing(response);
    };
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(UPLOAD_DEADLINE, next(request)).await {
        Ok(response) => response,
        Err(_) if api => closing(app::api::ApiError::timeout().body(&path)),
        Err(_) => server_fn_error(
            StatusCode::REQUEST_TIMEOUT,
            app::error::AppError::invalid("The upload took too long. Check your connection and try again."),
        ),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// What the header layer needs to write a page's policy.
#[derive(Clone)]
pub struct PagePolicy {
    /// The development server's live-reload socket, else empty.
    pub reload: Arc<str>,
}

/// The CSP nonce of a request that may be answered with a page, made here
/// and handed to the renderer in the request's extensions; `None` for
/// anything else.
pub fn page_nonce(request: &mut Request) -> Option<Nonce> {
    let may_be_page = is_safe(request.method()) && app::access::session::ssr::is_page_path(request.uri().path());
    let nonce = may_be_page.then(Nonce::new)?;
    request.extensions_mut().insert(nonce.clone());
    Some(nonce)
}

/// Headers for every response. A page gets a Content-Security-Policy that
/// allows its inline scripts by the request's `nonce`; everything else gets
/// the strict default.
pub fn headers(response: &mut Response, nonce: Option<Nonce>, policy: &PagePolicy) {
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    // Pages (each with its own CSP nonce and a person's data) and JSON
    // answers are never kept by a cache; assets say how long they keep.
    let dynamic = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if dynamic && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A response that chose its own policy (an avatar's SVG) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = h.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        let page = nonce
            .filter(|_| html)
            .and_then(|n| HeaderValue::from_str(&app::routes::page_policy(&n, &policy.reload)).ok());
        let csp = page.unwrap_or(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
}

/// Server functions answer every error with 500; the error itself says
/// what it was. This gives a refused request its proper 4xx status, so that
/// clients, caches and logs can tell a bad request from a failure here.
/// For server functions' requests (`/sfn/…`) only.
pub async fn server_fn_status<F: Future<Output = Response>>(
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let response = next(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = serde_json::from_slice::<app::error::AppError>(&bytes)
        .ok()
        .and_then(|error| StatusCode::from_u16(error.status()).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    parts.status = status;
    Response::from_parts(parts, Body::from(bytes))
}
