//! The Sluice server process: configuration, the router and its layers,
//! start-up and shutdown. Features live in the `app` crate.

#![recursion_limit = "256"]

pub mod args;
pub mod cli;
pub mod clusters;
pub mod config;
pub mod connections;
pub mod demo;
pub mod endpoint;
pub mod front;
pub mod log_path;
pub mod proxy;
pub mod router;
pub mod security;
pub mod serve;
pub mod site_files;
pub mod start;
pub mod storage;

pub use serve::{serve, HttpLimits};

/// Every binary that links the server (it, its tests and benchmarks)
/// allocates with mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use start::{start, Plan, Running};

use app::infra::mail::Mailer;
use app::infra::vault::Vault;
use app::infra::{db, AppState, Settings};
use leptos::config::LeptosOptions;
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
    EndpointTls(#[from] crate::endpoint::tls::TlsError),
    #[error("SLUICE_DB_LISTEN: cannot listen on {addr}: {source}")]
    BindEndpoint { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Cluster(#[from] crate::clusters::ClusterError),
}

/// Binds the workspace endpoint when it is on, and puts the port it got in
/// the connection strings (it differs from the setting's when that is 0);
/// reads its certificate, or makes one (see [`crate::endpoint::tls`]).
pub(crate) async fn bind_endpoint(settings: &mut Settings) -> Result<Option<crate::endpoint::Listener>, StartError> {
    let Some(addr) = settings.db_listen else {
        return Ok(None);
    };
    let (tls, data_dir, domain) = (settings.db_tls.clone(), settings.data_dir.clone(), settings.db_domain.clone());
    let tls = tokio::task::spawn_blocking(move || crate::endpoint::tls::acceptor(&tls, &data_dir, &domain))
        .await
        .map_err(|e| crate::endpoint::tls::TlsError::Store {
            path: settings.data_dir.clone(),
            source: std::io::Error::other(e),
        })??;
    let listener = TcpListener::bind(addr).await.map_err(|source| StartError::BindEndpoint { addr, source })?;
    if let Ok(bound) = listener.local_addr() {
        settings.db_port = bound.port();
    }
    Ok(Some(crate::endpoint::Listener { tcp: listener, tls }))
}

/// Opens storage and the mailer and connects to the workspace clusters:
/// everything the router needs, the registry of workspace connections the
/// endpoint shares with it, and the clusters (for their usage sampler).
pub(crate) async fn state(
    leptos: LeptosOptions,
    settings: Settings,
) -> Result<(AppState, endpoint::Registry, Arc<clusters::Clusters>), StartError> {
    let db = db::open(&settings).await?;
    let mailer = Mailer::new(settings.smtp_url.as_ref().map(|s| s.expose().as_str()), &settings.data_dir)?;
    // Configuration already refused an https site without a key.
    let vault = match &settings.secret_key {
        Some(key) => Vault::new(key),
        None => Vault::from_key_file(&settings.data_dir)?,
    };
    let registry = endpoint::Registry::default();
    let files = endpoint::Files { registry: registry.clone(), data_dir: settings.data_dir.clone() };
    let clusters =
        Arc::new(clusters::Clusters::connect(&settings.workspace_clusters, settings.cluster_limits.clone()).await?);
    let relying_party = app::infra::relying_party::RelyingParty::for_site(&settings.public_url);
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
        workspaces: Arc::new(storage::Storage { files, clusters: clusters.clone() }),
        relying_party,
    });
    Ok((state, registry, clusters))
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })
}
