//! The one layer every request passes through, its steps in order: who
//! the client is (behind a trusted proxy), the page's CSP nonce, the CSRF
//! check, the body cap, the upload gate, server functions' statuses or the
//! page's viewer, and on the way out the headers every response carries.
//! One layer rather than one per step: a layer of its own costs every
//! request a boxed future, a clone of the service below it and a copy of
//! the future it wraps.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

use app::infra::AppState;

use crate::security::{self, CsrfPolicy, PagePolicy, UploadGate};

/// What the steps need, shared by every request.
#[derive(Clone)]
pub struct Front(Arc<Steps>);

struct Steps {
    state: AppState,
    csrf: CsrfPolicy,
    uploads: UploadGate,
    pages: PagePolicy,
}

impl Front {
    pub fn new(state: &AppState) -> Self {
        Self(Arc::new(Steps {
            csrf: CsrfPolicy { public_origin: Arc::from(state.settings.public_origin()) },
            uploads: UploadGate::new(state.clone()),
            pages: PagePolicy { reload: Arc::from(app::routes::reload_source(&state.leptos_options)) },
            state: state.clone(),
        }))
    }
}

/// The middleware: see the module's documentation.
pub async fn front(State(Front(steps)): State<Front>, mut request: Request, next: Next) -> Response {
    crate::proxy::client_address(&steps.state, &mut request);
    let nonce = security::page_nonce(&mut request);
    let mut response = guarded(&steps, request, next).await;
    security::headers(&mut response, nonce, &steps.pages);
    response
}

async fn guarded(steps: &Steps, request: Request, next: Next) -> Response {
    if let Some(refusal) = security::csrf(&steps.csrf, &request) {
        return refusal;
    }
    let request = match security::body_limit(request) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    security::upload_gate(&steps.uploads, request, |request| async move {
        if request.uri().path().starts_with("/sfn/") {
            security::server_fn_status(request, |request| next.run(request)).await
        } else {
            app::access::session::ssr::attach_viewer(&steps.state, request, |request| next.run(request)).await
        }
    })
    .await
}
