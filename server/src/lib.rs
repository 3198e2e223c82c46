//! The Sluice server process: configuration, the router and its layers,
//! start-up and shutdown. Features live in the `app` crate.

#![recursion_limit = "256"]

pub mod args;
pub mod certificate;
pub mod cli;
pub mod clusters;
pub mod config;
pub mod connections;
pub mod demo;
pub mod front;
pub mod local_postgres;
pub mod log_path;
pub mod operator;
pub mod proxy;
pub mod router;
pub mod security;
pub mod serve;
pub mod site_files;
pub mod start;
pub mod storage;
pub mod values;

pub use serve::{serve, HttpLimits};

/// Every binary that links the server (it, its tests and benchmarks)
/// allocates with mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use start::{start, Plan, Running};

use app::infra::mail::Mailer;
use app::infra::settings::ClusterSpec;
use app::infra::vault::Vault;
use app::infra::{db, AppState, Settings};
use leptos::config::LeptosOptions;
use local_postgres::{LocalPostgres, Unavailable};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbOpenError),
    #[error(transparent)]
    Mailer(#[from] app::infra::mail::MailerError),
    #[error(transparent)]
    KeyFile(#[from] app::infra::vault::KeyFileError),
    #[error("LEPTOS_SITE_ADDR: cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Cluster(#[from] crate::clusters::ClusterError),
}

/// Sluice's own PostgreSQL, started when `SLUICE_DB_LISTEN` is not off:
/// the port it got goes in the connection strings. When it cannot run,
/// the reason (logged in one line) is kept for the pages.
async fn start_local_postgres(settings: &mut Settings) -> Result<Option<LocalPostgres>, Unavailable> {
    let Some(plan) = local_postgres::Plan::from_settings(settings)? else { return Ok(None) };
    let pg = LocalPostgres::start(plan).await?;
    settings.db_port = pg.listen.port();
    tracing::info!(listen = %pg.listen, version = pg.major, "the managed PostgreSQL is running");
    Ok(Some(pg))
}

/// Everything [`state`] starts.
pub(crate) struct Started {
    pub state: AppState,
    pub clusters: Arc<clusters::Clusters>,
    pub postgres: Option<LocalPostgres>,
}

/// Opens storage and the mailer, starts Sluice's own PostgreSQL and
/// connects to it and the configured clusters: everything the router
/// needs, and the clusters (for their usage sampler).
pub(crate) async fn state(leptos: LeptosOptions, mut settings: Settings) -> Result<Started, StartError> {
    let db = db::open(&settings).await?;
    let mailer = Mailer::new(settings.smtp_url.as_ref().map(|s| s.expose().as_str()), &settings.data_dir)?;
    // Configuration already refused an https site without a key.
    let vault = match &settings.secret_key {
        Some(key) => Vault::new(key),
        None => Vault::from_key_file(&settings.data_dir)?,
    };
    let (postgres, local_unavailable) = match start_local_postgres(&mut settings).await {
        Ok(pg) => (pg, None),
        Err(why) => {
            tracing::warn!("workspaces on Sluice's own PostgreSQL are unavailable: {why}");
            (None, Some(why))
        }
    };
    let local = postgres.as_ref().map(|pg| {
        let spec = ClusterSpec {
            region: app::infra::workspace_storage::DEFAULT_REGION.to_owned(),
            admin_url: app::infra::secret::Secret::new(String::new()),
            public_host: settings.db_domain.clone(),
            public_port: pg.listen.port(),
            local: true,
            hostaddr: settings.db_hostaddr,
        };
        (spec, pg.admin.clone())
    });
    let clusters = Arc::new(
        clusters::Clusters::connect(&settings.workspace_clusters, settings.cluster_limits.clone(), local).await?,
    );
    let relying_party = app::infra::relying_party::RelyingParty::for_site(&settings.public_url);
    let storage =
        storage::Storage { clusters: clusters.clone(), local_unavailable, data_dir: settings.data_dir.clone() };
    let state = AppState::new(app::infra::state::StateParts {
        leptos_options: leptos,
        db,
        settings: Arc::new(settings),
        mailer,
        vault,
        jobs: Arc::new(tokio::sync::Notify::new()),
        // Decoding a photo takes a core and up to a few hundred MB.
        image_work: Arc::new(tokio::sync::Semaphore::new(2)),
        leases: Default::default(),
        workspaces: Arc::new(storage),
        relying_party,
    });
    Ok(Started { state, clusters, postgres })
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })
}
