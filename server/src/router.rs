//! The whole HTTP surface: the Leptos pages and server functions, static
//! files, and the layers every request goes through.

use app::infra::release::Release;
use app::infra::AppState;
use app::routes::{shell, App};
use axum::middleware;
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};

use crate::front::{self, Front};

/// The app's routes. Listing them renders the app once, outside any
/// request: do it once per process, before serving.
pub fn routes() -> Vec<AxumRouteListing> {
    generate_route_list(App)
}

/// The app's router; its pages name `release`'s files.
pub fn build(state: AppState, routes: Vec<AxumRouteListing>, release: Release) -> Router {
    Router::new()
        .merge(app::routes::files::router())
        .nest("/api/v0", app::routes::api::router())
        .merge(crate::site_files::routes(&state.leptos_options, &release))
        .leptos_routes_with_context(&state, routes, || (), {
            let (options, release) = (state.leptos_options.clone(), release.clone());
            move || shell(options.clone(), release.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(move |options| shell(options, release.clone())))
        .layer(middleware::from_fn_with_state(Front::new(&state), front::front))
        .with_state(state)
}
