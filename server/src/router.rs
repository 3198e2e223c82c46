//! The whole HTTP surface: the Leptos pages and server functions, static
//! files, and the layers every request goes through.

use app::infra::AppState;
use app::{shell, App};
use axum::middleware;
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::front::{self, Front};

/// The app's routes. Listing them renders the app once, outside any
/// request: do it once per process, before serving.
pub fn routes() -> Vec<AxumRouteListing> {
    generate_route_list(App)
}

pub fn build(state: AppState, routes: Vec<AxumRouteListing>) -> Router {
    let body_timeout = state.settings.http_body_timeout;
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
        .layer(middleware::from_fn_with_state(Front::new(&state), front::front))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
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
