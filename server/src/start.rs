//! The one way Sluice starts, from its settings to a served router: the
//! binary, the integration tests and the benchmarks all come through here,
//! so what they test is wired as what runs.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use app::infra::{AppState, Settings};

use crate::local_postgres::LocalPostgres;
use crate::{router, state, HttpLimits, StartError, Started};

/// Makes routes from the state, to serve beside Sluice's.
pub type ExtraRoutes = Box<dyn FnOnce(&AppState) -> Router + Send>;

/// What to start.
pub struct Plan {
    pub leptos: LeptosOptions,
    pub settings: Settings,
    /// The web listener, bound by the caller (who may need its address in
    /// the settings first).
    pub http: TcpListener,
    /// Run the worker that runs every feature's jobs (tests of a queue
    /// itself leave it off and run it by hand).
    pub worker: bool,
    /// The page routes; `None`: listed at start (`router::routes()`
    /// renders the app once to list them, so a test suite lists them once
    /// for all its servers and passes them here).
    pub routes: Option<Vec<AxumRouteListing>>,
    /// Routes served before Sluice's own (the benchmarks' floors).
    pub extra: Option<ExtraRoutes>,
}

impl Plan {
    pub fn new(leptos: LeptosOptions, settings: Settings, http: TcpListener) -> Self {
        Self { leptos, settings, http, worker: true, routes: None, extra: None }
    }
}

/// Sluice, running.
pub struct Running {
    pub state: AppState,
    /// Sluice's own PostgreSQL, when it runs.
    pub postgres: Option<LocalPostgres>,
    /// Every cluster, Sluice's own PostgreSQL among them.
    pub clusters: Arc<crate::clusters::Clusters>,
    pub worker: Option<JoinHandle<()>>,
    /// The usage sampler of the workspace clusters, when there are any.
    pub sampler: Option<JoinHandle<()>>,
    /// The web server; it ends after the shutdown signal.
    pub served: JoinHandle<std::io::Result<()>>,
}

/// The account side the workspace engines' sampler and caps call into.
const CAP_HOOKS: crate::clusters::caps::Hooks = crate::clusters::caps::Hooks {
    sampled: |state, running| Box::pin(app::routes::jobs::usage_sampled(state, running)),
    capped: |state, cluster| Box::pin(app::routes::jobs::capped_roles(state, cluster)),
    signed_in: |state, cluster, seen| Box::pin(app::routes::jobs::workspace_sign_ins(state, cluster, seen)),
};

/// Opens storage, starts Sluice's own PostgreSQL (putting its port in
/// the connection strings) and moves earlier releases' workspaces onto
/// it, starts the worker and the usage sampler, and serves the router
/// until `shutdown`.
pub async fn start(plan: Plan, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<Running, StartError> {
    let Plan { leptos, settings, http, worker, routes, extra } = plan;
    let Started { state, clusters, postgres } = state(leptos, settings).await?;
    if postgres.is_some() {
        let (state, clusters) = (state.clone(), clusters.clone());
        tokio::spawn(async move {
            crate::local_postgres::move_legacy_workspaces(&state, &clusters).await;
        });
    }
    let worker = worker.then(|| app::routes::jobs::spawn(state.clone()));
    // One task, so that stopping it stops all three.
    let sampler = (!clusters.all().is_empty()).then(|| {
        let (state, every, clusters) = (state.clone(), state.settings.usage_interval, clusters.clone());
        tokio::spawn(async move {
            let watch = crate::clusters::watchdog::run(clusters.clone());
            let caps = crate::clusters::caps::run(state.clone(), clusters.clone(), CAP_HOOKS);
            tokio::join!(watch, caps, crate::clusters::usage::run(state, clusters, every, CAP_HOOKS));
        })
    });
    let limits = HttpLimits::from_settings(&state.settings);
    let mut app = Router::new();
    if let Some(extra) = extra {
        app = app.merge(extra(&state));
    }
    let release = crate::site_files::release(&state.leptos_options).await;
    let app = app.merge(router::build(state.clone(), routes.unwrap_or_else(router::routes), release));
    let served = tokio::spawn(crate::serve(http, app, limits, shutdown));
    Ok(Running { state, postgres, clusters, worker, sampler, served })
}
