//! Request-level protection: the CSRF check for every state-changing
//! request a cookie could authenticate, and the headers every response
//! carries.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What the CSRF check needs to know.
#[derive(Clone)]
pub struct CsrfPolicy {
    pub public_origin: Arc<str>,
}

/// Refuses a cross-site state-changing request: `Sec-Fetch-Site` must be
/// `same-origin` or `none`; a browser that does not send it must send an
/// `Origin` equal to ours; a request with neither may pass only without a
/// cookie (it then authenticates nobody).
pub async fn csrf(State(policy): State<CsrfPolicy>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || request.uri().path().starts_with("/api/v0/") {
        return next.run(request).await;
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
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), path = request.uri().path(), "cross-site request refused");
        (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Headers for every response. Pages get a CSP with a per-response nonce
/// from the app; everything else gets the strict default here.
pub async fn headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    response
}
