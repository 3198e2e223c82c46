//! The one layer every request passes through, its steps in order: who
//! the client is (behind a trusted proxy), the request's log span, the
//! page's CSP nonce, the CSRF check, the body's deadline and cap, the
//! upload gate, then by path the server functions' statuses, the API's
//! `ErrorModel` or the page's viewer, and on the way out the headers every
//! response carries and the request's log line. One layer rather than one
//! per step: a layer of its own costs every request a boxed future, a clone
//! of the service below it and a copy of the future it wraps.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

use app::infra::AppState;

use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::security::{self, CsrfPolicy, PagePolicy, UploadGate};

/// What the steps need, shared by every request.
#[derive(Clone)]
pub struct Front(Arc<Steps>);

struct Steps {
    state: AppState,
    csrf: CsrfPolicy,
    uploads: UploadGate,
    pages: PagePolicy,
    body_timeout: Duration,
}

impl Front {
    pub fn new(state: &AppState) -> Self {
        Self(Arc::new(Steps {
            csrf: CsrfPolicy { public_origin: Arc::from(state.settings.public_origin()) },
            uploads: UploadGate::default(),
            pages: PagePolicy { reload: Arc::from(app::routes::reload_source(&state.leptos_options)) },
            body_timeout: state.settings.http_body_timeout,
            state: state.clone(),
        }))
    }
}

/// The middleware: see the module's documentation.
pub async fn front(State(Front(steps)): State<Front>, mut request: Request, next: Next) -> Response {
    crate::proxy::client_address(&steps.state, &mut request);
    // Paths only, with secret segments cut: query strings carry sign-in
    // secrets, and CLI login requests' paths theirs. The fields are worked
    // out only when the span is logged.
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %crate::log_path::loggable(request.uri().path())
    );
    let started = Instant::now();
    let nonce = security::page_nonce(&mut request);
    let mut response = guarded(&steps, request, next).instrument(span.clone()).await;
    security::headers(&mut response, nonce, &steps.pages);
    let latency = format_args!("{} ms", started.elapsed().as_millis());
    let status = response.status().as_u16();
    if response.status().is_server_error() {
        tracing::error!(parent: &span, %latency, status, "response failed");
    }
    tracing::info!(parent: &span, %latency, status, "finished processing request");
    response
}

async fn guarded(steps: &Steps, request: Request, next: Next) -> Response {
    if let Some(refusal) = security::csrf(&steps.csrf, &request) {
        return refusal;
    }
    // A body that stops arriving is given up on after the deadline; what
    // the handler then answers (each says it its own way) becomes a 408.
    let stalled = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        let seen = stalled.clone();
        Body::new(TimeoutBody::new(steps.body_timeout, body).map_err(move |e| {
            if e.is::<TimeoutError>() {
                seen.store(true, Ordering::Relaxed);
            }
            e
        }))
    });
    let path = request.uri().path().to_owned();
    let request = match security::body_limit(request) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let response = security::upload_gate(&steps.uploads, &steps.state, request, |request| async move {
        let path = request.uri().path();
        if path.starts_with("/sfn/") {
            security::server_fn_status(request, |request| next.run(request)).await
        } else if path == "/api/v0" || path.starts_with("/api/v0/") {
            app::api::error_model(request, |request| next.run(request)).await
        } else {
            app::access::session::ssr::attach_viewer(&steps.state, request, |request| next.run(request)).await
        }
    })
    .await;
    if stalled.load(Ordering::Relaxed) {
        return security::body_stalled(&path);
    }
    response
}
