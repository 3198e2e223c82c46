//! The whole HTTP surface: the Leptos pages and server functions, static
//! files, and the layers every request goes through.

use app::infra::AppState;
use app::{shell, App};
use axum::middleware;
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::Arc;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::security::{self, CsrfPolicy};

/// The app's routes. Listing them renders the app once, outside any
/// request: do it once per process, before serving.
pub fn routes() -> Vec<AxumRouteListing> {
    generate_route_list(App)
}

pub fn build(state: AppState, routes: Vec<AxumRouteListing>) -> Router {
    let csrf = CsrfPolicy { public_origin: Arc::from(state.settings.public_origin()) };
    let uploads = security::UploadGate::new(state.clone());
    let body_timeout = state.settings.http_body_timeout;
    let page_policy = security::PagePolicy { reload: Arc::from(app::routes::reload_source(&state.leptos_options)) };
    Router::new()
        .route("/avatar/{file}", axum::routing::get(app::avatar::ssr::default_avatar))
        .route("/avatar/c/{file}", axum::routing::get(app::avatar::store::custom_avatar))
        .merge(app::activity::export::routes())
        .merge(app::data_export::archive::routes())
        .nest("/api/v0", app::routes::api::router())
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), app::access::session::ssr::attach_viewer))
        .layer(middleware::from_fn(security::server_fn_status))
        .layer(middleware::from_fn_with_state(uploads, security::upload_gate))
        .layer(middleware::from_fn(security::body_limit))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(middleware::from_fn_with_state(csrf, security::csrf))
        .layer(middleware::from_fn_with_state(page_policy, security::headers))
        // First of all: who the client is, behind a trusted proxy.
        .layer(middleware::from_fn_with_state(state.clone(), crate::proxy::client_address))
        // Paths only, with secret segments cut: query strings carry
        // sign-in secrets, and CLI login requests' paths theirs.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let path = crate::log_path::loggable(req.uri().path());
                    tracing::info_span!("request", method = %req.method(), path = %path)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}
